"""HTTP side of the local server: stored files download from the URL their message carries.

``GET`` / ``HEAD`` ``/file/<pid>/<mid>`` answers the bytes of the file message ``mid`` of
project ``pid`` (or of the file an end user uploaded as ``mid``) with its Content-Length and a
Content-Type guessed from its extension, or 404 when no such file message is stored (unknown,
cleaned or deleted). Built on aiohttp, the
optional ``server`` extra (``pip install 'rtm-server-sdk[server]'``): without it the server
runs, logs that files cannot be downloaded, and file URLs still identify the files.
Other parts of the server may add routes to :attr:`HttpGate.app` before it starts.
"""

from __future__ import annotations

import logging
import mimetypes
from typing import TYPE_CHECKING, Any

from rtm.server.store import Store

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


class HttpGate:
    """The HTTP listener; ``await start(host, port)`` then :attr:`port` is the bound port."""

    def __init__(self, store: Store, logger: logging.Logger) -> None:
        if _web is None:
            raise RuntimeError("HTTP needs aiohttp: pip install 'rtm-server-sdk[server]'")
        self.store = store
        self.logger = logger
        self.app: web.Application = _web.Application()
        self.app.router.add_get(FILE_PATH + "/{pid}/{mid}", self._file)  # GET also routes HEAD
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
            mid = int(request.match_info["mid"])
        except ValueError:
            raise _web.HTTPNotFound(text="no such file\n") from None
        stored = await self.store.message_file(pid, mid)
        if stored is None:
            raise _web.HTTPNotFound(text="no such file\n")
        return _web.Response(body=stored.content, content_type=content_type(stored.ext),
                             headers={"Cache-Control": "no-store"})
