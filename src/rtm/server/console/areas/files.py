"""Files stored by the file gate; file messages link to their download."""

from __future__ import annotations

import json

from rtm.server.console.markup import Html, Table, link, when
from rtm.server.console.panels import Ctx, page, panel
from rtm.server.gate_file import parse_file_url

page("files", "Files", order=50)

PAGE_SIZE = 100


def download_href(pid: int, file_id: str) -> str:
    return f"/p/{pid}/file/{file_id}"


def file_reference(msg: str | bytes) -> tuple[int, str] | None:
    """(pid, file id) of a file message body: ``rtm-file://pid/id`` or the later JSON form
    ``{"url": "rtm-file://pid/id", ...}``."""
    if isinstance(msg, bytes):
        try:
            msg = msg.decode()
        except UnicodeDecodeError:
            return None
    found = parse_file_url(msg)
    if found is not None or not msg.startswith("{"):
        return found
    try:
        obj = json.loads(msg)
    except ValueError:
        return None
    value = obj.get("url") if isinstance(obj, dict) else None
    return parse_file_url(value) if isinstance(value, str) else None


def file_link(ctx: Ctx, msg: str | bytes) -> Html | None:
    ref = file_reference(msg)
    if ref is None or ref[0] != ctx.pid:
        return None
    return link(download_href(ctx.pid, ref[1]), "download file", class_="file")


@panel("files", "list", "Stored files", order=10)
async def files(ctx: Ctx) -> Table:
    offset = ctx.query_int("offset", 0)
    found = await ctx.store.list_files(ctx.pid, limit=PAGE_SIZE + 1, offset=offset)
    rows = [[f.filename or "(no name)", f.ext, f"{f.size:,}", when(f.created_ms),
             link(download_href(ctx.pid, f.file_id), "download")]
            for f in found[:PAGE_SIZE]]
    more = (link(ctx.href("files", offset=offset + PAGE_SIZE), "next page →")
            if len(found) > PAGE_SIZE else None)
    return Table(("name", "ext", "bytes", "stored", ""), rows, empty="No file was sent.",
                 footer=more)
