"""asyncio FPNN client: lazy connect, optional encryption and keep-alive, push handlers,
bounded writes (the protocol itself is the session's: :mod:`rtm.fpnn.session`)."""

from __future__ import annotations

import asyncio
import importlib
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.client_config import (
    ClientConfig,
    ConnectionCallback,
    answer_ping,
    parse_endpoint,
)
from rtm.fpnn.connection import FPNNConnection, Handler
from rtm.fpnn.errors import (
    ClientClosedError,
    FPNNConnectionError,
    FPNNError,
    FPNNTimeoutError,
)
from rtm.fpnn.session import DEFAULT_MAX_WRITE_BUFFER, WriteBufferFull

__all__ = ["ConnectionCallback", "FPNNClient", "parse_endpoint"]


class FPNNClient(ClientConfig[Handler]):
    """One long-lived FPNN connection to ``endpoint``, opened on first use.

    ``endpoint`` is ``"host:port"`` (FPNN on TCP, optionally with FPNN encryption:
    ``enable_encryption``) or a WebSocket URL: ``"ws://host:port/service/websocket"`` sends
    every FPNN frame as one binary WebSocket message, ``"wss://…"`` does the same over TLS
    (``ssl_context``: the TLS settings, e.g. a context trusting a self-signed certificate;
    default: the system's trusted CAs with host name checks). The path defaults to
    ``/service/websocket``, the port to 80/443. WebSocket needs the wsproto package
    (``pip install 'rtm-server-sdk[websocket]'``; ImportError naming it otherwise) and never
    uses FPNN encryption. Everything else (quests, pushes, keep-alive, bounds) is the same.

    Quests fail at once with FPNNConnectionError when the connection drops; the next quest
    reconnects. Timeouts raise FPNNTimeoutError (also a builtin TimeoutError). After
    ``close()`` every call raises ClientClosedError: a closed client stays closed.

    ``on_open`` (internal, for the RTM client): awaited on each new connection before it is
    used by anyone else or announced to ``on_connected``, e.g. to re-apply listen settings.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        connect_timeout: float = 5.0,
        quest_timeout: float = 5.0,
        max_frame_size: int = codec.DEFAULT_MAX_FRAME_SIZE,
        keepalive: bool = False,
        keepalive_interval: float = 20.0,
        keepalive_retries: int = 3,
        max_write_buffer: int = DEFAULT_MAX_WRITE_BUFFER,
        write_timeout: float | None = None,
        logger: logging.Logger | None = None,
        on_connected: ConnectionCallback | None = None,
        on_closed: ConnectionCallback | None = None,
        on_open: Callable[[FPNNConnection], Awaitable[None]] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(
            endpoint, connect_timeout=connect_timeout, quest_timeout=quest_timeout,
            max_frame_size=max_frame_size, keepalive=keepalive,
            keepalive_interval=keepalive_interval, keepalive_retries=keepalive_retries,
            max_write_buffer=max_write_buffer, write_timeout=write_timeout,
            logger=logger or logging.getLogger("rtm.fpnn.client"),
            on_connected=on_connected, on_closed=on_closed, ping_handler=answer_ping,
        )
        self.on_open = on_open
        if self.websocket is not None:
            # wsproto only now, and an ImportError naming the extra when it is missing
            importlib.import_module("rtm.fpnn.websocket")
        elif ssl_context is not None:
            raise ValueError("ssl_context is for wss:// endpoints; FPNN on TCP uses "
                             "enable_encryption()")
        self.ssl_context = ssl_context
        self._conn: FPNNConnection | None = None
        self._connecting: asyncio.Future[FPNNConnection] | None = None
        self._attempt: asyncio.Task[FPNNConnection] | None = None
        self._closed = False
        # ids passed to on_connected; on_closed is only reported for these (see below)
        self._announced: set[int] = set()

    # ------------------------------------------------------------------ configuration

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    @property
    def connection(self) -> FPNNConnection | None:
        return self._conn if self.connected else None

    @property
    def closed(self) -> bool:
        """``close()`` was called: the client never connects again."""
        return self._closed

    # ------------------------------------------------------------------ connecting

    async def connect(self) -> FPNNConnection:
        if self._closed:
            raise ClientClosedError()
        conn = self._conn
        if conn is not None and not conn.closed:
            return conn
        if self._connecting is None:
            loop = asyncio.get_running_loop()
            self._connecting = loop.create_future()
            self._attempt = attempt = loop.create_task(self._open())
            attempt.add_done_callback(self._connect_done)
        return await asyncio.shield(self._connecting)

    def _connect_done(self, task: asyncio.Task[FPNNConnection]) -> None:
        if self._attempt is task:
            self._attempt = None
        waiter, self._connecting = self._connecting, None
        if waiter is None or waiter.done():
            return
        if task.cancelled():
            waiter.set_exception(ClientClosedError("client closed while connecting")
                                 if self._closed else
                                 FPNNConnectionError("connect cancelled", ec.CORE_CANCELLED))
        elif task.exception() is not None:
            waiter.set_exception(task.exception())  # type: ignore[arg-type]
        else:
            waiter.set_result(task.result())
        # A failed attempt nobody awaited must not log "exception never retrieved".
        waiter.exception() if not waiter.cancelled() else None

    async def _open(self) -> FPNNConnection:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_timeout

        def factory() -> FPNNConnection:
            return FPNNConnection(self._handlers, max_frame_size=self.max_frame_size,
                                  logger=self.logger, on_close=self._connection_closed,
                                  max_write_buffer=self.max_write_buffer,
                                  write_timeout=self._write_timeout(),
                                  keepalive=self._keepalive())

        ws = self.websocket
        tls: ssl.SSLContext | None = None
        if ws is not None and ws.secure:
            tls = self.ssl_context or ssl.create_default_context()
        try:
            _transport, conn = await asyncio.wait_for(
                loop.create_connection(factory, self._host, self._port, ssl=tls,
                                       server_hostname=self._host if tls else None),
                self.connect_timeout)
        except (asyncio.TimeoutError, TimeoutError) as exc:
            raise FPNNTimeoutError(
                f"connect to {self.endpoint} timed out after {self.connect_timeout} s",
                ec.CORE_TIMEOUT) from exc
        except OSError as exc:  # ssl.SSLError too: a failed TLS handshake
            raise FPNNConnectionError(
                f"cannot connect to {self.endpoint}: {exc.strerror or exc}",
                ec.CORE_INVALID_CONNECTION) from exc
        try:
            if ws is not None:
                remaining = max(deadline - loop.time(), 0.001)
                try:
                    await conn.start_websocket(ws.host_header, ws.path, remaining)
                except FPNNTimeoutError as exc:
                    raise FPNNTimeoutError(
                        f"WebSocket handshake with {self.endpoint} timed out after "
                        f"{self.connect_timeout} s", ec.CORE_TIMEOUT) from exc
                except FPNNError as exc:
                    raise FPNNConnectionError(
                        f"WebSocket handshake with {self.endpoint} failed: {exc.message}",
                        ec.CORE_CONNECTION_CLOSED) from exc
            return await self._prepare(conn, deadline)
        except BaseException:
            conn.close()  # never leave an unpublished connection open (cancelled by close())
            raise

    async def _prepare(self, conn: FPNNConnection, deadline: float) -> FPNNConnection:
        loop = asyncio.get_running_loop()
        kx = self._key_exchange()
        if kx is not None:
            remaining = max(deadline - loop.time(), 0.001)
            try:
                await conn.start_handshake(kx, remaining)
            except FPNNError as exc:
                raise FPNNConnectionError(
                    f"encryption handshake with {self.endpoint} failed: {exc.message}",
                    ec.CORE_CONNECTION_CLOSED) from exc
        if self.on_open is not None and not conn.closed and not self._closed:
            await self.on_open(conn)  # first on the connection: nothing else is sent yet
        if conn.closed:  # dropped right after connecting: never announce a dead connection
            raise FPNNConnectionError(f"connection to {self.endpoint} closed while opening",
                                      ec.CORE_CONNECTION_CLOSED)
        if self._closed:  # close() ran while we were connecting
            raise ClientClosedError("client closed while connecting")
        self._conn = conn
        self._announced.add(conn.id)
        if self.on_connected is not None:
            try:
                self.on_connected(conn.id)
            except Exception:
                self.logger.exception("on_connected callback failed")
        return conn

    def _connection_closed(self, conn: FPNNConnection, exc: BaseException | None) -> None:
        if self._conn is conn:
            self._conn = None
        # Fix: a connection that failed its *key handshake was reported to on_closed although
        # on_connected never saw it; only report the connections that were announced.
        if conn.id not in self._announced:
            return
        self._announced.discard(conn.id)
        if self.on_closed is not None:
            try:
                self.on_closed(conn.id)
            except Exception:
                self.logger.exception("on_closed callback failed")

    # ------------------------------------------------------------------ quests

    async def quest(
        self, method: str, payload: Mapping[str, Any] | None = None, *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a twoway quest and return the answer payload (raises FPNNError).

        When the connection's write buffer is full the quest waits for room, within its
        timeout (back-pressure).
        """
        conn = self._conn
        if conn is None or conn.closed:
            conn = await self.connect()
        quest_timeout = self.quest_timeout if timeout is None else timeout
        try:
            fut = conn.send_quest(method, payload, quest_timeout)
        except WriteBufferFull:
            fut = await conn.send_quest_when_room(method, payload, quest_timeout)
        return await fut

    async def send_oneway(self, method: str, payload: Mapping[str, Any] | None = None) -> None:
        conn = self._conn
        if conn is None or conn.closed:
            conn = await self.connect()
        try:
            conn.send_oneway(method, payload)
        except WriteBufferFull:
            await conn.send_oneway_when_room(method, payload, self.quest_timeout)

    # ------------------------------------------------------------------ closing

    async def close(self) -> None:
        """Close for good (idempotent): pending quests fail with connection-closed, a
        connect in progress is cancelled, and every later call raises ClientClosedError."""
        self._closed = True
        attempt = self._attempt
        if attempt is not None and not attempt.done():
            attempt.cancel()
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
        if attempt is not None and attempt is not asyncio.current_task():
            await asyncio.gather(attempt, return_exceptions=True)
        await asyncio.sleep(0)  # let the transport run its close callbacks

    async def __aenter__(self) -> FPNNClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
