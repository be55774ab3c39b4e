"""The console's live stream: every quest the server answers and every push it sends.

The server core calls :meth:`LiveRecorder.observe` around each handler and the hub reports
each push; an event keeps the msgpack encoding of the payload and of the answer (bytes: one
C call, exact sizes, compact, and nothing the garbage collector has to scan) in a bounded
ring per project. Nothing is decoded, formatted or masked at record time: that happens only
for the events a live page is sent or opens, so recording costs a few microseconds per
quest. When the console is off no recorder
exists and the handlers are not wrapped at all.

:class:`Subscription` turns the ring into batches for one live page: at most ``cap`` events
per batch, the rest counted as dropped, with server-side filters (method, uid, errors only).

This module does not import aiohttp: the server core imports it.
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import msgpack

from rtm.fpnn import errors as ec
from rtm.fpnn.connection import FPNNConnection, HandlerResult
from rtm.fpnn.errors import FPNNError

Direction = Literal["in", "out"]
QuestHandler = Callable[[FPNNConnection, Any], Awaitable[HandlerResult]]

#: Events kept per project (oldest dropped first): more than a live page's 250 ms tick at
#: 10,000 quests/s. One small object each (the payloads are kept encoded).
RING_SIZE: Final = 4096
#: Payloads/answers larger than this (encoded) are replaced by a summary in the ring, so the
#: ring's memory stays bounded whatever the traffic (history pages, files).
MAX_KEPT_BYTES: Final = 16384

#: Keys whose values are never shown: signatures, tokens, secrets, anything credential-like.
CREDENTIAL_KEY: Final = re.compile(
    r"sign|token|secret|passw|pwd|credential|api_?key|private|cookie|session_?key", re.I)
MASK: Final = "••••••"

#: Payload keys naming users, and keys naming other ids (groups, rooms, messages).
UID_KEYS: Final = ("from", "to", "uid", "ouid", "fuid", "tos", "uids", "friends", "fuids",
                   "buids", "otherUids", "from_uid")
ID_KEYS: Final = ("gid", "rid", "mid", "xid", "gids", "rids", "fileid")

_JS_SAFE: Final = 2**53 - 1
_MAX_TEXT: Final = 2000
_MAX_ITEMS: Final = 200


@dataclass(slots=True)
class LiveEvent:
    """One quest answered (``direction="in"``) or push sent (``"out"``).

    ``status`` is 0 for success, else the error code answered / received (FPNN timeout for a
    push without answer). ``size``/``answer_size``: msgpack sizes. ``packed`` /
    ``packed_answer``: the encodings kept (``b""`` for none); :attr:`payload` and
    :attr:`answer` decode them (unmasked; use :func:`jsonable` to show them). ``uid``: the
    end user of a client-gate connection.
    """

    seq: int
    time_ms: int
    direction: Direction
    gate: str
    method: str
    pid: int
    status: int
    error: str
    latency_us: int
    size: int
    answer_size: int
    packed: bytes
    packed_answer: bytes
    peer: str
    uid: int | None

    @property
    def payload(self) -> Any:
        return _unpacked(self.packed)

    @property
    def answer(self) -> Any:
        return _unpacked(self.packed_answer)

    def uids(self) -> list[int]:
        return self._ids()[0]

    def ids(self) -> list[int]:
        return self._ids()[1]

    def _ids(self) -> tuple[list[int], list[int]]:
        """(uids, other ids) named by the payload, in one pass over its keys."""
        uids: list[int] = [] if self.uid is None else [self.uid]
        others: list[int] = []
        payload = self.payload
        if isinstance(payload, Mapping):
            for key, value in payload.items():
                if key in _UID_KEYS:
                    _add_ids(uids, value)
                elif key in _ID_KEYS:
                    _add_ids(others, value)
        return (list(dict.fromkeys(uids)) if len(uids) > 1 else uids), others

    def summary(self) -> dict[str, Any]:
        """The row of the live table (JSON-able; ids as strings: they exceed JS numbers)."""
        uids, ids = self._ids()
        return {
            "seq": self.seq, "t": self.time_ms, "dir": self.direction, "gate": self.gate,
            "method": self.method, "pid": self.pid,
            "uids": [str(u) for u in uids], "ids": [str(i) for i in ids],
            "size": self.size, "status": self.status, "error": self.error,
            "latency_us": self.latency_us, "peer": self.peer,
        }

    def detail(self) -> dict[str, Any]:
        """The summary plus the masked params and answer."""
        return {**self.summary(), "params": jsonable(self.payload),
                "answer": jsonable(self.answer), "answer_size": self.answer_size}


def _unpacked(data: bytes) -> Any:
    if not data:
        return None
    return msgpack.unpackb(data, raw=False, strict_map_key=False,
                           unicode_errors="surrogateescape")


_UID_KEYS: Final = frozenset(UID_KEYS)
_ID_KEYS: Final = frozenset(ID_KEYS)


def _add_ids(out: list[int], value: Any) -> None:
    if type(value) is int:
        out.append(value)
    elif isinstance(value, list | tuple):
        out.extend(v for v in value[:50] if type(v) is int)


def _key_text(key: object) -> str:
    if isinstance(key, bytes | bytearray):
        return bytes(key).decode("utf-8", "replace")
    return str(key)


def jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-able copy for display: credential keys masked at every level, bytes shown as
    ``bin(N): text``, long texts and lists cut, integers beyond JavaScript's exact range as
    strings."""
    if isinstance(value, Mapping):
        if depth > 8:
            return "…"
        out: dict[str, Any] = {}
        for key, item in list(value.items())[:_MAX_ITEMS]:
            name = _key_text(key)
            out[name] = MASK if CREDENTIAL_KEY.search(name) else jsonable(item, depth + 1)
        return out
    if isinstance(value, list | tuple):
        if depth > 8:
            return "…"
        items = [jsonable(v, depth + 1) for v in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            items.append(f"… {len(value) - _MAX_ITEMS} more")
        return items
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if -_JS_SAFE <= value <= _JS_SAFE else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        text = data[:_MAX_TEXT].decode("utf-8", "backslashreplace")
        return f"bin({len(data)}): {text}{'…' if len(data) > _MAX_TEXT else ''}"
    if isinstance(value, str):
        return value if len(value) <= _MAX_TEXT else f"{value[:_MAX_TEXT]}… ({len(value)} chars)"
    return repr(value)[:_MAX_TEXT]


def push_pid(conn: FPNNConnection, payload: Mapping[str, Any]) -> int:
    """The project a push belongs to: the client connection's, the event's, or the only
    project the server connection listens to."""
    pid = conn.state.get("pid")
    if isinstance(pid, int):
        return pid
    pid = payload.get("pid")
    if isinstance(pid, int):
        return pid
    states = conn.state.get("listen")
    if isinstance(states, dict) and len(states) == 1:
        return int(next(iter(states)))
    return 0


class LiveRecorder:
    """Bounded rings of :class:`LiveEvent` per served project (pid 0: anything else)."""

    def __init__(self, projects: Mapping[int, str], *, ring_size: int = RING_SIZE) -> None:
        self._projects = projects  # pid -> secret: read for membership only
        self._ring_size = ring_size
        # The rings hold plain tuples (LiveEvent's fields in order): the cheapest thing to
        # build per quest, and the garbage collector stops tracking them. Readers get
        # LiveEvent objects.
        self._rings: dict[int, deque[tuple[Any, ...]]] = {}
        self._seqs: dict[int, int] = {}
        self._gates: dict[object, str] = {}
        self._packer = msgpack.Packer(use_bin_type=True)

    def name_gates(self, gates: Mapping[object, str]) -> None:
        """Names of the FPNN servers (``conn.server``) the quests arrive on."""
        self._gates.update(gates)

    # ------------------------------------------------------------------ recording

    def observe(self, method: str, handler: QuestHandler) -> QuestHandler:
        """``handler`` recording every quest it answers (success or error answer). A handler
        answering with a future (the send path) is followed by a callback, not a task."""
        perf = time.perf_counter

        def done(conn: FPNNConnection, quest: Any, started: float,
                 fut: asyncio.Future[HandlerResult]) -> None:
            if fut.cancelled():
                return
            exc = fut.exception()
            if exc is None:
                self._record_in(conn, method, quest, fut.result(), None, perf() - started)
            elif isinstance(exc, FPNNError):
                self._record_in(conn, method, quest, None, exc, perf() - started)

        async def awaited(conn: FPNNConnection, quest: Any, started: float,
                          pending: Awaitable[HandlerResult]) -> HandlerResult:
            try:
                answer = await pending
            except FPNNError as exc:
                self._record_in(conn, method, quest, None, exc, perf() - started)
                raise
            self._record_in(conn, method, quest, answer, None, perf() - started)
            return answer

        def observed(conn: FPNNConnection, quest: Any) -> Awaitable[HandlerResult]:
            started = perf()
            try:
                pending = handler(conn, quest)
            except FPNNError as exc:
                self._record_in(conn, method, quest, None, exc, perf() - started)
                raise
            if isinstance(pending, asyncio.Future):
                pending.add_done_callback(functools.partial(done, conn, quest, started))
                return pending
            return awaited(conn, quest, started, pending)

        return observed

    def _record_in(self, conn: FPNNConnection, method: str, quest: Any, answer: Any,
                   exc: FPNNError | None, seconds: float) -> None:
        self.record("in", self._gates.get(getattr(conn, "server", None), "?"), method,
                    _quest_pid(conn, quest.payload), quest.payload, answer,
                    0 if exc is None else exc.code, "" if exc is None else exc.message,
                    seconds, conn.peer, _conn_uid(conn))

    async def observe_push(self, conn: FPNNConnection, method: str,
                           payload: Mapping[str, Any],
                           push: Callable[[], Awaitable[int]]) -> None:
        """Run a push (which returns 0 or its failure code) and record it."""
        started = time.perf_counter()
        status = await push()
        error = "" if status == 0 else (
            "no answer in time" if status == ec.CORE_TIMEOUT else "push failed")
        self.record("out", "push", method, push_pid(conn, payload), payload, None, status,
                    error, time.perf_counter() - started, conn.peer, _conn_uid(conn))

    def record_oneway(self, conn: FPNNConnection, method: str,
                      payload: Mapping[str, Any]) -> None:
        """A one-way push (kickout, kickoutroom): no answer, no latency."""
        self.record("out", "push", method, push_pid(conn, payload), payload, None, 0, "",
                    0.0, conn.peer, _conn_uid(conn))

    def record(self, direction: Direction, gate: str, method: str, pid: int, payload: Any,
               answer: Any, status: int, error: str, seconds: float, peer: str,
               uid: int | None) -> None:
        if pid not in self._projects:
            pid = 0
        ring = self._rings.get(pid)
        if ring is None:
            ring = self._rings[pid] = deque(maxlen=self._ring_size)
        seq = self._seqs[pid] = self._seqs.get(pid, 0) + 1
        packed, size = self._kept(payload)
        packed_answer, answer_size = self._kept(answer)
        ring.append((seq, time.time_ns() // 1_000_000, direction, gate, method, pid, status,
                     error, int(seconds * 1e6), size, answer_size, packed, packed_answer, peer,
                     uid))

    def _kept(self, value: Any) -> tuple[bytes, int]:
        """The encoding the ring keeps of a payload or answer, and its full size (a big one
        is kept as a cut-down copy)."""
        if value is None:
            return b"", 0
        pack = self._packer.pack
        try:
            data = pack(value)
            if len(data) <= MAX_KEPT_BYTES:
                return data, len(data)
            return pack(_shrunk(value)), len(data)
        except Exception:  # not encodable (cannot happen for wire data): keep a note
            self._packer.reset()
            return pack({"…": "not encodable"}), 0

    # ------------------------------------------------------------------ reading

    def last_seq(self, pid: int) -> int:
        """Number of events recorded for ``pid`` since start (= the latest seq)."""
        return self._seqs.get(pid, 0)

    def get(self, pid: int, seq: int) -> LiveEvent | None:
        """The event ``seq`` of ``pid`` if the ring still holds it."""
        ring = self._rings.get(pid)
        if not ring or not ring[0][0] <= seq <= ring[-1][0]:
            return None
        fields = ring[seq - ring[0][0]]  # seqs are consecutive inside a ring
        return LiveEvent(*fields) if fields[0] == seq else None

    def newer(self, pid: int, seq: int) -> Iterator[LiveEvent]:
        """Events of ``pid`` after ``seq``, newest first."""
        ring = self._rings.get(pid)
        if not ring:
            return
        for fields in reversed(ring):
            if fields[0] <= seq:
                return
            yield LiveEvent(*fields)

    def oldest_seq(self, pid: int) -> int:
        ring = self._rings.get(pid)
        return ring[0][0] if ring else self._seqs.get(pid, 0) + 1


def _shrunk(value: Any) -> Any:
    """A bounded copy of a big payload: long texts and bytes cut, long lists cut."""
    if isinstance(value, Mapping):
        return {k: _shrunk(v) for k, v in list(value.items())[:_MAX_ITEMS]}
    if isinstance(value, list | tuple):
        return [_shrunk(v) for v in value[:20]] + (
            [f"… {len(value) - 20} more"] if len(value) > 20 else [])
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return data if len(data) <= 256 else data[:256] + b"..."
    if isinstance(value, str) and len(value) > 256:
        return f"{value[:256]}… ({len(value)} chars)"
    return value


def _quest_pid(conn: FPNNConnection, payload: Any) -> int:
    pid = payload.get("pid") if isinstance(payload, Mapping) else None
    if isinstance(pid, int) and not isinstance(pid, bool):
        return pid
    pid = conn.state.get("pid")
    return pid if isinstance(pid, int) else 0


def _conn_uid(conn: FPNNConnection) -> int | None:
    uid = conn.state.get("uid")
    return uid if isinstance(uid, int) else None


# ---------------------------------------------------------------------------- subscriptions


@dataclass(frozen=True, slots=True)
class LiveFilter:
    """What a live page wants: ``methods`` (empty = all; a method matches when it contains one
    of them), ``uid`` (events naming this uid), ``errors_only``."""

    methods: tuple[str, ...] = ()
    uid: int | None = None
    errors_only: bool = False

    @classmethod
    def parse(cls, methods: str = "", uid: str = "", errors_only: bool = False) -> LiveFilter:
        """From the page's inputs; raises ValueError naming the bad one."""
        names = tuple(m.strip().lower() for m in methods.split(",") if m.strip())
        uid = uid.strip()
        number: int | None = None
        if uid:
            try:
                number = int(uid)
            except ValueError:
                raise ValueError(f"uid filter must be an integer, got {uid!r}") from None
        return cls(names, number, bool(errors_only))

    def matches(self, event: LiveEvent) -> bool:
        if self.errors_only and event.status == 0:
            return False
        if self.methods and not any(m in event.method.lower() for m in self.methods):
            return False
        return self.uid is None or self.uid in event.uids()


@dataclass(frozen=True, slots=True)
class Batch:
    """What one tick sends a live page: the events (oldest first), how many matching events
    were not sent (sampling, or gone from the ring), and totals."""

    events: list[LiveEvent]
    dropped: int
    last_seq: int
    recorded: int


class Subscription:
    """A live page's position in a project's ring."""

    def __init__(self, recorder: LiveRecorder, pid: int, *, cap: int = 150,
                 backlog: int = 100) -> None:
        self.recorder = recorder
        self.pid = pid
        self.cap = cap
        self.filter = LiveFilter()
        self.paused = False
        # Start with the recent past so an opened page is not empty.
        self.seq = max(0, recorder.last_seq(pid) - backlog)

    def set_filter(self, live_filter: LiveFilter) -> None:
        self.filter = live_filter

    def next_batch(self) -> Batch | None:
        """The next batch, or None when nothing new happened (or paused: then the position
        moves on, so resuming shows what happens from then on)."""
        recorder, pid = self.recorder, self.pid
        last = recorder.last_seq(pid)
        if last <= self.seq:
            return None
        if self.paused:
            self.seq = last
            return None
        # Events that left the ring before this tick are lost: counted as dropped.
        lost = max(0, recorder.oldest_seq(pid) - self.seq - 1)
        picked: list[LiveEvent] = []
        matched = 0
        flt, cap = self.filter, self.cap
        plain = not (flt.methods or flt.uid is not None or flt.errors_only)
        for event in recorder.newer(pid, self.seq):
            if plain or flt.matches(event):
                matched += 1
                if len(picked) < cap:
                    picked.append(event)
                elif plain:
                    break
        if plain:
            matched = last - self.seq - lost
        self.seq = last
        picked.reverse()
        return Batch(picked, matched - len(picked) + lost, last, last)


def batch_message(batch: Batch) -> dict[str, Any]:
    """The JSON message a live page receives for one batch."""
    return {"type": "batch", "events": [e.summary() for e in batch.events],
            "dropped": batch.dropped, "last": batch.last_seq, "recorded": batch.recorded}
