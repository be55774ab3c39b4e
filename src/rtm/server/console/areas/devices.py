"""Devices registered for offline push."""

from __future__ import annotations

from typing import Any

from rtm.server.console.markup import Field, Html, Table, link, when
from rtm.server.console.panels import Ctx, action, page, panel

page("devices", "Devices", order=70)

PAGE_SIZE = 100


@panel("devices", "list", "Device registrations", order=10)
async def devices(ctx: Ctx) -> Table:
    offset = ctx.query_int("offset", 0)
    found = await ctx.store.list_project_devices(ctx.pid, limit=PAGE_SIZE + 1, offset=offset)
    rows = [[ctx.user_link(d.uid), d.apptype, d.devicetoken, when(d.updated_ms),
             ctx.form("removedevice", "Remove", hidden={"uid": d.uid,
                                                        "devicetoken": d.devicetoken},
                      danger=True, inline=True)]
            for d in found[:PAGE_SIZE]]
    more = (link(ctx.href("devices", offset=offset + PAGE_SIZE), "next page →")
            if len(found) > PAGE_SIZE else Html(""))
    return Table(("uid", "app type", "device token", "registered", ""), rows,
                 empty="No device is registered.", footer=more)


@panel("user", "devices", "Devices", order=50)
async def user_devices(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    rows = [[d.apptype, d.devicetoken,
             ctx.form("removedevice", "Remove", hidden={"uid": uid,
                                                        "devicetoken": d.devicetoken},
                      danger=True, inline=True)]
            for d in await ctx.store.list_devices(ctx.pid, uid)]
    return Table(("app type", "device token", ""), rows, empty="No device.")


@action("removedevice", Field("uid", "uid"), Field("devicetoken", "device token", "text"))
async def removedevice(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("removedevice", uid=v["uid"], devicetoken=v["devicetoken"])
    return f"device of uid {v['uid']} removed"
