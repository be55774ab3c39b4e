"""Groups (spec §3.6) and rooms (§3.7) through the end-user client: membership rules, infos,
counts, the same state seen through the server API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.enduser.methods.groups import GroupCount, GroupMembers

from .common import (
    code,
    raw,
    refused,
)

Login = Callable[[int], Awaitable[AsyncEndUserClient]]


async def test_group_membership(rtm_enduser: Login,
                                rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob, eve = await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(9)
    # a group without members is founded by its first adder, who joins it
    await alice.add_group_members(10, [2, 3])
    assert await rtm_async_client.get_group_members(10) == [1, 2, 3]
    assert await raw(alice, "getgroupmembers", gid=10) == {"uids": [1, 2, 3]}
    assert await raw(alice, "getgroupmembers", gid=10, online=True) == {
        "uids": [1, 2, 3], "onlines": [1, 2]}
    assert await bob.get_group_members(10, online=True) == GroupMembers([1, 2, 3], [1, 2])
    assert await raw(bob, "getgroupcount", gid=10) == {"cn": 3}
    assert await bob.get_group_count(10, online=True) == GroupCount(3, 2)
    assert await raw(bob, "getusergroups") == {"gids": [10]}
    # an outsider neither reads nor changes the membership
    assert await code(eve.get_group_members(10)) == 200041
    assert await code(eve.get_group_count(10)) == 200041
    assert await code(eve.add_group_members(10, [9])) == 200041
    assert await code(eve.del_group_members(10, [2])) == 200041
    assert await rtm_async_client.get_group_members(10) == [1, 2, 3]
    # a member does
    await bob.del_group_members(10, [3])
    await rtm_async_client.add_group_members(10, [9])
    assert await eve.get_user_groups() == [10]
    assert (await eve.get_group_members(10)).uids == [1, 2, 9]
    assert (await refused(alice, "addgroupmembers", gid=10, uids=[]))[0] == 200033
    assert (await refused(alice, "addgroupmembers", gid=0, uids=[2]))[0] == 200001
    bad = await refused(alice, "getgroupmembers", gid=10, online="yes")
    assert bad[0] == 10010 and "online" in bad[1]


async def test_group_infos(rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice, eve = await rtm_enduser(1), await rtm_enduser(9)
    await rtm_async_client.add_group_members(10, [1])
    await alice.set_group_info(10, "open 10", "private 10")
    info = await rtm_async_client.get_group_info(10)
    assert (info.public_info, info.private_info) == ("open 10", "private 10")
    assert await raw(alice, "getgroupinfo", gid=10) == {"oinfo": "open 10",
                                                        "pinfo": "private 10"}
    await rtm_async_client.set_group_info(11, public_info="open 11")
    # anyone reads the open info; only members the private one, and only members change them
    assert await raw(eve, "getgroupopeninfo", gid=10) == {"oinfo": "open 10"}
    assert await eve.get_group_open_info(12) == ""
    assert await raw(eve, "getgroupsopeninfo", gids=[10, 11, 12]) == {
        "info": {"10": "open 10", "11": "open 11"}}
    assert await eve.get_groups_open_info([11]) == {11: "open 11"}
    assert await code(eve.get_group_info(10)) == 200041
    assert await code(eve.set_group_info(10, "defaced")) == 200041
    assert (await alice.get_group_info(10)).public_info == "open 10"
    assert (await refused(alice, "setgroupinfo", gid=10, pinfo="p" * 65536))[0] == 200030


async def test_rooms(rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    answer = await raw(alice, "enterrooms", rids=[20, 21, 20])
    assert answer == {"successedRids": [20, 21], "failedRids": []}
    await bob.enter_room(20)
    assert await rtm_async_client.get_room_members(20) == [1, 2]
    assert await raw(alice, "getroommembers", rid=20) == {"uids": [1, 2]}
    assert await bob.get_room_members(20) == [1, 2]
    assert await code(bob.get_room_members(21)) == 200040
    # counts are open; string keys on the wire
    assert await raw(bob, "getroomcount", rids=[20, 21, 22]) == {
        "cn": {"20": 2, "21": 1, "22": 0}}
    assert await bob.get_room_count([21]) == {21: 1}
    # the room limit (10 rooms, the server API's) refuses the rest, room by room
    result = await alice.enter_rooms(list(range(30, 40)))
    assert result.entered == list(range(30, 38)) and result.failed == [38, 39]
    assert await alice.get_user_rooms() == [20, 21, *range(30, 38)]
    assert await rtm_async_client.get_room_count([38]) == {38: 0}
    assert (await refused(alice, "enterrooms", rids=[]))[0] == 200033


async def test_room_infos_and_last_messages(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice, eve = await rtm_enduser(1), await rtm_enduser(9)
    await alice.enter_rooms([20, 21, 22])
    await alice.set_room_info(20, "open 20", "private 20")
    info = await rtm_async_client.get_room_info(20)
    assert (info.public_info, info.private_info) == ("open 20", "private 20")
    assert await raw(alice, "getroominfo", rid=20) == {"oinfo": "open 20",
                                                       "pinfo": "private 20"}
    assert await raw(eve, "getroomopeninfo", rid=20) == {"oinfo": "open 20"}
    assert await raw(eve, "getroomsopeninfo", rids=[20, 21]) == {"info": {"20": "open 20"}}
    assert await eve.get_rooms_open_info([20]) == {20: "open 20"}
    assert await code(eve.get_room_info(20)) == 200040
    assert await code(eve.set_room_info(20, private_info="x")) == 200040
    assert (await alice.get_room_info(20)).private_info == "private 20"
    # the newest message of each room the caller is in
    await alice.send_room_message(20, 30, "first", mid=1)
    await alice.send_room_message(20, 51, "second", mid=2)
    await alice.send_room_message(21, 30, "only", mid=3)
    await rtm_async_client.add_room_member(23, 2)
    await rtm_async_client.send_room_message(2, 23, 30, "not alice's room")
    answer = await raw(alice, "getuserroomsandlastmsg")
    assert set(answer["rooms"]) == {"20", "21"}
    row = answer["rooms"]["20"]
    assert row[1:4] == [1, 51, 2] and row[5] == "second"
    last = await alice.get_user_rooms_and_last_message([30])
    assert {rid: m.message for rid, m in last.items()} == {20: "first", 21: "only"}
    assert last[20].from_uid == 1 and last[20].mid == 1
    bad = await refused(alice, "getuserroomsandlastmsg", mtypes=[300])
    assert bad[0] == 10010 and "mtypes" in bad[1]
