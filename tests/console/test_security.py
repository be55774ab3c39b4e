"""Who may use the console and what it refuses, over real sockets: Host check (DNS
rebinding), the access token, CSRF and Origin checks on POST and on the live WebSocket,
security headers, downloads as attachments, and no project secret in any page."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from rtm import AsyncRTMServerClient
from rtm.server import RTMServer, ServerConfig
from rtm.server.console.app import ConsoleServer

PID, SECRET = 11000078, "console-security-secret-9a7c"


def _config(**overrides: Any) -> ServerConfig:
    return ServerConfig(port=0, client_port=0, file_port=0, projects={PID: SECRET},
                        console_port=0, **overrides)


@pytest.fixture
async def server() -> AsyncIterator[RTMServer]:
    async with RTMServer(_config()) as srv:
        yield srv


def _session() -> aiohttp.ClientSession:
    # unsafe=True: keep cookies of an IP address host (127.0.0.1)
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def _csrf_cookie(session: aiohttp.ClientSession) -> str:
    for cookie in session.cookie_jar:
        if cookie.key.startswith("rtm_console_csrf_"):
            return cookie.value
    raise AssertionError("no CSRF cookie was set")


async def test_post_needs_same_origin_and_csrf_and_runs_the_api_path(server: RTMServer) -> None:
    base = (server.console_url or "").rstrip("/")
    origin = {"Origin": base}
    async with _session() as http, \
            AsyncRTMServerClient(PID, SECRET, server.endpoint) as rtm:
        async with http.get(f"{base}/p/{PID}/groups") as r:
            assert r.status == 200
            assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
            assert r.headers["X-Frame-Options"] == "DENY"
        csrf = _csrf_cookie(http)
        form = {"_csrf": csrf, "_back": f"/p/{PID}/group/501", "gid": "501", "uids": "7 8"}
        url = f"{base}/p/{PID}/do/addgroupmembers"
        async with http.post(url, data=form, allow_redirects=False) as r:
            assert r.status == 403  # no Origin, no Referer
        async with http.post(url, data=form, headers={"Origin": "http://evil.example"},
                             allow_redirects=False) as r:
            assert r.status == 403
        async with http.post(url, data={**form, "_csrf": "x" * 32}, headers=origin,
                             allow_redirects=False) as r:
            assert r.status == 403
        assert await rtm.get_group_members(501) == []
        async with http.post(url, data=form, headers=origin, allow_redirects=False) as r:
            assert r.status == 303
            assert r.headers["Location"].startswith(f"/p/{PID}/group/501?notice=")
        assert await rtm.get_group_members(501) == [7, 8]
        # bad input: a clear message naming the field, nothing changed
        bad = {**form, "uids": "7 x"}
        async with http.post(url, data=bad, headers=origin) as r:
            assert "uids: expected a positive integer id, got &#x27;x&#x27;" in await r.text()
        # an API refusal is shown with its code
        ban = {**form, "_back": f"/p/{PID}/groups", "uid": "7", "btime": "-5"}
        async with http.post(f"{base}/p/{PID}/do/addgroupban", data={**ban, "btime": "60"},
                             headers=origin) as r:
            assert r.status == 200 and "banned in group 501" in await r.text()
        assert await rtm.is_ban_of_group(501, 7)
        # an open redirect through _back is not possible
        evil = {**form, "_back": "https://evil.example/"}
        async with http.post(url, data=evil, headers=origin, allow_redirects=False) as r:
            assert r.headers["Location"].startswith(f"/p/{PID}/live?")


async def test_host_header_and_websocket_origin_are_checked(server: RTMServer) -> None:
    base = (server.console_url or "").rstrip("/")
    port = base.rsplit(":", 1)[1]
    async with _session() as http:
        async with http.get(f"{base}/", headers={"Host": f"rebound.example:{port}"}) as r:
            assert r.status == 421
        async with http.get(f"{base}/", headers={"Host": f"localhost:{port}"}) as r:
            assert r.status == 200
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{base}/p/{PID}/live/ws",
                                  headers={"Origin": "http://evil.example"})
        assert refused.value.status == 403
        async with http.ws_connect(f"{base}/p/{PID}/live/ws", headers={"Origin": base}) as ws:
            hello = await ws.receive_json(timeout=5)
            assert hello["type"] == "hello" and hello["interval_ms"] <= 250
            await ws.send_json({"type": "nonsense"})
            assert (await ws.receive_json(timeout=5))["type"] == "error"


async def test_a_token_is_required_when_configured_or_off_loopback() -> None:
    async with RTMServer(_config(console_token="let-me-in-123456")) as srv:
        url = srv.console_url or ""
        assert url.endswith("/?token=let-me-in-123456")
        base = url.split("?")[0].rstrip("/")
        async with _session() as http:
            async with http.get(f"{base}/p/{PID}/users") as r:
                assert r.status == 401
            async with http.get(f"{base}/p/{PID}/users?token=wrong") as r:
                assert r.status == 401
            async with http.get(f"{base}/p/{PID}/users?token=let-me-in-123456",
                                allow_redirects=False) as r:
                assert r.status == 303 and r.headers["Location"] == f"/p/{PID}/users"
            async with http.get(f"{base}/p/{PID}/users") as r:  # the cookie now
                assert r.status == 200
        # bound beyond loopback, a random token is made (checked without binding anything)
        remote = ConsoleServer(srv.core, host="192.0.2.10", port=8080)
        assert remote.token and len(remote.token) >= 24
        assert re.fullmatch(r"http://192\.0\.2\.10:8080/\?token=[\w-]+", remote.url)


async def test_no_page_shows_the_secret_and_files_download_as_attachments(
        server: RTMServer) -> None:
    base = (server.console_url or "").rstrip("/")
    async with AsyncRTMServerClient(PID, SECRET, server.endpoint) as rtm:
        await rtm.add_group_members(501, [1, 2])
        await rtm.send_file(1, 2, b"<script>alert(1)</script>", "page.html")
        await rtm.get_token(2)
    seen: set[str] = set()
    queue = ["/"]
    async with _session() as http:
        while queue and len(seen) < 80:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            async with http.get(base + path) as r:
                body = await r.read()
                assert SECRET.encode() not in body, path
                if "/file/" in path:
                    assert r.headers["Content-Type"] == "application/octet-stream"
                    assert r.headers["Content-Disposition"].startswith("attachment;")
                    assert body == b"<script>alert(1)</script>"
                    continue
            text = body.decode()
            for href in re.findall(r'href="(/[^"]*)"', text):
                if href.startswith(("/p/", "/static/")) or href == "/":
                    queue.append(href.replace("&amp;", "&"))
        for seq in range(1, server.core.live.last_seq(PID) + 1 if server.core.live else 1):
            async with http.get(f"{base}/p/{PID}/live/event/{seq}") as r:
                assert SECRET.encode() not in await r.read()
    assert any("/file/" in p for p in seen) and f"/p/{PID}/group/501" in seen


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


async def test_a_console_that_cannot_start_leaves_nothing_bound() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        http_port = _free_port()
        server = RTMServer(ServerConfig(port=0, client_port=0, file_port=0,
                                        projects={PID: SECRET}, http_port=http_port,
                                        console_port=taken.getsockname()[1]))
        with pytest.raises(OSError):
            await server.start()
    assert _bindable(http_port)  # the HTTP listener was closed with the gates
    assert not server.started


async def test_the_console_token_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rtm.server")
    async with RTMServer(_config(console_token="never-in-the-logs-42")) as srv:
        assert (srv.console_url or "").endswith("?token=never-in-the-logs-42")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "console at http://" in logged and "token=***" in logged
    assert "never-in-the-logs-42" not in logged
