"""The store's read-only listings the console pages use."""

from __future__ import annotations

from rtm.server.store import Kind, Store

PID = 7


async def test_listings() -> None:
    now = [1_000_000]
    async with Store(":memory:", now_ms=lambda: now[0]) as store:
        for i in range(5):
            await store.send_p2p(PID, 2, 1, 100 + i, 30 if i % 2 else 32, f"m{i}")
        await store.add_group_members(PID, 9, [1, 2])
        await store.send_group(PID, 1, 9, 200, 30, "g")
        await store.delete_message(PID, Kind.P2P, 2, 1, 101)
        await store.add_group_ban(PID, 9, 2, 60)
        await store.add_room_member(PID, 5, 3)
        await store.add_room_ban(PID, 6, 4, 0)
        await store.add_project_black(PID, 8, 60)
        await store.add_project_black(PID, 10, 1)
        await store.add_device(PID, 1, "fcm", "dev-1")
        await store.issue_token(PID, 1, 60)
        await store.issue_token(PID, 1, 120)
        await store.store_file(PID, b"abc", filename="a.txt", ext="txt")
        await store.send_p2p(PID + 1, 1, 2, 1, 30, "other project")
        now[0] += 2000  # the 1 s black-listing of uid 10 is over

        convs = await store.list_conversations(PID)
        assert [(c.kind, c.xa, c.xb, c.messages, c.deleted) for c in convs] == [
            (Kind.GROUP, 9, 0, 1, 0), (Kind.P2P, 1, 2, 5, 1)]
        assert [c.xb for c in await store.list_conversations(PID, uid=2)] == [2]
        assert await store.list_conversations(PID, Kind.ROOM) == []

        rows = await store.list_messages(PID, Kind.P2P, 2, 1, limit=2)
        assert [r.mid for r in rows] == [104, 103]
        older = await store.list_messages(PID, Kind.P2P, 1, 2, before_id=rows[-1].id)
        assert [r.mid for r in older] == [102, 101, 100]
        assert [r.deleted for r in older] == [False, True, False]
        assert [r.mid for r in await store.list_messages(PID, Kind.P2P, 1, 2, mtypes=[30])] \
            == [103, 101]

        (group,) = await store.list_groups(PID)
        assert (group.gid, group.members, group.bans) == (9, 2, 1)
        assert [(b.uid, b.expires_ms) for b in await store.list_group_bans(PID, 9)] == [
            (2, 1_060_000)]
        assert [(r.rid, r.members, r.bans) for r in await store.list_rooms(PID)] == [
            (5, 1, 0), (6, 0, 1)]
        assert [(b.uid, b.expires_ms) for b in await store.list_room_bans(PID, 6)] == [
            (4, None)]
        assert [b.uid for b in await store.list_project_black(PID)] == [8]
        summary = await store.token_summary(PID, 1)
        assert (summary.valid, summary.expires_ms) == (2, 1_120_000)
        assert (await store.token_summary(PID, 2)).valid == 0
        (device,) = await store.list_project_devices(PID)
        assert (device.uid, device.apptype, device.devicetoken) == (1, "fcm", "dev-1")
        (stored,) = await store.list_files(PID)
        assert (stored.filename, stored.ext, stored.size) == ("a.txt", "txt", 3)
