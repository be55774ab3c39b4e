"""Groups: the project's groups, one group's members and bans, a user's groups."""

from __future__ import annotations

from typing import Any

from rtm.server.console.areas.users import open_form
from rtm.server.console.markup import Field, Html, Table, join, link, tag, when
from rtm.server.console.panels import Ctx, action, page, panel

page("groups", "Groups", order=30)
page("group", "Group {subject}", subject="gid", order=30)

PAGE_SIZE = 100


@panel("groups", "list", "Groups", order=10)
async def groups(ctx: Ctx) -> Table:
    offset = ctx.query_int("offset", 0)
    found = await ctx.store.list_groups(ctx.pid, limit=PAGE_SIZE + 1, offset=offset)
    rows = [[ctx.group_link(g.gid), g.members, g.bans,
             link(ctx.href("conversation", f"group-{g.gid}"), "history")]
            for g in found[:PAGE_SIZE]]
    more = (link(ctx.href("groups", offset=offset + PAGE_SIZE), "next page →")
            if len(found) > PAGE_SIZE else Html(""))
    return Table(("gid", "members", "active bans", ""), rows,
                 empty="No group has members.", footer=Html(more + open_form(ctx, "group",
                                                                             "gid")))


@panel("group", "members", "Members", order=10)
async def members(ctx: Ctx) -> Table:
    gid = ctx.subject_id()
    rows = [[ctx.user_link(uid),
             ctx.form("delgroupmembers", "Remove", hidden={"gid": gid, "uids": uid},
                      danger=True, inline=True)]
            for uid in await ctx.store.get_group_members(ctx.pid, gid)]
    return Table(("uid", ""), rows, empty="No members.",
                 footer=ctx.form("addgroupmembers", "Add members", hidden={"gid": gid}))


@panel("group", "bans", "Bans", order=20)
async def bans(ctx: Ctx) -> Table:
    gid = ctx.subject_id()
    rows = [[ctx.user_link(b.uid), when(b.expires_ms, never="permanent"),
             ctx.form("removegroupban", "Lift", hidden={"gid": gid, "uid": b.uid},
                      inline=True)]
            for b in await ctx.store.list_group_bans(ctx.pid, gid)]
    return Table(("uid", "until", ""), rows, empty="Nobody is banned.",
                 footer=ctx.form("addgroupban", "Ban", hidden={"gid": gid}))


@panel("group", "manage", "History and removal", order=90)
async def manage(ctx: Ctx) -> Html:
    gid = ctx.subject_id()
    return join([
        tag("p", link(ctx.href("conversation", f"group-{gid}"), "Messages of this group")),
        ctx.form("delgroup", "Delete the group (members, bans and history)",
                 hidden={"gid": gid}, danger=True),
    ])


@panel("user", "groups", "Groups", order=40)
async def user_groups(ctx: Ctx) -> Table:
    gids = await ctx.store.user_groups(ctx.pid, ctx.subject_id())
    return Table(("gid",), [[ctx.group_link(g)] for g in gids], empty="In no group.")


@action("addgroupmembers", Field("gid", "gid"), Field("uids", "uids", "ids"))
async def addgroupmembers(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addgroupmembers", gid=v["gid"], uids=v["uids"])
    return f"group {v['gid']}: {', '.join(map(str, v['uids']))} added"


@action("delgroupmembers", Field("gid", "gid"), Field("uids", "uids", "ids"))
async def delgroupmembers(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("delgroupmembers", gid=v["gid"], uids=v["uids"])
    return f"group {v['gid']}: {', '.join(map(str, v['uids']))} removed"


@action("addgroupban", Field("gid", "gid"), Field("uid", "uid"),
        Field("btime", "seconds (0 = permanent)", "int", default="3600"))
async def addgroupban(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addgroupban", gid=v["gid"], uid=v["uid"], btime=v["btime"])
    return f"uid {v['uid']} banned in group {v['gid']}"


@action("removegroupban", Field("gid", "gid"), Field("uid", "uid"))
async def removegroupban(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("removegroupban", gid=v["gid"], uid=v["uid"])
    return f"ban of uid {v['uid']} in group {v['gid']} lifted"


@action("delgroup", Field("gid", "gid"))
async def delgroup(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("delgroup", gid=v["gid"])
    return f"group {v['gid']} deleted"
