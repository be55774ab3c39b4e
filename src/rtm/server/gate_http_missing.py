"""The file URLs' port when aiohttp (the ``server`` extra) is not installed.

Stored files are downloaded over HTTP with aiohttp. Without it the server still binds the
HTTP port, so a file message's URL always names a real port (never ``:0``), and answers
every request there with ``503 Service Unavailable`` saying what to install: whoever opens
the URL learns why it does not download, and the same URLs work once the extra is installed
(on a fixed port).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

#: What to install for file downloads and the web console.
SERVER_EXTRA_HINT: Final = "pip install 'rtm-server-sdk[server]'"

_BODY: Final = (f"Downloads of stored files need aiohttp, which is not installed: "
                f"{SERVER_EXTRA_HINT}, then restart the server.\n").encode()
#: a request head larger than this is not read to its end (the answer is the same)
_MAX_HEAD: Final = 16384


class MissingHttpGate:
    """Binds the HTTP port and answers 503 with the install hint; same interface as
    :class:`rtm.server.gate_http.HttpGate` (``start``, ``port``, ``close``)."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._answer, host or None, port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    async def _answer(self, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        try:
            with contextlib.suppress(asyncio.LimitOverrunError, asyncio.IncompleteReadError,
                                     ValueError):
                await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            head = (b"HTTP/1.1 503 Service Unavailable\r\n"
                    b"Content-Type: text/plain; charset=utf-8\r\n"
                    b"Content-Length: " + str(len(_BODY)).encode() + b"\r\n"
                    b"Connection: close\r\n\r\n")
            writer.write(head + _BODY)
            await writer.drain()
        except (OSError, asyncio.TimeoutError):
            pass  # the client went away; nothing to tell it
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
