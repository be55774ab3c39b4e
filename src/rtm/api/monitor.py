"""Server pushes (spec §4): the user-facing monitor and the transport-independent router.

The transport answers every push with an empty map (or the error the router raises) and then
calls the monitor off the I/O path::

    target = router.route(method, payload)   # may raise FPNNAnswerError -> error answer
    # answer {} now; then, if target is not None:
    fn, args = target
    result = fn(*args)                       # on the async client: await it if awaitable
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rtm.api.files import parse_file_info
from rtm.api.models import MTYPE_CHAT, MTYPE_CMD, FileInfo, is_file_mtype
from rtm.fpnn.errors import (
    CORE_UNKNOWN_METHOD,
    PROTO_KEY_NOT_FOUND,
    PROTO_TYPE_CONVERT,
    FPNNAnswerError,
)

__all__ = ["PushRouter", "RTMServerMonitor"]

_INT8 = (-(2**7), 2**7 - 1)
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


class RTMServerMonitor:
    """Receives the messages and events the server pushes to a listening connection.

    Subclass it and override what you need; the defaults do nothing. Listening must be
    enabled with ``add_listen`` / ``set_listen`` (or in the console). On the async client
    the methods may be coroutines (``async def``); they are awaited.

    ``message`` / ``attrs`` are ``str``, or ``bytes`` when the server sent non-UTF-8 binary.
    Duplicate message pushes (same sender, target and mid) are filtered out before they
    reach the monitor; events are not.

    Messages are split by mtype like the current SDKs do (spec §7.2): chat (30) goes to
    ``p2p_chat`` / ``group_chat`` / ``room_chat``, cmd (32) to ``*_cmd``, files (40..50) to
    ``*_file`` with the parsed :class:`FileInfo`, everything else to ``*_message``. The
    defaults of the chat, cmd and file methods call the matching ``*_message`` method, so a
    monitor that only overrides ``*_message`` still receives every message.
    """

    def p2p_message(
        self,
        from_uid: int,
        to_uid: int,
        mtype: int,
        mid: int,
        message: str | bytes,
        attrs: str | bytes,
        mtime: int,
    ) -> Awaitable[None] | None:
        """A P2P message (``pushmsg``)."""
        return None

    def group_message(
        self,
        from_uid: int,
        group_id: int,
        mtype: int,
        mid: int,
        message: str | bytes,
        attrs: str | bytes,
        mtime: int,
    ) -> Awaitable[None] | None:
        """A group message (``pushgroupmsg``)."""
        return None

    def room_message(
        self,
        from_uid: int,
        room_id: int,
        mtype: int,
        mid: int,
        message: str | bytes,
        attrs: str | bytes,
        mtime: int,
    ) -> Awaitable[None] | None:
        """A room message (``pushroommsg``)."""
        return None

    # ---- chat (mtype 30), cmd (mtype 32) and files (mtypes 40..50); default: *_message

    def p2p_chat(
        self, from_uid: int, to_uid: int, mid: int, message: str | bytes, attrs: str | bytes,
        mtime: int,
    ) -> Awaitable[None] | None:
        """A P2P chat message (mtype 30)."""
        return self.p2p_message(from_uid, to_uid, MTYPE_CHAT, mid, message, attrs, mtime)

    def p2p_cmd(
        self, from_uid: int, to_uid: int, mid: int, message: str | bytes, attrs: str | bytes,
        mtime: int,
    ) -> Awaitable[None] | None:
        """A P2P cmd message (mtype 32)."""
        return self.p2p_message(from_uid, to_uid, MTYPE_CMD, mid, message, attrs, mtime)

    def p2p_file(
        self, from_uid: int, to_uid: int, mtype: int, mid: int, message: str | bytes,
        attrs: str | bytes, mtime: int, file_info: FileInfo,
    ) -> Awaitable[None] | None:
        """A P2P file message (mtype 40..50); ``message``/``attrs`` are the raw texts."""
        return self.p2p_message(from_uid, to_uid, mtype, mid, message, attrs, mtime)

    def group_chat(
        self, from_uid: int, group_id: int, mid: int, message: str | bytes,
        attrs: str | bytes, mtime: int,
    ) -> Awaitable[None] | None:
        """A group chat message (mtype 30)."""
        return self.group_message(from_uid, group_id, MTYPE_CHAT, mid, message, attrs, mtime)

    def group_cmd(
        self, from_uid: int, group_id: int, mid: int, message: str | bytes,
        attrs: str | bytes, mtime: int,
    ) -> Awaitable[None] | None:
        """A group cmd message (mtype 32)."""
        return self.group_message(from_uid, group_id, MTYPE_CMD, mid, message, attrs, mtime)

    def group_file(
        self, from_uid: int, group_id: int, mtype: int, mid: int, message: str | bytes,
        attrs: str | bytes, mtime: int, file_info: FileInfo,
    ) -> Awaitable[None] | None:
        """A group file message (mtype 40..50)."""
        return self.group_message(from_uid, group_id, mtype, mid, message, attrs, mtime)

    def room_chat(
        self, from_uid: int, room_id: int, mid: int, message: str | bytes, attrs: str | bytes,
        mtime: int,
    ) -> Awaitable[None] | None:
        """A room chat message (mtype 30)."""
        return self.room_message(from_uid, room_id, MTYPE_CHAT, mid, message, attrs, mtime)

    def room_cmd(
        self, from_uid: int, room_id: int, mid: int, message: str | bytes, attrs: str | bytes,
        mtime: int,
    ) -> Awaitable[None] | None:
        """A room cmd message (mtype 32)."""
        return self.room_message(from_uid, room_id, MTYPE_CMD, mid, message, attrs, mtime)

    def room_file(
        self, from_uid: int, room_id: int, mtype: int, mid: int, message: str | bytes,
        attrs: str | bytes, mtime: int, file_info: FileInfo,
    ) -> Awaitable[None] | None:
        """A room file message (mtype 40..50)."""
        return self.room_message(from_uid, room_id, mtype, mid, message, attrs, mtime)

    def event(
        self, pid: int, event: str, uid: int, time: int, endpoint: str, data: str
    ) -> Awaitable[None] | None:
        """A ``login`` / ``logout`` event (``pushevent``); ``time`` in Unix seconds,
        ``data`` is ``""`` when the server did not send it."""
        return None


def _bad(method: str, key: str, rule: str, code: int) -> FPNNAnswerError:
    return FPNNAnswerError(f"{method}: {rule} '{key}'", code)


def _int(method: str, payload: dict[str, Any], key: str, bounds: tuple[int, int]) -> int:
    try:
        value = payload[key]
    except KeyError:
        raise _bad(method, key, "missing key", PROTO_KEY_NOT_FOUND) from None
    if type(value) is not int and (not isinstance(value, int) or isinstance(value, bool)):
        got = type(value).__name__
        raise _bad(method, key, f"expected an int, got {got} for", PROTO_TYPE_CONVERT)
    if not bounds[0] <= value <= bounds[1]:
        raise _bad(method, key, f"int out of range ({value}) for", PROTO_TYPE_CONVERT)
    return int(value)


def _text(
    method: str, payload: dict[str, Any], key: str, *, keep_bytes: bool, optional: bool = False
) -> Any:
    try:
        value = payload[key]
    except KeyError:
        if optional:
            return ""
        raise _bad(method, key, "missing key", PROTO_KEY_NOT_FOUND) from None
    if type(value) is str:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw if keep_bytes else raw.decode("utf-8", "replace")
    if isinstance(value, str):
        return str(value)
    if optional and value is None:
        return ""
    got = type(value).__name__
    raise _bad(method, key, f"expected str or bin, got {got} for", PROTO_TYPE_CONVERT)


def _message(
    method: str, payload: Any, target_key: str
) -> tuple[int, int, int, int, str | bytes, str | bytes, int]:
    if not isinstance(payload, dict):
        raise FPNNAnswerError(f"{method}: payload must be a map", PROTO_TYPE_CONVERT)
    return (
        _int(method, payload, "from", _INT64),
        _int(method, payload, target_key, _INT64),
        _int(method, payload, "mtype", _INT8),
        _int(method, payload, "mid", _INT64),
        _text(method, payload, "msg", keep_bytes=True),
        _text(method, payload, "attrs", keep_bytes=True),
        _int(method, payload, "mtime", _INT64),
    )


def _overridden(monitor: RTMServerMonitor, name: str) -> bool:
    return getattr(type(monitor), name) is not getattr(RTMServerMonitor, name)


def _dispatch(
    monitor: RTMServerMonitor, message_handler: str,
    args: tuple[int, int, int, int, str | bytes, str | bytes, int],
) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """The monitor method for a message push, by mtype (spec §7.2). A chat/cmd/file method
    the monitor does not override is skipped for ``*_message`` itself, so the transport sees
    the user's own (possibly ``async``) function."""
    kind = message_handler.removesuffix("_message")
    from_uid, target, mtype, mid, message, attrs, mtime = args
    if mtype in (MTYPE_CHAT, MTYPE_CMD):
        name = f"{kind}_{'chat' if mtype == MTYPE_CHAT else 'cmd'}"
        if _overridden(monitor, name):
            return getattr(monitor, name), (from_uid, target, mid, message, attrs, mtime)
    elif is_file_mtype(mtype):
        name = f"{kind}_file"
        if _overridden(monitor, name):
            info = parse_file_info(mtype, message, attrs)
            return getattr(monitor, name), (*args, info)
    return getattr(monitor, message_handler), args


class PushRouter:
    """Validates a push, de-duplicates it and picks the monitor method to call (spec §4).

    :meth:`route` returns ``None`` when nothing is to be called (``ping``, duplicates),
    ``(bound monitor method, args)`` otherwise, and raises :class:`FPNNAnswerError` when the
    push must be answered with an error: 20004 without a monitor or for an unknown method,
    10009 / 10010 for a missing key / a wrong type. Thread-safe.

    De-duplication (spec §4.2): three caches keyed ``(from, to, mid)``, ``(from, gid, mid)``
    and ``(from, rid, mid)`` with the time first seen. Each holds at most ``limit`` entries:
    beyond that the oldest is evicted, and the entries older than ``ttl`` seconds go with
    it. Events are never de-duplicated.
    """

    _TARGETS: ClassVar[dict[str, str]] = {
        "pushmsg": "to",
        "pushgroupmsg": "gid",
        "pushroommsg": "rid",
    }
    _HANDLERS: ClassVar[dict[str, str]] = {
        "pushmsg": "p2p_message",
        "pushgroupmsg": "group_message",
        "pushroommsg": "room_message",
    }

    def __init__(
        self,
        monitor: RTMServerMonitor | None = None,
        *,
        ttl: float = 300.0,
        limit: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.monitor = monitor
        self.ttl = ttl
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        # Insertion order is time order (the clock does not go back), so the entries older
        # than ``ttl`` are always a prefix: purging pops them from the front and stops at
        # the first recent one, instead of scanning the whole cache on every push.
        self._seen: dict[str, OrderedDict[tuple[int, int, int], float]] = {
            "pushmsg": OrderedDict(),
            "pushgroupmsg": OrderedDict(),
            "pushroommsg": OrderedDict(),
        }

    def cache_size(self, method: str) -> int:
        """Entries in the duplicate cache of ``pushmsg``/``pushgroupmsg``/``pushroommsg``."""
        with self._lock:
            return len(self._seen[method])

    def _first_time(self, method: str, key: tuple[int, int, int]) -> bool:
        now = self._clock()
        with self._lock:
            cache = self._seen[method]
            if key in cache:
                return False
            cache[key] = now
            if len(cache) > self.limit:
                # Fix: this only purged expired entries, so a burst of recent pushes grew the
                # cache without bound (50,000 entries after 50,000 pushes at limit=1000).
                cache.popitem(last=False)
                horizon = now - self.ttl
                while cache:
                    oldest, seen = next(iter(cache.items()))
                    if seen >= horizon:
                        break
                    del cache[oldest]
            return True

    def route(
        self, method: str, payload: dict[str, Any]
    ) -> tuple[Callable[..., Any], tuple[Any, ...]] | None:
        if method == "ping":
            return None
        monitor = self.monitor
        if monitor is None:
            raise FPNNAnswerError("method function is unconfigured", CORE_UNKNOWN_METHOD)
        target_key = self._TARGETS.get(method)
        if target_key is not None:
            args = _message(method, payload, target_key)
            if not self._first_time(method, (args[0], args[1], args[3])):
                return None
            return _dispatch(monitor, self._HANDLERS[method], args)
        if method == "pushevent":
            if not isinstance(payload, dict):
                raise FPNNAnswerError(f"{method}: payload must be a map", PROTO_TYPE_CONVERT)
            event_args = (
                _int(method, payload, "pid", _INT32),
                _text(method, payload, "event", keep_bytes=False),
                _int(method, payload, "uid", _INT64),
                _int(method, payload, "time", _INT32),
                _text(method, payload, "endpoint", keep_bytes=False),
                _text(method, payload, "data", keep_bytes=False, optional=True),
            )
            return monitor.event, event_args
        raise FPNNAnswerError(f"Unknow method:{method}", CORE_UNKNOWN_METHOD)
