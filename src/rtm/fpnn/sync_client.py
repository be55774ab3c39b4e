"""Blocking, thread-safe FPNN client with no asyncio: the threaded transport of
:class:`rtm.fpnn.session.FPNNSession`.

The session decides everything protocol (seqs, deadlines, answers, keep-alive, handshake,
what to answer); this module moves bytes and wakes callers. Calls into the session are
serialized by the connection's ``lock``.

Writing: a calling thread queues its quest in the session and sends what is queued itself,
without blocking (``MSG_DONTWAIT``): one thread at a time holds the send lock and sends for
everyone (a thread that finds it taken leaves its frame to the holder: one syscall per batch
under contention). When the socket is full the sender waits for it to drain, but never past
its own quest's deadline; then the reader thread takes over. Outbound bytes are capped
(``max_write_buffer``): a quest that does not fit waits for room until its deadline, and a
peer that takes no byte for ``write_timeout`` is given up.

Reading: one reader thread per connection decodes what arrives and wakes the waiting caller
by releasing a pre-acquired lock (one thread hop per call). It also runs the handlers of
server-pushed quests (they must be quick), the session's deadlines (callback-mode timeouts,
keep-alive) and, when the socket was full, the rest of the sending. It never blocks on a
write.

A blocking caller also times out on its own wait (``lock.acquire(timeout=...)``); whoever
takes a pending quest out of the session first completes it, so every quest completes
exactly once and a late answer is dropped.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import struct
import sys
import threading
import time
from _thread import allocate_lock
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.client_config import ClientConfig, ConnectionCallback, answer_ping
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import _connection_ids
from rtm.fpnn.errors import (
    ClientClosedError,
    FPNNConnectionError,
    FPNNError,
    FPNNTimeoutError,
)
from rtm.fpnn.session import (
    DEFAULT_MAX_WRITE_BUFFER,
    Answered,
    Closed,
    Event,
    Failed,
    FPNNSession,
    WriteBufferFull,
)

__all__ = [
    "MAX_BUSY_POLL", "QuestCallback", "SyncConnectionInfo", "SyncFPNNClient", "SyncHandler",
    "check_busy_poll",
]

SyncHandlerResult = Mapping[str, Any] | None
#: ``handler(info, quest)``; ``info`` is a :class:`SyncConnectionInfo`. Typed ``Any`` so that
#: handlers written for the asyncio client (taking an FPNNConnection) are accepted too.
SyncHandler = Callable[[Any, Quest], SyncHandlerResult]
#: ``callback(answer, error)``: exactly one of them is None.
QuestCallback = Callable[[dict[str, Any] | None, FPNNError | None], None]

_RECV_SIZE: Final = 65536  # under glibc's mmap threshold: no mmap/munmap per recv
_SWEEP_INTERVAL: Final = 0.1  # longest reader sleep: it looks at the session's deadlines
_MIN_WAIT: Final = 0.001
# How long the reader lets the read side go after answering a blocking caller, so that a
# caller making one call after another reads its own answers: pushes wait at most this long.
_LINGER: Final = 0.002
_JOIN_TIMEOUT: Final = 5.0
# Linux honours SO_RCVTIMEO on a blocking socket (recv fails with EAGAIN on expiry), which
# gives the reader a timed wait with one syscall per recv, and MSG_DONTWAIT makes one send
# non-blocking on that blocking socket. Elsewhere the socket is non-blocking and the reader
# polls with select() before each recv.
_USE_RCVTIMEO: Final = sys.platform.startswith("linux") and hasattr(socket, "MSG_DONTWAIT")
_DONTWAIT: Final = getattr(socket, "MSG_DONTWAIT", 0) if _USE_RCVTIMEO else 0
_MONOTONIC = time.monotonic
#: Longest ``busy_poll``: polling holds a CPU and, between polls, the interpreter.
MAX_BUSY_POLL: Final = 0.01


def check_busy_poll(value: object) -> float:
    """``value`` as a ``busy_poll`` in seconds; ValueError unless a number in 0..MAX_BUSY_POLL."""
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not 0 <= value <= MAX_BUSY_POLL):
        raise ValueError(f"busy_poll must be a number of seconds from 0 to {MAX_BUSY_POLL}, "
                         f"got {value!r}")
    return float(value)


@dataclass(slots=True, eq=False)
class SyncConnectionInfo:
    """What a push handler learns about the connection the quest came on."""

    id: int
    peer: str
    encrypted: bool
    state: dict[str, Any] = field(default_factory=dict)


class _Waiter:
    """One pending twoway quest: the session's token. Blocking mode: ``lock`` (pre-acquired)
    is released by the completer. Callback mode: ``callback`` is called by the completer."""

    __slots__ = ("callback", "error", "lock", "result")

    def __init__(self, callback: QuestCallback | None) -> None:
        self.callback = callback
        self.result: dict[str, Any] | None = None
        self.error: FPNNError | None = None
        if callback is None:
            lock = allocate_lock()
            lock.acquire()
            self.lock: Any = lock
        else:
            self.lock = None


class _Attempt:
    """One connect attempt shared by every thread that needs the connection meanwhile."""

    __slots__ = ("conn", "done", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.conn: _Connection | None = None
        self.error: BaseException | None = None


def _copy_error(exc: BaseException) -> FPNNError:
    """A fresh exception per raising thread (raising one object in many threads mixes up
    their tracebacks)."""
    if isinstance(exc, FPNNError):
        try:
            return type(exc)(exc.message, exc.code)
        except TypeError:  # a subclass with another signature
            return FPNNConnectionError(exc.message, exc.code)
    return FPNNConnectionError(f"connect failed: {type(exc).__name__}: {exc}",
                               ec.CORE_INVALID_CONNECTION)


def _clamp_wait(timeout: float) -> float:
    if timeout > threading.TIMEOUT_MAX:
        return -1
    return max(timeout, 0.0)


class _Connection:
    """One TCP connection: socket, session, send path and reader thread."""

    def __init__(self, client: SyncFPNNClient, sock: socket.socket, peer: str) -> None:
        self.id: int = next(_connection_ids)
        self.client = client
        self.sock = sock
        self.lock = threading.Lock()  # serializes every call into the session
        self.room = threading.Condition(self.lock)  # quests waiting for room to be queued
        self.room_waiters = 0
        self.sent_batches = 0  # bumped when bytes leave: room may have appeared
        self.send_lock = threading.Lock()  # one sender at a time, in the session's order
        self.unsent: bytes | memoryview = b""  # taken from the session, not sent (send_lock)
        self.blocked = False  # the socket refused bytes and has not drained yet (send_lock)
        self.session: FPNNSession[_Waiter] = FPNNSession(
            client._handlers, now=_MONOTONIC(), max_frame_size=client.max_frame_size,
            max_write_buffer=client.max_write_buffer, write_timeout=client._write_timeout(),
            keepalive=client._keepalive(), logger=client.logger)
        self.closed = False
        self.announced = False  # on_connected was called: on_closed will be too
        self.info = SyncConnectionInfo(self.id, peer, False)
        self.reader: threading.Thread | None = None
        self._rcvtimeo = 0.0
        # Leader/follower: whoever holds read_token reads the socket (the reader thread, or
        # a blocking caller waiting for its answer while nobody else reads).
        self.read_token = threading.Lock()
        self.reader_wake = threading.Event()
        self.answered_blocking = False  # a blocking caller was answered (read_token holder)
        self.own_reads = 0  # bumped by each caller that read its own answer (a change counts)
        self._next_tick = 0.0  # the session's next deadline, or the next periodic look
        self._when: float | None = None

    @property
    def logger(self) -> logging.Logger:
        return self.client.logger  # follows later changes of the client's logger

    # ------------------------------------------------------------------ sending

    def submit(self, method: str, payload: Mapping[str, Any] | None, waiter: _Waiter | None,
               timeout: float, start: float) -> int:
        """Queue a quest (``waiter`` None: oneway) in the session, waiting for room in the
        write buffer until ``start + timeout``. Returns the seq (0 for oneway).

        Raises FPNNConnectionError when closed, FPNNTimeoutError when no room came in time,
        FPNNError/ValueError when it cannot be encoded.
        """
        session = self.session
        deadline = start + timeout
        while True:
            with self.lock:
                try:
                    if waiter is None:
                        session.send_oneway(method, payload)
                        return 0
                    return session.send_quest(method, payload, waiter, timeout, start)
                except WriteBufferFull:
                    seen = self.sent_batches
            # Back-pressure: help sending (the holder of the send lock sends anyway), then
            # wait for bytes to leave, within the deadline.
            remaining = deadline - _MONOTONIC()
            if remaining <= 0:
                raise session.write_buffer_full_error(method, timeout)
            if self.flush(deadline):
                continue
            with self.lock:
                if self.sent_batches == seen and not self.closed:
                    self.room_waiters += 1
                    try:
                        self.room.wait(_clamp_wait(deadline - _MONOTONIC()))
                    finally:
                        self.room_waiters -= 1

    def flush(self, deadline: float | None) -> bool:
        """Send what the session queued, unless another thread holds the send lock (it sends
        ours too: False). With a ``deadline``, wait for a full socket to drain until then;
        without one (the reader thread) never wait. Never raises: a failed send closes the
        connection, which fails its quests."""
        session = self.session
        while True:
            if not self.send_lock.acquire(False):
                return False
            try:
                drained = self._send(deadline)
            finally:
                self.send_lock.release()
            # A thread that found the lock taken left its frame to us: look again.
            if not drained or self.closed or not (session.outbox or self.unsent):
                return True

    def _send(self, deadline: float | None, data: bytes | memoryview = b"") -> bool:
        """Send (holding the send lock) ``data`` (taken from the session by the caller, who
        found ``unsent`` empty), then until nothing is queued (True) or the socket stays
        full (False: the rest is in ``unsent``, for the next sender or the reader)."""
        sock = self.sock
        session = self.session
        if not data:
            data = self.unsent
        while True:
            if not data:
                with self.lock:
                    data = session.data_to_send()
                if not data:
                    if self.blocked:
                        self._progress(blocked=False)
                    return True
            try:
                sent = sock.send(data, _DONTWAIT)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self.unsent = b""
                self.close(FPNNConnectionError(f"send failed: {exc}",
                                               ec.CORE_CONNECTION_CLOSED))
                return True
            if sent == len(data):
                data = b""
                self.unsent = b""
                if self.blocked or self.room_waiters:
                    self._progress(blocked=False)
                if not session.outbox:  # nothing queued meanwhile: no need for the lock
                    return True
                continue
            data = memoryview(data)[sent:]
            self.unsent = data
            if sent or not self.blocked:
                self._progress(blocked=True, moved=bool(sent))
            if deadline is None:
                return False
            remaining = deadline - _MONOTONIC()
            if remaining <= 0 or self.closed:
                return False
            try:
                writable = select.select([], [sock], [], remaining)[1]
            except (OSError, ValueError):  # closed meanwhile
                return True
            if not writable:
                return False

    def _progress(self, blocked: bool, moved: bool = True) -> None:
        """Tell the session how the socket takes our bytes (rare: only around a full
        socket), and wake the quests waiting for room."""
        now = _MONOTONIC()
        with self.lock:
            self.blocked = blocked
            session = self.session
            session.transport_buffered = len(self.unsent)
            if moved:
                session.write_progress(now, blocked)
                self.sent_batches += 1
                if self.room_waiters:
                    self.room.notify_all()
            else:
                session.write_blocked(now)

    def call(self, method: str, payload: Mapping[str, Any] | None,
             timeout: float) -> dict[str, Any]:
        """One blocking quest: queue, send and wait for its answer. The common case (room in
        the write buffer, nobody sending) queues the frame and takes it back for sending in
        one pass under the lock; anything else goes the general way (``submit``, ``flush``)."""
        waiter = _Waiter(None)
        start = _MONOTONIC()
        deadline = start + timeout
        session = self.session
        send_lock = self.send_lock
        data = b""
        sending = False
        with self.lock:
            try:
                seq = session.send_quest(method, payload, waiter, timeout, start)
            except WriteBufferFull:
                seq = 0
            else:
                # Lock order is send_lock, then lock: only try it here, never wait for it.
                sending = send_lock.acquire(False)
                if sending and not self.unsent:
                    data = session.data_to_send()
        if seq == 0:
            seq = self.submit(method, payload, waiter, timeout, start)
            self.flush(deadline)
        elif sending:
            try:
                drained = self._send(deadline, data)
            finally:
                send_lock.release()
            # Frames another thread queued while we sent were left to us.
            if drained and (session.outbox or self.unsent) and not self.closed:
                self.flush(deadline)
        return self.wait(seq, waiter, deadline)

    def wait(self, seq: int, waiter: _Waiter, deadline: float) -> dict[str, Any]:
        """Block until ``waiter`` completes or its deadline passes."""
        timeout = deadline - _MONOTONIC()
        if timeout > threading.TIMEOUT_MAX:
            timeout = -1
        elif timeout < 0:
            timeout = 0
        if self.read_token.acquire(False):
            # Nobody reads: read our own answer in this thread (no thread switch), and
            # whatever else arrives meanwhile.
            try:
                done = waiter.lock.acquire
                while not done(False):
                    if self.closed or _MONOTONIC() >= deadline:
                        break
                    self._read_once(deadline)
            finally:
                self.answered_blocking = False
                self.own_reads += 1
                self.read_token.release()
                if self.session.pending_count and not self.closed:
                    self.reader_wake.set()  # others still wait: the reader takes over
            if waiter.error is not None:
                raise waiter.error
            if waiter.result is not None:
                return waiter.result
            timeout = deadline - _MONOTONIC()
            timeout = 0 if timeout < 0 else timeout
        if not waiter.lock.acquire(True, timeout):
            with self.lock:
                failed = self.session.expire(seq)
            if failed is not None:
                raise failed.error
            waiter.lock.acquire()  # completed meanwhile: the release is imminent
        if waiter.error is not None:
            raise waiter.error
        result = waiter.result
        assert result is not None
        return result

    # ------------------------------------------------------------------ completing

    def complete(self, waiter: _Waiter) -> None:
        callback = waiter.callback
        if callback is None:
            waiter.lock.release()
            return
        try:
            callback(waiter.result, waiter.error)
        except Exception:
            self.logger.exception("quest callback %r failed", callback)

    def dispatch(self, events: list[Event[_Waiter]]) -> None:
        """Act on the session's events (on the reader thread, or the closing thread)."""
        if not events:
            return
        last = events[-1]
        if type(last) is Closed:
            # The session gave the connection up (protocol error, keep-alive lost, a peer
            # that does not read): closed first, so that the callers it wakes see it closed.
            self.logger.warning("closing connection %s (%s): %s", self.id, self.info.peer,
                                last.error)
            self.flush(None)  # answers to what came before, if the socket takes them
            self.close(last.error, events[:-1])
            return
        for event in events:
            kind = type(event)
            if kind is Answered:
                waiter = event.token  # type: ignore[union-attr]
                waiter.result = event.payload  # type: ignore[union-attr]
                callback = waiter.callback
                if callback is None:
                    self.answered_blocking = True
                    waiter.lock.release()
                else:
                    try:
                        callback(waiter.result, None)
                    except Exception:
                        self.logger.exception("quest callback %r failed", callback)
            elif kind is Failed:
                waiter = event.token  # type: ignore[union-attr]
                waiter.error = event.error  # type: ignore[union-attr]
                self.complete(waiter)
            elif kind is Quest:
                self._handle_quest(event)  # type: ignore[arg-type]

    def _handle_quest(self, quest: Quest) -> None:
        handler = self.client._handlers.get(quest.method)
        session = self.session
        try:
            if handler is None:  # unregistered since the session looked
                raise FPNNError(f"Unknow method:{quest.method}", ec.CORE_UNKNOWN_METHOD)
            result = handler(self.info, quest)
        except Exception as exc:
            with self.lock:
                events = session.answer_error(quest, exc)
        else:
            with self.lock:
                events = session.answer(quest, result)
        if events:
            self.dispatch(events)
        elif not quest.oneway:
            self.flush(None)

    # ------------------------------------------------------------------ reader thread

    def start(self) -> None:
        if _USE_RCVTIMEO:
            self._set_rcvtimeo(_SWEEP_INTERVAL)
        else:
            self.sock.setblocking(False)
        self.reader = threading.Thread(target=self._read_loop, name=f"fpnn-reader-{self.id}",
                                       daemon=True)
        self.reader.start()

    def _set_rcvtimeo(self, seconds: float) -> None:
        sec = int(seconds)
        usec = int((seconds - sec) * 1_000_000)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                             struct.pack("ll", sec, usec))
        self._rcvtimeo = seconds

    def _read_loop(self) -> None:
        """The reader thread: holds the read side whenever no caller does (leader/follower).

        After it answered a blocking caller it lets the read side go, so that the caller's
        next quest can read its own answer in its own thread (no thread switch). It takes the
        read side back after a spell in which no caller read its own answer (taking it
        between two calls of a busy caller would cost that caller's next call a switch), or
        at once when a leaving caller still has quests of others pending.
        """
        token = self.read_token
        wake = self.reader_wake
        try:
            while not self.closed:
                if token.acquire(False):
                    try:
                        while not self.closed:
                            self._read_once(None)
                            if self.answered_blocking:
                                self.answered_blocking = False
                                break
                    finally:
                        token.release()
                seen = self.own_reads
                while not self.closed:
                    woken = wake.wait(_LINGER)
                    wake.clear()
                    if woken or self.own_reads == seen:
                        break
                    seen = self.own_reads
        except BaseException as exc:  # pragma: no cover - a bug: never leave quests hanging
            self.logger.exception("reader of connection %s failed", self.id)
            self.close(FPNNConnectionError(f"reader failed: {exc!r}", ec.CORE_CONNECTION_CLOSED))
        finally:
            # A caller may still be in recv (the shutdown wakes it): wait for the read side,
            # then close under the send lock: nobody is inside send() or recv() on this fd.
            with token, self.send_lock:
                self.sock.close()

    def _read_once(self, limit: float | None) -> None:
        """One turn of the read side (its holder only): the session's deadlines, then one
        receive, waiting at most until ``limit`` (a leading caller's deadline)."""
        sock = self.sock
        session = self.session
        lock = self.lock
        now = _MONOTONIC()
        if now >= self._next_tick:
            with lock:
                events = session.tick(now)
                when = self._when = session.next_deadline()
            if events:
                self.dispatch(events)
            # Also periodically: a caller may have added an earlier deadline since.
            self._next_tick = now + _SWEEP_INTERVAL if when is None else min(
                when, now + _SWEEP_INTERVAL)
            if session.has_output and not self.send_lock.locked():
                self.flush(None)  # a keep-alive ping, held writes not flushed yet
        else:
            when = self._when
        # Wait the sweep interval, or less before a close deadline: the periodic look needs
        # no precision (waking late by less than the interval is fine), so the timeout
        # rarely changes, and each change costs a syscall.
        wait = _SWEEP_INTERVAL
        if when is not None and when - now < wait:
            wait = max(when - now, _MIN_WAIT)
        if limit is not None and limit - now < wait:
            wait = max(limit - now, _MIN_WAIT)
        # Bytes left by a sender whose deadline passed (or by us): nobody else will send
        # them, so wait for the socket to take them as well as for data.
        want_write = bool(self.unsent) and not self.send_lock.locked()
        poll_until = 0.0
        if limit is not None and not want_write:
            busy_poll = self.client.busy_poll
            if busy_poll and session.pending_count == 1:  # one caller, waiting for its answer
                poll_until = min(now + busy_poll, limit)
        data: bytes | None = None
        try:
            # Polling keeps this CPU awake: on a VM, waking a sleeping thread costs more than
            # a loopback round trip. Each recv lets other Python threads in.
            while poll_until:
                try:
                    data = sock.recv(_RECV_SIZE, _DONTWAIT)
                    break
                except BlockingIOError:
                    polled = _MONOTONIC()
                    if polled >= poll_until:
                        wait = max(wait - (polled - now), _MIN_WAIT)  # the rest of it
                        break
            if data is None and _USE_RCVTIMEO and not want_write:
                # A shorter wait before a close deadline; rarely changed, since waking
                # early is harmless and every change costs a syscall.
                timeo = self._rcvtimeo
                if wait < timeo - 0.001 or (wait > 2 * timeo and timeo < _SWEEP_INTERVAL):
                    self._set_rcvtimeo(wait)
                data = sock.recv(_RECV_SIZE)
            elif data is None:
                readable, writable, _ = select.select(
                    [sock], [sock] if want_write else [], [], wait)
                if writable:
                    self.flush(None)
                data = sock.recv(_RECV_SIZE, _DONTWAIT) if readable else None
        except (BlockingIOError, TimeoutError, InterruptedError):
            return  # the wait expired: time to look at the deadlines
        except OSError as exc:
            if not self.closed:
                self.close(FPNNConnectionError(f"receive failed: {exc}",
                                               ec.CORE_CONNECTION_CLOSED))
            return
        if data is None:
            return
        if not data:
            self.close(FPNNConnectionError("closed by the peer", ec.CORE_CONNECTION_CLOSED))
            return
        with lock:
            events = session.receive_data(data, _MONOTONIC())
        if events:
            self.dispatch(events)
        if session.outbox and not self.closed:  # answers the session wrote
            self.flush(None)

    # ------------------------------------------------------------------ closing

    def close(self, exc: FPNNError | None,
              failed: list[Event[_Waiter]] | None = None) -> None:
        """Close once: wake the reader, fail every pending quest (``failed``: those the
        session failed already), tell the client. The reader thread closes the socket
        when it exits."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            events = self.session.close(exc)
            if failed:
                events = failed + events
            self.room.notify_all()
        self.reader_wake.set()  # not lingering: the reader closes the socket
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self.reader is None:  # never started: nobody else will close the socket
            self.sock.close()
        self.dispatch(events)
        self.client._connection_closed(self)


class SyncFPNNClient(ClientConfig[SyncHandler]):
    """One long-lived FPNN connection to ``endpoint``, opened on first use; thread-safe.

    Quests fail at once with FPNNConnectionError when the connection drops; the next quest
    reconnects. Timeouts raise FPNNTimeoutError (also a builtin TimeoutError). After
    ``close()`` every call raises ClientClosedError: a closed client stays closed.

    ``on_connected(conn_id)`` runs on the thread that opened the connection before any other
    thread may use it; quests it sends (from that thread) go first on the new connection.

    ``busy_poll`` (seconds, at most ``MAX_BUSY_POLL``; default 0: off): a blocking ``quest``
    that is the only one pending polls the socket that long for its answer before it sleeps.
    It trades CPU for latency: on loopback or a LAN the answer often comes back sooner than
    a sleeping thread wakes up (see ``docs/performance.md``). Between polls the interpreter
    is released, but other Python threads of the process run less smoothly meanwhile: use it
    where one thread makes the calls.
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
        busy_poll: float = 0.0,
        logger: logging.Logger | None = None,
        on_connected: ConnectionCallback | None = None,
        on_closed: ConnectionCallback | None = None,
    ) -> None:
        self.busy_poll = check_busy_poll(busy_poll)
        super().__init__(
            endpoint, connect_timeout=connect_timeout, quest_timeout=quest_timeout,
            max_frame_size=max_frame_size, keepalive=keepalive,
            keepalive_interval=keepalive_interval, keepalive_retries=keepalive_retries,
            max_write_buffer=max_write_buffer, write_timeout=write_timeout,
            logger=logger or logging.getLogger("rtm.fpnn.sync_client"),
            on_connected=on_connected, on_closed=on_closed, ping_handler=answer_ping,
        )
        if self.websocket is not None:
            raise ValueError(f"endpoint {endpoint!r}: WebSocket endpoints are for the asyncio "
                             "FPNNClient; SyncFPNNClient speaks FPNN on TCP ('host:port')")
        self._conn: _Connection | None = None
        self._state_lock = threading.Lock()
        self._attempt: _Attempt | None = None
        self._generation = 0  # bumped by close(): an attempt racing with it is discarded
        self._closed = False
        self._readers: list[threading.Thread] = []
        self._opening = threading.local()  # .conn: the connection this thread is opening
        self._held = threading.local()  # .on: this thread's writes wait for flush()

    # ------------------------------------------------------------------ configuration

    @property
    def connected(self) -> bool:
        conn = self._conn
        return conn is not None and not conn.closed

    @property
    def connection_id(self) -> int | None:
        conn = self._conn
        return conn.id if conn is not None and not conn.closed else None

    @property
    def closed(self) -> bool:
        """``close()`` was called: the client never connects again."""
        return self._closed

    # ------------------------------------------------------------------ connecting

    def connect(self) -> None:
        """Connect now (no-op when connected). Raises FPNNConnectionError/FPNNTimeoutError,
        ClientClosedError after ``close()``."""
        self._ensure_connected()

    def _ensure_connected(self) -> _Connection:
        conn = self._conn
        if conn is not None and not conn.closed:
            return conn
        opening = getattr(self._opening, "conn", None)
        if opening is not None:  # on_connected sending on the connection it announces
            return opening  # type: ignore[no-any-return]
        with self._state_lock:
            if self._closed:
                raise ClientClosedError()
            conn = self._conn
            if conn is not None and not conn.closed:
                return conn
            attempt = self._attempt
            leader = attempt is None
            if attempt is None:
                attempt = self._attempt = _Attempt()
            generation = self._generation
        if leader:
            return self._lead_attempt(attempt, generation)
        attempt.done.wait()
        if attempt.error is not None:
            raise _copy_error(attempt.error) from attempt.error
        # One attempt per call, even if its connection closed since: the call fails on it,
        # as the leader's would. Trying again could keep this thread waiting past its
        # timeout for as long as a peer (a proxy in front of a stopped server) accepts and
        # closes.
        assert attempt.conn is not None  # an attempt ends with a connection or an error
        return attempt.conn

    def _lead_attempt(self, attempt: _Attempt, generation: int) -> _Connection:
        try:
            conn = self._open()
            conn.announced = True
            # Before any other thread may use the connection: whatever on_connected sends
            # from here (the RTM client re-applies its listen settings) goes out first.
            self._opening.conn = conn
            try:
                if self.on_connected is not None:
                    try:
                        self.on_connected(conn.id)
                    except Exception:
                        self.logger.exception("on_connected callback failed")
            finally:
                self._opening.conn = None
            if conn.closed:  # dropped while opening: fail the calls waiting for it
                raise FPNNConnectionError(f"connection to {self.endpoint} closed while opening",
                                          ec.CORE_CONNECTION_CLOSED)
            with self._state_lock:
                discarded = generation != self._generation or self._closed
                if not discarded and not conn.closed:
                    self._conn = conn
                    self._readers = [t for t in self._readers if t.is_alive()]
                    if conn.reader is not None:
                        self._readers.append(conn.reader)
                if self._attempt is attempt:
                    self._attempt = None
            if discarded:
                conn.close(None)
                raise ClientClosedError("client closed while connecting")
        except BaseException as exc:
            attempt.error = exc
            with self._state_lock:
                if self._attempt is attempt:
                    self._attempt = None
            attempt.done.set()
            raise
        attempt.conn = conn
        attempt.done.set()
        return conn

    def _open(self) -> _Connection:
        timeout = self.connect_timeout
        deadline = _MONOTONIC() + timeout
        try:
            sock = socket.create_connection((self._host, self._port), timeout=timeout)
        except TimeoutError as exc:
            raise FPNNTimeoutError(
                f"connect to {self.endpoint} timed out after {timeout} s",
                ec.CORE_TIMEOUT) from exc
        except OSError as exc:
            raise FPNNConnectionError(
                f"cannot connect to {self.endpoint}: {exc.strerror or exc}",
                ec.CORE_INVALID_CONNECTION) from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(None)  # sends never block (MSG_DONTWAIT); the reader has a timeout
            peername = sock.getpeername()
        except OSError as exc:
            sock.close()
            raise FPNNConnectionError(f"cannot connect to {self.endpoint}: {exc}",
                                      ec.CORE_INVALID_CONNECTION) from exc
        host = str(peername[0])
        peer = f"[{host}]:{peername[1]}" if ":" in host else f"{host}:{peername[1]}"
        conn = _Connection(self, sock, peer)
        kx = self._key_exchange()
        if kx is None:
            conn.start()
            return conn
        # Spec 7.4: `*key` in plaintext as the first frame; everything after it, in both
        # directions, is encrypted (the session switches before the reader starts).
        waiter = _Waiter(None)
        try:
            with conn.lock:
                seq = conn.session.start_handshake(kx, waiter, timeout, _MONOTONIC())
        except BaseException:
            conn.close(None)
            raise
        conn.info.encrypted = True
        conn.start()
        conn.flush(deadline)
        try:
            conn.wait(seq, waiter, deadline)
        except FPNNError as exc:
            conn.close(None)
            raise FPNNConnectionError(
                f"encryption handshake with {self.endpoint} failed: {exc.message}",
                ec.CORE_CONNECTION_CLOSED) from exc
        return conn

    def _connection_closed(self, conn: _Connection) -> None:
        with self._state_lock:
            if self._conn is conn:
                self._conn = None
        if conn.announced and self.on_closed is not None:
            try:
                self.on_closed(conn.id)
            except Exception:
                self.logger.exception("on_closed callback failed")

    # ------------------------------------------------------------------ quests

    def quest(
        self, method: str, payload: Mapping[str, Any] | None = None, *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a twoway quest and block for its answer payload.

        Raises FPNNAnswerError for an exception answer, FPNNTimeoutError on timeout (also
        when the write buffer stayed full), FPNNConnectionError when the connection closes
        meanwhile or cannot be opened, ClientClosedError after ``close()``.
        """
        conn = self._conn
        if conn is None or conn.closed:
            conn = self._ensure_connected()
        return conn.call(method, payload, self.quest_timeout if timeout is None else timeout)

    def quest_callback(
        self, method: str, payload: Mapping[str, Any] | None, callback: QuestCallback, *,
        timeout: float | None = None,
    ) -> None:
        """Send a twoway quest without blocking for its answer (it may block to connect,
        and, while the write buffer is full, up to the quest's timeout).

        ``callback(answer, error)`` is called exactly once: on the reader thread (answer,
        connection closed, timeout) or, for errors while sending (cannot connect, encoding,
        no room), on the calling thread before this returns. A bad method name raises
        ValueError, a closed client ClientClosedError.
        """
        try:
            conn = self._conn
            if conn is None or conn.closed:
                conn = self._ensure_connected()
        except ClientClosedError:
            raise
        except FPNNError as exc:
            self._call_back(callback, None, exc)
            return
        if timeout is None:
            timeout = self.quest_timeout
        start = _MONOTONIC()
        try:
            conn.submit(method, payload, _Waiter(callback), timeout, start)
        except FPNNError as exc:
            self._call_back(callback, None, exc)
            return
        if not getattr(self._held, "on", False):
            conn.flush(start + timeout)

    def _call_back(self, callback: QuestCallback, answer: dict[str, Any] | None,
                   error: FPNNError | None) -> None:
        try:
            callback(answer, error)
        except Exception:
            self.logger.exception("quest callback %r failed", callback)

    def send_oneway(self, method: str, payload: Mapping[str, Any] | None = None) -> None:
        """Send a oneway quest (no answer). Raises FPNNConnectionError if it cannot be sent,
        FPNNTimeoutError if the write buffer stays full for ``quest_timeout``."""
        conn = self._conn
        if conn is None or conn.closed:
            conn = self._ensure_connected()
        start = _MONOTONIC()
        conn.submit(method, payload, None, self.quest_timeout, start)
        if not getattr(self._held, "on", False):
            conn.flush(start + self.quest_timeout)

    def hold_writes(self, on: bool) -> None:
        """On the calling thread only: ``quest_callback`` and ``send_oneway`` queue their
        frames without sending them, until ``flush()`` (or any blocking ``quest``, or the
        reader thread, within 0.1 s). A thread that runs many callbacks in a row, each
        sending a quest, thus sends them in one write instead of one each."""
        self._held.on = on

    def flush(self) -> None:
        """Send what is queued on the connection now (never blocks: when the socket is full,
        the reader thread sends the rest)."""
        conn = self._conn
        if conn is not None and not conn.closed:
            conn.flush(None)

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        """Close for good (idempotent): pending quests fail at once with 20002, the reader
        thread is joined unless this runs on it, and every later call raises
        ClientClosedError."""
        with self._state_lock:
            self._closed = True
            self._generation += 1
            conn, self._conn = self._conn, None
            readers, self._readers = self._readers, []
        if conn is not None:
            conn.close(None)
        current = threading.current_thread()
        for reader in readers:
            if reader is not current:
                reader.join(_JOIN_TIMEOUT)

    def __enter__(self) -> SyncFPNNClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
