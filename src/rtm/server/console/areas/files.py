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


def _file_url(msg: str | bytes) -> str | None:
    """The URL of a file message body: ``rtm-file://pid/id`` (0.1.0 form) or the ``url`` of
    the current JSON form ``{"url": ..., "size": ...}``."""
    if isinstance(msg, bytes):
        try:
            msg = msg.decode()
        except UnicodeDecodeError:
            return None
    if not msg.startswith("{"):
        return msg
    try:
        obj = json.loads(msg)
    except ValueError:
        return None
    value = obj.get("url") if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


def file_link(ctx: Ctx, msg: str | bytes) -> Html | None:
    """A download link: the console serves 0.1.0 file references, the server's HTTP listener
    serves the current ones (their URL is the download)."""
    url = _file_url(msg)
    if url is None:
        return None
    ref = parse_file_url(url)
    if ref is None or ref[0] != ctx.pid:
        return None
    pid, key = ref
    if isinstance(key, str):  # <base>/<pid>/<file id> or rtm-file://<pid>/<file id>
        return link(download_href(pid, key), "download file", class_="file")
    return link(url, "download file", class_="file")


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
