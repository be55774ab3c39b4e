"""System (spec §3.10): connection attributes, debug logs, devices and push options."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

#: A debug log's text and attrs at most as large as a message's (20480 / 2048 UTF-8 bytes).
DEBUG_MSG_MAX = 20480
DEBUG_ATTRS_MAX = 2048
#: A device's app type and token at most this many UTF-8 bytes (200030 above): every push
#: service's tokens are far shorter, and they are stored.
APPTYPE_MAX = 128
DEVICE_TOKEN_MAX = 4096
#: A connection's attributes (``auth`` and every ``addattrs``) at most this many UTF-8 bytes
#: of keys and values (200030 above, nothing added): they are kept in memory.
CONNECTION_ATTRS_MAX = 65536

_OPTION = (Param("type", Kind.I8, arg="option_type"), Param("xid", Kind.ID),
           Param("mtypes", Kind.INTS, optional=True))

ADDATTRS = Command("addattrs", (Param("attrs", Kind.STR_MAP),))
#: ``attrs`` is a list of maps for an ``Android-…`` session, else one map (spec §3.10).
GETATTRS = Command("getattrs", answer=(Param("attrs", Kind.ANY),))
ADDDEBUGLOG = Command("adddebuglog", (Param("msg", Kind.STR, limit=DEBUG_MSG_MAX, arg="message"),
                                      Param("attrs", Kind.STR, limit=DEBUG_ATTRS_MAX)))
_DEVICE_TOKEN = Param("devicetoken", Kind.STR, limit=DEVICE_TOKEN_MAX, arg="device_token")

ADDDEVICE = Command("adddevice", (Param("apptype", Kind.STR, limit=APPTYPE_MAX, arg="app_type"),
                                  _DEVICE_TOKEN,
                                  Param("tag", Kind.STR, optional=True)))
REMOVEDEVICE = Command("removedevice", (_DEVICE_TOKEN,
                                        Param("tag", Kind.STR, optional=True)))
ADDOPTION = Command("addoption", _OPTION)
REMOVEOPTION = Command("removeoption", _OPTION)
GETOPTION = Command("getoption", answer=(Param("p2p", Kind.MAP), Param("group", Kind.MAP)))

COMMANDS = (ADDATTRS, GETATTRS, ADDDEBUGLOG, ADDDEVICE, REMOVEDEVICE, ADDOPTION, REMOVEOPTION,
            GETOPTION)
