"""One FPNN connection's protocol state, sans-IO (spec sections 2 to 9), like h11's Connection.

:class:`FPNNSession` owns everything a connection decides, whatever moves its bytes:

* sequence numbers and the pending twoway quests with their deadlines (spec 5, 9.1);
* answer matching and the error rules (an exception answer, a timeout, a closed connection;
  spec 4, 9.3);
* what to do with a quest from the peer: hand it to the application, answer an unknown
  method with 20004, drop an unknown oneway quest (spec 9.4), and how a handler's result
  becomes an answer;
* keep-alive: when to ping, when the peer is dead (spec 9.2);
* the outbound queue: its byte limit, and when a peer that does not read is given up;
* the ``*key`` handshake state, on both sides (spec 7.4).

It takes bytes and times in and gives events and bytes out: it never touches a socket, a
thread or the clock. The transports (asyncio: :mod:`rtm.fpnn.connection`; blocking:
:mod:`rtm.fpnn.sync_client`) call, in any order:

* ``send_quest`` / ``send_oneway`` / ``answer`` / ``answer_error``, then ``data_to_send()``
  and write those bytes (in that order: they may be encrypted as a stream);
* ``receive_data(data, now)`` with what they read, and act on the events;
* ``tick(now)`` once ``now >= next_deadline()``, and act on the events;
* ``write_blocked`` / ``write_progress`` to report a full socket, ``close()`` when done.

Events: :class:`Answered` and :class:`Failed` complete a quest sent with a ``token`` (any
object the transport uses to wake its caller: a future, a lock); a :class:`Quest` is one to
hand to the application's handler; :class:`Closed` says the session is over (protocol error,
keep-alive lost, peer not reading): the transport closes the socket. Not thread-safe: a
transport with several threads serializes its calls.
"""

from __future__ import annotations

import logging
import math
import struct
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import Answer, FrameDecoder, Quest
from rtm.fpnn.crypto import (
    ClientKeyExchange,
    Decryptor,
    Encryptor,
    ServerPrivateKey,
    accept_key_quest,
)
from rtm.fpnn.errors import (
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNError,
    FPNNProtocolError,
    FPNNTimeoutError,
)

__all__ = [
    "DEFAULT_MAX_WRITE_BUFFER",
    "Answered",
    "Closed",
    "Event",
    "FPNNSession",
    "Failed",
    "KeepAlive",
    "WriteBufferFull",
]

T = TypeVar("T")

#: Bytes queued for sending on one connection before new quests wait for room (one frame of
#: the default maximum size always fits in an empty buffer).
DEFAULT_MAX_WRITE_BUFFER: Final = 8 * 1024 * 1024

_MAX_SEQ: Final = 0xFFFFFFFF
_SEQ_AT: Final = codec.HEADER_SIZE  # a twoway quest's seq follows the 12-byte header
_unpack_u32 = struct.Struct("<I").unpack_from
_INF: Final = math.inf
_EMPTY: Final[dict[str, Any]] = {}



#: The error a server without a private key answers to ``*key`` (in plaintext), then closes.
NO_KEY_MESSAGE: Final = ("encryption refused: this server has no private key (connect "
                         "without encryption, or give the server a key)")

class _Internal:
    """Token of the session's own quests (keep-alive pings): never reported as events."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<internal>"


_PING: Final = _Internal()


class WriteBufferFull(Exception):
    """Raised by ``send_quest``/``send_oneway`` when the frame does not fit in the outbound
    limit: the transport waits for room (until the quest's deadline) and tries again. Not an
    :class:`FPNNError`: it never reaches the user (see ``write_buffer_full_error``)."""


@dataclass(slots=True)
class Answered(Generic[T]):
    """The quest sent with ``token`` got a normal answer."""

    token: T
    payload: dict[str, Any]


@dataclass(slots=True)
class Failed(Generic[T]):
    """The quest sent with ``token`` failed: exception answer (FPNNAnswerError), timeout
    (FPNNTimeoutError) or closed connection (FPNNConnectionError)."""

    token: T
    error: FPNNError


@dataclass(slots=True)
class Closed:
    """The session decided the connection is over; every pending quest has failed (events
    before this one). The transport closes the socket and reports ``error``."""

    error: FPNNError


Event = Answered[T] | Failed[T] | Quest | Closed


@dataclass(slots=True, frozen=True)
class KeepAlive:
    """Spec 9.2: ping a connection silent for ``interval`` s (each ping waits
    ``ping_timeout`` s); it is lost after ``interval + ping_timeout * retries`` s of silence."""

    interval: float = 20.0
    ping_timeout: float = 5.0
    retries: int = 3

    @property
    def lost_after(self) -> float:
        return self.interval + self.ping_timeout * self.retries


class FPNNSession(Generic[T]):
    """The protocol state of one FPNN connection (see the module doc).

    ``handlers``: the methods the application handles (any container; a dict of handlers is
    read live, so methods registered later count). ``server``: the accepting side, where the
    first frame may be ``*key`` (answered when ``private_key`` is set). ``max_write_buffer``:
    outbound bytes (queued here plus ``transport_buffered``) before ``send_quest`` raises
    :class:`WriteBufferFull`; None = no limit. ``write_timeout``: a peer that takes no byte
    for that long while bytes wait is given up (:class:`Closed`); None = never.
    """

    __slots__ = (
        "_closed",
        "_decoder",
        "_decryptor",
        "_earliest",
        "_encryptor",
        "_handlers",
        "_head",
        "_key_seq",
        "_last_ping",
        "_out_bytes",
        "_pending",
        "_private_key",
        "_raw_frames",
        "_received_any",
        "_seq",
        "_server",
        "_stalled_since",
        "close_error",
        "keepalive",
        "last_received",
        "logger",
        "max_frame_size",
        "max_write_buffer",
        "outbox",
        "ping_answered_at",
        "transport_buffered",
        "write_timeout",
    )

    def __init__(
        self,
        handlers: Container[str],
        *,
        now: float,
        server: bool = False,
        private_key: ServerPrivateKey | None = None,
        max_frame_size: int = codec.DEFAULT_MAX_FRAME_SIZE,
        max_write_buffer: int | None = DEFAULT_MAX_WRITE_BUFFER,
        write_timeout: float | None = None,
        keepalive: KeepAlive | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self._handlers = handlers
        self._private_key = private_key
        self._server = server
        self.max_frame_size = max_frame_size
        self.max_write_buffer = max_write_buffer
        self.write_timeout = write_timeout
        self.keepalive = keepalive
        self.logger = logger or logging.getLogger("rtm.fpnn")
        self._decoder = FrameDecoder(max_frame_size)
        self._encryptor: Encryptor | None = None
        self._decryptor: Decryptor | None = None
        # Server side: bytes of the first frame, parsed alone (the bytes after a *key quest
        # are ciphertext). None once the first frame is complete, and always on a client.
        self._head: bytearray | None = bytearray() if server else None
        self._key_seq = 0  # client side: seq of the *key quest until it is answered
        self._received_any = False  # client side: whether any byte came after *key
        self._pending: dict[int, tuple[Any, float, str, float]] = {}  # token, deadline...
        self._seq = 0
        self._earliest = _INF  # no pending deadline is earlier (it may be later: stale)
        #: The frames queued for sending, in order (read-only for transports: truthy when
        #: ``data_to_send()`` has something). Encrypted by ``data_to_send``, except the first
        #: ``_raw_frames`` (the plaintext ``*key`` quest).
        self.outbox: list[bytes] = []
        self._out_bytes = 0
        self._raw_frames = 0
        #: Bytes the transport holds below the session (accepted, not yet taken by the OS).
        self.transport_buffered = 0
        self._stalled_since: float | None = None
        self.last_received = now
        #: When the peer last answered one of our pings (``send_ping`` or keep-alive);
        #: the session's start until then.
        self.ping_answered_at = now
        self._last_ping = -_INF
        self._closed = False
        self.close_error: FPNNError | None = None

    # ------------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def encrypted(self) -> bool:
        return self._encryptor is not None

    @property
    def handshake_pending(self) -> bool:
        """A ``*key`` quest was sent and is not answered yet."""
        return self._key_seq != 0

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def has_output(self) -> bool:
        return bool(self.outbox)

    @property
    def output_size(self) -> int:
        """Bytes queued in the session (not counting ``transport_buffered``)."""
        return self._out_bytes

    def is_pending(self, seq: int) -> bool:
        return seq in self._pending

    # ------------------------------------------------------------------ sending

    def _next_seq(self) -> int:
        pending = self._pending
        seq = self._seq
        while True:
            seq = seq + 1 if seq < _MAX_SEQ else 1
            if seq not in pending:  # skip values still in flight after a wrap
                self._seq = seq
                return seq

    def check_open(self) -> None:
        """Raise FPNNConnectionError (with the reason of the close) once closed."""
        if self._closed:
            error = self.close_error
            reason = f": {error.message}" if error is not None and error.message else ""
            raise FPNNConnectionError(f"connection is closed{reason}",
                                      ec.CORE_CONNECTION_CLOSED)

    def _room_for(self, size: int) -> bool:
        cap = self.max_write_buffer
        if cap is None:
            return True
        queued = self._out_bytes + self.transport_buffered
        return not queued or queued + size <= cap

    def send_quest(
        self, method: str, payload: Mapping[str, Any] | None, token: T, timeout: float,
        now: float,
    ) -> int:
        """Queue a twoway quest; its answer (or failure) comes back as an event for ``token``
        by ``now + timeout`` at the latest. Returns the seq.

        Raises FPNNConnectionError when closed, FPNNError/ValueError when it cannot be
        encoded, and :class:`WriteBufferFull` when it does not fit (nothing is queued).
        """
        if self._closed:
            self.check_open()
        seq = self._seq + 1
        pending = self._pending
        if seq > _MAX_SEQ or seq in pending:
            seq = self._next_seq()  # wrap-around, or skip values still in flight
        else:
            self._seq = seq
        frame = codec.encode_quest(method, payload, seq,  # type: ignore[arg-type]
                                   max_frame_size=self.max_frame_size)
        cap = self.max_write_buffer
        if cap is not None:  # _room_for(), inline: this is the hot path
            queued = self._out_bytes + self.transport_buffered
            if queued and queued + len(frame) > cap:
                raise WriteBufferFull(method)
        deadline = now + timeout
        pending[seq] = (token, deadline, method, timeout)
        if deadline < self._earliest:
            self._earliest = deadline
        self.outbox.append(frame)
        self._out_bytes += len(frame)
        return seq

    def send_oneway(self, method: str, payload: Mapping[str, Any] | None = None) -> None:
        """Queue a oneway quest (same errors as ``send_quest``)."""
        self.check_open()
        frame = codec.encode_quest(method, payload, oneway=True,  # type: ignore[arg-type]
                                   max_frame_size=self.max_frame_size)
        if not self._room_for(len(frame)):
            raise WriteBufferFull(method)
        self.outbox.append(frame)
        self._out_bytes += len(frame)

    def write_buffer_full_error(self, method: str, timeout: float) -> FPNNTimeoutError:
        """The error of a quest that waited ``timeout`` s for room in a full write buffer."""
        queued = self._out_bytes + self.transport_buffered
        return FPNNTimeoutError(
            f"quest {method!r} could not be sent within {timeout:g} s: the write buffer is "
            f"full ({queued} bytes waiting, max_write_buffer={self.max_write_buffer}); the "
            "peer does not read fast enough", ec.CORE_TIMEOUT)

    def send_ping(self, method: str, now: float) -> None:
        """Queue a twoway ``method {}`` quest whose answer only proves that the peer is there
        (it sets :attr:`ping_answered_at`; any answer counts, an error too). It has no
        deadline: the caller decides when a peer silent for too long is given up. Never
        waits for room (a peer that reads nothing is given up by the write bounds)."""
        self.check_open()
        seq = self._next_seq()
        self._pending[seq] = (_PING, _INF, method, _INF)
        frame = codec.encode_quest(method, _EMPTY, seq)
        self.outbox.append(frame)
        self._out_bytes += len(frame)

    def refuse_encryption(self) -> None:
        """Server side: a ``*key`` first frame closes the connection, as on a server without a
        key (no FPNN encryption on WebSocket: its confidentiality is TLS)."""
        self._private_key = None

    def start_handshake(self, kx: ClientKeyExchange, token: T, timeout: float,
                        now: float) -> int:
        """Client side of spec 7.4: queue the plaintext ``*key`` quest as the first bytes of
        the connection; everything queued after it, and everything received, is encrypted.
        Its answer is reported for ``token``."""
        self.check_open()
        if self.outbox or self._seq:
            raise RuntimeError("the *key quest must be the first frame of the connection")
        seq = self._next_seq()
        frame = codec.encode_quest("*key", kx.key_quest_payload(), seq)
        self.outbox.append(frame)
        self._out_bytes += len(frame)
        self._raw_frames = 1
        self._encryptor, self._decryptor = kx.make_ciphers(self.max_frame_size)
        self._pending[seq] = (token, now + timeout, "*key", timeout)
        self._earliest = min(self._earliest, now + timeout)
        self._key_seq = seq
        return seq

    def data_to_send(self) -> bytes:
        """Everything queued, in wire form (encrypted when the connection is); the caller
        must write these bytes before any later call's."""
        out = self.outbox
        if not out:
            return b""
        enc = self._encryptor
        if self._raw_frames:  # the plaintext *key quest goes first, as it is
            raw = b"".join(out[:self._raw_frames])
            del out[:self._raw_frames]
            self._raw_frames = 0
            rest = enc.encrypt_frames(out) if enc is not None and out else b"".join(out)
            data = raw + rest
        elif enc is not None:
            data = enc.encrypt_frames(out)
        elif len(out) == 1:
            data = out[0]
        else:
            data = b"".join(out)
        out.clear()
        self._out_bytes = 0
        return data

    def frames_to_send(self) -> list[bytes]:
        """Everything queued, one frame per item (message-based transports such as WebSocket
        send one frame per message). Only for a plaintext session."""
        if self._encryptor is not None:
            raise RuntimeError("frames_to_send() is for plaintext sessions; use data_to_send()")
        out = self.outbox
        if not out:
            return []
        frames = out.copy()
        out.clear()
        self._out_bytes = 0
        self._raw_frames = 0
        return frames

    def cancel(self, seq: int) -> Any:
        """Forget a pending quest (its caller stopped waiting): returns its token, or None if
        it is no longer pending. A frame not sent yet is dropped with it."""
        entry = self._pending.pop(seq, None)
        if entry is None:
            return None
        self._drop_unsent(seq)
        return entry[0]

    def expire(self, seq: int) -> Failed[T] | None:
        """The caller of quest ``seq`` stopped waiting at its deadline: forget the quest
        (and its frame if not sent yet) and return the failure ``tick`` would report; None
        when it is no longer pending (its answer or failure is already out)."""
        entry = self._pending.pop(seq, None)
        if entry is None:
            return None
        token, _deadline, method, timeout = entry
        return Failed(token, self._timeout_error(method, timeout, self._drop_unsent(seq)))

    def _timeout_error(self, method: str, timeout: float, unsent: bool) -> FPNNTimeoutError:
        if unsent:
            return self.write_buffer_full_error(method, timeout)
        return FPNNTimeoutError(f"quest {method!r} timed out after {timeout:g} s",
                                ec.CORE_TIMEOUT)

    def _drop_unsent(self, seq: int) -> bool:
        """Remove the twoway quest ``seq`` from the outbound queue if it is still there."""
        out = self.outbox
        if not out:
            return False
        for i in range(self._raw_frames, len(out)):  # never the *key quest: it must go first
            frame = out[i]
            if frame[6] == codec.MTYPE_TWOWAY and _unpack_u32(frame, _SEQ_AT)[0] == seq:
                del out[i]
                self._out_bytes -= len(frame)
                return True
        return False

    # ------------------------------------------------------------------ answering

    def answer(self, quest: Quest, result: object) -> list[Event[T]]:
        """Answer ``quest`` with a handler's result (spec 9.4). A map (or None = the empty
        map) is the answer; anything else is the handler's bug, answered 20001 "Quest
        processer don't return invalid answer." A oneway quest is never answered. Returns
        the events of a close (a peer that sends quests but reads nothing), usually none."""
        if result is not None and not isinstance(result, Mapping):
            _close_awaitable(result)
            if quest.oneway or self._closed:
                return []
            self.logger.error("handler for %s returned %s, not a map", quest.method,
                              type(result).__name__)
            return self._queue_answer(codec.encode_error_answer(
                quest.seq, ec.CORE_UNKNOWN_ERROR,
                f"Quest processer don't return invalid answer: {type(result).__name__} is "
                "not a map", flag=quest.flag, version=quest.version))
        if quest.oneway or self._closed:
            return []
        try:
            frame = codec.encode_answer(quest.seq, result, flag=quest.flag,  # type: ignore[arg-type]
                                        version=quest.version,
                                        max_frame_size=self.max_frame_size)
        except FPNNError as exc:
            return self.answer_error(quest, exc)
        return self._queue_answer(frame)

    def answer_error(self, quest: Quest, exc: BaseException) -> list[Event[T]]:
        """Answer ``quest`` with the exception its handler raised: an FPNNError keeps its
        code and message; anything else is logged and answered 20001."""
        if isinstance(exc, FPNNError):
            code, message = exc.code, exc.message
        else:
            self.logger.error("handler for %s failed", quest.method, exc_info=exc)
            code, message = ec.CORE_UNKNOWN_ERROR, f"{type(exc).__name__}: {exc}"
        if quest.oneway or self._closed:
            return []
        return self._queue_answer(codec.encode_error_answer(
            quest.seq, code, message, flag=quest.flag, version=quest.version))

    def _queue_answer(self, frame: bytes) -> list[Event[T]]:
        # Answers do not wait for room (the peer decides how many quests it sends), but a
        # peer that keeps sending quests while reading nothing is given up at twice the limit.
        cap = self.max_write_buffer
        if cap is not None and self._out_bytes + self.transport_buffered + len(frame) > 2 * cap:
            return self._shutdown(self._not_reading())
        self.outbox.append(frame)
        self._out_bytes += len(frame)
        return []

    # ------------------------------------------------------------------ receiving

    def receive_data(self, data: bytes, now: float) -> list[Event[T]]:
        """Feed bytes read from the connection; returns the events they complete."""
        if self._closed:
            return []
        self.last_received = now
        if self._head is not None:
            return self._receive_first(data, now)
        try:
            dec = self._decryptor
            if dec is not None and self._key_seq and not self._received_any:
                self._received_any = True
                if data[:4] == codec.MAGIC:
                    # A plaintext frame where the encrypted *key answer belongs: a server
                    # refusing the handshake says why in clear (its encrypted answer starts
                    # with these bytes only by a 2^-32 chance in stream mode, and never in
                    # package mode, whose first bytes are a length).
                    self._encryptor = self._decryptor = dec = None
            if dec is not None:
                data = dec.feed(data)
                if not data:
                    return []
            messages = self._decoder.feed(data)
        except FPNNError as exc:
            return self._shutdown(exc)
        if not messages:
            return []
        return self._process(messages)

    def _process(self, messages: list[codec.Message]) -> list[Event[T]]:
        events: list[Event[T]] = []
        pending = self._pending
        for msg in messages:
            if type(msg) is Answer:
                entry = pending.pop(msg.seq, None)
                if entry is None:
                    # A late answer (its quest timed out) or a bogus seq: spec 4, drop it.
                    self.logger.debug("dropping answer with unknown seq %d", msg.seq)
                    continue
                token = entry[0]
                if msg.seq == self._key_seq:
                    self._key_seq = 0
                if token is _PING:
                    # a ping only proves the peer is there: nothing to report
                    self.ping_answered_at = self.last_received
                    continue
                if msg.status == codec.STATUS_OK:
                    events.append(Answered(token, msg.payload))
                else:
                    events.append(Failed(token, FPNNAnswerError(
                        msg.error_message, msg.error_code, msg.raiser)))
                continue
            assert isinstance(msg, Quest)
            if msg.method in self._handlers:
                events.append(msg)
            elif self._server and msg.method == "*key":
                events += self._shutdown(
                    FPNNProtocolError("*key is only allowed as the first frame"))
                break
            elif msg.oneway:
                self.logger.debug("dropping unknown oneway quest %s", msg.method)
            else:
                events += self._queue_answer(codec.encode_error_answer(
                    msg.seq, ec.CORE_UNKNOWN_METHOD, f"Unknow method:{msg.method}",
                    flag=msg.flag, version=msg.version))
                if self._closed:
                    break
        return events

    def _receive_first(self, data: bytes, now: float) -> list[Event[T]]:
        """Server side: the first frame alone, since what follows a ``*key`` is ciphertext."""
        head = self._head
        assert head is not None
        head += data
        try:
            size = codec.frame_size(head, self.max_frame_size)
        except FPNNError as exc:
            return self._shutdown(exc)
        if size is None or len(head) < size:
            return []
        self._head = None
        first, rest = bytes(head[:size]), bytes(head[size:])
        try:
            messages = FrameDecoder(self.max_frame_size).feed(first)
        except FPNNError as exc:
            return self._shutdown(exc)
        msg = messages[0]
        events: list[Event[T]] = []
        if isinstance(msg, Quest) and msg.method == "*key":
            error = self._accept_key(msg)
            if error is not None:
                return self._shutdown(error)
        else:
            events = self._process(messages)
        if rest and not self._closed:
            events += self.receive_data(rest, now)
        return events

    def _accept_key(self, quest: Quest) -> FPNNError | None:
        key = self._private_key
        if key is None and not quest.oneway:
            # The C++ server closes without a word (spec 7.4); a plaintext error answer
            # first tells the client why, which it could not otherwise learn.
            self.outbox.append(codec.encode_error_answer(
                quest.seq, ec.CORE_FORBIDDEN, NO_KEY_MESSAGE, flag=quest.flag,
                version=quest.version))
            self._out_bytes += len(self.outbox[-1])
        if key is None or quest.oneway:
            return FPNNProtocolError("*key received but encryption is not configured")
        try:
            encryptor, decryptor = accept_key_quest(key, quest.payload,
                                                    max_package_size=self.max_frame_size)
        except FPNNError as exc:
            return FPNNProtocolError(f"bad *key: {exc.message}", exc.code)
        self._encryptor, self._decryptor = encryptor, decryptor
        # The answer to *key is the first encrypted thing the server sends.
        frame = codec.encode_answer(quest.seq, None, flag=quest.flag, version=quest.version)
        self.outbox.append(frame)
        self._out_bytes += len(frame)
        return None

    # ------------------------------------------------------------------ time

    def next_deadline(self) -> float | None:
        """When ``tick`` has something to do at the latest (a quest deadline, a keep-alive
        ping or loss, a write stall); None when nothing is timed. Calling ``tick`` earlier is
        harmless."""
        if self._closed:
            return None
        when = self._earliest
        ka = self.keepalive
        if ka is not None:
            ping_at = max(self.last_received + ka.interval, self._last_ping + ka.ping_timeout)
            when = min(when, ping_at, self.last_received + ka.lost_after)
        stalled = self._stalled_since
        if stalled is not None and self.write_timeout is not None:
            when = min(when, stalled + self.write_timeout)
        return None if when == _INF else when

    def tick(self, now: float) -> list[Event[T]]:
        """Expire the quests whose deadline passed, then keep-alive and write-stall checks."""
        if self._closed:
            return []
        events: list[Event[T]] = self._expire(now) if now >= self._earliest else []
        ka = self.keepalive
        if ka is not None:
            # The same sums as next_deadline(): a difference compared instead could miss
            # by one ulp the deadline it reported, and the transport would wake in a loop.
            last = self.last_received
            if now >= last + ka.lost_after:
                return events + self._shutdown(FPNNConnectionError(
                    f"keep-alive lost: no traffic for {now - last:.1f} s",
                    ec.CORE_INVALID_CONNECTION))
            if now >= last + ka.interval and now >= self._last_ping + ka.ping_timeout:
                self._last_ping = now
                seq = self._next_seq()
                self._pending[seq] = (_PING, now + ka.ping_timeout, "*ping", ka.ping_timeout)
                self._earliest = min(self._earliest, now + ka.ping_timeout)
                frame = codec.encode_quest("*ping", None, seq)
                self.outbox.append(frame)
                self._out_bytes += len(frame)
        stalled = self._stalled_since
        if (stalled is not None and self.write_timeout is not None
                and now >= stalled + self.write_timeout):
            return events + self._shutdown(self._not_reading())
        return events

    def _expire(self, now: float) -> list[Event[T]]:
        pending = self._pending
        earliest = _INF
        expired: list[int] = []
        for seq, entry in pending.items():
            deadline = entry[1]
            if deadline <= now:
                expired.append(seq)
            elif deadline < earliest:
                earliest = deadline
        self._earliest = earliest
        events: list[Event[T]] = []
        for seq in expired:
            token, _deadline, method, timeout = pending.pop(seq)
            unsent = self._drop_unsent(seq)
            if seq == self._key_seq:
                self._key_seq = 0
            if token is _PING:
                self.logger.debug("keep-alive ping timed out")
                continue
            events.append(Failed(token, self._timeout_error(method, timeout, unsent)))
        return events

    # ------------------------------------------------------------------ write progress

    def write_blocked(self, now: float) -> None:
        """The transport holds bytes the OS does not take: start the stall clock."""
        if self._stalled_since is None:
            self._stalled_since = now

    def write_progress(self, now: float, blocked: bool) -> None:
        """The OS took bytes; ``blocked``: some are still waiting (the clock restarts)."""
        self._stalled_since = now if blocked else None

    @property
    def write_stalled_since(self) -> float | None:
        return self._stalled_since

    def _not_reading(self) -> FPNNConnectionError:
        queued = self._out_bytes + self.transport_buffered
        return FPNNConnectionError(
            f"the peer does not read: {queued} bytes wait to be sent and none was taken for "
            f"{self.write_timeout or 0:g} s", ec.CORE_SEND_ERROR)

    # ------------------------------------------------------------------ closing

    def _fail_all(self, error: FPNNError | None) -> list[Event[T]]:
        self._closed = True
        self.close_error = error
        self._key_seq = 0
        self._stalled_since = None
        pending, self._pending = self._pending, {}
        self._earliest = _INF
        reason = f": {error.message}" if error is not None and error.message else ""
        events: list[Event[T]] = []
        for token, _deadline, _method, _timeout in pending.values():
            if token is not _PING:
                events.append(Failed(token, FPNNConnectionError(
                    f"connection is closed{reason}", ec.CORE_CONNECTION_CLOSED)))
        return events

    def _shutdown(self, error: FPNNError) -> list[Event[T]]:
        # What was queued before the error (answers to the valid quests before garbage)
        # may still be written before the transport closes.
        events = self._fail_all(error)
        events.append(Closed(error))
        return events

    def close(self, error: FPNNError | None = None) -> list[Event[T]]:
        """The connection is closed (by us or the peer): every pending quest fails with a
        connection error (the events returned), queued output is dropped, later sends
        raise. Idempotent."""
        self.outbox.clear()
        self._out_bytes = 0
        self._raw_frames = 0
        if self._closed:
            return []
        return self._fail_all(error)


def _close_awaitable(result: object) -> None:
    """A coroutine returned where a map was due (an async handler on a blocking client)
    must be closed, or Python warns that it was never awaited."""
    close = getattr(result, "close", None)
    if callable(close) and hasattr(result, "__await__"):
        close()
