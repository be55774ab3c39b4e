"""The live stream: recording over real sockets, masking, batches with dropped counts,
filters, and no recording at all when the console is off."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import async_wait_until
from rtm import AsyncRTMServerClient, RTMError, RTMServerMonitor
from rtm.server import RTMServer, ServerConfig
from rtm.server.console.live import (
    MASK,
    LiveFilter,
    LiveRecorder,
    Subscription,
    batch_message,
    jsonable,
)

PID, SECRET = 11000077, "console-live-secret-4242"


def _config(**overrides: Any) -> ServerConfig:
    return ServerConfig(port=0, client_port=0, file_port=0, projects={PID: SECRET},
                        **overrides)


def test_jsonable_masks_credentials_at_every_level_and_keeps_big_ints_exact() -> None:
    shown = jsonable({"sign": "ABC", "token": "T", "nested": {"devicetoken": "D",
                                                            "client_secret": "S",
                                                            "uid": 2**60},
                      b"password": "p", "msg": b"\xffhi", "list": [1, {"apiKey": "k"}]})
    assert shown["sign"] == shown["token"] == shown["password"] == MASK
    assert shown["nested"] == {"devicetoken": MASK, "client_secret": MASK, "uid": str(2**60)}
    assert shown["list"] == [1, {"apiKey": MASK}]
    assert shown["msg"] == "bin(3): \\xffhi"


def test_batches_are_capped_and_count_what_they_leave_out() -> None:
    rec = LiveRecorder({PID: SECRET}, ring_size=50)
    sub = Subscription(rec, PID, cap=10, backlog=0)
    assert sub.next_batch() is None
    for i in range(30):
        rec.record("in", "server", "sendmsg", PID, {"from": 1, "to": 2 + i}, {}, 0, "", 0.001,
                   "p", None)
    batch = sub.next_batch()
    assert batch is not None
    assert [e.seq for e in batch.events] == list(range(21, 31))  # the newest, oldest first
    assert batch.dropped == 20 and batch.last_seq == 30
    # 80 more: 30 of them leave the 50-event ring before the next tick
    for _ in range(80):
        rec.record("in", "server", "getfriends", PID, {"uid": 7}, {}, 0, "", 0.0, "p", None)
    batch = sub.next_batch()
    assert batch is not None and len(batch.events) == 10 and batch.dropped == 70
    assert batch_message(batch)["events"][0]["method"] == "getfriends"
    # an unknown project is recorded under pid 0, never creating a ring per wire pid
    rec.record("in", "server", "sendmsg", 999, {}, None, 200002, "bad pid", 0.0, "p", None)
    assert rec.last_seq(999) == 0 and rec.last_seq(0) == 1


def test_filters_pause_and_lookup() -> None:
    rec = LiveRecorder({PID: SECRET})
    sub = Subscription(rec, PID, backlog=0)
    sub.set_filter(LiveFilter.parse("groupmsg", "", errors_only=True))
    rec.record("in", "server", "sendgroupmsg", PID, {"from": 5, "gid": 9}, None, 200041,
               "not a member", 0.0, "p", None)
    rec.record("in", "server", "sendgroupmsg", PID, {"from": 5, "gid": 9}, {"mtime": 1}, 0,
               "", 0.0, "p", None)
    rec.record("in", "server", "sendmsg", PID, {"from": 5, "to": 6}, None, 200005, "mtype",
               0.0, "p", None)
    batch = sub.next_batch()
    assert batch is not None and [e.seq for e in batch.events] == [1]
    assert batch.events[0].summary()["ids"] == ["9"]
    sub.set_filter(LiveFilter.parse("", " 6 "))
    rec.record("in", "client", "sendmsg", PID, {"to": 6}, {}, 0, "", 0.0, "p", 5)
    batch = sub.next_batch()
    assert batch is not None and batch.events[0].uids() == [5, 6]
    sub.paused = True
    rec.record("in", "client", "sendmsg", PID, {"to": 6}, {}, 0, "", 0.0, "p", 5)
    assert sub.next_batch() is None
    sub.paused = False
    assert sub.next_batch() is None  # what happened while paused is skipped
    assert rec.get(PID, 2) is not None and rec.get(PID, 99) is None
    with pytest.raises(ValueError, match="uid filter must be an integer"):
        LiveFilter.parse("", "abc")


async def test_server_records_quests_and_pushes_only_with_the_console() -> None:
    async with RTMServer(_config()) as server:
        assert server.core.live is None and server.console_url is None
    async with RTMServer(_config(console_port=0)) as server:
        live = server.core.live
        assert live is not None and server.console_url is not None
        async with AsyncRTMServerClient(PID, SECRET, server.endpoint,
                                        monitor=RTMServerMonitor()) as rtm:
            await rtm.set_listen([], [], True, [])
            await rtm.send_message(1, 2, 30, "hello")
            await async_wait_until(lambda: any(e.method == "pushmsg" for e in live.newer(PID, 0)))
            with pytest.raises(RTMError) as refused:
                await rtm.send_group_message(1, 77, 30, "not a member")
        events = list(live.newer(PID, 0))[::-1]
        methods = [e.method for e in events]
        assert "sendmsg" in methods and "pushmsg" in methods
        sent = next(e for e in events if e.method == "sendmsg" and e.status == 0)
        assert sent.gate == "server" and sent.direction == "in" and sent.size > 0
        assert sent.answer and "mtime" in sent.answer and sent.uids() == [1, 2]
        assert sent.detail()["params"]["sign"] == MASK
        pushed = next(e for e in events if e.method == "pushmsg")
        assert pushed.direction == "out" and pushed.status == 0 and pushed.pid == PID
        failed = next(e for e in events if e.method == "sendgroupmsg")
        assert failed.status == refused.value.code == 200041 and failed.answer is None
