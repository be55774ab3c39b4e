"""One FPNN connection on asyncio: the part shared by the client and the server side.

Both peers may send quests at any time, so a connection is symmetric: it numbers and tracks
its own twoway quests (seq -> future), answers the quests it receives through handlers, and
coalesces everything written in one loop tick into a single ``transport.write``.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import Answer, FrameDecoder, Quest
from rtm.fpnn.crypto import Decryptor, Encryptor
from rtm.fpnn.errors import FPNNAnswerError, FPNNConnectionError, FPNNError, FPNNTimeoutError

HandlerResult = Mapping[str, Any] | None
Handler = Callable[["FPNNConnection", Quest], HandlerResult | Awaitable[HandlerResult]]

_connection_ids = itertools.count(1)
_MAX_SEQ = 0xFFFFFFFF
_FIRST_BATCH = 4


class FPNNConnection(asyncio.Protocol):
    """An FPNN peer over one TCP connection (plaintext or encrypted)."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        max_frame_size: int = codec.DEFAULT_MAX_FRAME_SIZE,
        logger: logging.Logger | None = None,
        on_close: Callable[[FPNNConnection, BaseException | None], None] | None = None,
    ) -> None:
        self.id: int = next(_connection_ids)
        self.peer: str = ""
        self.state: dict[str, Any] = {}  # per-connection application state (listen, uid, ...)
        self.handlers = handlers
        self.max_frame_size = max_frame_size
        self.logger = logger or logging.getLogger("rtm.fpnn")
        self._on_close = on_close
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._decoder = FrameDecoder(max_frame_size)
        self._encryptor: Encryptor | None = None
        self._decryptor: Decryptor | None = None
        self._pending: dict[int, tuple[asyncio.Future[dict[str, Any]], float]] = {}
        self._seq = 0
        self._wbuf: list[bytes] = []
        self._tick_open = False  # a frame went out this loop tick; later ones are coalesced
        self._flush_queued = False  # a _flush is scheduled (frames are buffered)
        self.coalesce_limit = 32
        self._batch = _FIRST_BATCH  # frames buffered before the next write of this tick
        self._sweeper: asyncio.TimerHandle | None = None
        self._tasks: dict[asyncio.Task[None], Awaitable[HandlerResult]] = {}
        self._closed = False
        self._close_exc: BaseException | None = None
        self.closed_future: asyncio.Future[None] = self._loop.create_future()
        self.last_received = self._loop.time()
        self.sweep_interval = 0.25

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and len(peer) >= 2:
            host = f"[{peer[0]}]" if ":" in str(peer[0]) else str(peer[0])
            self.peer = f"{host}:{peer[1]}"

    def data_received(self, data: bytes) -> None:
        self.last_received = self._loop.time()
        if not self._flush_queued:  # nothing buffered: what this data wakes starts a new tick
            self._tick_open = False
        try:
            if self._decryptor is not None:
                data = self._decryptor.feed(data)
                if not data:
                    return
            messages = self._decoder.feed(data)
        except FPNNError as exc:
            self.logger.warning("closing connection %s (%s): %s", self.id, self.peer, exc)
            self._abort(exc)
            return
        self._dispatch_messages(messages)

    def _dispatch_messages(self, messages: list[codec.Message]) -> None:
        pending = self._pending
        for msg in messages:
            if type(msg) is Answer:
                entry = pending.pop(msg.seq, None)
                if entry is None:
                    self.logger.debug("dropping answer with unknown seq %d", msg.seq)
                    continue
                fut = entry[0]
                if fut.done():
                    continue
                if msg.status == codec.STATUS_OK:
                    fut.set_result(msg.payload)
                else:
                    fut.set_exception(
                        FPNNAnswerError(msg.error_message, msg.error_code, msg.raiser)
                    )
            else:
                assert isinstance(msg, Quest)
                self._handle_quest(msg)

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish(exc)

    def pause_writing(self) -> None:  # the transport buffers for us; nothing to throttle here
        pass

    def resume_writing(self) -> None:
        pass

    # ------------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def encrypted(self) -> bool:
        return self._encryptor is not None

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def set_ciphers(self, encryptor: Encryptor | None, decryptor: Decryptor | None) -> None:
        """Switch to encrypted mode; everything written or read from now on is encrypted."""
        self._encryptor = encryptor
        self._decryptor = decryptor

    # ------------------------------------------------------------------ sending

    def _next_seq(self) -> int:
        seq = self._seq
        while True:
            seq = seq + 1 if seq < _MAX_SEQ else 1
            if seq not in self._pending:  # skip values still in flight after a wrap
                self._seq = seq
                return seq

    def write_frame(self, frame: bytes) -> None:
        """Queue one encoded frame.

        The first frame of a loop tick is written at once (a lone quest pays no extra loop
        hop, and light pipelines keep both peers busy); the frames that follow it in the same
        tick are coalesced into writes of 4, 8, 16... up to ``coalesce_limit`` frames, the
        last one at the end of the tick.
        """
        if self._closed:
            raise FPNNConnectionError("connection is closed", ec.CORE_CONNECTION_CLOSED)
        if self._tick_open:
            wbuf = self._wbuf
            wbuf.append(frame)
            if not self._flush_queued:
                self._flush_queued = True
                self._loop.call_soon(self._flush)
            if len(wbuf) >= self._batch:
                # Bounded batches keep the peer busy while we produce the rest of the tick;
                # they grow (4, 8, 16... coalesce_limit) so that a short burst is split too:
                # with one frame then all the rest, client and peer would take turns instead
                # of working at the same time (10 in flight ran at 0.6x the QPS of one write
                # per frame).
                self._write_buffered()
                self._batch = min(self._batch * 2, self.coalesce_limit)
            return
        # No flush is scheduled for a lone frame (one quest at a time pays no callback and no
        # extra loop pass): the tick is closed by the next data_received, or by the flush the
        # next frame schedules, so frames are never reordered and wait at most one loop pass.
        self._tick_open = True
        self._batch = min(_FIRST_BATCH, self.coalesce_limit)
        if self._transport is not None:
            enc = self._encryptor
            self._transport.write(enc.encrypt_frames([frame]) if enc is not None else frame)

    def write_raw(self, data: bytes) -> None:
        """Write bytes immediately, bypassing coalescing and encryption (the ``*key`` frame)."""
        assert self._transport is not None
        self._flush()
        self._transport.write(data)

    def _flush(self) -> None:
        self._tick_open = self._flush_queued = False
        self._write_buffered()

    def _write_buffered(self) -> None:
        wbuf = self._wbuf
        if not wbuf:
            return
        if self._transport is None or self._closed:
            wbuf.clear()
            return
        if self._encryptor is not None:
            data = self._encryptor.encrypt_frames(wbuf)
        elif len(wbuf) == 1:
            data = wbuf[0]
        else:
            data = b"".join(wbuf)
        wbuf.clear()
        self._transport.write(data)

    def send_quest(
        self, method: str, payload: Mapping[str, Any] | None, timeout: float
    ) -> asyncio.Future[dict[str, Any]]:
        """Send a twoway quest; the future gets the answer payload or an FPNNError."""
        if self._closed:
            raise FPNNConnectionError("connection is closed", ec.CORE_CONNECTION_CLOSED)
        seq = self._seq + 1
        if seq > _MAX_SEQ or seq in self._pending:
            seq = self._next_seq()  # wrap-around, or skip values still in flight
        else:
            self._seq = seq
        frame = codec.encode_quest(method, payload, seq,  # type: ignore[arg-type]
                                   max_frame_size=self.max_frame_size)
        loop = self._loop
        fut: asyncio.Future[dict[str, Any]] = loop.create_future()
        self._pending[seq] = (fut, loop.time() + timeout)
        if self._sweeper is None:
            self._sweeper = loop.call_later(self.sweep_interval, self._sweep)
        self.write_frame(frame)
        return fut

    def send_oneway(self, method: str, payload: Mapping[str, Any] | None = None) -> None:
        self.write_frame(codec.encode_quest(method, payload, oneway=True,  # type: ignore[arg-type]
                                            max_frame_size=self.max_frame_size))

    async def quest(
        self, method: str, payload: Mapping[str, Any] | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        return await self.send_quest(method, payload, timeout)

    def send_key_quest(
        self, payload: Mapping[str, Any], encryptor: Encryptor, decryptor: Decryptor,
        timeout: float,
    ) -> asyncio.Future[dict[str, Any]]:
        """Client side of the handshake: ``*key`` goes out in plaintext as the first frame,
        and everything after it, in both directions, is encrypted (spec 7.4)."""
        seq = self._next_seq()
        frame = codec.encode_quest("*key", payload, seq)  # type: ignore[arg-type]
        fut: asyncio.Future[dict[str, Any]] = self._loop.create_future()
        self._pending[seq] = (fut, self._loop.time() + timeout)
        if self._sweeper is None:
            self._sweeper = self._loop.call_later(self.sweep_interval, self._sweep)
        self.write_raw(frame)
        self.set_ciphers(encryptor, decryptor)
        return fut

    def _sweep(self) -> None:
        """The one timeout sweeper: fails expired quests; runs only while quests are pending."""
        self._sweeper = None
        pending = self._pending
        if not pending or self._closed:
            return
        now = self._loop.time()
        expired = [seq for seq, (_f, deadline) in pending.items() if deadline <= now]
        for seq in expired:
            fut = pending.pop(seq)[0]
            if not fut.done():
                fut.set_exception(FPNNTimeoutError("quest timeout", ec.CORE_TIMEOUT))
        if pending:
            self._sweeper = self._loop.call_later(self.sweep_interval, self._sweep)

    # ------------------------------------------------------------------ receiving quests

    def _handle_quest(self, quest: Quest) -> None:
        handler = self.handlers.get(quest.method)
        if handler is None:
            if not quest.oneway:
                self._answer_error(quest, ec.CORE_UNKNOWN_METHOD, f"Unknow method:{quest.method}")
            else:
                self.logger.debug("dropping unknown oneway quest %s", quest.method)
            return
        try:
            result = handler(self, quest)
        except Exception as exc:
            self._answer_exception(quest, exc)
            return
        if inspect.isawaitable(result):
            task = self._loop.create_task(self._await_handler(quest, result))
            # keep a reference so the task is not collected mid-flight
            self._tasks[task] = result
            task.add_done_callback(self._forget_task)
        else:
            self._answer(quest, result)

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)

    async def _await_handler(self, quest: Quest, pending: Awaitable[HandlerResult]) -> None:
        try:
            result = await pending
        except Exception as exc:
            self._answer_exception(quest, exc)
            return
        self._answer(quest, result)

    def _answer(self, quest: Quest, result: HandlerResult) -> None:
        if quest.oneway or self._closed:
            return
        try:
            frame = codec.encode_answer(quest.seq, result, flag=quest.flag,  # type: ignore[arg-type]
                                        version=quest.version)
        except FPNNError as exc:
            self._answer_exception(quest, exc)
            return
        self.write_frame(frame)

    def _answer_exception(self, quest: Quest, exc: Exception) -> None:
        if isinstance(exc, FPNNError):
            code, message = exc.code, exc.message
        else:
            self.logger.exception("handler for %s failed", quest.method, exc_info=exc)
            code, message = ec.CORE_UNKNOWN_ERROR, f"{type(exc).__name__}: {exc}"
        if quest.oneway:
            return
        self._answer_error(quest, code, message)

    def _answer_error(self, quest: Quest, code: int, message: str) -> None:
        if self._closed:
            return
        self.write_frame(codec.encode_error_answer(quest.seq, code, message,
                                                   flag=quest.flag, version=quest.version))

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        """Flush what is queued and close; pending quests fail with connection-closed."""
        if self._closed:
            return
        self._flush()
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
        self._wbuf.clear()
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        pending, self._pending = self._pending, {}
        if pending:
            reason = f": {exc}" if exc else ""
            for fut, _deadline in pending.values():
                if not fut.done():
                    fut.set_exception(FPNNConnectionError(
                        f"connection is closed{reason}", ec.CORE_CONNECTION_CLOSED))
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

