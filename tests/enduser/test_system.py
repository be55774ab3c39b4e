"""System (spec §3.10) through the end-user client: connection attributes across a uid's
live sessions in the form each SDK reads, debug logs on the console, devices and push options
shared with the server API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import aiohttp
import pytest

from rtm import AsyncRTMServerClient
from rtm.api.models import DevicePushOptions, PushOptionType
from rtm.enduser import AsyncEndUserClient
from rtm.server import RTMServer, ServerConfig

from .common import (
    raw,
    refused,
)

PID, SECRET = 11000091, "enduser-system-secret-5e1f"

Login = Callable[..., Awaitable[AsyncEndUserClient]]


@pytest.fixture
async def server() -> AsyncIterator[RTMServer]:
    config = ServerConfig(port=0, client_port=0, file_port=0, projects={PID: SECRET},
                          console_port=0)
    async with RTMServer(config) as srv:
        yield srv


@pytest.fixture
async def api(server: RTMServer) -> AsyncIterator[AsyncRTMServerClient]:
    async with AsyncRTMServerClient(PID, SECRET, server.endpoint) as client:
        yield client


@pytest.fixture
async def login(server: RTMServer, api: AsyncRTMServerClient) -> AsyncIterator[Login]:
    async with AsyncExitStack() as stack:
        async def log_in(uid: int, **options: object) -> AsyncEndUserClient:
            user = AsyncEndUserClient(server.client_endpoint, PID, uid,
                                      await api.get_token(uid), **options)  # type: ignore[arg-type]
            return await stack.enter_async_context(user)

        yield log_in


async def test_attrs_in_the_form_each_sdk_reads(login: Login) -> None:
    web = await login(1, version="WebSocket_2.7.6", attrs={"device": "browser"})
    android = await login(1, version="Android-2.7.0", attrs={"device": "phone"})
    await web.add_attrs({"tab": "2", "device": "laptop"})
    answer = await raw(web, "getattrs")
    attrs = answer["attrs"]
    assert isinstance(attrs, dict) and int(attrs.pop("login")) > 0
    assert attrs == {"device": "laptop", "tab": "2"}  # only the calling session's
    # Android reads a list: every live session of the uid, ``my`` on its own
    listed = (await raw(android, "getattrs"))["attrs"]
    assert isinstance(listed, list) and len(listed) == 2
    mine = [s for s in listed if "my" in s]
    assert len(mine) == 1 and mine[0]["device"] == "phone"
    assert {s["device"] for s in listed} == {"laptop", "phone"}
    sessions = await android.get_attrs()
    assert sorted((s.attrs["device"], s.mine) for s in sessions) == [
        ("laptop", False), ("phone", True)]
    assert all(s.login_ms > 0 for s in sessions)
    [own] = await web.get_attrs()
    assert own.mine and own.attrs == {"device": "laptop", "tab": "2"}
    # another uid's sessions never show
    other = await login(2, version="Android-2.7.0")
    assert [s.attrs for s in await other.get_attrs()] == [{}]
    assert (await refused(web, "addattrs", attrs=["x"]))[0] == 10010
    assert (await refused(web, "addattrs"))[0] == 10009


async def test_debug_logs_show_on_the_console(server: RTMServer, login: Login) -> None:
    user = await login(5, lang="fr")
    assert await raw(user, "adddebuglog", msg="crash <at> start", attrs='{"v":"1.2"}') == {}
    await user.add_debug_log("second log")
    assert (await refused(user, "adddebuglog", msg="m"))[0] == 10009
    assert (await refused(user, "adddebuglog", msg="m" * 20481, attrs=""))[0] == 200030
    base = (server.console_url or "").rstrip("/")
    async with aiohttp.ClientSession() as http, http.get(f"{base}/p/{PID}/user/5") as r:
        assert r.status == 200
        page = await r.text()
    assert "Debug logs of the app" in page
    assert "crash &lt;at&gt; start" in page and "second log" in page
    assert page.index("second log") < page.index("crash &lt;at&gt; start")  # newest first
    assert "Language: fr" in page


async def test_devices_and_push_options_shared_with_the_server_api(
        server: RTMServer, api: AsyncRTMServerClient, login: Login) -> None:
    user = await login(7)
    await user.add_device("fcm", "token-a", tag="phone")
    assert await raw(user, "adddevice", apptype="apns", devicetoken="token-b") == {}
    await api.add_device(7, "fcm", "token-c")
    await user.remove_device("token-c")
    await api.remove_device(7, "token-b")
    devices = await server.store.list_devices(PID, 7)
    assert [(d.apptype, d.devicetoken) for d in devices] == [("fcm", "token-a")]
    assert (await refused(user, "adddevice", apptype="fcm"))[0] == 10009

    await user.add_device_push_option(PushOptionType.P2P, 3, [30, 51])
    await raw(user, "addoption", type=1, xid=10)
    await api.add_device_push_option(7, PushOptionType.GROUP, 11, [40])
    assert await raw(user, "getoption") == {"p2p": {"3": [30, 51]},
                                            "group": {"10": [], "11": [40]}}
    await user.remove_device_push_option(0, 3, [51])
    await user.remove_device_push_option(1, 11)
    expected = DevicePushOptions({3: [30]}, {10: []})
    assert await user.get_device_push_option() == expected
    assert await api.get_device_push_option(7) == expected
    assert (await refused(user, "addoption", type=2, xid=3))[0] == 200034
    assert (await refused(user, "addoption", type=300, xid=3))[0] == 10010  # an int8
    assert (await refused(user, "addoption", type=0, xid=3, mtypes=[300]))[0] == 10010
    assert (await refused(user, "addoption", type=0, xid=0))[0] == 200001
    assert await user.get_device_push_option() == expected
    # another user's options are its own
    other = await login(8)
    assert await other.get_device_push_option() == DevicePushOptions({}, {})


async def test_the_console_shows_what_end_users_did_with_the_im_library(
        server: RTMServer, api: AsyncRTMServerClient, login: Login) -> None:
    owner, ann, ben = await login(1), await login(2), await login(3)
    await api.imserver_create_group(50, 1, {"name": "G"}, {"type": "1"})
    await raw(ann, "imclient_joingroup", gid=50, extra="let <me> in")
    await raw(owner, "imclient_inviteintogroup", gid=50, target_uids=[3])
    await raw(ben, "imclient_joinroom", rid=70)
    await api.add_group_members(50, [4])
    await raw(owner, "imclient_addgroupmanagers", gid=50, uids=[4])
    base = (server.console_url or "").rstrip("/")
    async with aiohttp.ClientSession() as http, http.get(f"{base}/p/{PID}/imlib") as r:
        assert r.status == 200
        page = await r.text()
    for shown in ("Applications and invitations", "let &lt;me&gt; in", "pending",
                  "invitation", "/group/50", "/room/70", "manager", "owner", "/user/4"):
        assert shown in page, shown
