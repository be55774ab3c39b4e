"""The IM library, client side (spec §3.13, Unity's ``imclient_*`` quests): friend requests,
IM profiles, and the same set of commands for IM groups and IM rooms."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

#: At most this many ids per call (the server API's IM limit).
IDS_MAX = 100
#: A friend alias at most this many UTF-8 bytes (200030 above).
ALIAS_MAX = 256
#: ``extra`` and ``attrs`` reach other users in an event's ``msg`` and ``attrs``: at most a
#: message's sizes (20480 / 2048 UTF-8 bytes, 200030 above).
EXTRA_MAX = 20480
ATTRS_MAX = 2048

_EXTRA = Param("extra", Kind.STR, optional=True, limit=EXTRA_MAX)
_ATTRS = Param("attrs", Kind.STR, optional=True, limit=ATTRS_MAX)
_OUID = Param("ouid", Kind.ID, arg="uid")
_TARGET = Param("target_uid", Kind.ID, arg="uid")
_APPLIES = (Param("fromUid", Kind.IDS), Param("status", Kind.INTS),
            Param("grantExtra", Kind.STRS), Param("createTime", Kind.INTS),
            Param("attrs", Kind.STRS))
_REQUESTS = (Param("targetXid", Kind.IDS), Param("createTime", Kind.INTS),
             Param("attrs", Kind.STRS))
_PROFILE = ("name", "portraitUrl", "profile", "attrs")

ADDFRIEND = Command("imclient_addfriend", (_OUID, _EXTRA, _ATTRS))
ACKADDFRIEND = Command("imclient_ackaddfriend", (_OUID, Param("agree", Kind.BOOL), _ATTRS))
SETFRIENDALIAS = Command("imclient_setfriendalias",
                         (_TARGET, Param("alias", Kind.STR, limit=ALIAS_MAX)))
GETFRIENDALIAS = Command("imclient_getfriendalias", (_TARGET,),
                         answer=(Param("val", Kind.STR),))
GETFRIENDAPPLYLIST = Command("imclient_getfriendapplylist", answer=_APPLIES)
GETFRIENDREQUESTLIST = Command("imclient_getfriendrequestlist", answer=_REQUESTS)
GETUSERINFO = Command(
    "imclient_getuserinfo", (Param("other_uid", Kind.ID, arg="uid"),),
    answer=(*(Param(key, Kind.STR) for key in _PROFILE), Param("applyGrant", Kind.INT)))
GETUSERINFOS = Command(
    "imclient_getuserinfos", (Param("uids", Kind.IDS, limit=IDS_MAX),),
    answer=(Param("uid", Kind.IDS), *(Param(key, Kind.STRS) for key in _PROFILE),
            Param("applyGrant", Kind.INTS)))
GETGROUPROOMNICK = Command(
    "imclient_getgrouproomnick",
    (Param("type", Kind.I32, arg="xid_type"), Param("xid", Kind.ID),
     Param("uids", Kind.IDS, limit=IDS_MAX)),
    answer=(Param("data", Kind.STR_MAP),))


def _space_commands(name: str, key: str) -> dict[str, Command]:
    """The IM commands of groups (``name`` "group", ``key`` "gid") or rooms; by operation."""
    xid = Param(key, Kind.ID)
    uids = Param("uids", Kind.IDS, limit=IDS_MAX)
    room = name == "room"
    extra = (Param("extra", Kind.STR),) if room else ()
    extras = (Param("extra", Kind.STRS),) if room else ()
    ack = (xid, Param("from", Kind.ID, arg="from_uid"), Param("agree", Kind.BOOL), _ATTRS)
    commands = {
        "info": Command(f"imclient_get{name}info", (xid,), answer=(
            *(Param(k, Kind.STR) for k in _PROFILE), *extra, Param("ownerUid", Kind.INT),
            Param("applyGrant", Kind.INT), Param("inviteGrant", Kind.INT),
            Param("managerUids", Kind.IDS))),
        "infos": Command(f"imclient_get{name}infos", (Param(f"{key}s", Kind.IDS,
                                                            limit=IDS_MAX),), answer=(
            Param("xid", Kind.IDS), Param("ownerUid", Kind.INTS),
            *(Param(k, Kind.STRS) for k in _PROFILE), *extras,
            Param("applyGrant", Kind.INTS), Param("inviteGrant", Kind.INTS),
            Param("managerUids", Kind.LIST))),
        "join": Command(f"imclient_join{name}", (xid, _EXTRA, _ATTRS)),
        "ackjoin": Command(f"imclient_ackjoin{name}", ack),
        "invite": Command(f"imclient_inviteinto{name}", (
            xid, Param("target_uids", Kind.IDS, limit=IDS_MAX, arg="uids"), _EXTRA, _ATTRS)),
        "ackinvite": Command(f"imclient_ackinviteinto{name}", ack),
        "dismiss": Command(f"imclient_dismiss{name}", (xid,)),
        "leave": Command(f"imclient_leave{name}", (xid,)),
        "remove": Command(f"imclient_remove{name}members", (xid, uids)),
        "transfer": Command(f"imclient_transfer{name}", (xid, Param("to_uid", Kind.ID))),
        "addmanagers": Command(f"imclient_add{name}managers", (xid, uids)),
        "removemanagers": Command(f"imclient_remove{name}managers", (xid, uids)),
        "ban": Command(f"imclient_add{name}memberban", (
            xid, Param("to_uid", Kind.ID), Param("ban_time", Kind.I32))),
        "unban": Command(f"imclient_remove{name}memberban", (xid, Param("to_uid", Kind.ID))),
        "members": Command(f"imclient_get{name}members", (xid,),
                           answer=(Param("data", Kind.LIST),)),
        "count": Command(f"imclient_get{name}membercount", (xid,),
                         answer=(Param("cn", Kind.INT),)),
        "applies": Command(f"imclient_get{name}applylist", (xid,), answer=(
            *_APPLIES[:4], Param("inviteUid", Kind.INTS), _APPLIES[4])),
        "invites": Command(f"imclient_get{name}invitelist", answer=(
            Param("targetXid", Kind.IDS), Param("createTime", Kind.INTS),
            Param("fromXid", Kind.IDS), Param("attrs", Kind.STRS))),
        "requests": Command(f"imclient_get{name}requestlist", answer=_REQUESTS),
    }
    return commands


#: The group commands and the room commands, by operation (the same set for both).
GROUP = _space_commands("group", "gid")
ROOM = _space_commands("room", "rid")

COMMANDS = (ADDFRIEND, ACKADDFRIEND, SETFRIENDALIAS, GETFRIENDALIAS, GETFRIENDAPPLYLIST,
            GETFRIENDREQUESTLIST, GETUSERINFO, GETUSERINFOS, *GROUP.values(), *ROOM.values(),
            GETGROUPROOMNICK)
