"""Login and pushes on the client gate as the official client SDKs need them (client spec §2,
§5): every SDK's ``auth`` form, what the gate keeps of it, ``kickout`` of another own
session, every push form field by field, chat as the translation map, nothing else pushed to
an end user, and a second answer to a push ignored. Each test with end users runs over TCP
and over WebSocket (``rtm_transport``)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from wsproto.events import TextMessage

from helpers import async_wait_until, gate_target
from rtm.api.errors import RTMConnectionError
from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.enduser.commands import session as session_cmd
from rtm.fpnn import codec
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Quest, encode_answer, encode_error_answer
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.errors import FPNNError
from rtm.fpnn.session import Answered, FPNNSession
from rtm.server.pushes import (
    CLIENT_PUSH_METHODS,
    client_attrs,
    client_lang,
    client_version,
)
from rtm.server.services import ServicesConfig, chat_translation
from rtm.testing import RTMProject

from .common import nothing_pushed_before_a_marker

Login = Callable[[int], Awaitable[AsyncEndUserClient]]

pytestmark = pytest.mark.rtm_transports()

#: The ``auth`` params each official SDK sends (golden client recordings; U and L from the
#: spec, §2), without pid/uid/token.
AUTH_FORMS: dict[str, dict[str, Any]] = {
    "web": {"version": "WebSocket_2.7.6", "attrs": {"user": "test user attrs"}},
    "android": {"lang": "en", "version": "Android-2.7.0", "device": "jvm-harness",
                "attrs": {"harness": "android-jvm"}},
    "android-no-lang": {"lang": "", "version": "Android-2.7.0", "device": "d", "attrs": {}},
    "unity": {"version": "Unity-2.7.26", "lang": "fr", "attrs": {"k": "v"}},
    "unity-authv2": {"version": "Unity-2.7.26", "lang": "ja", "ts": 1796586069,
                     "authv": 2},
    "csharp": {"attrs": {"harness": "csharp-mono"}, "lang": "en", "version": "C#-2.7.0"},
    "legacy": {"unread": True},
}


async def _server_side(project: RTMProject, uid: int) -> list[dict[str, Any]]:
    """What the server keeps of each live session of ``uid`` (read on the server's loop)."""
    server = project.server
    assert server is not None

    async def read() -> list[dict[str, Any]]:
        hub = server.server.core.hub
        return [{"peer": c.peer, "version": client_version(c), "attrs": dict(client_attrs(c)),
                 "lang": client_lang(c), "user_lang": hub.user_lang(project.pid, uid)}
                for c in hub.connections(project.pid, uid)]

    return await asyncio.to_thread(server.run, read())


async def _stored_lang(project: RTMProject, uid: int) -> str:
    server = project.server
    assert server is not None
    return await asyncio.to_thread(server.run, server.server.core.store.user_lang(project.pid,
                                                                                  uid))


async def _raw_login(project: RTMProject, admin: AsyncRTMServerClient, uid: int,
                     form: dict[str, Any], transport: str) -> AsyncEndUserClient:
    user = AsyncEndUserClient(project.client_endpoint, project.pid, uid,
                              await admin.get_token(uid), transport=transport)  # type: ignore[arg-type]
    answer = await user.quest("auth", {"pid": project.pid, "uid": uid, "token": user.token,
                                       **form})
    assert answer == {"ok": True}
    assert session_cmd.AUTH.answer_problems(answer) == []
    return user


@pytest.mark.parametrize("sdk", sorted(AUTH_FORMS))
async def test_every_sdk_auth_form_logs_in_and_is_kept(
        sdk: str, rtm_project: RTMProject, rtm_async_client: AsyncRTMServerClient,
        rtm_transport: str) -> None:
    form = AUTH_FORMS[sdk]
    user = await _raw_login(rtm_project, rtm_async_client, 7, form, rtm_transport)
    try:
        (kept,) = await _server_side(rtm_project, 7)
        assert kept["version"] == form.get("version", "")
        assert kept["attrs"] == form.get("attrs", {})
        assert kept["lang"] == form.get("lang", "")
        assert kept["user_lang"] == (form.get("lang") or "")
        assert await _stored_lang(rtm_project, 7) == (form.get("lang") or "")
        assert await rtm_async_client.get_online_users([7]) == [7]
        assert await user.quest("getonlineusers", {"uids": [7]}) == {"uids": [7]}
    finally:
        await user.close()


async def test_auth_form_bad_input(rtm_project: RTMProject,
                                   rtm_async_client: AsyncRTMServerClient,
                                   rtm_transport: str) -> None:
    user = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, 7,
                              await rtm_async_client.get_token(7),
                              transport=rtm_transport)  # type: ignore[arg-type]
    base = {"pid": rtm_project.pid, "uid": 7, "token": user.token}
    try:
        for bad, code in (({"attrs": {"k": 1}}, 10010), ({"attrs": "k=v"}, 10010),
                          ({"lang": 5}, 10010), ({"ts": "now"}, 10010)):
            with pytest.raises(FPNNError) as caught:
                await user.quest("auth", {**base, **bad})
            assert caught.value.code == code and next(iter(bad)) in caught.value.message
        # a wrong token in the authv 2 form is refused like in the first form
        assert await user.quest("auth", {**base, "token": "WRONG", "ts": 1, "authv": 2}) == {
            "ok": False}
        assert await _server_side(rtm_project, 7) == []  # nothing kept of a refused login
        assert await user.quest("auth", base) == {"ok": True}
    finally:
        await user.close()


async def test_the_stored_language_outlives_the_connection(
        rtm_project: RTMProject, rtm_async_client: AsyncRTMServerClient,
        rtm_transport: str) -> None:
    first = await _raw_login(rtm_project, rtm_async_client, 7, AUTH_FORMS["unity"],
                             rtm_transport)
    await first.close()
    await async_wait_until(lambda: not rtm_project.server.server.core.hub.is_online(  # type: ignore[union-attr]
        rtm_project.pid, 7), what="the logout")
    # Android sends lang "" when the app set none: the user's language stays
    again = await _raw_login(rtm_project, rtm_async_client, 7, AUTH_FORMS["android-no-lang"],
                             rtm_transport)
    try:
        (kept,) = await _server_side(rtm_project, 7)
        assert (kept["lang"], kept["user_lang"]) == ("", "fr")
    finally:
        await again.close()


# WebSocket only: what a web app gets wrong
async def test_a_websocket_user_at_another_path_gets_the_404(
        rtm_project: RTMProject, rtm_async_client: AsyncRTMServerClient) -> None:
    lost = AsyncEndUserClient(f"ws://{rtm_project.client_endpoint}/websocket", rtm_project.pid,
                              7, await rtm_async_client.get_token(7))
    try:
        with pytest.raises(RTMConnectionError, match="HTTP 404"):
            await lost.login()
        assert not lost.logged_in and await _server_side(rtm_project, 7) == []
    finally:
        await lost.close()


@pytest.mark.rtm_transports("ws")  # frames a TCP connection cannot carry
async def test_a_websocket_user_breaking_the_framing_is_closed_and_logs_in_again(
        rtm_project: RTMProject, rtm_async_client: AsyncRTMServerClient,
        rtm_enduser: Login) -> None:
    web = await rtm_enduser(7, transport="ws")
    for violation in ("text", "unmasked"):
        conn = web._fpnn.connection
        assert conn is not None and conn._ws is not None and conn._ws._conn is not None
        logins = web.logins
        if violation == "text":  # FPNN needs binary messages
            write_bytes(conn, conn._ws._conn.send(TextMessage("FPNN as text")))
        else:  # a client must mask its frames
            write_bytes(conn, b"\x82\x05hello")
        await async_wait_until(lambda: web.logins > logins and web.logged_in,  # noqa: B023
                               timeout=10, what=f"the close after a {violation} frame")
        assert conn.closed and web._fpnn.connection is not conn
    await rtm_async_client.send_message(1, 7, 51, "still reachable", mid=1)
    assert (await web.next_push()).params["msg"] == "still reachable"


async def test_kickout_closes_another_session_of_the_caller_only(
        rtm_project: RTMProject, rtm_enduser: Login, rtm_transport: str) -> None:
    first = await rtm_enduser(5)
    (first_peer,) = [s["peer"] for s in await _server_side(rtm_project, 5)]
    second = await rtm_enduser(5)
    (second_peer,) = [s["peer"] for s in await _server_side(rtm_project, 5)
                      if s["peer"] != first_peer]
    other = await rtm_enduser(6)
    (other_peer,) = [s["peer"] for s in await _server_side(rtm_project, 6)]

    # another user's session and the caller's own: nothing closed
    assert await first.quest("kickout", {"ce": other_peer}) == {}
    assert await first.quest("kickout", {"ce": first_peer}) == {}
    assert await first.quest("kickout", {"ce": "127.0.0.1:1"}) == {}
    assert [s["peer"] for s in await _server_side(rtm_project, 6)] == [other_peer]
    assert {s["peer"] for s in await _server_side(rtm_project, 5)} == {first_peer, second_peer}

    # the caller's other session: kickout pushed, then closed
    assert await first.quest("kickout", {"ce": second_peer}) == {}
    push = await second.next_push()
    assert (push.method, push.params) == ("kickout", {})
    await second.wait_closed()
    assert [s["peer"] for s in await _server_side(rtm_project, 5)] == [first_peer]
    assert await first.quest("getonlineusers", {"uids": [5, 6]}) == {"uids": [5, 6]}
    assert await other.quest("getonlineusers", {"uids": [6]}) == {"uids": [6]}

    with pytest.raises(FPNNError) as caught:
        await first.quest("kickout", {})
    assert caught.value.code == 10009 and "ce" in caught.value.message
    anonymous = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, 5, "x",
                                   transport=rtm_transport)  # type: ignore[arg-type]
    try:
        with pytest.raises(FPNNError) as caught:
            await anonymous.quest("kickout", {"ce": first_peer})
        assert caught.value.code == 200022
    finally:
        await anonymous.close()


async def test_every_push_form_field_by_field(
        rtm_project: RTMProject, rtm_enduser: Login,
        rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    admin = rtm_async_client

    mtime = await alice.send_message(2, 51, "p2p", attrs="a1", mid=11)
    push = await bob.next_push()
    assert push.method == "pushmsg"
    assert push.params == {"from": 1, "to": 2, "mid": 11, "mtype": 51, "ftype": 0,
                           "msg": "p2p", "attrs": "a1", "mtime": mtime}

    await admin.add_group_members(70, [1, 2])
    mtime = await alice.send_group_message(70, 52, b"\x00bin", attrs="a2", mid=12)
    push = await bob.next_push()
    assert push.method == "pushgroupmsg"
    assert push.params == {"from": 1, "gid": 70, "mid": 12, "mtype": 52, "ftype": 0,
                           "msg": b"\x00bin", "attrs": "a2", "mtime": mtime}

    await alice.enter_room(80)
    await bob.enter_room(80)
    mtime = await alice.send_room_message(80, 32, "cmd", attrs="a3", mid=13)
    push = await bob.next_push()
    assert push.method == "pushroommsg"
    assert push.params == {"from": 1, "rid": 80, "mid": 13, "mtype": 32, "ftype": 0,
                           "msg": "cmd", "attrs": "a3", "mtime": mtime}

    mtime = await admin.send_broadcast_message(9, 53, "all", attrs="a4", mid=14)
    for user in (alice, bob):
        push = await user.next_push()
        assert push.method == "pushbroadcastmsg"
        assert push.params == {"from": 9, "mid": 14, "mtype": 53, "ftype": 0, "msg": "all",
                               "attrs": "a4", "mtime": mtime}

    await admin.del_room_member(80, 2)
    push = await bob.next_push()
    assert (push.method, push.params) == ("kickoutroom", {"rid": 80})

    await admin.kickout(2)
    push = await bob.next_push()
    assert (push.method, push.params) == ("kickout", {})
    await bob.wait_closed()
    await nothing_pushed_before_a_marker(alice, admin)  # no push of its own messages


async def test_chat_is_translated_for_a_receiver_with_a_language(
        rtm_project: RTMProject, rtm_async_client: AsyncRTMServerClient,
        rtm_enduser: Login, rtm_transport: str) -> None:
    rtm_project.services.set_translation("en", "fr", "good morning", "bonjour")
    admin = rtm_async_client
    alice = await rtm_enduser(1)
    french = await _raw_login(rtm_project, admin, 2, {"version": "Android-2.7.0",
                                                      "lang": "fr", "device": "d"},
                              rtm_transport)
    plain = await rtm_enduser(3)
    odd = await _raw_login(rtm_project, admin, 4, {"version": "C#-2.7.0", "lang": "xx-YY"},
                           rtm_transport)
    try:
        await admin.add_group_members(70, [1, 2, 3, 4])
        mtime = await alice.send_group_message(70, 30, "good morning", attrs="at", mid=21)
        expected = {"from": 1, "gid": 70, "mid": 21, "mtype": 30, "ftype": 0, "attrs": "at",
                    "mtime": mtime}
        push = await french.next_push()
        assert push.params == {**expected, "msg": {
            "source": "en", "target": "fr", "sourceText": "good morning",
            "targetText": "bonjour"}}
        push = await plain.next_push()
        assert push.params == {**expected, "msg": {
            "source": "en", "target": "", "sourceText": "good morning", "targetText": ""}}
        # a language the services cannot translate into: the push still comes, untranslated
        push = await odd.next_push()
        assert push.params["msg"] == {"source": "en", "target": "xx-YY",
                                      "sourceText": "good morning", "targetText": ""}

        # P2P from the server API, detected source language, default translation table
        await admin.send_message(9, 2, 30, "你好", mid=22)
        push = await french.next_push()
        assert push.params["to"] == 2
        assert push.params["msg"] == {"source": "zh_cn", "target": "fr", "sourceText": "你好",
                                      "targetText": "[fr] 你好"}

        # history keeps the text; other mtypes are never turned into a map
        page = await admin.get_group_message(70, True, 10, 0, 0, 0, 1)
        assert [m.message for m in page.messages] == ["good morning"]
        await alice.send_message(2, 31, "not chat", mid=23)
        assert (await french.next_push()).params["msg"] == "not chat"

        # the translation switched off: still the map, no translation
        rtm_project.services.disable("translate")
        await alice.send_message(2, 30, "good morning", mid=24)
        assert (await french.next_push()).params["msg"]["targetText"] == ""
    finally:
        await french.close()
        await odd.close()


async def test_server_listeners_keep_the_chat_text(
        rtm_project: RTMProject, rtm_enduser: Login) -> None:
    listener = FPNNClient(rtm_project.endpoint)
    got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def on_push(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        got.put_nowait(dict(quest.payload))
        return {}

    listener.register("pushmsg", on_push)
    salt = 12345
    sign = hashlib.md5(f"{rtm_project.pid}:{rtm_project.secret}:{salt}".encode()).hexdigest()
    try:
        alice = await rtm_enduser(1)
        await listener.quest("addlisten", {"pid": rtm_project.pid, "salt": salt,
                                           "sign": sign.upper(), "p2p": True})
        await alice.send_message(2, 30, "hello", mid=31)
        payload = await asyncio.wait_for(got.get(), 10)
        assert (payload["msg"], payload["to"]) == ("hello", 2)
    finally:
        await listener.close()


async def test_only_client_push_methods_reach_an_end_user(
        rtm_project: RTMProject, rtm_enduser: Login,
        rtm_async_client: AsyncRTMServerClient, rtm_transport: str) -> None:
    server = rtm_project.server
    assert server is not None
    bob = FPNNClient(gate_target(rtm_project.client_endpoint, rtm_transport))
    got: list[tuple[str, Any]] = []
    for method in (*CLIENT_PUSH_METHODS, "pushevent", "pushfile"):
        bob.register(method, lambda conn, quest: got.append((quest.method,
                                                             quest.payload.get("mid"))) or {})
    try:
        token = await rtm_async_client.get_token(2)
        assert await bob.quest("auth", {"pid": rtm_project.pid, "uid": 2, "token": token}) == {
            "ok": True}

        async def push_everything() -> None:
            hub = server.server.core.hub
            (conn,) = hub.connections(rtm_project.pid, 2)
            hub.push(conn, "pushevent", {"pid": rtm_project.pid, "event": "login"})
            hub.push(conn, "pushfile", {})
            hub.push(conn, "pushmsg", {"from": 1, "to": 2, "mid": 1, "mtype": 51, "msg": "m",
                                       "attrs": "", "mtime": 1})

        await asyncio.to_thread(server.run, push_everything())
        # logins/logouts of others, with a server listening to events: still nothing else
        await rtm_async_client.add_listen([], [], True, ["login", "logout"])
        other = await rtm_enduser(3)
        await other.close()
        await rtm_async_client.send_message(1, 2, 51, "marker", mid=2)
        await async_wait_until(lambda: ("pushmsg", 2) in got, what="the marker push")
        assert got == [("pushmsg", 1), ("pushmsg", 2)]
    finally:
        await bob.close()
    assert "pushevent" not in CLIENT_PUSH_METHODS


def write_bytes(conn: FPNNConnection, data: bytes) -> None:
    """Put ``data`` on ``conn``'s socket as it is."""
    transport = conn._transport
    assert transport is not None
    transport.write(data)


def write_frame(conn: FPNNConnection, frame: bytes) -> None:
    """Put an FPNN frame on ``conn`` past its session (which answers a quest once only): raw
    on TCP, as one binary message on WebSocket."""
    if conn.websocket:
        assert conn._ws is not None
        frame = conn._ws.send_frames([frame])
    write_bytes(conn, frame)


async def test_a_second_answer_to_a_push_is_ignored(
        rtm_project: RTMProject, rtm_async_client: AsyncRTMServerClient,
        rtm_transport: str) -> None:
    """The Android SDK answers a push ``{}`` before parsing it, then again with an error
    when its parser throws (client spec §6)."""
    server = rtm_project.server
    assert server is not None
    client = FPNNClient(gate_target(rtm_project.client_endpoint, rtm_transport))
    seen: asyncio.Queue[int] = asyncio.Queue()

    def answer_twice(conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        asyncio.get_running_loop().call_soon(
            write_frame, conn, encode_error_answer(quest.seq, 20009, "parse failed"))
        seen.put_nowait(int(quest.payload["mid"]))
        return {}

    client.register("pushmsg", answer_twice)
    try:
        token = await rtm_async_client.get_token(2)
        assert await client.quest("auth", {"pid": rtm_project.pid, "uid": 2,
                                           "token": token}) == {"ok": True}

        async def push(mid: int) -> int:
            hub = server.server.core.hub
            (conn,) = hub.connections(rtm_project.pid, 2)
            return await hub._push(conn, "pushmsg", {"from": 1, "to": 2, "mid": mid,
                                                     "mtype": 51, "msg": "x", "attrs": "",
                                                     "mtime": 1})

        for mid in (1, 2, 3):  # each answered (0), the late error answer of the one before
            assert await asyncio.to_thread(server.run, push(mid)) == 0  # changing nothing
            assert await asyncio.wait_for(seen.get(), 10) == mid
        await rtm_async_client.send_message(1, 2, 51, "x", mid=4)
        assert await asyncio.wait_for(seen.get(), 10) == 4
        assert await client.quest("getonlineusers", {"uids": [2]}) == {"uids": [2]}
        assert client.connected
    finally:
        await client.close()


def test_the_session_drops_a_second_answer_to_one_seq() -> None:
    session: FPNNSession[str] = FPNNSession(set(), now=0.0)
    seq = session.send_quest("pushmsg", {}, "T", 5.0, now=0.0)
    session.data_to_send()
    events = session.receive_data(encode_answer(seq, {}), now=0.1)
    assert events == [Answered("T", {})]
    assert session.receive_data(encode_error_answer(seq, 20009, "again"), now=0.2) == []
    assert session.receive_data(encode_answer(seq, {}), now=0.3) == []
    assert not session.closed and not session.has_output
    seq2 = session.send_quest("pushmsg", {}, "U", 5.0, now=0.4)
    assert codec.FrameDecoder().feed(session.data_to_send())[0].seq == seq2


def test_the_chat_map_of_each_case() -> None:
    config = ServicesConfig().with_translation("en", "fr", "good morning", "bonjour")
    assert chat_translation(config, "good morning", "fr") == {
        "source": "en", "target": "fr", "sourceText": "good morning", "targetText": "bonjour"}
    assert chat_translation(config, "good morning", "en")["targetText"] == "good morning"
    assert chat_translation(config, "hi", "zh-CN")["targetText"] == "[zh_cn] hi"
    assert chat_translation(config, "   ", "fr") == {
        "source": "", "target": "fr", "sourceText": "   ", "targetText": ""}
    assert chat_translation(config, "good morning", "klingon")["targetText"] == ""
    off = config.with_disabled(["translate"])
    assert chat_translation(off, "good morning", "fr")["targetText"] == ""
    assert chat_translation(config, "x" * 100_000 + "ä½ ", "")["source"] == "en"
    assert chat_translation(config, "x" * 100_000 + "你", "")["source"] == "zh_cn"
