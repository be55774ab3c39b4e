"""Unread counts, sessions and conversation lists (spec §3.3) on the store's unread model
(:mod:`rtm.server.store.unread`): the P2P session list is the one the server API's
``addsessions``/``removesessions`` edit; the read mark moves on ``cleanunread``,
``getunread {clear: true}``, ``getunreadconversationlist {clear: true}`` and logout.

Decisions where the client spec is silent:

* ``getp2punread``/``getgroupunread`` answer for the requested ids that are sessions of the
  caller (a group it is not a member of, a peer it has no session with, is left out): ``p2p``
  / ``group`` has the ids with unread messages, ``ltime`` every id with a message (ms);
  ``mtime`` > 0 counts the messages from that time on instead of after the read mark.
  Map keys are decimal strings (the server API's rule for map keys).
* A conversation list's ``mtime`` keeps the sessions whose newest message has
  ``mtime >= mtime``; without ``mtime`` sessions with no message are listed last with an
  empty row (cursor id 0, which the SDKs read as "no message"). P2P rows carry the
  direction in element 1 (1 = sent by the caller, 2 = received), as in ``getp2pmsg``.
* ``removesession``: ``oneway`` true removes the peer from the caller's list only; absent or
  false removes the pair from both lists (Unity's ``oneway = false`` default).
"""

from __future__ import annotations

from typing import Any

from rtm.enduser.commands import unread as cmd
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer
from rtm.server.handlers.history import EMPTY_ROW, check_mtypes, history_row
from rtm.server.store import Kind, SessionState


class UnreadArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    async def getunread(self, user: User, a: Args) -> Answer:
        p2p, groups, mark = await self.store.unread_sessions(user.pid, user.uid,
                                                             clear=a["clear"])
        answer: dict[str, Any] = {"p2p": p2p, "group": groups}
        if a["gettime"]:
            answer["logouttime"] = mark.logout_ms
        return answer

    async def cleanunread(self, user: User, a: Args) -> Answer:
        await self.store.mark_read(user.pid, user.uid)
        return {}

    async def getsession(self, user: User, a: Args) -> Answer:
        p2p, groups = await self.store.user_sessions(user.pid, user.uid)
        return {"p2p": p2p, "group": groups}

    async def _unread(self, user: User, kind: Kind, key: str, ids: list[int],
                      a: Args) -> Answer:
        check_mtypes(a["mtypes"])
        counts, ltimes = await self.store.unread_counts(
            user.pid, user.uid, kind, ids, since_ms=a["mtime"] or 0, mtypes=a["mtypes"])
        return {key: {str(xid): n for xid, n in counts.items()},
                "ltime": {str(xid): ms for xid, ms in ltimes.items()}}

    async def getp2punread(self, user: User, a: Args) -> Answer:
        return await self._unread(user, Kind.P2P, "p2p", a["uids"], a)

    async def getgroupunread(self, user: User, a: Args) -> Answer:
        return await self._unread(user, Kind.GROUP, "group", a["gids"], a)

    # ------------------------------------------------------------------ conversation lists

    def _rows(self, user: User, kind: Kind, states: list[SessionState]) -> dict[str, Any]:
        p2p_uid = user.uid if kind == Kind.P2P else None
        blank = self.config.blank_deleted
        return {
            "conversations": [s.xid for s in states],
            "unreads": [s.unread for s in states],
            "msgs": [list(EMPTY_ROW) if s.newest is None
                     else history_row(s.newest, p2p_uid, blank) for s in states],
        }

    async def _lists(self, user: User, kinds: tuple[Kind, ...], a: Args, *,
                     unread_only: bool, clear: bool = False) -> list[dict[str, Any]]:
        check_mtypes(a["mtypes"])
        lists = await self.store.conversations(
            user.pid, user.uid, kinds, since_ms=a["mtime"] or 0, mtypes=a["mtypes"],
            unread_only=unread_only, clear=clear)
        return [self._rows(user, kind, states) for kind, states in zip(kinds, lists,
                                                                        strict=True)]

    async def getp2pconversationlist(self, user: User, a: Args) -> Answer:
        return (await self._lists(user, (Kind.P2P,), a, unread_only=False))[0]

    async def getgroupconversationlist(self, user: User, a: Args) -> Answer:
        return (await self._lists(user, (Kind.GROUP,), a, unread_only=False))[0]

    async def getp2punreadconversationlist(self, user: User, a: Args) -> Answer:
        return (await self._lists(user, (Kind.P2P,), a, unread_only=True))[0]

    async def getgroupunreadconversationlist(self, user: User, a: Args) -> Answer:
        return (await self._lists(user, (Kind.GROUP,), a, unread_only=True))[0]

    async def getunreadconversationlist(self, user: User, a: Args) -> Answer:
        groups, p2p = await self._lists(user, (Kind.GROUP, Kind.P2P), a, unread_only=True,
                                        clear=bool(a["clear"]))
        return {"groupConversations": groups["conversations"],
                "groupUnreads": groups["unreads"], "groupMsgs": groups["msgs"],
                "p2pConversations": p2p["conversations"], "p2pUnreads": p2p["unreads"],
                "p2pMsgs": p2p["msgs"]}

    async def removesession(self, user: User, a: Args) -> Answer:
        peer = a["to"]
        await self.store.remove_sessions(user.pid, user.uid, [peer])
        if not a["oneway"]:
            await self.store.remove_sessions(user.pid, peer, [user.uid])
        return {}
