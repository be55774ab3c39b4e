"""The IM library, client side (spec §3.13): the caller acts on the IM model the server API's
``imserver_*`` commands manage (profiles, IM groups and their owner, apply and invite grants),
on the RTM friends, group members, room members and bans.

Decisions (the client sources settle only the wire):

* Apply grant of the user/group/room asked (``imserver_setapplygrant``): 0 takes the caller in
  at once, 1 keeps a pending application for the user / the owner and managers to
  acknowledge, 2 refuses (200021), 3 takes the caller in when ``extra`` is the password
  (200021 otherwise). Only IM groups (``imserver_creategroup``) can be joined (200034
  otherwise); any RTM room can, and the first one to enter an empty room without an owner
  owns it.
* Invite grant (``imserver_setinvitegrant``): ``invite_type`` 0 lets only the owner and
  managers invite, 1 every member; an accepted invitation takes the invitee in when
  ``invite_manage_type`` is 1 or the inviter is the owner or a manager, else it becomes an
  application for them to acknowledge.
* The owner and managers acknowledge applications, remove members and ban them; only the owner
  changes managers, transfers and dismisses; the owner cannot leave (transfer first); a
  manager cannot remove or ban another manager.
* Events are pushed as messages that are not stored: to a user as ``pushmsg`` mtype 6 (Unity
  hands only that mtype to its IM parser), to a group/room as ``pushgroupmsg``/``pushroommsg``
  mtype 32; ``attrs`` is JSON with ``type``, ``from`` and ``custom`` plus the keys Unity reads.
  A member change's ``changeType``: 1 joined, 2 left, 3 removed. An owner or manager who
  blocked the caller is not told of its application (it is still recorded).
* A project-banned caller (``addprojectban``, current §11.6) sends no friend request,
  application nor invitation (200021): they carry its text to others, as a message does.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from rtm.api.signing import SnowflakeMidGenerator
from rtm.enduser.commands import imclient as cmd
from rtm.enduser.spec import Command
from rtm.server import codes
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer, ServerCore
from rtm.server.handlers.imlib import check_imlib_enabled
from rtm.server.pushes import Delivery
from rtm.server.store import Kind
from rtm.server.store.imclient import ACCEPTED, PENDING, REFUSED

#: grant and application types (the IM library's object types)
USER: Final = 0
#: apply grants
GRANT_ANYONE, GRANT_VERIFY, GRANT_NOBODY, GRANT_PASSWORD = 0, 1, 2, 3
#: member roles (Unity ``IMLIB_GroupRoomMemberRole``)
OWNER, MANAGER, MEMBER = 0, 1, 2
#: member change types (decision)
JOINED, LEFT, REMOVED = 1, 2, 3
#: the mtype of an IM event pushed to a user (Unity's ``SystemNotification``) and to a
#: group or room (cmd)
USER_EVENT_MTYPE: Final = 6
SPACE_EVENT_MTYPE: Final = 32

#: Unity's ``IMLIB_MessageType``
ADD_FRIEND_APPLY, REFUSE_FRIEND_APPLY, ACCEPT_FRIEND_APPLY, FRIEND_CHANGED = 1, 2, 21, 15
ENTER_APPLY, REFUSE_ENTER_APPLY, ACCEPT_ENTER_APPLY = 3, 4, 22
INVITED, REFUSE_INVITED, ACCEPT_INVITED, SPACE_CHANGED = 5, 7, 24, 17


@dataclass(frozen=True, slots=True)
class Space:
    """What differs between IM groups and IM rooms."""

    kind: int  #: object type: 1 group, 2 room
    name: str
    key: str  #: the quest key of its id
    event_key: str  #: the id's key in an event's attrs
    not_member: int  #: the code when the caller is not in it
    member_changed: int
    managers_added: int
    managers_removed: int
    owner_changed: int

    @property
    def message_kind(self) -> Kind:
        return Kind.GROUP if self.kind == 1 else Kind.ROOM


GROUP = Space(1, "group", "gid", "groupId", codes.NOT_GROUP_MEMBER, 19, 26, 27, 28)
ROOM = Space(2, "room", "rid", "roomId", codes.NOT_IN_ROOM, 20, 29, 30, 31)

_OPERATIONS: dict[str, tuple[str, Space]] = {
    **{command.method: (op, GROUP) for op, command in cmd.GROUP.items()},
    **{command.method: (op, ROOM) for op, command in cmd.ROOM.items()},
}


def _denied(message: str) -> Exception:
    return codes.rtm_error(codes.PERMISSION_DENIED, message)


def _invalid(message: str) -> Exception:
    return codes.rtm_error(codes.INVALID_PARAMETER, message)


def _profile(infos: dict[str, str]) -> dict[str, str]:
    """An IM profile as the client reads it; ``name``/``attrs`` fall back on the keys the
    server API's examples use (``nick``, ``customData``)."""
    return {"name": infos.get("name", infos.get("nick", "")),
            "portraitUrl": infos.get("portraitUrl", ""), "profile": infos.get("profile", ""),
            "attrs": infos.get("attrs", infos.get("customData", ""))}


class IMClientArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    def __init__(self, core: ServerCore) -> None:
        super().__init__(core)
        self._mids = SnowflakeMidGenerator()

    def handler(self, command: Command) -> Any:
        """Group and room commands share one method per operation (``_join`` …)."""
        if command.method in _OPERATIONS:
            op, space = _OPERATIONS[command.method]
            method: Callable[[Space, User, Args], Awaitable[Answer]] = getattr(self, f"_{op}")
            return functools.partial(self._enabled_first, functools.partial(method, space))
        return functools.partial(self._enabled_first, getattr(self, command.method))

    async def _enabled_first(self, fn: Callable[[User, Args], Awaitable[Answer]], user: User,
                             a: Args) -> Answer:
        check_imlib_enabled(self.core, user.pid)
        return await fn(user, a)

    # ------------------------------------------------------------------ events

    def _event(self, pid: int, kind: Kind, from_uid: int, target: int, mtype: int,
               attrs: dict[str, Any], msg: str = "") -> None:
        self.hub.deliver(Delivery(pid, kind, from_uid, target, self._mids.next(), mtype, msg,
                                  json.dumps(attrs, separators=(",", ":")), self.core.now_ms()),
                         to_servers=False)

    def _tell_user(self, user: User, to_uid: int, event: int, attrs: dict[str, Any],
                   msg: str = "") -> None:
        self._event(user.pid, Kind.P2P, user.uid, to_uid, USER_EVENT_MTYPE,
                    {"type": event, "from": user.uid, **attrs}, msg)

    def _tell_space(self, space: Space, user: User, xid: int, event: int,
                    attrs: dict[str, Any]) -> None:
        self._event(user.pid, space.message_kind, user.uid, xid, SPACE_EVENT_MTYPE,
                    {"type": event, space.event_key: xid, "from": user.uid, **attrs})

    # ------------------------------------------------------------------ groups and rooms

    async def _owner(self, space: Space, pid: int, xid: int) -> int | None:
        if space is GROUP:
            return await self.store.im_group_owner(pid, xid)
        return await self.store.im_room_owner(pid, xid)

    async def _member_uids(self, space: Space, pid: int, xid: int) -> list[int]:
        if space is GROUP:
            return await self.store.get_group_members(pid, xid)
        return await self.store.room_members(pid, xid)

    async def _is_member(self, space: Space, pid: int, xid: int, uid: int) -> bool:
        if space is GROUP:
            return await self.store.is_group_member(pid, xid, uid)
        return await self.store.is_in_room(pid, xid, uid)

    async def _role(self, space: Space, pid: int, xid: int, uid: int) -> int | None:
        """OWNER, MANAGER, MEMBER, or None for a non-member."""
        if not await self._is_member(space, pid, xid, uid):
            return None
        if await self._owner(space, pid, xid) == uid:
            return OWNER
        return MANAGER if uid in await self.store.im_managers(pid, space.kind, xid) else MEMBER

    async def _member(self, space: Space, user: User, xid: int) -> int:
        role = await self._role(space, user.pid, xid, user.uid)
        if role is None:
            raise codes.rtm_error(space.not_member,
                                  f"uid {user.uid} is not in {space.name} {xid}")
        return role

    async def _admin(self, space: Space, user: User, xid: int) -> int:
        role = await self._member(space, user, xid)
        if role == MEMBER:
            raise _denied(f"only the owner or a manager of {space.name} {xid} may do that")
        return role

    async def _owner_only(self, space: Space, user: User, xid: int) -> None:
        if await self._member(space, user, xid) != OWNER:
            raise _denied(f"only the owner of {space.name} {xid} may do that")

    async def _admins(self, space: Space, pid: int, xid: int) -> list[int]:
        owner = await self._owner(space, pid, xid)
        managers = await self.store.im_managers(pid, space.kind, xid)
        return [uid for uid in dict.fromkeys([owner or 0, *managers]) if uid]

    async def _admins_to_tell(self, space: Space, user: User, xid: int) -> list[int]:
        """The owner and managers to tell about the caller's application, less those who
        blocked the caller (the event carries its text; the application is still recorded
        for them to read)."""
        admins = await self._admins(space, user.pid, xid)
        blockers = set(await self.store.blockers_among(user.pid, user.uid, admins))
        return [uid for uid in admins if uid not in blockers]

    async def _take_in(self, space: Space, user: User, xid: int, uid: int) -> None:
        """``uid`` becomes a member (an empty room without an owner: its owner)."""
        if space is GROUP:
            await self.store.add_group_members(user.pid, xid, [uid])
        else:
            empty = not await self.store.room_members(user.pid, xid)
            await self.store.add_room_member(user.pid, xid, uid)
            if empty and await self.store.im_room_owner(user.pid, xid) is None:
                await self.store.im_set_room_owner(user.pid, xid, uid)
        self._tell_space(space, user, xid, space.member_changed,
                         {"changeType": JOINED, "from": uid})

    async def _let_go(self, space: Space, user: User, xid: int, uids: list[int],
                      change: int) -> None:
        if space is GROUP:
            await self.store.del_group_members(user.pid, xid, uids)
        else:
            for uid in await self.store.del_room_members(user.pid, xid, uids):
                if change == REMOVED:
                    self.hub.kick_from_room(user.pid, xid, uid)
        await self.store.im_remove_managers(user.pid, space.kind, xid, uids)
        for uid in uids:
            self._tell_space(space, user, xid, space.member_changed,
                             {"changeType": change, "from": uid})

    async def _grant_lets_in(self, kind: int, pid: int, xid: int, extra: str) -> bool:
        """True: the grant takes the caller in now; False: an application waits."""
        grant = await self.store.im_apply_grant(pid, kind, xid)
        if grant.grant_type == GRANT_ANYONE:
            return True
        if grant.grant_type == GRANT_VERIFY:
            return False
        if grant.grant_type == GRANT_PASSWORD and extra == grant.extra:
            return True
        raise _denied("the apply grant refuses it" if grant.grant_type == GRANT_NOBODY
                      else "wrong password")

    async def _not_muted(self, user: User) -> None:
        """200021 for a project-banned caller (current §11.6): a friend request, an
        application or an invitation carries its text to other users, as a message does."""
        if await self.store.is_project_ban(user.pid, user.uid):
            raise _denied(f"uid {user.uid} is banned in project {user.pid}")

    async def _join(self, space: Space, user: User, a: Args) -> Answer:
        xid, extra, attrs = a[space.key], a["extra"] or "", a["attrs"] or ""
        await self._not_muted(user)
        if await self._is_member(space, user.pid, xid, user.uid):
            return {}
        if space is GROUP and await self._owner(space, user.pid, xid) is None:
            raise _invalid(f"group {xid} is not an IM group")
        if await self._grant_lets_in(space.kind, user.pid, xid, extra):
            await self._take_in(space, user, xid, user.uid)
            return {}
        await self.store.im_apply(user.pid, space.kind, xid, user.uid, 0, extra, attrs)
        for admin in await self._admins_to_tell(space, user, xid):
            self._tell_user(user, admin, ENTER_APPLY,
                            {space.event_key: xid, "invitedUid": 0, "custom": attrs}, extra)
        return {}

    async def _ackjoin(self, space: Space, user: User, a: Args) -> Answer:
        xid, applicant, attrs = a[space.key], a["from"], a["attrs"] or ""
        await self._admin(space, user, xid)
        application = await self.store.im_application(user.pid, space.kind, xid, applicant)
        if application is None or application.status != PENDING:
            raise _invalid(f"uid {applicant} has no pending application to {space.name} {xid}")
        event = ACCEPT_ENTER_APPLY if a["agree"] else REFUSE_ENTER_APPLY
        if a["agree"]:
            await self._take_in(space, user, xid, applicant)
        await self.store.im_settle_application(user.pid, space.kind, xid, applicant,
                                               ACCEPTED if a["agree"] else REFUSED)
        self._tell_user(user, applicant, event, {space.event_key: xid, "custom": attrs})
        return {}

    async def _invite(self, space: Space, user: User, a: Args) -> Answer:
        xid, extra, attrs = a[space.key], a["extra"] or "", a["attrs"] or ""
        await self._not_muted(user)
        role = await self._member(space, user, xid)
        if space is GROUP and await self._owner(space, user.pid, xid) is None:
            raise _invalid(f"group {xid} is not an IM group")
        invite_type, _ = await self.store.im_invite_grant(user.pid, space.kind, xid)
        if invite_type == 0 and role == MEMBER:
            raise _denied(f"only the owner or a manager may invite into {space.name} {xid}")
        candidates = [uid for uid in dict.fromkeys(a["target_uids"]) if uid != user.uid]
        blockers = set(await self.store.blockers_among(user.pid, user.uid, candidates))
        members = set(await self._member_uids(space, user.pid, xid))
        invited = [uid for uid in candidates if uid not in blockers and uid not in members]
        await self.store.im_invite(user.pid, space.kind, xid, invited, user.uid, extra, attrs)
        for uid in invited:
            self._tell_user(user, uid, INVITED, {space.event_key: xid, "custom": attrs}, extra)
        return {}

    async def _ackinvite(self, space: Space, user: User, a: Args) -> Answer:
        xid, inviter, attrs = a[space.key], a["from"], a["attrs"] or ""
        found = [i for i in await self.store.im_invitations_to(user.pid, space.kind, user.uid,
                                                               xid) if i.from_uid == inviter]
        if not found:
            raise _invalid(f"uid {inviter} has not invited uid {user.uid} into "
                           f"{space.name} {xid}")
        await self.store.im_drop_invitation(user.pid, space.kind, xid, user.uid)
        if a["agree"]:
            _, manage_type = await self.store.im_invite_grant(user.pid, space.kind, xid)
            if manage_type == 1 or await self._role(space, user.pid, xid, inviter) in (
                    OWNER, MANAGER):
                await self._take_in(space, user, xid, user.uid)
            else:  # the owner and managers decide
                await self.store.im_apply(user.pid, space.kind, xid, user.uid, inviter,
                                          found[0].extra, attrs)
                for admin in await self._admins_to_tell(space, user, xid):
                    self._tell_user(user, admin, ENTER_APPLY, {
                        space.event_key: xid, "from": inviter, "invitedUid": user.uid,
                        "custom": attrs})
        event = ACCEPT_INVITED if a["agree"] else REFUSE_INVITED
        self._tell_user(user, inviter, event, {space.event_key: xid, "custom": attrs})
        return {}

    async def _dismiss(self, space: Space, user: User, a: Args) -> Answer:
        xid = a[space.key]
        await self._owner_only(space, user, xid)
        members = await self._member_uids(space, user.pid, xid)
        for uid in members:
            if uid != user.uid:
                self._tell_user(user, uid, SPACE_CHANGED,
                                {space.event_key: xid, "changeType": 1, "custom": ""})
        if space is GROUP:
            await self.store.del_group(user.pid, xid)  # as imserver_dismissgroup
        else:
            for uid in await self.store.del_room_members(user.pid, xid, members):
                self.hub.kick_from_room(user.pid, xid, uid)
            await self.store.im_drop_room(user.pid, xid)
        return {}

    async def _leave(self, space: Space, user: User, a: Args) -> Answer:
        xid = a[space.key]
        if await self._member(space, user, xid) == OWNER:
            raise _denied(f"the owner of {space.name} {xid} cannot leave: transfer it first")
        await self._let_go(space, user, xid, [user.uid], LEFT)
        return {}

    async def _remove(self, space: Space, user: User, a: Args) -> Answer:
        xid = a[space.key]
        role = await self._admin(space, user, xid)
        members = set(await self._member_uids(space, user.pid, xid))
        managers = set(await self.store.im_managers(user.pid, space.kind, xid))
        removed = [uid for uid in dict.fromkeys(a["uids"]) if uid in members]
        for uid in removed:
            if uid == user.uid or uid == await self._owner(space, user.pid, xid) or (
                    role == MANAGER and uid in managers):
                raise _denied(f"uid {user.uid} may not remove uid {uid} from "
                              f"{space.name} {xid}")
        await self._let_go(space, user, xid, removed, REMOVED)
        return {}

    async def _transfer(self, space: Space, user: User, a: Args) -> Answer:
        xid, to_uid = a[space.key], a["to_uid"]
        await self._owner_only(space, user, xid)
        if not await self._is_member(space, user.pid, xid, to_uid):
            raise codes.rtm_error(space.not_member, f"uid {to_uid} is not in {space.name} {xid}")
        if space is GROUP:
            await self.store.im_set_group_owner(user.pid, xid, to_uid)
        else:
            await self.store.im_set_room_owner(user.pid, xid, to_uid)
        self._tell_space(space, user, xid, space.owner_changed,
                         {"oldOwner": user.uid, "newOwner": to_uid})
        return {}

    async def _managers(self, space: Space, user: User, a: Args, add: bool) -> Answer:
        xid = a[space.key]
        await self._owner_only(space, user, xid)
        uids = [uid for uid in dict.fromkeys(a["uids"]) if uid != user.uid]
        members = set(await self._member_uids(space, user.pid, xid))
        for uid in uids:
            if add and uid not in members:
                raise codes.rtm_error(space.not_member, f"uid {uid} is not in {space.name} {xid}")
        if add:
            await self.store.im_add_managers(user.pid, space.kind, xid, uids)
        else:
            await self.store.im_remove_managers(user.pid, space.kind, xid, uids)
        self._tell_space(space, user, xid,
                         space.managers_added if add else space.managers_removed,
                         {"managers": uids})
        return {}

    async def _addmanagers(self, space: Space, user: User, a: Args) -> Answer:
        return await self._managers(space, user, a, True)

    async def _removemanagers(self, space: Space, user: User, a: Args) -> Answer:
        return await self._managers(space, user, a, False)

    async def _bannable(self, space: Space, user: User, xid: int, uid: int) -> None:
        role = await self._admin(space, user, xid)
        target = await self._role(space, user.pid, xid, uid)
        if target is None:
            raise codes.rtm_error(space.not_member, f"uid {uid} is not in {space.name} {xid}")
        if target == OWNER or (role == MANAGER and target == MANAGER) or uid == user.uid:
            raise _denied(f"uid {user.uid} may not ban uid {uid} in {space.name} {xid}")

    async def _ban(self, space: Space, user: User, a: Args) -> Answer:
        xid, uid = a[space.key], a["to_uid"]
        await self._bannable(space, user, xid, uid)
        if space is GROUP:
            await self.store.add_group_ban(user.pid, xid, uid, a["ban_time"])
        else:
            await self.store.add_room_ban(user.pid, xid, uid, a["ban_time"])
        return {}

    async def _unban(self, space: Space, user: User, a: Args) -> Answer:
        xid, uid = a[space.key], a["to_uid"]
        await self._bannable(space, user, xid, uid)
        if space is GROUP:
            await self.store.remove_group_ban(user.pid, xid, uid)
        else:
            await self.store.remove_room_ban(user.pid, xid, uid)
        return {}

    async def _members(self, space: Space, user: User, a: Args) -> Answer:
        """Each member's uid, role and (groups) whether it is online, all as strings."""
        xid = a[space.key]
        await self._member(space, user, xid)
        owner = await self._owner(space, user.pid, xid)
        managers = set(await self.store.im_managers(user.pid, space.kind, xid))
        uids = await self._member_uids(space, user.pid, xid)
        online = set(self.hub.online_subset(user.pid, uids))
        data: list[dict[str, str]] = []
        for uid in uids:
            role = OWNER if uid == owner else MANAGER if uid in managers else MEMBER
            member = {"uid": str(uid), "role": str(role)}
            if space is GROUP:
                member["online"] = "1" if uid in online else "0"
            data.append(member)
        return {"data": data}

    async def _count(self, space: Space, user: User, a: Args) -> Answer:
        xid = a[space.key]
        await self._member(space, user, xid)
        return {"cn": len(await self._member_uids(space, user.pid, xid))}

    async def _applies(self, space: Space, user: User, a: Args) -> Answer:
        xid = a[space.key]
        await self._admin(space, user, xid)
        found = await self.store.im_applications_to(user.pid, space.kind, xid)
        return {"fromUid": [x.from_uid for x in found], "status": [x.status for x in found],
                "grantExtra": [x.extra for x in found],
                "createTime": [x.created_ms for x in found],
                "inviteUid": [x.invite_uid for x in found], "attrs": [x.attrs for x in found]}

    async def _invites(self, space: Space, user: User, a: Args) -> Answer:
        found = await self.store.im_invitations_to(user.pid, space.kind, user.uid)
        return {"targetXid": [x.xid for x in found],
                "createTime": [x.created_ms for x in found],
                "fromXid": [x.from_uid for x in found], "attrs": [x.attrs for x in found]}

    async def _requests(self, space: Space, user: User, a: Args) -> Answer:
        return await self._requests_of(space.kind, user)

    async def _requests_of(self, kind: int, user: User) -> Answer:
        found = await self.store.im_applications_from(user.pid, kind, user.uid)
        return {"targetXid": [x.xid for x in found],
                "createTime": [x.created_ms for x in found], "attrs": [x.attrs for x in found]}

    async def _space_infos(self, space: Space, pid: int, xids: list[int]
                           ) -> list[dict[str, Any]]:
        """The IM info of each of ``xids`` (an object without one reads as empty)."""
        profiles = (await self.store.im_group_infos(pid, xids) if space is GROUP else {})
        out: list[dict[str, Any]] = []
        for xid in xids:
            grant = await self.store.im_apply_grant(pid, space.kind, xid)
            invite_type, _ = await self.store.im_invite_grant(pid, space.kind, xid)
            info: dict[str, Any] = {"xid": xid, **_profile(profiles.get(xid, {})),
                                    "ownerUid": await self._owner(space, pid, xid) or 0,
                                    "applyGrant": grant.grant_type, "inviteGrant": invite_type,
                                    "managerUids": await self.store.im_managers(pid, space.kind,
                                                                                xid)}
            if space is ROOM:
                info["extra"] = ""
            out.append(info)
        return out

    async def _info(self, space: Space, user: User, a: Args) -> Answer:
        [info] = await self._space_infos(space, user.pid, [a[space.key]])
        del info["xid"]
        return info

    async def _infos(self, space: Space, user: User, a: Args) -> Answer:
        infos = await self._space_infos(space, user.pid,
                                        list(dict.fromkeys(a[f"{space.key}s"])))
        return {key: [info[key] for info in infos] for key in (
            "xid", "ownerUid", "name", "portraitUrl", "profile", "attrs",
            *(("extra",) if space is ROOM else ()), "applyGrant", "inviteGrant",
            "managerUids")}

    # ------------------------------------------------------------------ friends

    async def _befriend(self, user: User, uid: int) -> None:
        await self.store.add_friends(user.pid, user.uid, [uid])
        await self.store.add_friends(user.pid, uid, [user.uid])

    async def imclient_addfriend(self, user: User, a: Args) -> Answer:
        uid, extra, attrs = a["ouid"], a["extra"] or "", a["attrs"] or ""
        if uid == user.uid:
            raise _invalid("can not add oneself as a friend")
        await self._not_muted(user)
        if await self.store.blockers_among(user.pid, user.uid, [uid]):
            raise codes.rtm_error(codes.BLOCKED_USER, f"uid {uid} has blocked uid {user.uid}")
        if await self.store.is_friend(user.pid, user.uid, uid):
            return {}
        if await self._grant_lets_in(USER, user.pid, uid, extra):
            await self._befriend(user, uid)
            self._tell_user(user, uid, FRIEND_CHANGED,
                            {"userId": user.uid, "changeType": 1, "custom": attrs})
            return {}
        await self.store.im_apply(user.pid, USER, uid, user.uid, 0, extra, attrs)
        self._tell_user(user, uid, ADD_FRIEND_APPLY, {"custom": attrs}, extra)
        return {}

    async def imclient_ackaddfriend(self, user: User, a: Args) -> Answer:
        uid, attrs = a["ouid"], a["attrs"] or ""
        application = await self.store.im_application(user.pid, USER, user.uid, uid)
        if application is None or application.status != PENDING:
            raise _invalid(f"uid {uid} has no pending friend request to uid {user.uid}")
        if a["agree"]:
            await self._befriend(user, uid)
        await self.store.im_settle_application(user.pid, USER, user.uid, uid,
                                               ACCEPTED if a["agree"] else REFUSED)
        event = ACCEPT_FRIEND_APPLY if a["agree"] else REFUSE_FRIEND_APPLY
        self._tell_user(user, uid, event, {"userId": user.uid, "custom": attrs})
        return {}

    async def imclient_setfriendalias(self, user: User, a: Args) -> Answer:
        uid = a["target_uid"]
        if not await self.store.is_friend(user.pid, user.uid, uid):
            raise codes.rtm_error(codes.NOT_FRIEND, f"uid {uid} is not a friend of {user.uid}")
        await self.store.im_set_friend_alias(user.pid, user.uid, uid, a["alias"])
        return {}

    async def imclient_getfriendalias(self, user: User, a: Args) -> Answer:
        return {"val": await self.store.im_friend_alias(user.pid, user.uid, a["target_uid"])}

    async def imclient_getfriendapplylist(self, user: User, a: Args) -> Answer:
        found = await self.store.im_applications_to(user.pid, USER, user.uid)
        return {"fromUid": [x.from_uid for x in found], "status": [x.status for x in found],
                "grantExtra": [x.extra for x in found],
                "createTime": [x.created_ms for x in found], "attrs": [x.attrs for x in found]}

    async def imclient_getfriendrequestlist(self, user: User, a: Args) -> Answer:
        return await self._requests_of(USER, user)

    # ------------------------------------------------------------------ users

    async def _user_infos(self, pid: int, uids: Iterable[int]) -> list[dict[str, Any]]:
        wanted = list(dict.fromkeys(uids))
        profiles = await self.store.im_user_infos(pid, wanted)
        return [{"uid": uid, **_profile(profiles.get(uid, {})),
                 "applyGrant": (await self.store.im_apply_grant(pid, USER, uid)).grant_type}
                for uid in wanted]

    async def imclient_getuserinfo(self, user: User, a: Args) -> Answer:
        [info] = await self._user_infos(user.pid, [a["other_uid"]])
        del info["uid"]
        return info

    async def imclient_getuserinfos(self, user: User, a: Args) -> Answer:
        infos = await self._user_infos(user.pid, a["uids"])
        return {key: [info[key] for info in infos]
                for key in ("uid", "name", "portraitUrl", "profile", "attrs", "applyGrant")}

    async def imclient_getgrouproomnick(self, user: User, a: Args) -> Answer:
        spaces = {GROUP.kind: GROUP, ROOM.kind: ROOM}
        if a["type"] not in spaces:
            raise _invalid(f"invalid type {a['type']}: 1 (group) or 2 (room)")
        space, xid = spaces[a["type"]], a["xid"]
        await self._member(space, user, xid)
        members = set(await self._member_uids(space, user.pid, xid))
        wanted = [uid for uid in dict.fromkeys(a["uids"]) if uid in members]
        profiles = await self.store.im_user_infos(user.pid, wanted)
        return {"data": {str(uid): _profile(profiles.get(uid, {}))["name"] for uid in wanted}}
