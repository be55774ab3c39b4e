"""Answer parsing (spec §0.4, §2.3), callbacks, error mapping through the executor chain."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from typing_check_api import FakeAsyncClient, FakeSyncClient

from rtm.api import HistoryMessageResult, HistoryMessageUnit, MalformedAnswerError
from rtm.api.errors import (
    InvalidPidOrSignError,
    NotGroupMemberError,
    RTMAnswerError,
    RTMError,
    RTMTimeoutError,
)
from rtm.fpnn.errors import FPNNAnswerError, FPNNError, FPNNTimeoutError

HIST = {"num": 2, "lastid": 42, "begin": 1563789452010, "end": 1563789460000}


def test_send_returns_mtime_and_accepts_any_int() -> None:
    c = FakeSyncClient({"sendmsg": {"mtime": 17, "extra": "ignored"}})
    assert c.send_message(1, 2, 3, "m") == 17


@pytest.mark.parametrize(
    ("method", "answers", "expected"),
    [
        ("get_friends", {"getfriends": {"uids": [3, 4]}}, [3, 4]),
        ("get_friends", {"getfriends": {"uids": None}}, []),
        ("get_user_groups", {"getusergroups": {"gids": (9,)}}, [9]),
        ("is_friend", {"isfriend": {"ok": False}}, False),
        ("get_token", {"gettoken": {"token": b"TOK"}}, "TOK"),
        ("is_project_black", {"isprojectblack": {"ok": True}}, True),
    ],
)
def test_simple_answers(method: str, answers: dict[str, Any], expected: Any) -> None:
    c = FakeSyncClient(answers)
    args = {"is_friend": (1, 2)}.get(method, (1,))
    assert getattr(c, method)(*args) == expected


def test_other_result_methods() -> None:
    c = FakeSyncClient()
    assert c.is_friends(1, [7, 8]) == [7]
    assert c.get_group_members(1) == [1, 2, 3]
    assert c.is_group_member(1, 2) is True
    assert c.is_ban_of_group(1, 2) is True and c.is_ban_of_room(1, 2) is True
    assert c.get_online_users([100002]) == [100002]
    assert c.add_friends(1, [2]) is None


def test_history_group() -> None:
    msgs = [
        [41, 100, 127, 1563789451123001, False, "hi", "", 1563789451130],
        [42, 101, 30, 1563789452000002, True, b"yo", b"{}", 1563789452010],
    ]
    c = FakeSyncClient({"getgroupmsg": {**HIST, "msgs": msgs}})
    res = c.get_group_message(5, False, 10, 0, 0, 0)
    assert res == HistoryMessageResult(
        2, 42, 1563789452010, 1563789460000,
        [
            HistoryMessageUnit(41, 100, 127, 1563789451123001, False, "hi", "", 1563789451130),
            HistoryMessageUnit(42, 101, 30, 1563789452000002, True, "yo", "{}", 1563789452010),
        ],
    )  # fmt: skip


def test_history_p2p_direction_codes(caplog: pytest.LogCaptureFixture) -> None:
    msgs = [
        [41, 1, 127, 11, False, "hi", "", 1],
        [42, 2, 127, 12, False, "yo", "", 2],
        [43, 7, 127, 13, False, "??", "", 3],
    ]
    c = FakeSyncClient({"getp2pmsg": {**HIST, "num": 3, "msgs": msgs}})
    with caplog.at_level(logging.WARNING, logger="rtm.api"):
        res = c.get_p2p_message(102456, 102457, False, 10, 0, 0, 0)
    assert [m.from_uid for m in res.messages] == [102456, 102457, 7]
    assert any("direction 7" in r.getMessage() for r in caplog.records)


def test_history_non_utf8_stays_bytes() -> None:
    msgs = [[1, 5, 1, 1, False, b"\xff\xfe", b"\xc3", 1]]
    c = FakeSyncClient({"getroommsg": {**HIST, "num": 1, "msgs": msgs}})
    unit = c.get_room_message(1, True, 10, 0, 0, 0).messages[0]
    assert unit.message == b"\xff\xfe" and unit.attrs == b"\xc3"


def test_history_msgs_absent_when_num_zero() -> None:
    c = FakeSyncClient({"getbroadcastmsg": {"num": 0, "lastid": 0, "begin": 0, "end": 9}})
    assert c.get_broadcast_message(True, 10, 0, 0, 0) == HistoryMessageResult(0, 0, 0, 9, [])


@pytest.mark.parametrize(
    ("answer", "code", "fragment"),
    [
        ({"lastid": 0, "begin": 0, "end": 0, "msgs": []}, 10009, "'num'"),
        ({**HIST, "num": "2", "msgs": []}, 10010, "'num'"),
        ({**HIST, "lastid": None, "msgs": []}, 10010, "'lastid'"),
        (HIST, 10009, "'msgs'"),
        ({**HIST, "msgs": {"a": 1}}, 10010, "'msgs'"),
        ({**HIST, "msgs": [[1, 2, 3]]}, 10010, "'msgs[0]'"),
        ({**HIST, "msgs": [[1, 2, 3, 4, 0, "m", "", 5]]}, 10010, "deleted"),
        ({**HIST, "msgs": [[1, 2, 3, 4, 1, "m", "", 5]]}, 10010, "deleted"),
        ({**HIST, "msgs": [[1, 2, 3, 4, False, 5, "", 5]]}, 10010, "'msgs[0][5]'"),
        ({**HIST, "msgs": [[1, 2, 3, 4, False, "m", "", "5"]]}, 10010, "'msgs[0][7]'"),
        ({**HIST, "msgs": [[1, "2", 3, 4, False, "m", "", 5]]}, 10010, "'msgs[0][1]'"),
        ({**HIST, "msgs": ["12345678"]}, 10010, "'msgs[0]'"),
    ],
)
def test_history_malformed(answer: dict[str, Any], code: int, fragment: str) -> None:
    c = FakeSyncClient({"getgroupmsg": answer})
    with pytest.raises(MalformedAnswerError) as info:
        c.get_group_message(1, True, 10, 0, 0, 0)
    assert info.value.code == code
    assert fragment in str(info.value) and "getgroupmsg answer" in str(info.value)
    assert isinstance(info.value, FPNNError)


@pytest.mark.parametrize(
    ("method", "args", "answers", "code", "fragment"),
    [
        ("send_message", (1, 2, 3, "m"), {"sendmsg": {}}, 10009, "'mtime'"),
        ("send_message", (1, 2, 3, "m"), {"sendmsg": {"mtime": "1"}}, 10010, "'mtime'"),
        ("send_message", (1, 2, 3, "m"), {"sendmsg": {"mtime": True}}, 10010, "'mtime'"),
        ("is_friend", (1, 2), {"isfriend": {"ok": 1}}, 10010, "'ok'"),
        ("is_friend", (1, 2), {"isfriend": {}}, 10009, "'ok'"),
        ("get_friends", (1,), {"getfriends": {"uids": 5}}, 10010, "'uids'"),
        ("get_friends", (1,), {"getfriends": {"uids": ["a"]}}, 10010, "'uids[]'"),
        ("is_friends", (1, [2]), {"isfriends": {"uids": [2]}}, 10009, "'fuids'"),
        ("get_token", (1,), {"gettoken": {"token": 5}}, 10010, "'token'"),
        ("get_token", (1,), {"gettoken": {"token": b"\xff"}}, 10010, "'token'"),
        ("send_file", (1, 2, b"x", "f"), {"filetoken": {"token": "t"}}, 10009, "'endpoint'"),
        ("send_file", (1, 2, b"x", "f"), {"filetoken": {"token": "t", "endpoint": "nope"}},
         10010, "'endpoint'"),
        ("send_file", (1, 2, b"x", "f"), {"sendfile": {}}, 10009, "'mtime'"),
        ("get_friends", (1,), {"getfriends": ["not", "a", "map"]}, 10010, "expected a map"),
    ],
)  # fmt: skip
def test_malformed_answers(
    method: str, args: tuple[Any, ...], answers: dict[str, Any], code: int, fragment: str
) -> None:
    c = FakeSyncClient(answers)
    with pytest.raises(MalformedAnswerError) as info:
        getattr(c, method)(*args)
    assert info.value.code == code
    assert fragment in str(info.value)


def test_empty_answer_fine_for_silent_methods() -> None:
    c = FakeSyncClient()
    assert c.del_group(1) is None
    assert c.kickout(1) is None


# --- error mapping --------------------------------------------------------------------------


def test_rtm_error_answer_maps_to_subclass() -> None:
    c = FakeSyncClient({"sendgroupmsg": FPNNAnswerError("not group member", 200041, "rtm")})
    with pytest.raises(NotGroupMemberError) as info:
        c.send_group_message(1, 2, 3, "m")
    assert info.value.code == 200041 and info.value.raiser == "rtm"
    assert "200041" in str(info.value) and "NOT_GROUP_MEMBER" in str(info.value)


def test_fpnn_error_answer_is_an_rtm_answer_error() -> None:
    c = FakeSyncClient({"getfriends": FPNNAnswerError("Unknow method:getfriends", 20004)})
    with pytest.raises(RTMAnswerError) as info:
        c.get_friends(1)
    assert type(info.value) is RTMAnswerError and info.value.code == 20004
    assert isinstance(info.value, FPNNAnswerError)


def test_timeout_becomes_rtm_timeout_error() -> None:
    c = FakeSyncClient({"getfriends": FPNNTimeoutError("no answer")})
    with pytest.raises(RTMTimeoutError) as info:
        c.get_friends(1)
    assert isinstance(info.value, FPNNTimeoutError) and isinstance(info.value, TimeoutError)


def test_file_error_at_step_one_sends_no_file() -> None:
    c = FakeSyncClient({"filetoken": FPNNAnswerError("bad sign", 200002)})
    with pytest.raises(InvalidPidOrSignError):
        c.send_file(1, 2, b"x", "f")
    assert [s.method for s in c.sent] == ["filetoken"]


def test_async_error_mapping() -> None:
    c = FakeAsyncClient({"getfriends": FPNNAnswerError("x", 200999)})

    async def run() -> None:
        with pytest.raises(RTMError) as info:
            await c.get_friends(1)
        assert type(info.value).__name__ == "UnknownRTMError"

    asyncio.run(run())


# --- callbacks ------------------------------------------------------------------------------


def test_result_callback_success() -> None:
    got: list[tuple[Any, ...]] = []
    c = FakeSyncClient({"sendmsg": {"mtime": 99}})
    ret = c.send_message(1, 2, 3, "m", callback=lambda *a: got.append(a))
    assert ret == 0 and got == [(99, 0, "")]


def test_result_callback_error() -> None:
    got: list[tuple[Any, ...]] = []
    c = FakeSyncClient({"getfriends": FPNNAnswerError("boom", 200010)})
    ret = c.get_friends(1, callback=lambda *a: got.append(a))
    assert ret == [] and got == [([], 200010, "boom")]


def test_status_callback_arity() -> None:
    got: list[tuple[Any, ...]] = []
    c = FakeSyncClient({"delfriends": FPNNAnswerError("nope", 200033)})
    assert c.add_friends(1, [2], callback=lambda *a: got.append(a)) is None
    assert c.del_friends(1, [2], callback=lambda *a: got.append(a)) is None
    assert got == [(0, ""), (200033, "nope")]


def test_callback_zero_values() -> None:
    c = FakeSyncClient()
    cb: Any = lambda *a: None  # noqa: E731
    assert c.is_friend(1, 2, callback=cb) is False
    assert c.get_token(1, callback=cb) == ""
    assert c.get_group_message(1, True, 10, 0, 0, 0, callback=cb) == HistoryMessageResult(
        0, 0, 0, 0, []
    )
    assert c.send_file(1, 2, b"x", "f", callback=cb) == 0


def test_file_callback_gets_final_mtime() -> None:
    got: list[tuple[Any, ...]] = []
    c = FakeSyncClient({"sendroomfile": {"mtime": 5}})
    c.send_room_file(1, 2, b"x", "f", callback=lambda *a: got.append(a))
    assert got == [(5, 0, "")]


def test_async_callback() -> None:
    got: list[tuple[Any, ...]] = []
    c = FakeAsyncClient({"sendmsg": {"mtime": 3}})

    async def run() -> int:
        return await c.send_message(1, 2, 3, "m", callback=lambda *a: got.append(a))

    assert asyncio.run(run()) == 0 and got == [(3, 0, "")]


def test_malformed_answer_reported_to_callback() -> None:
    got: list[tuple[Any, ...]] = []
    c = FakeSyncClient({"sendmsg": {}})
    c.send_message(1, 2, 3, "m", callback=lambda *a: got.append(a))
    assert got[0][0] == 0 and got[0][1] == 10009 and "'mtime'" in got[0][2]


def test_non_fpnn_exception_reported_as_20001() -> None:
    got: list[tuple[Any, ...]] = []
    c = FakeSyncClient({"gettoken": RuntimeError("socket gone")})
    c.get_token(1, callback=lambda *a: got.append(a))
    assert got == [("", 20001, "RuntimeError: socket gone")]


def test_timeout_and_callback_reach_the_call() -> None:
    c = FakeSyncClient()
    cb: Any = lambda *a: None  # noqa: E731
    c.get_friends(1, timeout=2.5, callback=cb)
    call = c.calls[0]
    assert call.timeout == 2.5 and call.callback is cb and call.has_result
    c.send_file(1, 2, b"x", "f", timeout=3)
    assert [s.timeout for s in c.sent[-2:]] == [3.0, 3.0]
