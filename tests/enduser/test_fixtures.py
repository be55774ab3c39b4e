"""The pytest plugin's end-user fixtures give typed clients and typed pushes, over TCP and
over WebSocket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from rtm.client import AsyncRTMServerClient, RTMServerClient
from rtm.enduser import AsyncEndUserClient, EndUserClient, Kickout, P2PMessage

pytestmark = pytest.mark.rtm_transports()


async def test_rtm_enduser_pushes_are_typed(
        rtm_async_client: AsyncRTMServerClient,
        rtm_enduser: Callable[..., Awaitable[AsyncEndUserClient]], rtm_transport: str) -> None:
    bob = await rtm_enduser(2, lang="fr", attrs={"app": "test"})
    assert bob.transport == rtm_transport
    await rtm_async_client.send_message(1, 2, 51, "hi", mid=7)
    push = await bob.next_push()
    assert isinstance(push, P2PMessage)
    assert (push.from_uid, push.to_uid, push.mid, push.message) == (1, 2, 7, "hi")
    assert (push.method, push.params["mid"]) == ("pushmsg", 7)  # the wire view stays
    await rtm_async_client.kickout(2)
    assert isinstance(await bob.next_push(), Kickout)


def test_rtm_blocking_enduser(rtm_client: RTMServerClient,
                              rtm_blocking_enduser: Callable[..., EndUserClient],
                              rtm_transport: str) -> None:
    alice, bob = rtm_blocking_enduser(1), rtm_blocking_enduser(2)
    assert alice.client.transport == bob.client.transport == rtm_transport
    assert alice.send_message(2, 51, "blocking", mid=3) > 0
    push = bob.next_push()
    assert isinstance(push, P2PMessage) and (push.from_uid, push.message) == (1, "blocking")
    assert rtm_client.get_online_users([1, 2]) == [1, 2]
