"""The Method descriptor: binding, caching, metadata, and the static typing it provides."""

from __future__ import annotations

import asyncio
import inspect
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typing_check_api import FakeAsyncClient, FakeSyncClient

from rtm.api import Call, Method, RTMCore, RTMMethods
from rtm.api.methods import api_methods

ROOT = Path(__file__).parents[2]


def test_class_access_returns_descriptor() -> None:
    assert isinstance(RTMMethods.send_message, Method)
    assert isinstance(FakeSyncClient.get_friends, Method)
    assert RTMMethods.send_boradcast_message is RTMMethods.send_broadcast_message


def test_bound_is_cached_in_instance_dict() -> None:
    c = FakeSyncClient()
    first = c.send_message
    assert c.__dict__["send_message"] is first
    assert c.send_message is first
    other = FakeSyncClient()
    assert other.send_message is not first


def test_alias_shares_the_bound_callable() -> None:
    c = FakeSyncClient()
    assert c.send_boradcast_message is c.send_broadcast_message
    c.send_boradcast_message(1, 3, "m")
    assert c.sent[0].method == "broadcastmsg"


def test_metadata_and_signature() -> None:
    c = FakeSyncClient()
    fn = c.send_message
    assert fn.__name__ == "send_message"
    assert fn.__doc__ and "P2P" in fn.__doc__
    params = list(inspect.signature(fn).parameters)
    assert params == [
        "from_uid", "to_uid", "mtype", "message", "attrs", "mid", "timeout", "callback",
    ]  # fmt: skip
    assert inspect.signature(c.kickout).parameters["client_endpoint"].default == ""


def test_build_without_executing() -> None:
    c = FakeSyncClient()
    call = RTMMethods.send_message.build(c, 1, 2, 3, "m", timeout=1.0)
    assert isinstance(call, Call)
    assert call.method == "sendmsg" and call.zero == 0 and call.has_result
    assert call.timeout == 1.0 and call.signed and call.endpoint is None
    assert c.sent == []


def test_calling_descriptor_from_class_executes() -> None:
    c = FakeSyncClient()
    assert RTMMethods.get_friends(c, 1) == [7, 8]


def test_async_binding_returns_coroutine() -> None:
    c = FakeAsyncClient()
    coro = c.get_friends(1)
    assert inspect.iscoroutine(coro)
    assert asyncio.run(coro) == [7, 8]
    if sys.version_info >= (3, 12):
        assert inspect.iscoroutinefunction(c.get_friends)


def test_non_executor_is_rejected() -> None:
    class Bare(RTMCore, RTMMethods):
        pass

    b = Bare(1, "k", "h:1")
    with pytest.raises(TypeError, match="SyncExecutor or AsyncExecutor"):
        b.send_message  # type: ignore[misc]  # noqa: B018
    assert RTMMethods.send_message.build(b, 1, 2, 3, "m").method == "sendmsg"


def test_executor_classes_are_abstract() -> None:
    from rtm.api import AsyncExecutor, SyncExecutor

    with pytest.raises(TypeError):
        SyncExecutor()  # type: ignore[abstract]
    with pytest.raises(TypeError):
        AsyncExecutor()  # type: ignore[abstract]


GENERATION_0_1_0 = {
    "send_message", "send_messages", "send_group_message", "send_room_message",
    "send_broadcast_message", "get_group_message", "get_room_message",
    "get_broadcast_message", "get_p2p_message", "add_friends", "del_friends", "get_friends",
    "is_friend", "is_friends", "add_group_members", "del_group_members", "del_group",
    "get_group_members", "is_group_member", "get_user_groups", "add_room_member",
    "del_room_member", "add_group_ban", "remove_group_ban", "add_room_ban", "remove_room_ban",
    "add_project_black", "remove_project_black", "is_ban_of_group", "is_ban_of_room",
    "is_project_black", "del_message", "kickout", "get_token", "get_online_users",
    "add_listen", "remove_listen", "set_listen", "add_device", "remove_device", "send_file",
    "send_files", "send_group_file", "send_room_file", "send_broadcast_file",
}


def test_the_45_methods_of_0_1_0_are_still_there() -> None:
    names = {n for n, v in api_methods().items() if isinstance(v, Method)}
    assert len(GENERATION_0_1_0) == 45
    assert names >= GENERATION_0_1_0


@pytest.mark.skipif(shutil.which("mypy", path=str(ROOT / ".venv" / "bin")) is None,
                    reason="mypy not installed in .venv")  # fmt: skip
def test_mypy_strict_accepts_the_typing_checks() -> None:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "mypy"), "--strict", "src/rtm/api",
         "tests/unit/typing_check_api.py", "tests/unit/typing_check_client.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=110,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
