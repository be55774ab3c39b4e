"""Listening (spec §4.13, §8)."""

from __future__ import annotations

from typing import Any

from rtm.api.answers import (
    _parse_none,
)
from rtm.api.args import (
    _bool,
    _callback,
    _ids,
    _strs,
    _timeout,
)
from rtm.api.call import Call, StatusCallback, api_method
from rtm.api.methods._base import AreaBase


def _listen_args(
    fn: str, group_ids: object, room_ids: object, p2p: object, events: object
) -> tuple[list[int], list[int], bool, list[str]]:
    """Validated (gids, rids, p2p, events) of the three listen methods."""
    return (
        _ids(fn, "group_ids", group_ids, None, required=False),
        _ids(fn, "room_ids", room_ids, None, required=False),
        _bool(fn, "p2p", p2p),
        _strs(fn, "events", events),
    )


def _listen_delta_params(
    gids: list[int], rids: list[int], p2p: bool, evs: list[str]
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if gids:
        params["gids"] = gids
    if rids:
        params["rids"] = rids
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
        p2p: bool,
        events: list[str] | tuple[str, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Also listen to these groups, rooms, all P2P messages (``p2p=True``; ``False`` is
        ignored) and events (``login``/``logout``). Cached and re-applied after a reconnect."""
        fn = "add_listen"
        gids, rids, p2p, evs = _listen_args(fn, group_ids, room_ids, p2p, events)
        # 0.1.0 sends each key only when it changes something
        params = _listen_delta_params(gids, rids, p2p, evs)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_add(gids, rids, p2p, evs)

        return Call(
            "addlisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip

    @api_method
    def remove_listen(
        self,
        group_ids: list[int] | tuple[int, ...],
        room_ids: list[int] | tuple[int, ...],
        p2p: bool,
        events: list[str] | tuple[str, ...],
        *,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Stop listening to these groups, rooms, P2P messages (``p2p=True``; ``False`` is
        ignored) and events."""
        fn = "remove_listen"
        gids, rids, p2p, evs = _listen_args(fn, group_ids, room_ids, p2p, events)
        # 0.1.0 sends each key only when it changes something
        params = _listen_delta_params(gids, rids, p2p, evs)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_remove(gids, rids, p2p, evs)

        return Call(
            "removelisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip

    @api_method
    def set_listen(
        self,
        group_ids: list[int] | tuple[int, ...],
        room_ids: list[int] | tuple[int, ...],
        p2p: bool,
        events: list[str] | tuple[str, ...],
        *,
        all: bool | None = None,
        timeout: float | None = None,
        callback: StatusCallback | None = None,
    ) -> Call[None]:
        """Replace the listen setting. ``all=True`` listens to everything and ``all=False``
        to nothing, ignoring the other arguments."""
        fn = "set_listen"
        gids, rids, p2p, evs = _listen_args(fn, group_ids, room_ids, p2p, events)
        params: dict[str, Any] = {"gids": gids, "rids": rids, "p2p": p2p, "events": evs}
        if all is not None:
            params["all"] = _bool(fn, "all", all)
        listen = self._listen

        def on_success(_: Any) -> None:
            listen.apply_set(gids, rids, p2p, evs, all)

        return Call(
            "setlisten", params, _parse_none, None, False,
            _timeout(fn, timeout), _callback(fn, callback), on_success=on_success,
        )  # fmt: skip
