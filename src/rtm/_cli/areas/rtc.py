"""CLI: RTC rooms (``rtm rtc list|members|pull|invite|kick|close|mic|admin``)."""

from __future__ import annotations

import argparse
from typing import Any

from rtm._cli.argtypes import flatten, id_list, int64, int_range
from rtm._cli.commands import Context, _ok
from rtm.api.models import RTCAdminCommand, RTCRoomType

_i32 = int_range(-(2**31), 2**31 - 1, "value")
#: ``rtm rtc admin`` command names -> RTCAdminCommand
ADMIN_COMMANDS = {name.lower().replace("_", "-"): cmd for name, cmd in
                  RTCAdminCommand.__members__.items()}


def rtc_list(ctx: Context, a: argparse.Namespace) -> None:
    rids = ctx.client().get_rtc_room_list()
    ctx.out.lines({"rooms": rids}, rids)
    if not rids and not ctx.out.json:
        ctx.out.note("no RTC rooms")


def rtc_members(ctx: Context, a: argparse.Namespace) -> None:
    client = ctx.client()
    res = client.get_rtc_room_members(a.room_id)
    count = client.get_rtc_room_member_count(a.room_id)
    admins = set(res.administrators)
    obj = {"room_id": a.room_id, "members": res.uids, "administrators": res.administrators,
           "owner": res.owner, "count": count}
    if ctx.out.json:
        ctx.out.result(obj)
        return
    if not res.uids:
        ctx.out.note(f"RTC room {a.room_id} has no members")
        return
    ctx.out.table(["UID", "ROLE"], [
        [uid, "owner" if uid == res.owner else "administrator" if uid in admins else "member"]
        for uid in res.uids])


def rtc_pull(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    room_type = RTCRoomType.VIDEO if a.type == "video" else RTCRoomType.VOICE
    ctx.client().pull_user_into_rtc_room(a.room_id, uids, room_type, a.voice_range,
                                         a.max_streams)
    _ok(ctx, f"RTC room {a.room_id}: {len(uids)} user(s) pulled in")


def rtc_invite(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    ctx.client().invite_user_into_rtc_room(a.room_id, a.from_uid, uids)
    _ok(ctx, f"RTC room {a.room_id}: {a.from_uid} invited {len(uids)} user(s)")


def rtc_kick(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().kickout_from_rtc_room(a.room_id, a.uid, a.by)
    _ok(ctx, f"{a.uid} kicked out of RTC room {a.room_id}")


def rtc_close(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().close_rtc_room(a.room_id)
    _ok(ctx, f"RTC room {a.room_id} closed")


def rtc_mic(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().set_rtc_room_mic_status(a.room_id, a.status == "on")
    _ok(ctx, f"RTC room {a.room_id}: microphones of newcomers {a.status}")


def rtc_admin(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    ctx.client().admin_command(a.room_id, uids, ADMIN_COMMANDS[a.command])
    _ok(ctx, f"RTC room {a.room_id}: {a.command} for {len(uids)} user(s)")


def _room(p: argparse.ArgumentParser) -> None:
    p.add_argument("room_id", metavar="ROOM", type=int64, help="RTC room id")


def register(tree: Any, top: Any) -> None:
    """Add ``rtc`` and its subcommands."""
    rtc = tree.group(top, "rtc", "RTC voice/video rooms", "rtm rtc pull 7 1 2 --type video",
                     "rtm rtc members 7", "rtm rtc close 7")
    tree.leaf(rtc, "list", "the project's RTC rooms (get_rtc_room_list)", rtc_list,
              "rtm rtc list")
    p = tree.leaf(rtc, "members", "members, administrators and owner of a room "
                  "(get_rtc_room_members, get_rtc_room_member_count)", rtc_members,
                  "rtm rtc members 7")
    _room(p)
    p = tree.leaf(rtc, "pull", "put users in a room, creating it; the first user owns a new "
                  "room (pull_user_into_rtc_room)", rtc_pull,
                  "rtm rtc pull 7 1 2,3 --type video")
    _room(p)
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids, up to 100")
    p.add_argument("--type", choices=["voice", "video"], default="voice",
                   help="room type when it is created (default voice)")
    p.add_argument("--voice-range", type=_i32, default=0, help="passed through (default 0)")
    p.add_argument("--max-streams", type=_i32, default=0,
                   help="max receive streams, passed through (default 0)")
    p = tree.leaf(rtc, "invite", "invite users into a room on behalf of a member "
                  "(invite_user_into_rtc_room)", rtc_invite, "rtm rtc invite 7 1 4 5")
    _room(p)
    p.add_argument("from_uid", metavar="FROM", type=int64, help="inviter (a room member)")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="invited uids")
    p = tree.leaf(rtc, "kick", "remove a user from a room (kickout_from_rtc_room)", rtc_kick,
                  "rtm rtc kick 7 2 --by 1")
    _room(p)
    p.add_argument("uid", metavar="UID", type=int64, help="the user to remove")
    p.add_argument("--by", type=int64, default=0, help="who kicks (default 0)")
    p = tree.leaf(rtc, "close", "close a room (close_rtc_room)", rtc_close, "rtm rtc close 7")
    _room(p)
    p = tree.leaf(rtc, "mic", "microphone default of newcomers (set_rtc_room_mic_status)",
                  rtc_mic, "rtm rtc mic 7 off")
    _room(p)
    p.add_argument("status", choices=["on", "off"], help="on or off")
    p = tree.leaf(rtc, "admin", "an admin command on users of a room (admin_command)",
                  rtc_admin, "rtm rtc admin 7 appoint-admin 2",
                  "rtm rtc admin 7 forbid-audio 3,4")
    _room(p)
    p.add_argument("command", choices=list(ADMIN_COMMANDS), metavar="COMMAND",
                   help=", ".join(ADMIN_COMMANDS))
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids")
