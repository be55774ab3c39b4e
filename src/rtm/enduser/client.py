"""The end-user client: logs in on the client gate with a token and speaks the client
protocol (``rtm-client-api.md``) on the asyncio FPNN transport.

Every method is built once from its command's description (:mod:`rtm.enduser.methods`) and
runs here through :meth:`AsyncEndUserClient._execute`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rtm.api.call import AsyncExecutor, Call, run_call_async
from rtm.api.signing import SnowflakeMidGenerator
from rtm.enduser.commands import session as session_cmd
from rtm.enduser.methods import EndUserMethods
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection

R = TypeVar("R")

#: Pushes the client gate sends to a logged-in user (spec §5).
PUSH_METHODS = ("pushmsg", "pushgroupmsg", "pushroommsg", "pushbroadcastmsg", "kickout",
                "kickoutroom")


@dataclass(frozen=True, slots=True)
class Push:
    """One quest pushed by the gate: ``method`` and its params."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)


class AsyncEndUserClient(EndUserMethods, AsyncExecutor):
    """An end user on the client gate.

    ``async with AsyncEndUserClient(gate, pid, uid, token) as user:``
    ``push = await user.next_push()``
    """

    def __init__(self, endpoint: str, pid: int, uid: int, token: str, *,
                 quest_timeout: float = 10.0, version: str = "rtm-py",
                 lang: str | None = None, attrs: dict[str, str] | None = None) -> None:
        self.pid, self.uid, self.token = pid, uid, token
        self._pid, self._uid = pid, uid
        self._mids = SnowflakeMidGenerator()
        self.version, self.lang, self.attrs = version, lang, attrs
        self.pushes: asyncio.Queue[Push] = asyncio.Queue()
        self._fpnn = FPNNClient(endpoint, quest_timeout=quest_timeout)
        for method in PUSH_METHODS:
            self._fpnn.register(method, self._on_push)

    def _on_push(self, conn: FPNNConnection, quest: Quest) -> None:
        self.pushes.put_nowait(Push(quest.method, dict(quest.payload)))

    async def _execute(self, call: Call[R]) -> R:
        return await run_call_async(call, self._send)

    async def _send(self, step: Call[Any]) -> dict[str, Any]:
        if step.endpoint is not None:  # a file-gate quest: its own short-lived connection
            files = FPNNClient(step.endpoint, quest_timeout=self._fpnn.quest_timeout)
            try:
                return await files.quest(step.method, step.params, timeout=step.timeout)
            finally:
                await files.close()
        return await self._fpnn.quest(step.method, step.params, timeout=step.timeout)

    async def login(self) -> bool:
        """``auth`` with the token; False when the gate refuses it (then get a new token)."""
        params = session_cmd.AUTH.quest(
            "login", pid=self.pid, uid=self.uid, token=self.token, version=self.version,
            lang=self.lang, attrs=self.attrs)
        answer = await self._fpnn.quest("auth", params)
        return bool(answer.get("ok"))

    async def next_push(self, timeout: float = 5.0) -> Push:
        """The next push received (raises TimeoutError when none arrives in time)."""
        return await asyncio.wait_for(self.pushes.get(), timeout)

    async def quest(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Any client-gate quest by its wire name, unchecked (for tests of the gate)."""
        return await self._fpnn.quest(method, params or {})

    @property
    def connected(self) -> bool:
        return self._fpnn.connected

    async def wait_closed(self, timeout: float = 5.0) -> None:
        """Wait until the gate closes the connection (after a kickout, for example)."""
        conn = self._fpnn.connection
        if conn is not None:
            await asyncio.wait_for(asyncio.shield(conn.closed_future), timeout)

    async def close(self) -> None:
        await self._fpnn.close()

    async def __aenter__(self) -> AsyncEndUserClient:
        if not await self.login():
            await self.close()
            raise PermissionError(f"the gate refused the token of uid {self.uid}")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
