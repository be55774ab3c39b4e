"""One FPNN connection on asyncio: the transport of :class:`rtm.fpnn.session.FPNNSession`.

The session decides (seqs, deadlines, answers, keep-alive, handshake, what to answer); this
class only moves bytes and wakes callers: it feeds what it reads to the session, resolves
futures from the session's events, runs handlers, arms one timer at the session's next
deadline, and writes what the session queued, coalescing a loop tick's frames into few
``transport.write`` calls. Client and server side share it (the server subclass in
:mod:`rtm.fpnn.server`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import itertools
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import Quest
from rtm.fpnn.crypto import ClientKeyExchange, ServerPrivateKey
from rtm.fpnn.errors import (
    FPNNConnectionError,
    FPNNError,
    FPNNProtocolError,
    FPNNTimeoutError,
)
from rtm.fpnn.session import (
    DEFAULT_MAX_WRITE_BUFFER,
    Answered,
    Event,
    Failed,
    FPNNSession,
    KeepAlive,
    WriteBufferFull,
)

if TYPE_CHECKING:  # imported lazily: wsproto is optional, TLS is for servers
    from rtm.fpnn.tls import TLSLayer
    from rtm.fpnn.websocket import WebSocketAdapter

HandlerResult = Mapping[str, Any] | None
Handler = Callable[["FPNNConnection", Quest], HandlerResult | Awaitable[HandlerResult]]
AnswerFuture = asyncio.Future[dict[str, Any]]

_connection_ids = itertools.count(1)
_FIRST_BATCH = 4
_INF = math.inf


class FPNNConnection(asyncio.Protocol):
    """An FPNN peer over one TCP connection: FPNN frames straight on TCP (plaintext or with
    FPNN encryption), or inside WebSocket binary messages (:meth:`start_websocket`, or a
    server that recognised a WebSocket upgrade), optionally over TLS (a server-side
    :class:`~rtm.fpnn.tls.TLSLayer`; clients use asyncio's TLS). The layers are sans-IO
    objects between the socket and the session; the session is the same for all of them.
    """

    # A server holds one per client: slots keep an instance at ~0.4 KB where its 36
    # attributes took a 1.5 KB dict (over 30 names, CPython stops sharing the keys).
    # __dict__ stays available for what applications and tests attach.
    __slots__ = ("__dict__", "__weakref__", "_batch", "_close_exc", "_closed", "_flush_queued",
                 "_layer_ended", "_layered", "_loop", "_nbuf", "_on_close", "_paused",
                 "_room_waiters", "_seen_buffered", "_sniffing", "_tasks", "_tick_open",
                 "_timer", "_timer_at", "_tls", "_transport", "_ws", "_ws_opened",
                 "closed_future", "coalesce_limit", "handlers", "id", "logger",
                 "max_frame_size", "peer", "session", "state")

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        max_frame_size: int = codec.DEFAULT_MAX_FRAME_SIZE,
        logger: logging.Logger | None = None,
        on_close: Callable[[FPNNConnection, BaseException | None], None] | None = None,
        server: bool = False,
        private_key: ServerPrivateKey | None = None,
        max_write_buffer: int | None = DEFAULT_MAX_WRITE_BUFFER,
        write_timeout: float | None = None,
        keepalive: KeepAlive | None = None,
    ) -> None:
        self.id: int = next(_connection_ids)
        self.peer: str = ""
        self.state: dict[str, Any] = {}  # per-connection application state (listen, uid, ...)
        self.handlers = handlers
        self.max_frame_size = max_frame_size
        self.logger = logger or logging.getLogger("rtm.fpnn")
        self._on_close = on_close
        self._loop = asyncio.get_running_loop()
        self.session: FPNNSession[AnswerFuture] = FPNNSession(
            handlers, now=self._loop.time(), server=server, private_key=private_key,
            max_frame_size=max_frame_size, max_write_buffer=max_write_buffer,
            write_timeout=write_timeout, keepalive=keepalive, logger=self.logger)
        self._transport: asyncio.Transport | None = None
        self._tick_open = False  # a write went out this loop tick; later frames are coalesced
        self._flush_queued = False  # a _flush is scheduled (frames wait in the session)
        self._nbuf = 0  # outputs queued since the last write of this tick
        self.coalesce_limit = 32
        self._batch = _FIRST_BATCH  # outputs queued before the next write of this tick
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = _INF
        self._paused = False  # the transport asked us to stop writing (its buffer is full)
        self._seen_buffered = 0  # the transport's buffer size when last looked at, paused
        self._room_waiters: list[asyncio.Future[None]] = []
        #: Quests being handled: the task awaiting a coroutine handler, or the future a
        #: handler answered with (both cancelled when the connection closes).
        self._tasks: dict[asyncio.Future[Any], Awaitable[HandlerResult]] = {}
        self._closed = False
        self._close_exc: BaseException | None = None
        self.closed_future: asyncio.Future[None] = self._loop.create_future()
        # Layers between the socket and the session; _layered is False on the fast path
        # (FPNN straight on TCP).
        self._layered = False
        self._sniffing = False  # server side: the first bytes decide which layers apply
        self._tls: TLSLayer | None = None
        self._ws: WebSocketAdapter | None = None
        self._ws_opened: asyncio.Future[None] | None = None
        self._layer_ended = False  # the peer ended WebSocket or TLS: close once read

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and len(peer) >= 2:
            host = f"[{peer[0]}]" if ":" in str(peer[0]) else str(peer[0])
            self.peer = f"{host}:{peer[1]}"
        if self.session.keepalive is not None:
            self._rearm()

    def data_received(self, data: bytes) -> None:
        if self._layered:
            data = self._unwrap(data)
            if not data:
                if self._layer_ended:
                    self._layer_closed(None)
                return
        if not self._flush_queued:  # nothing buffered: what this data wakes starts a new tick
            self._tick_open = False
        session = self.session
        events = session.receive_data(data, self._loop.time())
        for event in events:
            if type(event) is Answered:  # the common case, inline
                fut = event.token
                if not fut.done():
                    fut.set_result(event.payload)
            else:
                self._dispatch((event,))
        if session.outbox and not self._closed:  # answers to unknown methods, *key
            self._output_ready()
        if self._layer_ended:
            # The frames that came with the peer's close were read first, as on TCP the
            # bytes before a FIN are (a kickout push, then the close).
            self._layer_closed(None)

    def _dispatch(self, events: Sequence[Event[AnswerFuture]]) -> None:
        for event in events:
            kind = type(event)
            if kind is Answered:
                fut = event.token  # type: ignore[union-attr]
                if not fut.done():
                    fut.set_result(event.payload)  # type: ignore[union-attr]
            elif kind is Failed:
                fut = event.token  # type: ignore[union-attr]
                if not fut.done():
                    fut.set_exception(event.error)  # type: ignore[union-attr]
            elif kind is Quest:
                self._handle_quest(event)  # type: ignore[arg-type]
            else:  # Closed: a protocol error, keep-alive lost, a peer not reading
                error = event.error  # type: ignore[union-attr]
                self.logger.warning("closing connection %s (%s): %s", self.id, self.peer,
                                    error)
                transport = self._transport
                if transport is not None:
                    if not self._paused:
                        self._send_output()  # answers to what came before
                    transport.abort()
                self._finish(error)

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish(exc)

    def pause_writing(self) -> None:
        # Back-pressure: from now on frames wait in the session (bounded by its
        # max_write_buffer, then quests wait for room), and the stall clock runs.
        self._paused = True
        transport = self._transport
        if transport is None or self._closed:
            return
        self._seen_buffered = transport.get_write_buffer_size()
        self.session.transport_buffered = self._seen_buffered
        self.session.write_blocked(self._loop.time())
        self._rearm()

    def resume_writing(self) -> None:
        self._paused = False
        transport = self._transport
        if transport is None or self._closed:
            return
        session = self.session
        session.transport_buffered = transport.get_write_buffer_size()
        session.write_progress(self._loop.time(), blocked=False)
        if session.has_output:
            self._write_out()
        self._wake_room_waiters()

    # ------------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def encrypted(self) -> bool:
        return self.session.encrypted

    @property
    def pending_count(self) -> int:
        return self.session.pending_count

    @property
    def last_received(self) -> float:
        """Loop time of the last bytes received (or of the connection's start)."""
        return self.session.last_received

    @property
    def write_buffer_size(self) -> int:
        """Bytes accepted for sending and not yet taken by the OS."""
        transport = self._transport
        below = transport.get_write_buffer_size() if transport is not None else 0
        return below + self.session.output_size

    # ------------------------------------------------------------------ timer

    def _rearm(self) -> None:
        """Make the timer fire by the session's next deadline (earlier is harmless)."""
        when = self.session.next_deadline()
        if when is None:
            return  # the armed timer, if any, finds nothing to do and is not re-armed
        if when < self._timer_at:
            self._arm(when)

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self._loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        target = self._timer_at
        self._timer = None
        self._timer_at = _INF
        if self._closed:
            return
        now = max(self._loop.time(), target)  # call_at may fire a hair early
        session = self.session
        if self._paused and self._transport is not None:
            size = self._transport.get_write_buffer_size()
            if size < self._seen_buffered:  # the peer took some: not stalled
                session.write_progress(now, blocked=True)
            self._seen_buffered = session.transport_buffered = size
        had_output = session.output_size
        events = session.tick(now)
        if events:
            self._dispatch(events)
        if self._closed:
            return
        if session.has_output:
            self._output_ready()
        if session.output_size < had_output:  # expired frames left the queue: room
            self._wake_room_waiters()
        self._rearm()

    # ------------------------------------------------------------------ layers

    def _send_output(self) -> None:
        """Write what the session queued, through the layers."""
        transport = self._transport
        if transport is None:
            return
        if not self._layered:
            data = self.session.data_to_send()
        else:
            ws = self._ws
            if ws is not None:
                if not ws.open:
                    return  # frames wait in the session until the handshake is done
                data = ws.send_frames(self.session.frames_to_send())
            elif self._sniffing:
                return  # the server has not seen the first bytes yet: nothing to send
            else:
                data = self.session.data_to_send()
            if self._tls is not None and data:
                data = self._tls.send(data)
        if data:
            transport.write(data)

    def _write_layer_output(self, data: bytes) -> None:
        """Bytes a WebSocket layer produced itself (handshake, pong, close), through TLS."""
        transport = self._transport
        if not data or transport is None:
            return
        if self._tls is not None:
            data = self._tls.send(data)
        transport.write(data)

    def _unwrap(self, data: bytes) -> bytes:
        """Bytes read from the socket -> the FPNN stream bytes they carry, through TLS and
        WebSocket; b"" when they complete nothing (or the connection ended)."""
        try:
            tls = self._tls
            if tls is not None:
                data = tls.receive(data)
                out = tls.data_to_send()
                if out and self._transport is not None:
                    self._transport.write(out)
                if tls.peer_closed:
                    self._layer_ended = True
                    # FPNN straight inside TLS: what came before the close_notify is read (a
                    # WebSocket inside ended with its own close before)
                    return data if self._ws is None and not self._sniffing else b""
                if not data:
                    return b""
            if self._sniffing:
                data = self._sniff(data)
                if not data or self._closed:
                    return b""
            ws = self._ws
            if ws is not None:
                was_open = ws.opened
                data = ws.receive_data(data)
                self._write_layer_output(ws.data_to_send())
                if ws.closed:
                    self._layer_ended = True
                    return data
                if ws.opened and not was_open:
                    self._websocket_opened()
        except FPNNProtocolError as exc:
            self._layer_failed(exc)
            return b""
        return data

    def _sniff(self, data: bytes) -> bytes:
        """Server side: decide from the first bytes which layers apply (see ServerConnection)."""
        self._sniffing = False
        return data

    def _websocket_opened(self) -> None:
        fut = self._ws_opened
        if fut is not None and not fut.done():
            fut.set_result(None)
        if self.session.has_output:
            self._output_ready()

    def _layer_failed(self, error: FPNNError) -> None:
        """A TLS or WebSocket violation: what the layer queued for the peer (an HTTP error,
        a close frame) goes out, then the connection ends as after a bad FPNN frame."""
        self.logger.warning("closing connection %s (%s): %s", self.id, self.peer, error)
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(FPNNError):  # TLS broken too: nothing more to say
                self._write_layer_output(ws.data_to_send())
        self._layer_closed(error)

    def _layer_closed(self, error: FPNNError | None) -> None:
        """The peer ended the WebSocket or TLS (or broke it): close the socket; what was
        written already is flushed unless the peer does not read."""
        transport = self._transport
        if transport is not None:
            if self._paused or transport.get_write_buffer_size():
                transport.abort()
            else:
                transport.close()
        self._finish(error)

    def start_websocket(self, host: str, path: str, timeout: float) -> asyncio.Future[None]:
        """Client side: speak FPNN inside WebSocket binary messages on this connection. Sends
        the upgrade request for ``path`` (``host`` is the Host header); the future completes
        when the server accepted it, or fails with an FPNNError. Quests sent meanwhile wait."""
        from rtm.fpnn.websocket import WebSocketAdapter

        self._ws = WebSocketAdapter(client=True, max_message_size=self.max_frame_size,
                                    path=path)
        self._layered = True
        fut: asyncio.Future[None] = self._loop.create_future()
        self._ws_opened = fut
        self._write_layer_output(self._ws.start(host))
        handle = self._loop.call_later(timeout, self._websocket_timeout, fut, timeout)
        fut.add_done_callback(lambda _f: handle.cancel())
        return fut

    def _websocket_timeout(self, fut: asyncio.Future[None], timeout: float) -> None:
        if not fut.done():
            fut.set_exception(FPNNTimeoutError(
                f"the WebSocket handshake took over {timeout:g} s", ec.CORE_TIMEOUT))

    @property
    def websocket(self) -> bool:
        """FPNN goes inside WebSocket messages on this connection."""
        return self._ws is not None

    @property
    def tls(self) -> bool:
        """The server side of this connection speaks TLS (a client's TLS is asyncio's)."""
        return self._tls is not None

    # ------------------------------------------------------------------ sending

    def _output_ready(self) -> None:
        """The session queued something: write it now, or coalesce it with what follows.

        The first output of a loop tick is written at once (a lone quest pays no extra loop
        hop, and light pipelines keep both peers busy); what follows in the same tick is
        coalesced into writes of 4, 8, 16... up to ``coalesce_limit`` outputs, the last
        one at the end of the tick. While the transport is paused, output waits in the
        session.
        """
        if self._paused or self._transport is None:
            return
        if self._tick_open:
            self._nbuf += 1
            if not self._flush_queued:
                self._flush_queued = True
                self._loop.call_soon(self._flush)
            if self._nbuf >= self._batch:
                # Bounded batches keep the peer busy while we produce the rest of the tick;
                # they grow so that a short burst is split too: with one write then all the
                # rest, client and peer would take turns instead of working at once (10 in
                # flight ran at 0.6x the QPS of one write per frame).
                self._write_out()
                self._batch = min(self._batch * 2, self.coalesce_limit)
            return
        # No flush is scheduled for a lone frame (one quest at a time pays no callback and no
        # extra loop pass): the tick is closed by the next data_received, or by the flush the
        # next frame schedules, so frames are never reordered and wait at most one loop pass.
        self._tick_open = True
        self._batch = min(_FIRST_BATCH, self.coalesce_limit)
        self._write_out()

    def _write_out(self) -> None:
        self._nbuf = 0
        if self._layered:
            self._send_output()
        else:  # FPNN straight on TCP: the hot path, inline
            data = self.session.data_to_send()
            if data and self._transport is not None:
                self._transport.write(data)  # may call pause_writing() at once
        if self._room_waiters and not self._paused:
            self._wake_room_waiters()  # the queue is empty again (a burst within one tick)

    def _flush(self) -> None:
        self._tick_open = self._flush_queued = False
        if not self._paused and not self._closed:
            self._write_out()

    def send_quest(
        self, method: str, payload: Mapping[str, Any] | None, timeout: float
    ) -> AnswerFuture:
        """Send a twoway quest; the future gets the answer payload or an FPNNError.

        Raises :class:`WriteBufferFull` when the outbound buffer has no room for it
        (``quest()`` waits for room instead).
        """
        if self._closed:
            self.session.check_open()
        loop = self._loop
        fut: AnswerFuture = loop.create_future()
        now = loop.time()
        session = self.session
        session.send_quest(method, payload, fut, timeout, now)
        if now + timeout < self._timer_at:
            self._arm(now + timeout)
        transport = self._transport
        if self._tick_open or self._paused or transport is None or self._layered:
            self._output_ready()
        else:  # the first frame of a loop tick, as _output_ready() does, inline
            self._tick_open = True
            self._batch = min(_FIRST_BATCH, self.coalesce_limit)
            self._nbuf = 0
            transport.write(session.data_to_send())
        return fut

    def send_ping(self, method: str = "ping") -> None:
        """Send a twoway ``method {}`` quest whose answer only updates
        ``session.ping_answered_at`` (the server's keep-alive sweep; no timer, no future)."""
        if self._closed:
            return
        self.session.send_ping(method, self._loop.time())
        self._output_ready()

    def send_oneway(self, method: str, payload: Mapping[str, Any] | None = None) -> None:
        """Send a oneway quest (raises WriteBufferFull when there is no room for it)."""
        self.session.send_oneway(method, payload)
        self._output_ready()

    async def quest(
        self, method: str, payload: Mapping[str, Any] | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        try:
            fut = self.send_quest(method, payload, timeout)
        except WriteBufferFull:
            fut = await self.send_quest_when_room(method, payload, timeout)
        return await fut

    async def send_quest_when_room(
        self, method: str, payload: Mapping[str, Any] | None, timeout: float
    ) -> AnswerFuture:
        """``send_quest`` once the outbound buffer has room; the wait counts against
        ``timeout``, after which FPNNTimeoutError says the buffer stayed full."""
        loop = self._loop
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise self.session.write_buffer_full_error(method, timeout)
            await self._wait_for_room(remaining)
            try:
                return self.send_quest(method, payload, max(deadline - loop.time(), 0.0))
            except WriteBufferFull:
                continue

    async def send_oneway_when_room(
        self, method: str, payload: Mapping[str, Any] | None, timeout: float
    ) -> None:
        loop = self._loop
        deadline = loop.time() + timeout
        while True:
            try:
                self.send_oneway(method, payload)
                return
            except WriteBufferFull:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise self.session.write_buffer_full_error(method, timeout) from None
                await self._wait_for_room(remaining)

    async def _wait_for_room(self, timeout: float) -> None:
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._room_waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except (asyncio.TimeoutError, TimeoutError):
            pass  # the caller looks at the deadline
        finally:
            if waiter in self._room_waiters:
                self._room_waiters.remove(waiter)

    def _wake_room_waiters(self) -> None:
        waiters, self._room_waiters = self._room_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def start_handshake(self, kx: ClientKeyExchange, timeout: float) -> AnswerFuture:
        """Client side of the handshake: ``*key`` goes out in plaintext as the first frame,
        and everything after it, in both directions, is encrypted (spec 7.4)."""
        fut: AnswerFuture = self._loop.create_future()
        now = self._loop.time()
        self.session.start_handshake(kx, fut, timeout, now)
        if now + timeout < self._timer_at:
            self._arm(now + timeout)
        self._write_out()
        return fut

    # ------------------------------------------------------------------ receiving quests

    def _handle_quest(self, quest: Quest) -> None:
        handler = self.handlers.get(quest.method)
        if handler is None:  # unregistered since the session looked: unknown after all
            self._answered(self.session.answer_error(quest, FPNNError(
                f"Unknow method:{quest.method}", ec.CORE_UNKNOWN_METHOD)))
            return
        try:
            result = handler(self, quest)
        except Exception as exc:
            self._answered(self.session.answer_error(quest, exc))
            return
        if isinstance(result, asyncio.Future):
            # A handler that answers with a future needs no task: the answer follows the
            # future's callback (one task, two steps and a coroutine less per quest), or
            # goes now when the future is already done (no extra loop pass).
            if result.done():
                self._future_answered(quest, result)
                return
            self._tasks[result] = result
            result.add_done_callback(functools.partial(self._future_answered, quest))
        elif inspect.isawaitable(result):
            task = self._loop.create_task(self._await_handler(quest, result))
            # keep a reference so the task is not collected mid-flight
            self._tasks[task] = result
            task.add_done_callback(self._forget_task)
        else:
            self._answered(self.session.answer(quest, result))

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)

    def _future_answered(self, quest: Quest, fut: asyncio.Future[HandlerResult]) -> None:
        self._tasks.pop(fut, None)
        if fut.cancelled():  # the connection closed (as for a cancelled handler task)
            return
        exc = fut.exception()
        if exc is not None:
            if not isinstance(exc, Exception):
                raise exc
            self._answered(self.session.answer_error(quest, exc))
        else:
            self._answered(self.session.answer(quest, fut.result()))

    async def _await_handler(self, quest: Quest, pending: Awaitable[HandlerResult]) -> None:
        try:
            result = await pending
        except Exception as exc:
            self._answered(self.session.answer_error(quest, exc))
            return
        self._answered(self.session.answer(quest, result))

    def _answered(self, events: list[Event[AnswerFuture]]) -> None:
        if events:
            self._dispatch(events)  # a peer that reads nothing was given up
        elif not self._closed and self.session.has_output:
            self._output_ready()

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        """Flush what is queued and close; pending quests fail with connection-closed."""
        if self._closed:
            return
        if not self._paused:
            self._flush()
            ws = self._ws
            if ws is not None and ws.open:
                with contextlib.suppress(FPNNError):
                    self._write_layer_output(ws.close())
        if self._transport is not None:
            self._transport.close()
        self._finish(None)

    def _abort(self, exc: BaseException) -> None:
        if self._transport is not None:
            self._transport.abort()
        self._finish(exc)

    def _finish(self, exc: BaseException | None) -> None:
        if self._closed:
            return
        self._closed = True
        self._close_exc = exc
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = _INF
        if exc is None or isinstance(exc, FPNNError):
            error = exc
        else:
            error = FPNNConnectionError(f"{type(exc).__name__}: {exc}",
                                        ec.CORE_CONNECTION_CLOSED)
        fut = self._ws_opened
        if fut is not None and not fut.done():
            fut.set_exception(error if error is not None else FPNNConnectionError(
                "connection closed during the WebSocket handshake", ec.CORE_CONNECTION_CLOSED))
            fut.exception()  # retrieved: the opener may have stopped waiting
        events = self.session.close(error)
        for event in events:
            if isinstance(event, Failed) and not event.token.done():
                event.token.set_exception(event.error)
        self._wake_room_waiters()
        for task, handler_result in list(self._tasks.items()):
            task.cancel()
            # A task cancelled before its first step never awaits the handler's coroutine:
            # close it, or Python warns that it was never awaited.
            if inspect.iscoroutine(handler_result) and (
                inspect.getcoroutinestate(handler_result) == inspect.CORO_CREATED
            ):
                handler_result.close()
        if not self.closed_future.done():
            self.closed_future.set_result(None)
        if self._on_close is not None:
            try:
                self._on_close(self, exc)
            except Exception:
                self.logger.exception("on_close callback failed")
