"""Sending (spec §3.1)."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

_BODY = (
    Param("mid", Kind.INT),
    Param("mtype", Kind.INT),
    Param("msg", Kind.BODY, arg="message"),
    Param("attrs", Kind.STR),  # str on every SDK's wire, and what they parse in a push
)
_MTIME = (Param("mtime", Kind.INT),)

SENDMSG = Command("sendmsg", (Param("to", Kind.ID, arg="to_uid"), *_BODY), _MTIME)
SENDGROUPMSG = Command("sendgroupmsg", (Param("gid", Kind.ID), *_BODY), _MTIME)
SENDROOMMSG = Command("sendroommsg", (Param("rid", Kind.ID), *_BODY), _MTIME)
SENDMSGS = Command("sendmsgs", (Param("tos", Kind.IDS, limit=2000, arg="to_uids"), *_BODY),
                   _MTIME)

COMMANDS = (SENDMSG, SENDGROUPMSG, SENDROOMMSG, SENDMSGS)
