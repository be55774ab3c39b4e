"""Friends, blocks (spec §3.5), users (§3.8) and data (§3.9) through the end-user client,
the same state seen through the server API."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import pytest

from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.server import ServerThread
from rtm.testing import new_project

from .common import (
    code,
    raw,
    refused,
)

Login = Callable[[int], Awaitable[AsyncEndUserClient]]


async def test_friends_shared_with_the_server_api(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice = await rtm_enduser(1)
    await alice.add_friends([3, 2, 4])
    assert await alice.get_friends() == [2, 3, 4]
    assert await rtm_async_client.get_friends(1) == [2, 3, 4]
    await alice.del_friends([3])
    assert await raw(alice, "getfriends") == {"uids": [2, 4]}
    await rtm_async_client.add_friends(1, [9])
    assert await alice.get_friends() == [2, 4, 9]
    # friendship is mutual (the server API's default); a stranger's list is untouched
    bob, carol = await rtm_enduser(2), await rtm_enduser(7)
    assert await bob.get_friends() == [1]
    assert await carol.get_friends() == []


async def test_friends_bad_input(rtm_enduser: Login) -> None:
    alice = await rtm_enduser(1)
    assert (await refused(alice, "addfriends"))[0] == 10009
    bad = await refused(alice, "addfriends", friends="2")
    assert bad[0] == 10010 and "friends" in bad[1]
    assert (await refused(alice, "addfriends", friends=[]))[0] == 200033
    assert (await refused(alice, "addfriends", friends=[0]))[0] == 200001
    assert (await refused(alice, "delfriends", friends=list(range(1, 102))))[0] == 200032
    with pytest.raises(ValueError):
        await alice.add_friends([0])
    assert await alice.get_friends() == []


async def test_blocks_refuse_the_blocked_sender(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    await alice.add_blacks([2, 5])
    assert await raw(alice, "getblacks") == {"uids": [2, 5]}
    assert await rtm_async_client.get_blacks(1) == [2, 5]
    assert await rtm_async_client.is_black(2, 1)
    assert await code(bob.send_message(1, 30, "hi")) == 200049
    await alice.send_message(2, 30, "still allowed")  # a block is one way
    await alice.del_blacks([2])
    assert await alice.get_blacks() == [5]
    assert await bob.send_message(1, 30, "hi") > 0
    assert (await refused(alice, "addblacks", blacks=[1, -2]))[0] == 200001


async def test_user_infos(rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    await alice.set_user_info("alice open", "alice private")
    info = await alice.get_user_info()
    assert (info.public_info, info.private_info) == ("alice open", "alice private")
    server_view = await rtm_async_client.get_user_info(1)
    assert server_view.private_info == "alice private"
    await alice.set_user_info(private_info="changed")  # the open info stays
    assert await raw(alice, "getuserinfo") == {"oinfo": "alice open", "pinfo": "changed"}
    # another user sees only the open info, and its own infos as getuserinfo
    assert await raw(bob, "getuseropeninfo", uids=[1, 2]) == {"info": {"1": "alice open"}}
    assert await bob.get_user_public_info([1, 7]) == {1: "alice open"}
    assert await raw(bob, "getuserinfo") == {"oinfo": "", "pinfo": ""}
    assert (await refused(alice, "setuserinfo", oinfo="x" * 65536))[0] == 200030
    assert (await refused(alice, "setuserinfo", pinfo=5))[0] == 10010
    assert (await alice.get_user_info()).public_info == "alice open"


async def test_server_time_and_online_users(rtm_enduser: Login) -> None:
    alice = await rtm_enduser(1)
    before = int(time.time() * 1000)
    answer = await raw(alice, "getservertime")
    # the in-process server runs on the wall clock: its time is this process's time
    assert before - 60_000 <= answer["mts"] <= int(time.time() * 1000) + 60_000
    assert await alice.get_server_time() >= answer["mts"]
    assert await alice.get_online_users([1, 2]) == [1]


async def test_data_is_the_server_api_data_of_the_uid(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    await alice.set_data("color", "blue")
    assert await raw(alice, "dataget", key="color") == {"val": "blue"}
    assert await rtm_async_client.get_data(1, "color") == "blue"
    assert await bob.get_data("color") is None  # bob's store is his own
    assert await raw(bob, "dataget", key="color") == {}
    await rtm_async_client.set_data(1, "size", "xl")
    assert await alice.get_data("size") == "xl"
    await alice.del_data("color")
    assert await rtm_async_client.get_data(1, "color") is None
    await alice.del_data("never set")
    assert (await refused(alice, "dataset", key="", val="v"))[0] == 200033
    assert (await refused(alice, "dataset", key="k" * 129, val="v"))[0] == 200030
    assert (await refused(alice, "dataset", key="k", val="v" * 65536))[0] == 200030
    assert (await refused(alice, "dataset", key="k"))[0] == 10009
    assert (await refused(alice, "dataget", key=3))[0] == 10010
    assert await alice.get_data("k") is None


async def test_another_project_sees_none_of_it(rtm_enduser: Login,
                                               rtm_server: ServerThread) -> None:
    alice = await rtm_enduser(1)
    await alice.add_friends([2])
    await alice.set_user_info("open", "private")
    await alice.set_data("k", "v")
    other = new_project(rtm_server)
    async with AsyncRTMServerClient(other.pid, other.secret, other.endpoint) as api:
        token = await api.get_token(1)
    async with AsyncEndUserClient(other.client_endpoint, other.pid, 1, token) as same_uid:
        assert await same_uid.get_friends() == []
        assert (await same_uid.get_user_info()).private_info == ""
        assert await same_uid.get_data("k") is None
        assert await same_uid.get_user_public_info([1]) == {}
    assert await alice.get_data("k") == "v"
