"""Testing your backend with the SDK's pytest plugin (installed with the SDK).

Run with ``pytest examples/test_with_pytest_plugin.py``: the plugin starts a local RTM server
once per session and gives every test a fresh project, so tests never see each other's
data. Fixtures: ``rtm_server``, ``rtm_project``, ``rtm_client``, ``rtm_async_client``,
``rtm_enduser``.
"""

import pytest

from rtm import NotGroupMemberError, RTMServerClient

BOT = 9000  # the uid our backend posts as


def welcome_new_member(client: RTMServerClient, group_id: int, uid: int) -> int:
    """The code under test: add a user to a group and greet them there."""
    client.add_group_members(group_id, [uid])
    return client.send_group_message(BOT, group_id, 30, f"welcome, user {uid}!")


def test_welcome_message(rtm_client: RTMServerClient) -> None:
    rtm_client.add_group_members(77, [BOT])  # the bot is a member
    welcome_new_member(rtm_client, 77, 42)
    assert rtm_client.is_group_member(77, 42)
    page = rtm_client.get_group_message(77, True, 1, 0, 0, 0)
    assert page.messages[0].message == "welcome, user 42!"


def test_outsiders_cannot_post(rtm_client: RTMServerClient) -> None:
    with pytest.raises(NotGroupMemberError):
        rtm_client.send_group_message(5, 77, 30, "hi")


@pytest.mark.asyncio
async def test_the_user_receives_it(rtm_client: RTMServerClient, rtm_enduser) -> None:
    user = await rtm_enduser(42)  # logged in on the client gate with a fresh token
    rtm_client.add_group_members(78, [BOT])
    welcome_new_member(rtm_client, 78, 42)
    push = await user.next_push()
    assert push.method == "pushgroupmsg"
    # chat (mtype 30) reaches end users as {source, target, sourceText, targetText}
    assert push.params["msg"]["sourceText"] == "welcome, user 42!"
