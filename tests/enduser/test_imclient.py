"""The IM library, client side (spec §3.13): friend requests, IM groups and rooms acted on by
end users, on the model the server API's ``imserver_*`` commands manage; IM events pushed as
messages whose attrs JSON Unity parses."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient, Push
from rtm.testing import RTMProject

from .common import (
    raw,
    refused,
)

Login = Callable[[int], Awaitable[AsyncEndUserClient]]


async def event(user: AsyncEndUserClient, method: str = "pushmsg") -> tuple[Push, dict[str, Any]]:
    """The next push (which must be ``method``) and its attrs JSON."""
    push = await user.next_push(timeout=10)
    assert push.method == method, push
    return push, json.loads(push.params["attrs"])


async def test_friend_requests(rtm_enduser: Login,
                               rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    api = rtm_async_client
    # bob accepts anyone (grant 0 by default): friends at once
    await raw(alice, "imclient_addfriend", ouid=2)
    assert await api.get_friends(1) == [2] and await api.get_friends(2) == [1]
    push, attrs = await event(bob)
    assert push.params["mtype"] == 6 and attrs == {"type": 15, "from": 1, "userId": 1,
                                                   "changeType": 1, "custom": ""}
    # carol wants to verify
    carol = await rtm_enduser(3)
    await api.imserver_set_apply_grant(0, 3, 1)
    await raw(alice, "imclient_addfriend", ouid=3, extra="it's alice", attrs="a1")
    push, attrs = await event(carol)
    assert push.params["msg"] == "it's alice" and push.params["from"] == 1
    assert attrs == {"type": 1, "from": 1, "custom": "a1"}
    assert await api.get_friends(3) == []
    applies = await raw(carol, "imclient_getfriendapplylist")
    assert applies["fromUid"] == [1] and applies["status"] == [0]
    assert applies["grantExtra"] == ["it's alice"] and applies["attrs"] == ["a1"]
    requests = await raw(alice, "imclient_getfriendrequestlist")
    assert requests["targetXid"] == [3] and requests["attrs"] == ["a1"]
    # only carol acknowledges, and only a pending request
    assert (await refused(bob, "imclient_ackaddfriend", ouid=1, agree=True))[0] == 200034
    await raw(carol, "imclient_ackaddfriend", ouid=1, agree=True, attrs="welcome")
    _, attrs = await event(alice)
    assert attrs == {"type": 21, "from": 3, "userId": 3, "custom": "welcome"}
    assert await api.get_friends(1) == [2, 3]
    assert (await raw(carol, "imclient_getfriendapplylist"))["status"] == [1]
    assert (await raw(alice, "imclient_getfriendrequestlist"))["targetXid"] == []
    assert (await refused(carol, "imclient_ackaddfriend", ouid=1, agree=True))[0] == 200034
    # nobody (2) refuses; the password (3) lets in with the right extra only
    await api.imserver_set_apply_grant(0, 4, 2)
    assert (await refused(alice, "imclient_addfriend", ouid=4))[0] == 200021
    await api.imserver_set_apply_grant(0, 5, 3, "secret")
    assert (await refused(alice, "imclient_addfriend", ouid=5, extra="guess"))[0] == 200021
    await raw(alice, "imclient_addfriend", ouid=5, extra="secret")
    assert 5 in await api.get_friends(1)
    # blocks and oneself
    await api.add_blacks(6, [1])
    assert (await refused(alice, "imclient_addfriend", ouid=6))[0] == 200049
    assert (await refused(alice, "imclient_addfriend", ouid=1))[0] == 200034
    assert (await refused(alice, "imclient_addfriend"))[0] == 10009


async def test_refused_friend_request_and_aliases(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    await rtm_async_client.imserver_set_apply_grant(0, 2, 1)
    await raw(alice, "imclient_addfriend", ouid=2)
    await event(bob)
    await raw(bob, "imclient_ackaddfriend", ouid=1, agree=False)
    _, attrs = await event(alice)
    assert attrs["type"] == 2 and attrs["userId"] == 2
    assert await rtm_async_client.get_friends(1) == []
    assert (await refused(alice, "imclient_setfriendalias", target_uid=2,
                          alias="bobby"))[0] == 200043
    await rtm_async_client.add_friends(1, [2])
    await raw(alice, "imclient_setfriendalias", target_uid=2, alias="bobby")
    assert await raw(alice, "imclient_getfriendalias", target_uid=2) == {"val": "bobby"}
    assert await raw(bob, "imclient_getfriendalias", target_uid=1) == {"val": ""}
    assert (await refused(alice, "imclient_setfriendalias", target_uid=2,
                          alias="x" * 257))[0] == 200030


async def test_user_infos(rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    alice = await rtm_enduser(1)
    await rtm_async_client.imserver_set_user_infos(2, {"nick": "Bob", "portraitUrl": "u",
                                                       "customData": "cd"})
    await rtm_async_client.imserver_set_apply_grant(0, 2, 1)
    assert await raw(alice, "imclient_getuserinfo", other_uid=2) == {
        "name": "Bob", "portraitUrl": "u", "profile": "", "attrs": "cd", "applyGrant": 1}
    assert await raw(alice, "imclient_getuserinfos", uids=[2, 3]) == {
        "uid": [2, 3], "name": ["Bob", ""], "portraitUrl": ["u", ""], "profile": ["", ""],
        "attrs": ["cd", ""], "applyGrant": [1, 0]}


async def test_disabled_and_bad_input(rtm_enduser: Login, rtm_project: RTMProject) -> None:
    alice = await rtm_enduser(1)
    assert (await refused(alice, "imclient_getuserinfos", uids=[]))[0] == 200033
    bad = await refused(alice, "imclient_joingroup", gid="7")
    assert bad[0] == 10010 and "gid" in bad[1]
    assert (await refused(alice, "imclient_getgrouproomnick", type=3, xid=1,
                          uids=[1]))[0] == 200034
    rtm_project.services.disable("imlib")
    assert (await refused(alice, "imclient_getuserinfo", other_uid=2))[0] == 200060
    assert (await refused(alice, "imclient_joinroom", rid=5))[0] == 200060


async def test_group_applications_invitations_and_roles(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    api = rtm_async_client
    owner, ann, ben, cid = (await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(3),
                            await rtm_enduser(4))
    assert (await refused(ann, "imclient_joingroup", gid=50))[0] == 200034  # no IM group
    await api.imserver_create_group(50, 1, {"name": "Fifty", "profile": "p"},
                                    {"type": "1"})
    info = await raw(ann, "imclient_getgroupinfo", gid=50)
    assert info == {"name": "Fifty", "portraitUrl": "", "profile": "p", "attrs": "",
                    "ownerUid": 1, "applyGrant": 1, "inviteGrant": 0, "managerUids": []}
    # apply, the owner acknowledges
    await raw(ann, "imclient_joingroup", gid=50, extra="let me in", attrs="x")
    push, attrs = await event(owner)
    assert push.params["msg"] == "let me in"
    assert attrs == {"type": 3, "from": 2, "groupId": 50, "invitedUid": 0, "custom": "x"}
    assert (await raw(ann, "imclient_getgrouprequestlist"))["targetXid"] == [50]
    assert (await refused(ben, "imclient_ackjoingroup", gid=50, **{"from": 2},
                          agree=True))[0] == 200041
    applies = await raw(owner, "imclient_getgroupapplylist", gid=50)
    assert applies["fromUid"] == [2] and applies["inviteUid"] == [0]
    await raw(owner, "imclient_ackjoingroup", gid=50, agree=True, **{"from": 2})
    _, attrs = await event(ann)
    assert attrs["type"] == 22 and attrs["groupId"] == 50
    assert await api.get_group_members(50) == [1, 2]
    _, attrs = await event(ann, "pushgroupmsg")  # the member change, to the group
    assert attrs == {"type": 19, "groupId": 50, "from": 2, "changeType": 1}
    # invitations: members may not invite (invite_type 0) until a manager does
    assert (await refused(ann, "imclient_inviteintogroup", gid=50,
                          target_uids=[3]))[0] == 200021
    await raw(owner, "imclient_addgroupmanagers", gid=50, uids=[2])
    _, attrs = await event(ann, "pushgroupmsg")
    assert attrs["type"] == 26 and attrs["managers"] == [2]
    await raw(ann, "imclient_inviteintogroup", gid=50, target_uids=[3, 4], extra="join us")
    push, attrs = await event(ben)
    assert attrs == {"type": 5, "from": 2, "groupId": 50, "custom": ""}
    assert push.params["msg"] == "join us"
    invites = await raw(ben, "imclient_getgroupinvitelist")
    assert invites["targetXid"] == [50] and invites["fromXid"] == [2]
    await raw(ben, "imclient_ackinviteintogroup", gid=50, agree=True, **{"from": 2})
    await raw(cid, "imclient_ackinviteintogroup", gid=50, agree=False, **{"from": 2})
    assert await api.get_group_members(50) == [1, 2, 3]
    assert (await raw(cid, "imclient_getgroupinvitelist"))["targetXid"] == []
    members = await raw(ben, "imclient_getgroupmembers", gid=50)
    assert members["data"] == [{"uid": "1", "role": "0", "online": "1"},
                               {"uid": "2", "role": "1", "online": "1"},
                               {"uid": "3", "role": "2", "online": "1"}]
    assert await raw(ben, "imclient_getgroupmembercount", gid=50) == {"cn": 3}
    assert (await refused(cid, "imclient_getgroupmembers", gid=50))[0] == 200041
    # bans: a manager bans a member, not the owner; seen by the server API
    await raw(ann, "imclient_addgroupmemberban", gid=50, to_uid=3, ban_time=60)
    assert await api.is_ban_of_group(50, 3)
    assert (await refused(ann, "imclient_addgroupmemberban", gid=50, to_uid=1,
                          ban_time=60))[0] == 200021
    await raw(ann, "imclient_removegroupmemberban", gid=50, to_uid=3)
    assert not await api.is_ban_of_group(50, 3)
    # nicknames of members
    await api.imserver_set_user_infos(3, {"nick": "Benny"})
    assert await raw(ann, "imclient_getgrouproomnick", type=1, xid=50, uids=[3, 4]) == {
        "data": {"3": "Benny"}}
    # removal, transfer, leave, dismissal
    assert (await refused(ben, "imclient_removegroupmembers", gid=50,
                          uids=[2]))[0] == 200021
    await raw(ann, "imclient_removegroupmembers", gid=50, uids=[3])
    assert await api.get_group_members(50) == [1, 2]
    assert (await refused(owner, "imclient_leavegroup", gid=50))[0] == 200021
    await raw(owner, "imclient_transfergroup", gid=50, to_uid=2)
    assert (await raw(ann, "imclient_getgroupinfo", gid=50))["ownerUid"] == 2
    infos = await raw(cid, "imclient_getgroupinfos", gids=[50, 51])
    assert infos["xid"] == [50, 51] and infos["ownerUid"] == [2, 0]
    await raw(owner, "imclient_leavegroup", gid=50)
    assert (await refused(owner, "imclient_dismissgroup", gid=50))[0] == 200041
    await raw(ann, "imclient_dismissgroup", gid=50)
    assert await api.get_group_members(50) == []


async def test_rooms(rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    api = rtm_async_client
    first, second, third = await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(3)
    # the first to enter an empty room owns it
    await raw(first, "imclient_joinroom", rid=70)
    await raw(second, "imclient_joinroom", rid=70)
    assert await api.get_room_members(70) == [1, 2]
    info = await raw(third, "imclient_getroominfo", rid=70)
    assert info["ownerUid"] == 1 and info["extra"] == ""
    _, attrs = await event(first, "pushroommsg")
    assert attrs == {"type": 20, "roomId": 70, "from": 2, "changeType": 1}
    await api.imserver_set_apply_grant(2, 70, 1)
    await raw(third, "imclient_joinroom", rid=70)
    _, attrs = await event(first)
    assert attrs["type"] == 3 and attrs["roomId"] == 70
    await raw(first, "imclient_ackjoinroom", rid=70, agree=True, **{"from": 3})
    assert await api.get_room_members(70) == [1, 2, 3]
    members = await raw(third, "imclient_getroommembers", rid=70)
    assert [m["role"] for m in members["data"]] == ["0", "2", "2"]
    await raw(first, "imclient_removeroommembers", rid=70, uids=[3])
    assert await api.get_room_members(70) == [1, 2]
    assert (await raw(first, "imclient_getroomapplylist", rid=70))["status"] == [1]
    await raw(first, "imclient_dismissroom", rid=70)
    assert await api.get_room_members(70) == []
    assert (await raw(third, "imclient_getroominfos", rids=[70]))["ownerUid"] == [0]


async def test_typed_methods(rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    api = rtm_async_client
    owner, ann, ben = await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(3)
    await api.imserver_set_apply_grant(0, 2, 1)
    await owner.imclient_add_friend(2, extra="hi", attrs="a")
    [apply] = await ann.imclient_get_friend_apply_list()
    assert (apply.uid, apply.status, apply.extra, apply.attrs) == (1, 0, "hi", "a")
    assert [r.xid for r in await owner.imclient_get_friend_request_list()] == [2]
    await ann.imclient_ack_add_friend(1, True)
    await owner.imclient_set_friend_alias(2, "Annie")
    assert await owner.imclient_get_friend_alias(2) == "Annie"
    await api.imserver_set_user_infos(2, {"name": "Ann"})
    info = await owner.imclient_get_user_info(2)
    assert (info.name, info.apply_grant) == ("Ann", 1)
    assert [(u.uid, u.name) for u in await owner.imclient_get_user_infos([2, 3])] == [
        (2, "Ann"), (3, "")]
    for space, xid in (("group", 60), ("room", 61)):
        if space == "group":
            await api.imserver_create_group(xid, 1, {"name": "G"}, {"type": "1"})
        else:
            await owner.imclient_join_room(xid)
            await api.imserver_set_apply_grant(2, xid, 1)
        join = getattr(ann, f"imclient_join_{space}")
        await join(xid, extra="me")
        assert [r.xid for r in await getattr(ann, f"imclient_get_{space}_request_list")()] == [
            xid]
        [application] = await getattr(owner, f"imclient_get_{space}_apply_list")(xid)
        assert (application.uid, application.invite_uid, application.extra) == (2, 0, "me")
        await getattr(owner, f"imclient_ack_join_{space}")(xid, 2, True)
        await getattr(owner, f"imclient_add_{space}_managers")(xid, [2])
        await getattr(ann, f"imclient_invite_into_{space}")(xid, [3])
        [invitation] = await getattr(ben, f"imclient_get_{space}_invite_list")()
        assert (invitation.xid, invitation.from_uid) == (xid, 2)
        await getattr(ben, f"imclient_ack_invite_into_{space}")(xid, 2, True)
        members = await getattr(ben, f"imclient_get_{space}_members")(xid)
        assert [(m.uid, m.role) for m in members] == [(1, 0), (2, 1), (3, 2)]
        assert all((m.online is None) == (space == "room") for m in members)
        assert await getattr(ben, f"imclient_get_{space}_member_count")(xid) == 3
        await getattr(ann, f"imclient_add_{space}_member_ban")(xid, 3, 0)
        await getattr(ann, f"imclient_remove_{space}_member_ban")(xid, 3)
        await getattr(owner, f"imclient_remove_{space}_managers")(xid, [2])
        await getattr(owner, f"imclient_remove_{space}_members")(xid, [3])
        await getattr(owner, f"imclient_transfer_{space}")(xid, 2)
        got = await getattr(ben, f"imclient_get_{space}_info")(xid)
        assert (got.owner_uid, got.manager_uids) == (2, [])
        [listed] = await getattr(ben, f"imclient_get_{space}_infos")([xid])
        assert (listed.xid, listed.owner_uid) == (xid, 2)
        assert await owner.imclient_get_group_room_nick(1 if space == "group" else 2, xid,
                                                        [2]) == {2: "Ann"}
        await getattr(owner, f"imclient_leave_{space}")(xid)
        await getattr(ann, f"imclient_dismiss_{space}")(xid)
    assert await api.get_group_members(60) == [] and await api.get_room_members(61) == []
