"""asyncio FPNN server on the same sans-IO session as the clients: handlers per method,
pushes, ``*key``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection, Handler, HandlerResult
from rtm.fpnn.crypto import ServerPrivateKey
from rtm.fpnn.errors import FPNNConnectionError

ServerHandler = Handler
ConnectionHook = Callable[["ServerConnection"], None]


def _star_ping(conn: FPNNConnection, quest: Quest) -> HandlerResult:
    return {"ts": int(time.time() * 1000)}


class ServerConnection(FPNNConnection):
    """Server side of one client connection (its session accepts a first-frame ``*key``
    when the server has a private key)."""

    def __init__(self, server: FPNNServer) -> None:
        # No outbound limit in the session: the transport's buffer limit below aborts a
        # peer that does not read, before the session has to queue anything.
        super().__init__(server.handlers, max_frame_size=server.max_frame_size,
                         logger=server.logger, on_close=server._connection_closed,
                         server=True, private_key=server.private_key,
                         max_write_buffer=None)
        self.server = server
        self._idle_timer: asyncio.TimerHandle | None = None
        self._reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        limit = self.server.max_write_buffer
        if limit and isinstance(transport, asyncio.WriteTransport):
            # pause_writing() below fires once this much is queued for a peer not reading.
            transport.set_write_buffer_limits(high=limit)
        self.server._connection_made(self)
        if self.server.idle_timeout:
            self._idle_timer = self._loop.call_later(self.server.idle_timeout, self._check_idle)

    def _check_idle(self) -> None:
        if self.closed:
            return
        timeout = self.server.idle_timeout or 0.0
        idle = self._loop.time() - self.last_received
        if idle >= timeout:
            self.logger.info("closing idle connection %s (%s)", self.id, self.peer)
            self.close()
        else:
            self._idle_timer = self._loop.call_later(timeout - idle, self._check_idle)

    def _handle_quest(self, quest: Quest) -> None:
        super()._handle_quest(quest)
        limit = self.server.max_pending_quests
        if limit and len(self._tasks) >= limit and not self._reading_paused:
            self._pause_reading()

    # Fix (per-connection memory limits): a client could make the server hold unbounded
    # memory: answers piled up in the transport's write buffer when the peer pipelined quests
    # without reading (300 small history quests queued 116 MB), and every pipelined quest
    # with an async handler became a task however many were already pending. Now the
    # connection is aborted once max_write_buffer bytes are queued, and reading pauses while
    # max_pending_quests quests are being handled (it resumes at half of that).

    def pause_writing(self) -> None:
        limit = self.server.max_write_buffer
        if not limit or self.closed:
            super().pause_writing()
            return
        self.logger.warning("closing connection %s (%s): the peer does not read, over %d "
                            "bytes queued", self.id, self.peer, limit)
        self._abort(FPNNConnectionError(f"over {limit} bytes queued for a peer not reading",
                                        ec.CORE_SEND_ERROR))

    def _pause_reading(self) -> None:
        transport = self._transport
        if transport is None or self.closed:
            return
        self._reading_paused = True
        transport.pause_reading()
        self._loop.call_later(0.005, self._maybe_resume_reading)

    def _maybe_resume_reading(self) -> None:
        # Polled only while paused: tasks created after the pause (same read chunk) count too.
        if not self._reading_paused or self.closed:
            return
        if len(self._tasks) > self.server.max_pending_quests // 2:
            self._loop.call_later(0.005, self._maybe_resume_reading)
            return
        self._reading_paused = False
        if self._transport is not None:
            self._transport.resume_reading()

    def _finish(self, exc: BaseException | None) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        super()._finish(exc)

    async def quest(
        self, method: str, payload: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Push a twoway quest to this client and await its answer."""
        return await self.send_quest(
            method, payload, self.server.quest_timeout if timeout is None else timeout)


class FPNNServer:
    """Listens on ``host:port`` (0 = a free port) and serves registered handlers."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        private_key: ServerPrivateKey | None = None,
        max_frame_size: int = codec.DEFAULT_MAX_FRAME_SIZE,
        idle_timeout: float | None = None,
        quest_timeout: float = 5.0,
        logger: logging.Logger | None = None,
        on_connect: ConnectionHook | None = None,
        on_close: ConnectionHook | None = None,
        max_write_buffer: int | None = None,
        max_pending_quests: int = 1024,
    ) -> None:
        self.host = host
        self.port = port
        self.private_key = private_key
        self.max_frame_size = max_frame_size
        #: Bytes queued for one peer that does not read before its connection is aborted
        #: (default: twice the max frame size; 0 = no limit). Read when a connection opens.
        self.max_write_buffer = 2 * max_frame_size if max_write_buffer is None else (
            max_write_buffer)
        #: Quests of one connection handled at once before its reading pauses (0 = no limit).
        self.max_pending_quests = max_pending_quests
        self.idle_timeout = idle_timeout
        self.quest_timeout = quest_timeout
        self.logger = logger or logging.getLogger("rtm.fpnn.server")
        self.on_connect = on_connect
        self.on_close = on_close
        self.handlers: dict[str, Handler] = {"*ping": _star_ping}
        self.connections: dict[int, ServerConnection] = {}
        self._server: asyncio.base_events.Server | None = None

    def register(self, method: str, handler: Handler) -> None:
        """``handler(conn, quest)`` returns the answer map (or None = empty), sync or async;
        raising FPNNError(code) sends an exception answer with that code."""
        self.handlers[method] = handler

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: ServerConnection(self), self.host, self.port, reuse_address=True
        )
        sock = self._server.sockets[0]
        self.port = sock.getsockname()[1]

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    def _connection_made(self, conn: ServerConnection) -> None:
        self.connections[conn.id] = conn
        if self.on_connect is not None:
            try:
                self.on_connect(conn)
            except Exception:
                self.logger.exception("on_connect hook failed")

    def _connection_closed(self, conn: FPNNConnection, exc: BaseException | None) -> None:
        self.connections.pop(conn.id, None)
        if self.on_close is not None and isinstance(conn, ServerConnection):
            try:
                self.on_close(conn)
            except Exception:
                self.logger.exception("on_close hook failed")

    async def close(self) -> None:
        """Stop listening and close every connection (their pending quests fail)."""
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections.values()):
            conn.close()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FPNNServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

