"""The Live page: a skeleton the browser fills from the live WebSocket (static/live.js)."""

from __future__ import annotations

from rtm.server.console.markup import Html, join, tag
from rtm.server.console.panels import Ctx, page, panel

page("live", "Live", order=10)

_COLUMNS = ("time", "gate", "", "method", "uids", "ids", "size", "status", "latency")


@panel("live", "stream", "Quests and pushes as they happen", order=10)
async def stream(ctx: Ctx) -> Html:
    controls = join([
        tag("label", Html("method " + tag("input", type="text", name="method", size="16",
                                          placeholder="e.g. sendmsg,getp2pmsg"))),
        tag("label", Html("uid " + tag("input", type="text", name="uid", size="10",
                                       inputmode="numeric"))),
        tag("label", Html(tag("input", type="checkbox", name="errors", value="1")
                          + " errors only")),
        tag("button", "Pause", type="button", id="live-pause"),
        tag("span", "connecting…", id="live-status", class_="status"),
    ])
    head = tag("thead", tag("tr", join(tag("th", c) for c in _COLUMNS)))
    table = tag("table", Html(head + tag("tbody", "", id="live-rows")), id="live-table",
                class_="live")
    detail = tag("aside", Html(tag("h2", "Details") + tag(
        "p", "Click a row to see its params and answer (signs, tokens and secrets are masked).",
        class_="empty") + tag("pre", "", id="live-detail-body")), id="live-detail")
    # The rows never wrap: the table scrolls sideways in its own box rather than run under
    # the details panel on a narrow window.
    rows = tag("div", table, class_="live-rows-box")
    return tag("section", Html(tag("form", controls, id="live-filter", class_="filters")
                               + tag("div", Html(rows + detail), class_="live-split")),
               id="live", data_ws=f"/p/{ctx.pid}/live/ws",
               data_detail=f"/p/{ctx.pid}/live/event/")
