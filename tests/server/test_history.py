"""History answers (spec §2.3): 8-element entries, paging asc/desc, bounds, directions."""

from __future__ import annotations

from typing import Any

from .conftest import API, Clock

F = "from"


def _check_shape(answer: dict[str, Any]) -> None:
    assert set(answer) >= {"num", "lastid", "begin", "end", "msgs"}
    for key in ("num", "lastid", "begin", "end"):
        assert isinstance(answer[key], int) and not isinstance(answer[key], bool)
    assert answer["num"] == len(answer["msgs"])
    for entry in answer["msgs"]:
        assert isinstance(entry, list) and len(entry) == 8
        assert all(isinstance(entry[i], int) for i in (0, 1, 2, 3, 7))
        assert isinstance(entry[4], bool)


async def _fill_group(api: API, clock: Clock, count: int) -> list[int]:
    await api("addgroupmembers", gid=7, uids=[1, 2])
    mtimes = []
    for i in range(count):
        clock.advance(0.01)
        answer = await api("sendgroupmsg", {"mtype": 51, F: 1 + i % 2, "gid": 7,
                                            "mid": 100 + i, "msg": f"m{i}", "attrs": ""})
        mtimes.append(answer["mtime"])
    return mtimes


async def test_paging_ascending(api: API, clock: Clock) -> None:
    mtimes = await _fill_group(api, clock, 25)
    seen: list[str] = []
    query = {"gid": 7, "desc": False, "num": 10, "begin": 0, "end": 0, "lastid": 0}
    pages = 0
    while True:
        page = await api("getgroupmsg", query)
        _check_shape(page)
        if page["num"] == 0:
            assert page["lastid"] == query["lastid"]
            break
        pages += 1
        ids = [e[0] for e in page["msgs"]]
        assert ids == sorted(ids)
        assert page["lastid"] == ids[-1] and page["begin"] == page["msgs"][-1][7]
        seen += [e[5] for e in page["msgs"]]
        query.update(lastid=page["lastid"], begin=page["begin"], end=page["end"])
    assert pages == 3
    assert seen == [f"m{i}" for i in range(25)]
    first = (await api("getgroupmsg", gid=7, desc=False, num=1, begin=0, end=0,
                       lastid=0))["msgs"][0]
    assert first[1] == 1 and first[2] == 51 and first[3] == 100 and first[4] is False
    assert first[7] == mtimes[0]


async def test_paging_descending(api: API, clock: Clock) -> None:
    await _fill_group(api, clock, 25)
    seen: list[str] = []
    query = {"gid": 7, "desc": True, "num": 10, "begin": 0, "end": 0, "lastid": 0}
    while True:
        page = await api("getgroupmsg", query)
        _check_shape(page)
        if page["num"] == 0:
            break
        ids = [e[0] for e in page["msgs"]]
        assert ids == sorted(ids, reverse=True)
        assert page["lastid"] == ids[-1] and page["end"] == page["msgs"][-1][7]
        assert page["begin"] == query["begin"]
        seen += [e[5] for e in page["msgs"]]
        query.update(lastid=page["lastid"], begin=page["begin"], end=page["end"])
    assert seen == [f"m{i}" for i in reversed(range(25))]


async def test_num_clamp_and_time_bounds(api: API, clock: Clock) -> None:
    mtimes = await _fill_group(api, clock, 25)
    assert (await api("getgroupmsg", gid=7, desc=False, num=50, begin=0, end=0,
                      lastid=0))["num"] == 20
    for num in (0, -3):
        page = await api("getgroupmsg", gid=7, desc=False, num=num, begin=0, end=0, lastid=7)
        _check_shape(page)
        assert page["num"] == 0 and page["msgs"] == [] and page["lastid"] == 7
        assert page["end"] >= mtimes[-1]  # end 0 = now
    window = await api("getgroupmsg", gid=7, desc=False, num=20, begin=mtimes[5],
                       end=mtimes[9], lastid=0)
    assert [e[5] for e in window["msgs"]] == [f"m{i}" for i in range(5, 10)]  # inclusive
    assert window["end"] == mtimes[9]
    empty = await api("getgroupmsg", gid=7, desc=False, num=10, begin=mtimes[-1] + 1000,
                      end=0, lastid=0)
    assert empty["num"] == 0 and empty["begin"] == mtimes[-1] + 1000


async def test_p2p_direction_codes(api: API) -> None:
    await api("sendmsg", {"mtype": 51, F: 102456, "to": 102457, "mid": 1, "msg": "hi",
                          "attrs": ""})
    await api("sendmsg", {"mtype": 51, F: 102457, "to": 102456, "mid": 2, "msg": "yo",
                          "attrs": ""})
    await api("sendmsg", {"mtype": 51, F: 102456, "to": 999, "mid": 3, "msg": "other",
                          "attrs": ""})
    page = await api("getp2pmsg", uid=102456, ouid=102457, desc=False, num=10, begin=0,
                     end=0, lastid=0)
    _check_shape(page)
    assert [(e[1], e[5]) for e in page["msgs"]] == [(1, "hi"), (2, "yo")]
    page = await api("getp2pmsg", uid=102457, ouid=102456, desc=False, num=10, begin=0,
                     end=0, lastid=0)
    assert [(e[1], e[5]) for e in page["msgs"]] == [(2, "hi"), (1, "yo")]


async def test_room_broadcast_and_multi_history(api: API) -> None:
    await api("addroommember", rid=8, uid=1)
    await api("sendroommsg", {"mtype": 51, F: 1, "rid": 8, "mid": 1, "msg": "r",
                              "attrs": "ra"})
    await api("broadcastmsg", {"mtype": 52, F: 1, "mid": 2, "msg": "b", "attrs": "ba"})
    await api("sendmsgs", {"mtype": 53, F: 1, "tos": [2, 3, 2], "mid": 3, "msg": "s",
                           "attrs": ""})
    room = await api("getroommsg", rid=8, desc=True, num=10, begin=0, end=0, lastid=0)
    _check_shape(room)
    assert room["msgs"][0][1:7] == [1, 51, 1, False, "r", "ra"]
    bc = await api("getbroadcastmsg", desc=True, num=10, begin=0, end=0, lastid=0)
    assert bc["msgs"][0][1:7] == [1, 52, 2, False, "b", "ba"]
    for other in (2, 3):
        p2p = await api("getp2pmsg", uid=other, ouid=1, desc=True, num=10, begin=0, end=0,
                        lastid=0)
        assert [(e[1], e[3], e[5]) for e in p2p["msgs"]] == [(2, 3, "s")]


async def test_history_later_generation_keys(api: API) -> None:
    """GOHEAD/PYHEAD: ``uid`` on group/room/broadcast history and ``mtypes`` are accepted."""
    await api("addgroupmembers", gid=7, uids=[1])
    await api("sendgroupmsg", {"mtype": 51, F: 1, "gid": 7, "mid": 1, "msg": "x",
                               "attrs": ""})
    page = await api("getgroupmsg", gid=7, uid=1, mtypes=[51], desc=True, num=10, begin=0,
                     end=0, lastid=0, ts=1795664102)
    assert page["num"] == 1
    page = await api("getgroupmsg", gid=7, desc=False, num=10)  # begin/end/lastid optional
    assert page["num"] == 1
