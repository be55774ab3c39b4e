"""The project black list (``addprojectblack``: no login, current sessions kicked out)."""

from __future__ import annotations

from typing import Any

from rtm.server.console.markup import Field, Table, when
from rtm.server.console.panels import Ctx, action, page, panel

page("blacklist", "Black list", order=60)

_BTIME = Field("btime", "seconds (0 = permanent)", "int", default="3600")


@panel("blacklist", "list", "Users black-listed in the project", order=10)
async def black_list(ctx: Ctx) -> Table:
    rows = [[ctx.user_link(b.uid), when(b.expires_ms, never="permanent"),
             ctx.form("removeprojectblack", "Lift", hidden={"uid": b.uid}, inline=True)]
            for b in await ctx.store.list_project_black(ctx.pid)]
    return Table(("uid", "until", ""), rows, empty="Nobody is black-listed.",
                 footer=ctx.form("addprojectblack", "Black-list (kicks out)"))


@panel("user", "black", "Project black list", order=20)
async def user_black(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    listed = await ctx.store.is_project_black(ctx.pid, uid)
    button = (ctx.form("removeprojectblack", "Lift", hidden={"uid": uid}, inline=True)
              if listed else ctx.form("addprojectblack", "Black-list", hidden={"uid": uid},
                                      danger=True, inline=True))
    return Table(("black-listed", ""), [["yes" if listed else "no", button]])


@action("addprojectblack", Field("uid", "uid"), _BTIME)
async def addprojectblack(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addprojectblack", uid=v["uid"], btime=v["btime"])
    return f"uid {v['uid']} black-listed"


@action("removeprojectblack", Field("uid", "uid"))
async def removeprojectblack(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("removeprojectblack", uid=v["uid"])
    return f"uid {v['uid']} is no longer black-listed"
