"""Sending (client spec §3.1): Unity's extras of the three sends are read like any param."""

from __future__ import annotations

from rtm import AsyncRTMServerClient

from .test_history import Login, raw, refused


async def test_unity_send_extras_are_accepted_and_type_checked(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient) -> None:
    user = await rtm_enduser(1)
    await rtm_async_client.add_group_members(5, [1])
    body = {"mid": 4401, "mtype": 51, "msg": "checked", "attrs": ""}
    sent = await raw(user, "sendgroupmsg", gid=5, strategyid="default", checkParams="{}", **body)
    bad = await refused(user, "sendmsg", to=2, strategyid=7, **{**body, "mid": 4402})
    assert bad.code == 10010 and "strategyid" in str(bad)
    page = await rtm_async_client.get_group_message(5, True, 10)
    assert [(m.mid, m.message, m.mtime) for m in page.messages] == [
        (4401, "checked", sent["mtime"])]
    assert (await rtm_async_client.get_p2p_message(1, 2, True, 10)).messages == []
