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

from .conftest import raw, refused

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
