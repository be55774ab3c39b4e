"""Friends of a user."""

from __future__ import annotations

from typing import Any

from rtm.server.console.markup import Field, Table
from rtm.server.console.panels import Ctx, action, panel


@panel("user", "friends", "Friends", order=30)
async def friends(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    rows = [[ctx.user_link(f), ctx.form("delfriends", "Remove", hidden={"uid": uid,
                                                                        "friends": f},
                                        danger=True, inline=True)]
            for f in await ctx.store.get_friends(ctx.pid, uid)]
    return Table(("friend", ""), rows, empty="No friends.",
                 footer=ctx.form("addfriends", "Add friends", hidden={"uid": uid}))


@action("addfriends", Field("uid", "uid"), Field("friends", "friend uids", "ids"))
async def addfriends(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addfriends", uid=v["uid"], friends=v["friends"])
    return f"uid {v['uid']}: friends {', '.join(map(str, v['friends']))} added"


@action("delfriends", Field("uid", "uid"), Field("friends", "friend uids", "ids"))
async def delfriends(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("delfriends", uid=v["uid"], friends=v["friends"])
    return f"uid {v['uid']}: friends {', '.join(map(str, v['friends']))} removed"
