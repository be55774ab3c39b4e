"""Blocks, groups, rooms, users, admin, data and devices of the current API (spec current
§4.6 to §4.12) end to end: each SDK method, from the blocking and the asyncio client, against
the local server, with its stored semantics and its RTM errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rtm import (
    AsyncRTMServerClient,
    AuthDeniedError,
    BannedInGroupError,
    BannedInRoomError,
    BlockedUserError,
    DevicePushOptions,
    EmptyParameterError,
    FPNNError,
    LargeMessageOrAttrsError,
    MaxRoomCountError,
    ObjectInfo,
    PermissionDeniedError,
    PushOptionType,
    RTMServerClient,
)
from rtm.enduser import AsyncEndUserClient
from rtm.testing import RTMProject

Caller = Callable[..., Awaitable[Any]]


async def blocks_groups_rooms(call: Caller) -> None:
    # blocks: uid 1 blocks 2 and 3 (itself ignored)
    await call("add_blacks", 1, [2, 3, 1])
    assert await call("get_blacks", 1) == [2, 3]
    assert await call("is_black", 2, 1) is True  # 2 is blocked by 1
    assert await call("is_black", 1, 2) is False
    assert await call("is_blacks", 2, [1, 4]) == [1]
    await call("del_blacks", 1, [3, 99])
    assert await call("get_blacks", 1) == [2]

    # groups: count, infos (an absent value stays), bans on every group, clear
    await call("add_group_members", 10, [1, 2, 3])
    assert await call("get_group_count", 10) == 3
    assert await call("get_group_count", 11) == 0
    assert await call("get_group_info", 10) == ObjectInfo("", "")
    await call("set_group_info", 10, "public")
    await call("set_group_info", 10, None, "private")
    assert await call("get_group_info", 10) == ObjectInfo("public", "private")
    await call("add_group_ban", None, 2, 0)
    assert await call("is_ban_of_group", 10, 2) is True
    with pytest.raises(BannedInGroupError):
        await call("send_group_message", 2, 10, 51, "muted everywhere")
    await call("remove_group_ban", None, 2)
    assert await call("send_group_message", 2, 10, 51, "free again") > 0
    await call("clear_project_group")
    assert await call("get_group_members", 10) == []
    assert await call("get_group_info", 10) == ObjectInfo("", "")

    # rooms: bulk membership with what changed, counts, user rooms, infos, bans
    assert await call("add_room_members", 20, [1, 2]) == [1, 2]
    assert await call("get_room_members", 20) == [1, 2]
    assert await call("get_room_count", [20, 21]) == {20: 2, 21: 0}
    assert await call("del_room_members", 20, [2, 9]) == [2, 9]
    await call("add_user_rooms", [21, 22], 1)
    assert await call("get_room_count", [20, 21, 22]) == {20: 1, 21: 1, 22: 1}
    with pytest.raises(MaxRoomCountError):  # 3 + 8 > 10: all or nothing
        await call("add_user_rooms", list(range(30, 38)), 1)
    assert await call("add_room_members", 23, [1]) == [1]
    await call("delete_user_rooms", [21, 22, 23], 1)
    assert await call("get_room_count", [21, 23]) == {21: 0, 23: 0}
    await call("set_room_info", 20, "lobby")
    assert await call("get_room_info", 20) == ObjectInfo("lobby", "")
    await call("add_room_ban", None, 1, 60)
    assert await call("is_ban_of_room", 20, 1) is True
    with pytest.raises(BannedInRoomError):
        await call("send_room_message", 1, 20, 51, "muted")
    await call("remove_room_ban", 0, 1)
    assert await call("is_ban_of_room", 20, 1) is False


async def users_admin_data_devices(call: Caller) -> None:
    # user infos: only stored records are public
    await call("set_user_info", 1, "hello", "secret")
    await call("set_user_info", 2, None, "private only")
    assert await call("get_user_info", 1) == ObjectInfo("hello", "secret")
    assert await call("get_user_public_info", [1, 2, 3]) == {1: "hello", 2: ""}
    await call("add_sessions", 1, [2, 3])
    await call("remove_sessions", 1, [3])

    # project ban: every send refused with 200021, then lifted
    await call("add_project_ban", 1, 0)
    assert await call("is_project_ban", 1) is True
    assert await call("is_project_black", 1) is False
    with pytest.raises(PermissionDeniedError):
        await call("send_message", 1, 2, 51, "muted")
    assert await call("send_message", 2, 1, 51, "receiving works") > 0
    await call("remove_project_ban", 1)
    assert await call("send_message", 1, 2, 51, "speaking again") > 0

    # data store: None (no value) vs "" (an empty value); size limits
    assert await call("get_data", 1, "k") is None
    await call("set_data", 1, "k", "")
    assert await call("get_data", 1, "k") == ""
    await call("set_data", 1, "k", "v")
    assert await call("get_data", 1, "k") == "v"
    await call("del_data", 1, "k")
    await call("del_data", 1, "k")  # a missing key is fine
    assert await call("get_data", 1, "k") is None
    with pytest.raises(LargeMessageOrAttrsError):
        await call("set_data", 1, "k" * 129, "v")
    with pytest.raises(EmptyParameterError):
        await call("set_data", 1, "", "v")

    # push options: union, "every mtype" ([]), removal
    assert await call("get_device_push_option", 1) == DevicePushOptions({}, {})
    await call("add_device_push_option", 1, PushOptionType.P2P, 2, [32, 30])
    await call("add_device_push_option", 1, PushOptionType.P2P, 2, [41])
    await call("add_device_push_option", 1, PushOptionType.GROUP, 10)
    assert await call("get_device_push_option", 1) == DevicePushOptions(
        {2: [30, 32, 41]}, {10: []})
    await call("remove_device_push_option", 1, PushOptionType.P2P, 2, [30])
    await call("remove_device_push_option", 1, PushOptionType.GROUP, 10)
    assert await call("get_device_push_option", 1) == DevicePushOptions({2: [32, 41]}, {})


SCENARIOS = [blocks_groups_rooms, users_admin_data_devices]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
async def test_blocking_client(rtm_project: RTMProject, scenario: Any) -> None:
    client = RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint)

    async def call(name: str, *args: Any) -> Any:
        return await asyncio.to_thread(getattr(client, name), *args)

    try:
        await scenario(call)
    finally:
        client.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
async def test_asyncio_client(rtm_async_client: AsyncRTMServerClient, scenario: Any) -> None:
    async def call(name: str, *args: Any) -> Any:
        return await getattr(rtm_async_client, name)(*args)

    await scenario(call)


async def test_end_users_see_blocks_bans_and_token_removal(
        rtm_async_client: AsyncRTMServerClient, rtm_project: RTMProject,
        rtm_enduser: Callable[[int], Awaitable[AsyncEndUserClient]]) -> None:
    client = rtm_async_client
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    await client.add_blacks(2, [1])  # bob blocks alice
    with pytest.raises(FPNNError) as refused:  # the end-user client maps no RTM codes
        await alice.send_message(2, 51, "to bob", mid=1)
    assert refused.value.code == BlockedUserError.default_code
    assert await bob.send_message(1, 51, "bob can still write", mid=2) > 0
    push = await alice.next_push()
    assert (push.method, push.params["msg"]) == ("pushmsg", "bob can still write")
    # the server API is not filtered by default (the business server checks is_black)
    assert await client.is_black(1, 2) is True
    assert await client.send_message(1, 2, 51, "from the backend") > 0
    assert (await bob.next_push()).params["msg"] == "from the backend"
    await client.del_blacks(2, [1])
    assert await alice.send_message(2, 51, "unblocked", mid=3) > 0
    assert (await bob.next_push()).params["msg"] == "unblocked"

    # a project ban mutes alice on the gate but she stays logged in
    await client.add_project_ban(1, 0)
    with pytest.raises(FPNNError) as refused:
        await alice.send_message(2, 51, "muted", mid=4)
    assert refused.value.code == PermissionDeniedError.default_code
    assert alice.connected and await client.get_online_users([1]) == [1]
    await client.remove_project_ban(1)

    # after remove_token, no login until a new token
    old_token = await client.get_token(3)
    await client.remove_token(3)
    late = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, 3, old_token)
    try:
        assert await late.login() is False
    finally:
        await late.close()
    fresh = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, 3,
                               await client.get_token(3))
    try:
        assert await fresh.login() is True
    finally:
        await fresh.close()

    # unlike a project ban, the project black list refuses the login itself
    await client.add_project_black(4, 0)
    black = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, 4,
                               await client.get_token(4))
    try:
        with pytest.raises(FPNNError) as refused:
            await black.login()
        assert refused.value.code == AuthDeniedError.default_code
    finally:
        await black.close()
