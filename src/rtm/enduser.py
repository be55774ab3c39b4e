"""A minimal end-user (client gate) RTM client, for tests, demos and tools.

Real apps use RTM's client SDKs; a backend's tests need something that logs in with a token
from :meth:`get_token` and receives what is pushed to a user. This speaks the client-gate
protocol of spec section 6 on the asyncio FPNN transport.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection

#: Pushes the client gate sends to a logged-in user (spec 6.3).
PUSH_METHODS = ("pushmsg", "pushgroupmsg", "pushroommsg", "pushbroadcastmsg", "kickout",
                "kickoutroom")


@dataclass(frozen=True, slots=True)
class Push:
    """One quest pushed by the gate: ``method`` and its params."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)


class AsyncEndUserClient:
    """An end user on the client gate.

    ``async with AsyncEndUserClient(gate, pid, uid, token) as user:``
    ``push = await user.next_push()``
    """

    def __init__(self, endpoint: str, pid: int, uid: int, token: str, *,
                 quest_timeout: float = 10.0) -> None:
        self.pid, self.uid, self.token = pid, uid, token
        self.pushes: asyncio.Queue[Push] = asyncio.Queue()
        self._fpnn = FPNNClient(endpoint, quest_timeout=quest_timeout)
        for method in PUSH_METHODS:
            self._fpnn.register(method, self._on_push)

    def _on_push(self, conn: FPNNConnection, quest: Quest) -> None:
        self.pushes.put_nowait(Push(quest.method, dict(quest.payload)))

    async def login(self) -> bool:
        """``auth`` with the token; False when the gate refuses it (then get a new token)."""
        answer = await self._fpnn.quest("auth", {"pid": self.pid, "uid": self.uid,
                                                 "token": self.token, "version": "rtm-py"})
        return bool(answer.get("ok"))

    async def next_push(self, timeout: float = 5.0) -> Push:
        """The next push received (raises TimeoutError when none arrives in time)."""
        return await asyncio.wait_for(self.pushes.get(), timeout)

    async def send_message(self, to_uid: int, mtype: int, message: str, *, mid: int,
                           attrs: str = "") -> int:
        answer = await self._fpnn.quest("sendmsg", {"to": to_uid, "mid": mid, "mtype": mtype,
                                                    "msg": message, "attrs": attrs})
        return int(answer.get("mtime", 0))

    async def quest(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Any other client-gate quest (``enterroom``, ``getonlineusers``, ``bye``...)."""
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
