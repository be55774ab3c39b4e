"""A user's current-generation state: blocked users (``addblacks``), infos
(``setuserinfo``), key/value data (``dataset``) and conversation sessions
(``addsessions``, with the end-user unread counts), each shown on the user page with the
commands that change it."""

from __future__ import annotations

from typing import Any

from rtm.server.console.markup import Field, Table, when
from rtm.server.console.panels import Ctx, action, panel
from rtm.server.store import Kind


@panel("user", "blocks", "Blocked users", order=25)
async def blocks(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    rows = [[ctx.user_link(b),
             ctx.form("delblacks", "Unblock", hidden={"uid": uid, "blacks": b},
                      inline=True)]
            for b in await ctx.store.get_blocks(ctx.pid, uid)]
    return Table(("blocked uid", ""), rows, empty="Blocks nobody.",
                 footer=ctx.form("addblacks", "Block", hidden={"uid": uid}))


@panel("user", "infos", "Infos", order=26)
async def infos(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    oinfo, pinfo = await ctx.store.get_user_info(ctx.pid, uid)
    return Table(("open info (public)", "private info"), [[oinfo, pinfo]],
                 footer=ctx.form("setuserinfo", "Set infos", hidden={"uid": uid}))


@panel("user", "data", "Data (key/value)", order=27)
async def data(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    rows = [[key, value,
             ctx.form("datadel", "Delete", hidden={"uid": uid, "key": key}, danger=True,
                      inline=True)]
            for key, value in await ctx.store.list_data(ctx.pid, uid)]
    return Table(("key", "value", ""), rows, empty="No data.",
                 footer=ctx.form("dataset", "Set", hidden={"uid": uid}))


@panel("user", "p2psessions", "Conversation sessions", order=28)
async def p2p_sessions(ctx: Ctx) -> Table:
    """The user's sessions as its client sees them (client spec §3.3): P2P peers (the list
    ``addsessions`` edits) and groups with messages, each with its unread count and newest
    message, and the read mark's last logout."""
    uid = ctx.subject_id()
    p2p, groups = await ctx.store.conversations(ctx.pid, uid, (Kind.P2P, Kind.GROUP))
    mark = await ctx.store.read_mark(ctx.pid, uid)
    rows: list[list[Any]] = []
    for state in p2p:
        rows.append([ctx.user_link(state.xid), state.unread,
                     when(state.newest.mtime if state.newest else None, never="-"),
                     ctx.form("removesessions", "Remove", hidden={"uid": uid,
                                                                  "uids": state.xid},
                              danger=True, inline=True)])
    for state in groups:
        rows.append([ctx.group_link(state.xid), state.unread,
                     when(state.newest.mtime if state.newest else None, never="-"), ""])
    return Table((f"session (last logout: {when(mark.logout_ms or None)})", "unread",
                  "newest message", ""), rows, empty="No conversation session.",
                 footer=ctx.form("addsessions", "Add sessions", hidden={"uid": uid}))


@action("addblacks", Field("uid", "uid"), Field("blacks", "uids to block", "ids"))
async def addblacks(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addblacks", uid=v["uid"], blacks=v["blacks"])
    return f"uid {v['uid']} blocks {', '.join(map(str, v['blacks']))}"


@action("delblacks", Field("uid", "uid"), Field("blacks", "uids to unblock", "ids"))
async def delblacks(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("delblacks", uid=v["uid"], blacks=v["blacks"])
    return f"uid {v['uid']} no longer blocks {', '.join(map(str, v['blacks']))}"


@action("setuserinfo", Field("uid", "uid"),
        Field("oinfo", "open info", "text", required=False),
        Field("pinfo", "private info", "text", required=False))
async def setuserinfo(ctx: Ctx, v: dict[str, Any]) -> str:
    # An empty field is sent as "" (clears it), as the console always shows both infos.
    await ctx.call("setuserinfo", uid=v["uid"], oinfo=v["oinfo"] or "",
                   pinfo=v["pinfo"] or "")
    return f"infos of uid {v['uid']} set"


@action("dataset", Field("uid", "uid"), Field("key", "key", "text"),
        Field("val", "value", "body", required=False))
async def dataset(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("dataset", uid=v["uid"], key=v["key"], val=v["val"] or "")
    return f"data {v['key']!r} of uid {v['uid']} set"


@action("datadel", Field("uid", "uid"), Field("key", "key", "text"))
async def datadel(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("datadel", uid=v["uid"], key=v["key"])
    return f"data {v['key']!r} of uid {v['uid']} deleted"


@action("addsessions", Field("uid", "uid"), Field("uids", "peer uids", "ids"))
async def addsessions(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addsessions", uid=v["uid"], uids=v["uids"])
    return f"sessions of uid {v['uid']} added"


@action("removesessions", Field("uid", "uid"), Field("uids", "peer uids", "ids"))
async def removesessions(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("removesessions", uid=v["uid"], uids=v["uids"])
    return f"sessions of uid {v['uid']} removed"
