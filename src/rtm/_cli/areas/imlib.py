"""CLI: the IM library (``rtm im ...``): profiles, IM groups, apply and invite grants."""

from __future__ import annotations

import argparse
from typing import Any

from rtm._cli.argtypes import flatten, id_list, int64
from rtm._cli.commands import CommandError, Context, _ok
from rtm.api.models import IMApplyGrant, IMObjectType

OBJECT_TYPES = {t.name.lower(): t for t in IMObjectType}
GRANTS = {g.name.lower(): g for g in IMApplyGrant}
GRANT_NAMES = {int(g): g.name.lower() for g in IMApplyGrant}


def key_value(text: str) -> tuple[str, str]:
    """``key=value`` (the value may be empty or contain ``=``)."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    return key, value


def _profiles(ctx: Context, what: str, ids: list[int],
              infos: dict[int, dict[str, str]]) -> None:
    if ctx.out.json:
        ctx.out.result({"infos": {str(k): v for k, v in infos.items()}})
        return
    rows = [[xid, key, value] for xid in ids for key, value in sorted(infos.get(xid, {}).items())]
    if rows:
        ctx.out.table([what.upper(), "KEY", "VALUE"], rows)
    missing = [xid for xid in ids if xid not in infos]
    if missing:
        ctx.out.note(f"no IM profile: {', '.join(map(str, missing))}")


def set_user(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().imserver_set_user_infos(a.uid, dict(a.infos))
    _ok(ctx, f"user {a.uid}: {len(a.infos)} info(s) set")


def users(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    _profiles(ctx, "uid", uids, ctx.client().imserver_get_user_infos(uids))


def set_group(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().imserver_set_group_infos(a.group_id, dict(a.infos))
    _ok(ctx, f"group {a.group_id}: {len(a.infos)} info(s) set")


def groups(ctx: Context, a: argparse.Namespace) -> None:
    gids = flatten(a.group_ids)
    _profiles(ctx, "gid", gids, ctx.client().imserver_get_group_infos(gids))


def create(ctx: Context, a: argparse.Namespace) -> None:
    permissions = None
    if a.grant is not None:
        permissions = {"type": str(int(GRANTS[a.grant]))}
        if a.password:
            permissions["extra"] = a.password
    elif a.password:
        raise CommandError("--password needs --grant password", usage=True)
    ctx.client().imserver_create_group(a.group_id, a.owner, dict(a.infos), permissions)
    _ok(ctx, f"IM group {a.group_id} created, owned by {a.owner}")


def dismiss(ctx: Context, a: argparse.Namespace) -> None:
    ctx.client().imserver_dismiss_group(a.group_id)
    _ok(ctx, f"IM group {a.group_id} dismissed")


def add(ctx: Context, a: argparse.Namespace) -> None:
    uids = flatten(a.uids)
    ctx.client().imserver_add_group_members(a.group_id, uids)
    _ok(ctx, f"IM group {a.group_id}: added {len(uids)} member(s)")


def apply_grant(ctx: Context, a: argparse.Namespace) -> None:
    client, kind = ctx.client(), OBJECT_TYPES[a.kind]
    if a.grant is None:
        grant = client.imserver_get_apply_grant(kind, a.xid)
        name = GRANT_NAMES.get(grant, str(grant))
        ctx.out.result({"type": a.kind, "xid": a.xid, "grant_type": grant, "grant": name},
                       f"{a.kind} {a.xid}: {name}")
        return
    client.imserver_set_apply_grant(kind, a.xid, GRANTS[a.grant], a.password)
    _ok(ctx, f"{a.kind} {a.xid}: apply grant {a.grant}")


def invite_grant(ctx: Context, a: argparse.Namespace) -> None:
    client, kind = ctx.client(), OBJECT_TYPES[a.kind]
    if a.invite is None and a.manage is None:
        res = client.imserver_get_invite_grant(kind, a.xid)
        ctx.out.result(
            {"type": a.kind, "xid": a.xid, "invite_type": res.invite_type,
             "invite_manage_type": res.invite_manage_type},
            f"{a.kind} {a.xid}: members {'may' if res.invite_type else 'may not'} invite; "
            f"invitees {'join directly' if res.invite_manage_type else 'need approval'}")
        return
    if a.invite is None or a.manage is None:
        raise CommandError("give both --invite and --manage (or neither, to read)", usage=True)
    client.imserver_set_invite_grant(kind, a.xid, int(a.invite == "yes"),
                                     int(a.manage == "direct"))
    _ok(ctx, f"{a.kind} {a.xid}: invite grant set")


def register(tree: Any, top: Any) -> None:
    """Add ``im`` and its subcommands."""
    im = tree.group(top, "im", "the IM library: profiles, IM groups, apply and invite grants",
                    "rtm im set-user 1 nick=Alice level=3", "rtm im create 10 1 name=Ten",
                    "rtm im apply-grant group 10 password --password pw")
    p = tree.leaf(im, "set-user", "merge infos into a user's IM profile "
                  "(imserver_set_user_infos)", set_user, "rtm im set-user 1 nick=Alice")
    p.add_argument("uid", metavar="UID", type=int64, help="user")
    p.add_argument("infos", metavar="KEY=VALUE", type=key_value, nargs="+", help="infos")
    p = tree.leaf(im, "users", "IM profiles of users (imserver_get_user_infos)", users,
                  "rtm im users 1 2,3")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids, up to 100")
    p = tree.leaf(im, "set-group", "merge infos into a group's IM profile "
                  "(imserver_set_group_infos)", set_group, "rtm im set-group 10 name=Ten")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p.add_argument("infos", metavar="KEY=VALUE", type=key_value, nargs="+", help="infos")
    p = tree.leaf(im, "groups", "IM profiles of groups (imserver_get_group_infos)", groups,
                  "rtm im groups 10 11")
    p.add_argument("group_ids", metavar="GROUP", type=id_list, nargs="+",
                   help="group ids, up to 100")
    p = tree.leaf(im, "create", "create an IM group; the owner joins it "
                  "(imserver_create_group)", create, "rtm im create 10 1 name=Ten",
                  "rtm im create 11 1 name=Club --grant password --password s3cret")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p.add_argument("owner", metavar="OWNER", type=int64, help="owner uid")
    p.add_argument("infos", metavar="KEY=VALUE", type=key_value, nargs="*",
                   help="the group's profile")
    p.add_argument("--grant", choices=list(GRANTS), default=None,
                   help="who may join (default anyone)")
    p.add_argument("--password", default="", help="the password of --grant password")
    p = tree.leaf(im, "dismiss", "dismiss an IM group: members, bans, history, IM record "
                  "(imserver_dismiss_group)", dismiss, "rtm im dismiss 10")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p = tree.leaf(im, "add", "add members to an IM group (imserver_add_group_members)", add,
                  "rtm im add 10 2 3")
    p.add_argument("group_id", metavar="GROUP", type=int64, help="group id")
    p.add_argument("uids", metavar="UID", type=id_list, nargs="+", help="uids, up to 100")
    p = tree.leaf(im, "apply-grant", "read or set who may join a user/group/room "
                  "(imserver_get_apply_grant, imserver_set_apply_grant)", apply_grant,
                  "rtm im apply-grant group 10", "rtm im apply-grant group 10 approval")
    p.add_argument("kind", choices=list(OBJECT_TYPES), help="user, group or room")
    p.add_argument("xid", metavar="ID", type=int64, help="its id")
    p.add_argument("grant", nargs="?", choices=list(GRANTS), default=None,
                   help="set it: anyone, approval, nobody or password (omit to read)")
    p.add_argument("--password", default="", help="the password of grant password")
    p = tree.leaf(im, "invite-grant", "read or set the invitation rules of a group/room "
                  "(imserver_get_invite_grant, imserver_set_invite_grant)", invite_grant,
                  "rtm im invite-grant group 10",
                  "rtm im invite-grant group 10 --invite yes --manage direct")
    p.add_argument("kind", choices=["group", "room"], help="group or room")
    p.add_argument("xid", metavar="ID", type=int64, help="its id")
    p.add_argument("--invite", choices=["yes", "no"], default=None,
                   help="may members invite?")
    p.add_argument("--manage", choices=["approve", "direct"], default=None,
                   help="approve: an admin approves invitees; direct: they join")
