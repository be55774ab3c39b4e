"""asyncio FPNN client: lazy connect, optional encryption and keep-alive, push handlers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
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
from rtm.fpnn.errors import FPNNConnectionError, FPNNError, FPNNTimeoutError

__all__ = ["ConnectionCallback", "FPNNClient", "parse_endpoint"]


class FPNNClient(ClientConfig[Handler]):
    """One long-lived FPNN connection to ``endpoint``, opened on first use.

    Quests fail at once with FPNNConnectionError when the connection drops; the next quest
    reconnects. Timeouts raise FPNNTimeoutError (also a builtin TimeoutError).
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
        logger: logging.Logger | None = None,
        on_connected: ConnectionCallback | None = None,
        on_closed: ConnectionCallback | None = None,
    ) -> None:
        super().__init__(
            endpoint, connect_timeout=connect_timeout, quest_timeout=quest_timeout,
            max_frame_size=max_frame_size, keepalive=keepalive,
            keepalive_interval=keepalive_interval, keepalive_retries=keepalive_retries,
            logger=logger or logging.getLogger("rtm.fpnn.client"),
            on_connected=on_connected, on_closed=on_closed, ping_handler=answer_ping,
        )
        self._conn: FPNNConnection | None = None
        self._connecting: asyncio.Future[FPNNConnection] | None = None
        self._keepalive_task: asyncio.Task[None] | None = None
        self._epoch = 0  # bumped by close(), so a connect in flight knows it was cancelled
        # ids passed to on_connected; on_closed is only reported for these (see below)
        self._announced: set[int] = set()

    # ------------------------------------------------------------------ configuration

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    @property
    def connection(self) -> FPNNConnection | None:
        return self._conn if self.connected else None

    # ------------------------------------------------------------------ connecting

    async def connect(self) -> FPNNConnection:
        conn = self._conn
        if conn is not None and not conn.closed:
            return conn
        if self._connecting is None:
            loop = asyncio.get_running_loop()
            self._connecting = loop.create_future()
            attempt = loop.create_task(self._open())
            attempt.add_done_callback(self._connect_done)
        return await asyncio.shield(self._connecting)

    def _connect_done(self, task: asyncio.Task[FPNNConnection]) -> None:
        waiter, self._connecting = self._connecting, None
        if waiter is None or waiter.done():
            return
        if task.cancelled():
            waiter.set_exception(FPNNConnectionError("connect cancelled", ec.CORE_CANCELLED))
        elif task.exception() is not None:
            waiter.set_exception(task.exception())  # type: ignore[arg-type]
        else:
            waiter.set_result(task.result())
        # A failed attempt nobody awaited must not log "exception never retrieved".
        waiter.exception() if not waiter.cancelled() else None

    async def _open(self) -> FPNNConnection:
        loop = asyncio.get_running_loop()
        epoch = self._epoch
        deadline = loop.time() + self.connect_timeout

        def factory() -> FPNNConnection:
            return FPNNConnection(self._handlers, max_frame_size=self.max_frame_size,
                                  logger=self.logger, on_close=self._connection_closed)

        try:
            _transport, conn = await asyncio.wait_for(
                loop.create_connection(factory, self._host, self._port), self.connect_timeout
            )
        except (asyncio.TimeoutError, TimeoutError) as exc:
            raise FPNNTimeoutError(
                f"connect to {self.endpoint} timed out after {self.connect_timeout} s",
                ec.CORE_TIMEOUT) from exc
        except OSError as exc:
            raise FPNNConnectionError(
                f"cannot connect to {self.endpoint}: {exc.strerror or exc}",
                ec.CORE_INVALID_CONNECTION) from exc
        kx = self._key_exchange()
        if kx is not None:
            encryptor, decryptor = kx.make_ciphers(self.max_frame_size)
            remaining = max(deadline - loop.time(), 0.001)
            try:
                await conn.send_key_quest(kx.key_quest_payload(), encryptor, decryptor, remaining)
            except FPNNError as exc:
                conn.close()
                raise FPNNConnectionError(
                    f"encryption handshake with {self.endpoint} failed: {exc.message}",
                    ec.CORE_CONNECTION_CLOSED) from exc
        if conn.closed:  # dropped right after connecting: never announce a dead connection
            raise FPNNConnectionError(f"connection to {self.endpoint} closed while opening",
                                      ec.CORE_CONNECTION_CLOSED)
        if epoch != self._epoch:
            # close() ran while we were connecting: do not leave this connection open.
            conn.close()
            raise FPNNConnectionError("client closed while connecting", ec.CORE_CONNECTION_CLOSED)
        self._conn = conn
        if self.keepalive and (self._keepalive_task is None or self._keepalive_task.done()):
            self._keepalive_task = loop.create_task(self._keepalive_loop())
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

    async def _keepalive_loop(self) -> None:
        """Spec 9.2: ping when idle; declare the connection lost when nothing comes back."""
        loop = asyncio.get_running_loop()
        last_ping = 0.0
        ping_timeout = self.quest_timeout
        # Fix: a fixed 1 s tick let an interval + ping timeout shorter than 1 s declare the
        # connection lost before any ping went out; tick at least twice per interval/timeout.
        tick = max(min(1.0, self.keepalive_interval / 2, ping_timeout / 2), 0.01)
        while True:
            await asyncio.sleep(tick)
            conn = self._conn
            if conn is None or conn.closed:
                return
            now = loop.time()
            lost_after = ping_timeout * self.keepalive_retries + self.keepalive_interval
            if now > conn.last_received + lost_after:
                self.logger.warning("connection %s lost (no traffic for %.1f s)", conn.id,
                                    now - conn.last_received)
                conn._abort(FPNNConnectionError("keep-alive lost", ec.CORE_INVALID_CONNECTION))
                return
            if (now >= conn.last_received + self.keepalive_interval
                    and now >= last_ping + ping_timeout):
                last_ping = now
                fut = conn.send_quest("*ping", None, ping_timeout)
                fut.add_done_callback(lambda f: f.exception())

    # ------------------------------------------------------------------ quests

    async def quest(
        self, method: str, payload: Mapping[str, Any] | None = None, *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a twoway quest and return the answer payload (raises FPNNError)."""
        conn = self._conn
        if conn is None or conn.closed:
            conn = await self.connect()
        return await conn.send_quest(method, payload,
                                     self.quest_timeout if timeout is None else timeout)

    async def send_oneway(self, method: str, payload: Mapping[str, Any] | None = None) -> None:
        conn = self._conn
        if conn is None or conn.closed:
            conn = await self.connect()
        conn.send_oneway(method, payload)

    # ------------------------------------------------------------------ closing

    async def close(self) -> None:
        """Close the connection (idempotent). A later quest opens a new one."""
        self._epoch += 1
        if self._keepalive_task is not None:
            self._keepalive_task.cancel()
            self._keepalive_task = None
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
            await asyncio.sleep(0)  # let the transport run its close callbacks

    async def __aenter__(self) -> FPNNClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
