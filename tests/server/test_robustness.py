"""Protocol violations, internal errors and encryption."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from rtm.fpnn.client import FPNNClient
from rtm.fpnn.crypto import generate_private_key
from rtm.server import RTMServer

from .conftest import API, PID, SECRET, ServerFactory, User

F = "from"


async def _raw_send(endpoint: str, data: bytes) -> bytes:
    host, port = endpoint.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 3)
    finally:
        writer.close()


async def test_malformed_frames_close_only_that_connection(server: RTMServer, api: API) -> None:
    await api("addlisten", p2p=True)
    for endpoint in (server.endpoint, server.client_endpoint, server.file_endpoint):
        assert await _raw_send(endpoint, b"GARBAGE-GARBAGE-GARBAGE") == b""
        # a frame whose payload is not msgpack
        frame = b"FPNN\x01\x80\x01\x04" + (3).to_bytes(4, "little") + (1).to_bytes(4, "little")
        assert await _raw_send(endpoint, frame + b"ping\xc1\xc1\xc1") == b""
    # the other connection is unaffected, listen state included
    assert await api("getfriends", uid=1) == {"uids": []}
    await api("sendmsg", {"mtype": 51, F: 1, "to": 2, "mid": 1, "msg": "m", "attrs": ""})
    assert (await api.pushes.next())[0] == "pushmsg"


async def test_internal_error_is_200999(server: RTMServer, api: API,
                                        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(pid: int, uid: int) -> list[int]:
        raise RuntimeError("disk on fire")

    server.store.get_friends = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="rtm.server"):
        assert await api.error("getfriends", uid=1) == 200999
    assert "disk on fire" in caplog.text
    assert SECRET not in caplog.text
    assert await api("isfriend", uid=1, fuid=2) == {"ok": False}  # still serving


async def test_unknown_methods_per_gate(server: RTMServer, api: API) -> None:
    files = FPNNClient(server.file_endpoint)
    u = User(server.client_endpoint, 1)
    try:
        assert await api.error("sendfile") == 20004  # a file-gate method on the server gate
        with pytest.raises(Exception) as info:
            await files.quest("sendmsg", {})
        assert getattr(info.value, "code", None) == 20004
        assert await u.error("gettoken", uid=1) == 20004  # a server-API method on the client gate
    finally:
        await files.close()
        await u.close()


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "package"])
async def test_encryption_on_every_gate(make_server: ServerFactory, stream: bool) -> None:
    key = generate_private_key("secp256k1")
    server = await make_server(ecc_key=key)
    api = API(server.endpoint)
    api.client.enable_encryption(server_key=key.public_key(), stream=stream)
    plain = API(server.endpoint)
    user = User(server.client_endpoint, 5)
    user.client.enable_encryption(server_key=key.public_key(), stream=stream, bits=128)
    try:
        await api("addlisten", p2p=True)
        assert api.client.connection is not None and api.client.connection.encrypted
        await user.login(api)
        await plain("sendmsg", {"mtype": 51, F: 1, "to": 5, "mid": 1, "msg": "secret",
                                "attrs": ""})
        assert (await api.pushes.next())[1]["msg"] == "secret"
        assert (await user.pushes.next())[1]["msg"] == "secret"
        big = "x" * 20000
        await api("sendmsg", {"mtype": 51, F: 1, "to": 5, "mid": 2, "msg": big, "attrs": ""})
        assert (await user.pushes.next())[1]["msg"] == big
    finally:
        await user.close()
        await plain.close()
        await api.close()


async def test_ecc_key_from_pem_file(make_server: ServerFactory, tmp_path: Path) -> None:
    key = generate_private_key("secp256r1")
    pem = tmp_path / "server.pem"
    pem.write_bytes(key.key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.TraditionalOpenSSL,
                                          serialization.NoEncryption()))
    server = await make_server(ecc_key=str(pem))
    api = API(server.endpoint)
    api.client.enable_encryption(pem_key_data=key.public_pem())
    try:
        assert await api("getfriends", uid=1) == {"uids": []}
    finally:
        await api.close()


async def test_encryption_not_configured_rejects_key_exchange(server: RTMServer) -> None:
    key = generate_private_key()
    api = API(server.endpoint)
    api.client.enable_encryption(server_key=key.public_key())
    try:
        with pytest.raises(Exception):  # noqa: B017 - connection refused by the handshake
            await api("getfriends", uid=1)
    finally:
        await api.close()


async def test_close_commits_and_is_idempotent(make_server: ServerFactory,
                                               tmp_path: Path) -> None:
    db = tmp_path / "rtm.db"
    server = await make_server(db=str(db))
    api = API(server.endpoint)
    sends = [api("sendmsg", {"mtype": 51, F: 1, "to": 2, "mid": mid, "msg": "m", "attrs": ""})
             for mid in range(1, 51)]
    results = await asyncio.gather(*sends)
    await api.close()
    await server.close()
    await server.close()
    assert len(results) == 50
    again = await make_server(db=str(db))
    api = API(again.endpoint)
    try:
        page = await api("getp2pmsg", uid=1, ouid=2, desc=False, num=20)
        assert page["num"] == 20
    finally:
        await api.close()


def test_project_constants() -> None:
    from rtm.server import DEV_PID, DEV_SECRET, ServerConfig

    assert (DEV_PID, DEV_SECRET) == (1000001, "rtm-local-dev-secret")
    assert ServerConfig().served_projects() == {DEV_PID: DEV_SECRET}
    assert ServerConfig(projects={PID: SECRET}).served_projects() == {PID: SECRET}
