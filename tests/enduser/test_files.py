"""Files from end users (client spec §3.4, §4): ``filetoken`` on the client gate, the file
quest on the file gate, the stored message and its download, ``uploadfile``, and the checks
(sign, membership, blocks, bad input). Each test with end users runs over TCP and over
WebSocket (``rtm_transport``): a WebSocket user reaches the file gate over WebSocket too, as
the web SDK does (spec §1.2)."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from helpers import gate_target
from rtm.api.errors import RTMError
from rtm.api.files import file_sign
from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.enduser.commands import files as files_cmd
from rtm.enduser.methods import UploadedFile
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.errors import FPNNError
from rtm.testing import RTMProject

from .common import nothing_pushed_before_a_marker

Login = Callable[[int], Awaitable[AsyncEndUserClient]]
DATA = b"hello file content\n\x00\xff"

pytestmark = pytest.mark.rtm_transports()


async def download(url: str) -> tuple[int, bytes]:
    def get() -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, b""

    return await asyncio.to_thread(get)


async def error_code(awaitable: Awaitable[Any]) -> int:
    try:
        answer = await awaitable
    except FPNNError as exc:
        return exc.code
    raise AssertionError(f"succeeded: {answer}")


async def file_gate_sees(project: RTMProject, user: AsyncEndUserClient) -> list[str]:
    """How the file gate sees ``user``'s open connections to it: "ws" or "tcp" each."""
    server = project.server
    assert server is not None
    ours = set()
    for endpoint in user._file_gates.clients.endpoints():
        files = user._file_gates.clients._entries[endpoint].client
        conn = files.connection
        if conn is not None and conn._transport is not None:
            host, port = conn._transport.get_extra_info("sockname")[:2]
            ours.add(f"{host}:{port}")

    async def read() -> list[str]:
        return ["ws" if c.websocket else "tcp"
                for c in server.server.file_gate.connections.values() if c.peer in ours]

    return await asyncio.to_thread(server.run, read())


async def test_a_file_sent_by_a_client_is_stored_pushed_and_downloads(
        rtm_project: RTMProject, rtm_enduser: Login,
        rtm_async_client: AsyncRTMServerClient, rtm_transport: str) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    mtime = await alice.send_file(2, 50, DATA, filename="notes.txt", attrs='{"k":"v"}',
                                  mid=101)
    # the file went over the user's own transport (a web app never opens plain TCP)
    assert alice._file_gates.clients.endpoints() == [gate_target(rtm_project.file_endpoint,
                                                           rtm_transport)]
    assert await file_gate_sees(rtm_project, alice) == [rtm_transport]
    push = await bob.next_push()
    assert push.method == "pushmsg"
    params = push.params
    assert (params["from"], params["to"], params["mid"], params["mtype"], params["mtime"]) == (
        1, 2, 101, 50, mtime)
    body = json.loads(params["msg"])
    assert body == {"url": body["url"], "size": len(DATA)}
    attrs = json.loads(params["attrs"])
    assert attrs["custom"] == {"k": "v"}
    assert (attrs["rtm"]["filename"], attrs["rtm"]["ext"]) == ("notes.txt", "txt")
    assert await download(body["url"]) == (200, DATA)

    # the same stored message as a file sent through the server API
    await rtm_async_client.send_file(3, 2, DATA, "notes.txt", extension="txt",
                                     attrs='{"k":"v"}', mid=102)
    server_push = await bob.next_push()
    server_attrs = json.loads(server_push.params["attrs"])
    server_attrs["rtm"].pop("sign")  # the sign depends on each send's token
    assert server_attrs == {**attrs, "rtm": {k: v for k, v in attrs["rtm"].items()
                                             if k != "sign"}}
    assert set(json.loads(server_push.params["msg"])) == set(body)
    page = await rtm_async_client.get_p2p_message(2, 1, True, 10, 0, 0, 0)
    (stored,) = page.messages
    assert (stored.mid, stored.message, stored.attrs) == (101, params["msg"], params["attrs"])
    assert stored.file_info is not None and stored.file_info.url == body["url"]


async def test_group_and_room_files_follow_membership(
        rtm_project: RTMProject, rtm_enduser: Login,
        rtm_async_client: AsyncRTMServerClient, rtm_transport: str) -> None:
    alice, bob, carol = await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(3)
    await rtm_async_client.add_group_members(70, [1, 2])
    mtime = await alice.send_group_file(70, 40, DATA, filename="pic.png", mid=201)
    push = await bob.next_push()
    assert (push.method, push.params["gid"], push.params["mtime"]) == ("pushgroupmsg", 70,
                                                                       mtime)
    body = json.loads(push.params["msg"])
    assert body["surl"] == body["url"] + "?thumb=1"  # mtype 40: an image
    assert await download(body["url"]) == (200, DATA)

    # not a member: refused at filetoken, nothing stored or pushed
    with pytest.raises(RTMError) as caught:
        await carol.send_group_file(70, 50, DATA, filename="x.txt", mid=202)
    assert caught.value.code == 200041
    # a member at filetoken time who has left by the file quest: refused there too
    ticket = await alice.quest("filetoken", {"cmd": "sendgroupfile", "gid": 70})
    await rtm_async_client.del_group_members(70, [1])
    files = FPNNClient(gate_target(ticket["endpoint"], rtm_transport))
    try:
        code = await error_code(files.quest("sendgroupfile", _file_quest(
            rtm_project, 1, ticket["token"], "gid", 70, mid=203)))
        assert code == 200041
    finally:
        await files.close()

    await alice.enter_room(80)
    await bob.enter_room(80)
    await alice.send_room_file(80, 42, DATA, filename="clip.mp4", mid=204)
    push = await bob.next_push()
    assert (push.method, push.params["rid"], push.params["mid"]) == ("pushroommsg", 80, 204)
    with pytest.raises(RTMError) as caught:
        await carol.send_room_file(80, 50, DATA, mid=205)
    assert caught.value.code == 200040
    page = await rtm_async_client.get_group_message(70, True, 10, 0, 0, 0, 2)
    assert [m.mid for m in page.messages] == [201]


def _file_quest(project: RTMProject, uid: int, token: str, key: str, target: Any, *,
                mid: int, data: bytes = DATA, sign: str | None = None,
                **extra: Any) -> dict[str, Any]:
    """A client SDK's file quest (A/C form; ``extra`` e.g. W's ``endpoint``)."""
    rtm = {"sign": sign or file_sign(data, token), "filename": "f.txt", "ext": "txt"}
    return {"pid": project.pid, "from": uid, "token": token, "mtype": 50, "mid": mid,
            "file": data, "attrs": json.dumps({"custom": {}, "rtm": rtm}), key: target,
            **extra}


async def test_the_sign_is_checked_and_the_web_form_accepted(
        rtm_project: RTMProject, rtm_enduser: Login, rtm_transport: str) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    ticket = await alice.quest("filetoken", {"cmd": "sendfile", "to": 2})
    assert files_cmd.FILETOKEN.answer_problems(ticket) == []
    assert ticket["endpoint"] == rtm_project.file_endpoint
    files = FPNNClient(gate_target(ticket["endpoint"], rtm_transport))
    try:
        token = ticket["token"]
        bad = _file_quest(rtm_project, 1, token, "to", 2, mid=300, sign="0" * 32)
        assert await error_code(files.quest("sendfile", bad)) == 200003
        other_file = _file_quest(rtm_project, 1, token, "to", 2, mid=300,
                                 sign=file_sign(b"another file", token))
        assert await error_code(files.quest("sendfile", other_file)) == 200003
        # nothing was pushed, and the token is still good: W's form (+ endpoint)
        web = _file_quest(rtm_project, 1, token, "to", 2, mid=301,
                          endpoint=ticket["endpoint"])
        web["attrs"] = json.dumps({"rtm": {"sign": file_sign(DATA, token), "ext": "txt"}})
        answer = await files.quest("sendfile", web)
        assert files_cmd.SENDFILE.answer_problems(answer) == []
        push = await bob.next_push()
        assert (push.params["mid"], push.params["mtime"]) == (301, answer["mtime"])
        # one use only
        again = _file_quest(rtm_project, 1, token, "to", 2, mid=302)
        assert await error_code(files.quest("sendfile", again)) == 200003
    finally:
        await files.close()


async def test_a_client_file_follows_a_clients_rules(
        rtm_project: RTMProject, rtm_enduser: Login,
        rtm_async_client: AsyncRTMServerClient) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    await rtm_async_client.add_blacks(2, [1])  # bob blocks alice
    with pytest.raises(RTMError) as caught:
        await alice.send_file(2, 50, DATA, filename="a.txt")
    assert caught.value.code == 200049
    # the server API sends for uid 1 all the same (blocks are a client's rule)
    await rtm_async_client.send_file(1, 2, DATA, "a.txt", mid=401)
    assert (await bob.next_push()).params["mid"] == 401  # the refused one was not pushed


async def test_filetoken_bad_input(rtm_project: RTMProject, rtm_enduser: Login,
                                   rtm_transport: str) -> None:
    alice = await rtm_enduser(1)
    for params, code in (
            ({"cmd": "broadcastfile"}, 200034),
            ({"cmd": "nosuch", "to": 2}, 200034),
            ({"cmd": "sendfile"}, 10009),
            ({"cmd": "sendfile", "gid": 2}, 10009),
            ({"cmd": "sendfile", "to": 1}, 200052),
            ({"cmd": "sendfiles", "tos": [2, 1]}, 200052),
            ({"cmd": "sendfile", "to": 0}, 200001),
            ({"cmd": "sendfile", "to": "2"}, 10010),
            ({"cmd": 5, "to": 2}, 10010),
            ({}, 10009)):
        assert await error_code(alice.quest("filetoken", params)) == code, params
    ticket = await alice.quest("filetoken", {"cmd": "sendfiles", "tos": [2, 3]})
    assert set(ticket) == {"token", "endpoint"}
    anonymous = AsyncEndUserClient(rtm_project.client_endpoint, rtm_project.pid, 1, "x",
                                   transport=rtm_transport)  # type: ignore[arg-type]
    try:
        assert await error_code(anonymous.quest("filetoken", {"cmd": "sendfile",
                                                              "to": 2})) == 200022
    finally:
        await anonymous.close()


async def test_the_methods_check_their_arguments(rtm_enduser: Login) -> None:
    alice = await rtm_enduser(1)
    with pytest.raises(ValueError, match="mtype"):
        alice.send_file(2, 30, DATA)
    with pytest.raises(TypeError, match="data"):
        alice.send_file(2, 50, "text")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="data"):
        alice.send_group_file(70, 50, b"")
    with pytest.raises(ValueError, match="to_uid"):
        alice.send_file(0, 50, DATA)
    with pytest.raises(TypeError, match="filename"):
        alice.upload_file(50, DATA, filename=5)  # type: ignore[arg-type]


async def test_uploadfile_stores_without_a_message(
        rtm_project: RTMProject, rtm_enduser: Login,
        rtm_async_client: AsyncRTMServerClient, rtm_transport: str) -> None:
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    uploaded = await alice.upload_file(50, DATA, filename="report.pdf", mid=501)
    assert isinstance(uploaded, UploadedFile) and uploaded.size == len(DATA)
    assert uploaded.mtime > 0 and f"/{rtm_project.pid}/" in uploaded.url
    assert not uploaded.url.endswith("/501")  # its own id, not the caller-chosen mid
    assert await download(uploaded.url) == (200, DATA)
    await nothing_pushed_before_a_marker(bob, rtm_async_client)
    page = await rtm_async_client.get_p2p_message(1, 2, True, 10, 0, 0, 0)
    assert page.messages == []

    # U's raw form (with uid); a uid that is not the sender is refused
    ticket = await alice.quest("filetoken", {"cmd": "uploadfile"})
    files = FPNNClient(gate_target(ticket["endpoint"], rtm_transport))
    try:
        quest = _file_quest(rtm_project, 1, ticket["token"], "uid", 2, mid=502)
        assert await error_code(files.quest("uploadfile", quest)) == 200034
        quest["uid"] = 1
        answer = await files.quest("uploadfile", quest)
        assert files_cmd.UPLOADFILE.answer_problems(answer) == []
        assert await download(answer["url"]) == (200, DATA)
        # a send token is not an upload token
        send = await alice.quest("filetoken", {"cmd": "sendfile", "to": 2})
        quest = _file_quest(rtm_project, 1, send["token"], "uid", 1, mid=503)
        assert await error_code(files.quest("uploadfile", quest)) == 200003
    finally:
        await files.close()


async def test_the_legacy_sendfiles_form(rtm_project: RTMProject, rtm_enduser: Login,
                                         rtm_transport: str) -> None:
    alice, bob, carol = await rtm_enduser(1), await rtm_enduser(2), await rtm_enduser(3)
    ticket = await alice.quest("filetoken", {"cmd": "sendfiles", "tos": [2, 3]})
    files = FPNNClient(gate_target(ticket["endpoint"], rtm_transport))
    try:
        quest = _file_quest(rtm_project, 1, ticket["token"], "tos", [3, 2], mid=601)
        answer = await files.quest("sendfiles", quest)
        assert files_cmd.SENDFILES.answer_problems(answer) == []
    finally:
        await files.close()
    for user in (bob, carol):
        push = await user.next_push()
        assert (push.method, push.params["to"], push.params["mid"]) == ("pushmsg", user.uid,
                                                                        601)
        url = json.loads(push.params["msg"])["url"]
        assert await download(url) == (200, DATA)
