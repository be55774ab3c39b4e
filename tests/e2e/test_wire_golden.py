"""Wire test: every API method, through both clients and the callback mode, puts on the wire
exactly what the Go SDK 0.1.0 sends (method names, param keys, msgpack type families), as
recorded in tests/data/golden/go-0.1.0-wire.jsonl. Integer widths may differ; nothing else.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rtm import AsyncRTMServerClient, MessageType, RTMServerClient
from rtm.api.signing import sign_v1
from rtm.fpnn.codec import Quest
from rtm.fpnn.server import FPNNServer, ServerConnection

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "go-0.1.0-wire.jsonl"
PID, SECRET = 80000071, "wire-test-secret"
FILE_GATE_METHODS = {"sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"}
FILE = b"hello file"


def family(value: Any) -> str:
    """The golden file's type notation for a decoded msgpack value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "str"
    if isinstance(value, bytes):
        return "bin"
    if value is None:
        return "nil"
    if isinstance(value, list):
        inner = {family(v) for v in value}
        return f"array<{inner.pop() if len(inner) == 1 else ''}>"
    return type(value).__name__


def golden_quests() -> list[tuple[str, dict[str, str]]]:
    out = []
    for line in GOLDEN.read_text().splitlines():
        rec = json.loads(line)
        out.append((rec["method"], {k: v["type"] for k, v in rec["params"].items()}))
    return out


def history_answer() -> dict[str, Any]:
    return {"num": 2, "lastid": 2, "begin": 1, "end": 2, "msgs": [
        [1, 1, 51, 11, False, "a", "", 1], [2, 2, 51, 12, True, "b", "", 2]]}


ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "sendmsg": lambda: {"mtime": 1}, "sendmsgs": lambda: {"mtime": 1},
    "sendgroupmsg": lambda: {"mtime": 1}, "sendroommsg": lambda: {"mtime": 1},
    "broadcastmsg": lambda: {"mtime": 1},
    "getgroupmsg": history_answer, "getroommsg": history_answer,
    "getbroadcastmsg": history_answer, "getp2pmsg": history_answer,
    "getfriends": lambda: {"uids": [1]}, "isfriend": lambda: {"ok": True},
    "isfriends": lambda: {"fuids": [1]}, "getgroupmembers": lambda: {"uids": [1]},
    "isgroupmember": lambda: {"ok": True}, "getusergroups": lambda: {"gids": [1]},
    "isbanofgroup": lambda: {"ok": False}, "isbanofroom": lambda: {"ok": False},
    "isprojectblack": lambda: {"ok": False}, "gettoken": lambda: {"token": "T"},
    "getonlineusers": lambda: {"uids": []},
    "sendfile": lambda: {"mtime": 1}, "sendfiles": lambda: {"mtime": 1},
    "sendgroupfile": lambda: {"mtime": 1}, "sendroomfile": lambda: {"mtime": 1},
    "broadcastfile": lambda: {"mtime": 1},
}


class Recorder:
    """An FPNN server that records every quest and answers with a valid canned answer."""

    def __init__(self) -> None:
        self.server = FPNNServer()
        self.quests: list[Quest] = []
        methods = {m for m, _ in golden_quests()}
        for method in methods:
            self.server.register(method, self._handle)

    def _handle(self, conn: ServerConnection, quest: Quest) -> dict[str, Any]:
        self.quests.append(quest)
        if quest.method == "filetoken":
            return {"token": "file-token", "endpoint": self.server.endpoint}
        return ANSWERS.get(quest.method, dict)()


def run_all(call: Callable[..., Any], label: str) -> None:
    """Every API method once, with the arguments of the golden recording."""
    uids = [100002, 100003]
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("send_message", (100001, 100002, 51, "p2p message"), {"attrs": "attrs-p2p"}),
        ("send_messages", (100001, uids, 51, "multi message"), {"attrs": "attrs-multi"}),
        ("send_group_message", (100001, 200001, 51, "group message"), {"attrs": "attrs-group"}),
        ("send_room_message", (100001, 300001, 51, "room message"), {"attrs": "attrs-room"}),
        ("send_broadcast_message", (100001, 51, "broadcast message"), {"attrs": "attrs-bc"}),
        ("get_group_message", (200001, True, 10, 0, 0, 0), {}),
        ("get_room_message", (300001, False, 10, 1500000000000, 1600000000000, 5), {}),
        ("get_broadcast_message", (True, 10, 0, 0, 0), {}),
        ("get_p2p_message", (100001, 100002, True, 10, 0, 0, 0), {}),
        ("add_friends", (100001, uids), {}),
        ("del_friends", (100001, uids), {}),
        ("get_friends", (100001,), {}),
        ("is_friend", (100001, 100002), {}),
        ("is_friends", (100001, uids), {}),
        ("add_group_members", (200001, uids), {}),
        ("del_group_members", (200001, uids), {}),
        ("del_group", (200001,), {}),
        ("get_group_members", (200001,), {}),
        ("is_group_member", (200001, 100001), {}),
        ("get_user_groups", (100001,), {}),
        ("add_room_member", (300001, 100001), {}),
        ("del_room_member", (300001, 100001), {}),
        ("add_group_ban", (200001, 100001, 120), {}),
        ("remove_group_ban", (200001, 100001), {}),
        ("add_room_ban", (300001, 100001, 120), {}),
        ("remove_room_ban", (300001, 100001), {}),
        ("add_project_black", (100001, 3600), {}),
        ("remove_project_black", (100001,), {}),
        ("is_ban_of_group", (200001, 100001), {}),
        ("is_ban_of_room", (300001, 100001), {}),
        ("is_project_black", (100001,), {}),
        ("del_message", (1234567890123, 100001, 100002, MessageType.P2P), {}),
        ("kickout", (100001,), {"client_endpoint": "127.0.0.1:54321"}),
        ("get_token", (100001,), {}),
        ("get_online_users", (uids,), {}),
        ("add_listen", ([200001], [300001], True, ["login", "logout"]), {}),
        ("remove_listen", ([200001], [300001], True, ["logout"]), {}),
        ("set_listen", ([200001], [300001], False, ["login"]), {"all": True}),
        ("add_device", (100001, "apns", "device-token-1"), {}),
        ("remove_device", (100001, "device-token-1"), {}),
        ("send_file", (100001, 100002, FILE, "demo.txt"), {}),
        ("send_files", (100001, uids, FILE, "demo.txt"), {}),
        ("send_group_file", (100001, 200001, FILE, "demo.txt"), {}),
        ("send_room_file", (100001, 300001, FILE, "demo.txt"), {}),
        ("send_broadcast_file", (100001, FILE, "demo.txt"), {}),
    ]
    for method, args, kwargs in calls:
        call(method, args, kwargs)


def compare(quests: list[Quest], golden: list[tuple[str, dict[str, str]]]) -> None:
    got = [(q.method, {k: family(v) for k, v in q.payload.items()}) for q in quests]
    assert [m for m, _ in got] == [m for m, _ in golden]
    for (method, params), (_gmethod, gparams) in zip(got, golden, strict=True):
        # an empty list has no element type; the golden file writes array<int> for it
        for key, fam in params.items():
            if fam == "array<>" and gparams.get(key, "").startswith("array<"):
                params[key] = gparams[key]
        assert params == gparams, f"{method}: {params} != golden {gparams}"
    for quest in quests:  # and every signed quest carries a valid 0.1.0 signature
        p = quest.payload
        if "sign" in p:
            assert p["pid"] == PID
            assert p["sign"] == sign_v1(PID, SECRET, p["salt"]), quest.method
        else:
            assert quest.method in FILE_GATE_METHODS and p["token"] == "file-token"


@pytest.fixture
def recorder_thread() -> Iterator[Recorder]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Recorder] = {}

    async def start() -> None:
        holder["r"] = Recorder()
        await holder["r"].server.start()
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    ready.wait(5)
    yield holder["r"]
    asyncio.run_coroutine_threadsafe(holder["r"].server.close(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def test_wire_test_covers_every_api_method() -> None:
    from rtm.api.call import Method
    from rtm.api.methods import api_methods

    api = {name for name, value in api_methods().items() if isinstance(value, Method)}
    called: list[str] = []
    run_all(lambda m, a, k: called.append(m), "names")
    # the 45 methods of the 0.1.0 generation (later methods: test_wire_current.py)
    assert len(set(called)) == 45
    assert set(called) <= api


async def test_async_client_matches_go_0_1_0_wire() -> None:
    rec = Recorder()
    await rec.server.start()
    try:
        async with AsyncRTMServerClient(PID, SECRET, rec.server.endpoint,
                                        protocol="0.1.0") as client:
            calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
            run_all(lambda m, a, k: calls.append((m, a, k)), "async")
            for method, args, kwargs in calls:
                await getattr(client, method)(*args, **kwargs)
            # the callback form of the last golden quest
            done = asyncio.Event()
            loop = asyncio.get_running_loop()
            await client.send_message(100001, 100002, 51, "async message",
                                      callback=lambda *a: loop.call_soon_threadsafe(done.set))
            await asyncio.wait_for(done.wait(), 5)
    finally:
        await rec.server.close()
    compare(rec.quests, golden_quests())


def test_sync_client_matches_go_0_1_0_wire(recorder_thread: Recorder) -> None:
    rec = recorder_thread
    with RTMServerClient(PID, SECRET, rec.server.endpoint, protocol="0.1.0") as client:
        run_all(lambda m, a, k: getattr(client, m)(*a, **k), "sync")
        done = threading.Event()
        results: list[tuple[Any, ...]] = []

        def callback(*args: Any) -> None:
            results.append(args)
            done.set()

        assert client.send_message(100001, 100002, 51, "async message", callback=callback) == 0
        assert done.wait(5)
        assert results == [(1, 0, "")]
    compare(rec.quests, golden_quests())


