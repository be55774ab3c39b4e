"""HTTP side of the local server: stored files download from the URL their message carries.

``GET`` / ``HEAD`` ``/file/<pid>/<file_id>`` answers the bytes of a stored file while a stored,
not deleted message carries it or an end user's ``uploadfile`` stored it
(``/file/<pid>/<mid>``: the URLs of earlier databases, while their message is stored), else
404. Every download is an attachment with ``nosniff`` and a
CSP that forbids everything, like the web console's downloads, and readable by the scripts of
any web page (CORS ``*``, no credentials); its type is the media type of
an image, audio or video file and opaque bytes for anything else: an uploaded ``x.html``
never renders in the browser of whoever opens its URL. Built on aiohttp,
the optional ``server`` extra (``pip install 'rtm-server-sdk[server]'``): without it the server
runs, logs that files cannot be downloaded, and file URLs still identify the files.
Other parts of the server may add routes to :attr:`HttpGate.app` before it starts.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from typing import TYPE_CHECKING, Any, Final

from rtm.server.store import Store, StoredFile

if TYPE_CHECKING:
    from aiohttp import web

FILE_PATH = "/file"

try:
    from aiohttp import web as _web
except ImportError:  # pragma: no cover - exercised only without the extra
    _web = None  # type: ignore[assignment]


def http_available() -> bool:
    """Whether aiohttp (the ``server`` extra) is installed."""
    return _web is not None


def content_type(ext: str) -> str:
    guessed, _ = mimetypes.guess_type(f"file.{ext}") if ext else (None, None)
    return guessed or "application/octet-stream"


#: The type of a download that is not passive media: the uploader's name is never trusted
#: to say what a browser may render.
DOWNLOAD_CONTENT_TYPE: Final = "application/octet-stream"
#: Nothing in a download may load, run or be framed, even if a browser renders it anyway.
DOWNLOAD_CSP: Final = "default-src 'none'; frame-ancestors 'none'; sandbox"


def download_content_type(ext: str) -> str:
    """Images, audio and video keep their type (players use it; they run no script), except
    SVG, which is a document; everything else, HTML included, is opaque bytes."""
    guessed = content_type(ext)
    if guessed.startswith(("image/", "audio/", "video/")) and "svg" not in guessed:
        return guessed
    return DOWNLOAD_CONTENT_TYPE


def download_name(stored: StoredFile) -> str:
    """The attachment's file name: the uploaded name (with its extension), reduced to
    ``[A-Za-z0-9._-]`` so that it cannot break out of the header."""
    name = stored.filename or f"{stored.file_id[:16]}.{stored.ext or 'bin'}"
    if stored.ext and "." not in name:
        name = f"{name}.{stored.ext}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


#: A web app's scripts may read a received file (fetch an audio message to decode it, save
#: an attachment): without this the browser blocks the read. The URL is already the only
#: key to the file, and ``*`` never lets a browser send credentials with the request.
FILE_CORS_HEADERS: Final = {"Access-Control-Allow-Origin": "*"}


def download_headers(stored: StoredFile) -> dict[str, str]:
    """Headers of a stored file's download (HTTP listener and web console alike)."""
    return {
        "Content-Disposition": f'attachment; filename="{download_name(stored)}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Cache-Control": "no-store",
    }


class HttpGate:
    """The HTTP listener; ``await start(host, port)`` then :attr:`port` is the bound port."""

    def __init__(self, store: Store, logger: logging.Logger) -> None:
        if _web is None:
            raise RuntimeError("HTTP needs aiohttp: pip install 'rtm-server-sdk[server]'")
        self.store = store
        self.logger = logger
        self.app: web.Application = _web.Application()
        self.app.router.add_get(FILE_PATH + "/{pid}/{ref}", self._file)  # GET also routes HEAD
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        assert _web is not None
        runner = _web.AppRunner(self.app, access_log=None)
        await runner.setup()
        site = _web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address: Any = runner.addresses[0]  # (host, port[, ...]) of the bound socket
        self.port = int(address[1])

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _file(self, request: web.Request) -> web.StreamResponse:
        assert _web is not None
        try:
            pid = int(request.match_info["pid"])
        except ValueError:
            raise _web.HTTPNotFound(text="no such file\n") from None
        ref = request.match_info["ref"]
        stored = (await self.store.message_file(pid, int(ref)) if ref.isdigit()
                  else await self.store.live_file(pid, ref))
        if stored is None:
            raise _web.HTTPNotFound(text="no such file\n")
        return _web.Response(body=stored.content,
                             content_type=download_content_type(stored.ext),
                             headers={**download_headers(stored), **FILE_CORS_HEADERS})
