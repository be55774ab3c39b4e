"""What the end-user tests share: raw quests whose answers are checked against the command's
description, the code of a refused call, and a check that no push is waiting. (Every gate
answer in the suite is also checked on the server side: ``ClientGate.check_answers``,
tests/conftest.py.)"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.enduser.commands import COMMANDS
from rtm.fpnn.errors import FPNNError


async def raw(user: AsyncEndUserClient, method: str, **params: Any) -> dict[str, Any]:
    """``method`` sent as is; its answer must match the command's description."""
    answer = await user.quest(method, params)
    assert COMMANDS[method].answer_problems(answer) == [], answer
    return answer


async def code(call: Awaitable[Any]) -> int:
    """The error code a call is refused with (fails when it succeeds)."""
    try:
        result = await call
    except FPNNError as exc:
        return exc.code
    raise AssertionError(f"expected an error answer, got {result!r}")


async def refused(user: AsyncEndUserClient, method: str, **params: Any) -> tuple[int, str]:
    """The (code, text) a raw quest is refused with."""
    try:
        answer = await user.quest(method, params)
    except FPNNError as exc:
        return exc.code, exc.message
    raise AssertionError(f"{method} expected an error answer, got {answer!r}")


async def nothing_pushed_before_a_marker(user: AsyncEndUserClient,
                                         admin: AsyncRTMServerClient) -> None:
    """No push is waiting for ``user``: a P2P marker sent now is the next push it gets
    (pushes to one connection keep the order they were sent in)."""
    mid = 987654321
    await admin.send_message(999, user.uid, 51, "marker", mid=mid)
    push = await user.next_push()
    assert (push.method, push.params["mid"]) == ("pushmsg", mid), push
