"""Handlers of the ``rtm`` subcommands: each takes the :class:`Context` and the parsed
arguments, calls the SDK and prints through :class:`~rtm._cli.output.Output`."""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import dataclasses
import importlib
import inspect
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from rtm._cli.argtypes import flatten
from rtm._cli.config import ConfigError, Settings, resolve_settings
from rtm._cli.output import CountedPrinter, Output, fmt_ms, fmt_s, one_line
from rtm.api.errors import MessageNotFoundError
from rtm.api.models import HistoryMessageResult, HistoryMessageUnit, MessageType
from rtm.api.monitor import RTMServerMonitor
from rtm.client import RTMServerClient

Handler = Callable[["Context", argparse.Namespace], "int | None"]
Fetch = Callable[[bool, int, int, int, int], HistoryMessageResult]
Walk = Callable[[bool, int, int, int, int], Iterator[HistoryMessageUnit]]

#: history page size of ``--all`` (the server maximum)
ALL_PAGE_SIZE = 20
DEFAULT_PAGE_SIZE = 10
#: push services a device token may belong to (``rtm device add``)
APP_TYPES = ("apns", "fcm")


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 message``, ``2 messages`` (``words``: an irregular plural)."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


class Context:
    """Per-invocation state: settings, output, one lazily created client."""

    def __init__(
        self,
        args: argparse.Namespace,
        out: Output,
        env: Mapping[str, str],
        stdin: TextIO,
    ) -> None:
        self.args = args
        self.out = out
        self.env = env
        self.stdin = stdin
        self._settings: Settings | None = None
        self._client: RTMServerClient | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            flags = {
                "endpoint": getattr(self.args, "endpoint", None),
                "pid": getattr(self.args, "pid", None),
                "secret": getattr(self.args, "secret", None),
                "pem": getattr(self.args, "pem", None),
                "timeout": getattr(self.args, "timeout", None),
                "protocol": getattr(self.args, "protocol", None),
            }
            self._settings = resolve_settings(flags, self.env, getattr(self.args, "config", None))
        return self._settings

    def settings_or_none(self) -> Settings | None:
        """The settings, or ``None`` if they cannot be resolved (for error hints)."""
        try:
            return self.settings
        except ConfigError:
            return None

    def client(self, monitor: RTMServerMonitor | None = None) -> RTMServerClient:
        if self._client is None:
            # The same path as RTMServerClient.from_env(): a missing --pem file is a
            # settings error (exit 2), like any other bad setting.
            self._client = RTMServerClient.from_settings(self.settings, monitor=monitor)
        return self._client

    def stdin_bytes(self) -> bytes:
        """All of stdin, as bytes (the real stream's buffer when there is one)."""
        buffer = getattr(self.stdin, "buffer", None)
        if buffer is not None:
            data: bytes = buffer.read()
            return data
        return self.stdin.read().encode("utf-8", "surrogateescape")

    def mid(self, given: int | None) -> int:
        """``given``, or a fresh id from the client's generator (the profile's layout)."""
        return self.client().new_mid() if given is None else given

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _ok(ctx: Context, text: str) -> None:
    ctx.out.result({"ok": True}, text)


def _decode(text: str, a: argparse.Namespace) -> bytes:
    """The bytes ``--base64`` / ``--hex`` text stands for (whitespace ignored)."""
    compact = "".join(text.split())
    try:
        if a.base64:
            return base64.b64decode(compact, validate=True)
        return bytes.fromhex(compact)
    except (binascii.Error, ValueError):
        kind = "base64" if a.base64 else "hex"
        raise CommandError(f"MESSAGE is not valid {kind}: {text[:40]!r}", usage=True) from None


def _message_text(ctx: Context, a: argparse.Namespace) -> str | bytes:
    """The message body of a send: text, or bytes (a binary message) with ``--base64``,
    ``--hex``, ``--binary``, or stdin that is not UTF-8."""
    encoded = a.base64 or a.hex
    if a.message != "-":
        if encoded:
            return _decode(a.message, a)
        raw_arg = os.fsencode(a.message)  # undecodable argv bytes come back as they were
        if a.binary:
            return raw_arg
        try:
            return raw_arg.decode("utf-8")
        except UnicodeDecodeError:
            return raw_arg
    raw = ctx.stdin_bytes()
    if a.binary:
        return raw  # byte for byte
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        if encoded:
            raise CommandError("stdin is not base64/hex text", usage=True) from None
        return raw
    if encoded:
        return _decode(text, a)
    return text[:-1] if text.endswith("\n") else text  # the newline echo adds


def _text_arg(ctx: Context, text: str) -> str:
    """A text argument; ``-`` reads it from stdin (UTF-8, without the final newline)."""
    if text != "-":
        return text
    try:
        text = ctx.stdin_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError("stdin is not UTF-8 text", usage=True) from None
    return text[:-1] if text.endswith("\n") else text


def _sent(ctx: Context, mid: int, mtime: int, what: str) -> None:
    ctx.out.result({"mid": mid, "mtime": mtime},
                   f"sent {what}: mid {mid}, mtime {mtime} ({fmt_ms(mtime)})")


# ------------------------------------------------------------------------------ send


def send_p2p(ctx: Context, a: argparse.Namespace) -> None:
    mid = ctx.mid(a.mid)
    mtime = ctx.client().send_message(a.from_uid, a.to_uid, a.mtype, _message_text(ctx, a),
                                      attrs=a.attrs, mid=mid)
    _sent(ctx, mid, mtime, f"{a.from_uid} -> {a.to_uid}")


def send_multi(ctx: Context, a: argparse.Namespace) -> None:
    mid = ctx.mid(a.mid)
    tos = flatten([a.to_uids])
    mtime = ctx.client().send_messages(a.from_uid, tos, a.mtype, _message_text(ctx, a),
                                       attrs=a.attrs, mid=mid)
    _sent(ctx, mid, mtime, f"{a.from_uid} -> {len(tos)} users")


def send_group(ctx: Context, a: argparse.Namespace) -> None:
    mid = ctx.mid(a.mid)
    mtime = ctx.client().send_group_message(a.from_uid, a.group_id, a.mtype,
                                            _message_text(ctx, a), attrs=a.attrs, mid=mid)
    _sent(ctx, mid, mtime, f"{a.from_uid} -> group {a.group_id}")


def send_room(ctx: Context, a: argparse.Namespace) -> None:
    mid = ctx.mid(a.mid)
    mtime = ctx.client().send_room_message(a.from_uid, a.room_id, a.mtype,
                                           _message_text(ctx, a), attrs=a.attrs, mid=mid)
    _sent(ctx, mid, mtime, f"{a.from_uid} -> room {a.room_id}")


def send_broadcast(ctx: Context, a: argparse.Namespace) -> None:
    mid = ctx.mid(a.mid)
    mtime = ctx.client().send_broadcast_message(a.from_uid, a.mtype,
                                                _message_text(ctx, a), attrs=a.attrs,
                                                mid=mid)
    _sent(ctx, mid, mtime, f"{a.from_uid} -> everybody")


# ------------------------------------------------------------------------------ history


def unit_dict(unit: HistoryMessageUnit) -> dict[str, Any]:
    return dataclasses.asdict(unit)


def _page_dict(res: HistoryMessageResult) -> dict[str, Any]:
    return {"num": res.num, "lastid": res.lastid, "begin": res.begin, "end": res.end,
            "messages": [unit_dict(u) for u in res.messages]}


def _history_table(out: Output, units: list[HistoryMessageUnit]) -> None:
    with_attrs = any(u.attrs for u in units)
    headers = ["ID", "TIME", "FROM", "MTYPE", "MID"] + (["ATTRS"] if with_attrs else [])
    headers.append("MESSAGE")
    rows = []
    for u in units:
        row: list[object] = [u.id, fmt_ms(u.mtime), u.from_uid, u.mtype, u.mid]
        if with_attrs:
            row.append(one_line(u.attrs, 40))
        row.append(("[deleted] " if u.deleted else "") + one_line(u.message))
        rows.append(row)
    out.table(headers, rows)


def _history(ctx: Context, a: argparse.Namespace, fetch: Fetch, walk: Walk,
             again: str) -> None:
    out = ctx.out
    begin = a.begin if a.begin is not None else 0
    end = a.end if a.end is not None else 0
    if not a.all:
        num = a.num or DEFAULT_PAGE_SIZE
        res = fetch(a.desc, num, begin, end, a.lastid)
        if out.json:
            out.result(_page_dict(res))
        elif res.messages:
            _history_table(out, res.messages)
        else:
            out.note("no messages")
        if res.num >= num and not out.json:
            out.note(f"more may follow: {again} --lastid {res.lastid} --begin {res.begin} "
                     f"--end {res.end}{' --desc' if a.desc else ''} (or use --all)")
        return
    num = a.num or ALL_PAGE_SIZE
    progress = out.progress("fetching history")
    collected: list[HistoryMessageUnit] = []
    count = 0
    try:
        # the SDK's page iterator (iter_*_messages) does the paging
        for unit in walk(a.desc, num, begin, end, a.lastid):
            if a.limit is not None and count >= a.limit:
                break
            count += 1
            if out.json:
                out.result(unit_dict(unit))
            else:
                collected.append(unit)
            if count % num == 0:  # a page boundary
                progress.update(f"{plural(count, 'message')}, "
                                f"{plural(count // num, 'page')}")
        progress.update(f"{plural(count, 'message')}, {plural(-(-count // num), 'page')}")
    finally:
        progress.clear()
    if not out.json:
        if collected:
            _history_table(out, collected)
        out.note(plural(count, "message"))


def history_p2p(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()

    def fetch(desc: bool, num: int, begin: int, end: int, lastid: int) -> HistoryMessageResult:
        return client.get_p2p_message(a.uid, a.peer_uid, desc, num, begin, end, lastid,
                                      mtypes=a.mtypes)

    def walk(desc: bool, num: int, begin: int, end: int, lastid: int
             ) -> Iterator[HistoryMessageUnit]:
        return client.iter_p2p_messages(a.uid, a.peer_uid, desc, num, begin, end, lastid=lastid,
                                        mtypes=a.mtypes)

    _history(ctx, a, fetch, walk, f"rtm history p2p {a.uid} {a.peer_uid}")


def history_group(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()

    def fetch(desc: bool, num: int, begin: int, end: int, lastid: int) -> HistoryMessageResult:
        return client.get_group_message(a.group_id, desc, num, begin, end, lastid, mtypes=a.mtypes)

    def walk(desc: bool, num: int, begin: int, end: int, lastid: int
             ) -> Iterator[HistoryMessageUnit]:
        return client.iter_group_messages(a.group_id, desc, num, begin, end, lastid=lastid,
                                          mtypes=a.mtypes)

    _history(ctx, a, fetch, walk, f"rtm history group {a.group_id}")


def history_room(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()

    def fetch(desc: bool, num: int, begin: int, end: int, lastid: int) -> HistoryMessageResult:
        return client.get_room_message(a.room_id, desc, num, begin, end, lastid, mtypes=a.mtypes)

    def walk(desc: bool, num: int, begin: int, end: int, lastid: int
             ) -> Iterator[HistoryMessageUnit]:
        return client.iter_room_messages(a.room_id, desc, num, begin, end, lastid=lastid,
                                         mtypes=a.mtypes)

    _history(ctx, a, fetch, walk, f"rtm history room {a.room_id}")


def history_broadcast(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()

    def fetch(desc: bool, num: int, begin: int, end: int, lastid: int) -> HistoryMessageResult:
        return client.get_broadcast_message(desc, num, begin, end, lastid, mtypes=a.mtypes)

    def walk(desc: bool, num: int, begin: int, end: int, lastid: int
             ) -> Iterator[HistoryMessageUnit]:
        return client.iter_broadcast_messages(desc, num, begin, end, lastid=lastid, mtypes=a.mtypes)

    _history(ctx, a, fetch, walk, "rtm history broadcast")


# ------------------------------------------------------------------------------ friends


def friends_add(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.friend_uids)
    if a.uid in uids:
        raise CommandError(f"user {a.uid} cannot be their own friend: leave {a.uid} out of "
                           "the FRIEND list", usage=True)
    client = ctx.client()
    before = set(client.get_friends(a.uid))
    client.add_friends(a.uid, uids)
    # What changed, not what was asked: the server ignores pairs that already exist.
    after = set(client.get_friends(a.uid))
    added = [u for u in uids if u in after and u not in before]
    already = [u for u in uids if u in before]
    text = f"{a.uid}: added {plural(len(added), 'friend')}"
    if already:
        text += f" ({plural(len(already), 'was', 'were')} already)"
    ctx.out.result({"ok": True, "uid": a.uid, "added": added, "already": already}, text)


def friends_del(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.friend_uids)
    client = ctx.client()
    before = set(client.get_friends(a.uid))
    client.del_friends(a.uid, uids)
    removed = [u for u in uids if u in before]
    not_friends = [u for u in uids if u not in before]
    text = f"{a.uid}: removed {plural(len(removed), 'friend')}"
    if not_friends:
        text += f" ({plural(len(not_friends), 'was', 'were')} not a friend)"
    ctx.out.result({"ok": True, "uid": a.uid, "removed": removed, "not_friends": not_friends},
                   text)


def friends_list(ctx: Context, a: argparse.Namespace) -> None:
    uids = ctx.client().get_friends(a.uid)
    ctx.out.lines({"uid": a.uid, "friends": uids}, uids)
    if not uids and not ctx.out.json:
        ctx.out.note(f"{a.uid} has no friends")


def friends_check(ctx: Context, a: argparse.Namespace) -> None:
    peers = flatten(a.peer_uids)
    if len(peers) == 1:
        friends = {peers[0]} if ctx.client().is_friend(a.uid, peers[0]) else set()
    else:
        friends = set(ctx.client().is_friends(a.uid, peers))
    for peer in peers:
        ok = peer in friends
        ctx.out.result({"uid": a.uid, "peer": peer, "friend": ok},
                       f"{a.uid} and {peer} are {'' if ok else 'not '}friends")


# ------------------------------------------------------------------------------ groups, rooms


def group_add(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    ctx.client().add_group_members(a.group_id, uids)
    _ok(ctx, f"group {a.group_id}: added {plural(len(uids), 'member')}")


def group_del(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    ctx.client().del_group_members(a.group_id, uids)
    _ok(ctx, f"group {a.group_id}: removed {plural(len(uids), 'member')}")


def group_members(ctx: Context, a: argparse.Namespace) -> None:
    uids = ctx.client().get_group_members(a.group_id)
    ctx.out.lines({"group_id": a.group_id, "members": uids}, uids)
    if not uids and not ctx.out.json:
        ctx.out.note(f"group {a.group_id} has no members")


def group_check(ctx: Context, a: argparse.Namespace) -> None:
    for uid in flatten(a.uids):
        ok = ctx.client().is_group_member(a.group_id, uid)
        ctx.out.result({"group_id": a.group_id, "uid": uid, "member": ok},
                       f"{uid} is {'' if ok else 'not '}a member of group {a.group_id}")


def group_of_user(ctx: Context, a: argparse.Namespace) -> None:
    gids = ctx.client().get_user_groups(a.uid)
    ctx.out.lines({"uid": a.uid, "groups": gids}, gids)
    if not gids and not ctx.out.json:
        ctx.out.note(f"{a.uid} is in no group")


def group_delete(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().del_group(a.group_id)
    _ok(ctx, f"group {a.group_id} deleted")


def room_add(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    for uid in uids:
        ctx.client().add_room_member(a.room_id, uid)
    _ok(ctx, f"room {a.room_id}: added {plural(len(uids), 'member')}")


def room_del(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    for uid in uids:
        ctx.client().del_room_member(a.room_id, uid)
    _ok(ctx, f"room {a.room_id}: removed {plural(len(uids), 'member')}")


# ------------------------------------------------------------------------------ bans


def _duration(seconds: int) -> str:
    return "permanently" if seconds <= 0 else f"for {seconds} s"


def ban_group(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    where = f"group {a.group_id}"
    if a.check:
        banned = client.is_ban_of_group(a.group_id, a.uid)
        ctx.out.result({"group_id": a.group_id, "uid": a.uid, "banned": banned},
                       f"{a.uid} is {'' if banned else 'not '}banned in {where}")
    elif a.remove:
        client.remove_group_ban(a.group_id, a.uid)
        _ok(ctx, f"{a.uid} may speak in {where} again")
    else:
        client.add_group_ban(a.group_id, a.uid, a.seconds)
        _ok(ctx, f"{a.uid} banned in {where} {_duration(a.seconds)}")


def ban_room(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    where = f"room {a.room_id}"
    if a.check:
        banned = client.is_ban_of_room(a.room_id, a.uid)
        ctx.out.result({"room_id": a.room_id, "uid": a.uid, "banned": banned},
                       f"{a.uid} is {'' if banned else 'not '}banned in {where}")
    elif a.remove:
        client.remove_room_ban(a.room_id, a.uid)
        _ok(ctx, f"{a.uid} may speak in {where} again")
    else:
        client.add_room_ban(a.room_id, a.uid, a.seconds)
        _ok(ctx, f"{a.uid} banned in {where} {_duration(a.seconds)}")


def ban_project(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    if a.check:
        banned = client.is_project_black(a.uid)
        ctx.out.result({"uid": a.uid, "banned": banned},
                       f"{a.uid} is {'' if banned else 'not '}on the project black list")
    elif a.remove:
        client.remove_project_black(a.uid)
        _ok(ctx, f"{a.uid} removed from the project black list")
    else:
        client.add_project_black(a.uid, a.seconds)
        _ok(ctx, f"{a.uid} on the project black list {_duration(a.seconds)}")


# ------------------------------------------------------------------------------ misc


def _delete(ctx: Context, mid: int, from_uid: int, xid: int, kind: MessageType) -> None:
    # ``delmsg`` answers success for a message that does not exist (RTM's behaviour), so a
    # mistyped or rounded mid would look deleted: ask for the message first (``getmsg``
    # answers 200070 for an unknown or already deleted one) and say when there is none.
    client = ctx.client()
    target = {MessageType.P2P: f"{from_uid} -> {xid}", MessageType.GROUP: f"group {xid}",
              MessageType.ROOM: f"room {xid}"}.get(kind, "broadcast")
    try:
        client.get_message(mid, from_uid, xid, kind)
    except MessageNotFoundError:
        raise CommandError(
            f"no message {mid} from {from_uid} in {target} (unknown, or already deleted): "
            "nothing deleted; check the mid ('rtm history' lists them)") from None
    client.del_message(mid, from_uid, xid, kind)
    _ok(ctx, f"message {mid} deleted")


def message_delete_p2p(ctx: Context, a: argparse.Namespace) -> None:
    _delete(ctx, a.mid, a.from_uid, a.to_uid, MessageType.P2P)


def message_delete_group(ctx: Context, a: argparse.Namespace) -> None:
    _delete(ctx, a.mid, a.from_uid, a.group_id, MessageType.GROUP)


def message_delete_room(ctx: Context, a: argparse.Namespace) -> None:
    _delete(ctx, a.mid, a.from_uid, a.room_id, MessageType.ROOM)


def message_delete_broadcast(ctx: Context, a: argparse.Namespace) -> None:
    _delete(ctx, a.mid, a.from_uid, 0, MessageType.BROADCAST)


def kickout(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().kickout(a.uid, client_endpoint=a.client_endpoint)
    where = f" ({a.client_endpoint})" if a.client_endpoint else ""
    _ok(ctx, f"{a.uid} kicked out{where}")


def token(ctx: Context, a: argparse.Namespace) -> None:
    tok = ctx.client().get_token(a.uid)
    ctx.out.result({"uid": a.uid, "token": tok}, tok)


def online(ctx: Context, a: argparse.Namespace) -> None:
    uids = ctx.client().get_online_users(flatten(a.uids))
    ctx.out.lines({"online": uids}, uids)
    if not uids and not ctx.out.json:
        ctx.out.note("nobody online")


def device_add(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().add_device(a.uid, a.app_type, a.device_token)
    _ok(ctx, f"device added for {a.uid}")


def device_remove(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().remove_device(a.uid, a.device_token)
    _ok(ctx, f"device removed for {a.uid}")


# ------------------------------------------------------------------------------ files


def _read_file(ctx: Context, a: argparse.Namespace) -> tuple[bytes, str]:
    if a.path == "-":
        if not a.name:
            raise CommandError("a file read from stdin has no name: give it with --name "
                               "(e.g. --name report.pdf; receivers see it, and its extension "
                               "tells them the file type)", usage=True)
        data = ctx.stdin_bytes()
        name = a.name
    else:
        path = Path(a.path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {a.path}: {exc.strerror or exc}") from None
        name = a.name or path.name
    if not data:
        raise CommandError(f"{a.path} is empty: RTM cannot send an empty file", usage=True)
    return data, name


def _size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def _send_file(ctx: Context, a: argparse.Namespace, what: str,
               send: Callable[[bytes, str, dict[str, Any]], int]) -> None:
    data, name = _read_file(ctx, a)
    mid = ctx.mid(a.mid)
    options: dict[str, Any] = {"mtype": a.mtype, "mid": mid}
    if a.extension is not None:
        options["extension"] = a.extension
    if a.attrs:
        options["attrs"] = a.attrs
    if a.audio is not None:
        options["audio_info"] = a.audio
    progress = ctx.out.progress(f"sending {name}")
    with progress.spinning(_size(len(data))):
        mtime = send(data, name, options)
    ctx.out.result({"mid": mid, "mtime": mtime, "name": name, "size": len(data)},
                   f"sent file {name} ({_size(len(data))}) {what}: mid {mid}, mtime {mtime} "
                   f"({fmt_ms(mtime)})")


def file_p2p(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    _send_file(ctx, a, f"{a.from_uid} -> {a.to_uid}",
               lambda data, name, kw: client.send_file(a.from_uid, a.to_uid, data, name, **kw))


def file_multi(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    tos = flatten([a.to_uids])
    _send_file(ctx, a, f"{a.from_uid} -> {len(tos)} users",
               lambda data, name, kw: client.send_files(a.from_uid, tos, data, name, **kw))


def file_group(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    _send_file(ctx, a, f"{a.from_uid} -> group {a.group_id}",
               lambda data, name, kw: client.send_group_file(a.from_uid, a.group_id, data, name,
                                                             **kw))


def file_room(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    _send_file(ctx, a, f"{a.from_uid} -> room {a.room_id}",
               lambda data, name, kw: client.send_room_file(a.from_uid, a.room_id, data, name,
                                                            **kw))


def file_broadcast(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    _send_file(ctx, a, f"{a.from_uid} -> everybody",
               lambda data, name, kw: client.send_broadcast_file(a.from_uid, data, name, **kw))


# ------------------------------------------------------------------------------ listen


class PrintingMonitor(CountedPrinter, RTMServerMonitor):
    """Prints every push: a JSON line each with ``--json``, a readable line otherwise."""

    def _message(self, kind: str, target_key: str, target_label: str, from_uid: int,
                 target: int, mtype: int, mid: int, message: str | bytes, attrs: str | bytes,
                 mtime: int) -> None:
        obj = {"type": kind, "from_uid": from_uid, target_key: target, "mtype": mtype,
               "mid": mid, "message": message, "attrs": attrs, "mtime": mtime}
        text = (f"{fmt_ms(mtime)}  {kind:<5}  {from_uid} -> {target_label}{target}  "
                f"mtype {mtype}  mid {mid}: {one_line(message)}")
        if attrs:
            text += f"  attrs {one_line(attrs)}"
        self._emit(obj, text)

    def p2p_message(self, from_uid: int, to_uid: int, mtype: int, mid: int,
                    message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self._message("p2p", "to_uid", "", from_uid, to_uid, mtype, mid, message, attrs, mtime)

    def group_message(self, from_uid: int, group_id: int, mtype: int, mid: int,
                      message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self._message("group", "group_id", "group ", from_uid, group_id, mtype, mid, message,
                      attrs, mtime)

    def room_message(self, from_uid: int, room_id: int, mtype: int, mid: int,
                     message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self._message("room", "room_id", "room ", from_uid, room_id, mtype, mid, message,
                      attrs, mtime)

    def event(self, pid: int, event: str, uid: int, time: int, endpoint: str,
              data: str) -> None:
        obj = {"type": "event", "pid": pid, "event": event, "uid": uid, "time": time,
               "endpoint": endpoint, "data": data}
        text = f"{fmt_s(time)}  event  {event} uid {uid} from {endpoint}"
        if data:
            text += f"  data {one_line(data)}"
        self._emit(obj, text)


def _listen_description(a: argparse.Namespace, groups: list[int], rooms: list[int],
                        events: list[str]) -> str:
    if a.all:
        return "everything"
    parts = []
    if a.p2p:
        parts.append("all P2P messages")
    if groups:
        parts.append(("group " if len(groups) == 1 else "groups ") + ",".join(map(str, groups)))
    if rooms:
        parts.append(("room " if len(rooms) == 1 else "rooms ") + ",".join(map(str, rooms)))
    if events:
        parts.append(("event " if len(events) == 1 else "events ") + ",".join(events))
    return ", ".join(parts)


def listen(ctx: Context, a: argparse.Namespace) -> int:
    groups = flatten(a.groups)
    rooms = flatten(a.rooms)
    uids = flatten(a.uids)
    events = list(dict.fromkeys(e.strip() for chunk in a.events or () for e in chunk.split(",")
                                if e.strip()))
    if not (a.all or a.p2p or groups or rooms or events or uids):
        a.all = True  # nothing chosen: listen to everything
    stop = threading.Event()
    monitor = PrintingMonitor(ctx.out, a.count, stop)
    client = ctx.client(monitor)

    def apply() -> None:
        if a.all:
            client.set_listen([], [], False, [], all=True)
        else:
            client.add_listen(groups, rooms, uids if uids else bool(a.p2p), events)
            if uids and a.p2p:
                client.add_listen([], [], True, [])

    connections = 0

    def connected(conn_id: int) -> None:
        nonlocal connections
        connections += 1
        if connections > 1:
            ctx.out.note("reconnected")

    def lost(conn_id: int) -> None:
        if not stop.is_set():  # a deliberate stop (Ctrl-C, SIGTERM, --count) loses nothing
            ctx.out.note("connection lost; reconnecting in the background")

    # A listening client reconnects by itself after a drop and re-applies its listen
    # settings; these callbacks only report it.
    client.set_on_connected_callback(connected)
    client.set_on_closed_callback(lost)
    ready_file = Path(a.ready_file) if a.ready_file else None
    if ready_file is not None:
        # A file left by an earlier listener must not announce this one before it is ready.
        _remove_ready_file(ready_file)
    try:
        apply()  # returns once the server has confirmed the listen settings
        what = _listen_description(a, groups, rooms, events)
        ctx.out.note(f"listening to {what} on {ctx.settings.endpoint} (Ctrl-C to stop)")
        if ready_file is not None:
            _write_ready_file(ready_file, f"listening to {what} on {ctx.settings.endpoint}\n")
        with _stop_on_signals(stop):
            while not stop.wait(1.0):  # a timed wait keeps the main thread responsive
                pass
    finally:
        stop.set()  # the close that follows is ours, not a lost connection
        client.set_on_closed_callback(None)
        client.set_on_connected_callback(None)
        if ready_file is not None:
            _remove_ready_file(ready_file)
    if monitor.broken_pipe:
        raise BrokenPipeError
    return 0


def _write_ready_file(path: Path, text: str) -> None:
    """Create ``path`` at once complete (a reader polling for it never sees it half
    written)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(text)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise CommandError(f"--ready-file {path}: cannot write it: {exc.strerror}") from None


def _remove_ready_file(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CommandError(f"--ready-file {path}: cannot remove it: {exc.strerror}") from None


class _stop_on_signals:
    """Set ``event`` on SIGINT/SIGTERM while active (main thread only)."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self.saved: dict[int, Any] = {}

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.event.set()

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError, OSError):
                self.saved[sig] = signal.signal(sig, self._handler)

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


# ------------------------------------------------------------------------------ config, apps


def config_show(ctx: Context, a: argparse.Namespace) -> None:
    s = ctx.settings
    secret = s.secret if s.sources.get("secret") == "default" else _mask(s.secret)
    obj = {"endpoint": s.endpoint, "pid": s.pid, "secret": secret, "pem": s.pem,
           "timeout": s.timeout, "protocol": s.protocol,
           "config_file": str(s.config_path) if s.config_path else None,
           "config_file_found": s.config_found, "sources": s.sources}
    if ctx.out.json:
        ctx.out.result(obj)
        return
    rows: list[list[object]] = []
    for key, value in (("endpoint", s.endpoint), ("pid", s.pid), ("secret", secret),
                       ("pem", s.pem or "-"),
                       ("timeout", f"{s.timeout:g} s" if s.timeout else "- (SDK default 30 s)"),
                       ("protocol", s.protocol)):
        rows.append([key, value, s.sources.get(key, "")])
    found = "" if s.config_found else " (not found)"
    rows.append(["config file", f"{s.config_path}{found}", ""])
    ctx.out.table(["SETTING", "VALUE", "FROM"], rows)


def keygen(ctx: Context, a: argparse.Namespace) -> None:
    from cryptography.hazmat.primitives import serialization

    from rtm.fpnn.crypto import generate_private_key

    private, public = Path(a.private), Path(a.public)
    der = None if a.public_der is None else Path(a.public_der)
    if not a.force:
        for path in (private, public, der):
            if path is not None and path.exists():
                raise CommandError(f"{path} exists (use --force to overwrite)")
    key = generate_private_key(a.curve)
    pem = key.key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    try:
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        public.write_bytes(key.public_pem())
        if der is not None:
            der.write_bytes(key.public_der())
    except OSError as exc:
        raise CommandError(f"cannot write the key files: {exc}") from None
    result: dict[str, object] = {"curve": key.curve, "private": str(private),
                                 "public": str(public)}
    text = (f"{key.curve} key pair written: {private} (server: rtm server --ecc-key "
            f"{private}), {public} (clients: --pem {public})")
    if der is not None:
        result["public_der"] = str(der)
        text += f", {der} (DER, for Java clients' X509EncodedKeySpec)"
    ctx.out.result(result, text)


def _mask(secret: str) -> str:
    return secret[:2] + "*" * max(3, len(secret) - 2) if len(secret) > 4 else "****"


def run_server(argv: list[str]) -> int:
    from rtm.server.__main__ import main as server_main

    return server_main(argv)


def run_demo(argv: list[str]) -> int:
    try:
        demo = importlib.import_module("rtm.demo")
    except ImportError as exc:
        if exc.name not in ("rtm.demo", "rtm"):
            raise
        raise CommandError("the demo is not available in this installation") from None
    main = demo.main
    try:
        takes_argv = bool(inspect.signature(main).parameters)
    except (TypeError, ValueError):  # pragma: no cover
        takes_argv = False
    if not takes_argv and argv:
        raise CommandError(f"rtm demo takes no arguments, got: {' '.join(argv)}", usage=True)
    code = main(argv) if takes_argv else main()
    return int(code or 0)


class CommandError(Exception):
    """A failure detected by the CLI itself (exit 1, or 2 when ``usage``)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage

