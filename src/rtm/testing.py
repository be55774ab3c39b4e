"""pytest plugin (entry point ``rtm``): test your backend against a local RTM server.

Installed with the SDK and loaded by pytest automatically. Fixtures:

``rtm_server`` (session)
    A :class:`rtm.server.ServerThread` on free loopback ports with an in-memory database,
    started once per test session.
``rtm_project`` (test)
    A fresh project (pid, secret) on that server, so every test starts from clean state:
    no friends, groups, history or tokens leak between tests.
``rtm_client`` (test)
    A connected :class:`rtm.RTMServerClient` for ``rtm_project``; closed after the test.
``rtm_async_client`` (test, needs pytest-asyncio: ``pip install 'rtm-server-sdk[testing]'``)
    The same as an :class:`rtm.AsyncRTMServerClient`.
``rtm_enduser`` (test, needs pytest-asyncio)
    ``user = await rtm_enduser(uid)``: an end user logged in on the client gate with a token
    from ``get_token``; ``await user.next_push()`` returns what RTM pushes to that user.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

import pytest

from rtm.client import AsyncRTMServerClient, RTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.server import ServerConfig, ServerThread

_pids = itertools.count(2_000_001)


@dataclass(frozen=True)
class RTMProject:
    """Where and as whom to connect: one project on the local test server."""

    pid: int
    secret: str
    endpoint: str
    client_endpoint: str
    file_endpoint: str


def start_test_server(**overrides: Any) -> ServerThread:
    """A local server on free ports with an in-memory database (``overrides``: ServerConfig
    fields, e.g. ``p2p_friends_only=True``)."""
    fields: dict[str, Any] = {"port": 0, "client_port": 0, "file_port": 0, "db": ":memory:"}
    fields.update(overrides)
    return ServerThread(ServerConfig(**fields)).start()


def new_project(server: ServerThread) -> RTMProject:
    """Register a fresh project on a running local server."""
    pid, secret = next(_pids), secrets.token_hex(12)
    server.add_project(pid, secret)
    return RTMProject(pid, secret, server.endpoint, server.client_endpoint, server.file_endpoint)


@pytest.fixture(scope="session")
def rtm_server() -> Iterator[ServerThread]:
    server = start_test_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rtm_project(rtm_server: ServerThread) -> RTMProject:
    return new_project(rtm_server)


@pytest.fixture
def rtm_client(rtm_project: RTMProject) -> Iterator[RTMServerClient]:
    client = RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint,
                             quest_timeout=10.0)
    try:
        yield client
    finally:
        client.close()


#: What a test using an async fixture is told when pytest-asyncio is not installed.
NEEDS_PYTEST_ASYNCIO = (
    "the {name} fixture needs pytest-asyncio, which is not installed: "
    "pip install 'rtm-server-sdk[testing]' (pytest + pytest-asyncio)"
)

try:  # the async fixtures need pytest-asyncio, which the SDK itself does not depend on
    import pytest_asyncio
except ImportError:
    # Same names, so a test asking for them gets this message instead of "fixture not found".

    @pytest.fixture(name="rtm_async_client")
    def _rtm_async_client_unavailable() -> NoReturn:
        pytest.fail(NEEDS_PYTEST_ASYNCIO.format(name="rtm_async_client"), pytrace=False)

    @pytest.fixture(name="rtm_enduser")
    def _rtm_enduser_unavailable() -> NoReturn:
        pytest.fail(NEEDS_PYTEST_ASYNCIO.format(name="rtm_enduser"), pytrace=False)

else:

    @pytest_asyncio.fixture
    async def rtm_async_client(rtm_project: RTMProject) -> AsyncIterator[AsyncRTMServerClient]:
        client = AsyncRTMServerClient(rtm_project.pid, rtm_project.secret,
                                      rtm_project.endpoint, quest_timeout=10.0)
        try:
            yield client
        finally:
            await client.close()

    @pytest_asyncio.fixture
    async def rtm_enduser(
        rtm_project: RTMProject,
    ) -> AsyncIterator[Callable[[int], Awaitable[AsyncEndUserClient]]]:
        users: list[AsyncEndUserClient] = []
        admin = AsyncRTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint)

        async def login(uid: int) -> AsyncEndUserClient:
            token = await admin.get_token(uid)
            user = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, uid, token)
            if not await user.login():
                await user.close()
                raise AssertionError(f"the client gate refused uid {uid}'s fresh token")
            users.append(user)
            return user

        try:
            yield login
        finally:
            for user in users:
                await user.close()
            await admin.close()
