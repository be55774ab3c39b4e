"""PushRouter (spec §4): validation, monitor dispatch, de-duplication and purge."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from typing_check_api import FakeSyncClient

from rtm.api import PushRouter, RTMServerMonitor
from rtm.fpnn.errors import FPNNAnswerError

P2P = {"from": 1, "to": 2, "mtype": 30, "mid": 100, "msg": "hi", "attrs": "", "mtime": 5}
GROUP = {"from": 1, "gid": 9, "mtype": 30, "mid": 100, "msg": "hi", "attrs": "", "mtime": 5}
ROOM = {"from": 1, "rid": 9, "mtype": 30, "mid": 100, "msg": "hi", "attrs": "", "mtime": 5}
EVENT = {"pid": 11, "event": "login", "uid": 5, "time": 1563789451, "endpoint": "1.2.3.4:5"}


class Recorder(RTMServerMonitor):
    def __init__(self) -> None:
        self.got: list[tuple[str, tuple[Any, ...]]] = []

    def p2p_message(self, *args: Any) -> None:  # type: ignore[override]
        self.got.append(("p2p", args))

    def group_message(self, *args: Any) -> None:  # type: ignore[override]
        self.got.append(("group", args))

    def room_message(self, *args: Any) -> None:  # type: ignore[override]
        self.got.append(("room", args))

    def event(self, *args: Any) -> None:  # type: ignore[override]
        self.got.append(("event", args))


def _deliver(router: PushRouter, method: str, payload: dict[str, Any]) -> bool:
    target = router.route(method, payload)
    if target is None:
        return False
    fn, args = target
    fn(*args)
    return True


def test_ping_always_none() -> None:
    assert PushRouter().route("ping", {}) is None
    assert PushRouter(Recorder()).route("ping", {}) is None


@pytest.mark.parametrize("method", ["pushmsg", "pushevent", "nosuch"])
def test_no_monitor_is_20004(method: str) -> None:
    with pytest.raises(FPNNAnswerError) as info:
        PushRouter().route(method, P2P)
    assert info.value.code == 20004


def test_unknown_method() -> None:
    with pytest.raises(FPNNAnswerError) as info:
        PushRouter(Recorder()).route("pushbroadcastmsg", P2P)
    assert info.value.code == 20004 and info.value.message == "Unknow method:pushbroadcastmsg"


def test_dispatch_all_kinds() -> None:
    mon = Recorder()
    router = PushRouter(mon)
    assert _deliver(router, "pushmsg", P2P)
    assert _deliver(router, "pushgroupmsg", GROUP)
    assert _deliver(router, "pushroommsg", ROOM)
    assert _deliver(router, "pushevent", EVENT)
    assert mon.got == [
        ("p2p", (1, 2, 30, 100, "hi", "", 5)),
        ("group", (1, 9, 30, 100, "hi", "", 5)),
        ("room", (1, 9, 30, 100, "hi", "", 5)),
        ("event", (11, "login", 5, 1563789451, "1.2.3.4:5", "")),
    ]


def test_bin_strings_and_data() -> None:
    mon = Recorder()
    router = PushRouter(mon)
    _deliver(router, "pushmsg", {**P2P, "msg": b"caf\xc3\xa9", "attrs": b"\xff"})
    _deliver(router, "pushevent", {**EVENT, "event": b"logout", "data": b"d"})
    assert mon.got[0][1][4:6] == ("café", b"\xff")
    assert mon.got[1][1] == (11, "logout", 5, 1563789451, "1.2.3.4:5", "d")


@pytest.mark.parametrize(
    ("method", "payload", "code", "key"),
    [
        ("pushmsg", {k: v for k, v in P2P.items() if k != "mid"}, 10009, "mid"),
        ("pushmsg", {**P2P, "from": "1"}, 10010, "from"),
        ("pushmsg", {**P2P, "mtype": True}, 10010, "mtype"),
        ("pushmsg", {**P2P, "mtype": 300}, 10010, "mtype"),
        ("pushmsg", {**P2P, "msg": 5}, 10010, "msg"),
        ("pushmsg", {**P2P, "attrs": None}, 10010, "attrs"),
        ("pushgroupmsg", P2P, 10009, "gid"),
        ("pushroommsg", {**ROOM, "mtime": 1.5}, 10010, "mtime"),
        ("pushevent", {k: v for k, v in EVENT.items() if k != "endpoint"}, 10009, "endpoint"),
        ("pushevent", {**EVENT, "time": 2**40}, 10010, "time"),
        ("pushevent", {**EVENT, "pid": "11"}, 10010, "pid"),
        ("pushevent", {**EVENT, "data": 5}, 10010, "data"),
    ],
)
def test_malformed_push(method: str, payload: dict[str, Any], code: int, key: str) -> None:
    with pytest.raises(FPNNAnswerError) as info:
        PushRouter(Recorder()).route(method, payload)
    assert info.value.code == code and f"'{key}'" in info.value.message


def test_payload_not_a_map() -> None:
    with pytest.raises(FPNNAnswerError) as info:
        PushRouter(Recorder()).route("pushmsg", [1, 2])  # type: ignore[arg-type]
    assert info.value.code == 10010


def test_dedup_per_kind() -> None:
    mon = Recorder()
    router = PushRouter(mon)
    assert _deliver(router, "pushmsg", P2P)
    assert not _deliver(router, "pushmsg", P2P)
    assert not _deliver(router, "pushmsg", {**P2P, "msg": "changed", "mtime": 9})
    assert _deliver(router, "pushmsg", {**P2P, "mid": 101})
    assert _deliver(router, "pushmsg", {**P2P, "to": 3})
    assert _deliver(router, "pushmsg", {**P2P, "from": 4})
    # same (from, id, mid) in another cache is not a duplicate
    assert _deliver(router, "pushgroupmsg", {**GROUP, "gid": 2})
    assert _deliver(router, "pushroommsg", {**ROOM, "rid": 2})
    assert not _deliver(router, "pushgroupmsg", {**GROUP, "gid": 2})
    assert not _deliver(router, "pushroommsg", {**ROOM, "rid": 2})


def test_events_never_deduplicated() -> None:
    router = PushRouter(Recorder())
    assert all(_deliver(router, "pushevent", EVENT) for _ in range(3))


def test_purge_only_above_limit_and_only_old() -> None:
    now = [1000.0]
    router = PushRouter(Recorder(), clock=lambda: now[0])
    for mid in range(1000):
        _deliver(router, "pushmsg", {**P2P, "mid": mid})
    assert router.cache_size("pushmsg") == 1000
    now[0] += 301
    _deliver(router, "pushmsg", {**P2P, "mid": 5000})  # 1001 entries -> purge the old 1000
    assert router.cache_size("pushmsg") == 1
    assert _deliver(router, "pushmsg", {**P2P, "mid": 1})  # forgotten, delivered again


def test_the_limit_is_a_bound() -> None:
    """Fault 7: PushRouter(limit=1000) held 50,000 entries after 50,000 recent pushes."""
    now = [1000.0]
    router = PushRouter(Recorder(), limit=1000, clock=lambda: now[0])
    for mid in range(50_000):
        _deliver(router, "pushmsg", {**P2P, "mid": mid})
        now[0] += 0.001  # all well within the ttl
    assert router.cache_size("pushmsg") == 1000
    # the newest 1,000 are still recognised as duplicates, the oldest were evicted
    assert not _deliver(router, "pushmsg", {**P2P, "mid": 49_999})
    assert not _deliver(router, "pushmsg", {**P2P, "mid": 49_000})
    assert _deliver(router, "pushmsg", {**P2P, "mid": 0})
    assert router.cache_size("pushmsg") == 1000


def test_small_cache_is_never_purged() -> None:
    now = [0.0]
    router = PushRouter(Recorder(), clock=lambda: now[0])
    _deliver(router, "pushmsg", P2P)
    now[0] = 10_000
    assert not _deliver(router, "pushmsg", P2P)


def test_thread_safe_dedup() -> None:
    mon = Recorder()
    router = PushRouter(mon, limit=10_000)  # every mid stays cached: only threads interfere
    delivered: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        for mid in range(2000):
            if router.route("pushmsg", {**P2P, "mid": mid}) is not None:
                with lock:
                    delivered.append(mid)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(delivered) == list(range(2000))


def test_default_monitor_methods_do_nothing() -> None:
    m = RTMServerMonitor()
    assert m.p2p_message(1, 2, 3, 4, "m", "", 5) is None
    assert m.group_message(1, 2, 3, 4, "m", "", 5) is None
    assert m.room_message(1, 2, 3, 4, "m", "", 5) is None
    assert m.event(1, "login", 2, 3, "e", "") is None


def test_async_monitor_returns_awaitable() -> None:
    import asyncio

    class AsyncMon(RTMServerMonitor):
        def __init__(self) -> None:
            self.got: list[int] = []

        async def p2p_message(  # type: ignore[override]
            self, from_uid: int, to_uid: int, mtype: int, mid: int,
            message: str | bytes, attrs: str | bytes, mtime: int,
        ) -> None:  # fmt: skip
            self.got.append(mid)

    mon = AsyncMon()
    target = PushRouter(mon).route("pushmsg", P2P)
    assert target is not None
    fn, args = target
    asyncio.run(fn(*args))
    assert mon.got == [100]


def test_core_set_monitor() -> None:
    c = FakeSyncClient()
    mon = Recorder()
    c.set_monitor(mon)
    assert c._monitor is mon and c._pushes.monitor is mon
    assert c._pushes.route("pushmsg", P2P) is not None
    c.set_monitor(None)
    with pytest.raises(FPNNAnswerError):
        c._pushes.route("pushmsg", {**P2P, "mid": 5})
    with pytest.raises(TypeError, match="'monitor'"):
        c.set_monitor(object())  # type: ignore[arg-type]
