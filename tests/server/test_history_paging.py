"""History paging over the wire at equal mtimes and with edited rows, in every direction:
following the answers' cursors returns every message of the range exactly once."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import API, ServerFactory

F = "from"
T0 = 1_700_000_000_000


class SetClock:
    """A clock the test sets: messages can share one mtime."""

    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


async def follow(api: API, *, desc: bool, num: int, begin: int = 0, end: int = 0,
                 lastid: int = 0) -> list[tuple[int, int]]:
    """(mid, mtime) of every page of the P2P conversation 1-2, following the cursors."""
    seen: list[tuple[int, int]] = []
    for _ in range(50):
        page: dict[str, Any] = await api("getp2pmsg", uid=1, ouid=2, desc=desc, num=num,
                                         begin=begin, end=end, lastid=lastid)
        seen += [(m[3], m[7]) for m in page["msgs"]]
        if page["num"] < num:
            return seen
        lastid, begin, end = page["lastid"], page["begin"], page["end"]
    raise AssertionError(f"paging does not end: {seen}")


async def send(api: API, clock: SetClock, mid: int, at: int) -> None:
    clock.now = at
    await api("sendmsg", **{F: 1}, to=2, mid=mid, mtype=30, msg=f"m{mid}", attrs="")


@pytest.mark.parametrize("num", [1, 2, 3, 20])
@pytest.mark.parametrize("desc", [True, False])
async def test_paging_at_equal_mtimes(make_server: ServerFactory, desc: bool,
                                      num: int) -> None:
    clock = SetClock()
    server = await make_server(now_ms=clock)
    api = API(server.endpoint)
    try:
        for mid in range(1, 8):
            await send(api, clock, mid, T0)  # seven messages in one millisecond
        await send(api, clock, 8, T0 + 5)
        order = list(range(1, 9))
        expected = [(mid, T0 if mid < 8 else T0 + 5) for mid in order]
        if desc:
            expected.reverse()
        assert await follow(api, desc=desc, num=num) == expected
        # the time bounds at that millisecond, inclusive on both sides
        at_t0 = [e for e in expected if e[1] == T0]
        assert await follow(api, desc=desc, num=num, begin=T0, end=T0) == at_t0
        assert await follow(api, desc=desc, num=num, begin=T0 + 1, end=T0 + 4) == []
        last = expected[:1] if desc else expected[-1:]
        assert await follow(api, desc=desc, num=num, begin=T0 + 5) == last
        # from a cursor inside the run of equal mtimes
        start = expected[2][0]
        page = await api("getp2pmsg", uid=1, ouid=2, desc=desc, num=3, begin=0, end=0,
                         lastid=0)
        lastid = page["msgs"][2][0]
        rest = await follow(api, desc=desc, num=num, lastid=lastid)
        assert rest == expected[3:] and start == page["msgs"][2][3]
    finally:
        await api.close()


async def edited_server(make_server: ServerFactory, updates_mtime: bool
                        ) -> tuple[API, SetClock]:
    """Messages at 100/200/250 ms, then the first edited at 300 ms (the issue's case)."""
    clock = SetClock()
    server = await make_server(now_ms=clock, edit_updates_mtime=updates_mtime)
    api = API(server.endpoint)
    for mid, at in ((1, T0 + 100), (2, T0 + 200), (3, T0 + 250)):
        await send(api, clock, mid, at)
    clock.now = T0 + 300
    await api("editmsg", mid=1, **{F: 1}, xid=2, type=1, msg="edited", attrs="")
    return api, clock


@pytest.mark.parametrize("num", [1, 2, 20])
@pytest.mark.parametrize("desc", [True, False])
async def test_edit_updates_mtime_keeps_every_row(make_server: ServerFactory, desc: bool,
                                                  num: int) -> None:
    api, clock = await edited_server(make_server, updates_mtime=True)
    try:
        by_id = [(1, T0 + 300), (2, T0 + 200), (3, T0 + 250)]  # cursor order, edit time shown
        expected = by_id[::-1] if desc else by_id
        assert await follow(api, desc=desc, num=num, begin=T0 + 150) == expected
        assert await follow(api, desc=desc, num=num) == expected
        assert await follow(api, desc=desc, num=num, begin=T0 + 260) == [(1, T0 + 300)]
        moved_out = [e for e in expected if e[0] != 1]
        assert await follow(api, desc=desc, num=num, end=T0 + 260) == moved_out
        assert await follow(api, desc=desc, num=num, begin=T0 + 50, end=T0 + 150) == []
        # a later send still orders after the edited row and is found by its own time
        await send(api, clock, 4, T0 + 310)
        assert (4, T0 + 310) in await follow(api, desc=desc, num=num, begin=T0 + 305)
        msg = await api("getmsg", mid=1, **{F: 1}, xid=2, type=1)
        assert msg["mtime"] == T0 + 300 and msg["msg"] == "edited"
    finally:
        await api.close()


@pytest.mark.parametrize("desc", [True, False])
async def test_edit_keeps_mtime_by_default(make_server: ServerFactory, desc: bool) -> None:
    api, _ = await edited_server(make_server, updates_mtime=False)
    try:
        rows = [(1, T0 + 100), (2, T0 + 200), (3, T0 + 250)]
        expected = rows[::-1] if desc else rows
        assert await follow(api, desc=desc, num=1) == expected
        assert await follow(api, desc=desc, num=2, begin=T0 + 150) == [
            e for e in expected if e[0] != 1]
        msg = await api("getmsg", mid=1, **{F: 1}, xid=2, type=1)
        assert msg["mtime"] == T0 + 100 and msg["msg"] == "edited"
    finally:
        await api.close()
