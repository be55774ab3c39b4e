"""asyncio FPNN server on the same sans-IO session as the clients: handlers per method,
pushes, ``*key``; optionally FPNN over WebSocket and TLS on the same port, server pings of
authenticated connections, a login deadline and a bound on the number of connections.

One port, several protocols: a connection's first bytes decide. ``FPNN`` (a frame's magic) is
FPNN on TCP; ``GET `` is a WebSocket upgrade (when ``websocket`` is on; FPNN then travels in
binary messages, :mod:`rtm.fpnn.websocket`); 0x16 is a TLS ClientHello (when an
``ssl_context`` is given; the same choice is then made again on the decrypted bytes, so
``wss://`` and FPNN over TLS both work). Anything else goes to the FPNN session, which
rejects it as a bad frame.
"""

from __future__ import annotations

import asyncio
import logging
import math
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection, Handler, HandlerResult
from rtm.fpnn.crypto import ServerPrivateKey
from rtm.fpnn.errors import FPNNConnectionError, FPNNError, FPNNProtocolError

ServerHandler = Handler
ConnectionHook = Callable[["ServerConnection"], None]

_WEBSOCKET_START: Final = b"GET "
_TLS_HANDSHAKE_RECORD: Final = 0x16
#: The keep-alive sweep visits one bucket of connections per step of about this long.
_SWEEP_STEP: Final = 1.0
#: Refused connections are logged at most once per this many seconds (with a count).
_REFUSAL_LOG_EVERY: Final = 5.0


def _star_ping(conn: FPNNConnection, quest: Quest) -> HandlerResult:
    return {"ts": int(time.time() * 1000)}


class ServerConnection(FPNNConnection):
    """Server side of one client connection (its session accepts a first-frame ``*key``
    when the server has a private key)."""

    __slots__ = ("_head", "_idle_timer", "_login_timer", "_reading_paused", "authenticated",
                 "ping_bucket", "server")

    def __init__(self, server: FPNNServer) -> None:
        # No outbound limit in the session: the transport's buffer limit below aborts a
        # peer that does not read, before the session has to queue anything.
        super().__init__(server.handlers, max_frame_size=server.max_frame_size,
                         logger=server.logger, on_close=server._connection_closed,
                         server=True, private_key=server.private_key,
                         max_write_buffer=None)
        self.server = server
        self._idle_timer: asyncio.TimerHandle | None = None
        self._login_timer: asyncio.TimerHandle | None = None
        self._reading_paused = False
        self.authenticated = False
        #: The keep-alive sweep's bucket holding this connection (None: not pinged).
        self.ping_bucket: int | None = None
        self._sniffing = self._layered = server.websocket or server.ssl_context is not None
        self._head = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        server = self.server
        if not server._admit(self):
            assert self._transport is not None
            self._transport.abort()
            return
        limit = server.max_write_buffer
        if limit and isinstance(transport, asyncio.WriteTransport):
            # pause_writing() below fires once this much is queued for a peer not reading.
            transport.set_write_buffer_limits(high=limit)
        server._connection_made(self)
        if server.idle_timeout:
            self._idle_timer = self._loop.call_later(server.idle_timeout, self._check_idle)
        if server.login_timeout:
            self._login_timer = self._loop.call_later(server.login_timeout,
                                                      self._login_expired)

    # ------------------------------------------------------------------ protocol detection

    def _sniff(self, data: bytes) -> bytes:
        head = self._head
        head += data
        if not head:
            return b""
        server = self.server
        if (self._tls is None and server.ssl_context is not None
                and head[0] == _TLS_HANDSHAKE_RECORD):
            from rtm.fpnn.tls import TLSLayer

            tls = self._tls = TLSLayer(server.ssl_context)
            self._head = bytearray()
            plain = tls.receive(bytes(head))
            handshake = tls.data_to_send()
            if handshake and self._transport is not None:
                self._transport.write(handshake)
            return self._sniff(plain) if plain else b""
        if server.websocket:
            known = min(len(head), len(_WEBSOCKET_START))
            if head[:known] == _WEBSOCKET_START[:known]:
                if known < len(_WEBSOCKET_START):
                    return b""  # "G", "GE", "GET": wait for the rest
                self._start_websocket_server()
        self._sniffing = False
        self._head = bytearray()
        self._layered = self._tls is not None or self._ws is not None
        return bytes(head)

    def _start_websocket_server(self) -> None:
        try:
            from rtm.fpnn.websocket import WebSocketAdapter
        except ImportError as exc:  # the message names the package to install
            raise FPNNProtocolError(f"a WebSocket upgrade, refused: {exc}") from None
        self._ws = WebSocketAdapter(max_message_size=self.max_frame_size)
        self.session.refuse_encryption()  # confidentiality on WebSocket is TLS (wss)

    # ------------------------------------------------------------------ login and pings

    def mark_authenticated(self) -> None:
        """The application logged this connection in: the login deadline no longer applies,
        and the server's keep-alive pings start (when configured)."""
        if self.authenticated or self.closed:
            return
        self.authenticated = True
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None
        pinger = self.server.pinger
        if pinger is not None:
            pinger.add(self)

    def drop(self, error: FPNNError) -> None:
        """End the connection now for ``error`` (pending quests fail with it); what is written
        already is flushed unless the peer does not read."""
        self._layer_closed(error)

    def _login_expired(self) -> None:
        self._login_timer = None
        if self.closed or self.authenticated:
            return
        self.logger.info("closing connection %s (%s): not logged in within %g s", self.id,
                         self.peer, self.server.login_timeout or 0)
        self.close()

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
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None
        pinger = self.server.pinger
        if pinger is not None and self.ping_bucket is not None:
            pinger.discard(self)
        super()._finish(exc)

    async def quest(
        self, method: str, payload: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Push a twoway quest to this client and await its answer."""
        return await self.send_quest(
            method, payload, self.server.quest_timeout if timeout is None else timeout)


class PingSweep:
    """The server's keep-alive of many connections for little CPU: every ``interval`` s each
    connection gets a twoway ``method {}`` quest (``ping`` for the RTM client SDKs, which
    reconnect when no ping came for 60 s); one answering none for ``timeout`` s is closed.

    No timer, task or future per connection: the connections sit in ``interval / 1 s``
    buckets (by the second they logged in), and one loop timer visits one bucket per step, so
    the pings of many connections are spread over the interval as their logins were. A
    connection's first ping comes about one interval after it was added. A ping has no
    deadline of its own;
    a connection is judged at its next visit, so it is closed between ``timeout`` and
    ``timeout + interval`` s after the last answer (or after it was added).
    """

    def __init__(self, interval: float, timeout: float, *, method: str = "ping",
                 logger: logging.Logger | None = None) -> None:
        if not interval > 0 or not math.isfinite(interval):
            raise ValueError(f"ping interval must be > 0 seconds, got {interval!r}")
        if not timeout > 0:
            raise ValueError(f"ping timeout must be > 0 seconds, got {timeout!r}")
        self.interval = interval
        self.timeout = timeout
        self.method = method
        self.logger = logger or logging.getLogger("rtm.fpnn.server")
        slots = max(1, math.ceil(interval / _SWEEP_STEP))
        self._step = interval / slots
        self._buckets: list[dict[int, tuple[ServerConnection, float]]] = [
            {} for _ in range(slots)]
        self._cursor = 0  # the bucket the next step visits
        self._handle: asyncio.TimerHandle | None = None
        self._next_at = 0.0
        self.pings_sent = 0
        self.closed_silent = 0

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in self._buckets)

    def add(self, conn: ServerConnection) -> None:
        loop = asyncio.get_running_loop()
        # The bucket visited last: the first ping comes about one interval after the login.
        index = (self._cursor - 1) % len(self._buckets)
        self._buckets[index][conn.id] = (conn, loop.time())
        conn.ping_bucket = index
        if self._handle is None:
            self._next_at = loop.time() + self._step
            self._handle = loop.call_at(self._next_at, self._sweep)

    def discard(self, conn: ServerConnection) -> None:
        index = conn.ping_bucket
        if index is not None:
            self._buckets[index].pop(conn.id, None)
            conn.ping_bucket = None

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        # A fixed schedule (no drift), but never a burst of catch-up steps after a stall.
        self._next_at = max(self._next_at + self._step, now + self._step / 2)
        self._handle = loop.call_at(self._next_at, self._sweep)
        bucket = self._buckets[self._cursor]
        self._cursor = (self._cursor + 1) % len(self._buckets)
        if not bucket:
            return
        timeout, method = self.timeout, self.method
        silent: list[ServerConnection] = []
        sent = 0
        for conn, since in bucket.values():
            answered = conn.session.ping_answered_at
            if now - (answered if answered > since else since) >= timeout:
                silent.append(conn)
            else:
                conn.send_ping(method)
                sent += 1
        self.pings_sent += sent
        for conn in silent:
            self.closed_silent += 1
            self.logger.info("closing connection %s (%s): no answer to %s for %g s", conn.id,
                             conn.peer, method, timeout)
            conn.drop(FPNNConnectionError(
                f"no answer to the server's {method} for {timeout:g} s",
                ec.CORE_INVALID_CONNECTION))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


class FPNNServer:
    """Listens on ``host:port`` (0 = a free port) and serves registered handlers.

    Options beyond plain FPNN (all off by default):

    * ``websocket``: also accept FPNN over WebSocket on the same port (URL path
      ``/service/websocket``; needs wsproto);
    * ``ssl_context``: also accept TLS on the same port (then FPNN or WebSocket inside);
    * ``login_timeout``: close a connection the application has not marked authenticated
      (:meth:`ServerConnection.mark_authenticated`) within that many seconds;
    * ``max_connections``: connections beyond that many are closed at once (logged);
    * ``ping_interval`` / ``ping_timeout``: ping authenticated connections with
      ``ping_method`` (see :class:`PingSweep`; ``ping_timeout`` defaults to 3 intervals).
    """

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
        websocket: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        login_timeout: float | None = None,
        max_connections: int | None = None,
        ping_interval: float | None = None,
        ping_timeout: float | None = None,
        ping_method: str = "ping",
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
        self.websocket = websocket
        self.ssl_context = ssl_context
        if login_timeout is not None and not login_timeout > 0:
            raise ValueError(f"login_timeout must be > 0 seconds or None, got {login_timeout!r}")
        self.login_timeout = login_timeout
        if max_connections is not None and max_connections < 1:
            raise ValueError(f"max_connections must be >= 1 or None, got {max_connections!r}")
        self.max_connections = max_connections
        self.refused = 0  # connections closed at once because of max_connections
        self._refusal_logged_at = -math.inf
        self.pinger: PingSweep | None = None
        if ping_interval:
            self.pinger = PingSweep(ping_interval, ping_timeout or 3 * ping_interval,
                                    method=ping_method, logger=self.logger)

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

    def _admit(self, conn: ServerConnection) -> bool:
        """False (and logged, at most every few seconds) when over ``max_connections``."""
        limit = self.max_connections
        if limit is None or len(self.connections) < limit:
            return True
        self.refused += 1
        now = time.monotonic()
        if now - self._refusal_logged_at >= _REFUSAL_LOG_EVERY:
            self.logger.warning(
                "refusing connection from %s: %d connections open (max_connections=%d); "
                "%d refused so far", conn.peer, len(self.connections), limit, self.refused)
            self._refusal_logged_at = now
        return False

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
        if self.pinger is not None:
            self.pinger.close()
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

