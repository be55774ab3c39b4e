"""CLI acting as an end user on the client gate (``rtm-client-api.md``): ``rtm enduser login``
checks a login, ``rtm enduser send`` sends as the user, ``rtm enduser listen`` prints what the
gate pushes to the user; the read commands (sessions, unread, conversations, friends,
history) are in :mod:`rtm._cli.areas.enduser_views`. The token is ``--token``, else one from
the server API (``gettoken`` with the project secret, as the other commands sign their
calls)."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rtm._cli.argtypes import flatten, id_list, int64, int_range
from rtm._cli.commands import CommandError, Context, _message_text, _sent, _stop_on_signals
from rtm._cli.output import CountedPrinter, Output, fmt_ms, one_line
from rtm.settings import DEFAULT_CLIENT_PORT

if TYPE_CHECKING:
    from rtm.enduser import EndUserClient, Push

_count = int_range(1, 2**31 - 1, "count")


def _gate(ctx: Context, a: argparse.Namespace) -> str:
    """``--gate``, else $RTM_CLIENT_ENDPOINT, else the server endpoint's host on the default
    client-gate port."""
    if a.gate:
        return str(a.gate)
    env = ctx.env.get("RTM_CLIENT_ENDPOINT")
    if env:
        return env
    host = ctx.settings.endpoint.rpartition(":")[0]
    return f"{host}:{DEFAULT_CLIENT_PORT}"


def _attrs(values: list[str] | None) -> dict[str, str] | None:
    if not values:
        return None
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CommandError(f"--attr takes KEY=VALUE, got {item!r}", usage=True)
        out[key] = value
    return out


def _user(ctx: Context, a: argparse.Namespace, **options: Any) -> EndUserClient:
    """The end user ``a.uid``, logged in (CommandError when the gate refuses the token)."""
    from rtm.enduser import EndUserClient

    token = a.token if a.token is not None else ctx.client().get_token(a.uid)
    timeout = ctx.settings.timeout
    if timeout is not None:
        options.setdefault("quest_timeout", timeout)
        options.setdefault("connect_timeout", timeout)
    user = EndUserClient(_gate(ctx, a), ctx.settings.pid, a.uid, token, transport=a.transport,
                         lang=a.lang, attrs=_attrs(a.conn_attrs), version=a.sdk_version, **options)
    try:
        pem = ctx.settings.pem
        if pem is not None and a.transport == "tcp":
            user.enable_encryption(pem)
        if not user.login():
            raise CommandError(f"the client gate refused the token of uid {a.uid}")
    except BaseException:
        user.close()
        raise
    return user


# ------------------------------------------------------------------------------ login


def login(ctx: Context, a: argparse.Namespace) -> None:
    user = _user(ctx, a)
    try:
        obj = {"ok": True, "uid": a.uid, "gate": _gate(ctx, a), "transport": a.transport,
               "encrypted": user.encrypted}
        how = f"{a.transport}{', encrypted' if user.encrypted else ''}"
        ctx.out.result(obj, f"uid {a.uid} logged in on {obj['gate']} ({how})")
    finally:
        user.logout()


# ------------------------------------------------------------------------------ send


def _send(ctx: Context, a: argparse.Namespace, what: str) -> None:
    message = _message_text(ctx, a)  # before logging in: a bad MESSAGE costs nothing
    user = _user(ctx, a)
    mid = user.new_mid() if a.mid is None else a.mid
    try:
        if what == "p2p":
            mtime = user.send_message(a.target, a.mtype, message, attrs=a.attrs, mid=mid)
            label = f"{a.uid} -> {a.target}"
        elif what == "group":
            mtime = user.send_group_message(a.target, a.mtype, message, attrs=a.attrs,
                                            mid=mid)
            label = f"{a.uid} -> group {a.target}"
        else:
            user.enter_room(a.target)
            mtime = user.send_room_message(a.target, a.mtype, message, attrs=a.attrs,
                                           mid=mid)
            label = f"{a.uid} -> room {a.target}"
    finally:
        user.logout()
    _sent(ctx, mid, mtime, label)


def send_p2p(ctx: Context, a: argparse.Namespace) -> None:
    _send(ctx, a, "p2p")


def send_group(ctx: Context, a: argparse.Namespace) -> None:
    _send(ctx, a, "group")


def send_room(ctx: Context, a: argparse.Namespace) -> None:
    _send(ctx, a, "room")


# ------------------------------------------------------------------------------ listen


def push_record(push: Push) -> tuple[dict[str, Any], str]:
    """A push as ``rtm listen`` prints it: a JSON object and a readable line."""
    from rtm.enduser import (
        BroadcastMessage,
        ChatText,
        GroupMessage,
        KickoutRoom,
        MessagePush,
        P2PMessage,
        RoomMessage,
    )

    if isinstance(push, MessagePush):
        if isinstance(push, P2PMessage):
            kind, key, target, label = "p2p", "to_uid", push.to_uid, ""
        elif isinstance(push, GroupMessage):
            kind, key, target, label = "group", "group_id", push.gid, "group "
        elif isinstance(push, RoomMessage):
            kind, key, target, label = "room", "room_id", push.rid, "room "
        else:
            assert isinstance(push, BroadcastMessage)
            kind, key, target, label = "broadcast", "", 0, "everybody"
        obj: dict[str, Any] = {"type": kind, "from_uid": push.from_uid}
        if key:
            obj[key] = target
        message = push.message
        obj.update({"mtype": push.mtype, "mid": push.mid,
                    "message": message.text if isinstance(message, ChatText) else message,
                    "attrs": push.attrs, "mtime": push.mtime})
        if isinstance(message, ChatText):
            obj["chat"] = {"source": message.source, "target": message.target,
                           "source_text": message.source_text,
                           "target_text": message.target_text}
        text = (f"{fmt_ms(push.mtime)}  {kind:<5}  {push.from_uid} -> "
                f"{label}{target if key else ''}  mtype {push.mtype}  mid {push.mid}: "
                f"{one_line(obj['message'])}")
        if push.attrs:
            text += f"  attrs {one_line(push.attrs)}"
        return obj, text
    if isinstance(push, KickoutRoom):
        return {"type": "kickout_room", "room_id": push.rid}, f"kicked out of room {push.rid}"
    if push.method == "kickout":
        return {"type": "kickout"}, "kicked out: the session is closed"
    return {"type": "push", "method": push.method, "params": push.params}, (
        f"{push.method} {push.params}")


class _Printer(CountedPrinter):
    """Prints pushes (from the client's monitor thread) until ``count`` or a kickout."""

    def emit(self, push: Push) -> None:
        obj, text = push_record(push)
        self._emit(obj, text, final=obj["type"] == "kickout")


def _monitor(printer: _Printer, out: Output) -> Any:
    from rtm.enduser import EndUserMonitor

    class PrintingMonitor(EndUserMonitor):
        def p2p_message(self, push: Any) -> None:
            printer.emit(push)

        group_message = room_message = broadcast_message = p2p_message
        kickout = kickout_room = p2p_message

        def closed(self, connection_id: int, will_relogin: bool) -> None:
            if not printer.done.is_set():
                out.note("connection lost; logging in again" if will_relogin
                         else "connection closed")

        def reloginned(self, successful: bool, attempts: int, error_code: int) -> None:
            if successful:
                out.note("logged in again")
            else:
                out.note(f"could not log in again (error {error_code})")
                printer.done.set()

    return PrintingMonitor()


def listen(ctx: Context, a: argparse.Namespace) -> int:
    done = threading.Event()
    printer = _Printer(ctx.out, a.count, done)
    user = _user(ctx, a, monitor=_monitor(printer, ctx.out))
    try:
        for rid in flatten(a.rooms):
            user.enter_room(rid)
        ctx.out.note(f"uid {a.uid} listening on {_gate(ctx, a)} ({a.transport}; Ctrl-C to "
                     "stop)")
        if a.ready_file:
            Path(a.ready_file).write_text(f"{a.uid}\n")
        with _stop_on_signals(done):
            while not done.wait(1.0):
                pass
    finally:
        done.set()
        user.close()
    if printer.broken_pipe:
        raise BrokenPipeError
    return 0


# ------------------------------------------------------------------------------ parser


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("uid", metavar="UID", type=int64, help="the end user")
    p.add_argument("--token", default=None,
                   help="login token (default: a new one from the server API's gettoken)")
    p.add_argument("--gate", default=None, metavar="HOST:PORT",
                   help="client gate (default: $RTM_CLIENT_ENDPOINT, else the endpoint's host "
                        f"on port {DEFAULT_CLIENT_PORT})")
    p.add_argument("--transport", choices=("tcp", "ws"), default="tcp",
                   help="FPNN on TCP (default; encrypted with --pem) or over WebSocket")
    p.add_argument("--lang", default=None, help="the user's language, sent with auth")
    p.add_argument("--attr", dest="conn_attrs", action="append", metavar="KEY=VALUE",
                   help="a connection attribute sent with auth (repeatable)")
    p.add_argument("--sdk-version", dest="sdk_version", default="rtm-cli", metavar="TEXT",
                   help="the SDK version sent with auth (default rtm-cli)")


def register(t: Any, top: Any) -> None:
    from rtm._cli.areas import enduser_views
    from rtm._cli.parser import _message_options  # parser imports this module first

    eu = t.group(top, "enduser", "act as an end user on the client gate: log in, send, listen, "
                 "read what the user's app shows",
                 "rtm enduser login 1", "rtm enduser send p2p 1 2 'hello from a user'",
                 "rtm --json enduser listen 2 --count 1 --ready-file /tmp/ready",
                 "rtm enduser unread 2", "rtm enduser conversations 2 --unread")
    p = t.leaf(eu, "login", "log in with a token and log out (checks the token and the gate)",
               login, "rtm enduser login 1 --token 0123ABCD...", "rtm enduser login 1")
    _common(p)
    send = t.group(eu, "send", "send a message as the user (p2p, group, room)",
                   "rtm enduser send p2p 1 2 hi", "rtm enduser send room 1 7 hi")
    for name, handler, target in (("p2p", send_p2p, "TO"), ("group", send_group, "GROUP"),
                                  ("room", send_room, "ROOM")):
        p = t.leaf(send, name, f"send to a {'user' if name == 'p2p' else name} as UID "
                   f"({'sendmsg' if name == 'p2p' else f'send{name}msg'})", handler,
                   f"rtm enduser send {name} 1 2 'hello'")
        _common(p)
        p.add_argument("target", metavar=target, type=int64,
                       help="receiver uid" if name == "p2p" else
                       f"{name} id{' (the user enters it first)' if name == 'room' else ''}")
        _message_options(p)
    p = t.leaf(eu, "listen", "print what the gate pushes to the user until Ctrl-C", listen,
               "rtm enduser listen 2", "rtm --json enduser listen 2 --room 7 --count 1",
               description="Log in as UID and print each push (messages, kickouts) as it "
                           "arrives, until Ctrl-C, SIGTERM, --count or a kickout. The "
                           "client answers the gate's pings and logs in again after a drop.")
    _common(p)
    p.add_argument("--room", dest="rooms", action="append", type=id_list, metavar="ROOM",
                   default=[], help="enter these rooms first (repeatable, or comma-separated)")
    p.add_argument("--count", type=_count, default=None,
                   help="exit after printing this many pushes")
    p.add_argument("--ready-file", default=None, metavar="PATH",
                   help="write PATH once logged in (and in the rooms): a script's signal "
                        "that pushes will be printed from now on")
    enduser_views.register(t, eu, _common)
