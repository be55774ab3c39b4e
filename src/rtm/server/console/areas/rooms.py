"""Rooms: the project's rooms, one room's members and bans, a user's rooms."""

from __future__ import annotations

from typing import Any

from rtm.server.console.areas.users import open_form
from rtm.server.console.markup import Field, Html, Table, link, tag, when
from rtm.server.console.panels import Ctx, action, page, panel

page("rooms", "Rooms", order=35)
page("room", "Room {subject}", subject="rid", order=35)

PAGE_SIZE = 100


@panel("rooms", "list", "Rooms", order=10)
async def rooms(ctx: Ctx) -> Table:
    offset = ctx.query_int("offset", 0)
    found = await ctx.store.list_rooms(ctx.pid, limit=PAGE_SIZE + 1, offset=offset)
    rows = [[ctx.room_link(r.rid), r.members, r.bans,
             link(ctx.href("conversation", f"room-{r.rid}"), "history")]
            for r in found[:PAGE_SIZE]]
    more = (link(ctx.href("rooms", offset=offset + PAGE_SIZE), "next page →")
            if len(found) > PAGE_SIZE else Html(""))
    return Table(("rid", "members", "active bans", ""), rows, empty="No room has members.",
                 footer=Html(more + open_form(ctx, "room", "rid")))


@panel("room", "members", "Members", order=10)
async def members(ctx: Ctx) -> Table:
    rid = ctx.subject_id()
    rows = [[ctx.user_link(uid),
             ctx.form("delroommember", "Remove", hidden={"rid": rid, "uid": uid},
                      danger=True, inline=True)]
            for uid in await ctx.store.room_members(ctx.pid, rid)]
    return Table(("uid", ""), rows, empty="No members.",
                 footer=ctx.form("addroommember", "Add member", hidden={"rid": rid}))


@panel("room", "bans", "Bans", order=20)
async def bans(ctx: Ctx) -> Table:
    rid = ctx.subject_id()
    rows = [[ctx.user_link(b.uid), when(b.expires_ms, never="permanent"),
             ctx.form("removeroomban", "Lift", hidden={"rid": rid, "uid": b.uid},
                      inline=True)]
            for b in await ctx.store.list_room_bans(ctx.pid, rid)]
    return Table(("uid", "until", ""), rows, empty="Nobody is banned.",
                 footer=ctx.form("addroomban", "Ban", hidden={"rid": rid}))


@panel("room", "history", "History", order=90)
async def history(ctx: Ctx) -> Html:
    rid = ctx.subject_id()
    return tag("p", link(ctx.href("conversation", f"room-{rid}"), "Messages of this room"))


@panel("user", "rooms", "Rooms", order=45)
async def user_rooms(ctx: Ctx) -> Table:
    rids = await ctx.store.user_rooms(ctx.pid, ctx.subject_id())
    return Table(("rid",), [[ctx.room_link(r)] for r in rids], empty="In no room.")


@action("addroommember", Field("rid", "rid"), Field("uid", "uid"))
async def addroommember(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addroommember", rid=v["rid"], uid=v["uid"])
    return f"uid {v['uid']} entered room {v['rid']}"


@action("delroommember", Field("rid", "rid"), Field("uid", "uid"))
async def delroommember(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("delroommember", rid=v["rid"], uid=v["uid"])
    return f"uid {v['uid']} removed from room {v['rid']}"


@action("addroomban", Field("rid", "rid"), Field("uid", "uid"),
        Field("btime", "seconds (0 = permanent)", "int", default="3600"))
async def addroomban(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addroomban", rid=v["rid"], uid=v["uid"], btime=v["btime"])
    return f"uid {v['uid']} banned in room {v['rid']}"


@action("removeroomban", Field("rid", "rid"), Field("uid", "uid"))
async def removeroomban(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("removeroomban", rid=v["rid"], uid=v["uid"])
    return f"ban of uid {v['uid']} in room {v['rid']} lifted"
