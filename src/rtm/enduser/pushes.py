"""What the client gate pushes to an end user (``rtm-client-api.md`` §5), as typed objects,
and the monitor that receives them.

Every push object keeps the wire ``method`` and its raw ``params``; the typed fields are read
from them by :func:`parse_push`. Message pushes are de-duplicated the way the official SDKs do
it (:class:`PushDeduplicator`): the same (kind, from, mid, to|gid|rid) seen again within a few
seconds is a retried push and is dropped.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rtm.api.files import parse_file_info
from rtm.api.models import MTYPE_CHAT, FileInfo, is_file_mtype

__all__ = [
    "PUSH_METHODS",
    "BroadcastMessage",
    "ChatText",
    "EndUserMonitor",
    "GroupMessage",
    "Kickout",
    "KickoutRoom",
    "MessagePush",
    "P2PMessage",
    "Push",
    "PushDeduplicator",
    "PushFormatError",
    "RoomMessage",
    "parse_push",
]

#: The pushes the client gate sends to a logged-in user (spec §5), besides ``ping``.
PUSH_METHODS = ("pushmsg", "pushgroupmsg", "pushroommsg", "pushbroadcastmsg", "kickout",
                "kickoutroom")


@dataclass(frozen=True, slots=True)
class ChatText:
    """A chat message (mtype 30) as pushed: the text, its language and its translation into
    the receiver's language (``""`` when the receiver has none)."""

    source: str
    target: str
    source_text: str
    target_text: str

    @property
    def text(self) -> str:
        """What to show the receiver: the translation when there is one, else the text."""
        return self.target_text or self.source_text


@dataclass(frozen=True, slots=True)
class Push:
    """One quest pushed by the gate: its wire ``method`` and raw ``params``. Every typed push
    below is a ``Push``; a push the client could not read arrives as a plain ``Push``."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePush(Push):
    """What every message push carries. ``message`` is ``str``, ``bytes`` (binary that is
    not UTF-8), or :class:`ChatText` for a chat message pushed as the translation map."""

    from_uid: int
    mid: int
    mtype: int
    message: str | bytes | ChatText
    attrs: str | bytes
    mtime: int

    @property
    def text(self) -> str:
        """The message as text (a chat's :attr:`ChatText.text`; bytes decoded leniently)."""
        message = self.message
        if isinstance(message, ChatText):
            return message.text
        if isinstance(message, bytes):
            return message.decode("utf-8", "replace")
        return message

    @property
    def file(self) -> FileInfo | None:
        """The file of a file message (mtypes 40..50), else None."""
        if not is_file_mtype(self.mtype) or isinstance(self.message, ChatText):
            return None
        return parse_file_info(self.mtype, self.message, self.attrs)


@dataclass(frozen=True, slots=True, kw_only=True)
class P2PMessage(MessagePush):
    """``pushmsg``: a message to this user."""

    to_uid: int


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupMessage(MessagePush):
    """``pushgroupmsg``: a message to a group this user is a member of."""

    gid: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomMessage(MessagePush):
    """``pushroommsg``: a message to a room this user is in."""

    rid: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BroadcastMessage(MessagePush):
    """``pushbroadcastmsg``: a message to every user of the project."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Kickout(Push):
    """``kickout``: the server closes this session; the client does not log in again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KickoutRoom(Push):
    """``kickoutroom``: this user was removed from room ``rid``."""

    rid: int


class PushFormatError(ValueError):
    """A push whose params lack a key or carry a wrong type (names the key)."""


# ---------------------------------------------------------------------------------- parsing

_INT64 = (-(2**63), 2**63 - 1)


def _int(method: str, params: Mapping[str, Any], key: str) -> int:
    if key not in params:
        raise PushFormatError(f"{method}: missing key {key!r}")
    value = params[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise PushFormatError(f"{method}: {key!r} must be an int, got {type(value).__name__}")
    if not _INT64[0] <= value <= _INT64[1]:
        raise PushFormatError(f"{method}: {key!r} out of the int64 range: {value}")
    return int(value)


def _text(method: str, params: Mapping[str, Any], key: str) -> str | bytes:
    """str as is; bin as str when it is UTF-8 (the SDKs do the same), else bytes."""
    value = params.get(key, "")
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
    raise PushFormatError(f"{method}: {key!r} must be str or bin, got {type(value).__name__}")


def _chat(method: str, value: Mapping[Any, Any]) -> ChatText:
    fields: dict[str, str] = {}
    for key in ("source", "target", "sourceText", "targetText"):
        item = value.get(key, "")
        if isinstance(item, (bytes, bytearray)):
            item = bytes(item).decode("utf-8", "replace")
        if not isinstance(item, str):
            raise PushFormatError(f"{method}: msg[{key!r}] must be a str, got "
                                  f"{type(item).__name__}")
        fields[key] = item
    return ChatText(fields["source"], fields["target"], fields["sourceText"],
                    fields["targetText"])


def _body(method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    mtype = _int(method, params, "mtype")
    raw = params.get("msg", "")
    if isinstance(raw, Mapping):
        if mtype != MTYPE_CHAT:
            raise PushFormatError(f"{method}: 'msg' is a map for mtype {mtype} (only chat, "
                                  f"mtype {MTYPE_CHAT}, is pushed as a map)")
        message: str | bytes | ChatText = _chat(method, raw)
    else:
        message = _text(method, params, "msg")
    return {"from_uid": _int(method, params, "from"), "mid": _int(method, params, "mid"),
            "mtype": mtype, "message": message, "attrs": _text(method, params, "attrs"),
            "mtime": _int(method, params, "mtime")}


def parse_push(method: str, params: Mapping[str, Any], own_uid: int) -> Push:
    """The typed push for ``method`` (raises :class:`PushFormatError` on bad params).

    A ``pushmsg`` without ``to`` is addressed to ``own_uid`` (it reached this user); an
    unknown method gives a plain :class:`Push`.
    """
    if not isinstance(params, Mapping):
        raise PushFormatError(f"{method}: params must be a map, got {type(params).__name__}")
    raw = dict(params)
    if method == "pushmsg":
        to_uid = _int(method, raw, "to") if "to" in raw else own_uid
        return P2PMessage(method, raw, to_uid=to_uid, **_body(method, raw))
    if method == "pushgroupmsg":
        return GroupMessage(method, raw, gid=_int(method, raw, "gid"), **_body(method, raw))
    if method == "pushroommsg":
        return RoomMessage(method, raw, rid=_int(method, raw, "rid"), **_body(method, raw))
    if method == "pushbroadcastmsg":
        return BroadcastMessage(method, raw, **_body(method, raw))
    if method == "kickout":
        return Kickout(method, raw)
    if method == "kickoutroom":
        return KickoutRoom(method, raw, rid=_int(method, raw, "rid"))
    return Push(method, raw)


# ---------------------------------------------------------------------------------- de-duplication


def _dedup_key(push: Push) -> tuple[str, int, int, int] | None:
    if isinstance(push, P2PMessage):
        return (push.method, push.from_uid, push.mid, push.to_uid)
    if isinstance(push, GroupMessage):
        return (push.method, push.from_uid, push.mid, push.gid)
    if isinstance(push, RoomMessage):
        return (push.method, push.from_uid, push.mid, push.rid)
    if isinstance(push, BroadcastMessage):
        return (push.method, push.from_uid, push.mid, 0)
    return None


class PushDeduplicator:
    """Drops a message push seen within ``ttl`` seconds with the same (kind, from, mid,
    to|gid|rid), as the official SDKs do (spec §5); kickouts are never dropped. Entries are
    kept in time order, so expiring them pops a prefix; ``limit`` bounds the memory."""

    def __init__(self, ttl: float = 5.0, limit: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.limit = limit
        self._clock = clock
        self._seen: OrderedDict[tuple[str, int, int, int], float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, push: Push) -> bool:
        """True when ``push`` is to be delivered (not a duplicate); remembers it."""
        key = _dedup_key(push)
        if key is None or self.ttl <= 0:
            return True
        now = self._clock()
        seen = self._seen
        horizon = now - self.ttl
        while seen:
            oldest, at = next(iter(seen.items()))
            if at >= horizon and len(seen) < self.limit:
                break
            del seen[oldest]
        if key in seen:
            return False
        seen[key] = now
        return True


# ---------------------------------------------------------------------------------- monitor


class EndUserMonitor:
    """Receives an end user's pushes and connection events; subclass it and override what
    you need (the defaults do nothing). Methods may be coroutines (``async def``).

    Every push is answered before its method runs, and no method runs on the connection's
    I/O path: the asyncio client calls them one after another in arrival order (plain
    functions on a worker thread, coroutines as tasks it awaits), so a slow method delays
    the next ones, never the connection. Duplicate message pushes never reach it.
    """

    def p2p_message(self, push: P2PMessage) -> Awaitable[None] | None:
        """A message to this user (``pushmsg``)."""
        return None

    def group_message(self, push: GroupMessage) -> Awaitable[None] | None:
        """A message to one of this user's groups (``pushgroupmsg``)."""
        return None

    def room_message(self, push: RoomMessage) -> Awaitable[None] | None:
        """A message to a room this user is in (``pushroommsg``)."""
        return None

    def broadcast_message(self, push: BroadcastMessage) -> Awaitable[None] | None:
        """A message to every user (``pushbroadcastmsg``)."""
        return None

    def kickout(self, push: Kickout) -> Awaitable[None] | None:
        """The server closed this session (``kickout``); the client does not log in again."""
        return None

    def kickout_room(self, push: KickoutRoom) -> Awaitable[None] | None:
        """This user was removed from a room (``kickoutroom``)."""
        return None

    def connected(self, connection_id: int) -> Awaitable[None] | None:
        """A connection is open and logged in (the first login and every re-login)."""
        return None

    def closed(self, connection_id: int, will_relogin: bool) -> Awaitable[None] | None:
        """The logged-in connection closed; ``will_relogin``: the client logs in again."""
        return None

    def reloginned(self, successful: bool, attempts: int,
                   error_code: int) -> Awaitable[None] | None:
        """The automatic re-login after a drop ended: ``successful`` after ``attempts``
        connection attempts; else ``error_code`` says why it stopped (the token refused:
        200027, the project black list: 200024, ...)."""
        return None


#: The monitor method for each typed push class.
MONITOR_METHODS: dict[type[Push], str] = {
    P2PMessage: "p2p_message",
    GroupMessage: "group_message",
    RoomMessage: "room_message",
    BroadcastMessage: "broadcast_message",
    Kickout: "kickout",
    KickoutRoom: "kickout_room",
}
