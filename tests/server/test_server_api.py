"""Server API (spec §2): success paths, answer shapes, and the error rules of §5."""

from __future__ import annotations

import time
from typing import Any

import pytest

from rtm.server import DEV_PID, DEV_SECRET, RTMServer, ServerConfig

from .conftest import API, PID, SECRET, Clock, ServerFactory, sign_v1, sign_v2

F = "from"


def _int_keys(answer: dict[str, Any], *keys: str) -> None:
    for key in keys:
        assert isinstance(answer[key], int) and not isinstance(answer[key], bool), key


# ---------------------------------------------------------------------------- signatures


async def test_signature_v1_and_v2_and_case_insensitive(api: API) -> None:
    assert await api("getfriends", uid=1) == {"uids": []}
    assert await api("getfriends", uid=1, ts=int(time.time())) == {"uids": []}
    salt = 1563789451123456789
    lower = sign_v1(PID, SECRET, salt).lower()
    assert await api.raw("getfriends", {"pid": PID, "salt": salt, "sign": lower, "uid": 1})
    ts = 1571389808
    v2 = sign_v2(PID, SECRET, salt, "getfriends", ts).lower()
    assert await api.raw("getfriends", {"pid": PID, "salt": salt, "sign": v2, "ts": ts,
                                        "uid": 1})


def test_spec_sign_vectors() -> None:
    assert sign_v1(11000001, "secret-key-123", 1563789451123456789) == (
        "1E043BEB9A15B111BE9C9AFF2197B979")
    assert sign_v2(11000001, "secret-key-123", 1563789451123456789, "sendmsg", 1571389808) == (
        "91BAABB1AE308F8E2D6F59BC2E4D2255")


async def test_bad_sign_unknown_pid_and_pid_rules(api: API) -> None:
    salt = 42
    good = sign_v1(PID, SECRET, salt)
    assert await api.raw_error("getfriends", {"pid": PID, "salt": salt, "sign": "0" * 32,
                                          "uid": 1}) == 200002
    # v1 sign while ts is present -> the v2 formula is checked
    assert await api.raw_error("getfriends", {"pid": PID, "salt": salt, "sign": good, "ts": 5,
                                          "uid": 1}) == 200002
    # v2 sign with another cmd
    other = sign_v2(PID, SECRET, salt, "isfriend", 5)
    assert await api.raw_error("getfriends", {"pid": PID, "salt": salt, "sign": other, "ts": 5,
                                          "uid": 1}) == 200002
    assert await api.raw_error("getfriends", {"pid": 999, "salt": salt,
                                          "sign": sign_v1(999, SECRET, salt), "uid": 1}) == 200002
    assert await api.raw_error("getfriends", {"pid": 0, "salt": salt, "sign": good,
                                          "uid": 1}) == 200001
    assert await api.raw_error("getfriends", {"salt": salt, "sign": good, "uid": 1}) == 10009
    assert await api.raw_error("getfriends", {"pid": PID, "sign": good, "uid": 1}) == 10009
    assert await api.raw_error("getfriends", {"pid": PID, "salt": salt, "uid": 1}) == 10009
    assert await api.raw_error("getfriends", {"pid": str(PID), "salt": salt, "sign": good,
                                          "uid": 1}) == 10010
    assert await api.raw_error("getfriends", {"pid": PID, "salt": "x", "sign": good,
                                          "uid": 1}) == 10010
    # the sign accepted as bin too
    assert await api.raw("getfriends", {"pid": PID, "salt": salt, "sign": good.encode(),
                                        "uid": 1}) == {"uids": []}


async def test_dev_project_served_when_none_configured(make_server: ServerFactory) -> None:
    server = await make_server(projects={})
    dev = API(server.endpoint, DEV_PID, DEV_SECRET)
    try:
        assert await dev("getfriends", uid=1) == {"uids": []}
    finally:
        await dev.close()


async def test_ts_window(make_server: ServerFactory, clock: Clock) -> None:
    server = await make_server(sign_ts_window=60)
    api = API(server.endpoint)
    try:
        now = clock() // 1000
        assert await api("getfriends", uid=1, ts=now - 30) == {"uids": []}
        assert await api.error("getfriends", uid=1, ts=now - 120) == 200008
        assert await api.error("getfriends", uid=1, ts=now + 120) == 200008
        # no ts: the 0.1.0 formula, no window check
        assert await api("getfriends", uid=1) == {"uids": []}
    finally:
        await api.close()


async def test_replay_protection(make_server: ServerFactory) -> None:
    server = await make_server(replay_protection=True)
    api = API(server.endpoint)
    try:
        params = api.signed("getfriends", uid=1)
        assert await api.raw("getfriends", params) == {"uids": []}
        assert await api.error("getfriends", params) == 200006
    finally:
        await api.close()


async def test_replay_protection_bounds_ts(make_server: ServerFactory, clock: Clock) -> None:
    """A captured quest is refused as a replay at once, and as too old once it is
    forgotten (it used to pass again after the 300 s replay window, and 30 days later)."""
    server = await make_server(replay_protection=True)
    api = API(server.endpoint)
    try:
        params = api.signed("getfriends", uid=1, ts=clock() // 1000)
        assert await api.raw("getfriends", params) == {"uids": []}
        assert await api.raw_error("getfriends", params) == 200006
        clock.advance(301)
        assert await api.raw_error("getfriends", params) == 200008
        clock.advance(30 * 86400)
        assert await api.raw_error("getfriends", params) == 200008
        # a fresh quest still passes; v1 (no ts) is accepted unless refused explicitly
        assert await api("getfriends", uid=1, ts=clock() // 1000) == {"uids": []}
        assert await api("getfriends", uid=1) == {"uids": []}
    finally:
        await api.close()


async def test_replay_window_and_v1_refusal(make_server: ServerFactory, clock: Clock) -> None:
    server = await make_server(replay_protection=True, replay_window=20,
                               refuse_v1_signatures=True)
    api = API(server.endpoint)
    try:
        params = api.signed("getfriends", uid=1, ts=clock() // 1000)
        assert await api.raw("getfriends", params) == {"uids": []}
        clock.advance(15)
        assert await api.raw_error("getfriends", params) == 200006  # still remembered
        clock.advance(10)  # forgotten after 20 s, and its ts is 25 s old
        assert await api.raw_error("getfriends", params) == 200008
        assert await api.error("getfriends", uid=1) == 200008  # v1: no ts, no age
        assert await api("getfriends", uid=1, ts=clock() // 1000) == {"uids": []}
    finally:
        await api.close()


def test_replay_config_is_checked_when_built() -> None:
    with pytest.raises(ValueError, match=r"sign_ts_window \(120 s\) must not exceed replay_window"):
        ServerConfig(replay_protection=True, replay_window=60, sign_ts_window=120)
    with pytest.raises(ValueError, match=r"replay_window must be > 0"):
        ServerConfig(replay_window=0)
    assert ServerConfig(replay_protection=True).effective_ts_window() == 300.0
    assert ServerConfig(replay_protection=True, replay_window=60,
                        sign_ts_window=30).effective_ts_window() == 30
    assert ServerConfig(sign_ts_window=900).effective_ts_window() == 900  # no replay check
    assert ServerConfig().effective_ts_window() is None


async def test_replay_off_by_default(api: API) -> None:
    params = api.signed("getfriends", uid=1)
    assert await api.raw("getfriends", params) == {"uids": []}
    assert await api.raw("getfriends", params) == {"uids": []}


async def test_unknown_method(api: API) -> None:
    assert await api.error("nosuchmethod") == 20004
    assert await api.error("enterroom", rid=1) == 20004  # a client-gate method


# ---------------------------------------------------------------------------- parameters


async def test_missing_and_wrong_typed_params(api: API) -> None:
    base = {"mtype": 51, F: 1, "to": 2, "mid": 1, "msg": "m", "attrs": ""}
    for key in ("mtype", F, "to", "mid", "msg"):
        params = {k: v for k, v in base.items() if k != key}
        assert await api.error("sendmsg", params) == 10009, key
    for key, bad in (("mtype", "51"), (F, "1"), ("to", 2.5), ("mid", True), ("msg", 5),
                     ("attrs", [1])):
        assert await api.error("sendmsg", {**base, key: bad}) == 10010, key
    assert await api.error("addfriends", uid=1, friends="2") == 10010
    assert await api.error("addfriends", uid=1, friends=[1, "2"]) == 10010
    assert await api.error("addfriends", uid=1) == 10009
    assert await api.error("getgroupmsg", gid=1, desc="yes", num=10) == 10010
    assert await api.error("getgroupmsg", gid=1, desc=False, num=70000) == 10010  # i16
    assert await api.error("addgroupban", gid=1, uid=2, btime=2**31) == 10010  # i32
    assert await api.error("sendmsg", {**base, "mid": 2**64 - 1}) == 10010  # beyond i64


async def test_error_messages_name_key_and_type(api: API) -> None:
    from rtm.fpnn.errors import FPNNError

    with pytest.raises(FPNNError) as info:
        await api("sendmsg", {"mtype": 51, F: 1, "mid": 1, "msg": "m"})
    assert "'to'" in info.value.message and "i64" in info.value.message
    with pytest.raises(FPNNError) as info:
        await api("getfriends", uid="x")
    assert "'uid'" in info.value.message and "i64" in info.value.message


async def test_ids_must_be_positive(api: API) -> None:
    assert await api.error("sendmsg", {"mtype": 51, F: 0, "to": 2, "mid": 1, "msg": "m",
                                       "attrs": ""}) == 200001
    assert await api.error("sendmsg", {"mtype": 51, F: 1, "to": -2, "mid": 1, "msg": "m",
                                       "attrs": ""}) == 200001
    assert await api.error("getfriends", uid=0) == 200001
    assert await api.error("addgroupmembers", gid=1, uids=[1, 0]) == 200001
    assert await api.error("isgroupmember", gid=-1, uid=1) == 200001
    assert await api.error("getp2pmsg", uid=1, ouid=0, desc=False, num=1) == 200001


async def test_str_or_bin_and_attrs_optional(api: API) -> None:
    a = await api("sendmsg", {"mtype": 51, F: 1, "to": 2, "mid": 1, "msg": b"\x00\xffbin"})
    _int_keys(a, "mtime")
    page = await api("getp2pmsg", uid=1, ouid=2, desc=False, num=10)
    assert page["msgs"][0][5] == b"\x00\xffbin" and page["msgs"][0][6] == ""
    assert await api("adddevice", uid=1, apptype=b"fcm", devicetoken=b"tok") == {}


async def test_nil_arrays_are_empty(api: API) -> None:
    assert await api.error("addfriends", uid=1, friends=None) == 200033
    assert await api.error("sendmsgs", {"mtype": 51, F: 1, "tos": None, "mid": 1,
                                        "msg": "m", "attrs": ""}) == 200033
    assert await api("setlisten", gids=None, rids=None, p2p=False, events=None) == {}


# ---------------------------------------------------------------------------- sends


async def test_send_answers_and_errors(api: API) -> None:
    msg = {"mtype": 51, F: 1, "mid": 10, "msg": "hello", "attrs": "{}"}
    _int_keys(await api("sendmsg", msg, to=2), "mtime")
    _int_keys(await api("sendmsgs", msg, tos=[2, 3]), "mtime")
    _int_keys(await api("broadcastmsg", msg), "mtime")
    assert await api.error("sendgroupmsg", msg, gid=7) == 200041
    assert await api.error("sendroommsg", msg, rid=8) == 200040
    await api("addgroupmembers", gid=7, uids=[1, 2])
    await api("addroommember", rid=8, uid=1)
    _int_keys(await api("sendgroupmsg", msg, gid=7), "mtime")
    _int_keys(await api("sendroommsg", msg, rid=8), "mtime")
    for mtype in (0, 128, -1):
        assert await api.error("sendmsg", {**msg, "mtype": mtype}, to=2) == 200005
    assert await api.error("sendmsg", {**msg, "msg": "x" * 20481}, to=2) == 200030
    assert await api.error("sendmsg", {**msg, "attrs": "x" * 2049}, to=2) == 200030
    _int_keys(await api("sendmsg", {**msg, "mid": 11, "msg": "x" * 20480,
                                    "attrs": "y" * 2048}, to=2), "mtime")
    assert await api.error("sendmsgs", msg, tos=[]) == 200033
    assert await api.error("sendmsgs", msg, tos=list(range(1, 2002))) == 200032
    # order: mtype (200005) before sizes (200030) before lists (200033)
    assert await api.error("sendmsgs", {**msg, "mtype": 0, "msg": "x" * 30000}, tos=[]) == 200005
    assert await api.error("sendmsgs", {**msg, "msg": "x" * 30000}, tos=[]) == 200030


async def test_bans_active_and_expired(api: API, clock: Clock) -> None:
    msg = {"mtype": 51, F: 1, "mid": 1, "msg": "m", "attrs": ""}
    await api("addgroupmembers", gid=7, uids=[1])
    await api("addroommember", rid=8, uid=1)
    assert await api("addgroupban", gid=7, uid=1, btime=60) == {}
    assert await api("addroomban", rid=8, uid=1, btime=60) == {}
    assert await api("isbanofgroup", gid=7, uid=1) == {"ok": True}
    assert await api("isbanofroom", rid=8, uid=1) == {"ok": True}
    assert await api.error("sendgroupmsg", msg, gid=7) == 200044
    assert await api.error("sendroommsg", msg, rid=8) == 200045
    clock.advance(61)
    assert await api("isbanofgroup", gid=7, uid=1) == {"ok": False}
    assert await api("isbanofroom", rid=8, uid=1) == {"ok": False}
    await api("sendgroupmsg", msg, gid=7)
    await api("sendroommsg", msg, rid=8)
    # permanent bans, then removed
    await api("addgroupban", gid=7, uid=1, btime=0)
    await api("addroomban", rid=8, uid=1, btime=-5)
    clock.advance(10**6)
    assert await api.error("sendgroupmsg", {**msg, "mid": 2}, gid=7) == 200044
    assert await api.error("sendroommsg", {**msg, "mid": 2}, rid=8) == 200045
    assert await api("removegroupban", gid=7, uid=1) == {}
    assert await api("removeroomban", rid=8, uid=1) == {}
    await api("sendgroupmsg", {**msg, "mid": 2}, gid=7)
    await api("sendroommsg", {**msg, "mid": 2}, rid=8)


async def test_project_black_list(api: API, clock: Clock) -> None:
    assert await api("isprojectblack", uid=5) == {"ok": False}
    assert await api("addprojectblack", uid=5, btime=10) == {}
    assert await api("isprojectblack", uid=5) == {"ok": True}
    clock.advance(11)
    assert await api("isprojectblack", uid=5) == {"ok": False}
    await api("addprojectblack", uid=5, btime=0)
    assert await api("isprojectblack", uid=5) == {"ok": True}
    assert await api("removeprojectblack", uid=5) == {}
    assert await api("isprojectblack", uid=5) == {"ok": False}


async def test_duplicate_mid_is_idempotent(api: API) -> None:
    msg = {"mtype": 51, F: 1, "to": 2, "mid": 99, "msg": "once", "attrs": ""}
    first = await api("sendmsg", msg)
    again = await api("sendmsg", {**msg, "msg": "twice"})
    assert first == again
    page = await api("getp2pmsg", uid=1, ouid=2, desc=False, num=10)
    assert page["num"] == 1 and page["msgs"][0][5] == "once"


async def test_strict_mid(make_server: ServerFactory) -> None:
    server = await make_server(strict_mid=True)
    api = API(server.endpoint)
    try:
        msg = {"mtype": 51, F: 1, "to": 2, "mid": 99, "msg": "once", "attrs": ""}
        await api("sendmsg", msg)
        assert await api.error("sendmsg", msg) == 200053
    finally:
        await api.close()


async def test_switches_admins_friends_self_send(make_server: ServerFactory) -> None:
    server = await make_server(broadcast_admins=[111], p2p_friends_only=True,
                               forbid_server_self_send=True)
    api = API(server.endpoint)
    try:
        msg = {"mtype": 51, "mid": 1, "msg": "m", "attrs": ""}
        assert await api.error("broadcastmsg", msg, **{F: 5}) == 200026
        await api("broadcastmsg", msg, **{F: 111})
        assert await api.error("sendmsg", msg, to=2, **{F: 1}) == 200043
        await api("addfriends", uid=1, friends=[2])
        await api("sendmsg", msg, to=2, **{F: 1})
        assert await api.error("sendmsg", msg, to=1, **{F: 1}) == 200052
    finally:
        await api.close()


async def test_self_send_allowed_by_default(api: API) -> None:
    answer = await api("sendmsg", {"mtype": 51, F: 1, "to": 1, "mid": 1, "msg": "me",
                                   "attrs": ""})
    page = await api("getp2pmsg", uid=1, ouid=1, desc=True, num=5, begin=0, end=0, lastid=0)
    assert [(m[3], m[5], m[7]) for m in page["msgs"]] == [(1, "me", answer["mtime"])]
    assert "token" in await api("filetoken", cmd="sendfile", to=1, **{F: 1})


async def test_forbid_server_self_send_covers_filetoken(make_server: ServerFactory) -> None:
    server = await make_server(forbid_server_self_send=True)
    api = API(server.endpoint)
    try:
        assert await api.error("filetoken", cmd="sendfile", to=1, **{F: 1}) == 200052
        assert await api.error("filetoken", cmd="sendfiles", tos=[2, 1], **{F: 1}) == 200052
        assert "token" in await api("filetoken", cmd="sendfile", to=2, **{F: 1})
        assert "token" in await api("filetoken", cmd="sendfiles", tos=[2, 3], **{F: 1})
    finally:
        await api.close()


# ---------------------------------------------------------------------------- friends


async def test_friends(api: API) -> None:
    assert await api("addfriends", uid=1, friends=[2, 3, 1]) == {}
    assert await api("getfriends", uid=1) == {"uids": [2, 3]}
    assert await api("getfriends", uid=2) == {"uids": [1]}  # symmetric by default
    assert await api("isfriend", uid=2, fuid=1) == {"ok": True}
    assert await api("isfriend", uid=2, fuid=3) == {"ok": False}
    assert await api("isfriends", uid=1, fuids=[3, 4, 2]) == {"fuids": [3, 2]}
    assert await api("delfriends", uid=1, friends=[2, 42]) == {}
    assert await api("getfriends", uid=1) == {"uids": [3]}
    assert await api("getfriends", uid=2) == {"uids": []}
    assert await api.error("addfriends", uid=1, friends=[]) == 200033
    assert await api.error("addfriends", uid=1, friends=list(range(2, 103))) == 200032
    assert await api.error("delfriends", uid=1, friends=list(range(2, 103))) == 200032
    assert await api.error("isfriends", uid=1, fuids=[]) == 200033
    assert await api.error("isfriends", uid=1, fuids=list(range(2, 103))) == 200032
    for start in range(1000, 1300, 100):
        await api("addfriends", uid=10, friends=list(range(start, start + 100)))
    assert await api.error("addfriends", uid=10, friends=[5000]) == 200048


async def test_asymmetric_friends(make_server: ServerFactory) -> None:
    server = await make_server(symmetric_friends=False)
    api = API(server.endpoint)
    try:
        await api("addfriends", uid=1, friends=[2])
        assert await api("isfriend", uid=1, fuid=2) == {"ok": True}
        assert await api("isfriend", uid=2, fuid=1) == {"ok": False}
    finally:
        await api.close()


# ---------------------------------------------------------------------------- groups, rooms


async def test_groups(api: API) -> None:
    assert await api("addgroupmembers", gid=7, uids=[3, 1, 2]) == {}
    assert await api("getgroupmembers", gid=7) == {"uids": [1, 2, 3]}
    assert await api("isgroupmember", gid=7, uid=2) == {"ok": True}
    assert await api("getusergroups", uid=2) == {"gids": [7]}
    assert await api("delgroupmembers", gid=7, uids=[2, 99]) == {}
    assert await api("isgroupmember", gid=7, uid=2) == {"ok": False}
    assert await api("getgroupmembers", gid=8) == {"uids": []}
    assert await api.error("addgroupmembers", gid=7, uids=[]) == 200033
    assert await api.error("addgroupmembers", gid=7, uids=list(range(1, 102))) == 200032
    assert await api.error("delgroupmembers", gid=7, uids=[]) == 200033
    await api("sendgroupmsg", {"mtype": 51, F: 1, "gid": 7, "mid": 1, "msg": "m",
                               "attrs": ""})
    assert await api("delgroup", gid=7) == {}
    assert await api("getgroupmembers", gid=7) == {"uids": []}
    assert await api("getusergroups", uid=1) == {"gids": []}
    page = await api("getgroupmsg", gid=7, desc=False, num=10, begin=0, end=0, lastid=0)
    assert page["num"] == 0  # history dropped with the group


async def test_group_member_limit(make_server: ServerFactory) -> None:
    server = await make_server()
    server.store.max_group_members = 3
    api = API(server.endpoint)
    try:
        await api("addgroupmembers", gid=1, uids=[1, 2, 3])
        assert await api.error("addgroupmembers", gid=1, uids=[4]) == 200042
    finally:
        await api.close()


async def test_rooms(api: API) -> None:
    assert await api("addroommember", rid=8, uid=1) == {}
    assert await api("addroommember", rid=8, uid=1) == {}  # no-op
    for rid in range(9, 18):
        await api("addroommember", rid=rid, uid=1)
    assert await api.error("addroommember", rid=100, uid=1) == 200047
    assert await api("delroommember", rid=8, uid=1) == {}
    assert await api("addroommember", rid=100, uid=1) == {}
    assert await api("delroommember", rid=555, uid=1) == {}


# ---------------------------------------------------------------------------- misc


async def test_delmsg_marks_deleted(api: API) -> None:
    await api("addgroupmembers", gid=7, uids=[1])
    await api("addroommember", rid=8, uid=1)
    msg = {"mtype": 51, F: 1, "mid": 5, "msg": "secret", "attrs": "a"}
    await api("sendmsg", msg, to=2)
    await api("sendgroupmsg", msg, gid=7)
    await api("sendroommsg", msg, rid=8)
    await api("broadcastmsg", msg)
    assert await api("delmsg", mid=5, xid=2, type=1, **{F: 1}) == {}
    assert await api("delmsg", mid=5, xid=7, type=2, **{F: 1}) == {}
    assert await api("delmsg", mid=5, xid=8, type=3, **{F: 1}) == {}
    assert await api("delmsg", mid=5, xid=0, type=4, **{F: 1}) == {}
    assert await api("delmsg", mid=6, xid=2, type=1, **{F: 1}) == {}  # unknown: success
    hist = {"desc": False, "num": 10, "begin": 0, "end": 0, "lastid": 0}
    for method, target in (("getp2pmsg", {"uid": 1, "ouid": 2}), ("getgroupmsg", {"gid": 7}),
                           ("getroommsg", {"rid": 8}), ("getbroadcastmsg", {})):
        entry = (await api(method, hist, **target))["msgs"][0]
        assert entry[4] is True and entry[5] == "secret", method
    assert await api.error("delmsg", mid=5, xid=2, type=5, **{F: 1}) == 200034
    assert await api.error("delmsg", mid=5, xid=0, type=1, **{F: 1}) == 200001


async def test_delmsg_strict_and_blank_deleted(make_server: ServerFactory) -> None:
    server = await make_server(strict_delmsg=True, blank_deleted=True)
    api = API(server.endpoint)
    try:
        await api("sendmsg", {"mtype": 51, F: 1, "to": 2, "mid": 5, "msg": "x", "attrs": "y"})
        assert await api.error("delmsg", mid=6, xid=2, type=1, **{F: 1}) == 200070
        await api("delmsg", mid=5, xid=2, type=1, **{F: 1})
        entry = (await api("getp2pmsg", uid=2, ouid=1, desc=True, num=5))["msgs"][0]
        assert entry[4:7] == [True, "", ""]
    finally:
        await api.close()


async def test_getmsg(api: API) -> None:
    mtime = (await api("sendmsg", {"mtype": 60, F: 1, "to": 2, "mid": 5, "msg": "x",
                                   "attrs": "y"}))["mtime"]
    got = await api("getmsg", mid=5, xid=2, type=1, **{F: 1})
    assert got["mtype"] == 60 and got["msg"] == "x" and got["attrs"] == "y"
    assert got["mtime"] == mtime and got["id"] > 0
    assert await api.error("getmsg", mid=6, xid=2, type=1, **{F: 1}) == 200070


async def test_tokens_devices_online(api: API, server: RTMServer) -> None:
    token = await api("gettoken", uid=5)
    assert set(token) >= {"token"} and len(token["token"]) == 32
    assert token["token"] == token["token"].upper()
    assert (await api("gettoken", uid=5, version="PYTHON-2.2.6"))["token"] != token["token"]
    assert await api("removetoken", uid=5) == {}
    assert await api("adddevice", uid=5, apptype="apns", devicetoken="d1") == {}
    assert [d.devicetoken for d in await server.store.list_devices(PID, 5)] == ["d1"]
    assert await api("removedevice", uid=5, devicetoken="d1") == {}
    assert await server.store.list_devices(PID, 5) == []
    assert await api("getonlineusers", uids=[5, 6]) == {"uids": []}
    assert await api.error("getonlineusers", uids=[]) == 200033
    assert await api.error("getonlineusers", uids=list(range(1, 202))) == 200032
    assert await api("getonlineusers", uids=list(range(1, 201))) == {"uids": []}
    assert await api("kickout", uid=5, ce="") == {}
    assert await api("kickout", uid=5) == {}


async def test_filetoken(api: API, server: RTMServer) -> None:
    answer = await api("filetoken", cmd="sendfile", to=2, **{F: 1})
    assert isinstance(answer["token"], str) and answer["endpoint"] == server.file_endpoint
    assert await api("filetoken", cmd="sendfiles", tos=[2, 3], **{F: 1})
    assert await api("filetoken", cmd="broadcastfile", **{F: 1})
    assert await api.error("filetoken", cmd="sendgroupfile", gid=7, **{F: 1}) == 200041
    assert await api.error("filetoken", cmd="sendroomfile", rid=8, **{F: 1}) == 200040
    assert await api.error("filetoken", cmd="sendfiles", tos=[], **{F: 1}) == 200033
    assert await api.error("filetoken", cmd="sendfiles", tos=list(range(1, 2002)),
                           **{F: 1}) == 200032
    assert await api.error("filetoken", cmd="sendfile", **{F: 1}) == 10009
    assert await api.error("filetoken", cmd="nope", to=2, **{F: 1}) == 200034
    # PYHEAD sends unrelated target keys too
    assert await api("filetoken", cmd="sendfile", to=2, gid=2, rid=2, **{F: 1})
