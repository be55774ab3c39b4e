"""Groups (spec §3.6): membership, counts and infos, as the caller."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

#: At most this many ids per call (the server API's limit, rtm-server-api-current.md §4.7).
LIST_MAX = 100
#: oinfo / pinfo at most this many UTF-8 bytes (200030 above).
INFO_MAX = 65535

_GID = Param("gid", Kind.ID)
_INFOS = (Param("oinfo", Kind.STR, optional=True, limit=INFO_MAX, arg="public_info"),
          Param("pinfo", Kind.STR, optional=True, limit=INFO_MAX, arg="private_info"))

ADDGROUPMEMBERS = Command("addgroupmembers", (_GID, Param("uids", Kind.IDS, limit=LIST_MAX)))
DELGROUPMEMBERS = Command("delgroupmembers", (_GID, Param("uids", Kind.IDS, limit=LIST_MAX)))
GETGROUPMEMBERS = Command(
    "getgroupmembers", (_GID, Param("online", Kind.BOOL, optional=True)),
    answer=(Param("uids", Kind.IDS), Param("onlines", Kind.IDS, optional=True)))
GETGROUPCOUNT = Command(
    "getgroupcount", (_GID, Param("online", Kind.BOOL, optional=True)),
    answer=(Param("cn", Kind.INT), Param("online", Kind.INT, optional=True)))
GETUSERGROUPS = Command("getusergroups", answer=(Param("gids", Kind.IDS),))
SETGROUPINFO = Command("setgroupinfo", (_GID, *_INFOS))
GETGROUPINFO = Command("getgroupinfo", (_GID,),
                       answer=(Param("oinfo", Kind.STR), Param("pinfo", Kind.STR)))
GETGROUPOPENINFO = Command("getgroupopeninfo", (_GID,), answer=(Param("oinfo", Kind.STR),))
GETGROUPSOPENINFO = Command("getgroupsopeninfo", (Param("gids", Kind.IDS, limit=LIST_MAX),),
                            answer=(Param("info", Kind.STR_MAP),))

COMMANDS = (ADDGROUPMEMBERS, DELGROUPMEMBERS, GETGROUPMEMBERS, GETGROUPCOUNT, GETUSERGROUPS,
            SETGROUPINFO, GETGROUPINFO, GETGROUPOPENINFO, GETGROUPSOPENINFO)
