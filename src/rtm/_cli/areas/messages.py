"""CLI: chat and cmd messages (``rtm send chat|cmd ...``) and message management
(``rtm message get|edit|clean|count|clear ...``)."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any

from rtm._cli.argtypes import flatten, id_list, int64, time_ms
from rtm._cli.commands import Context, _ok, _sent, _text_arg, unit_dict
from rtm._cli.output import fmt_ms, one_line
from rtm.api.models import ClearType, MessageType
from rtm.client import RTMServerClient

_KINDS = {"p2p": MessageType.P2P, "group": MessageType.GROUP, "room": MessageType.ROOM,
          "broadcast": MessageType.BROADCAST}
#: kind -> (argument, metavar, help) of the conversation id after the sender
_TARGETS: dict[str, tuple[str, str, str] | None] = {
    "p2p": ("xid", "TO", "receiver uid"),
    "group": ("xid", "GROUP", "group id"),
    "room": ("xid", "ROOM", "room id"),
    "broadcast": None,
}


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    """The subcommand action of an existing command group (``send``, ``message``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(f"{parser.prog} has no subcommands")


# ------------------------------------------------------------------------------ send chat/cmd


def _send(kind: str, what: str) -> Callable[[Context, argparse.Namespace], None]:
    """Handler of ``rtm send chat|cmd <kind>``."""

    def handler(ctx: Context, a: argparse.Namespace) -> None:
        client: RTMServerClient = ctx.client()
        mid = ctx.mid(a.mid)
        text = _text_arg(ctx, a.message)
        options: dict[str, Any] = {"attrs": a.attrs, "mid": mid}
        if kind == "p2p":
            mtime = getattr(client, f"send_{what}")(a.from_uid, a.to_uid, text, **options)
            target = f"{a.to_uid}"
        elif kind == "multi":
            tos = flatten([a.to_uids])
            mtime = getattr(client, f"send_{what}s")(a.from_uid, tos, text, **options)
            target = f"{len(tos)} users"
        elif kind == "broadcast":
            mtime = getattr(client, f"send_broadcast_{what}")(a.from_uid, text, **options)
            target = "everybody"
        else:
            xid = a.group_id if kind == "group" else a.room_id
            mtime = getattr(client, f"send_{kind}_{what}")(a.from_uid, xid, text, **options)
            target = f"{kind} {xid}"
        _sent(ctx, mid, mtime, f"{what} {a.from_uid} -> {target}")

    return handler


def _register_send(tree: Any, top: Any) -> None:
    send = _subcommands(top.choices["send"])
    for what, mtype, example in (("chat", 30, "hello"), ("cmd", 32, "'{\"op\":\"refresh\"}'")):
        group = tree.group(
            send, what, f"send a {what} message (mtype {mtype}): p2p, multi, group, room, "
            "broadcast", f"rtm send {what} p2p 1 2 {example}",
            f"rtm send {what} group 1 5 {example}")
        for kind, target in (("p2p", ("to_uid", "TO", "receiver uid")),
                             ("multi", ("to_uids", "TOS", "receiver uids, comma-separated")),
                             ("group", ("group_id", "GROUP", "group id (FROM a member)")),
                             ("room", ("room_id", "ROOM", "room id (FROM in the room)")),
                             ("broadcast", None)):
            method = {"p2p": f"send_{what}", "multi": f"send_{what}s",
                      "broadcast": f"send_broadcast_{what}"}.get(kind, f"send_{kind}_{what}")
            p = tree.leaf(group, kind, f"send a {kind} {what} message ({method})",
                          _send(kind, what),
                          f"rtm send {what} {kind} 1 {'' if target is None else '5 '}{example}")
            p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
            if target is not None:
                p.add_argument(target[0], metavar=target[1],
                               type=id_list if kind == "multi" else int64, help=target[2])
            p.add_argument("message", metavar="MESSAGE",
                           help="message text; '-' reads it from stdin")
            p.add_argument("--attrs", default="", help="message attributes (JSON by convention)")
            p.add_argument("--mid", type=int64, default=None,
                           help="message id (default: generated; printed in the result)")


# ------------------------------------------------------------------------------ message ...


def _ref(a: argparse.Namespace) -> tuple[int, int, int, MessageType]:
    """(mid, from, xid, kind) of ``rtm message get|edit <kind> FROM [XID] MID``."""
    kind = _KINDS[a.kind]
    return a.mid, a.from_uid, getattr(a, "xid", 0), kind


def message_get(ctx: Context, a: argparse.Namespace) -> None:
    mid, from_uid, xid, kind = _ref(a)
    unit = ctx.client().get_message(mid, from_uid, xid, kind)
    obj = unit_dict(unit)
    if ctx.out.json:
        ctx.out.result(obj)
        return
    rows: list[list[object]] = [["id", unit.id], ["time", fmt_ms(unit.mtime)],
                                ["from", unit.from_uid], ["mtype", unit.mtype],
                                ["mid", unit.mid], ["message", one_line(unit.message, 200)],
                                ["attrs", one_line(unit.attrs, 200)]]
    if unit.file_info is not None:
        for key, value in dataclasses.asdict(unit.file_info).items():
            rows.append([f"file.{key}", value])
    ctx.out.table(["FIELD", "VALUE"], rows)


def message_edit(ctx: Context, a: argparse.Namespace) -> None:
    mid, from_uid, xid, kind = _ref(a)
    ctx.client().edit_message(mid, from_uid, xid, kind, _text_arg(ctx, a.message), a.attrs,
                              a.time_limit)
    _ok(ctx, f"message {mid} edited")


def message_clean(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    begin, end = a.begin or 0, a.end or 0
    if a.kind == "p2p":
        client.clean_p2p_message(a.from_uid, a.to_uid, begin, end)
        what = f"P2P {a.from_uid} <-> {a.to_uid}"
    elif a.kind == "group":
        client.clean_group_message(a.group_id, begin, end)
        what = f"group {a.group_id}"
    elif a.kind == "room":
        client.clean_room_message(a.room_id, begin, end)
        what = f"room {a.room_id}"
    else:
        client.clean_broadcast_message(a.from_uid, begin, end)
        what = "broadcast"
    _ok(ctx, f"{what}: history cleaned")


def message_count(ctx: Context, a: argparse.Namespace) -> None:
    kind = _KINDS[a.kind]
    count = ctx.client().get_msg_count(kind, a.xid, a.begin or 0, a.end or 0, a.mtypes)
    ctx.out.result({"kind": a.kind, "xid": a.xid, "sender": count.sender,
                    "count": count.count},
                   f"{a.kind} {a.xid}: {count.count} messages from {count.sender} senders")


def message_clear(ctx: Context, a: argparse.Namespace) -> None:
    clear_type = ClearType[a.what.upper()]
    ctx.client().clear_project_message(clear_type)
    _ok(ctx, f"project history cleared: {a.what}")


def message_clear_user(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().clear_user_message(a.uid)
    _ok(ctx, f"messages of user {a.uid} cleared")


def _time_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--begin", type=time_ms, default=None, metavar="TIME",
                   help="oldest time: ms since the epoch, ISO 8601, 'now' or relative (-7d)")
    p.add_argument("--end", type=time_ms, default=None, metavar="TIME",
                   help="newest time, same forms (default: no limit)")


def _register_message(tree: Any, top: Any) -> None:
    from rtm._cli.parser import _mtypes  # the parser module imports this one

    msg = _subcommands(top.choices["message"])
    for name, handler, help_text, examples in (
        ("get", message_get, "read one stored message (get_message)",
         ("rtm message get group 1 5 1714557600000001",)),
        ("edit", message_edit, "replace a stored message's text and attrs (edit_message)",
         ("rtm message edit p2p 1 2 1714557600000001 'fixed typo'",)),
    ):
        group = tree.group(msg, name, help_text, *examples)
        for kind, target in _TARGETS.items():
            p = tree.leaf(group, kind, f"{name} a {kind} message", handler,
                          f"rtm message {name} {kind} 1 {'' if target is None else '5 '}"
                          "1714557600000001" + (" 'new text'" if name == "edit" else ""))
            p.set_defaults(kind=kind)
            p.add_argument("from_uid", metavar="FROM", type=int64, help="sender uid")
            if target is not None:
                p.add_argument(target[0], metavar=target[1], type=int64, help=target[2])
            p.add_argument("mid", metavar="MID", type=int64, help="message id")
            if name == "edit":
                p.add_argument("message", metavar="MESSAGE",
                               help="new text; '-' reads it from stdin")
                p.add_argument("--attrs", default="", help="new attrs (default empty)")
                p.add_argument("--time-limit", type=int64, default=0, metavar="MS",
                               help="refuse when the message is older than this (0 = no limit)")

    clean = tree.group(msg, "clean", "erase a conversation's history, or part of it "
                       "(clean_*_message)", "rtm message clean group 5 --end -30d",
                       "rtm message clean p2p 1 2")
    for kind, args in (("p2p", (("from_uid", "UID"), ("to_uid", "PEER"))),
                       ("group", (("group_id", "GROUP"),)), ("room", (("room_id", "ROOM"),)),
                       ("broadcast", (("from_uid", "FROM"),))):
        p = tree.leaf(clean, kind, f"erase {kind} history", message_clean,
                      f"rtm message clean {kind} " + " ".join("5" for _ in args))
        p.set_defaults(kind=kind)
        for dest, metavar in args:
            p.add_argument(dest, metavar=metavar, type=int64, help=metavar.lower() + " id")
        _time_options(p)

    count = tree.group(msg, "count", "count a group's or room's messages (get_msg_count)",
                       "rtm message count group 5 --mtypes 30,32")
    for kind in ("group", "room"):
        p = tree.leaf(count, kind, f"messages and senders of a {kind}", message_count,
                      f"rtm message count {kind} 5 --begin -1d")
        p.set_defaults(kind=kind)
        p.add_argument("xid", metavar=kind.upper(), type=int64, help=f"{kind} id")
        _time_options(p)
        p.add_argument("--mtypes", type=_mtypes, default=None, metavar="MTYPE,...",
                       help="only these message types")

    p = tree.leaf(msg, "clear", "erase all history of one kind in the project "
                  "(clear_project_message)", message_clear, "rtm message clear group",
                  "rtm message clear all")
    p.add_argument("what", metavar="KIND", choices=[t.name.lower() for t in ClearType],
                   help="p2p, room, group, broadcast or all")
    p = tree.leaf(msg, "clear-user", "erase what a user sent, and the P2P messages it "
                  "received (clear_user_message)", message_clear_user,
                  "rtm message clear-user 9")
    p.add_argument("uid", metavar="UID", type=int64, help="user")


def register(tree: Any, top: Any) -> None:
    """Add ``rtm send chat|cmd ...`` and ``rtm message get|edit|clean|count|clear ...``."""
    _register_send(tree, top)
    _register_message(tree, top)
