"""The current generation's messages, history, message management, files and listening,
end to end: both SDK clients against the local server (rtm.testing fixtures)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from helpers import async_wait_until, wait_until
from rtm import (
    AsyncRTMServerClient,
    AudioInfo,
    ClearType,
    FileInfo,
    MessageType,
    RTMServerClient,
    RTMServerMonitor,
    SendResult,
)
from rtm.api.errors import MessageNotFoundError, PermissionDeniedError, RTMError
from rtm.fpnn.codec import Quest
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.server import ServerThread
from rtm.testing import RTMProject, new_project, start_test_server

A, B, C = 1001, 1002, 1003
GID, RID = 501, 601


def download(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, b"", dict(exc.headers)


def test_chat_history_management_and_files(rtm_client: RTMServerClient) -> None:
    c = rtm_client
    c.add_group_members(GID, [A, B])
    c.add_room_member(RID, A)
    chat = c.send_with_mid(c.send_group_chat, A, GID, "hello group")
    assert isinstance(chat, SendResult) and chat.mtime > 0
    c.send_group_cmd(A, GID, "cmd: refresh")
    c.send_group_message(A, GID, 77, "custom type")
    c.send_room_chat(A, RID, "hello room")
    c.send_chat(A, B, "hi b", attrs='{"k":"v"}')
    c.send_cmds(A, [B, C], "ping")

    # mtypes filter (applied before num) and the chat forms
    page = c.get_group_message(GID, mtypes=[77])
    assert [m.message for m in page.messages] == ["custom type"]
    chats = c.get_group_chat(GID)
    assert [m.mtype for m in chats.messages] == [32, 30]  # newest first, no mtype 77
    assert [m.message for m in c.get_p2p_chat(A, B).messages] == ["ping", "hi b"]

    # one message: read, edit (cursor id and mtime stay), time limit, not found
    unit = c.get_message(chat.mid, A, GID, MessageType.GROUP)
    assert (unit.message, unit.mtype, unit.mid, unit.file_info) == ("hello group", 30,
                                                                    chat.mid, None)
    assert c.get_chat(chat.mid, A, GID, MessageType.GROUP) == unit
    c.edit_message(chat.mid, A, GID, MessageType.GROUP, "hello, group", "edited")
    edited = c.get_message(chat.mid, A, GID, MessageType.GROUP)
    assert (edited.message, edited.attrs, edited.id, edited.mtime) == (
        "hello, group", "edited", unit.id, unit.mtime)
    # timeLimit 1 ms: wait until the message is older than that on the wall clock
    wait_until(lambda: time.time() * 1000 > unit.mtime + 2, what="the message to age 2 ms")
    with pytest.raises(PermissionDeniedError):
        c.edit_message(chat.mid, A, GID, MessageType.GROUP, "late", "", 1)
    with pytest.raises(MessageNotFoundError):
        c.get_message(chat.mid + 1, A, GID, MessageType.GROUP)

    # counts, then deletes of every kind
    count = c.get_msg_count(MessageType.GROUP, GID)
    assert (count.sender, count.count) == (1, 3)
    assert c.get_msg_count(MessageType.GROUP, GID, mtypes=[30, 32]).count == 2
    c.del_group_chat(chat.mid, A, GID)
    assert c.get_msg_count(MessageType.GROUP, GID).count == 2
    with pytest.raises(MessageNotFoundError):
        c.get_chat(chat.mid, A, GID, MessageType.GROUP)
    c.delete_conversation_messages(A, GID, MessageType.GROUP)
    assert c.get_group_message(GID).num == 0
    c.clean_room_message(RID)
    assert c.get_room_message(RID).num == 0
    c.clear_user_message(B)  # B received "hi b" and "ping": both go
    assert c.get_p2p_message(A, B).num == 0
    assert c.get_p2p_message(A, C).num == 1
    c.clear_project_message(ClearType.P2P)
    assert c.get_p2p_message(A, C).num == 0

    # files in the current format, with audio info and custom attrs; the URL downloads it
    audio = AudioInfo("amr-wb", 16000, "en", 3000)
    sent = c.send_with_mid(c.send_file, A, B, b"voice bytes", "voice.amr", mtype=41,
                           attrs='{"k":"v"}', audio_info=audio)
    entry = c.get_p2p_message(A, B).messages[0]
    info = entry.file_info
    assert isinstance(info, FileInfo)
    assert (info.size, info.is_rtm_audio, info.codec, info.srate, info.lang, info.duration,
            info.custom_attrs) == (11, True, "amr-wb", 16000, "en", 3000, '{"k":"v"}')
    assert json.loads(entry.message)["url"] == info.url  # the raw text stays available
    assert f"/{sent.mid}" not in info.url  # the file's own id, not the message's mid
    status, body, headers = download(info.url)
    assert (status, body, headers["Content-Length"]) == (200, b"voice bytes", "11")
    assert headers["Content-Type"].lower() == "audio/amr"
    c.send_group_file(A, GID, b"\x89PNG...", "photo.png", mtype=40)
    image = c.get_group_message(GID).messages[0].file_info
    assert image is not None and image.surl == image.url + "?thumb=1"
    assert download(image.url)[2]["Content-Type"] == "image/png"
    c.clean_p2p_message(A, B)
    assert download(info.url)[0] == 404  # cleaned: gone
    assert download(info.url.rsplit("/", 1)[0] + "/12345")[0] == 404
    assert download(info.url.rsplit("/", 1)[0] + f"/{sent.mid}")[0] == 404


def test_history_iterator_walks_1000_messages(rtm_client: RTMServerClient) -> None:
    c = rtm_client
    for i in range(1000):
        c.send_message(A, B, 51 if i % 2 else 52, f"m{i}", callback=lambda *_: None)
    wait_until(lambda: [m.message for m in c.get_p2p_message(A, B, num=1).messages] == ["m999"],
             30)
    newest_first = [m.message for m in c.iter_p2p_messages(A, B)]
    assert newest_first == [f"m{i}" for i in range(999, -1, -1)]
    oldest_first = [m.message for m in c.iter_p2p_messages(B, A, desc=False, num=7)]
    assert oldest_first == [f"m{i}" for i in range(1000)]
    odd = list(c.iter_p2p_messages(A, B, mtypes=[51]))
    assert len(odd) == 500 and {m.mtype for m in odd} == {51}


async def test_async_client(rtm_async_client: AsyncRTMServerClient) -> None:
    c = rtm_async_client
    await c.add_group_members(GID, [A])
    for i in range(45):
        await c.send_group_chat(A, GID, f"g{i}")
    got = [m.message async for m in c.aiter_group_messages(GID, num=20)]
    assert got == [f"g{i}" for i in range(44, -1, -1)]
    sent = await c.send_with_mid(c.send_broadcast_cmd, A, "all hands")
    unit = await c.get_message(sent.mid, A, 0, MessageType.BROADCAST)
    assert unit.mtype == 32 and unit.message == "all hands"
    count = await c.get_msg_count(MessageType.GROUP, GID, 0, 0, [30])
    assert count.count == 45
    await c.clean_broadcast_message(A)
    with pytest.raises(MessageNotFoundError):
        await c.get_message(sent.mid, A, 0, MessageType.BROADCAST)


class SplitMonitor(RTMServerMonitor):
    def __init__(self) -> None:
        self.got: list[tuple[str, Any]] = []

    def p2p_chat(self, from_uid: int, to_uid: int, mid: int, message: str | bytes,
                 attrs: str | bytes, mtime: int) -> None:
        self.got.append(("p2p_chat", message))

    def group_cmd(self, from_uid: int, group_id: int, mid: int, message: str | bytes,
                  attrs: str | bytes, mtime: int) -> None:
        self.got.append(("group_cmd", message))

    def p2p_file(self, from_uid: int, to_uid: int, mtype: int, mid: int,
                 message: str | bytes, attrs: str | bytes, mtime: int,
                 file_info: FileInfo) -> None:
        self.got.append(("p2p_file", file_info.size))

    def p2p_message(self, from_uid: int, to_uid: int, mtype: int, mid: int,
                    message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self.got.append(("p2p_message", (mtype, message)))


class OldMonitor(RTMServerMonitor):
    """A monitor written for 0.1.0: only ``*_message``."""

    def __init__(self) -> None:
        self.got: list[tuple[int, str | bytes]] = []

    async def group_message(self, from_uid: int, group_id: int, mtype: int, mid: int,
                            message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self.got.append((mtype, message))


def test_monitor_split_and_uid_listening(rtm_project: RTMProject) -> None:
    monitor = SplitMonitor()
    with RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint,
                         monitor=monitor) as listener, \
            RTMServerClient(rtm_project.pid, rtm_project.secret,
                            rtm_project.endpoint) as sender:
        sender.add_group_members(GID, [A])
        listener.add_listen([GID], [], [B], [])  # P2P of uid B only
        sender.send_chat(A, C, "not listened")
        sender.send_chat(A, B, "chat to b")
        sender.send_cmd(A, B, "cmd to b")  # no p2p_cmd override: goes to p2p_message
        sender.send_group_cmd(A, GID, "group cmd")
        sender.send_file(A, B, b"12345", "a.txt")
        wait_until(lambda: len(monitor.got) == 4)
        assert sorted(monitor.got, key=str) == sorted([
            ("p2p_chat", "chat to b"), ("p2p_message", (32, "cmd to b")),
            ("group_cmd", "group cmd"), ("p2p_file", 5)], key=str)
        listener.set_listen_status(False, False, True, False)  # every P2P message now
        sender.send_chat(A, C, "now listened")
        wait_until(lambda: ("p2p_chat", "now listened") in monitor.got)


async def test_old_async_monitor_still_receives_everything(rtm_project: RTMProject) -> None:
    monitor = OldMonitor()
    async with AsyncRTMServerClient(rtm_project.pid, rtm_project.secret,
                                    rtm_project.endpoint, monitor=monitor) as listener, \
            AsyncRTMServerClient(rtm_project.pid, rtm_project.secret,
                                 rtm_project.endpoint) as sender:
        await sender.add_group_members(GID, [A])
        await listener.set_listen([GID], [], [], [])
        await sender.send_group_chat(A, GID, "chat")
        await sender.send_group_file(A, GID, b"f", "f.bin")
        await async_wait_until(lambda: len(monitor.got) >= 2, what="two group pushes")
        assert [m for m, _ in monitor.got] == [30, 50]


def test_listen_lists_arrive_as_maps_and_dedup_switch() -> None:
    """Go re-sends its listen cache as maps (spec §8); ``dedup_mid=False`` stores a repeated
    mid twice (spec §1.4)."""
    server: ServerThread = start_test_server(dedup_mid=False)
    try:
        project = new_project(server)
        monitor = SplitMonitor()
        with RTMServerClient(project.pid, project.secret, project.endpoint,
                             monitor=monitor) as c:
            raw = RTMServerClient.set_listen.build(c, [], [], [B], [])
            raw.params["uids"] = {B: {}}  # what Go's listen cache re-send looks like
            c._execute(raw)
            c.send_chat(A, B, "via map")
            wait_until(lambda: ("p2p_chat", "via map") in monitor.got)
            c.send_message(A, B, 51, "same mid", mid=42)
            c.send_message(A, B, 51, "same mid", mid=42)
            assert [m.mid for m in c.get_p2p_message(A, B, mtypes=[51]).messages] == [42, 42]
    finally:
        server.stop()


def test_retry_on_same_sign_resigns_once() -> None:
    """Current profile: a 200006 answer is re-signed (fresh salt, ts = now + 5) and sent
    once more (spec §1.2); the 0.1.0 profile does not retry."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    seen: list[dict[str, Any]] = []

    def handler(conn: ServerConnection, quest: Quest) -> dict[str, Any]:
        seen.append(dict(quest.payload))
        if len(seen) % 2 == 1:
            from rtm.fpnn.errors import FPNNError
            raise FPNNError("same sign", 200006)
        return {"uids": []}

    async def start() -> FPNNServer:
        srv = FPNNServer()
        srv.register("getfriends", handler)
        await srv.start()
        return srv

    srv = asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    try:
        with RTMServerClient(1, "k", srv.endpoint) as c:
            assert c.get_friends(7) == []
            first, second = seen
            assert second["salt"] != first["salt"] and second["ts"] >= first["ts"] + 4
            done = threading.Event()
            c.get_friends(7, callback=lambda result, code, info: done.set())
            assert done.wait(5) and len(seen) == 4
        with RTMServerClient(1, "k", srv.endpoint, protocol="0.1.0") as old, \
                pytest.raises(RTMError) as err:
            old.get_friends(7)
        assert err.value.code == 200006 and len(seen) == 5
    finally:
        asyncio.run_coroutine_threadsafe(srv.close(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
