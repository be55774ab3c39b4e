"""Login, logout and keep-alive (spec §2, §1.3).

``auth`` takes every official SDK's form: W ``pid, uid, token, version, attrs?``; A adds
``lang`` ("" when unset) and ``device``; U and C ``lang?``, U's second form ``ts, authv: 2``;
the 2018 SDK ``unread``. ``kickout {ce}`` closes another session of the caller's own uid.
"""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

AUTH = Command(
    "auth",
    (
        Param("pid", Kind.I32),
        Param("uid", Kind.ID),
        Param("token", Kind.STR),
        Param("version", Kind.STR, optional=True),
        Param("lang", Kind.STR, optional=True),
        Param("device", Kind.STR, optional=True),
        Param("attrs", Kind.STR_MAP, optional=True),
        Param("unread", Kind.BOOL, optional=True),
        Param("ts", Kind.INT, optional=True),
        Param("authv", Kind.INT, optional=True),
    ),
    answer=(Param("ok", Kind.BOOL),),
    login=False,
)
BYE = Command("bye", login=False)
PING = Command("ping", login=False)
KICKOUT = Command("kickout", (Param("ce", Kind.STR),))
WHICH = Command("which", answer=(Param("endpoint", Kind.STR),), login=False)
WHICHALL = Command("whichall", answer=(Param("servers", Kind.STRS),), login=False)

COMMANDS = (AUTH, BYE, PING, KICKOUT, WHICH, WHICHALL)
