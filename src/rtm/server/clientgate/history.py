"""History and message management (spec §3.2): the server API's history and message logic
(:mod:`rtm.server.handlers.history`) with the caller as the reader.

Permissions (client spec §3.2, decision): the caller reads only conversations it belongs to —
its P2P pairs, groups it is a member of (200041 otherwise), rooms it is in (200040
otherwise); broadcast history is open to every user — and deletes only its own messages
(200021 otherwise). ``getmsg`` of a P2P message between two other users is 200021.
"""

from __future__ import annotations

from typing import Any

from rtm.enduser.commands import history as cmd
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.history import (
    check_mtypes,
    delete_message,
    message_kind,
    read_history,
    stored_message,
)
from rtm.server.params import check_id
from rtm.server.store import Kind


class HistoryArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def _check_reader(self, user: User, kind: Kind, xid: int) -> None:
        """The caller may read conversation ``xid`` of ``kind``."""
        if kind == Kind.GROUP and not await self.store.is_group_member(user.pid, xid, user.uid):
            raise codes.rtm_error(codes.NOT_GROUP_MEMBER,
                                  f"uid {user.uid} is not a member of group {xid}")
        if kind == Kind.ROOM and not await self.store.is_in_room(user.pid, xid, user.uid):
            raise codes.rtm_error(codes.NOT_IN_ROOM, f"uid {user.uid} is not in room {xid}")

    async def _page(self, user: User, kind: Kind, xid: int | None, a: Args,
                    lastid: int | None = None) -> Answer:
        p2p_uid = user.uid if kind == Kind.P2P else None
        return await read_history(
            self.store, self.config, user.pid, kind, xid, p2p_uid=p2p_uid, desc=a["desc"],
            num=a["num"], begin=a["begin"] or 0, end=a["end"] or 0,
            lastid=(a["lastid"] or 0) if lastid is None else lastid, mtypes=a["mtypes"])

    async def _history(self, user: User, kind: Kind, xid: int | None, a: Args) -> Answer:
        if xid is not None:
            await self._check_reader(user, kind, xid)
        return await self._page(user, kind, xid, a)

    async def getgroupmsg(self, user: User, a: Args) -> Answer:
        return await self._history(user, Kind.GROUP, a["gid"], a)

    async def getroommsg(self, user: User, a: Args) -> Answer:
        return await self._history(user, Kind.ROOM, a["rid"], a)

    async def getbroadcastmsg(self, user: User, a: Args) -> Answer:
        return await self._history(user, Kind.BROADCAST, None, a)

    async def getp2pmsg(self, user: User, a: Args) -> Answer:
        return await self._history(user, Kind.P2P, a["ouid"], a)

    # ------------------------------------------------------------------ from a message on

    async def _from_mid(self, user: User, kind: Kind, xid: int | None, a: Args) -> Answer:
        """The page that starts with the message ``mid`` (included) and goes on in the
        ``desc`` direction; 200070 when the conversation has no message ``mid``."""
        if xid is not None:
            await self._check_reader(user, kind, xid)
        check_mtypes(a["mtypes"])
        cursor = await self.store.message_cursor(
            user.pid, kind, xid, a["mid"], uid_for_p2p=user.uid if kind == Kind.P2P else None)
        if cursor is None:
            raise codes.rtm_error(codes.MESSAGE_NOT_FOUND,
                                  f"message {a['mid']} not found in this conversation")
        # lastid is a strict bound: one past the message includes it.
        return await self._page(user, kind, xid, a, cursor + 1 if a["desc"] else cursor - 1)

    async def getgroupmsgbymessageid(self, user: User, a: Args) -> Answer:
        return await self._from_mid(user, Kind.GROUP, a["gid"], a)

    async def getroommsgbymessageid(self, user: User, a: Args) -> Answer:
        return await self._from_mid(user, Kind.ROOM, a["rid"], a)

    async def getbroadcastmsgbymessageid(self, user: User, a: Args) -> Answer:
        return await self._from_mid(user, Kind.BROADCAST, None, a)

    async def getp2pmsgbymessageid(self, user: User, a: Args) -> Answer:
        return await self._from_mid(user, Kind.P2P, a["ouid"], a)

    # ------------------------------------------------------------------ counts

    async def _count(self, user: User, kind: Kind, xid: int, a: Args) -> Answer:
        """Non-deleted messages in ``begin..end`` (ms, inclusive, 0 = open), as the server
        API's ``getmsgnum`` counts them."""
        if kind != Kind.BROADCAST:
            await self._check_reader(user, kind, xid)
        check_mtypes(a["mtypes"])
        _, count = await self.store.count_messages(
            user.pid, kind, xid, a["mtypes"], a["begin"], a["end"],
            uid_for_p2p=user.uid if kind == Kind.P2P else None)
        return {"count": count}

    async def getgroupmsgcount(self, user: User, a: Args) -> Answer:
        return await self._count(user, Kind.GROUP, a["gid"], a)

    async def getroommsgcount(self, user: User, a: Args) -> Answer:
        return await self._count(user, Kind.ROOM, a["rid"], a)

    async def getbroadcastmsgcount(self, user: User, a: Args) -> Answer:
        return await self._count(user, Kind.BROADCAST, 0, a)

    async def getp2pmsgcount(self, user: User, a: Args) -> Answer:
        return await self._count(user, Kind.P2P, a["ouid"], a)

    # ------------------------------------------------------------------ one message

    @staticmethod
    def _message_ref(a: Args) -> tuple[Kind, int, int, int]:
        kind = message_kind(a["type"])
        if kind != Kind.BROADCAST:
            check_id("from", a["from"])
            check_id("xid", a["xid"])
        return kind, a["from"], a["xid"], a["mid"]

    async def getmsg(self, user: User, a: Args) -> Answer:
        kind, from_uid, xid, mid = self._message_ref(a)
        if kind == Kind.P2P:
            if user.uid not in (from_uid, xid):
                raise codes.rtm_error(codes.PERMISSION_DENIED,
                                      f"uid {user.uid} is not in the P2P conversation of "
                                      f"{from_uid} and {xid}")
        else:
            await self._check_reader(user, kind, xid)
        sender = None if kind == Kind.BROADCAST and from_uid <= 0 else from_uid  # any sender
        info: dict[str, Any] | None = await stored_message(self.store, user.pid, kind,
                                                           sender, xid, mid)
        return info or {}

    async def delmsg(self, user: User, a: Args) -> Answer:
        kind, from_uid, xid, mid = self._message_ref(a)
        if from_uid != user.uid:
            raise codes.rtm_error(codes.PERMISSION_DENIED,
                                  f"uid {user.uid} may only delete its own messages, not "
                                  f"those of uid {from_uid}")
        await delete_message(self.store, self.config, user.pid, kind, from_uid, xid, mid)
        return {}
