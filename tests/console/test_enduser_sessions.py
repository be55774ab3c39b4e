"""The console's online users: each end-user session with its transport, the SDK version,
language and attributes the connection sent at login (as the gate keeps them)."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from rtm import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.fpnn.crypto import generate_private_key
from rtm.server import RTMServer, ServerConfig

PID, SECRET = 11000091, "console-enduser-secret-7c1e"
KEY = generate_private_key("secp256r1")


@pytest.fixture
async def server() -> AsyncIterator[RTMServer]:
    config = ServerConfig(port=0, client_port=0, file_port=0, projects={PID: SECRET},
                          console_port=0, ecc_key=KEY)
    async with RTMServer(config) as srv:
        yield srv


async def test_online_users_show_transport_version_lang_attrs(server: RTMServer) -> None:
    base = (server.console_url or "").rstrip("/")
    async with AsyncRTMServerClient(PID, SECRET, server.endpoint) as rtm, \
            aiohttp.ClientSession() as http:
        plain = AsyncEndUserClient(server.client_endpoint, PID, 51, await rtm.get_token(51),
                                   version="Console-Test-1.0", lang="fr",
                                   attrs={"device": "phone", "app": "demo"})
        secret = AsyncEndUserClient(server.client_endpoint, PID, 52, await rtm.get_token(52))
        secret.enable_encryption(pem_key_data=KEY.public_pem())
        try:
            assert await plain.login() and await secret.login()
            async with http.get(f"{base}/p/{PID}/users") as response:
                assert response.status == 200
                page = html.unescape(await response.text())
            kept: dict[int, dict[str, Any]] = {
                uid: dict(conn.state) for uid in (51, 52)
                for conn in server.core.hub.connections(PID, uid)}
        finally:
            await plain.close()
            await secret.close()
    rows = {uid: _row(page, uid) for uid in (51, 52)}
    assert "tcp" in rows[51] and "encrypted" not in rows[51]
    assert "tcp, encrypted" in rows[52]
    for uid, row in rows.items():  # what the gate kept from auth, as it kept it
        state = kept[uid]
        for shown in (state.get("version"), state.get("lang")):
            if shown:
                assert shown in row
        for key, value in (state.get("attrs") or {}).items():
            assert f"{key}={value}" in row
    if kept[51].get("version"):  # a gate that keeps what auth sent (client spec §2)
        assert "Console-Test-1.0" in rows[51] and "app=demo, device=phone" in rows[51]


def _row(page: str, uid: int) -> str:
    """The table row of ``uid``'s session."""
    for row in page.split("<tr")[1:]:
        if f"/user/{uid}\"" in row or f"/user/{uid}'" in row:
            return row.split("</tr>")[0]
    raise AssertionError(f"no session row for uid {uid}")
