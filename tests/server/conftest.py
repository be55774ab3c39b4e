"""Fixtures for the local RTM server tests: a server on free ports, a signed server-API
client, and client-gate users that record their pushes."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from helpers import async_wait_until
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.errors import FPNNError
from rtm.server import RTMServer, ServerConfig

PID = 11000001
SECRET = "secret-key-123"

_salts = itertools.count(time.time_ns())


def sign_v1(pid: int, secret: str, salt: int) -> str:
    return hashlib.md5(f"{pid}:{secret}:{salt}".encode()).hexdigest().upper()


def sign_v2(pid: int, secret: str, salt: int, cmd: str, ts: int) -> str:
    return hashlib.md5(f"{pid}:{secret}:{salt}:{cmd}:{ts}".encode()).hexdigest().upper()


def file_sign(content: bytes, token: str) -> str:
    inner = hashlib.md5(content).hexdigest()
    return hashlib.md5(f"{inner}:{token}".encode()).hexdigest()


class Clock:
    """Wall clock plus an adjustable offset (ms): monotonic enough for history, and bans or
    tokens can be expired by moving it forward."""

    def __init__(self) -> None:
        self.offset = 0

    def __call__(self) -> int:
        return time.time_ns() // 1_000_000 + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += int(seconds * 1000)


class Recorder:
    """Push handler that answers {} and queues (method, payload)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.all: list[tuple[str, dict[str, Any]]] = []

    def handler(self, conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        self.all.append((quest.method, quest.payload))
        self.queue.put_nowait((quest.method, quest.payload))
        return {}

    async def next(self, timeout: float = 3.0) -> tuple[str, dict[str, Any]]:
        return await asyncio.wait_for(self.queue.get(), timeout)

    async def nothing(self, server: RTMServer) -> None:
        """Assert that nothing was pushed here: once ``server`` has no push in flight, every
        push it started was answered, and this recorder records a push before answering it.
        (A push starts while its quest is handled, before the quest's answer.)"""
        await settled(server)
        assert self.queue.empty(), f"unexpected push {self.queue.get_nowait()}"


async def settled(server: RTMServer, timeout: float = 10.0) -> None:
    """Wait until ``server`` has no push (or other background delivery) in flight."""
    hub = server.core.hub
    await async_wait_until(lambda: not hub._tasks, timeout,
                           what="the server's pushes in flight to finish")


class API:
    """A signed server-API client (v1 signature unless ``ts`` is given or ``v2=True``)."""

    def __init__(self, endpoint: str, pid: int = PID, secret: str = SECRET,
                 *, v2: bool = False) -> None:
        self.client = FPNNClient(endpoint)
        self.pid = pid
        self.secret = secret
        self.v2 = v2
        self.pushes = Recorder()
        for method in ("pushmsg", "pushgroupmsg", "pushroommsg", "pushevent"):
            self.client.register(method, self.pushes.handler)

    def signed(self, method: str, params: dict[str, Any] | None = None, /,
               **kw: Any) -> dict[str, Any]:
        payload = {**(params or {}), **kw}
        salt = next(_salts)
        payload.setdefault("pid", self.pid)
        if self.v2 or "ts" in payload:
            ts = payload.setdefault("ts", int(time.time()))
            payload.setdefault("salt", salt)
            payload.setdefault("sign", sign_v2(self.pid, self.secret, payload["salt"], method,
                                               ts))
        else:
            payload.setdefault("salt", salt)
            payload.setdefault("sign", sign_v1(self.pid, self.secret, payload["salt"]))
        return payload

    async def __call__(self, method: str, params: dict[str, Any] | None = None, /,
                       **kw: Any) -> dict[str, Any]:
        return await self.client.quest(method, self.signed(method, params, **kw))

    async def error(self, method: str, params: dict[str, Any] | None = None, /,
                    **kw: Any) -> int:
        """The error code the quest is answered with (fails if it succeeds)."""
        try:
            answer = await self(method, params, **kw)
        except FPNNError as exc:
            return exc.code
        raise AssertionError(f"{method} succeeded: {answer}")

    async def raw(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send ``payload`` exactly as given (no pid/salt/sign added)."""
        return await self.client.quest(method, payload)

    async def raw_error(self, method: str, payload: dict[str, Any]) -> int:
        try:
            answer = await self.raw(method, payload)
        except FPNNError as exc:
            return exc.code
        raise AssertionError(f"{method} succeeded: {answer}")

    async def drop(self) -> None:
        """Close the current connection only: the next call opens a new one."""
        conn = self.client.connection
        if conn is not None:
            conn.close()

    async def close(self) -> None:
        await self.client.close()


class User:
    """A client-gate connection logged in as ``uid``."""

    def __init__(self, endpoint: str, uid: int) -> None:
        self.uid = uid
        self.client = FPNNClient(endpoint)
        self.pushes = Recorder()
        self.conn: FPNNConnection | None = None
        self.peer = ""
        for method in ("pushmsg", "pushgroupmsg", "pushroommsg", "pushbroadcastmsg",
                       "kickout", "kickoutroom"):
            self.client.register(method, self.pushes.handler)

    async def login(self, api: API) -> User:
        token = (await api("gettoken", uid=self.uid))["token"]
        answer = await self.client.quest("auth", {"pid": api.pid, "uid": self.uid,
                                                  "token": token})
        assert answer == {"ok": True}
        self.conn = self.client.connection
        self.peer = self._local_address(self.conn)
        return self

    async def __call__(self, method: str, params: dict[str, Any] | None = None, /,
                       **kw: Any) -> dict[str, Any]:
        return await self.client.quest(method, {**(params or {}), **kw})

    async def error(self, method: str, params: dict[str, Any] | None = None, /,
                    **kw: Any) -> int:
        try:
            answer = await self(method, params, **kw)
        except FPNNError as exc:
            return exc.code
        raise AssertionError(f"{method} succeeded: {answer}")

    @staticmethod
    def _local_address(conn: FPNNConnection | None) -> str:
        """The connection's local "ip:port", i.e. its endpoint as the server sees it."""
        assert conn is not None and conn._transport is not None
        host, port = conn._transport.get_extra_info("sockname")[:2]
        return f"{host}:{port}"

    async def closed(self, timeout: float = 3.0) -> None:
        """Wait until the server has closed this user's connection."""
        assert self.conn is not None
        await asyncio.wait_for(asyncio.shield(self.conn.closed_future), timeout)

    async def close(self) -> None:
        await self.client.close()


def config_for(clock: Clock, **overrides: Any) -> ServerConfig:
    base: dict[str, Any] = {
        "port": 0, "client_port": 0, "file_port": 0,
        "projects": {PID: SECRET}, "now_ms": clock, "push_timeout": 2.0,
    }
    base.update(overrides)
    return ServerConfig(**base)


@pytest.fixture
def clock() -> Clock:
    return Clock()


ServerFactory = Callable[..., Awaitable[RTMServer]]


@pytest.fixture
async def make_server(clock: Clock) -> AsyncIterator[ServerFactory]:
    servers: list[RTMServer] = []

    async def make(**overrides: Any) -> RTMServer:
        server = RTMServer(config_for(clock, **overrides))
        await server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        await server.close()


@pytest.fixture
async def server(make_server: ServerFactory) -> RTMServer:
    return await make_server()


@pytest.fixture
async def api(server: RTMServer) -> AsyncIterator[API]:
    client = API(server.endpoint)
    yield client
    await client.close()


UserFactory = Callable[[int], Awaitable[User]]


@pytest.fixture
async def user(server: RTMServer, api: API) -> AsyncIterator[UserFactory]:
    users: list[User] = []

    async def make(uid: int) -> User:
        u = User(server.client_endpoint, uid)
        users.append(u)
        return await u.login(api)

    yield make
    for u in users:
        await u.close()
