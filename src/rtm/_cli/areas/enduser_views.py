"""CLI: what an end user's app would show, read through the client gate as that user
(``rtm-client-api.md`` §3): ``rtm enduser sessions|unread|conversations|friends|history``.

Each command logs in as the user (:func:`rtm._cli.areas.enduser._user`), reads, and logs out.
A logout moves the user's read mark when it ends its last session (spec §3.3): when the user
had no other session and unread messages, the command says so on stderr after its output,
since those messages are read from then on."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rtm._cli.argtypes import int64, time_ms
from rtm._cli.commands import Context, _history, plural, unit_dict
from rtm._cli.output import fmt_ms, one_line
from rtm.api.helpers import _next_page
from rtm.api.models import HistoryMessageResult, HistoryMessageUnit

if TYPE_CHECKING:
    from rtm.enduser import EndUserClient
    from rtm.enduser.methods.unread import Conversation

#: At most this many ids per unread-count quest (the gate's list limit).
_UNREAD_BATCH = 100


@contextmanager
def _as_user(ctx: Context, a: argparse.Namespace, **options: Any) -> Iterator[EndUserClient]:
    """The user logged in; logged out after the body. When that logout was its last
    session's and it had unread messages, which the logout marks read, a note says so
    after the output. Whether it has another session is asked of the server API, which
    only a command using it already (no ``--token``) does."""
    from rtm._cli.areas.enduser import _user

    elsewhere: bool | None = None
    if a.token is None:
        elsewhere = a.uid in ctx.client().get_online_users([a.uid])
    user = _user(ctx, a, **options)
    marked = 0
    try:
        yield user
        if elsewhere is False:
            pending = user.get_unread()
            marked = len(pending.p2p) + len(pending.groups)
    finally:
        user.logout()
    if marked:
        ctx.out.note(f"uid {a.uid} had no other session: logging out again marked its unread "
                     f"messages read ({plural(marked, 'session')}), as its app's logout would")


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _UNREAD_BATCH):
        yield ids[i:i + _UNREAD_BATCH]


# ------------------------------------------------------------------------------ sessions


def sessions(ctx: Context, a: argparse.Namespace) -> None:
    with _as_user(ctx, a) as user:
        found = user.get_sessions()
        _print_sessions(ctx, a, found.p2p, found.groups)


def _print_sessions(ctx: Context, a: argparse.Namespace, p2p: list[int], groups: list[int]
                    ) -> None:
    if ctx.out.json:
        ctx.out.result({"uid": a.uid, "p2p": p2p, "groups": groups})
        return
    rows: list[list[object]] = [["p2p", uid] for uid in p2p]
    rows += [["group", gid] for gid in groups]
    if rows:
        ctx.out.table(["TYPE", "ID"], rows)
    else:
        ctx.out.note(f"uid {a.uid} has no sessions")


# ------------------------------------------------------------------------------ unread


def unread(ctx: Context, a: argparse.Namespace) -> None:
    """The unread count of each session with unread messages, newest first; ``--clear``
    then marks everything read."""
    options: dict[str, Any] = {"mtime": a.since, "mtypes": a.mtypes}
    with _as_user(ctx, a) as user:
        found = user.get_sessions()
        rows: list[tuple[str, int, int, int]] = []  # (type, id, unread, newest ms)
        for kind, ids, get in (("p2p", found.p2p, user.get_p2p_unread),
                               ("group", found.groups, user.get_group_unread)):
            for chunk in _chunks(ids):
                counts = get(chunk, **options)
                rows += [(kind, xid, n, counts.ltimes.get(xid, 0))
                         for xid, n in counts.counts.items() if n > 0]
        logout_ms = user.get_unread(a.clear, with_time=True).logout_time or 0
        _print_unread(ctx, a, rows, logout_ms)


def _print_unread(ctx: Context, a: argparse.Namespace, rows: list[tuple[str, int, int, int]],
                  logout_ms: int) -> None:
    rows.sort(key=lambda row: (-row[3], row[0] != "p2p", row[1]))  # ties: as conversations
    total = sum(row[2] for row in rows)
    if ctx.out.json:
        ctx.out.result({"uid": a.uid, "sessions": [
            {"type": kind, "id": xid, "unread": n, "newest": ms} for kind, xid, n, ms in rows],
            "total": total, "logout_time": logout_ms, "cleared": a.clear})
        return
    if rows:
        ctx.out.table(["TYPE", "ID", "UNREAD", "NEWEST"],
                      [[kind, xid, n, fmt_ms(ms) if ms else "-"] for kind, xid, n, ms in rows])
    last = fmt_ms(logout_ms) if logout_ms else "never"
    ctx.out.note(f"uid {a.uid}: {plural(total, 'unread message')} in "
                 f"{plural(len(rows), 'session')} (last logout: {last})"
                 f"{'; now marked read' if a.clear else ''}")


# ------------------------------------------------------------------------------ conversations


def _conversation_dict(kind: str, conv: Conversation) -> dict[str, Any]:
    last = conv.last_message
    return {"type": kind, "id": conv.id, "unread": conv.unread,
            "last_message": None if last is None else unit_dict(last)}


def conversations(ctx: Context, a: argparse.Namespace) -> None:
    """The user's conversation lists (P2P and group unless ``--p2p``/``--group``), newest
    message first, each with its unread count and newest message."""
    kinds = [k for k in ("p2p", "group") if getattr(a, k)] or ["p2p", "group"]
    options: dict[str, Any] = {"mtime": a.since, "mtypes": a.mtypes}
    listed: list[tuple[str, Conversation]] = []
    with _as_user(ctx, a) as user:
        if a.unread and len(kinds) == 2:
            both = user.get_unread_conversation_list(**options)
            listed = [("p2p", c) for c in both.p2p] + [("group", c) for c in both.groups]
        else:
            for kind in kinds:
                name = f"get_{kind}_{'unread_' if a.unread else ''}conversation_list"
                fetch: Callable[..., list[Conversation]] = getattr(user, name)
                listed += [(kind, c) for c in fetch(**options)]
        _print_conversations(ctx, a, listed)


def _print_conversations(ctx: Context, a: argparse.Namespace,
                         listed: list[tuple[str, Conversation]]) -> None:
    # Each list is newest first; merged, a session without a message goes last (stable).
    listed.sort(key=lambda item: -(item[1].last_message.mtime if item[1].last_message
                                   else -1))
    if ctx.out.json:
        ctx.out.result({"uid": a.uid,
                        "conversations": [_conversation_dict(k, c) for k, c in listed]})
        return
    if not listed:
        ctx.out.note(f"uid {a.uid} has no {'unread ' if a.unread else ''}conversations")
        return
    rows: list[list[object]] = []
    for kind, conv in listed:
        last = conv.last_message
        if last is None:
            rows.append([kind, conv.id, conv.unread, "-", "-", ""])
            continue
        text = ("[deleted] " if last.deleted else "") + one_line(last.message, 60)
        rows.append([kind, conv.id, conv.unread, fmt_ms(last.mtime), last.from_uid, text])
    ctx.out.table(["TYPE", "ID", "UNREAD", "TIME", "FROM", "NEWEST MESSAGE"], rows)


# ------------------------------------------------------------------------------ friends


def friends(ctx: Context, a: argparse.Namespace) -> None:
    with _as_user(ctx, a) as user:
        uids = user.get_blacks() if a.blacks else user.get_friends()
        key = "blacks" if a.blacks else "friends"
        ctx.out.lines({"uid": a.uid, key: uids}, uids)
        if not uids and not ctx.out.json:
            ctx.out.note(f"uid {a.uid} {'blocks nobody' if a.blacks else 'has no friends'}")


# ------------------------------------------------------------------------------ history


def _walk(fetch: Callable[[bool, int, int, int, int], HistoryMessageResult]
          ) -> Callable[[bool, int, int, int, int], Iterator[HistoryMessageUnit]]:
    """Every message of a history, page after page (as the server SDK's ``iter_*``)."""

    def walk(desc: bool, num: int, begin: int, end: int, lastid: int
             ) -> Iterator[HistoryMessageUnit]:
        while True:
            page = fetch(desc, num, begin, end, lastid)
            yield from page.messages
            following = _next_page(page, num)
            if following is None:
                return
            lastid, begin, end = following

    return walk


def _history_of(kind: str) -> Callable[[Context, argparse.Namespace], None]:
    def handler(ctx: Context, a: argparse.Namespace) -> None:
        with _as_user(ctx, a) as user:
            if kind == "room":
                user.enter_room(a.xid)  # only a user in the room reads its history
            xid: int = getattr(a, "xid", 0)  # 0: broadcast, which has none

            def fetch(desc: bool, num: int, begin: int, end: int, lastid: int
                      ) -> HistoryMessageResult:
                page = {"desc": desc, "num": num, "begin": begin, "end": end,
                        "lastid": lastid, "mtypes": a.mtypes}
                if kind == "p2p":
                    return user.get_p2p_message(xid, **page)
                if kind == "group":
                    return user.get_group_message(xid, **page)
                if kind == "room":
                    return user.get_room_message(xid, **page)
                return user.get_broadcast_message(**page)

            target = f" {xid}" if xid else ""
            _history(ctx, a, fetch, _walk(fetch), f"rtm enduser history {kind} {a.uid}{target}")

    return handler


# ------------------------------------------------------------------------------ parser


def _filters(p: argparse.ArgumentParser, since: str) -> None:
    from rtm._cli.parser import _mtypes  # parser imports this module first

    p.add_argument("--since", type=time_ms, default=None, metavar="TIME",
                   help=f"{since} (ms since the epoch, ISO 8601, 'now' or relative, e.g. -1d)")
    p.add_argument("--mtypes", type=_mtypes, default=None, metavar="MTYPE,...",
                   help="count (and show) only these message types, e.g. 30,32")


def register(t: Any, eu: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """The read commands of ``rtm enduser`` (``eu``: its subcommands; ``common``: the options
    every end-user command takes)."""
    from rtm._cli.parser import _history_options  # parser imports this module first

    p = t.leaf(eu, "sessions", "the user's P2P and group sessions (get_sessions)", sessions,
               "rtm enduser sessions 2", "rtm --json enduser sessions 2")
    common(p)
    p = t.leaf(eu, "unread", "unread counts per session, newest first (get_p2p_unread, "
               "get_group_unread)", unread, "rtm enduser unread 2",
               "rtm enduser unread 2 --clear", "rtm --json enduser unread 2 --mtypes 30",
               description="Log in as UID and print, for each of its sessions with messages "
                           "it has not read (from others, after its read mark: its last "
                           "logout or clear), the unread count and the newest message's "
                           "time. --clear then marks everything read (get_unread clear).")
    common(p)
    p.add_argument("--clear", action="store_true",
                   help="then mark every message read (the unread counts drop to 0)")
    _filters(p, "count the messages from TIME on instead of those after the read mark")
    p = t.leaf(eu, "conversations", "conversation lists: newest first, with unread counts "
               "and the newest message (get_p2p_conversation_list...)", conversations,
               "rtm enduser conversations 2", "rtm enduser conversations 2 --p2p --unread",
               "rtm --json enduser conversations 2 --group")
    common(p)
    p.add_argument("--p2p", action="store_true", help="only P2P conversations")
    p.add_argument("--group", action="store_true", help="only group conversations")
    p.add_argument("--unread", action="store_true",
                   help="only conversations with unread messages")
    _filters(p, "only conversations with a message at least this recent")
    p = t.leaf(eu, "friends", "the user's friends, or with --blacks the users it blocks "
               "(get_friends, get_blacks)", friends, "rtm enduser friends 1",
               "rtm enduser friends 1 --blacks")
    common(p)
    p.add_argument("--blacks", action="store_true", help="the users UID blocks instead")
    hist = t.group(eu, "history", "message history as the user reads it (p2p, group, room, "
                   "broadcast)", "rtm enduser history p2p 2 1",
                   "rtm enduser history group 2 5 --desc --num 5",
                   "rtm --json enduser history room 2 7 --all")
    for kind, target, method in (("p2p", ("PEER", "the other user"), "get_p2p_message"),
                                 ("group", ("GROUP", "group id (UID must be a member)"),
                                  "get_group_message"),
                                 ("room", ("ROOM", "room id (the user enters it first)"),
                                  "get_room_message"),
                                 ("broadcast", None, "get_broadcast_message")):
        p = t.leaf(hist, kind, f"{kind} messages as UID reads them ({method})",
                   _history_of(kind), f"rtm enduser history {kind} 2"
                   f"{'' if target is None else ' 1'} --desc")
        common(p)
        if target is not None:
            p.add_argument("xid", metavar=target[0], type=int64, help=target[1])
        _history_options(p)
