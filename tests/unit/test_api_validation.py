"""Every argument rule raises TypeError/ValueError naming the method, the argument and the
rule — and nothing reaches the wire."""

from __future__ import annotations

import asyncio
from enum import IntEnum
from typing import Any

import pytest
from typing_check_api import FakeAsyncClient, FakeSyncClient

from rtm.api import MessageType
from rtm.api.errors import InvalidMtypeError, LargeFileOrAttrsError, LargeMessageOrAttrsError

I64 = 2**63
OK_MSG = (1, 2, 3, "m")

# (method, args, kwargs, exception, fragments that must appear in the message)
CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], type[Exception], tuple[str, ...]]] = [
    # ints: type, bool, range
    # mtype: outside 1..127 is the server's 200005 whatever the int (also a ValueError)
    ("send_message", (1, 2, 300, "m"), {}, InvalidMtypeError,
     ("send_message(): 'mtype' must be in [1, 127], got 300", "[200005 INVALID_MTYPE]")),
    ("send_message", (1, 2, 128, "m"), {}, InvalidMtypeError, ("'mtype'", "got 128")),
    ("send_message", (1, 2, 0, "m"), {}, InvalidMtypeError, ("'mtype'", "got 0")),
    ("send_message", (1, 2, -129, "m"), {}, InvalidMtypeError, ("'mtype'", "[1, 127]")),
    ("send_message", (1, 2, "3", "m"), {}, TypeError, ("'mtype'", "got str")),
    ("send_message", (1, 2, True, "m"), {}, TypeError, ("'mtype'", "got bool")),
    ("send_message", (True, 2, 3, "m"), {}, TypeError, ("'from_uid'", "got bool")),
    ("send_message", (1.0, 2, 3, "m"), {}, TypeError, ("'from_uid'", "got float")),
    ("send_message", (I64, 2, 3, "m"), {}, ValueError, ("'from_uid'", "int64")),
    ("send_message", (1, -I64 - 1, 3, "m"), {}, ValueError, ("'to_uid'", "int64")),
    ("send_message", (1, None, 3, "m"), {}, TypeError, ("'to_uid'",)),
    ("send_message", OK_MSG, {"mid": I64}, ValueError, ("'mid'", "int64")),
    ("send_message", OK_MSG, {"mid": "1"}, TypeError, ("'mid'",)),
    # message / attrs
    ("send_message", (1, 2, 3, 5), {}, TypeError, ("'message'", "str or bytes")),
    ("send_message", (1, 2, 3, None), {}, TypeError, ("'message'",)),
    ("send_message", OK_MSG, {"attrs": None}, TypeError, ("'attrs'", "str")),
    ("send_message", OK_MSG, {"attrs": b"x"}, TypeError, ("'attrs'", "str")),
    # sizes: the server's 200030, before anything is encoded (a 10 MB one too)
    ("send_message", (1, 2, 3, "x" * 20481), {}, LargeMessageOrAttrsError,
     ("send_message(): 'message' is 20481 bytes, the server accepts at most 20480",
      "[200030 LARGE_MESSAGE_OR_ATTRS]")),
    ("send_message", (1, 2, 3, "\u00e9" * 10241), {}, LargeMessageOrAttrsError,
     ("'message' is 20482 bytes",)),
    ("send_message", (1, 2, 3, b"\xff" * 10_000_000), {}, LargeMessageOrAttrsError,
     ("'message' is 10000000 bytes",)),
    ("send_message", OK_MSG, {"attrs": "a" * 2049}, LargeMessageOrAttrsError,
     ("'attrs' is 2049 bytes, the server accepts at most 2048",)),
    ("send_group_message", (1, 2, 3, bytearray(20481)), {}, LargeMessageOrAttrsError,
     ("send_group_message()", "'message'")),
    ("send_messages", (1, [2], 3, "m"), {"attrs": "\U0001f600" * 513}, LargeMessageOrAttrsError,
     ("send_messages()", "'attrs' is 2052 bytes")),    # timeout / callback (every method)
    ("send_message", OK_MSG, {"timeout": 0}, ValueError, ("'timeout'", "> 0")),
    ("send_message", OK_MSG, {"timeout": -1.0}, ValueError, ("'timeout'",)),
    ("send_message", OK_MSG, {"timeout": float("inf")}, ValueError, ("'timeout'",)),
    ("send_message", OK_MSG, {"timeout": "5"}, TypeError, ("'timeout'",)),
    ("send_message", OK_MSG, {"timeout": True}, TypeError, ("'timeout'",)),
    ("send_message", OK_MSG, {"callback": 5}, TypeError, ("'callback'", "callable")),
    ("get_friends", (1,), {"timeout": 0}, ValueError, ("get_friends()", "'timeout'")),
    ("add_friends", (1, [2]), {"callback": "x"}, TypeError, ("add_friends()", "'callback'")),
    ("send_file", (1, 2, b"x", "f"), {"timeout": 0}, ValueError, ("send_file()", "'timeout'")),
    # target ids of the other sends
    ("send_group_message", (1, "g", 3, "m"), {}, TypeError, ("send_group_message()", "'group_id'")),
    ("send_room_message", (1, I64, 3, "m"), {}, ValueError, ("send_room_message()", "'room_id'")),
    ("send_broadcast_message", (1, 128, "m"), {}, InvalidMtypeError,
     ("send_broadcast_message()", "'mtype'")),
    ("send_boradcast_message", (1, 3, 4), {}, TypeError, ("'message'",)),
    # lists
    ("send_messages", (1, [], 3, "m"), {}, ValueError, ("'to_uids'", "must not be empty")),
    ("send_messages", (1, 5, 3, "m"), {}, TypeError, ("'to_uids'", "list or tuple")),
    ("send_messages", (1, {2, 3}, 3, "m"), {}, TypeError, ("'to_uids'", "list or tuple")),
    ("send_messages", (1, list(range(2001)), 3, "m"), {}, ValueError,
     ("'to_uids'", "at most 2000", "got 2001")),
    ("send_messages", (1, [2, "3"], 3, "m"), {}, TypeError, ("'to_uids[1]'",)),
    ("send_messages", (1, [2, True], 3, "m"), {}, TypeError, ("'to_uids[1]'",)),
    ("send_messages", (1, [2, I64], 3, "m"), {}, ValueError, ("'to_uids[1]'", "int64")),
    ("add_friends", (1, []), {}, ValueError, ("add_friends()", "'friend_uids'", "empty")),
    ("add_friends", (1, list(range(101))), {}, ValueError, ("'friend_uids'", "at most 100")),
    ("del_friends", (1, list(range(101))), {}, ValueError, ("del_friends()", "at most 100")),
    ("del_friends", (1, ()), {}, ValueError, ("'friend_uids'", "empty")),
    ("is_friends", (1, []), {}, ValueError, ("is_friends()", "'uids'", "empty")),
    ("is_friends", (1, list(range(101))), {}, ValueError, ("'uids'", "at most 100")),
    ("add_group_members", (1, list(range(101))), {}, ValueError, ("'uids'", "at most 100")),
    ("add_group_members", (1, []), {}, ValueError, ("'uids'", "empty")),
    ("del_group_members", (1, list(range(101))), {}, ValueError, ("'uids'", "at most 100")),
    ("del_group_members", (1, []), {}, ValueError, ("'uids'", "empty")),
    ("get_online_users", ([],), {}, ValueError, ("get_online_users()", "'uids'", "empty")),
    ("get_online_users", (list(range(201)),), {}, ValueError, ("'uids'", "at most 200")),
    ("add_listen", ("1", [], True, []), {}, TypeError, ("add_listen()", "'group_ids'")),
    ("add_listen", ([], [1.5], True, []), {}, TypeError, ("'room_ids[0]'",)),
    ("add_listen", ([], [], 1, []), {}, TypeError, ("'p2p'", "bool")),
    ("add_listen", ([], [], True, "login"), {}, TypeError, ("'events'", "list or tuple of str")),
    ("add_listen", ([], [], True, [1]), {}, TypeError, ("'events[0]'", "str")),
    ("remove_listen", ([], [], None, []), {}, TypeError, ("remove_listen()", "'p2p'")),
    ("set_listen", ([], [], True, []), {"all": 1}, TypeError, ("set_listen()", "'all'", "bool")),
    ("set_listen", ([None], [], True, []), {}, TypeError, ("'group_ids[0]'",)),
    # history
    ("get_group_message", (1, 1, 10, 0, 0, 0), {}, TypeError,
     ("get_group_message()", "'desc'", "bool")),
    ("get_group_message", (1, True, 21, 0, 0, 0), {}, ValueError, ("'num'", "[1, 20]", "got 21")),
    ("get_group_message", (1, True, 0, 0, 0, 0), {}, ValueError, ("'num'", "[1, 20]")),
    ("get_group_message", (1, True, 40000, 0, 0, 0), {}, ValueError, ("'num'", "int16")),
    ("get_group_message", (1, True, "10", 0, 0, 0), {}, TypeError, ("'num'",)),
    ("get_room_message", (1, True, 10, "0", 0, 0), {}, TypeError,
     ("get_room_message()", "'begin'")),
    ("get_broadcast_message", (True, 10, 0, I64, 0), {}, ValueError, ("'end'", "int64")),
    ("get_p2p_message", (1, 2, True, 10, 0, 0, None), {}, TypeError, ("'lastid'",)),
    ("get_p2p_message", (1, "2", True, 10, 0, 0, 0), {}, TypeError, ("'peer_uid'",)),
    # single ids of the simple methods
    ("get_friends", ("1",), {}, TypeError, ("get_friends()", "'uid'")),
    ("is_friend", (1, "2"), {}, TypeError, ("is_friend()", "'peer_uid'")),
    ("del_group", (I64,), {}, ValueError, ("del_group()", "'group_id'")),
    ("get_group_members", (None,), {}, TypeError, ("'group_id'",)),
    ("is_group_member", (1, None), {}, TypeError, ("is_group_member()", "'uid'")),
    ("get_user_groups", (False,), {}, TypeError, ("'uid'",)),
    ("add_room_member", ("r", 1), {}, TypeError, ("add_room_member()", "'room_id'")),
    ("del_room_member", (1, "u"), {}, TypeError, ("del_room_member()", "'uid'")),
    # bans
    ("add_group_ban", (1, 2, 2**31), {}, ValueError, ("'banned_seconds'", "int32")),
    ("add_room_ban", (1, 2, "60"), {}, TypeError, ("add_room_ban()", "'banned_seconds'")),
    ("add_project_black", (1, -(2**31) - 1), {}, ValueError, ("'banned_seconds'", "int32")),
    ("remove_group_ban", (1, "2"), {}, TypeError, ("remove_group_ban()", "'uid'")),
    ("remove_room_ban", ("1", 2), {}, TypeError, ("'room_id'",)),
    ("remove_project_black", ("1",), {}, TypeError, ("'uid'",)),
    ("is_ban_of_group", ("1", 2), {}, TypeError, ("'group_id'",)),
    ("is_ban_of_room", (1, "2"), {}, TypeError, ("'uid'",)),
    ("is_project_black", (None,), {}, TypeError, ("'uid'",)),
    # del_message
    ("del_message", (1, 2, 3, 5), {}, ValueError, ("'message_type'", "MessageType")),
    ("del_message", (1, 2, 3, 0), {}, ValueError, ("'message_type'",)),
    ("del_message", (1, 2, 3, "P2P"), {}, TypeError, ("'message_type'",)),
    ("del_message", (1, 2, 3, True), {}, TypeError, ("'message_type'",)),
    ("del_message", ("1", 2, 3, MessageType.P2P), {}, TypeError, ("del_message()", "'mid'")),
    ("del_message", (1, 2, "3", MessageType.P2P), {}, TypeError, ("'xid'",)),
    # misc
    ("kickout", (1,), {"client_endpoint": None}, TypeError, ("kickout()", "'client_endpoint'")),
    ("get_token", ("1",), {}, TypeError, ("get_token()", "'uid'")),
    ("add_device", (1, None, "t"), {}, TypeError, ("add_device()", "'app_type'")),
    ("add_device", (1, "apns", 5), {}, TypeError, ("'device_token'",)),
    ("remove_device", (1, b"t"), {}, TypeError, ("remove_device()", "'device_token'")),
    # files
    ("send_file", (1, 2, "text", "f"), {}, TypeError, ("send_file()", "'file_content'", "bytes")),
    ("send_file", (1, 2, b"", "f"), {}, ValueError, ("'file_content'", "empty")),
    ("send_file", (1, 2, b"x", None), {}, TypeError, ("'filename'",)),
    ("send_file", (1, 2, b"x", "f"), {"mtype": 200}, InvalidMtypeError, ("'mtype'", "[1, 127]")),
    ("send_file", (1, 2, b"x" * 5_242_881, "f"), {}, LargeFileOrAttrsError,
     ("send_file()", "'file_content' is 5242881 bytes, the server accepts at most 5242880",
      "[200031 LARGE_FILE_OR_ATTRS]")),
    ("send_room_file", (1, 2, bytes(10_000_000), "f"), {}, LargeFileOrAttrsError,
     ("send_room_file()", "'file_content'")),
    ("send_file", (1, 2, b"x", "f"), {"extension": 5}, TypeError, ("'extension'",)),
    ("send_file", (1, 2, b"x", "f"), {"attrs": 5}, TypeError, ("'attrs'",)),
    ("send_file", (1, 2, b"x", "f"), {"mid": "5"}, TypeError, ("'mid'",)),
    ("send_file", (1, "2", b"x", "f"), {}, TypeError, ("'to_uid'",)),
    ("send_files", (1, [], b"x", "f"), {}, ValueError, ("send_files()", "'to_uids'", "empty")),
    ("send_files", (1, list(range(2001)), b"x", "f"), {}, ValueError, ("at most 2000",)),
    ("send_group_file", (1, None, b"x", "f"), {}, TypeError, ("send_group_file()", "'group_id'")),
    ("send_room_file", (1, "r", b"x", "f"), {}, TypeError, ("send_room_file()", "'room_id'")),
    ("send_broadcast_file", ("1", b"x", "f"), {}, TypeError,
     ("send_broadcast_file()", "'from_uid'")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "exc", "fragments"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_sync_validation(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], exc: type[Exception],
    fragments: tuple[str, ...],
) -> None:  # fmt: skip
    client = FakeSyncClient()
    with pytest.raises(exc) as info:
        getattr(client, method)(*args, **kwargs)
    text = str(info.value)
    head = getattr(info.value, "message", text)  # RTM errors: str() starts with [code NAME]
    assert head.startswith(f"{method}(") or method == "send_boradcast_message"
    for fragment in fragments:
        assert fragment in text
    assert client.sent == [] and client.calls == []


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "exc", "fragments"), CASES[::7], ids=[c[0] for c in CASES[::7]]
)
def test_async_validation_raises_before_any_coroutine(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], exc: type[Exception],
    fragments: tuple[str, ...],
) -> None:  # fmt: skip
    client = FakeAsyncClient()
    with pytest.raises(exc):
        getattr(client, method)(*args, **kwargs)  # raises at call time, nothing to await
    assert client.sent == []


def test_accepted_edge_values() -> None:
    c = FakeSyncClient()

    class Kind(IntEnum):
        X = 7

    c.send_message(-(2**63), 2**63 - 1, 1, "", attrs="", mid=0)
    c.send_message(1, 2, 127, b"")
    c.send_message(1, 2, Kind.X, bytearray(b"ab"))
    c.send_messages(1, tuple(range(2000)), 3, "m")
    c.add_friends(1, list(range(100)))
    c.get_online_users(list(range(200)))
    c.get_group_message(1, False, 1, 0, 0, 0)
    c.get_group_message(1, True, 20, 0, 0, 0)
    c.add_group_ban(1, 2, -(2**31))
    c.add_project_black(1, 2**31 - 1)
    c.del_message(1, 2, 3, 4)
    c.add_listen((), (), False, ())
    c.send_file(1, 2, bytearray(b"x"), "")
    c.send_file(1, 2, memoryview(b"x"), "f", timeout=2)
    sent = c.sent
    assert type(sent[2].params["mtype"]) is int and sent[2].params["msg"] == b"ab"
    assert type(sent[3].params["tos"]) is list
    assert sent[-1].timeout == 2.0 and type(sent[-1].params["file"]) is bytes


def test_the_size_limits_themselves_are_accepted() -> None:
    c = FakeSyncClient()
    c.send_message(1, 2, 3, "x" * 20480, attrs="a" * 2048)
    c.send_message(1, 2, 3, "\U0001f600" * 5120, attrs="\u00e9" * 1024)  # 20480 / 2048 bytes
    c.send_message(1, 2, 3, bytes(20480))
    c.send_file(1, 2, bytes(5_242_880), "big.bin")
    assert [len(s.params.get("msg", s.params.get("file", b""))) for s in c.sent] == [
        20480, 5120, 20480, 0, 5_242_880]  # 5120 code points of 4 bytes; filetoken; the file


def test_lists_are_copied_at_build_time() -> None:
    c = FakeSyncClient()
    uids = [1, 2]
    call = type(c).add_friends.build(c, 9, uids)
    uids.append(3)
    assert call.params["friends"] == [1, 2]


def test_async_bad_input_sends_nothing() -> None:
    c = FakeAsyncClient()

    async def run() -> None:
        with pytest.raises(ValueError):
            await c.send_message(1, 2, 1000, "m")

    asyncio.run(run())
    assert c.sent == []
