"""Listen state of one server connection for one project (spec §2.9, §4.3).

The state is ``{all_p2p, all_groups, all_rooms, all_events, uids, gids, rids, events}``. The
0.1.0 quests and the later ones share method names; keys are interpreted as follows:

* ``p2p`` (bool) -> ``all_p2p``; later ``group`` / ``room`` / ``ev`` (bools) -> ``all_groups`` /
  ``all_rooms`` / ``all_events``;
* ``uids`` / ``gids`` / ``rids`` / ``events`` (arrays, nil = empty) -> the lists. A msgpack
  map is accepted wherever a list is expected, and its keys are used: Go 0.9.20 re-sends its
  listen cache (a ``map[int64]struct{}``) that way after a reconnect (spec current §8).

``addlisten`` adds (a flag set to true turns it on, false is ignored); ``removelisten``
removes (a flag set to true turns it off). ``setlisten`` with ``all`` ignores every other key
and sets (true) or clears (false) all four flags and clears the lists; otherwise **only the
keys present are overwritten** — GO010's always-present (possibly nil) lists replace the
lists, PYHEAD's flag-only form leaves them alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rtm.server.params import Params

_LISTS = ("uids", "gids", "rids", "events")
_FLAGS = (("p2p", "all_p2p"), ("group", "all_groups"), ("room", "all_rooms"),
          ("ev", "all_events"))


@dataclass
class ListenState:
    all_p2p: bool = False
    all_groups: bool = False
    all_rooms: bool = False
    all_events: bool = False
    uids: set[int] = field(default_factory=set)
    gids: set[int] = field(default_factory=set)
    rids: set[int] = field(default_factory=set)
    events: set[str] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.all_p2p or self.all_groups or self.all_rooms or self.all_events
                    or self.uids or self.gids or self.rids or self.events)

    # ------------------------------------------------------------------ matching

    def wants_p2p(self, from_uid: int, to_uid: int) -> bool:
        return self.all_p2p or from_uid in self.uids or to_uid in self.uids

    def wants_group(self, gid: int) -> bool:
        return self.all_groups or gid in self.gids

    def wants_room(self, rid: int) -> bool:
        return self.all_rooms or rid in self.rids

    def wants_event(self, event: str) -> bool:
        return self.all_events or event in self.events

    # ------------------------------------------------------------------ updates

    @staticmethod
    def read(p: Params) -> tuple[dict[str, bool], dict[str, list[int] | list[str] | None]]:
        """Parse (and type-check) every listen key of a quest before anything changes."""
        if any(isinstance(p.payload.get(key), dict) for key in _LISTS):
            payload = dict(p.payload)
            for key in _LISTS:
                if isinstance(payload.get(key), dict):
                    payload[key] = list(payload[key])  # the cache map's keys
            p = Params(payload, p.method)
        flags = {attr: p.bool_(key) for key, attr in _FLAGS if p.present(key)}
        lists: dict[str, list[int] | list[str] | None] = {
            "uids": p.opt_ints("uids"),
            "gids": p.opt_ints("gids"),
            "rids": p.opt_ints("rids"),
            "events": p.opt_strs("events"),
        }
        return flags, lists

    def add(self, p: Params) -> None:
        flags, lists = self.read(p)
        for attr, value in flags.items():
            if value:
                setattr(self, attr, True)
        for name, values in lists.items():
            if values:
                getattr(self, name).update(values)

    def remove(self, p: Params) -> None:
        flags, lists = self.read(p)
        for attr, value in flags.items():
            if value:
                setattr(self, attr, False)
        for name, values in lists.items():
            if values:
                getattr(self, name).difference_update(values)

    def set(self, p: Params) -> None:
        if p.present("all"):
            everything = p.bool_("all")
            self.read(p)  # still type-check the other keys
            self.all_p2p = self.all_groups = self.all_rooms = self.all_events = everything
            self.uids, self.gids, self.rids, self.events = set(), set(), set(), set()
            return
        flags, lists = self.read(p)
        for attr, value in flags.items():
            setattr(self, attr, value)
        for name, values in lists.items():
            if values is not None:
                setattr(self, name, set(values))
