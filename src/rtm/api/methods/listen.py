"""Listening (spec §4.13, §8).

The third argument of ``add_listen`` / ``remove_listen`` / ``set_listen`` is either the
current generation's list of uids whose P2P messages to listen to (wire ``uids``), or the
0.1.0 flag for all P2P messages (wire ``p2p``). ``set_listen_status`` is the current flag
form of ``setlisten``.
"""

from __future__ import annotations

from typing import Any

from rtm.api.answers import (
    _parse_none,
)
from rtm.api.args import (
    _bool,
    _callback,
    _current_only,
    _ids,
    _strs,
    _timeout,
)
from rtm.api.call import Call, StatusCallback, api_method
from rtm.api.methods._base import AreaBase


def _listen_args(
    fn: str, protocol: str, group_ids: object, room_ids: object, p2p: object, events: object
) -> tuple[list[int], list[int], bool | None, list[int] | None, list[str]]:
    """Validated (gids, rids, p2p flag or None, uids or None, events) of the listen methods."""
    gids = _ids(fn, "group_ids", group_ids, None, required=False)
    rids = _ids(fn, "room_ids", room_ids, None, required=False)
    if p2p is True or p2p is False:
        flag: bool | None = p2p
        uids: list[int] | None = None
    elif isinstance(p2p, (list, tuple)):
        _current_only(fn, protocol, "a list of uids for 'p2p'")
        flag, uids = None, _ids(fn, "p2p", p2p, None, required=False)
    else:
        raise TypeError(f"{fn}(): 'p2p' must be a list or tuple of uids (current protocol) or "
                        f"a bool (all P2P messages), got {type(p2p).__name__}")
    return gids, rids, flag, uids, _strs(fn, "events", events)


def _listen_delta_params(
    gids: list[int], rids: list[int], p2p: bool | None, uids: list[int] | None, evs: list[str]
) -> dict[str, Any]:
    # Go (0.1.0 and 0.9.20) sends each key only when it changes something
    params: dict[str, Any] = {}
    if gids:
        params["gids"] = gids
    if rids:
        params["rids"] = rids
    if uids:
        params["uids"] = uids
    if p2p:
        params["p2p"] = True
    if evs:
        params["events"] = evs
    return params


class ListenMethods(AreaBase):
    """Listening"""

    @api_method
    def add_listen(
        self,
        group_ids: list[int] | tuple[int, ...],
        room_ids: list[int] | tuple[int, ...],
        p2p: list[int] | tuple[int, ...] | bool,
        events: list[str] | tuple[str, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Also listen to these groups, rooms, P2P messages (``p2p``: the uids whose P2P
        messages to receive, or ``True`` for all of them; ``False`` changes nothing) and
        events (``login``/``logout``). Cached and re-applied after a reconnect."""
        fn = "add_listen"
        gids, rids, flag, uids, evs = _listen_args(fn, self._protocol, group_ids, room_ids,
                                                   p2p, events)
        params = _listen_delta_params(gids, rids, flag, uids, evs)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_add(gids, rids, bool(flag), evs, uids or ())

        return Call(
            "addlisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip

    @api_method
    def remove_listen(
        self,
        group_ids: list[int] | tuple[int, ...],
        room_ids: list[int] | tuple[int, ...],
        p2p: list[int] | tuple[int, ...] | bool,
        events: list[str] | tuple[str, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Stop listening to these groups, rooms, P2P messages (uids, or ``True`` for the
        all-P2P flag; ``False`` changes nothing) and events."""
        fn = "remove_listen"
        gids, rids, flag, uids, evs = _listen_args(fn, self._protocol, group_ids, room_ids,
                                                   p2p, events)
        params = _listen_delta_params(gids, rids, flag, uids, evs)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_remove(gids, rids, bool(flag), evs, uids or ())

        return Call(
            "removelisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip

    @api_method
    def set_listen(
        self,
        group_ids: list[int] | tuple[int, ...],
        room_ids: list[int] | tuple[int, ...],
        p2p: list[int] | tuple[int, ...] | bool,
        events: list[str] | tuple[str, ...],
        *,
        all: bool | None = None,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Replace the listened groups, rooms, P2P uids (or, given a bool, the all-P2P flag)
        and events; an empty list clears it. ``all=True`` listens to everything and
        ``all=False`` to nothing, ignoring the other arguments (0.1.0 form)."""
        fn = "set_listen"
        gids, rids, flag, uids, evs = _listen_args(fn, self._protocol, group_ids, room_ids,
                                                   p2p, events)
        params: dict[str, Any] = {"gids": gids, "rids": rids}
        if uids is not None:
            params["uids"] = uids
        if flag is not None:
            params["p2p"] = flag
        params["events"] = evs
        if all is not None:
            params["all"] = _bool(fn, "all", all)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_set(gids, rids, flag, evs, all, uids)

        return Call(
            "setlisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip

    @api_method
    def set_listen_status(
        self,
        all_groups: bool,
        all_rooms: bool,
        all_p2p: bool,
        all_events: bool,
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Listen (or not) to every group message, room message, P2P message and event of the
        project; the lists set by the other methods stay as they are."""
        fn = "set_listen_status"
        flags = (_bool(fn, "all_groups", all_groups), _bool(fn, "all_rooms", all_rooms),
                 _bool(fn, "all_p2p", all_p2p), _bool(fn, "all_events", all_events))
        params = {"group": flags[0], "room": flags[1], "p2p": flags[2], "ev": flags[3]}
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_status(*flags)

        return Call(
            "setlisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip
