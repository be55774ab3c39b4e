"""History and message management (spec §3.2)."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

_MTYPES = Param("mtypes", Kind.INTS, optional=True)
_PAGE = (
    Param("desc", Kind.BOOL),
    Param("num", Kind.I16),
    Param("begin", Kind.INT, optional=True),
    Param("end", Kind.INT, optional=True),
    Param("lastid", Kind.INT, optional=True),
    _MTYPES,
)
#: ``{num, lastid, begin, end, msgs}``; each of ``msgs`` the 8-element history row.
_HISTORY = (
    Param("num", Kind.INT),
    Param("lastid", Kind.INT),
    Param("begin", Kind.INT),
    Param("end", Kind.INT),
    Param("msgs", Kind.LIST),
)
_GID = Param("gid", Kind.ID)
_RID = Param("rid", Kind.ID)
_OUID = Param("ouid", Kind.ID, arg="peer_uid")
#: History from the message ``mid`` on (Unity's ``...bymessageid``).
_FROM_MID = (
    Param("desc", Kind.BOOL),
    Param("num", Kind.I16),
    Param("mid", Kind.INT),
    Param("begin", Kind.INT),
    Param("end", Kind.INT),
    _MTYPES,
)
_RANGE = (Param("begin", Kind.INT), Param("end", Kind.INT), _MTYPES)
_COUNT = (Param("count", Kind.INT),)
#: A stored message: its sender, mid, conversation (peer uid / gid / rid / 0) and type.
# ``from`` and ``xid`` are ids except for a broadcast (A sends ``from: -1, xid: 0``).
_MESSAGE_REF = (
    Param("from", Kind.INT, arg="from_uid"),
    Param("mid", Kind.INT),
    Param("xid", Kind.INT),
    Param("type", Kind.I8, arg="message_type"),
)

GETGROUPMSG = Command("getgroupmsg", (_GID, *_PAGE), _HISTORY)
GETROOMMSG = Command("getroommsg", (_RID, *_PAGE), _HISTORY)
GETBROADCASTMSG = Command("getbroadcastmsg", _PAGE, _HISTORY)
GETP2PMSG = Command("getp2pmsg", (_OUID, *_PAGE), _HISTORY)
GETGROUPMSGBYMESSAGEID = Command("getgroupmsgbymessageid", (_GID, *_FROM_MID), _HISTORY)
GETROOMMSGBYMESSAGEID = Command("getroommsgbymessageid", (_RID, *_FROM_MID), _HISTORY)
GETBROADCASTMSGBYMESSAGEID = Command("getbroadcastmsgbymessageid", _FROM_MID, _HISTORY)
GETP2PMSGBYMESSAGEID = Command("getp2pmsgbymessageid", (_OUID, *_FROM_MID), _HISTORY)
GETGROUPMSGCOUNT = Command("getgroupmsgcount", (_GID, *_RANGE), _COUNT)
GETROOMMSGCOUNT = Command("getroommsgcount", (_RID, *_RANGE), _COUNT)
GETBROADCASTMSGCOUNT = Command("getbroadcastmsgcount", _RANGE, _COUNT)
GETP2PMSGCOUNT = Command("getp2pmsgcount", (_OUID, *_RANGE), _COUNT)
#: ``{id, mtype, msg, attrs, mtime}``, or ``{}`` when there is no such (undeleted) message.
GETMSG = Command("getmsg", _MESSAGE_REF, (
    Param("id", Kind.INT, optional=True),
    Param("mtype", Kind.INT, optional=True),
    Param("msg", Kind.BODY, optional=True),
    Param("attrs", Kind.BODY, optional=True),
    Param("mtime", Kind.INT, optional=True),
))
DELMSG = Command("delmsg", _MESSAGE_REF)

COMMANDS = (
    GETGROUPMSG, GETROOMMSG, GETBROADCASTMSG, GETP2PMSG,
    GETGROUPMSGBYMESSAGEID, GETROOMMSGBYMESSAGEID, GETBROADCASTMSGBYMESSAGEID,
    GETP2PMSGBYMESSAGEID,
    GETGROUPMSGCOUNT, GETROOMMSGCOUNT, GETBROADCASTMSGCOUNT, GETP2PMSGCOUNT,
    GETMSG, DELMSG,
)
