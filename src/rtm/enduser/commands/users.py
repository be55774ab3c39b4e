"""Users (spec §3.8)."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

#: oinfo / pinfo at most this many UTF-8 bytes (200030 above).
INFO_MAX = 65535

GETONLINEUSERS = Command("getonlineusers", (Param("uids", Kind.IDS, limit=200),),
                         answer=(Param("uids", Kind.IDS),))
SETUSERINFO = Command("setuserinfo", (
    Param("oinfo", Kind.STR, optional=True, limit=INFO_MAX, arg="public_info"),
    Param("pinfo", Kind.STR, optional=True, limit=INFO_MAX, arg="private_info")))
GETUSERINFO = Command("getuserinfo", answer=(Param("oinfo", Kind.STR), Param("pinfo", Kind.STR)))
GETUSEROPENINFO = Command("getuseropeninfo", (Param("uids", Kind.IDS, limit=100),),
                          answer=(Param("info", Kind.STR_MAP),))
GETSERVERTIME = Command("getservertime", answer=(Param("mts", Kind.INT),))

COMMANDS = (GETONLINEUSERS, SETUSERINFO, GETUSERINFO, GETUSEROPENINFO, GETSERVERTIME)
