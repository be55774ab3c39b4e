"""CLI of the users, blocks, groups, rooms, admin, data and devices areas of the current API:
``rtm user``, ``rtm data``, ``rtm block``, the new leaves of ``rtm group``/``rtm room``,
``rtm ban project --mute``, ``rtm ban all-groups|all-rooms`` and ``rtm device option``."""

from __future__ import annotations

import argparse
from typing import Any

from rtm._cli.argtypes import flatten, id_list, int64, int_range
from rtm._cli.commands import CommandError, Context
from rtm.api.models import ObjectInfo, PushOptionType

_seconds = int_range(-(2**31), 2**31 - 1, "seconds")


def _ok(ctx: Context, text: str) -> None:
    ctx.out.result({"ok": True}, text)


def _subcommands(parent: Any, name: str) -> Any:
    """The subparsers action of the existing command ``name`` under ``parent``."""
    parser: argparse.ArgumentParser = parent.choices[name]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise KeyError(name)  # pragma: no cover


def _describe(parent: Any, name: str, text: str) -> None:
    """Re-word the help of the existing command ``name`` (its listing and its page)."""
    parent.choices[name].description = text
    for choice in parent._choices_actions:
        if choice.dest == name:
            choice.help = text


def _mtype_list(text: str) -> list[int]:
    """``30,32``: message types 1..127."""
    mtype = int_range(1, 127, "mtype")
    values = [mtype(part.strip()) for part in text.split(",") if part.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f"expected mtypes like 30,32, got {text!r}")
    return values


def _option_type(text: str) -> PushOptionType:
    try:
        return PushOptionType[text.upper()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"expected p2p or group, got {text!r}") from None


def _read_value(ctx: Context, text: str) -> str:
    if text != "-":
        return text
    data = ctx.stdin.read()
    return data[:-1] if data.endswith("\n") else data


# ------------------------------------------------------------------------------ infos


def _show_info(ctx: Context, key: str, xid: int, what: str, info: ObjectInfo) -> None:
    ctx.out.result({key: xid, "public_info": info.public_info,
                    "private_info": info.private_info},
                   f"{what} public:  {info.public_info}\n{what} private: {info.private_info}")


def _info_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--public", default=None, metavar="TEXT",
                   help="public info, up to 65535 bytes ('' clears it; '-' reads stdin)")
    p.add_argument("--private", default=None, metavar="TEXT",
                   help="private info, same rules (at least one of the two)")


def _info_values(ctx: Context, a: argparse.Namespace) -> tuple[str | None, str | None]:
    if a.public is None and a.private is None:
        raise CommandError("give --public and/or --private", usage=True)
    public = None if a.public is None else _read_value(ctx, a.public)
    private = None if a.private is None else _read_value(ctx, a.private)
    return public, private


def _changed(public: str | None, private: str | None) -> str:
    return " and ".join(n for n, v in (("public", public), ("private", private))
                        if v is not None)


def user_info(ctx: Context, a: argparse.Namespace) -> None:
    _show_info(ctx, "uid", a.uid, f"user {a.uid}", ctx.client().get_user_info(a.uid))


def user_set_info(ctx: Context, a: argparse.Namespace) -> None:
    public, private = _info_values(ctx, a)
    ctx.client().set_user_info(a.uid, public, private)
    _ok(ctx, f"user {a.uid}: {_changed(public, private)} info set")


def user_public_info(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    infos = ctx.client().get_user_public_info(uids)
    for uid in uids:
        if uid in infos:
            ctx.out.result({"uid": uid, "public_info": infos[uid]}, f"{uid}: {infos[uid]}")
    missing = [str(uid) for uid in uids if uid not in infos]
    if missing and not ctx.out.json:
        ctx.out.note(f"no info stored for {', '.join(missing)}")


def user_remove_token(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().remove_token(a.uid)
    _ok(ctx, f"{a.uid}: every login token removed")


def user_add_sessions(ctx: Context, a: argparse.Namespace) -> None:
    peers = flatten(a.peer_uids)
    ctx.client().add_sessions(a.uid, peers)
    _ok(ctx, f"{a.uid}: added {len(peers)} session(s)")


def user_remove_sessions(ctx: Context, a: argparse.Namespace) -> None:
    peers = flatten(a.peer_uids)
    ctx.client().remove_sessions(a.uid, peers)
    _ok(ctx, f"{a.uid}: removed {len(peers)} session(s)")


# ------------------------------------------------------------------------------ data


def data_get(ctx: Context, a: argparse.Namespace) -> None:
    value = ctx.client().get_data(a.uid, a.key)
    ctx.out.result({"uid": a.uid, "key": a.key, "value": value},
                   None if value is None else value)
    if value is None and not ctx.out.json:
        ctx.out.note(f"no value stored under {a.key!r} for {a.uid}")


def data_set(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().set_data(a.uid, a.key, _read_value(ctx, a.value))
    _ok(ctx, f"{a.uid}: {a.key!r} set")


def data_del(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().del_data(a.uid, a.key)
    _ok(ctx, f"{a.uid}: {a.key!r} deleted")


# ------------------------------------------------------------------------------ blocks


def block_add(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.blocked_uids)
    ctx.client().add_blacks(a.uid, uids)
    _ok(ctx, f"{a.uid}: blocked {len(uids)} user(s)")


def block_del(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.blocked_uids)
    ctx.client().del_blacks(a.uid, uids)
    _ok(ctx, f"{a.uid}: unblocked {len(uids)} user(s)")


def block_list(ctx: Context, a: argparse.Namespace) -> None:
    uids = ctx.client().get_blacks(a.uid)
    ctx.out.lines({"uid": a.uid, "blocked": uids}, uids)
    if not uids and not ctx.out.json:
        ctx.out.note(f"{a.uid} has blocked nobody")


def block_check(ctx: Context, a: argparse.Namespace) -> None:
    peers = flatten(a.peer_uids)
    if len(peers) == 1:
        blockers = {peers[0]} if ctx.client().is_black(a.uid, peers[0]) else set()
    else:
        blockers = set(ctx.client().is_blacks(a.uid, peers))
    for peer in peers:
        blocked = peer in blockers
        ctx.out.result({"uid": a.uid, "peer": peer, "blocked": blocked},
                       f"{peer} has {'' if blocked else 'not '}blocked {a.uid}")


# ------------------------------------------------------------------------------ groups, rooms


def group_count(ctx: Context, a: argparse.Namespace) -> None:
    n = ctx.client().get_group_count(a.group_id)
    ctx.out.result({"group_id": a.group_id, "count": n}, str(n))


def group_info(ctx: Context, a: argparse.Namespace) -> None:
    _show_info(ctx, "group_id", a.group_id, f"group {a.group_id}",
               ctx.client().get_group_info(a.group_id))


def group_set_info(ctx: Context, a: argparse.Namespace) -> None:
    public, private = _info_values(ctx, a)
    ctx.client().set_group_info(a.group_id, public, private)
    _ok(ctx, f"group {a.group_id}: {_changed(public, private)} info set")


def group_clear_project(ctx: Context, a: argparse.Namespace) -> None:
    if not a.yes:
        raise CommandError("this deletes every group of the project (members, bans, infos); "
                           "confirm with --yes", usage=True)
    ctx.client().clear_project_group()
    _ok(ctx, "every group of the project deleted")


def room_add(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    members = ctx.client().add_room_members(a.room_id, uids)
    ctx.out.result({"room_id": a.room_id, "members": members},
                   f"room {a.room_id}: {len(members)} of {len(uids)} user(s) in the room")
    left_out = [str(uid) for uid in uids if uid not in members]
    if left_out and not ctx.out.json:
        ctx.out.note(f"not added (already in the maximum number of rooms): "
                     f"{', '.join(left_out)}")


def room_del(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    removed = ctx.client().del_room_members(a.room_id, uids)
    ctx.out.result({"room_id": a.room_id, "removed": removed},
                   f"room {a.room_id}: removed {len(removed)} member(s)")


def room_members(ctx: Context, a: argparse.Namespace) -> None:
    uids = ctx.client().get_room_members(a.room_id)
    ctx.out.lines({"room_id": a.room_id, "members": uids}, uids)
    if not uids and not ctx.out.json:
        ctx.out.note(f"room {a.room_id} has no members")


def room_count(ctx: Context, a: argparse.Namespace) -> None:
    rids = flatten(a.room_ids)
    counts = ctx.client().get_room_count(rids)
    for rid in rids:
        n = counts.get(rid, 0)
        ctx.out.result({"room_id": rid, "count": n}, f"{rid}: {n}")


def room_info(ctx: Context, a: argparse.Namespace) -> None:
    _show_info(ctx, "room_id", a.room_id, f"room {a.room_id}",
               ctx.client().get_room_info(a.room_id))


def room_set_info(ctx: Context, a: argparse.Namespace) -> None:
    public, private = _info_values(ctx, a)
    ctx.client().set_room_info(a.room_id, public, private)
    _ok(ctx, f"room {a.room_id}: {_changed(public, private)} info set")


def room_join(ctx: Context, a: argparse.Namespace) -> None:
    rids = flatten(a.room_ids)
    ctx.client().add_user_rooms(rids, a.uid)
    _ok(ctx, f"{a.uid} is in {len(rids)} more room(s)")


def room_leave(ctx: Context, a: argparse.Namespace) -> None:
    rids = flatten(a.room_ids)
    ctx.client().delete_user_rooms(rids, a.uid)
    _ok(ctx, f"{a.uid} left {len(rids)} room(s)")


# ------------------------------------------------------------------------------ bans


def _duration(seconds: int) -> str:
    return "permanently" if seconds <= 0 else f"for {seconds} s"


def ban_project(ctx: Context, a: argparse.Namespace) -> int | None:
    """``rtm ban project``: the login black list, or with ``--mute`` the project ban."""
    if not a.mute:
        return a.black_list_handler(ctx, a)  # type: ignore[no-any-return]
    client = ctx.client()
    if a.check:
        banned = client.is_project_ban(a.uid)
        ctx.out.result({"uid": a.uid, "muted": banned},
                       f"{a.uid} is {'' if banned else 'not '}muted in the project")
    elif a.remove:
        client.remove_project_ban(a.uid)
        _ok(ctx, f"{a.uid} may send again")
    else:
        client.add_project_ban(a.uid, a.seconds)
        _ok(ctx, f"{a.uid} muted in the project {_duration(a.seconds)}")
    return None


def ban_all_groups(ctx: Context, a: argparse.Namespace) -> None:
    if a.remove:
        ctx.client().remove_group_ban(None, a.uid)
        _ok(ctx, f"{a.uid} may speak in every group again")
    else:
        ctx.client().add_group_ban(None, a.uid, a.seconds)
        _ok(ctx, f"{a.uid} banned in every group {_duration(a.seconds)}")


def ban_all_rooms(ctx: Context, a: argparse.Namespace) -> None:
    if a.remove:
        ctx.client().remove_room_ban(None, a.uid)
        _ok(ctx, f"{a.uid} may speak in every room again")
    else:
        ctx.client().add_room_ban(None, a.uid, a.seconds)
        _ok(ctx, f"{a.uid} banned in every room {_duration(a.seconds)}")


# ------------------------------------------------------------------------------ devices


def option_add(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().add_device_push_option(a.uid, a.option_type, a.xid, a.mtypes)
    what = "every mtype" if not a.mtypes else "mtypes " + ",".join(map(str, a.mtypes))
    _ok(ctx, f"{a.uid}: no offline push from {a.option_type.name.lower()} {a.xid} ({what})")


def option_remove(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().remove_device_push_option(a.uid, a.option_type, a.xid, a.mtypes)
    _ok(ctx, f"{a.uid}: push option for {a.option_type.name.lower()} {a.xid} removed")


def option_list(ctx: Context, a: argparse.Namespace) -> None:
    options = ctx.client().get_device_push_option(a.uid)
    rows: list[list[object]] = []
    for kind, entries in (("p2p", options.p2p), ("group", options.group)):
        for xid, mtypes in sorted(entries.items()):
            rows.append([kind, xid, ",".join(map(str, mtypes)) or "all"])
    if ctx.out.json:
        ctx.out.result({"uid": a.uid,
                        "p2p": {str(k): v for k, v in options.p2p.items()},
                        "group": {str(k): v for k, v in options.group.items()}})
    elif rows:
        ctx.out.table(["TYPE", "ID", "MTYPES"], rows)
    else:
        ctx.out.note(f"{a.uid} has no push options")


# ------------------------------------------------------------------------------ the tree


def register(tree: Any, top: Any) -> None:
    """Add this area's subcommands."""
    t = tree

    # --- user
    us = t.group(top, "user", "user infos, tokens and sessions",
                 "rtm user info 1", "rtm user set-info 1 --public 'Alice'",
                 "rtm user public-info 1 2 3")
    p = t.leaf(us, "info", "public and private info of a user (get_user_info)", user_info,
               "rtm user info 1")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p = t.leaf(us, "set-info", "set a user's public and/or private info (set_user_info)",
               user_set_info, "rtm user set-info 1 --public Alice --private 'vip'")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    _info_options(p)
    p = t.leaf(us, "public-info", "public info of up to 100 users (get_user_public_info)",
               user_public_info, "rtm user public-info 1 2,3")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids")
    p = t.leaf(us, "remove-token", "invalidate every login token of a user (remove_token)",
               user_remove_token, "rtm user remove-token 1")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    for name, handler, verb, method in (
            ("add-sessions", user_add_sessions, "add", "add_sessions"),
            ("remove-sessions", user_remove_sessions, "remove", "remove_sessions")):
        p = t.leaf(us, name, f"{verb} conversations of a user's session list ({method})",
                   handler, f"rtm user {name} 1 2,3")
        p.add_argument("uid", metavar="UID", type=int64, help="user")
        p.add_argument("peer_uids", metavar="PEER", type=id_list, nargs="+",
                       help="peer uids, up to 100")

    # --- data
    da = t.group(top, "data", "per-user key/value data kept by RTM",
                 "rtm data set 1 theme dark", "rtm data get 1 theme", "rtm data del 1 theme")
    p = t.leaf(da, "get", "the value of a key (get_data)", data_get, "rtm data get 1 theme")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("key", metavar="KEY", help="key, 1..128 bytes")
    p = t.leaf(da, "set", "store a value under a key (set_data)", data_set,
               "rtm data set 1 theme dark", "echo '{\"a\": 1}' | rtm data set 1 prefs -")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("key", metavar="KEY", help="key, 1..128 bytes")
    p.add_argument("value", metavar="VALUE", help="value, up to 65535 bytes; '-' reads stdin")
    p = t.leaf(da, "del", "delete a key (del_data)", data_del, "rtm data del 1 theme")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("key", metavar="KEY", help="key")

    # --- block
    bl = t.group(top, "block", "user-level blocks: a blocked user cannot message the blocker",
                 "rtm block add 1 2", "rtm block list 1", "rtm block check 2 1")
    p = t.leaf(bl, "add", "block users, up to 100 (add_blacks)", block_add,
               "rtm block add 1 2 3")
    p.add_argument("uid", metavar="UID", type=int64, help="the blocking user")
    p.add_argument("blocked_uids", metavar="BLOCKED", type=id_list, nargs="+",
                   help="uids to block")
    p = t.leaf(bl, "del", "unblock users (del_blacks)", block_del, "rtm block del 1 3")
    p.add_argument("uid", metavar="UID", type=int64, help="the blocking user")
    p.add_argument("blocked_uids", metavar="BLOCKED", type=id_list, nargs="+",
                   help="uids to unblock")
    p = t.leaf(bl, "list", "the users a user has blocked (get_blacks)", block_list,
               "rtm block list 1")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p = t.leaf(bl, "check", "has PEER blocked UID? one peer: is_black, several: is_blacks",
               block_check, "rtm block check 2 1 3")
    p.add_argument("uid", metavar="UID", type=int64, help="the would-be sender")
    p.add_argument("peer_uids", metavar="PEER", type=id_list, nargs="+",
                   help="the would-be receivers")

    # --- group: count, info, set-info, clear-project
    gr = _subcommands(top, "group")
    p = t.leaf(gr, "count", "the number of members (get_group_count)", group_count,
               "rtm group count 5")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p = t.leaf(gr, "info", "public and private info of a group (get_group_info)", group_info,
               "rtm group info 5")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p = t.leaf(gr, "set-info", "set a group's public and/or private info (set_group_info)",
               group_set_info, "rtm group set-info 5 --public 'Book club'")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    _info_options(p)
    p = t.leaf(gr, "clear-project", "delete every group of the project (clear_project_group)",
               group_clear_project, "rtm group clear-project --yes")
    p.add_argument("--yes", action="store_true", help="really delete every group")

    # --- room: add/del in one call each, members, count, info, set-info, join, leave
    rm = _subcommands(top, "room")
    t.restate(top.choices["room"], "rooms: membership, counts, infos")
    t.restate(top.choices["group"], "groups: membership, counts, infos")
    for name, handler, method in (("add", room_add, "add_room_members"),
                                  ("del", room_del, "del_room_members")):
        leaf = rm.choices[name]
        leaf.set_defaults(handler=handler)
        what = f"{'put users in' if name == 'add' else 'take users out of'} a room ({method})"
        _describe(rm, name, what)
        leaf.description = what + ", up to 100 in one call"
    p = t.leaf(rm, "members", "list the members (get_room_members)", room_members,
               "rtm room members 7")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    p = t.leaf(rm, "count", "members per room, up to 100 rooms (get_room_count)", room_count,
               "rtm room count 7 8,9")
    p.add_argument("room_ids", metavar="ROOM", type=id_list, nargs="+", help="room ids")
    p = t.leaf(rm, "info", "public and private info of a room (get_room_info)", room_info,
               "rtm room info 7")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    p = t.leaf(rm, "set-info", "set a room's public and/or private info (set_room_info)",
               room_set_info, "rtm room set-info 7 --public lobby")
    p.add_argument("room_id", metavar="ROOM", type=int64, help="room id")
    _info_options(p)
    p = t.leaf(rm, "join", "put a user into several rooms, all or nothing (add_user_rooms)",
               room_join, "rtm room join 1 7,8")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("room_ids", metavar="ROOM", type=id_list, nargs="+", help="room ids")
    p = t.leaf(rm, "leave", "take a user out of several rooms (delete_user_rooms)",
               room_leave, "rtm room leave 1 7,8")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("room_ids", metavar="ROOM", type=id_list, nargs="+", help="room ids")

    # --- ban: project --mute, all-groups, all-rooms
    ban = _subcommands(top, "ban")
    project = ban.choices["project"]
    project.add_argument("--mute", action="store_true",
                         help="the project ban instead: no sending, login still allowed "
                              "(add_project_ban, remove_project_ban, is_project_ban)")
    project.set_defaults(handler=ban_project,
                         black_list_handler=project.get_default("handler"))
    project.epilog = ((project.epilog or "").replace("example:\n", "examples:\n")
                      + "\n  rtm ban project 9 --mute --seconds 600")
    for name, handler, where in (("all-groups", ban_all_groups, "group"),
                                 ("all-rooms", ban_all_rooms, "room")):
        p = t.leaf(ban, name, f"mute a user in every {where}, also those joined later "
                              f"(add_{where}_ban / remove_{where}_ban without an id)",
                   handler, f"rtm ban {name} 1 --seconds 600", f"rtm ban {name} 1 --remove")
        p.add_argument("uid", metavar="UID", type=int64, help="user")
        p.add_argument("--seconds", "-s", type=_seconds, default=0,
                       help="ban duration (default 0 = permanent)")
        p.add_argument("--remove", action="store_true",
                       help=f"lift the ban and every {where} ban of the user instead")

    # --- device option
    dev = _subcommands(top, "device")
    opt = t.group(dev, "option", "offline-push options: mute a peer or a group (add, remove, "
                                 "list)", "rtm device option add 1 p2p 2 --mtypes 30,32",
                  "rtm device option list 1")
    for name, handler, method, verb in (
            ("add", option_add, "add_device_push_option", "no offline push for"),
            ("remove", option_remove, "remove_device_push_option", "push again for")):
        p = t.leaf(opt, name, f"{verb} messages from a peer or a group ({method})", handler,
                   f"rtm device option {name} 1 group 5",
                   f"rtm device option {name} 1 p2p 2 --mtypes 30,32")
        p.add_argument("uid", metavar="UID", type=int64, help="the receiving user")
        p.add_argument("option_type", metavar="TYPE", type=_option_type,
                       help="p2p (XID is a peer uid) or group (XID is a group id)")
        p.add_argument("xid", metavar="XID", type=int64, help="peer uid or group id")
        p.add_argument("--mtypes", type=_mtype_list, default=None, metavar="MTYPE,...",
                       help="only these message types (default: every type)")
    p = t.leaf(opt, "list", "the push options of a user (get_device_push_option)",
               option_list, "rtm device option list 1")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
