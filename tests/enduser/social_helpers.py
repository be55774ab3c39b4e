"""What the end-user tests of §3.5-§3.13 share: raw quests, the code of a refused call, and a
fixture that checks every answer the client gets against its command's description (import it
into a test module to use it)."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from typing import Any

import pytest

from rtm.enduser import AsyncEndUserClient
from rtm.enduser.commands import COMMANDS
from rtm.fpnn.errors import FPNNError


@pytest.fixture(autouse=True)
def answers_match_their_descriptions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every answer a typed method receives must match its command's description."""
    send = AsyncEndUserClient._send

    async def checked(self: AsyncEndUserClient, step: Any) -> dict[str, Any]:
        answer = await send(self, step)
        command = COMMANDS.get(step.method)
        if command is not None:
            assert command.answer_problems(answer) == [], (step.method, answer)
        return answer

    monkeypatch.setattr(AsyncEndUserClient, "_send", checked)
    yield


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
