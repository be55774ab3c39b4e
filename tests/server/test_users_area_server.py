"""Local server, blocks/groups/rooms/users/admin/data/devices of the current generation (spec
``rtm-server-api-current.md`` §4.6 to §4.12, §11.5, §11.6): answer shapes on the wire, error
codes, enforcement on the gates, state that survives a restart."""

from __future__ import annotations

from pathlib import Path

from rtm.server import RTMServer
from rtm.server.__main__ import build_parser, config_from_args

from .conftest import API, PID, ServerFactory, User, UserFactory

MSG = {"mtype": 51, "msg": "hello", "attrs": ""}


async def test_answer_shapes_use_string_keys_and_absent_values(api: API) -> None:
    assert await api("getgroupinfo", gid=9) == {"oinfo": "", "pinfo": ""}
    assert await api("getroominfo", rid=9) == {"oinfo": "", "pinfo": ""}
    assert await api("getuserinfo", uid=9) == {"oinfo": "", "pinfo": ""}
    assert await api("dataget", uid=9, key="k") == {}  # no ``val`` at all
    assert await api("getoption", uid=9) == {"p2p": {}, "group": {}}
    assert await api("getgroupcount", gid=9) == {"cn": 0}
    await api("setuserinfo", uid=5, oinfo="five")
    await api("setuserinfo", uid=6, pinfo="six private")
    assert await api("getuseropeninfo", uids=[6, 5, 7]) == {"info": {"6": "", "5": "five"}}
    await api("addroommembers", rid=7, uids=[1, 2])
    assert await api("getroomcount", rids=[7, 8]) == {"cn": {"7": 2, "8": 0}}
    assert await api("getroomcount", rid=7) == {"cn": {"7": 2}}  # the C++ SDK's form
    await api("addoption", uid=1, type=0, xid=2, mtypes=[30])
    await api("addoption", uid=1, type=1, xid=3)
    assert await api("getoption", uid=1) == {"p2p": {"2": [30]}, "group": {"3": []}}
    assert await api("addroommembers", rid=7, uids=[2, 3]) == {"successedUids": [2, 3]}
    assert await api("delroommembers", rid=7, uids=[3, 4]) == {"successedUids": [3, 4]}
    assert await api("getroommembers", rid=7) == {"uids": [1, 2]}


async def test_error_codes(api: API) -> None:
    big = "x" * 65536
    assert await api.error("addblacks", uid=1, blacks=[]) == 200033
    assert await api.error("addblacks", uid=1, blacks=list(range(1, 102))) == 200032
    assert await api.error("addblacks", uid=0, blacks=[2]) == 200001
    assert await api.error("addblacks", uid=1) == 10009
    assert await api.error("isblack", uid=1, buid="2") == 10010
    assert await api.error("isblacks", uid=1, buids=[0]) == 200001
    assert await api("setgroupinfo", gid=1, oinfo=big[1:]) == {}  # 65535 bytes is fine
    assert await api.error("setgroupinfo", gid=1, oinfo=big) == 200030
    assert await api.error("setroominfo", rid=1, pinfo=big) == 200030
    assert await api.error("setuserinfo", uid=1, oinfo="ok", pinfo=big) == 200030
    assert await api("getuserinfo", uid=1) == {"oinfo": "", "pinfo": ""}  # nothing stored
    assert await api("dataset", uid=1, key="k" * 128, val=big[1:]) == {}
    assert await api.error("dataset", uid=1, key="k" * 129, val="v") == 200030
    assert await api.error("dataset", uid=1, key="k", val=big) == 200030
    assert await api.error("dataset", uid=1, key="", val="v") == 200033
    assert await api.error("dataget", uid=1) == 10009
    assert await api.error("addoption", uid=1, type=2, xid=2) == 200034
    assert await api.error("removeoption", uid=1, type=0, xid=2, mtypes=[300]) == 10010
    assert await api.error("getroomcount", rids=[]) == 200033
    assert await api.error("addgroupban", gid=0, uid=1, btime=5) == 200001
    assert await api.error("addroommembers", rid=1, uids=list(range(1, 102))) == 200032
    for rid in range(1, 11):
        await api("addroommember", rid=rid, uid=9)
    assert await api.error("adduserrooms", rids=[20], uid=9) == 200047
    assert await api.error("getuseropeninfo", uids=[]) == 200033
    assert await api.error("addsessions", uid=1, uids=[]) == 200033


async def test_bans_on_every_group_and_room(api: API, user: UserFactory) -> None:
    await api("addgroupmembers", gid=5, uids=[1, 2])
    await api("addroommember", rid=6, uid=1)
    await api("addgroupban", uid=1, btime=0)  # no gid: every group
    await api("addroomban", rid=None, uid=1, btime=0)  # nil rid: every room
    assert await api("isbanofgroup", gid=5, uid=1) == {"ok": True}
    assert await api("isbanofgroup", gid=77, uid=1) == {"ok": True}
    assert await api.error("sendgroupmsg", MSG, **{"from": 1}, gid=5, mid=1) == 200044
    alice = await user(1)
    assert await alice.error("sendroommsg", MSG, rid=6, mid=2) == 200045
    await api("removegroupban", uid=1)
    await api("removeroomban", uid=1)
    assert await api("isbanofroom", rid=6, uid=1) == {"ok": False}
    assert (await alice("sendroommsg", MSG, rid=6, mid=3))["mtime"] > 0


async def test_blocks_on_the_client_gate(api: API, user: UserFactory) -> None:
    alice, bob, carol = await user(1), await user(2), await user(3)
    await api("addblacks", uid=2, blacks=[1])  # bob blocks alice
    assert await alice.error("sendmsg", MSG, to=2, mid=1) == 200049
    # sendmsgs: the blocking recipient is skipped, the others get it
    assert (await alice("sendmsgs", MSG, tos=[2, 3], mid=2))["mtime"] > 0
    method, push = await carol.pushes.next()
    assert (method, push["mid"]) == ("pushmsg", 2)
    assert (await alice("sendmsgs", MSG, tos=[2], mid=3))["mtime"] > 0  # all skipped
    history = await api("getp2pmsg", uid=1, ouid=2, desc=False, num=10, begin=0, end=0,
                        lastid=0)
    assert history["num"] == 0  # nothing stored either
    # group messages are not affected, nor is the blocker's own P2P
    await api("addgroupmembers", gid=8, uids=[1, 2])
    assert (await alice("sendgroupmsg", MSG, gid=8, mid=4))["mtime"] > 0
    assert (await bob.pushes.next())[0] == "pushgroupmsg"  # bob's first push: nothing before
    assert (await bob("sendmsg", MSG, to=1, mid=5))["mtime"] > 0
    # the server API is not filtered by default
    assert (await api("sendmsg", MSG, **{"from": 1}, to=2, mid=6))["mtime"] > 0


async def test_blocks_on_the_server_api_when_switched_on(make_server: ServerFactory) -> None:
    server = await make_server(enforce_blocks_on_server_api=True)
    api = API(server.endpoint)
    try:
        await api("addblacks", uid=2, blacks=[1])
        assert await api.error("sendmsg", MSG, **{"from": 1}, to=2, mid=1) == 200049
        assert (await api("sendmsgs", MSG, **{"from": 1}, tos=[2, 3], mid=2))["mtime"] > 0
        page = await api("getp2pmsg", uid=1, ouid=3, desc=False, num=10, begin=0, end=0,
                         lastid=0)
        assert page["num"] == 1
        assert (await api("sendmsg", MSG, **{"from": 2}, to=1, mid=3))["mtime"] > 0
    finally:
        await api.close()


async def test_project_ban_and_delroommembers_kick(api: API, user: UserFactory) -> None:
    alice = await user(1)
    await api("addprojectban", uid=1, btime=0)
    assert await api("isprojectban", uid=1) == {"ok": True}
    assert await api("isprojectblack", uid=1) == {"ok": False}
    assert await alice.error("sendmsg", MSG, to=2, mid=1) == 200021
    assert await api.error("broadcastmsg", MSG, **{"from": 1}, mid=2) == 200021
    assert await api.error("filetoken", **{"from": 1}, cmd="sendfile", to=2) == 200021
    # 200021 comes before the group checks (not a member here: would be 200041)
    assert await api.error("sendgroupmsg", MSG, **{"from": 1}, gid=99, mid=3) == 200021
    assert await api("getonlineusers", uids=[1]) == {"uids": [1]}  # still logged in
    await api("removeprojectban", uid=1)
    assert (await alice("sendmsg", MSG, to=2, mid=4))["mtime"] > 0
    await alice("enterroom", rid=40)
    await api("delroommembers", rid=40, uids=[1])
    assert await alice.pushes.next() == ("kickoutroom", {"rid": 40})


async def test_state_survives_a_restart(make_server: ServerFactory, tmp_path: Path) -> None:
    db = str(tmp_path / "rtm.db")
    first: RTMServer = await make_server(db=db)
    api = API(first.endpoint)
    await api("addblacks", uid=1, blacks=[2])
    await api("setuserinfo", uid=1, oinfo="pub", pinfo="priv")
    await api("setgroupinfo", gid=5, oinfo="group")
    await api("setroominfo", rid=6, pinfo="room")
    await api("dataset", uid=1, key="k", val="v")
    await api("addsessions", uid=1, uids=[3])
    await api("addoption", uid=1, type=1, xid=5, mtypes=[30])
    await api("addprojectban", uid=7, btime=0)
    await api("addgroupban", uid=8, btime=0)
    await api("adduserrooms", rids=[6, 7], uid=1)
    await api.close()
    await first.close()

    second: RTMServer = await make_server(db=db)
    api = API(second.endpoint)
    try:
        assert await api("getblacks", uid=1) == {"uids": [2]}
        assert await api("getuserinfo", uid=1) == {"oinfo": "pub", "pinfo": "priv"}
        assert await api("getgroupinfo", gid=5) == {"oinfo": "group", "pinfo": ""}
        assert await api("getroominfo", rid=6) == {"oinfo": "", "pinfo": "room"}
        assert await api("dataget", uid=1, key="k") == {"val": "v"}
        assert await second.store.sessions(PID, 1) == [3]
        assert await api("getoption", uid=1) == {"p2p": {}, "group": {"5": [30]}}
        assert await api("isprojectban", uid=7) == {"ok": True}
        assert await api("isbanofgroup", gid=123, uid=8) == {"ok": True}
        assert await api("getroomcount", rids=[6, 7]) == {"cn": {"6": 1, "7": 1}}
        blocked = await User(second.client_endpoint, 2).login(api)
        assert await blocked.error("sendmsg", MSG, to=1, mid=1) == 200049
        await blocked.close()
    finally:
        await api.close()


def test_enforce_blocks_flag_of_rtm_server() -> None:
    parser = build_parser()
    off = config_from_args(parser.parse_args(["--db", ":memory:"]))
    on = config_from_args(parser.parse_args(["--db", ":memory:",
                                             "--enforce-blocks-on-server-api"]))
    assert (off.enforce_blocks_on_server_api, on.enforce_blocks_on_server_api) == (False, True)
