"""Messages: every conversation (P2P, group, room, broadcast) with paging, an mtype filter
and the deleted and edited flags; edit one, send a message, chat or cmd as any uid; delete one."""

from __future__ import annotations

import re
from typing import Any

from rtm.server.console.areas.files import file_link
from rtm.server.console.markup import Field, Html, Table, join, link, short, tag, when
from rtm.server.console.panels import ConsoleError, Ctx, action, new_mid, page, panel
from rtm.server.store import Kind

page("messages", "Messages", order=40)
page("conversation", "Conversation {subject}", subject="conversation", order=40)

PAGE_SIZE = 20
LIST_SIZE = 100
_KEY = re.compile(r"^(p2p)-(\d+)-(\d+)$|^(group|room)-(\d+)$|^(broadcast)$")
_KIND_NAMES = {Kind.P2P: "p2p", Kind.GROUP: "group", Kind.ROOM: "room",
               Kind.BROADCAST: "broadcast"}
_BY_NAME = {name: kind for kind, name in _KIND_NAMES.items()}
_SEND_METHODS = {Kind.P2P: ("sendmsg", "to"), Kind.GROUP: ("sendgroupmsg", "gid"),
                 Kind.ROOM: ("sendroommsg", "rid"), Kind.BROADCAST: ("broadcastmsg", "")}
CHAT, CMD = 30, 32


def conversation_key(kind: Kind, xa: int, xb: int) -> str:
    if kind == Kind.P2P:
        a, b = sorted((xa, xb))
        return f"p2p-{a}-{b}"
    if kind == Kind.BROADCAST:
        return "broadcast"
    return f"{_KIND_NAMES[kind]}-{xa}"


def parse_conversation(key: str) -> tuple[Kind, int, int]:
    """(kind, xa, xb) of ``p2p-A-B``, ``group-G``, ``room-R`` or ``broadcast``."""
    m = _KEY.match(key)
    if m is None:
        raise ConsoleError(f"conversation: expected p2p-UID-UID, group-GID, room-RID or "
                           f"broadcast, got {key!r}")
    if m.group(1):
        return Kind.P2P, int(m.group(2)), int(m.group(3))
    if m.group(4):
        return _BY_NAME[m.group(4)], int(m.group(5)), 0
    return Kind.BROADCAST, 0, 0


def describe(ctx: Ctx, kind: Kind, xa: int, xb: int) -> Html:
    if kind == Kind.P2P:
        return Html(f"P2P {ctx.user_link(xa)} ↔ {ctx.user_link(xb)}")
    if kind == Kind.GROUP:
        return Html(f"group {ctx.group_link(xa)}")
    if kind == Kind.ROOM:
        return Html(f"room {ctx.room_link(xa)}")
    return Html("broadcast")


# ---------------------------------------------------------------------------- pages


@panel("messages", "conversations", "Conversations", order=10)
async def conversations(ctx: Ctx) -> Table:
    kind_name = ctx.query.get("kind", "")
    kind = _BY_NAME.get(kind_name)
    offset = ctx.query_int("offset", 0)
    found = await ctx.store.list_conversations(ctx.pid, kind, limit=LIST_SIZE + 1,
                                               offset=offset)
    rows = [[describe(ctx, c.kind, c.xa, c.xb), c.messages, c.deleted, when(c.last_mtime),
             link(ctx.href("conversation", conversation_key(c.kind, c.xa, c.xb)), "open")]
            for c in found[:LIST_SIZE]]
    kinds = join([link(ctx.href("messages"), "all"), *(
        link(ctx.href("messages", kind=name), name) for name in _BY_NAME)], " · ")
    more = (link(ctx.href("messages", kind=kind_name, offset=offset + LIST_SIZE),
                 "next page →") if len(found) > LIST_SIZE else Html(""))
    jump = tag("form", join([
        tag("label", Html("conversation " + tag(
            "input", type="text", name="id", size="22", required=True,
            placeholder="p2p-1001-1002, group-501, broadcast"))),
        tag("button", "Open", type="submit")]),
        method="get", action=f"/p/{ctx.pid}/open/conversation", class_="action inline")
    return Table(("conversation", "messages", "deleted", "last message", ""), rows,
                 empty="No message is stored.",
                 footer=Html(tag("p", Html("kind: " + kinds)) + more + jump))


@panel("messages", "send", "Send a message", order=20)
async def send_any(ctx: Ctx) -> Html:
    return Html(ctx.form("send", "Send", fields=_fields("pair")) + tag(
        "p", "'to' is the receiver uid, the gid or the rid (nothing for a broadcast). The "
             "message goes through the server API's own send path: stored, then pushed.",
        class_="hint"))


@panel("conversation", "history", "Messages, newest first", order=10)
async def history(ctx: Ctx) -> Html:
    kind, xa, xb = parse_conversation(ctx.subject or "")
    before = ctx.query_int("before", 0, positive=False)
    mtypes_text = ctx.query.get("mtypes", "")
    mtypes = [int(t) for t in mtypes_text.replace(",", " ").split() if t.isdigit()]
    rows = await ctx.store.list_messages(ctx.pid, kind, xa, xb, before_id=before,
                                         limit=PAGE_SIZE, mtypes=mtypes)
    edited = await ctx.store.edited_among(ctx.pid, [r.id for r in rows])
    table_rows: list[list[Any]] = []
    for r in rows:
        body: Html | str = short(r.msg)
        download = file_link(ctx, r.msg)
        if download is not None:
            body = Html(f"{download} {tag('span', short(r.msg, 80), class_='muted')}")
        xid = (xb if r.from_uid == xa else xa) if kind == Kind.P2P else xa
        flags = join([tag("span", "deleted", class_="flag deleted") if r.deleted else "",
                      tag("span", "edited", class_="flag edited") if r.id in edited else ""],
                     " ")
        ref = {"type": int(kind), "from": r.from_uid, "xid": xid, "mid": r.mid}
        delete = "" if r.deleted else Html(
            ctx.form("delmsg", "Delete", hidden=ref, danger=True, inline=True)
            + ctx.form("editmsg", "Edit", hidden=ref, inline=True))
        table_rows.append([r.id, ctx.user_link(r.from_uid), r.mtype, str(r.mid), body,
                           short(r.attrs, 80), when(r.mtime), flags, delete])
    filter_form = tag("form", join([
        tag("label", Html("mtypes " + tag("input", type="text", name="mtypes",
                                          value=mtypes_text, size="12",
                                          placeholder="e.g. 30,32"))),
        tag("button", "Filter", type="submit")]), method="get", class_="action inline")
    pager = []
    if before:
        pager.append(link(ctx.href("conversation", ctx.subject, mtypes=mtypes_text),
                          "← newest"))
    if len(rows) == PAGE_SIZE:
        pager.append(link(ctx.href("conversation", ctx.subject, before=rows[-1].id,
                                   mtypes=mtypes_text), "older →"))
    table = Table(("id", "from", "mtype", "mid", "msg", "attrs", "mtime", "", ""),
                  table_rows, empty="No message.")
    return Html(tag("p", describe(ctx, kind, xa, xb)) + filter_form + table.render()
                + tag("p", join(pager, " · "), class_="pager"))


@panel("conversation", "send", "Send into this conversation", order=20)
async def send_here(ctx: Ctx) -> Html:
    kind, xa, xb = parse_conversation(ctx.subject or "")
    hidden: dict[str, object] = {"kind": _KIND_NAMES[kind]}
    if kind == Kind.P2P:
        # From one side to the other: the form asks who sends, 'to' is the other uid.
        return Html(ctx.form("send", "Send", hidden={**hidden, "pair": f"{xa}-{xb}"},
                             fields=_fields("to"))
                    + tag("p", f"'from' must be {xa} or {xb}.", class_="hint"))
    if kind != Kind.BROADCAST:
        hidden["to"] = xa
    else:
        hidden["to"] = ""
    return ctx.form("send", "Send", hidden=hidden, fields=_fields("pair"))


@panel("user", "conversations", "P2P conversations", order=60)
async def user_conversations(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    found = await ctx.store.list_conversations(ctx.pid, uid=uid, limit=LIST_SIZE)
    rows = [[ctx.user_link(c.xb if c.xa == uid else c.xa), c.messages, when(c.last_mtime),
             link(ctx.href("conversation", conversation_key(c.kind, c.xa, c.xb)), "open")]
            for c in found]
    return Table(("with", "messages", "last message", ""), rows, empty="No P2P message.")


# ---------------------------------------------------------------------------- actions


def _fields(*left_out: str) -> list[Field]:
    return [f for f in _SEND_FIELDS if f.name not in left_out]


_KIND_FIELD = Field("kind", "kind", "choice", choices=[(n, n) for n in _BY_NAME],
                    default="p2p")
_MTYPE_FIELD = Field("mtype", "type", "choice",
                     choices=[("30", "chat (30)"), ("32", "cmd (32)"), ("other", "other →")],
                     default="30")


_SEND_FIELDS = (
    _KIND_FIELD, Field("from", "from"), Field("to", "to", "id", required=False), _MTYPE_FIELD,
    Field("other_mtype", "mtype", "int", required=False, placeholder="1-127"),
    Field("msg", "message", "body"), Field("attrs", "attrs", "text", required=False),
    Field("pair", "pair", "text", required=False),
)


@action("send", *_SEND_FIELDS)
async def send(ctx: Ctx, v: dict[str, Any]) -> str:
    kind = _BY_NAME[v["kind"]]
    from_uid: int = v["from"]
    to = v["to"]
    if v["pair"]:  # a P2P conversation page: 'to' is the other side
        a, _, b = str(v["pair"]).partition("-")
        sides = (int(a), int(b)) if a.isdigit() and b.isdigit() else (0, 0)
        if from_uid not in sides:
            raise ConsoleError(f"from: expected {sides[0]} or {sides[1]}, got {from_uid}")
        to = sides[1] if from_uid == sides[0] else sides[0]
    mtype = v["other_mtype"] if v["mtype"] == "other" else int(v["mtype"])
    if mtype is None:
        raise ConsoleError("mtype: a value is required for 'other'")
    method, target_key = _SEND_METHODS[kind]
    params: dict[str, Any] = {"from": from_uid, "mid": new_mid(), "mtype": mtype,
                              "msg": v["msg"], "attrs": v["attrs"] or ""}
    if target_key:
        if to is None:
            raise ConsoleError(f"to: the {target_key} is required for a {v['kind']} message")
        params[target_key] = to
    answer = await ctx.call(method, **params)
    return f"{method}: mid {params['mid']} stored at mtime {answer.get('mtime')}"


@action("delmsg", Field("type", "type", "int"), Field("from", "from"),
        Field("xid", "xid", "int"), Field("mid", "mid", "int"))
async def delmsg(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("delmsg", type=v["type"], xid=v["xid"], mid=v["mid"], **{"from": v["from"]})
    return f"message {v['mid']} from uid {v['from']} deleted"


@action("editmsg", Field("type", "type", "int"), Field("from", "from"),
        Field("xid", "xid", "int"), Field("mid", "mid", "int"),
        Field("msg", "new text", "text"))
async def editmsg(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("editmsg", type=v["type"], xid=v["xid"], mid=v["mid"], msg=v["msg"],
                   **{"from": v["from"]})
    return f"message {v['mid']} from uid {v['from']} edited"
