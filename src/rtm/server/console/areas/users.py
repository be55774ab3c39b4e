"""Users: who is online on the client gate (kick out), and one user's page with its
sessions and login tokens (never the tokens themselves)."""

from __future__ import annotations

from typing import Any

from rtm.server.console.markup import Field, Html, Table, join, tag, when
from rtm.server.console.panels import Ctx, action, page, panel
from rtm.server.pushes import STATE_LOGIN_MS

page("users", "Users", order=20)
page("user", "User {subject}", subject="uid", order=20)


def open_form(ctx: Ctx, page_key: str, label: str) -> Html:
    """A GET form jumping to the detail page of the id typed in."""
    return tag("form", join([
        tag("label", Html(f"{label} " + tag("input", type="text", name="id", size="12",
                                               inputmode="numeric", required=True))),
        tag("button", "Open", type="submit"),
    ]), method="get", action=f"/p/{ctx.pid}/open/{page_key}", class_="action inline")


def _transport(conn: Any) -> str:
    """``tcp`` or ``ws`` (FPNN inside WebSocket messages), with TLS or FPNN encryption."""
    name = "ws" if getattr(conn, "websocket", False) else "tcp"
    if getattr(conn, "tls", False):
        name += " + tls"
    return f"{name}, encrypted" if conn.encrypted else name


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _attrs(value: object) -> str:
    if not isinstance(value, dict):
        return ""
    return ", ".join(f"{k}={v}" for k, v in sorted(value.items()))


def _sessions(ctx: Ctx, uid: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for conn in ctx.hub.connections(ctx.pid, uid):
        login = conn.state.get(STATE_LOGIN_MS)
        state = conn.state  # what the connection sent at auth (and addattrs since)
        rows.append([ctx.user_link(uid), conn.peer, conn.id,
                     when(login if isinstance(login, int) else None, never="?"),
                     _transport(conn), _text(state.get("version")), _text(state.get("lang")),
                     _attrs(state.get("attrs")),
                     ctx.form("kickout", "Kick out", hidden={"uid": uid, "ce": conn.peer},
                              danger=True, inline=True)])
    return rows


_SESSION_COLUMNS = ("uid", "endpoint", "connection", "logged in", "transport", "version",
                    "lang", "attributes", "")


@panel("users", "online", "Online end users (client gate)", order=10)
async def online(ctx: Ctx) -> Table:
    rows: list[list[Any]] = []
    for uid in sorted(ctx.hub.clients.get(ctx.pid, {})):
        rows.extend(_sessions(ctx, uid))
    return Table(_SESSION_COLUMNS, rows, empty="Nobody is logged in on the client gate.")


@panel("users", "open", "Open a user", order=20)
async def open_user(ctx: Ctx) -> Html:
    return Html(open_form(ctx, "user", "uid") + tag(
        "p", "A user's page shows its sessions, tokens, friends, groups, rooms, devices and "
             "conversations.", class_="hint"))


@panel("user", "sessions", "Sessions on the client gate", order=10)
async def sessions(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    return Table(_SESSION_COLUMNS, _sessions(ctx, uid), empty="Not online.",
                 footer=ctx.form("kickout", "Kick out every session", hidden={"uid": uid},
                                 danger=True) if ctx.hub.is_online(ctx.pid, uid) else None)


@panel("user", "tokens", "Login tokens", order=15)
async def tokens(ctx: Ctx) -> Table:
    uid = ctx.subject_id()
    summary = await ctx.store.token_summary(ctx.pid, uid)
    rows = [[summary.valid, when(summary.expires_ms) if summary.valid else "",
             ctx.form("removetoken", "Revoke all", hidden={"uid": uid}, danger=True,
                      inline=True) if summary.valid else ""]]
    return Table(("valid tokens", "last one expires", ""), rows)


@action("kickout", Field("uid", "uid"), Field("ce", "endpoint", "text", required=False))
async def kickout(ctx: Ctx, v: dict[str, Any]) -> str:
    params: dict[str, Any] = {"uid": v["uid"]}
    if v["ce"]:
        params["ce"] = v["ce"]
    online = len(ctx.hub.connections(ctx.pid, v["uid"]))
    await ctx.call("kickout", **params)
    if not online:
        return f"uid {v['uid']} was not online"
    return f"kicked out uid {v['uid']}" + (f" ({v['ce']})" if v["ce"] else "")


@action("removetoken", Field("uid", "uid"))
async def removetoken(ctx: Ctx, v: dict[str, Any]) -> str:
    await ctx.call("removetoken", uid=v["uid"])
    return f"every login token of uid {v['uid']} revoked"
