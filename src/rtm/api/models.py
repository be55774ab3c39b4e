"""Value types of the RTM API: message types, history results, the listen-state cache."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "DevicePushOptions",
    "HistoryMessageResult",
    "HistoryMessageUnit",
    "ListenSnapshot",
    "ListenState",
    "MessageType",
    "ObjectInfo",
    "PushOptionType",
]


class MessageType(IntEnum):
    """Conversation kind of ``del_message`` (wire ``type``, spec §2.4; 1-based on the wire)."""

    P2P = 1
    GROUP = 2
    ROOM = 3
    BROADCAST = 4


class PushOptionType(IntEnum):
    """What a device push option applies to (wire ``type`` of ``addoption``, spec current
    §4.12): messages from one peer user, or messages in one group."""

    P2P = 0
    GROUP = 1


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """The public and private info of a user, group or room (Go returns them as two strings;
    ``""`` for a value never set)."""

    public_info: str
    private_info: str


@dataclass(frozen=True, slots=True)
class DevicePushOptions:
    """A user's offline-push "do not disturb" options: peer uid (``p2p``) or group id
    (``group``) -> the muted mtypes, ascending; an empty list means every mtype."""

    p2p: dict[int, list[int]]
    group: dict[int, list[int]]


@dataclass(frozen=True, slots=True)
class HistoryMessageUnit:
    """One history entry (the 8-element array of spec §2.3, in that order).

    ``from_uid`` is the sender uid; for ``get_p2p_message`` the server's direction code is
    already resolved to ``uid`` / ``peer_uid`` (an unknown code is kept as is).
    ``message`` / ``attrs`` are ``str``, or ``bytes`` when the server sent non-UTF-8 binary.
    """

    id: int
    from_uid: int
    mtype: int
    mid: int
    deleted: bool
    message: str | bytes
    attrs: str | bytes
    mtime: int


@dataclass(frozen=True, slots=True)
class HistoryMessageResult:
    """A history page: pass ``lastid``/``begin``/``end`` back to get the next one."""

    num: int
    lastid: int
    begin: int
    end: int
    messages: list[HistoryMessageUnit]


@dataclass(frozen=True, slots=True)
class ListenSnapshot:
    """Immutable copy of a :class:`ListenState`."""

    all_p2p: bool
    all_groups: bool
    all_rooms: bool
    all_events: bool
    gids: frozenset[int]
    rids: frozenset[int]
    events: frozenset[str]
    touched: bool


class ListenState:
    """Client-side cache of what this connection listens to (spec §2.9), for re-applying it
    after a reconnect. Updated only after a listen quest succeeded. Thread-safe.

    The model is the spec's ``{all_p2p, all_groups, all_rooms, all_events, gids, rids,
    events}`` (0.1.0 ``p2p`` is ``all_p2p``):

    * ``addlisten``: lists gain the given ids/events; ``p2p=True`` sets ``all_p2p``.
    * ``removelisten``: lists lose them; ``p2p=True`` clears ``all_p2p``.
    * ``setlisten`` with ``all``: the four flags become ``all`` and the lists are cleared.
    * ``setlisten`` without ``all``: lists are replaced and ``all_p2p = p2p``; the
      group/room/event "all" flags are untouched (spec §2.9: only present keys overwrite).
    """

    __slots__ = (
        "_lock",
        "all_events",
        "all_groups",
        "all_p2p",
        "all_rooms",
        "events",
        "gids",
        "rids",
        "touched",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.all_p2p = False
        self.all_groups = False
        self.all_rooms = False
        self.all_events = False
        self.gids: set[int] = set()
        self.rids: set[int] = set()
        self.events: set[str] = set()
        self.touched = False  # a listen quest ever succeeded

    def __repr__(self) -> str:
        s = self.snapshot()
        return (
            f"ListenState(all_p2p={s.all_p2p}, all_groups={s.all_groups}, "
            f"all_rooms={s.all_rooms}, all_events={s.all_events}, gids={sorted(s.gids)}, "
            f"rids={sorted(s.rids)}, events={sorted(s.events)})"
        )

    @property
    def p2p(self) -> bool:
        """0.1.0 name of ``all_p2p``."""
        return self.all_p2p

    def snapshot(self) -> ListenSnapshot:
        with self._lock:
            return ListenSnapshot(
                self.all_p2p,
                self.all_groups,
                self.all_rooms,
                self.all_events,
                frozenset(self.gids),
                frozenset(self.rids),
                frozenset(self.events),
                self.touched,
            )

    def apply_add(
        self, gids: Iterable[int], rids: Iterable[int], p2p: bool, events: Iterable[str]
    ) -> None:
        with self._lock:
            self.gids.update(gids)
            self.rids.update(rids)
            if p2p:
                self.all_p2p = True
            self.events.update(events)
            self.touched = True

    def apply_remove(
        self, gids: Iterable[int], rids: Iterable[int], p2p: bool, events: Iterable[str]
    ) -> None:
        with self._lock:
            self.gids.difference_update(gids)
            self.rids.difference_update(rids)
            if p2p:
                self.all_p2p = False
            self.events.difference_update(events)
            self.touched = True

    def apply_set(
        self,
        gids: Iterable[int],
        rids: Iterable[int],
        p2p: bool,
        events: Iterable[str],
        all: bool | None = None,
    ) -> None:
        with self._lock:
            if all is not None:
                self.all_p2p = self.all_groups = self.all_rooms = self.all_events = all
                self.gids.clear()
                self.rids.clear()
                self.events.clear()
            else:
                self.gids = set(gids)
                self.rids = set(rids)
                self.all_p2p = p2p
                self.events = set(events)
            self.touched = True
