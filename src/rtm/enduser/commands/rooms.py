"""Rooms (spec §3.7)."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

#: At most this many rids per call (the server API's limit, rtm-server-api-current.md §4.8).
LIST_MAX = 100
#: oinfo / pinfo at most this many UTF-8 bytes (200030 above).
INFO_MAX = 65535

_RID = Param("rid", Kind.ID)
_RIDS = Param("rids", Kind.IDS, limit=LIST_MAX)

ENTERROOM = Command("enterroom", (_RID,))
ENTERROOMS = Command("enterrooms", (_RIDS,),
                     answer=(Param("successedRids", Kind.IDS), Param("failedRids", Kind.IDS)))
LEAVEROOM = Command("leaveroom", (_RID,))
GETUSERROOMS = Command("getuserrooms", answer=(Param("rooms", Kind.IDS),))
GETROOMMEMBERS = Command("getroommembers", (_RID,), answer=(Param("uids", Kind.IDS),))
GETROOMCOUNT = Command("getroomcount", (_RIDS,), answer=(Param("cn", Kind.MAP),))
SETROOMINFO = Command("setroominfo", (
    _RID, Param("oinfo", Kind.STR, optional=True, limit=INFO_MAX, arg="public_info"),
    Param("pinfo", Kind.STR, optional=True, limit=INFO_MAX, arg="private_info")))
GETROOMINFO = Command("getroominfo", (_RID,),
                      answer=(Param("oinfo", Kind.STR), Param("pinfo", Kind.STR)))
GETROOMOPENINFO = Command("getroomopeninfo", (_RID,), answer=(Param("oinfo", Kind.STR),))
GETROOMSOPENINFO = Command("getroomsopeninfo", (_RIDS,), answer=(Param("info", Kind.STR_MAP),))
GETUSERROOMSANDLASTMSG = Command(
    "getuserroomsandlastmsg", (Param("mtypes", Kind.INTS, optional=True),),
    answer=(Param("rooms", Kind.MAP),))

COMMANDS = (ENTERROOM, ENTERROOMS, LEAVEROOM, GETUSERROOMS, GETROOMMEMBERS, GETROOMCOUNT,
            SETROOMINFO, GETROOMINFO, GETROOMOPENINFO, GETROOMSOPENINFO,
            GETUSERROOMSANDLASTMSG)
