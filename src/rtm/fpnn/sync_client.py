"""Blocking, thread-safe FPNN client with no asyncio (spec sections 2 to 9).

The calling thread encodes its quest and writes the frame itself (under the connection's send
lock; with encryption, encryption and send happen under the same lock so the cipher stream
stays in wire order). One reader thread per connection decodes what arrives and wakes the
waiting caller by releasing a pre-acquired lock: a call costs one thread hop, not the two of a
facade over an event-loop thread.

The reader thread also:

* runs the handlers of server-pushed quests (they must be quick) and writes their answers;
* sweeps the deadlines of callback-mode quests (its receive timeout bounds the delay);
* sends keep-alive ``*ping`` quests when enabled (spec 9.2).

A blocking caller times out on its own wait (``lock.acquire(timeout=...)``); whoever pops a
pending entry first (reader, sweeper, the timed-out caller, or close) completes it, so every
quest completes exactly once and a late answer is dropped.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import select
import socket
import struct
import sys
import threading
import time
from _thread import allocate_lock
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.client_config import ClientConfig, ConnectionCallback, answer_ping
from rtm.fpnn.codec import Answer, FrameDecoder, Quest
from rtm.fpnn.connection import _connection_ids
from rtm.fpnn.crypto import (
    Decryptor,
    Encryptor,
)
from rtm.fpnn.errors import (
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNError,
    FPNNTimeoutError,
)

__all__ = ["QuestCallback", "SyncConnectionInfo", "SyncFPNNClient", "SyncHandler"]

SyncHandlerResult = Mapping[str, Any] | None
#: ``handler(info, quest)``; ``info`` is a :class:`SyncConnectionInfo`. Typed ``Any`` so that
#: handlers written for the asyncio client (taking an FPNNConnection) are accepted too.
SyncHandler = Callable[[Any, Quest], SyncHandlerResult]
#: ``callback(answer, error)``: exactly one of them is None.
QuestCallback = Callable[[dict[str, Any] | None, FPNNError | None], None]

_MAX_SEQ: Final = 0xFFFFFFFF
_RECV_SIZE: Final = 65536  # under glibc's mmap threshold: no mmap/munmap per recv
_SWEEP_INTERVAL: Final = 0.1  # reader wake-up period: callback timeouts, keep-alive
_KEEPALIVE_CHECK: Final = 1.0  # spec 9.2: "once a second"
_JOIN_TIMEOUT: Final = 5.0
# Linux honours SO_RCVTIMEO on a blocking socket (recv fails with EAGAIN on expiry), which
# gives the reader a periodic wake-up with one syscall per recv and leaves sends blocking.
# Elsewhere the reader polls with select() before each recv.
_USE_RCVTIMEO: Final = sys.platform.startswith("linux")


@dataclass(slots=True, eq=False)
class SyncConnectionInfo:
    """What a push handler learns about the connection the quest came on."""

    id: int
    peer: str
    encrypted: bool
    state: dict[str, Any] = field(default_factory=dict)


class _Waiter:
    """One pending twoway quest. Blocking mode: ``lock`` (pre-acquired) is released by the
    completer. Callback mode: ``callback`` is called by the completer."""

    __slots__ = ("callback", "deadline", "error", "lock", "result")

    def __init__(self, callback: QuestCallback | None, deadline: float) -> None:
        self.callback = callback
        self.deadline = deadline
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


class _Connection:
    """One TCP connection: socket, pending quests, ciphers and its reader thread."""

    def __init__(self, client: SyncFPNNClient, sock: socket.socket, peer: str) -> None:
        self.id: int = next(_connection_ids)
        self.client = client
        self.sock = sock
        self.pending: dict[int, _Waiter] = {}
        self._seqs = itertools.count(1)
        self.send_lock = threading.Lock()
        self._wqueue: deque[bytes] = deque()
        self._close_lock = threading.Lock()
        self.encryptor: Encryptor | None = None
        self.decryptor: Decryptor | None = None
        self.decoder = FrameDecoder(client.max_frame_size)
        self.closed = False
        self.announced = False  # on_connected was called: on_closed will be too
        self.info = SyncConnectionInfo(self.id, peer, False)
        self.last_received = time.monotonic()
        self._last_ping = 0.0
        self._next_keepalive = 0.0
        self.reader: threading.Thread | None = None

    @property
    def logger(self) -> logging.Logger:
        return self.client.logger  # follows later changes of the client's logger

    # ------------------------------------------------------------------ sending

    def register(self, waiter: _Waiter) -> int:
        """Allocate a seq for ``waiter`` and make it pending (lock-free: ``next()`` on a
        count and ``dict.setdefault`` are atomic). Wraps 2^32-1 -> 1, skips pending seqs."""
        pending = self.pending
        seqs = self._seqs
        while True:
            seq = (next(seqs) - 1) % _MAX_SEQ + 1
            if pending.setdefault(seq, waiter) is waiter:
                return seq

    def write(self, frame: bytes) -> None:
        """Queue one frame and send it (FPNNConnectionError if the connection is closed).

        Write combining: the thread that gets the send lock sends every queued frame in one
        ``sendall`` (encrypted as one batch, so the cipher stream is in wire order); a thread
        that finds the lock taken returns at once, its frame being sent by the holder, which
        re-checks the queue after each release. Under contention this replaces a convoy of
        lock hand-offs and one syscall per frame with one syscall per batch.
        """
        if self.closed:
            raise FPNNConnectionError("connection is closed", ec.CORE_CONNECTION_CLOSED)
        queue = self._wqueue
        queue.append(frame)
        lock = self.send_lock
        while queue:
            if not lock.acquire(False):
                return  # the holder sends our frame: it re-checks the queue after releasing
            error: FPNNConnectionError | None = None
            try:
                if self.closed:
                    queue.clear()
                    error = FPNNConnectionError("connection is closed",
                                                ec.CORE_CONNECTION_CLOSED)
                else:
                    popleft = queue.popleft
                    n = len(queue)
                    if n == 1:
                        data = popleft()
                        enc = self.encryptor
                        if enc is not None:
                            data = enc.encrypt_frames([data])
                    else:
                        batch = [popleft() for _ in range(n)]
                        enc = self.encryptor
                        data = b"".join(batch) if enc is None else enc.encrypt_frames(batch)
                    try:
                        self.sock.sendall(data)
                    except OSError as exc:
                        queue.clear()
                        error = FPNNConnectionError(f"send failed: {exc}",
                                                    ec.CORE_CONNECTION_CLOSED)
            finally:
                lock.release()
            if error is not None:
                self.close(error)
                raise error

    def discard(self, seq: int, waiter: _Waiter) -> bool:
        """Remove ``waiter`` if it is still pending; True when the caller now owns it."""
        other = self.pending.pop(seq, None)
        if other is waiter:
            return True
        if other is not None:  # not ours (cannot happen short of a 2^32 wrap): put it back
            self.pending[seq] = other
        return False

    def wait(self, seq: int, waiter: _Waiter, timeout: float, method: str) -> dict[str, Any]:
        """Block until ``waiter`` completes or ``timeout`` expires."""
        if timeout > threading.TIMEOUT_MAX:
            timeout = -1
        elif timeout < 0:
            timeout = 0
        if not waiter.lock.acquire(True, timeout):
            if self.discard(seq, waiter):
                raise FPNNTimeoutError(
                    f"quest {method!r} timed out after {timeout:g} s", ec.CORE_TIMEOUT)
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

    # ------------------------------------------------------------------ reader thread

    def start(self) -> None:
        if _USE_RCVTIMEO:
            sec = int(_SWEEP_INTERVAL)
            usec = int((_SWEEP_INTERVAL - sec) * 1_000_000)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                                 struct.pack("ll", sec, usec))
        self.reader = threading.Thread(target=self._read_loop, name=f"fpnn-reader-{self.id}",
                                       daemon=True)
        self.reader.start()

    def _read_loop(self) -> None:
        sock = self.sock
        recv = sock.recv
        decoder_feed = self.decoder.feed
        monotonic = time.monotonic
        next_tick = monotonic() + _SWEEP_INTERVAL
        use_select = not _USE_RCVTIMEO
        try:
            while not self.closed:
                data: bytes | None
                try:
                    if use_select and not select.select([sock], [], [], _SWEEP_INTERVAL)[0]:
                        data = None
                    else:
                        data = recv(_RECV_SIZE)
                except (BlockingIOError, TimeoutError, InterruptedError):
                    data = None  # SO_RCVTIMEO expired: time to sweep
                except OSError as exc:
                    if not self.closed:
                        self.close(FPNNConnectionError(f"receive failed: {exc}",
                                                       ec.CORE_CONNECTION_CLOSED))
                    break
                now = monotonic()
                if data is not None:
                    if not data:
                        self.close(FPNNConnectionError("closed by the peer",
                                                       ec.CORE_CONNECTION_CLOSED))
                        break
                    self.last_received = now
                    try:
                        dec = self.decryptor
                        if dec is not None:
                            data = dec.feed(data)
                        messages = decoder_feed(data) if data else []
                    except FPNNError as exc:
                        self.logger.warning("closing connection %s (%s): %s", self.id,
                                            self.info.peer, exc)
                        self.close(exc)
                        break
                    if messages:
                        self._dispatch(messages)
                if now >= next_tick:
                    next_tick = now + _SWEEP_INTERVAL
                    self._tick(now)
        except BaseException as exc:  # pragma: no cover - a bug: never leave quests hanging
            self.logger.exception("reader of connection %s failed", self.id)
            self.close(FPNNConnectionError(f"reader failed: {exc!r}", ec.CORE_CONNECTION_CLOSED))
        finally:
            # Under the send lock: no writer is inside sendall() on this fd when it closes.
            with self.send_lock:
                sock.close()

    def _dispatch(self, messages: list[codec.Message]) -> None:
        pop = self.pending.pop
        for msg in messages:
            if type(msg) is Answer:
                waiter = pop(msg.seq, None)
                if waiter is None:
                    self.logger.debug("dropping answer with unknown seq %d", msg.seq)
                    continue
                if msg.status == codec.STATUS_OK:
                    waiter.result = msg.payload
                else:
                    waiter.error = FPNNAnswerError(msg.error_message, msg.error_code,
                                                   msg.raiser)
                callback = waiter.callback
                if callback is None:
                    waiter.lock.release()
                else:
                    try:
                        callback(waiter.result, waiter.error)
                    except Exception:
                        self.logger.exception("quest callback %r failed", callback)
            else:
                assert isinstance(msg, Quest)
                self._handle_quest(msg)

    def _handle_quest(self, quest: Quest) -> None:
        handler = self.client._handlers.get(quest.method)
        if handler is None:
            if quest.oneway:
                self.logger.debug("dropping unknown oneway quest %s", quest.method)
            else:
                self._answer_error(quest, ec.CORE_UNKNOWN_METHOD, f"Unknow method:{quest.method}")
            return
        try:
            result = handler(self.info, quest)
        except FPNNError as exc:
            self._answer_error(quest, exc.code, exc.message)
            return
        except Exception as exc:
            self.logger.exception("handler for %s failed", quest.method)
            self._answer_error(quest, ec.CORE_UNKNOWN_ERROR, f"{type(exc).__name__}: {exc}")
            return
        if quest.oneway:
            return
        if result is not None and not isinstance(result, dict):
            if isinstance(result, Mapping):
                result = dict(result)
            else:
                close = getattr(result, "close", None)
                if callable(close) and hasattr(result, "__await__"):
                    close()  # an un-awaited coroutine: silence "never awaited"
                self.logger.error("handler for %s returned %s, not a mapping", quest.method,
                                  type(result).__name__)
                self._answer_error(quest, ec.CORE_UNKNOWN_ERROR,
                                   "Quest processer don't return invalid answer.")
                return
        try:
            frame = codec.encode_answer(quest.seq, result, flag=quest.flag,
                                        version=quest.version,
                                        max_frame_size=self.client.max_frame_size)
        except FPNNError as exc:
            self._answer_error(quest, exc.code, exc.message)
            return
        self._send_quietly(frame)

    def _answer_error(self, quest: Quest, code: int, message: str) -> None:
        if quest.oneway:
            return
        self._send_quietly(codec.encode_error_answer(quest.seq, code, message,
                                                     flag=quest.flag, version=quest.version))

    def _send_quietly(self, frame: bytes) -> None:
        try:
            self.write(frame)
        except FPNNError as exc:
            self.logger.debug("cannot answer on connection %s: %s", self.id, exc)

    def _tick(self, now: float) -> None:
        """Periodic work on the reader thread: callback deadlines, then keep-alive."""
        pending = self.pending
        if pending:
            expired = [(seq, w) for seq, w in pending.copy().items()
                       if w.callback is not None and w.deadline <= now]
            for seq, waiter in expired:
                if self.discard(seq, waiter):
                    waiter.error = FPNNTimeoutError("quest timeout", ec.CORE_TIMEOUT)
                    self.complete(waiter)
        client = self.client
        if client.keepalive and now >= self._next_keepalive:
            self._next_keepalive = now + _KEEPALIVE_CHECK
            self._keepalive(now, client)

    def _keepalive(self, now: float, client: SyncFPNNClient) -> None:
        ping_timeout = client.quest_timeout
        lost_after = ping_timeout * client.keepalive_retries + client.keepalive_interval
        if now > self.last_received + lost_after:
            self.logger.warning("connection %s lost (no traffic for %.1f s)", self.id,
                                now - self.last_received)
            self.close(FPNNConnectionError("keep-alive lost", ec.CORE_INVALID_CONNECTION))
            return
        if (now >= self.last_received + client.keepalive_interval
                and now >= self._last_ping + ping_timeout):
            self._last_ping = now
            waiter = _Waiter(self._ping_done, now + ping_timeout)
            seq = self.register(waiter)
            try:
                self.write(codec.encode_quest("*ping", None, seq))
            except FPNNError:
                self.discard(seq, waiter)

    def _ping_done(self, answer: dict[str, Any] | None, error: FPNNError | None) -> None:
        if error is not None:
            self.logger.debug("keep-alive ping on connection %s failed: %s", self.id, error)

    # ------------------------------------------------------------------ closing

    def close(self, exc: FPNNError | None) -> None:
        """Close once: wake the reader, fail every pending quest with 20002, tell the client.
        The reader thread closes the socket when it exits."""
        with self._close_lock:
            if self.closed:
                return
            self.closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self.reader is None:  # never started: nobody else will close the socket
            with self.send_lock:
                self.sock.close()
        reason = f": {exc.message}" if exc is not None and exc.message else ""
        pending = self.pending
        # popitem() is atomic: entries registered concurrently are either taken here or see
        # `closed` when they write, and remove themselves.
        while pending:
            try:
                _seq, waiter = pending.popitem()
            except KeyError:
                break
            waiter.error = FPNNConnectionError(f"connection is closed{reason}",
                                               ec.CORE_CONNECTION_CLOSED)
            self.complete(waiter)
        self.client._connection_closed(self)


class SyncFPNNClient(ClientConfig[SyncHandler]):
    """One long-lived FPNN connection to ``endpoint``, opened on first use; thread-safe.

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
            logger=logger or logging.getLogger("rtm.fpnn.sync_client"),
            on_connected=on_connected, on_closed=on_closed, ping_handler=answer_ping,
        )
        self._conn: _Connection | None = None
        self._state_lock = threading.Lock()
        self._attempt: _Attempt | None = None
        self._generation = 0  # bumped by close(): an attempt racing with it is discarded
        self._readers: list[threading.Thread] = []

    # ------------------------------------------------------------------ configuration

    @property
    def connected(self) -> bool:
        conn = self._conn
        return conn is not None and not conn.closed

    @property
    def connection_id(self) -> int | None:
        conn = self._conn
        return conn.id if conn is not None and not conn.closed else None

    # ------------------------------------------------------------------ connecting

    def connect(self) -> None:
        """Connect now (no-op when connected). Raises FPNNConnectionError/FPNNTimeoutError."""
        self._ensure_connected()

    def _ensure_connected(self) -> _Connection:
        while True:
            conn = self._conn
            if conn is not None and not conn.closed:
                return conn
            with self._state_lock:
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
            conn = attempt.conn
            if conn is not None and not conn.closed:
                return conn
            # It closed already: loop and try again.

    def _lead_attempt(self, attempt: _Attempt, generation: int) -> _Connection:
        try:
            conn = self._open()
        except BaseException as exc:
            attempt.error = exc
            with self._state_lock:
                if self._attempt is attempt:
                    self._attempt = None
            attempt.done.set()
            raise
        with self._state_lock:
            discarded = generation != self._generation
            if not discarded:
                self._conn = conn
                self._readers = [t for t in self._readers if t.is_alive()]
                if conn.reader is not None:
                    self._readers.append(conn.reader)
                conn.announced = True
            if self._attempt is attempt:
                self._attempt = None
        if discarded:
            conn.close(None)
            attempt.error = FPNNConnectionError("client closed while connecting",
                                                ec.CORE_CONNECTION_CLOSED)
            attempt.done.set()
            raise _copy_error(attempt.error)
        # Followers go on at once; on_connected runs after (it may itself send quests).
        attempt.conn = conn
        attempt.done.set()
        if self.on_connected is not None:
            try:
                self.on_connected(conn.id)
            except Exception:
                self.logger.exception("on_connected callback failed")
        return conn

    def _open(self) -> _Connection:
        timeout = self.connect_timeout
        deadline = time.monotonic() + timeout
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
            sock.settimeout(None)  # blocking writes; the reader has its own timeout
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
        # directions, is encrypted (the ciphers are in place before the reader starts).
        try:
            encryptor, decryptor = kx.make_ciphers(self.max_frame_size)
            waiter = _Waiter(None, 0.0)
            seq = conn.register(waiter)
            sock.sendall(codec.encode_quest("*key", kx.key_quest_payload(), seq))
        except OSError as exc:
            conn.close(None)
            raise FPNNConnectionError(
                f"encryption handshake with {self.endpoint} failed: {exc}",
                ec.CORE_CONNECTION_CLOSED) from exc
        except BaseException:
            conn.close(None)
            raise
        conn.encryptor, conn.decryptor = encryptor, decryptor
        conn.info.encrypted = True
        conn.start()
        try:
            conn.wait(seq, waiter, max(deadline - time.monotonic(), 0.001), "*key")
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

        Raises FPNNAnswerError for an exception answer, FPNNTimeoutError on timeout and
        FPNNConnectionError when the connection closes meanwhile or cannot be opened.
        """
        conn = self._conn
        if conn is None or conn.closed:
            conn = self._ensure_connected()
        if payload is not None and not isinstance(payload, dict):
            payload = dict(payload)
        waiter = _Waiter(None, 0.0)
        seq = conn.register(waiter)
        try:
            frame = codec.encode_quest(method, payload, seq, max_frame_size=self.max_frame_size)
            conn.write(frame)
        except BaseException:
            if not conn.discard(seq, waiter):
                waiter.lock.acquire()  # close() took it: wait for its release, then raise
            raise
        return conn.wait(seq, waiter, self.quest_timeout if timeout is None else timeout,
                         method)

    def quest_callback(
        self, method: str, payload: Mapping[str, Any] | None, callback: QuestCallback, *,
        timeout: float | None = None,
    ) -> None:
        """Send a twoway quest without blocking for its answer (it may block to connect).

        ``callback(answer, error)`` is called exactly once: on the reader thread (answer,
        connection closed, timeout sweep) or, for errors while sending (cannot connect,
        encoding), on the calling thread before this returns. A bad method name raises
        ValueError instead.
        """
        if payload is not None and not isinstance(payload, dict):
            payload = dict(payload)
        try:
            conn = self._conn
            if conn is None or conn.closed:
                conn = self._ensure_connected()
        except FPNNError as exc:
            self._call_back(callback, None, exc)
            return
        deadline = time.monotonic() + (self.quest_timeout if timeout is None else timeout)
        waiter = _Waiter(callback, deadline)
        seq = conn.register(waiter)
        try:
            frame = codec.encode_quest(method, payload, seq, max_frame_size=self.max_frame_size)
            conn.write(frame)
        except FPNNError as exc:
            if conn.discard(seq, waiter):
                self._call_back(callback, None, exc)
        except BaseException:
            if conn.discard(seq, waiter):
                raise
            # close() took the entry and reports 20002 through the callback.

    def _call_back(self, callback: QuestCallback, answer: dict[str, Any] | None,
                   error: FPNNError | None) -> None:
        try:
            callback(answer, error)
        except Exception:
            self.logger.exception("quest callback %r failed", callback)

    def send_oneway(self, method: str, payload: Mapping[str, Any] | None = None) -> None:
        """Send a oneway quest (no answer). Raises FPNNConnectionError if it cannot be sent."""
        conn = self._conn
        if conn is None or conn.closed:
            conn = self._ensure_connected()
        if payload is not None and not isinstance(payload, dict):
            payload = dict(payload)
        conn.write(codec.encode_quest(method, payload, oneway=True,
                                      max_frame_size=self.max_frame_size))

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        """Close the connection (idempotent). Pending quests fail at once with 20002; the
        reader thread is joined unless this runs on it. A later quest opens a new one."""
        with self._state_lock:
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
