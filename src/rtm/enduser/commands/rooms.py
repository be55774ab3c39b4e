"""Rooms (spec §3.7)."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

ENTERROOM = Command("enterroom", (Param("rid", Kind.ID),))
LEAVEROOM = Command("leaveroom", (Param("rid", Kind.ID),))
GETUSERROOMS = Command("getuserrooms", answer=(Param("rooms", Kind.IDS),))

COMMANDS = (ENTERROOM, LEAVEROOM, GETUSERROOMS)
