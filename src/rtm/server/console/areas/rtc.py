"""RTC rooms (``pullIntoRTCRoom``): the project's rooms, and one room's owner, members,
administrators and microphone default, with kick-out, close and pull-in."""

from __future__ import annotations

from typing import Any

from rtm.server.console.markup import Field, Html, Table, join, link, tag
from rtm.server.console.panels import Ctx, action, page, panel

page("rtc", "RTC rooms", order=37)
page("rtc-room", "RTC room {subject}", subject="rid", order=37)

_ROOM_TYPES = {1: "voice", 2: "video"}


def _rtc_room_link(ctx: Ctx, rid: int) -> Html:
    return link(ctx.href("rtc-room", rid), rid)


@panel("rtc", "list", "RTC rooms", order=10)
async def rtc_rooms(ctx: Ctx) -> Table:
    rows: list[list[Any]] = []
    for rid in await ctx.store.rtc_rooms(ctx.pid):
        room = await ctx.store.rtc_room(ctx.pid, rid)
        if room is None:  # closed between the two reads
            continue
        rows.append([_rtc_room_link(ctx, rid), _ROOM_TYPES.get(room.room_type, room.room_type),
                     ctx.user_link(room.owner), len(room.members)])
    return Table(("rid", "type", "owner", "members"), rows, empty="No RTC room.",
                 footer=ctx.form("pullIntoRTCRoom", "Pull into a room (creates it)"))


@panel("rtc-room", "state", "Room", order=10)
async def rtc_room_state(ctx: Ctx) -> Table | Html:
    rid = ctx.subject_id()
    room = await ctx.store.rtc_room(ctx.pid, rid)
    if room is None:
        return tag("p", "No such RTC room (closed, or never created).")
    return Table(("type", "owner", "administrators", "microphone default", ""),
                 [[_ROOM_TYPES.get(room.room_type, room.room_type), ctx.user_link(room.owner),
                   join([ctx.user_link(u) for u in room.administrators], ", ") or "none",
                   "on" if room.mic_default else "off",
                   ctx.form("closeRTCRoom", "Close the room", hidden={"rid": rid},
                            danger=True, inline=True)]])


@panel("rtc-room", "members", "Members", order=20)
async def rtc_room_members(ctx: Ctx) -> Table:
    rid = ctx.subject_id()
    room = await ctx.store.rtc_room(ctx.pid, rid)
    members = room.members if room is not None else []
    rows = [[ctx.user_link(uid),
             ctx.form("kickoutFromRTCRoom", "Kick out", hidden={"rid": rid, "uid": uid},
                      danger=True, inline=True)]
            for uid in members]
    return Table(("uid", ""), rows, empty="No members.",
                 footer=ctx.form("pullIntoRTCRoom", "Pull in", hidden={"rid": rid}))


@action("pullIntoRTCRoom", Field("rid", "rid"), Field("toUids", "uids", "ids"),
        Field("type", "type", "choice", choices=(("1", "voice"), ("2", "video")),
              default="1"))
async def pull_into_rtc_room(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("pullIntoRTCRoom", rid=v["rid"], toUids=v["toUids"], type=int(v["type"]))
    return f"uids {', '.join(map(str, v['toUids']))} pulled into RTC room {v['rid']}"


@action("kickoutFromRTCRoom", Field("rid", "rid"), Field("uid", "uid"))
async def kickout_from_rtc_room(ctx: Ctx, v: dict[str, Any]) -> str:
    # fromUid is required on the wire and not checked (spec §4.15): the kicked uid itself.
    await ctx.call("kickoutFromRTCRoom", rid=v["rid"], uid=v["uid"], fromUid=v["uid"])
    return f"uid {v['uid']} kicked out of RTC room {v['rid']}"


@action("closeRTCRoom", Field("rid", "rid"))
async def close_rtc_room(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("closeRTCRoom", rid=v["rid"])
    return f"RTC room {v['rid']} closed"
