"""A local server of this directory's own (it drops connections and needs an ECC key), a
fresh project per test, an admin client and a factory of logged-in end users."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.fpnn.crypto import ServerPrivateKey, generate_private_key
from rtm.server import ServerThread
from rtm.testing import RTMProject, new_project, start_test_server

UserFactory = Callable[..., Awaitable[AsyncEndUserClient]]


@pytest.fixture(scope="module")
def server_key() -> ServerPrivateKey:
    return generate_private_key("secp256r1")  # the curve every JVM has (spec §1.1)


@pytest.fixture(scope="module")
def server(server_key: ServerPrivateKey) -> Iterator[ServerThread]:
    thread = start_test_server(ecc_key=server_key)
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
def project(server: ServerThread) -> RTMProject:
    return new_project(server)


@pytest_asyncio.fixture
async def admin(project: RTMProject) -> AsyncIterator[AsyncRTMServerClient]:
    client = AsyncRTMServerClient(project.pid, project.secret, project.endpoint,
                                  quest_timeout=10.0)
    try:
        yield client
    finally:
        await client.close()


@pytest_asyncio.fixture
async def user(project: RTMProject, admin: AsyncRTMServerClient) -> AsyncIterator[UserFactory]:
    """``await user(uid, **options)``: an AsyncEndUserClient logged in with a fresh token."""
    made: list[AsyncEndUserClient] = []

    async def make(uid: int, **options: Any) -> AsyncEndUserClient:
        client = AsyncEndUserClient(project.client_endpoint, project.pid, uid,
                                    await admin.get_token(uid), **options)
        made.append(client)
        assert await client.login() is True
        return client

    try:
        yield make
    finally:
        for client in made:
            await client.close()


def drop_client_connections(server: ServerThread) -> int:
    """Close every client-gate connection from the server's side (the clients see a FIN)."""
    async def drop() -> int:
        gate = server.server._gate(server.server._client_gate)
        conns = list(gate.connections.values())
        for conn in conns:
            conn.close()
        return len(conns)

    return server.run(drop())


def gate_push(server: ServerThread, uid: int, method: str, params: dict[str, Any]) -> None:
    """Push ``method`` from the client gate's side of ``uid``'s connections, as the gate does
    (a retried push is the same quest again)."""
    async def push() -> None:
        gate = server.server._gate(server.server._client_gate)
        for conn in list(gate.connections.values()):
            if conn.state.get("uid") == uid:
                assert await conn.quest(method, params, timeout=5) == {}

    server.run(push())
