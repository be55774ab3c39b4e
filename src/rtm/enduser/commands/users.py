"""Users (spec §3.8)."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

GETONLINEUSERS = Command("getonlineusers", (Param("uids", Kind.IDS, limit=200),),
                         answer=(Param("uids", Kind.IDS),))

COMMANDS = (GETONLINEUSERS,)
