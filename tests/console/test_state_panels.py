"""The current-generation state on the console, over real sockets: state set through the SDK
shows on the user and RTC pages, and the console's actions change it through the server API
(checked back through the SDK)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from rtm import AsyncRTMServerClient
from rtm.server import RTMServer, ServerConfig

PID, SECRET = 11000081, "console-state-secret-3d2b"


@pytest.fixture
async def server() -> AsyncIterator[RTMServer]:
    config = ServerConfig(port=0, client_port=0, file_port=0, projects={PID: SECRET},
                          console_port=0)
    async with RTMServer(config) as srv:
        yield srv


def _csrf_cookie(session: aiohttp.ClientSession) -> str:
    for cookie in session.cookie_jar:
        if cookie.key.startswith("rtm_console_csrf_"):
            return cookie.value
    raise AssertionError("no CSRF cookie was set")


async def test_user_and_rtc_pages_show_sdk_state_and_actions_change_it(
        server: RTMServer) -> None:
    base = (server.console_url or "").rstrip("/")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http, \
            AsyncRTMServerClient(PID, SECRET, server.endpoint) as rtm:
        await rtm.add_blacks(41, [4242, 4343])
        await rtm.set_user_info(41, "open-info-41", "private-info-41")
        await rtm.set_data(41, "colour", "teal-value")
        await rtm.add_sessions(41, [4545])
        await rtm.send_message(4747, 41, 30, "unread by 41")  # a session with 1 unread
        await rtm.pull_user_into_rtc_room(700, [41, 42], 2)

        async def page(path: str) -> str:
            async with http.get(f"{base}/p/{PID}/{path}") as r:
                assert r.status == 200, path
                return await r.text()

        user = await page("user/41")
        for shown in ("Blocked users", "/user/4242", "/user/4343", "open-info-41",
                      "private-info-41", "colour", "teal-value", "Conversation sessions",
                      "/user/4545", "/user/4747", "last logout: never"):
            assert shown in user, shown
        assert re.search(r"/user/4747[^<]*</a></td><td[^>]*>1</td>", user), "4747's unread count"
        assert SECRET not in user
        rtc = await page("rtc")
        assert "/rtc-room/700" in rtc and "video" in rtc
        room = await page("rtc-room/700")
        assert "/user/41" in room and "/user/42" in room and "Close the room" in room

        csrf = _csrf_cookie(http)

        async def do(name: str, back: str, **fields: str) -> str:
            form = {"_csrf": csrf, "_back": f"/p/{PID}/{back}", **fields}
            async with http.post(f"{base}/p/{PID}/do/{name}", data=form,
                                 headers={"Origin": base}) as r:
                assert r.status == 200, name
                return await r.text()

        await do("delblacks", "user/41", uid="41", blacks="4242")
        await do("addblacks", "user/41", uid="41", blacks="4444")
        assert sorted(await rtm.get_blacks(41)) == [4343, 4444]
        await do("setuserinfo", "user/41", uid="41", oinfo="new-open", pinfo="")
        info = await rtm.get_user_info(41)
        assert (info.public_info, info.private_info) == ("new-open", "")
        await do("dataset", "user/41", uid="41", key="size", val="xl")
        await do("datadel", "user/41", uid="41", key="colour")
        assert await rtm.get_data(41, "size") == "xl"
        assert await rtm.get_data(41, "colour") is None
        await do("addsessions", "user/41", uid="41", uids="4646")
        await do("removesessions", "user/41", uid="41", uids="4545")
        user = await page("user/41")
        assert "/user/4646" in user and "/user/4545" not in user and "new-open" in user
        # bad input names the field
        refused = await do("addblacks", "user/41", uid="41", blacks="x")
        assert "uids to block: expected a positive integer id" in refused

        await do("pullIntoRTCRoom", "rtc", rid="700", toUids="43", type="2")
        await do("kickoutFromRTCRoom", "rtc-room/700", uid="42", rid="700")
        members = await rtm.get_rtc_room_members(700)
        assert sorted(members.uids) == [41, 43] and members.owner == 41
        await do("closeRTCRoom", "rtc-room/700", rid="700")
        assert 700 not in await rtm.get_rtc_room_list()
        assert "No such RTC room" in await page("rtc-room/700")


async def test_bans_push_options_and_infos_show_and_change(server: RTMServer) -> None:
    from rtm.api.models import PushOptionType

    base = (server.console_url or "").rstrip("/")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http, \
            AsyncRTMServerClient(PID, SECRET, server.endpoint) as rtm:
        await rtm.add_project_ban(51, 600)
        await rtm.add_device_push_option(51, PushOptionType.GROUP, 808, [30, 31])
        await rtm.set_group_info(808, "group-open-808", "group-private-808")
        await rtm.set_room_info(909, "room-open-909", "room-private-909")

        async def page(path: str) -> str:
            async with http.get(f"{base}/p/{PID}/{path}") as r:
                assert r.status == 200, path
                return await r.text()

        black = await page("blacklist")
        assert "muted, still logged in" in black and "/user/51" in black
        user = await page("user/51")
        assert "Push options" in user and "/group/808" in user and "30, 31" in user
        assert "group-open-808" in await page("group/808")
        room = await page("room/909")
        assert "room-open-909" in room and "room-private-909" in room

        csrf = _csrf_cookie(http)

        async def do(name: str, back: str, **fields: str) -> None:
            form = {"_csrf": csrf, "_back": f"/p/{PID}/{back}", **fields}
            async with http.post(f"{base}/p/{PID}/do/{name}", data=form,
                                 headers={"Origin": base}) as r:
                assert r.status == 200, name
                assert "refused" not in await r.text(), name

        await do("removeprojectban", "blacklist", uid="51")
        await do("addprojectban", "blacklist", uid="52", btime="0")
        assert not await rtm.is_project_ban(51) and await rtm.is_project_ban(52)
        await do("removeoption", "user/51", uid="51", type="1", xid="808", mtypes="")
        await do("addoption", "user/51", uid="51", type="0", xid="53", mtypes="")
        options = await rtm.get_device_push_option(51)
        assert options.group == {} and options.p2p == {53: []}
        await do("setgroupinfo", "group/808", gid="808", oinfo="g2", pinfo="")
        await do("setroominfo", "room/909", rid="909", oinfo="r2", pinfo="p2")
        assert (await rtm.get_group_info(808)).public_info == "g2"
        assert (await rtm.get_room_info(909)).private_info == "p2"
        await do("addroommembers", "room/909", rid="909", uids="61 62 63")
        await do("delroommembers", "room/909", rid="909", uids="62")
        assert sorted(await rtm.get_room_members(909)) == [61, 63]


async def test_history_flags_edited_messages_and_edits_from_the_console(
        server: RTMServer) -> None:
    from rtm.api.models import MessageType

    base = (server.console_url or "").rstrip("/")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http, \
            AsyncRTMServerClient(PID, SECRET, server.endpoint) as rtm:
        await rtm.send_message(71, 72, 30, "first text", mid=9001)
        await rtm.send_message(71, 72, 30, "never edited", mid=9002)
        conversation = f"{base}/p/{PID}/conversation/p2p-71-72"
        async with http.get(conversation) as r:
            assert "flag edited" not in await r.text()
        await rtm.edit_message(9001, 71, 72, MessageType.P2P, "second text")
        async with http.get(conversation) as r:
            page = await r.text()
        assert page.count('class="flag edited"') == 1 and "second text" in page
        form = {"_csrf": _csrf_cookie(http), "_back": f"/p/{PID}/conversation/p2p-71-72",
                "type": "1", "from": "71", "xid": "72", "mid": "9002", "msg": "third text"}
        async with http.post(f"{base}/p/{PID}/do/editmsg", data=form,
                             headers={"Origin": base}) as r:
            page = await r.text()
        assert "message 9002 from uid 71 edited" in page
        assert page.count('class="flag edited"') == 2
        assert (await rtm.get_message(9002, 71, 72, MessageType.P2P)).message == "third text"


async def test_imlib_and_services_pages_show_the_project_state() -> None:
    from rtm.server.services import ServicesConfig, Translation

    config = ServerConfig(port=0, client_port=0, file_port=0, projects={PID: SECRET},
                          console_port=0)
    async with RTMServer(config) as server, \
            aiohttp.ClientSession() as http, \
            AsyncRTMServerClient(PID, SECRET, server.endpoint) as rtm:
        server.services.set(PID, ServicesConfig(
            translations=(Translation("en", "de", "good night", "gute Nacht"),),
            disabled=frozenset({"speech_to_text"})))
        await rtm.imserver_set_user_infos(81, {"nick": "nick-81"})
        await rtm.imserver_create_group(880, 81, {"name": "club-880"},
                                        {"type": "3", "extra": "pw-880"})
        await rtm.imserver_set_invite_grant(1, 880, 1, 0)
        base = (server.console_url or "").rstrip("/")
        async with http.get(f"{base}/p/{PID}/imlib") as r:
            imlib = await r.text()
        for shown in ("/group/880", "/user/81", "name=club-880", "nick=nick-81",
                      "grant type 3", "pw-880", "invite type 1, manage type 0"):
            assert shown in imlib, shown
        async with http.get(f"{base}/p/{PID}/services") as r:
            services = await r.text()
        assert "gute Nacht" in services and "switched off (200060)" in services
        assert "badword" in services  # the default word list
        assert SECRET not in imlib + services
