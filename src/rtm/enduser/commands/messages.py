"""Sending (spec §3.1)."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

_BODY = (
    Param("mid", Kind.INT),
    Param("mtype", Kind.INT),
    Param("msg", Kind.BODY, arg="message"),
    Param("attrs", Kind.STR),  # str on every SDK's wire, and what they parse in a push
)
#: U's extras of the three sends: a text-check strategy and its params. Read (and type-checked)
#: by the gate, which does not check the text of a send, so they change nothing.
_U_EXTRAS = (
    Param("strategyid", Kind.STR, optional=True, arg="strategy_id"),
    Param("checkParams", Kind.STR, optional=True, arg="check_params"),
)
_MTIME = (Param("mtime", Kind.INT),)

SENDMSG = Command("sendmsg", (Param("to", Kind.ID, arg="to_uid"), *_BODY, *_U_EXTRAS), _MTIME)
SENDGROUPMSG = Command("sendgroupmsg", (Param("gid", Kind.ID), *_BODY, *_U_EXTRAS), _MTIME)
SENDROOMMSG = Command("sendroommsg", (Param("rid", Kind.ID), *_BODY, *_U_EXTRAS), _MTIME)
SENDMSGS = Command("sendmsgs", (Param("tos", Kind.IDS, limit=2000, arg="to_uids"), *_BODY),
                   _MTIME)

COMMANDS = (SENDMSG, SENDGROUPMSG, SENDROOMMSG, SENDMSGS)
