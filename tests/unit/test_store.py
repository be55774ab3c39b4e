"""Unit tests of the local server's SQLite store (rtm.server.store)."""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import pytest

from rtm.server.store import (
    SCHEMA_VERSION,
    Device,
    HistoryPage,
    HistoryRow,
    Kind,
    Store,
    StoreError,
)

PID = 11000001
T0 = 1_700_000_000_000


class FakeClock:
    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(clock: FakeClock) -> AsyncIterator[Store]:
    async with Store(now_ms=clock) as s:
        yield s


async def code_of(coro: Awaitable[object]) -> int:
    with pytest.raises(StoreError) as info:
        await coro
    return info.value.code


# ------------------------------------------------------------------------------ lifecycle


async def test_file_db_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "rtm.db"
    async with Store(path) as s:
        assert await s.schema_version() == SCHEMA_VERSION >= 1
        assert await s.journal_mode() == "wal"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        await Store(path).open()


async def test_persistence_across_close_and_reopen(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "persist.db"
    s = Store(path, now_ms=clock)
    await s.open()
    sent = await s.send_p2p(PID, 1, 2, 77, 30, b"\x00\xffbin", "a")
    await s.add_friends(PID, 1, [2])
    await s.add_group_members(PID, 5, [1, 2])
    token = await s.issue_token(PID, 1)
    await s.close()
    assert not s.is_open
    with pytest.raises(RuntimeError):
        await s.get_friends(PID, 1)
    # Same object reopened, and a brand-new one.
    await s.open()
    assert await s.get_friends(PID, 1) == [2]
    await s.close()
    async with Store(path, now_ms=clock) as s2:
        assert await s2.schema_version() == SCHEMA_VERSION
        page = await s2.history(PID, Kind.P2P, 1, uid_for_p2p=2)
        assert [(r.id, r.msg, r.attrs, r.mtime) for r in page.rows] == [
            (sent.ids[0], b"\x00\xffbin", "a", sent.mtime)
        ]
        assert await s2.get_group_members(PID, 5) == [1, 2]
        assert await s2.check_token(PID, 1, token)
        dup = await s2.send_p2p(PID, 1, 2, 77, 30, "again")
        assert dup.duplicate and dup.mtime == sent.mtime


async def test_close_drains_pending_ops(tmp_path: Path) -> None:
    path = tmp_path / "drain.db"
    s = Store(path)
    await s.open()
    await s.add_group_members(PID, 9, [1])
    tasks = [asyncio.ensure_future(s.send_group(PID, 1, 9, i, 30, "m")) for i in range(300)]
    await asyncio.sleep(0)  # every task has queued its operation
    await s.close()
    assert all(t.done() and t.exception() is None for t in tasks)
    with pytest.raises(RuntimeError, match="not open"):
        await s.send_group(PID, 1, 9, 1000, 30, "late")
    async with Store(path) as s2:
        assert len(await _all_rows(s2, Kind.GROUP, 9)) == 300


async def test_durable_after_sigkill(tmp_path: Path) -> None:
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("POSIX only")
    path = tmp_path / "killed.db"
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal, sys
        from rtm.server.store import Store
        async def main():
            s = Store({str(path)!r})
            await s.open()
            await asyncio.gather(*(s.send_p2p({PID}, 1, 2, i, 30, "x") for i in range(500)))
            print("ACKED", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        asyncio.run(main())
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "ACKED" in proc.stdout
    async with Store(path) as s:
        assert len(await _all_rows(s, Kind.P2P, 2, uid=1)) == 500


# ------------------------------------------------------------------------------ batching


async def test_many_concurrent_sends_all_acknowledged_and_stored(store: Store) -> None:
    results = await asyncio.gather(
        *(store.send_p2p(PID, 1000 + i % 50, 2000, i, 30, f"m{i}") for i in range(2000))
    )
    assert all(not r.duplicate for r in results)
    ids = [r.ids[0] for r in results]
    assert len(set(ids)) == 2000
    total = 0
    for sender in range(1000, 1050):
        total += len(await _all_rows(store, Kind.P2P, 2000, uid=sender))
    assert total == 2000
    assert store.batches < 2000  # batched: fewer transactions than operations


async def test_queued_writes_share_one_transaction(store: Store) -> None:
    # Everything queued in one loop pass is run by one flush, in one transaction.
    commits = store.commits
    tasks = [asyncio.ensure_future(store.send_broadcast(PID, 1, i, 30, "b")) for i in range(500)]
    await asyncio.gather(*tasks)
    assert store.commits == commits + 1
    assert (await store.history(PID, Kind.BROADCAST, None, desc=True, num=1)).rows[0].mid == 499


async def test_batches_are_bounded_by_max_batch(clock: FakeClock) -> None:
    async with Store(now_ms=clock, max_batch=64) as s:
        await asyncio.gather(*(s.send_broadcast(PID, 1, i, 30, "b") for i in range(200)))
        assert s.commits == 4 and s.ops == 200
        page = await s.history(PID, Kind.BROADCAST, None, desc=False, num=20)
        assert [r.mid for r in page.rows] == list(range(20))


async def test_an_acknowledged_write_is_committed(tmp_path: Path, clock: FakeClock) -> None:
    # Another connection sees the row as soon as the caller has its answer.
    path = tmp_path / "ack.db"
    async with Store(path, now_ms=clock) as s:
        result = await s.send_p2p(PID, 1, 2, 9, 30, "committed")
        with sqlite3.connect(path) as other:
            row = other.execute("SELECT msg FROM messages WHERE id=?", result.ids).fetchone()
        assert row == ("committed",)


async def test_calls_after_close_are_refused(clock: FakeClock) -> None:
    s = Store(now_ms=clock)
    await s.open()
    queued = asyncio.ensure_future(s.add_device(PID, 1, "apns", "queued"))
    await asyncio.sleep(0)  # queued, not yet flushed
    await s.close()
    await queued  # close() runs what was queued before it
    with pytest.raises(RuntimeError, match="not open"):
        await s.list_devices(PID, 1)


async def test_failing_op_in_batch_does_not_roll_back_the_others(store: Store) -> None:
    await store.add_group_members(PID, 1, [10])

    def write_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO devices (pid, uid, devicetoken, apptype, updated_ms)"
            " VALUES (?, 66, 'lost', 'apns', 0)",
            (PID,),
        )
        raise ValueError("boom")

    def sql_error(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO chat_groups (pid, gid, members) VALUES (NULL, 1, 1)")

    ops = [
        store.send_group(PID, 10, 1, 1, 30, "first"),
        store._call(True, write_then_fail),
        store.send_group(PID, 11, 1, 2, 30, "not a member"),
        store.add_device(PID, 66, "fcm", "kept"),
        store._call(True, sql_error),
        store.send_group(PID, 10, 1, 3, 30, "last"),
    ]
    commits = store.commits
    results = await asyncio.gather(*ops, return_exceptions=True)
    assert store.commits == commits + 1  # one batch
    assert isinstance(results[1], ValueError)
    assert isinstance(results[2], StoreError) and results[2].code == 200041
    assert isinstance(results[4], sqlite3.IntegrityError)
    assert [r.msg for r in await _all_rows(store, Kind.GROUP, 1)] == ["first", "last"]
    assert await store.list_devices(PID, 66) == [Device(66, "fcm", "kept")]


async def test_cancelled_caller_before_execution_is_skipped(store: Store) -> None:
    task = asyncio.ensure_future(store.add_device(PID, 1, "apns", "tok"))
    await asyncio.sleep(0)  # queued, the flush not run yet
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await store.list_devices(PID, 1) == []


# ------------------------------------------------------------------------------ sending


async def test_p2p_pair_both_directions(store: Store, clock: FakeClock) -> None:
    a = await store.send_p2p(PID, 102456, 102457, 1563789451123001, 127, "hi")
    clock.advance(880)
    b = await store.send_p2p(PID, 102457, 102456, 1563789452000002, 127, "yo")
    await store.send_p2p(PID, 102456, 999, 5, 127, "other pair")
    assert b.ids[0] > a.ids[0] and b.mtime == a.mtime + 880
    page = await store.history(PID, Kind.P2P, 102457, uid_for_p2p=102456)
    other_side = await store.history(PID, Kind.P2P, 102456, uid_for_p2p=102457)
    assert page == other_side
    assert [(r.from_uid, r.msg) for r in page.rows] == [(102456, "hi"), (102457, "yo")]
    assert (page.num, page.lastid, page.begin, page.end) == (2, b.ids[0], b.mtime, clock.now)


async def test_duplicate_mid_is_idempotent(store: Store, clock: FakeClock) -> None:
    first = await store.send_p2p(PID, 1, 2, 42, 30, "hello")
    clock.advance(5000)
    again = await store.send_p2p(PID, 1, 2, 42, 31, "changed")
    assert again.duplicate and not first.duplicate
    assert (again.mtime, again.ids, again.fresh) == (first.mtime, first.ids, (False,))
    # Same mid from the other side of the pair, or in another conversation: a new message.
    assert not (await store.send_p2p(PID, 2, 1, 42, 30, "reply")).duplicate
    assert not (await store.send_p2p(PID, 1, 3, 42, 30, "x")).duplicate
    rows = await _all_rows(store, Kind.P2P, 2, uid=1)
    assert [(r.from_uid, r.msg, r.mtype) for r in rows] == [(1, "hello", 30), (2, "reply", 30)]


async def test_strict_mid_mode(clock: FakeClock) -> None:
    async with Store(now_ms=clock, strict_mid=True) as s:
        await s.send_broadcast(PID, 1, 7, 30, "b")
        assert await code_of(s.send_broadcast(PID, 1, 7, 30, "b")) == 200053


async def test_mtime_given_and_never_decreasing(store: Store, clock: FakeClock) -> None:
    await store.add_group_members(PID, 3, [1])
    a = await store.send_group(PID, 1, 3, 1, 30, "a", mtime=T0 + 500)
    b = await store.send_group(PID, 1, 3, 2, 30, "b", mtime=T0 + 100)  # earlier: raised
    c = await store.send_group(PID, 1, 3, 3, 30, "c")  # clock T0 < T0+500: raised too
    clock.advance(1000)
    d = await store.send_group(PID, 1, 3, 4, 30, "d")
    assert [a.mtime, b.mtime, c.mtime, d.mtime] == [T0 + 500, T0 + 500, T0 + 500, T0 + 1000]
    # Other conversations are independent.
    assert (await store.send_p2p(PID, 1, 2, 1, 30, "p", mtime=T0 + 1)).mtime == T0 + 1


async def test_bytes_and_str_payloads_kept(store: Store) -> None:
    await store.send_p2p(PID, 1, 2, 1, 30, b"raw\x00", b"\x01")
    await store.send_p2p(PID, 1, 2, 2, 30, "text", "{}")
    await store.send_p2p(PID, 1, 2, 3, 30, bytearray(b"ba"), memoryview(b"mv"))  # type: ignore[arg-type]
    rows = await _all_rows(store, Kind.P2P, 2, uid=1)
    assert [(r.msg, r.attrs) for r in rows] == [
        (b"raw\x00", b"\x01"), ("text", "{}"), (b"ba", b"mv")
    ]


async def test_group_send_membership_and_bans(store: Store, clock: FakeClock) -> None:
    assert await code_of(store.send_group(PID, 1, 10, 1, 30, "x")) == 200041
    await store.add_group_members(PID, 10, [1, 2])
    await store.send_group(PID, 1, 10, 1, 30, "ok")
    await store.add_group_ban(PID, 10, 1, 60)
    assert await store.is_banned_in_group(PID, 10, 1)
    assert not await store.is_banned_in_group(PID, 10, 2)
    assert await code_of(store.send_group(PID, 1, 10, 2, 30, "x")) == 200044
    clock.advance(59_999)
    assert await code_of(store.send_group(PID, 1, 10, 2, 30, "x")) == 200044
    clock.advance(1)
    assert not await store.is_banned_in_group(PID, 10, 1)
    await store.send_group(PID, 1, 10, 2, 30, "after expiry")
    for seconds in (0, -5):
        await store.add_group_ban(PID, 10, 2, seconds)
        clock.advance(10**9)
        assert await store.is_banned_in_group(PID, 10, 2)
        assert await code_of(store.send_group(PID, 2, 10, 3 + seconds, 30, "x")) == 200044
    await store.remove_group_ban(PID, 10, 2)
    assert not await store.is_banned_in_group(PID, 10, 2)
    await store.send_group(PID, 2, 10, 9, 30, "unbanned")
    # A non-member that is banned gets the membership error first.
    await store.add_group_ban(PID, 10, 3, 0)
    assert await code_of(store.send_group(PID, 3, 10, 1, 30, "x")) == 200041


async def test_room_send_membership_and_bans(store: Store, clock: FakeClock) -> None:
    assert await code_of(store.send_room(PID, 1, 20, 1, 30, "x")) == 200040
    await store.add_room_member(PID, 20, 1)
    await store.send_room(PID, 1, 20, 1, 30, "ok")
    await store.add_room_ban(PID, 20, 1, 2)
    assert await store.is_banned_in_room(PID, 20, 1)
    assert await code_of(store.send_room(PID, 1, 20, 2, 30, "x")) == 200045
    clock.advance(2000)
    assert not await store.is_banned_in_room(PID, 20, 1)
    await store.add_room_ban(PID, 20, 1, 0)
    await store.remove_room_ban(PID, 20, 1)
    await store.send_room(PID, 1, 20, 2, 30, "ok again")
    assert len(await _all_rows(store, Kind.ROOM, 20)) == 2


async def test_broadcast_admins(clock: FakeClock) -> None:
    async with Store(now_ms=clock) as anyone:
        await anyone.send_broadcast(PID, 123, 1, 30, "b")
    async with Store(now_ms=clock, broadcast_admins=[111]) as s:
        assert await code_of(s.send_broadcast(PID, 123, 1, 30, "b")) == 200026
        await s.send_broadcast(PID, 111, 1, 30, "b")
        await s.send_message(PID, Kind.BROADCAST, 111, 999, 2, 30, "target ignored")
        page = await s.history(PID, Kind.BROADCAST, None)
        assert [r.mid for r in page.rows] == [1, 2]
    async with Store(now_ms=clock, broadcast_admins={PID: [111]}) as s:
        assert await code_of(s.send_broadcast(PID, 123, 1, 30, "b")) == 200026
        await s.send_broadcast(PID + 1, 123, 1, 30, "other project: anybody")


async def test_p2p_friends_only_switch(clock: FakeClock) -> None:
    async with Store(now_ms=clock, p2p_friends_only=True) as s:
        assert await code_of(s.send_p2p(PID, 1, 2, 1, 30, "x")) == 200043
        await s.add_friends(PID, 1, [2])
        await s.send_p2p(PID, 1, 2, 1, 30, "x")
        assert await code_of(s.send_multi(PID, 1, [2, 3], 2, 30, "x")) == 200043
        assert await code_of(s.issue_file_token(PID, 1, "sendfile", 3)) == 200043


async def test_send_multi(store: Store, clock: FakeClock) -> None:
    await store.send_p2p(PID, 1, 3, 9, 30, "older", mtime=T0 + 50)  # raises pair (1,3) mtime
    r = await store.send_multi(PID, 1, [2, 3, 4], 77, 30, "to many", "a")
    assert r.fresh == (True, True, True) and not r.duplicate
    assert r.mtimes == (T0, T0 + 50, T0) and r.mtime == T0 + 50
    for to in (2, 3, 4):
        rows = await _all_rows(store, Kind.P2P, to, uid=1)
        assert rows[-1].mid == 77 and rows[-1].msg == "to many"
    clock.advance(100)
    again = await store.send_multi(PID, 1, [4, 5, 2, 5], 77, 30, "to many", "a")
    assert again.fresh == (False, True, False, False)
    assert again.ids[0] == r.ids[2] and again.ids[1] == again.ids[3]
    assert again.mtimes == (T0, T0 + 100, T0, T0 + 100) and not again.duplicate
    full = await store.send_multi(PID, 1, [2, 3, 4], 77, 30, "to many", "a")
    assert full.duplicate and full.mtime == r.mtime


# ------------------------------------------------------------------------------ history


async def _all_rows(
    s: Store, kind: Kind, target: int | None, uid: int | None = None
) -> list[HistoryRow]:
    rows: list[HistoryRow] = []
    lastid = 0
    while True:
        page = await s.history(PID, kind, target, uid_for_p2p=uid, num=20, lastid=lastid,
                               end=2**62)
        rows += page.rows
        if page.num < 20:
            return rows
        lastid = page.lastid


async def _fill_group(store: Store, gid: int, count: int) -> list[tuple[int, int]]:
    """``count`` group messages with mtimes T0+10*(i//3) (repeats), interleaved with other
    conversations so ids are not contiguous. Returns [(id, mtime)]."""
    await store.add_group_members(PID, gid, [1])
    out = []
    for i in range(count):
        r = await store.send_group(PID, 1, gid, i, 30, f"g{i}", mtime=T0 + 10 * (i // 3))
        out.append((r.ids[0], r.mtime))
        await store.send_p2p(PID, 1, 2, i, 30, "noise", mtime=T0 + 10 * i)
    return out


async def test_history_ascending_paging(store: Store, clock: FakeClock) -> None:
    clock.now = T0 + 100_000
    msgs = await _fill_group(store, 7, 25)
    p1 = await store.history(PID, Kind.GROUP, 7, num=10)
    assert [r.id for r in p1.rows] == [i for i, _ in msgs[:10]]
    assert (p1.num, p1.lastid, p1.begin, p1.end) == (10, msgs[9][0], msgs[9][1], clock.now)
    p2 = await store.history(PID, Kind.GROUP, 7, num=10, begin=p1.begin, end=p1.end,
                             lastid=p1.lastid)
    assert [r.id for r in p2.rows] == [i for i, _ in msgs[10:20]]
    p3 = await store.history(PID, Kind.GROUP, 7, num=10, begin=p2.begin, end=p2.end,
                             lastid=p2.lastid)
    assert [r.id for r in p3.rows] == [i for i, _ in msgs[20:]] and p3.num == 5
    p4 = await store.history(PID, Kind.GROUP, 7, num=10, begin=p3.begin, end=p3.end,
                             lastid=p3.lastid)
    assert (p4.num, p4.lastid, p4.begin, p4.end, p4.rows) == (
        0, p3.lastid, p3.begin, p3.end, []
    )


async def test_history_descending_paging(store: Store, clock: FakeClock) -> None:
    clock.now = T0 + 100_000
    msgs = await _fill_group(store, 7, 25)
    p1 = await store.history(PID, Kind.GROUP, 7, desc=True, num=10, begin=T0 + 20)
    assert [r.id for r in p1.rows] == [i for i, _ in reversed(msgs[-10:])]
    assert (p1.lastid, p1.begin, p1.end) == (msgs[15][0], T0 + 20, msgs[15][1])
    p2 = await store.history(PID, Kind.GROUP, 7, desc=True, num=10, begin=p1.begin,
                             end=p1.end, lastid=p1.lastid)
    # begin T0+20 is inclusive: messages 6..8 have mtime T0+20, 3..5 have T0+10 (excluded).
    assert [r.id for r in p2.rows] == [i for i, _ in reversed(msgs[6:15])]
    assert (p2.num, p2.lastid, p2.begin, p2.end) == (9, msgs[6][0], T0 + 20, T0 + 20)
    p3 = await store.history(PID, Kind.GROUP, 7, desc=True, num=10, begin=p2.begin,
                             end=p2.end, lastid=p2.lastid)
    assert p3 == HistoryPage(0, p2.lastid, p2.begin, p2.end, [])


async def test_history_num_rules_and_echo(store: Store, clock: FakeClock) -> None:
    clock.now = T0 + 100_000
    msgs = await _fill_group(store, 7, 25)
    for num in (0, -3):
        page = await store.history(PID, Kind.GROUP, 7, num=num, begin=5, lastid=3)
        assert page == HistoryPage(0, 3, 5, clock.now, [])
    assert (await store.history(PID, Kind.GROUP, 7, num=500)).num == 20
    # end 0 = now: a message in the future is excluded unless end covers it.
    await store.send_group(PID, 1, 7, 999, 30, "future", mtime=clock.now + 10)
    newest = await store.history(PID, Kind.GROUP, 7, desc=True, num=1)
    assert newest.rows[0].id == msgs[-1][0]
    assert (await store.history(PID, Kind.GROUP, 7, desc=True, num=1,
                                end=clock.now + 10)).rows[0].mid == 999
    # Echo when empty: unknown conversation, or window without messages.
    assert await store.history(PID, Kind.GROUP, 8, lastid=4, begin=1, end=2) == HistoryPage(
        0, 4, 1, 2, []
    )
    empty = await store.history(PID, Kind.GROUP, 7, desc=True, begin=T0 - 50, end=T0 - 1)
    assert empty == HistoryPage(0, 0, T0 - 50, T0 - 1, [])
    assert (await store.history(PID, Kind.GROUP, 7, now_ms=T0 - 1)).end == T0 - 1


async def test_history_matches_reference_model(store: Store, clock: FakeClock) -> None:
    clock.now = T0 + 100_000
    msgs = await _fill_group(store, 7, 45)
    rng = random.Random(1234)
    ids = [i for i, _ in msgs]

    def model(desc: bool, num: int, begin: int, end: int, lastid: int) -> HistoryPage:
        end_eff = end if end != 0 else clock.now
        if num <= 0:
            return HistoryPage(0, lastid, begin, end_eff, [])
        sel = [m for m in msgs if (begin <= 0 or m[1] >= begin) and m[1] <= end_eff]
        if desc:
            sel = [m for m in reversed(sel) if lastid <= 0 or m[0] < lastid]
        else:
            sel = [m for m in sel if lastid <= 0 or m[0] > lastid]
        sel = sel[: min(num, 20)]
        if not sel:
            return HistoryPage(0, lastid, begin, end_eff, [])
        last_id, last_mtime = sel[-1]
        if desc:
            return HistoryPage(len(sel), last_id, begin, last_mtime, [])
        return HistoryPage(len(sel), last_id, last_mtime, end_eff, [])

    for _ in range(300):
        desc = rng.random() < 0.5
        num = rng.choice([-1, 0, 1, 3, 10, 20, 25])
        begin = rng.choice([0, 0, T0 + rng.randrange(-20, 180)])
        end = rng.choice([0, 0, T0 + rng.randrange(-20, 180)])
        lastid = rng.choice([0, 0, rng.choice(ids), rng.choice(ids) + 1, 10**9])
        page = await store.history(PID, Kind.GROUP, 7, desc=desc, num=num, begin=begin,
                                   end=end, lastid=lastid)
        want = model(desc, num, begin, end, lastid)
        got = HistoryPage(page.num, page.lastid, page.begin, page.end, [])
        assert got == want, (desc, num, begin, end, lastid)
        assert page.num == len(page.rows)


async def test_history_needs_p2p_peer(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.history(PID, Kind.P2P, 2)
    with pytest.raises(ValueError):
        await store.history(PID, Kind.GROUP, None)
    with pytest.raises(ValueError):
        await store.history(PID, 9, 1)


# ------------------------------------------------------------------------------ delmsg


async def test_delete_message(store: Store) -> None:
    await store.add_group_members(PID, 4, [1])
    await store.add_room_member(PID, 5, 1)
    await store.send_p2p(PID, 1, 2, 100, 30, "p2p", "a")
    await store.send_group(PID, 1, 4, 101, 30, "group")
    await store.send_room(PID, 1, 5, 102, 30, "room")
    await store.send_broadcast(PID, 1, 103, 30, "bc")
    assert not await store.delete_message(PID, Kind.P2P, 2, 1, 100)  # wrong direction
    assert await store.delete_message(PID, Kind.P2P, 1, 2, 100)
    assert await store.delete_message(PID, 2, 1, 4, 101)
    assert await store.delete_message(PID, Kind.ROOM, 1, 5, 102)
    assert await store.delete_message(PID, Kind.BROADCAST, 1, 0, 103)
    assert not await store.delete_message(PID, Kind.GROUP, 1, 4, 999)
    row = (await store.history(PID, Kind.P2P, 1, uid_for_p2p=2)).rows[0]
    assert row.deleted and (row.msg, row.attrs) == ("p2p", "a")
    for kind, target in ((Kind.GROUP, 4), (Kind.ROOM, 5), (Kind.BROADCAST, None)):
        assert (await store.history(PID, kind, target)).rows[0].deleted
    got = await store.get_message(PID, Kind.P2P, 1, 2, 100)
    assert got is not None and got.deleted and got.mid == 100
    assert await store.get_message(PID, Kind.P2P, 1, 2, 1) is None


# ------------------------------------------------------------------------------ friends


async def test_friends_symmetric(store: Store) -> None:
    await store.add_friends(PID, 1, [3, 2, 1, 2])
    assert await store.get_friends(PID, 1) == [2, 3]
    assert await store.get_friends(PID, 2) == [1]
    assert await store.is_friend(PID, 3, 1) and not await store.is_friend(PID, 2, 3)
    assert await store.is_friends(PID, 1, [4, 3, 1, 3, 2]) == [3, 2]
    await store.del_friends(PID, 2, [1, 99])
    assert await store.get_friends(PID, 1) == [3]
    assert await store.get_friends(PID, 2) == []
    assert await store.get_friends(PID + 1, 1) == []


async def test_friends_asymmetric(clock: FakeClock) -> None:
    async with Store(now_ms=clock, symmetric_friends=False) as s:
        await s.add_friends(PID, 1, [2])
        assert await s.is_friend(PID, 1, 2) and not await s.is_friend(PID, 2, 1)
        await s.add_friends(PID, 2, [1])
        await s.del_friends(PID, 1, [2])
        assert not await s.is_friend(PID, 1, 2) and await s.is_friend(PID, 2, 1)


async def test_friend_limit(clock: FakeClock) -> None:
    async with Store(now_ms=clock, max_friends=3) as s:
        await s.add_friends(PID, 1, [2, 3])
        await s.add_friends(PID, 1, [2, 3, 4])  # existing friends do not count twice
        assert await code_of(s.add_friends(PID, 1, [5])) == 200048
        assert await s.get_friends(PID, 1) == [2, 3, 4]
        # Symmetric: the other side's limit applies too, and nothing is half-added.
        await s.add_friends(PID, 9, [20, 21, 22])
        assert await code_of(s.add_friends(PID, 8, [7, 9])) == 200048
        assert await s.get_friends(PID, 8) == [] and await s.get_friends(PID, 7) == []


# ------------------------------------------------------------------------------ groups


async def test_groups(store: Store) -> None:
    await store.add_group_members(PID, 50, [5, 3, 4, 3])
    await store.add_group_members(PID, 51, [3])
    assert await store.get_group_members(PID, 50) == [3, 4, 5]
    assert await store.get_group_members(PID, 999) == []
    assert await store.is_group_member(PID, 50, 4)
    assert not await store.is_group_member(PID, 51, 4)
    assert await store.user_groups(PID, 3) == [50, 51]
    await store.del_group_members(PID, 50, [4, 77])
    assert await store.get_group_members(PID, 50) == [3, 5]
    await store.send_group(PID, 3, 50, 1, 30, "x")
    await store.add_group_ban(PID, 50, 5, 0)
    await store.del_group(PID, 50)
    assert await store.get_group_members(PID, 50) == []
    assert await store.user_groups(PID, 3) == [51]
    assert not await store.is_banned_in_group(PID, 50, 5)
    assert (await store.history(PID, Kind.GROUP, 50)).num == 0
    await store.del_group(PID, 12345)  # unknown: no error


async def test_group_limits(clock: FakeClock) -> None:
    async with Store(now_ms=clock, max_group_members=3, max_groups=2) as s:
        await s.add_group_members(PID, 1, [1, 2])
        await s.add_group_members(PID, 1, [1, 2, 3])  # existing members are a no-op
        assert await code_of(s.add_group_members(PID, 1, [4])) == 200042
        assert await code_of(s.add_group_members(PID, 1, [1, 4])) == 200042
        assert await s.get_group_members(PID, 1) == [1, 2, 3]
        await s.del_group_members(PID, 1, [3])
        await s.add_group_members(PID, 1, [4])
        await s.add_group_members(PID, 2, [1])
        assert await code_of(s.add_group_members(PID, 3, [1])) == 200042
        await s.add_group_members(PID + 1, 3, [1])  # per project
        await s.del_group_members(PID, 2, [1])  # emptied group frees its slot
        await s.add_group_members(PID, 3, [1])
        await s.del_group(PID, 1)
        await s.add_group_members(PID, 4, [1])
        assert await s.user_groups(PID, 1) == [3, 4]


# ------------------------------------------------------------------------------ rooms


async def test_rooms(store: Store) -> None:
    for rid in range(1, 11):
        await store.add_room_member(PID, rid, 7)
    await store.add_room_member(PID, 5, 7)  # already in: fine
    assert await code_of(store.add_room_member(PID, 11, 7)) == 200047
    assert await store.user_rooms(PID, 7) == list(range(1, 11))
    assert await store.del_room_member(PID, 3, 7)
    assert not await store.del_room_member(PID, 3, 7)
    await store.add_room_member(PID, 11, 7)
    await store.add_room_member(PID, 11, 2)
    assert await store.room_members(PID, 11) == [2, 7]
    assert await store.is_in_room(PID, 11, 2) and not await store.is_in_room(PID, 3, 7)


# ------------------------------------------------------------------------------ black list


async def test_project_black_list(store: Store, clock: FakeClock) -> None:
    assert not await store.is_project_black(PID, 1)
    await store.add_project_black(PID, 1, 30)
    assert await store.is_project_black(PID, 1)
    assert not await store.is_project_black(PID + 1, 1)
    clock.advance(30_000)
    assert not await store.is_project_black(PID, 1)
    await store.add_project_black(PID, 1, -1)
    clock.advance(10**10)
    assert await store.is_project_black(PID, 1)
    await store.remove_project_black(PID, 1)
    assert not await store.is_project_black(PID, 1)


# ------------------------------------------------------------------------------ tokens


async def test_login_tokens(store: Store, clock: FakeClock) -> None:
    t1 = await store.issue_token(PID, 1)
    clock.advance(3600_000)
    t2 = await store.issue_token(PID, 1, ttl_seconds=60)
    assert re.fullmatch(r"[0-9A-F]{32}", t1) and t1 != t2
    assert await store.check_token(PID, 1, t1) and await store.check_token(PID, 1, t2)
    assert not await store.check_token(PID, 2, t1)
    assert not await store.check_token(PID + 1, 1, t1)
    assert not await store.check_token(PID, 1, t1.lower())
    clock.advance(60_000)
    assert not await store.check_token(PID, 1, t2)
    clock.advance(86400_000 - 3660_000 - 1)
    assert await store.check_token(PID, 1, t1)
    clock.advance(1)
    assert not await store.check_token(PID, 1, t1)
    forever = await store.issue_token(PID, 1, ttl_seconds=0)
    clock.advance(10**11)
    assert await store.check_token(PID, 1, forever)
    await store.remove_tokens(PID, 1)
    assert not await store.check_token(PID, 1, forever)


# ------------------------------------------------------------------------------ files


def _rows(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


async def test_expired_tokens_and_bans_are_purged(tmp_path: Path, clock: FakeClock) -> None:
    """Expired rows of every user go with the next write of their table, and tokens that
    never expire are bounded per user (they used to pile up with every gettoken)."""
    path = tmp_path / "purge.db"
    async with Store(path, now_ms=clock) as s:
        for uid in range(1, 6):
            await s.issue_token(PID, uid, ttl_seconds=10)
            await s.add_group_ban(PID, 9, uid, 10)
        await s.add_project_black(PID, 7, 10)
        clock.advance(11_000)
        await s.issue_token(PID, 99, ttl_seconds=10)  # another user's token
        await s.add_room_ban(PID, 3, 99, 0)  # another scope, permanent
    assert _rows(path, "tokens") == 1 and _rows(path, "bans") == 1
    async with Store(path, now_ms=clock) as s:
        forever = [await s.issue_token(PID, 1, ttl_seconds=0)
                   for _ in range(s.max_tokens_per_user + 10)]
        assert not await s.check_token(PID, 1, forever[0])  # the oldest went
        assert all([await s.check_token(PID, 1, t) for t in forever[-s.max_tokens_per_user:]])
        assert (await s.token_summary(PID, 1)).valid == s.max_tokens_per_user
    assert _rows(path, "tokens") == 1 + 32


async def test_file_token_one_shot_and_binding(store: Store, clock: FakeClock) -> None:
    tok = await store.issue_file_token(PID, 1, "sendfile", 2)
    bad = [
        store.consume_file_token(PID + 1, tok, 1, "sendfile", 2),
        store.consume_file_token(PID, tok, 9, "sendfile", 2),
        store.consume_file_token(PID, tok, 1, "sendfile", 3),
        store.consume_file_token(PID, tok, 1, "sendgroupfile", 2),
        store.consume_file_token(PID, tok, 1, "nonsense", 2),
        store.consume_file_token(PID, "F" * 32, 1, "sendfile", 2),
    ]
    for coro in bad:
        assert await code_of(coro) == 200003
    assert await store.consume_file_token(PID, tok, 1, "sendfile", 2) == tok
    assert await code_of(store.consume_file_token(PID, tok, 1, "sendfile", 2)) == 200003

    many = await store.issue_file_token(PID, 1, "sendfiles", [3, 2, 3])
    assert await store.consume_file_token(PID, many, 1, "sendfiles", (2, 3)) == many
    bc = await store.issue_file_token(PID, 1, "broadcastfile", None)
    assert await store.consume_file_token(PID, bc, 1, "broadcastfile", None) == bc

    short = await store.issue_file_token(PID, 1, "sendfile", 2, ttl_seconds=10)
    clock.advance(10_000)
    assert await code_of(store.consume_file_token(PID, short, 1, "sendfile", 2)) == 200003
    default = await store.issue_file_token(PID, 1, "sendfile", 2)
    clock.advance(299_999)
    assert await store.consume_file_token(PID, default, 1, "sendfile", 2) == default


async def _file_token_rows(store: Store) -> int:
    def count(conn: Any) -> int:
        return int(conn.execute("SELECT COUNT(*) FROM file_tokens").fetchone()[0])

    return await store._call(False, count)


async def test_expired_file_token_is_deleted_for_real(store: Store, clock: FakeClock) -> None:
    # The expiry error must not roll back the delete (it used to: the raise undid it).
    tok = await store.issue_file_token(PID, 1, "sendfile", 2, ttl_seconds=10)
    via_send = await store.issue_file_token(PID, 1, "sendfile", 2, ttl_seconds=10)
    assert await _file_token_rows(store) == 2
    clock.advance(10_000)
    assert await code_of(store.consume_file_token(PID, tok, 1, "sendfile", 2)) == 200003
    assert await code_of(store.send_file(
        PID, via_send, 1, "sendfile", 2, file_id="f1", content=b"x", filename="a", ext="txt",
        kind=Kind.P2P, mid=1, mtype=50, msg="u", attrs="{}")) == 200003
    assert await _file_token_rows(store) == 0


async def test_file_token_target_checks(clock: FakeClock) -> None:
    async with Store(now_ms=clock, broadcast_admins=[100]) as s:
        assert await code_of(s.issue_file_token(PID, 1, "sendgroupfile", 5)) == 200041
        assert await code_of(s.issue_file_token(PID, 1, "sendroomfile", 6)) == 200040
        assert await code_of(s.issue_file_token(PID, 1, "broadcastfile", None)) == 200026
        await s.add_group_members(PID, 5, [1])
        await s.add_group_ban(PID, 5, 1, 0)
        assert await code_of(s.issue_file_token(PID, 1, "sendgroupfile", 5)) == 200044
        await s.add_room_member(PID, 6, 1)
        await s.add_room_ban(PID, 6, 1, 0)
        assert await code_of(s.issue_file_token(PID, 1, "sendroomfile", 6)) == 200045
        await s.remove_group_ban(PID, 5, 1)
        tok = await s.issue_file_token(PID, 1, "sendgroupfile", 5)
        assert await s.consume_file_token(PID, tok, 1, "sendgroupfile", 5) == tok
        await s.issue_file_token(PID, 100, "broadcastfile", None)
        with pytest.raises(ValueError):
            await s.issue_file_token(PID, 1, "sendmsg", 2)
        with pytest.raises(ValueError):
            await s.issue_file_token(PID, 1, "sendfiles", 2)


async def test_store_and_get_file(store: Store) -> None:
    fid = await store.store_file(PID, b"hello rtm", filename="notes.txt", ext="txt")
    # every stored file is an object of its own, even with the same content
    assert await store.store_file(PID, b"hello rtm", filename="other") != fid
    assert await store.store_file(PID, b"other", file_id=fid) == fid  # the id keeps its blob
    assert await store.live_file(PID, fid) is None  # no message carries it: never served
    f = await store.get_file(fid)
    assert f is not None
    assert (f.pid, f.content, f.filename, f.ext, f.size) == (PID, b"hello rtm", "notes.txt",
                                                            "txt", 9)
    assert f.created_ms == T0
    assert await store.store_file(PID, b"", file_id="abc") == "abc"
    empty = await store.get_file("abc")
    assert empty is not None and empty.content == b"" and empty.size == 0
    assert await store.get_file("missing") is None


# ------------------------------------------------------------------------------ devices


async def test_devices(store: Store) -> None:
    await store.add_device(PID, 1, "apns", "tok-b")
    await store.add_device(PID, 1, "fcm", "tok-a")
    await store.add_device(PID, 1, "fcm", "tok-b")  # upsert
    await store.add_device(PID, 2, "apns", "tok-a")
    assert await store.list_devices(PID, 1) == [Device(1, "fcm", "tok-a"),
                                                 Device(1, "fcm", "tok-b")]
    await store.remove_device(PID, 1, "tok-a")
    await store.remove_device(PID, 1, "unknown")
    assert await store.list_devices(PID, 1) == [Device(1, "fcm", "tok-b")]
    assert await store.list_devices(PID, 2) == [Device(2, "apns", "tok-a")]


# ------------------------------------------------------------------------------ fan-out


async def test_receivers_of_a_group_and_a_room_in_one_operation(store: Store,
                                                                clock: FakeClock) -> None:
    await store.add_group_members(PID, 5, [1, 2, 3, 4])
    await store.add_group_ban(PID, 5, 2, 0)  # permanent, in this group
    await store.add_group_ban(PID, 0, 3, 0)  # in every group
    await store.add_group_ban(PID, 5, 4, 1)  # expires in 1 s
    await store.add_group_ban(PID, 6, 1, 0)  # another group: no effect here
    assert sorted(await store.receivers(PID, 2, 5)) == [1, 2, 3, 4]
    assert sorted(await store.receivers(PID, 2, 5, drop_banned=True)) == [1]
    clock.advance(1001)
    assert sorted(await store.receivers(PID, 2, 5, drop_banned=True)) == [1, 4]
    await store.add_room_member(PID, 9, 7)
    await store.add_room_member(PID, 9, 8)
    await store.add_room_ban(PID, 9, 8, 0)
    assert sorted(await store.receivers(PID, 3, 9, drop_banned=True)) == [7]
    assert await store.receivers(PID, 2, 404, drop_banned=True) == []
    with pytest.raises(ValueError, match="scope"):
        await store.receivers(PID, 1, 5)
