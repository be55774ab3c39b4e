"""The IM library, read-only: IM groups with their owner and profile, user profiles, apply
and invite grants (``imserver_*`` commands); what end users did with it (``imclient_*``):
applications and invitations, managers, IM rooms with their owner."""

from __future__ import annotations

from rtm.server.console.markup import Html, Table, tag, when
from rtm.server.console.panels import Ctx, page, panel

page("imlib", "IM library", order=75)

_KINDS = {0: "user", 1: "group", 2: "room"}


def _profile(infos: dict[str, str] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted((infos or {}).items()))


def _target(ctx: Ctx, kind: int, xid: int) -> Html:
    if kind == 0:
        return ctx.user_link(xid)
    if kind == 1:
        return ctx.group_link(xid)
    return ctx.room_link(xid) if kind == 2 else tag("span", xid)


@panel("imlib", "groups", "IM groups", order=10)
async def im_groups(ctx: Ctx) -> Table:
    listing = await ctx.store.im_listing(ctx.pid)
    infos = await ctx.store.im_group_infos(ctx.pid, [g for g, _o, _c in listing.groups])
    rows = [[ctx.group_link(gid), ctx.user_link(owner), when(created), _profile(infos.get(gid))]
            for gid, owner, created in listing.groups]
    return Table(("gid", "owner", "created", "profile"), rows, empty="No IM group.")


@panel("imlib", "users", "User profiles", order=20)
async def im_users(ctx: Ctx) -> Table:
    listing = await ctx.store.im_listing(ctx.pid)
    infos = await ctx.store.im_user_infos(ctx.pid, listing.users)
    rows = [[ctx.user_link(uid), _profile(infos.get(uid))] for uid in listing.users]
    return Table(("uid", "profile"), rows, empty="No IM user profile.")


@panel("imlib", "grants", "Apply and invite grants", order=30)
async def im_grants(ctx: Ctx) -> Table:
    listing = await ctx.store.im_listing(ctx.pid)
    rows: list[list[object]] = [
        ["apply", _KINDS.get(kind, kind), _target(ctx, kind, xid), f"grant type {grant}",
         extra] for kind, xid, grant, extra in listing.apply_grants]
    rows += [["invite", _KINDS.get(kind, kind), _target(ctx, kind, xid),
              f"invite type {invite}, manage type {manage}", ""]
             for kind, xid, invite, manage in listing.invite_grants]
    return Table(("grant", "on", "id", "setting", "extra"), rows, empty="No grant is set.")


_STATUS = {0: "pending", 1: "accepted", 2: "refused"}


@panel("imlib", "requests", "Applications and invitations (end users)", order=40)
async def im_requests(ctx: Ctx) -> Table:
    listing = await ctx.store.im_client_listing(ctx.pid)
    rows: list[list[object]] = [
        ["application", _target(ctx, a.kind, a.xid), ctx.user_link(a.from_uid),
         ctx.user_link(a.invite_uid) if a.invite_uid else "", _STATUS.get(a.status, a.status),
         a.extra, a.attrs, when(a.created_ms)] for a in listing.applications]
    rows += [["invitation", _target(ctx, i.kind, i.xid), ctx.user_link(i.to_uid),
              ctx.user_link(i.from_uid), "pending", i.extra, i.attrs, when(i.created_ms)]
             for i in listing.invitations]
    return Table(("request", "to", "who", "invited by", "status", "extra", "attrs", "when"),
                 rows, empty="No application or invitation.")


@panel("imlib", "roles", "Owners of IM rooms and managers", order=50)
async def im_roles(ctx: Ctx) -> Table:
    listing = await ctx.store.im_client_listing(ctx.pid)
    rows: list[list[object]] = [[_target(ctx, 2, rid), "owner", ctx.user_link(owner)]
                                for rid, owner in listing.rooms]
    rows += [[_target(ctx, kind, xid), "manager", ctx.user_link(uid)]
             for kind, xid, uid in listing.managers]
    return Table(("group or room", "role", "uid"), rows,
                 empty="No IM room owner and no manager.")
