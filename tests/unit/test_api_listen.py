"""Listen-state cache (spec §2.9) and the restore call after a reconnect."""

from __future__ import annotations

from typing import Any

import pytest
from typing_check_api import FakeSyncClient

from rtm.api import run_call_sync
from rtm.fpnn.errors import FPNNAnswerError


def _restore(c: FakeSyncClient) -> list[tuple[str, dict[str, Any]]]:
    call = c._listen_restore_call()
    assert call is not None
    c.sent.clear()
    run_call_sync(call, c._send)
    return [(s.method, {k: v for k, v in s.params.items() if k not in ("pid", "sign", "salt")})
            for s in c.sent]  # fmt: skip


def test_nothing_set_means_no_restore() -> None:
    assert FakeSyncClient()._listen_restore_call() is None


def test_failed_listen_does_not_touch_cache() -> None:
    c = FakeSyncClient({"addlisten": FPNNAnswerError("denied", 200021)})
    with pytest.raises(FPNNAnswerError):
        c.add_listen([1], [], True, [])
    assert c._listen_restore_call() is None
    assert c._listen.gids == set()


def test_add_and_remove_accumulate() -> None:
    c = FakeSyncClient()
    c.add_listen([3, 1], [7], True, ["login"])
    c.add_listen([2], [], False, ["logout"])
    c.remove_listen([1], [], False, ["login"])
    assert _restore(c) == [
        ("setlisten", {"gids": [2, 3], "rids": [7], "p2p": True, "events": ["logout"]})
    ]
    c.remove_listen([], [], True, [])
    assert _restore(c)[0][1]["p2p"] is False


def test_set_replaces() -> None:
    c = FakeSyncClient()
    c.add_listen([1], [2], True, ["login"])
    c.set_listen([5], [], False, [])
    assert _restore(c) == [("setlisten", {"gids": [5], "rids": [], "p2p": False, "events": []})]


def test_set_all_true_and_false() -> None:
    c = FakeSyncClient()
    c.set_listen([1], [2], False, ["x"], all=True)
    snap = c._listen.snapshot()
    assert snap.all_p2p and snap.all_groups and snap.all_rooms and snap.all_events
    assert not snap.gids and not snap.rids and not snap.events
    assert _restore(c) == [
        ("setlisten", {"gids": [], "rids": [], "p2p": False, "events": [], "all": True})
    ]
    c.set_listen([1], [], True, [], all=False)
    assert _restore(c) == [("setlisten", {"gids": [], "rids": [], "p2p": False, "events": []})]


def test_all_then_remove_p2p_restores_in_two_steps() -> None:
    c = FakeSyncClient()
    c.set_listen([], [], False, [], all=True)
    c.remove_listen([], [], True, [])
    assert _restore(c) == [
        ("setlisten", {"gids": [], "rids": [], "p2p": False, "events": [], "all": True}),
        ("removelisten", {"p2p": True}),
    ]


def test_set_without_all_keeps_all_flags_per_spec() -> None:
    c = FakeSyncClient()
    c.set_listen([], [], False, [], all=True)
    c.set_listen([4], [], True, [])
    snap = c._listen.snapshot()
    assert snap.all_groups and snap.all_p2p and snap.gids == {4}
    assert _restore(c)[0][1]["all"] is True


def test_restore_call_shape() -> None:
    c = FakeSyncClient()
    c.add_listen([1], [], False, [])
    call = c._listen_restore_call()
    assert call is not None
    assert call.method == "setlisten" and call.signed and call.endpoint is None
    assert call.callback is None and call.on_success is None and not call.has_result


def test_async_listen_updates_cache() -> None:
    import asyncio

    from typing_check_api import FakeAsyncClient

    c = FakeAsyncClient()
    asyncio.run(c.add_listen([9], [], False, ["login"]))
    assert c._listen.gids == {9} and c._listen.events == {"login"}


def test_callback_mode_updates_cache_on_success_only() -> None:
    c = FakeSyncClient({"removelisten": FPNNAnswerError("x", 200021)})
    codes: list[int] = []
    c.add_listen([1], [], False, [], callback=lambda code, info: codes.append(code))
    c.remove_listen([1], [], False, [], callback=lambda code, info: codes.append(code))
    assert codes == [0, 200021] and c._listen.gids == {1}
