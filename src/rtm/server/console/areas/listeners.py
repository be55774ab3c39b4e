"""Server connections, what they listen to in this project, and push statistics."""

from __future__ import annotations

from typing import Any

from rtm.server.console.markup import Html, Table, tag
from rtm.server.console.panels import Ctx, page, panel
from rtm.server.listen import ListenState

page("listeners", "Listeners", order=80)


def _flags(state: ListenState) -> str:
    names = [name for name, on in (("all P2P", state.all_p2p), ("all groups",
             state.all_groups), ("all rooms", state.all_rooms),
             ("all events", state.all_events)) if on]
    return ", ".join(names) or "—"


def _ids(values: set[int] | set[str]) -> str:
    shown = sorted(values, key=str)[:50]
    return ", ".join(map(str, shown)) + (" …" if len(values) > 50 else "") if shown else "—"


@panel("listeners", "connections", "Server-API connections", order=10)
async def connections(ctx: Ctx) -> Table:
    rows: list[list[Any]] = []
    for conn in sorted(ctx.hub.servers.values(), key=lambda c: c.id):
        states = conn.state.get("listen") or {}
        state = states.get(ctx.pid)
        if state is None:
            rows.append([conn.id, conn.peer, "not listening to this project", "", "", "",
                         ""])
            continue
        rows.append([conn.id, conn.peer, _flags(state), _ids(state.uids), _ids(state.gids),
                     _ids(state.rids), _ids(state.events)])
    return Table(("connection", "endpoint", "listens to", "uids", "gids", "rids", "events"),
                 rows, empty="No server-API connection is open.")


@panel("listeners", "pushes", "Pushes (whole server)", order=20)
async def pushes(ctx: Ctx) -> Html:
    hub = ctx.hub
    return tag("p", f"{hub.pushes_sent:,} pushes answered, {hub.pushes_failed:,} failed or "
                    "unanswered since start.")
