"""Reading pushes into typed objects and dropping repeats (pure: no socket involved)."""

from __future__ import annotations

import pytest

from rtm.enduser.pushes import (
    GroupMessage,
    Kickout,
    P2PMessage,
    Push,
    PushDeduplicator,
    PushFormatError,
    parse_push,
)

BASE = {"from": 1, "mid": 9, "mtype": 51, "msg": "m", "attrs": "", "mtime": 5}


def test_parse_push_reads_and_names_bad_keys() -> None:
    push = parse_push("pushmsg", BASE, own_uid=2)
    assert isinstance(push, P2PMessage) and push.to_uid == 2  # no `to`: addressed to us
    addressed = parse_push("pushmsg", {**BASE, "to": 3}, own_uid=2)
    assert isinstance(addressed, P2PMessage) and addressed.to_uid == 3
    with pytest.raises(PushFormatError, match="'gid'"):
        parse_push("pushgroupmsg", BASE, own_uid=2)
    with pytest.raises(PushFormatError, match="'mid' must be an int"):
        parse_push("pushmsg", {**BASE, "mid": "9"}, own_uid=2)
    with pytest.raises(PushFormatError, match="only chat"):
        parse_push("pushmsg", {**BASE, "msg": {"sourceText": "x"}}, own_uid=2)
    assert type(parse_push("pushother", {"a": 1}, own_uid=2)) is Push
    assert isinstance(parse_push("kickout", {}, own_uid=2), Kickout)


def test_dedup_by_kind_sender_mid_target_within_ttl() -> None:
    now = [100.0]
    dedup = PushDeduplicator(ttl=5.0, limit=3, clock=lambda: now[0])
    first = parse_push("pushmsg", BASE, own_uid=2)
    assert dedup.first_time(first) and not dedup.first_time(first)
    group = parse_push("pushgroupmsg", {**BASE, "gid": 2}, own_uid=2)
    assert isinstance(group, GroupMessage) and dedup.first_time(group)  # another kind
    kick = parse_push("kickout", {}, own_uid=2)
    assert dedup.first_time(kick) and dedup.first_time(kick)  # never dropped
    now[0] += 5.1
    assert dedup.first_time(first)  # seen more than ttl ago: a new push
    for mid in range(10, 20):  # the limit bounds the memory
        dedup.first_time(parse_push("pushmsg", {**BASE, "mid": mid}, own_uid=2))
    assert len(dedup) <= 3
