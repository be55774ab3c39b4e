"""Current-generation state of projects, groups and rooms: project bans (a mute, not a black
list), a user's push options, group and room infos, and adding/removing room members in
bulk (``addroommembers``/``delroommembers``)."""

from __future__ import annotations

from typing import Any

from rtm.server.console.markup import Field, Html, Table, when
from rtm.server.console.panels import Ctx, action, panel, parse_int

_PUSH_KINDS = {0: "P2P peer", 1: "group"}


@panel("blacklist", "bans", "Users banned in the project (muted, still logged in)", order=20)
async def project_bans(ctx: Ctx) -> Table:
    rows = [[ctx.user_link(b.uid), when(b.expires_ms, never="permanent"),
             ctx.form("removeprojectban", "Lift", hidden={"uid": b.uid}, inline=True)]
            for b in await ctx.store.list_project_bans(ctx.pid)]
    return Table(("uid", "until", ""), rows, empty="Nobody is banned.",
                 footer=ctx.form("addprojectban", "Ban in the project"))


@panel("user", "projectban", "Project ban", order=21)
async def user_project_ban(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    banned = await ctx.store.is_project_ban(ctx.pid, uid)
    button = (ctx.form("removeprojectban", "Lift", hidden={"uid": uid}, inline=True)
              if banned else ctx.form("addprojectban", "Ban", hidden={"uid": uid},
                                      danger=True, inline=True))
    return Table(("banned", ""), [["yes" if banned else "no", button]])


@panel("user", "pushoptions", "Push options (no offline push for)", order=55)
async def push_options(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    options = await ctx.store.push_options(ctx.pid, uid)
    rows: list[list[Any]] = []
    for kind, entries in sorted(options.items()):
        for xid, mtypes in sorted(entries.items()):
            target = ctx.user_link(xid) if kind == 0 else ctx.group_link(xid)
            rows.append([_PUSH_KINDS.get(kind, kind), target,
                         ", ".join(map(str, mtypes)) or "every mtype",
                         ctx.form("removeoption", "Remove",
                                  hidden={"uid": uid, "type": kind, "xid": xid},
                                  inline=True)])
    return Table(("from", "id", "mtypes", ""), rows, empty="Every offline push is on.",
                 footer=ctx.form("addoption", "Add option", hidden={"uid": uid}))


@panel("group", "infos", "Infos", order=15)
async def group_infos(ctx: Ctx) -> Table:
    gid = ctx.subject_id()
    oinfo, pinfo = await ctx.store.get_group_info(ctx.pid, gid)
    return Table(("open info (public)", "private info"), [[oinfo, pinfo]],
                 footer=ctx.form("setgroupinfo", "Set infos", hidden={"gid": gid}))


@panel("room", "infos", "Infos", order=15)
async def room_infos(ctx: Ctx) -> Table:
    rid = ctx.subject_id()
    oinfo, pinfo = await ctx.store.get_room_info(ctx.pid, rid)
    return Table(("open info (public)", "private info"), [[oinfo, pinfo]],
                 footer=ctx.form("setroominfo", "Set infos", hidden={"rid": rid}))


@panel("room", "bulk", "Add or remove several members", order=12)
async def room_bulk(ctx: Ctx) -> Html:
    rid = ctx.subject_id()
    return Html(ctx.form("addroommembers", "Add members", hidden={"rid": rid})
                + ctx.form("delroommembers", "Remove members", hidden={"rid": rid},
                           danger=True))


_BTIME = Field("btime", "seconds (0 = permanent)", "int", default="3600")
_MTYPES = Field("mtypes", "mtypes (empty = every mtype)", "text", required=False)
_KIND = Field("type", "from", "choice", choices=(("0", "P2P peer"), ("1", "group")),
              default="0")


def _mtypes(raw: str | None) -> list[int]:
    return [parse_int("mtypes", item) for item in (raw or "").replace(",", " ").split()]


@action("addprojectban", Field("uid", "uid"), _BTIME)
async def addprojectban(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addprojectban", uid=v["uid"], btime=v["btime"])
    return f"uid {v['uid']} banned in the project"


@action("removeprojectban", Field("uid", "uid"))
async def removeprojectban(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("removeprojectban", uid=v["uid"])
    return f"project ban of uid {v['uid']} lifted"


@action("addoption", Field("uid", "uid"), _KIND, Field("xid", "peer uid or gid"), _MTYPES)
async def addoption(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("addoption", uid=v["uid"], type=int(v["type"]), xid=v["xid"],
                   mtypes=_mtypes(v["mtypes"]))
    return f"push option of uid {v['uid']} added"


@action("removeoption", Field("uid", "uid"), _KIND, Field("xid", "peer uid or gid"),
        _MTYPES)
async def removeoption(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("removeoption", uid=v["uid"], type=int(v["type"]), xid=v["xid"],
                   mtypes=_mtypes(v["mtypes"]))
    return f"push option of uid {v['uid']} removed"


def _info_fields(id_name: str) -> tuple[Field, ...]:
    return (Field(id_name, id_name), Field("oinfo", "open info", "text", required=False),
            Field("pinfo", "private info", "text", required=False))


@action("setgroupinfo", *_info_fields("gid"))
async def setgroupinfo(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("setgroupinfo", gid=v["gid"], oinfo=v["oinfo"] or "",
                   pinfo=v["pinfo"] or "")
    return f"infos of group {v['gid']} set"


@action("setroominfo", *_info_fields("rid"))
async def setroominfo(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("setroominfo", rid=v["rid"], oinfo=v["oinfo"] or "",
                   pinfo=v["pinfo"] or "")
    return f"infos of room {v['rid']} set"


@action("addroommembers", Field("rid", "rid"), Field("uids", "uids", "ids"))
async def addroommembers(ctx: Ctx, v: dict[str, Any]) -> str:
    answer = await ctx.call("addroommembers", rid=v["rid"], uids=v["uids"])
    added = answer.get("successedUids", [])
    return f"{len(added)} uid(s) entered room {v['rid']}"


@action("delroommembers", Field("rid", "rid"), Field("uids", "uids", "ids"))
async def delroommembers(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("delroommembers", rid=v["rid"], uids=v["uids"])
    return f"uids {', '.join(map(str, v['uids']))} removed from room {v['rid']}"
