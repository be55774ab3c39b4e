"""SDK builders of the blacklist, groups, rooms, users, admin, data and devices areas (spec
current §4.6 to §4.12): argument validation, profile-dependent keys, typed answers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from typing_check_api import FakeSyncClient

from rtm import DevicePushOptions, ObjectInfo, PushOptionType
from rtm.api import MalformedAnswerError

AUTH = {"pid", "sign", "salt", "ts"}


def current(answers: dict[str, Any] | None = None) -> FakeSyncClient:
    return FakeSyncClient(answers, protocol="current")


def keys(client: FakeSyncClient) -> list[set[str]]:
    return [set(s.params) - AUTH for s in client.sent]


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "exc", "words"),
    [
        ("add_blacks", (1, []), {}, ValueError, ("add_blacks()", "'blocked_uids'", "empty")),
        ("add_blacks", (1, list(range(1, 102))), {}, ValueError, ("at most 100",)),
        ("del_blacks", (1, "2"), {}, TypeError, ("del_blacks()", "'blocked_uids'")),
        ("is_black", (1, "2"), {}, TypeError, ("is_black()", "'blocker_uid'")),
        ("is_blacks", (1, [1, "x"]), {}, TypeError, ("'blocker_uids[1]'",)),
        ("get_blacks", (None,), {}, TypeError, ("get_blacks()", "'uid'")),
        ("get_group_count", ("g",), {}, TypeError, ("'group_id'",)),
        ("set_group_info", (1, 5), {}, TypeError, ("set_group_info()", "'public_info'")),
        ("set_group_info", (1, None, b"x"), {}, TypeError, ("'private_info'",)),
        ("add_group_ban", ("all", 2, 60), {}, TypeError, ("'group_id'",)),
        ("add_room_members", (1, []), {}, ValueError, ("add_room_members()", "'uids'")),
        ("del_room_members", (1, [2**63]), {}, ValueError, ("'uids[0]'", "int64")),
        ("get_room_count", ([],), {}, ValueError, ("get_room_count()", "'room_ids'")),
        ("get_room_count", (list(range(1, 102)),), {}, ValueError, ("at most 100",)),
        ("add_user_rooms", (5, 1), {}, TypeError, ("add_user_rooms()", "'room_ids'")),
        ("delete_user_rooms", ([1], "u"), {}, TypeError, ("'uid'",)),
        ("set_room_info", (1, "x", 3), {}, TypeError, ("set_room_info()", "'private_info'")),
        ("remove_token", ("1",), {}, TypeError, ("remove_token()", "'uid'")),
        ("get_user_public_info", ((),), {}, ValueError, ("'uids'", "empty")),
        ("add_sessions", (1, [0, None]), {}, TypeError, ("add_sessions()", "'peer_uids[1]'")),
        ("remove_sessions", (1, 2), {}, TypeError, ("'peer_uids'",)),
        ("add_project_ban", (1, 2**31), {}, ValueError, ("'banned_seconds'", "int32")),
        ("is_project_ban", (1.0,), {}, TypeError, ("is_project_ban()", "'uid'")),
        ("set_data", (1, "k", None), {}, TypeError, ("set_data()", "'value'")),
        ("get_data", (1, 7), {}, TypeError, ("get_data()", "'key'")),
        ("add_device_push_option", (1, 2, 3), {}, ValueError,
         ("'option_type'", "P2P=0", "GROUP=1")),
        ("add_device_push_option", (1, "P2P", 3), {}, TypeError, ("'option_type'",)),
        ("add_device_push_option", (1, 0, 3, [300]), {}, ValueError, ("'mtypes[0]'", "int8")),
        ("remove_device_push_option", (1, 1, 3, 30), {}, TypeError, ("'mtypes'",)),
        ("get_device_push_option", ("1",), {}, TypeError, ("'uid'",)),
    ],
)
def test_bad_arguments_name_the_argument_and_send_nothing(
        method: str, args: tuple[Any, ...], kwargs: dict[str, Any], exc: type[Exception],
        words: tuple[str, ...]) -> None:
    client = current()
    with pytest.raises(exc) as info:
        getattr(client, method)(*args, **kwargs)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert client.sent == []


# ------------------------------------------------------------------------------ wire keys


def test_bans_on_every_group_or_room_leave_the_id_out() -> None:
    c = current()
    c.add_group_ban(None, 1, 60)
    c.add_group_ban(0, 1, 60)
    c.add_group_ban(-5, 1, 60)
    c.remove_group_ban(None, 1)
    c.add_room_ban(None, 1, 0)
    c.remove_room_ban(-1, 1)
    c.add_room_ban(7, 1, 0)
    assert keys(c) == [{"uid", "btime"}] * 3 + [{"uid"}, {"uid", "btime"}, {"uid"},
                                                 {"rid", "uid", "btime"}]
    legacy = FakeSyncClient()  # the 0.1.0 profile has no such ban
    legacy.add_group_ban(0, 1, 60)
    assert legacy.sent[0].params["gid"] == 0
    with pytest.raises(ValueError, match="protocol='current'"):
        legacy.remove_room_ban(None, 1)


def test_kickout_sends_ce_only_when_given_or_in_the_0_1_0_profile() -> None:
    c = current()
    c.kickout(5)
    c.kickout(5, client_endpoint="10.0.0.7:5000")
    assert keys(c) == [{"uid"}, {"uid", "ce"}]
    assert c.sent[1].params["ce"] == "10.0.0.7:5000"
    legacy = FakeSyncClient()
    legacy.kickout(5)
    assert legacy.sent[0].params["ce"] == ""


def test_info_keys_only_for_given_values_and_get_token_has_no_version() -> None:
    c = current({"gettoken": {"token": "T"}})
    c.set_user_info(1, "pub")
    c.set_user_info(1, None, "")
    c.set_group_info(2)
    c.set_room_info(3, private_info="p")
    c.get_token(1)
    assert keys(c) == [{"uid", "oinfo"}, {"uid", "pinfo"}, {"gid"}, {"rid", "pinfo"}, {"uid"}]
    assert c.sent[1].params["pinfo"] == ""


def test_push_option_mtypes_only_when_non_empty() -> None:
    c = current()
    c.add_device_push_option(1, PushOptionType.GROUP, 9, [])
    c.add_device_push_option(1, 0, 9, (30, 32))
    c.remove_device_push_option(1, PushOptionType.P2P, 9)
    assert keys(c) == [{"uid", "type", "xid"}, {"uid", "type", "xid", "mtypes"},
                       {"uid", "type", "xid"}]
    assert c.sent[0].params["type"] == 1 and type(c.sent[0].params["type"]) is int
    assert c.sent[1].params["mtypes"] == [30, 32]


# ------------------------------------------------------------------------------ answers


def test_typed_answers() -> None:
    c = current({
        "getblacks": {"uids": [3, 4]},
        "isblack": {"ok": True},
        "isblacks": {"buids": None},
        "getgroupcount": {"cn": 3},
        "getgroupinfo": {"oinfo": b"pub", "pinfo": ""},
        "addroommembers": {"successedUids": [5]},
        "delroommembers": {"successedUids": [5, 6]},
        "getroommembers": {"uids": [5, 6]},
        "getroomcount": {"cn": {"300001": 2, b"300002": 0, 300003: 1}},
        "getuserinfo": {"oinfo": "", "pinfo": "secret"},
        "getuseropeninfo": {"info": {"100002": "hi", "100003": b"there"}},
        "isprojectban": {"ok": False},
        "dataget": {"val": ""},
        "getoption": {"p2p": {"100002": [32, 30]}, "group": {"200001": None}},
    })
    assert c.get_blacks(1) == [3, 4]
    assert c.is_black(1, 2) is True
    assert c.is_blacks(1, [2]) == []
    assert c.get_group_count(1) == 3
    assert c.get_group_info(1) == ObjectInfo("pub", "")
    assert c.add_room_members(1, [5, 6]) == [5]
    assert c.del_room_members(1, [5, 6]) == [5, 6]
    assert c.get_room_members(1) == [5, 6]
    assert c.get_room_count([300001, 300002, 300003]) == {300001: 2, 300002: 0, 300003: 1}
    assert c.get_user_info(1) == ObjectInfo("", "secret")
    assert c.get_user_public_info([100002, 100003]) == {100002: "hi", 100003: "there"}
    assert c.is_project_ban(1) is False
    assert c.get_data(1, "k") == ""
    assert c.get_device_push_option(1) == DevicePushOptions({100002: [30, 32]}, {200001: []})


def test_data_without_val_is_none() -> None:
    assert current({"dataget": {}}).get_data(1, "missing") is None


def test_bad_map_key_is_dropped_like_go(caplog: pytest.LogCaptureFixture) -> None:
    c = current({"getroomcount": {"cn": {"300001": 1, "room-x": 2}}})
    with caplog.at_level(logging.WARNING, logger="rtm.api"):
        assert c.get_room_count([300001]) == {300001: 1}
    assert "room-x" in caplog.text


@pytest.mark.parametrize(
    ("method", "args", "answer"),
    [
        ("get_user_info", (1,), {"getuserinfo": {"oinfo": "only public"}}),
        ("get_group_count", (1,), {"getgroupcount": {"cn": "3"}}),
        ("get_room_count", ([1],), {"getroomcount": {"cn": [1]}}),
        ("get_device_push_option", (1,), {"getoption": {"p2p": {}}}),
        ("get_device_push_option", (1,), {"getoption": {"p2p": {"1": 5}, "group": {}}}),
        ("add_room_members", (1, [2]), {"addroommembers": {"uids": [2]}}),
    ],
)
def test_malformed_answers_fail_like_go(method: str, args: tuple[Any, ...],
                                        answer: dict[str, Any]) -> None:
    with pytest.raises(MalformedAnswerError):
        getattr(current(answer), method)(*args)


def test_callback_forms() -> None:
    c = current({"getuserinfo": {"oinfo": "a", "pinfo": "b"}})
    got: list[tuple[Any, ...]] = []
    assert c.get_user_info(1, callback=lambda *a: got.append(a)) == ObjectInfo("", "")
    assert c.add_blacks(1, [2], callback=lambda *a: got.append(a)) is None
    assert got == [(ObjectInfo("a", "b"), 0, ""), (0, "")]
