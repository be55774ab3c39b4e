"""Data (spec §3.9): the caller's key/value store, the server API's data of that uid."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

#: A key at most 128 UTF-8 bytes, a value at most 65535 (200030 above).
KEY_MAX = 128
VALUE_MAX = 65535

_KEY = Param("key", Kind.STR, limit=KEY_MAX)

DATASET = Command("dataset", (_KEY, Param("val", Kind.STR, limit=VALUE_MAX, arg="value")))
DATAGET = Command("dataget", (_KEY,), answer=(Param("val", Kind.STR, optional=True),))
DATADEL = Command("datadel", (_KEY,))

COMMANDS = (DATASET, DATAGET, DATADEL)
