"""Isolation of the client gate (issue 22): a caller never reads nor changes another project's
state, nor another user's private data, and the server API's permission rules apply to it.

Two parts, both data-driven:

* the cross-project sweep: two projects hold the same state under the same uids, gids and
  rids; every logged-in command of :data:`rtm.enduser.commands.COMMANDS`, with params made
  from its description (ids that exist in both projects), is sent by a user of project A.
  Project B's stored rows (every table with a ``pid`` column, read straight from the test
  server's store), its users' live sessions and their connection attrs must be exactly as
  before, B's users must receive nothing, and no answer may carry B's data;
* the cross-user table: inside one project, each row is a call that must be refused (its
  code is checked) and must leave the project's stored rows unchanged; the reads that are
  allowed but must not show another user's private data are checked by their answers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.enduser.commands import COMMANDS
from rtm.enduser.spec import Command, Kind
from rtm.fpnn.errors import FPNNError
from rtm.server import ServerThread, codes
from rtm.server.pushes import client_attrs
from rtm.server.store import Kind as MessageKind
from rtm.server.store.imlib import ApplyGrant
from rtm.testing import RTMProject, new_project

# The ids both projects use.
OWNER, MANAGER, MEMBER, OUTSIDER = 1, 2, 3, 4
GID, RID = 10, 20
P2P_MID, GROUP_MID, ROOM_MID, BROADCAST_MID = 1001, 1002, 1003, 1004
DEVICE = "device-token-1"
IM_GROUP, IM_ROOM = 1, 2  # the IM library's object types

Rows = dict[str, list[tuple[Any, ...]]]


# ----------------------------------------------------------------------------- state


async def _populate(server: ServerThread, pid: int, tag: str) -> None:
    """The same state in every project; every stored text carries ``tag``."""
    store, core = server.server.store, server.server.core
    await store.im_create_group(pid, GID, OWNER, {"name": f"{tag}-im-group"},
                                ApplyGrant(1, ""))
    await store.add_group_members(pid, GID, [MANAGER, MEMBER])
    await store.im_add_managers(pid, IM_GROUP, GID, [MANAGER])
    await store.set_group_info(pid, GID, f"{tag}-group-open", f"{tag}-group-private")
    for uid in (OWNER, MANAGER, MEMBER):
        await store.add_room_member(pid, RID, uid)
    await store.im_set_room_owner(pid, RID, OWNER)
    await store.im_add_managers(pid, IM_ROOM, RID, [MANAGER])
    await store.im_set_apply_grant(pid, IM_ROOM, RID, ApplyGrant(1, ""))
    await store.set_room_info(pid, RID, f"{tag}-room-open", f"{tag}-room-private")
    for uid in (OWNER, MANAGER, MEMBER, OUTSIDER):
        await store.set_user_info(pid, uid, f"{tag}-user{uid}-open", f"{tag}-user{uid}-private")
        await store.set_data(pid, uid, "k", f"{tag}-data{uid}")
        await store.add_device(pid, uid, "apns", DEVICE)
        await store.add_push_option(pid, uid, 1, GID, [51])
        await store.add_debug_log(pid, uid, f"{tag}-log{uid}", "")
        await store.im_set_user_infos(pid, uid, {"name": f"{tag}-name{uid}"})
    await store.add_friends(pid, OWNER, [MANAGER])
    await store.im_set_friend_alias(pid, OWNER, MANAGER, f"{tag}-alias")
    await store.add_blocks(pid, MEMBER, [OUTSIDER])
    await store.im_apply(pid, IM_GROUP, GID, OUTSIDER, 0, f"{tag}-apply", f"{tag}-apply")
    await store.im_apply(pid, 0, MEMBER, OUTSIDER, 0, f"{tag}-friend", f"{tag}-friend")
    await store.im_invite(pid, IM_GROUP, GID, [OUTSIDER], OWNER, f"{tag}-invite", "")
    # What the sweep's caller (OWNER) acknowledges.
    await store.im_apply(pid, 0, OWNER, OUTSIDER, 0, f"{tag}-friend", f"{tag}-friend")
    await store.im_apply(pid, IM_ROOM, RID, OUTSIDER, 0, f"{tag}-apply", f"{tag}-apply")
    for kind, xid in ((IM_GROUP, GID), (IM_ROOM, RID)):
        await store.im_invite(pid, kind, xid, [OWNER], MANAGER, f"{tag}-invite", "")
    sends = ((MessageKind.P2P, OWNER, MANAGER, P2P_MID),
             (MessageKind.GROUP, OWNER, GID, GROUP_MID),
             (MessageKind.ROOM, OWNER, RID, ROOM_MID),
             (MessageKind.BROADCAST, OWNER, None, BROADCAST_MID))
    for kind, from_uid, target, mid in sends:
        await core.send(pid, kind, from_uid, target, mid, 51, f"{tag}-msg{mid}", f"{tag}-a",
                        origin="server")
    await core.send(pid, MessageKind.P2P, MANAGER, MEMBER, P2P_MID, 51, f"{tag}-msg-2to3", "",
                    origin="server")
    await store.mark_read(pid, MANAGER)


def _dump(conn: sqlite3.Connection, pid: int) -> Rows:
    """Every row of ``pid`` in every table that has a ``pid`` column (read from the schema)."""
    out: Rows = {}
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    for table in sorted(tables):
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        if "pid" in columns:
            out[table] = sorted(conn.execute(f'SELECT * FROM "{table}" WHERE pid=?', (pid,)),
                                key=repr)
    return out


async def _snapshot(server: ServerThread, pid: int) -> tuple[Rows, list[Any]]:
    """The project's stored rows and its users' live sessions with their attrs."""
    rows = await server.server.store._call(False, _dump, pid)
    hub = server.server.core.hub
    live = [(uid, sorted(sorted(client_attrs(c).items()) for c in hub.connections(pid, uid)))
            for uid in (OWNER, MANAGER, MEMBER, OUTSIDER)]
    return rows, live


def _diff(before: Rows, after: Rows) -> list[str]:
    changes = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            gone = [r for r in old if r not in new]
            added = [r for r in new if r not in old]
            changes.append(f"{table}: -{gone[:3]} +{added[:3]}")
    return changes


@dataclass
class World:
    server: ServerThread
    project: RTMProject
    admin: AsyncRTMServerClient
    users: dict[int, AsyncEndUserClient] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.project.pid

    def snapshot(self) -> tuple[Rows, list[Any]]:
        return self.server.run(_snapshot(self.server, self.pid))

    async def login(self, uid: int, **options: Any) -> AsyncEndUserClient:
        token = await self.admin.get_token(uid)
        user = AsyncEndUserClient(self.project.client_endpoint, self.pid, uid, token, **options)
        assert await user.login()
        self.users[uid] = user
        return user


@pytest.fixture
def server(rtm_server: ServerThread) -> ServerThread:
    return rtm_server


@pytest.fixture
def world_factory(server: ServerThread) -> Iterator[Callable[[str], Any]]:
    made: list[World] = []

    async def make(tag: str) -> World:
        project = new_project(server)
        world = World(server, project, AsyncRTMServerClient(project.pid, project.secret,
                                                            project.endpoint))
        made.append(world)
        server.run(_populate(server, project.pid, tag))
        return world

    yield make
    for world in made:
        if server.running:
            server.remove_project(world.pid)


async def _close(world: World) -> None:
    for user in world.users.values():
        await user.close()
    await world.admin.close()


@pytest.fixture
async def projects(world_factory: Callable[[str], Any]
                   ) -> AsyncIterator[tuple[World, World]]:
    a: World = await world_factory("projA")
    b: World = await world_factory("projB")
    try:
        yield a, b
    finally:
        await _close(a)
        await _close(b)


@pytest.fixture
async def world(world_factory: Callable[[str], Any]) -> AsyncIterator[World]:
    w: World = await world_factory("proj")
    try:
        yield w
    finally:
        await _close(w)


# ----------------------------------------------------------------------------- the sweep

#: A value of each kind of param; by key where the key names what the id is.
_SAMPLES: dict[Kind, Any] = {
    Kind.ID: MANAGER, Kind.INT: 0, Kind.I8: 1, Kind.I16: 10, Kind.I32: 1, Kind.BOOL: True,
    Kind.STR: "s", Kind.BODY: "m", Kind.BIN: b"b", Kind.IDS: [MANAGER, MEMBER],
    Kind.INTS: [51], Kind.STRS: ["s"], Kind.STR_MAP: {"k": "v"},
}
_BY_KEY: dict[str, Any] = {
    "gid": GID, "rid": RID, "xid": GID, "gids": [GID], "rids": [RID], "from": OWNER,
    "to": MANAGER, "tos": [MANAGER, MEMBER], "mid": P2P_MID, "mtype": 51, "type": 1,
    "key": "k", "val": "projA-new", "devicetoken": DEVICE, "apptype": "apns",
    "lang": "en", "dst": "fr", "text": "hello", "speechLanguageCode": "en",
    "textLanguageCode": "fr", "ban_time": 60, "oneway": False, "agree": True,
    "target_uids": [OUTSIDER], "friends": [MANAGER], "blacks": [MEMBER],
    "oinfo": "projA-new-open", "pinfo": "projA-new-private", "alias": "projA-alias",
}
#: Per method: params that differ from the sampled ones.
_OVERRIDES: dict[str, dict[str, Any]] = {
    "filetoken": {"cmd": "sendfile", "to": MANAGER},
    "translate": {"type": "chat"},
    "getp2pmsgbymessageid": {"mid": P2P_MID, "begin": 0, "end": 0},
    "getgroupmsgbymessageid": {"mid": GROUP_MID, "begin": 0, "end": 0},
    "getroommsgbymessageid": {"mid": ROOM_MID, "begin": 0, "end": 0},
    "getbroadcastmsgbymessageid": {"mid": BROADCAST_MID, "begin": 0, "end": 0},
    "imclient_ackjoingroup": {"from": OUTSIDER},
    "imclient_ackinviteintogroup": {"from": MANAGER},
    "imclient_ackinviteintoroom": {"from": MANAGER},
    "imclient_ackjoinroom": {"from": OUTSIDER},
    "imclient_ackaddfriend": {"ouid": OUTSIDER},
    "imclient_removegroupmembers": {"uids": [MEMBER]},
    "imclient_removeroommembers": {"uids": [MEMBER]},
    "imclient_addgroupmemberban": {"to_uid": MEMBER},
    "imclient_removegroupmemberban": {"to_uid": MEMBER},
    "imclient_addroommemberban": {"to_uid": MEMBER},
    "imclient_removeroommemberban": {"to_uid": MEMBER},
    "imclient_addgroupmanagers": {"uids": [MEMBER]},
    "imclient_addroommanagers": {"uids": [MEMBER]},
    "delgroupmembers": {"uids": [MEMBER]},
    "addgroupmembers": {"uids": [OUTSIDER]},
    "removeoption": {"type": 1, "xid": GID},
    "addoption": {"type": 1, "xid": GID},
    "imclient_addfriend": {"ouid": OUTSIDER},
    "imclient_getgrouproomnick": {"type": 1, "xid": GID, "uids": [MANAGER]},
}
#: Optional params the sweep leaves out (history filters would only narrow the answers).
_LEFT_OUT = {"mtypes", "mtime", "begin", "end", "lastid", "gettime", "tos", "gid", "rid",
             "strategyId", "checkParams", "codec", "srate", "src", "profanity", "tag",
             "videoName", "classify", "online", "extra", "attrs"}


def sweep_params(command: Command) -> dict[str, Any]:
    """A quest of ``command`` from its description, with ids that exist in both projects."""
    params: dict[str, Any] = {}
    overrides = _OVERRIDES.get(command.method, {})
    for p in command.params:
        if p.key in overrides:
            params[p.key] = overrides[p.key]
        elif p.optional and p.key in _LEFT_OUT:
            continue
        elif p.key in _BY_KEY:
            params[p.key] = _BY_KEY[p.key]
        else:
            params[p.key] = _SAMPLES[p.kind]
    if command.method in ("sendmsg", "sendgroupmsg", "sendroommsg", "sendmsgs"):
        params["mid"] = 777
    return params


SWEPT = sorted(m for m, c in COMMANDS.items() if c.login and c.gate == "client")


def test_sweep_covers_every_logged_in_command() -> None:
    assert len(SWEPT) >= 120, len(SWEPT)


async def test_cross_project_sweep(projects: tuple[World, World]) -> None:
    """Every logged-in command sent by a user of project A (the owner of A's group and room,
    so the commands run their full paths there) leaves project B untouched and unseen."""
    a, b = projects
    server = a.server
    watchers = {uid: await b.login(uid, dedup_seconds=0, version="Android-2.7.0",
                                   attrs={"who": f"projB-{uid}"})
                for uid in (OWNER, MANAGER, MEMBER, OUTSIDER)}
    caller = await a.login(OWNER, version="Android-2.7.0", attrs={"who": "projA"})
    b_peer = server.server.core.hub.connections(b.pid, MANAGER)[0].peer
    before = b.snapshot()
    answered: dict[str, Any] = {}
    refused: dict[str, int] = {}
    for method in SWEPT:
        # Each command on A's full state: drop and rebuild A (the caller stays logged in).
        server.run(server.server.store.drop_project(a.pid))
        server.run(_populate(server, a.pid, "projA"))
        params = sweep_params(COMMANDS[method])
        if method == "kickout":
            params["ce"] = b_peer
        try:
            answer = await caller.quest(method, params)
        except FPNNError as exc:
            refused[method] = exc.code
            assert exc.code not in (codes.UNKNOWN_ERROR, 20001), (method, exc)
            assert "projB" not in exc.message, (method, exc.message)
        else:
            answered[method] = answer
            assert "projB" not in repr(answer), (method, answer)
        after = b.snapshot()
        assert after[1] == before[1], (method, "B's live sessions changed", after[1])
        assert _diff(before[0], after[0]) == [], (method, _diff(before[0], after[0]))
    # B's users got nothing (an answer on each connection comes after any push before it).
    for uid, watcher in watchers.items():
        assert watcher.connected, uid
        await watcher.get_server_time()
        assert watcher.pushes.empty(), (uid, watcher.pushes.get_nowait())
    # Not vacuous: the commands ran their paths in A (a refusal here is A's own rule).
    assert set(refused) <= EXPECTED_SWEEP_REFUSALS.keys(), refused
    assert {m: refused[m] for m in refused} == {
        m: c for m, c in EXPECTED_SWEEP_REFUSALS.items() if m in refused}, refused
    assert len(answered) >= len(SWEPT) - len(EXPECTED_SWEEP_REFUSALS)


#: The sweep's calls that A itself refuses, and why (the rest all succeed in A).
EXPECTED_SWEEP_REFUSALS: dict[str, int] = {
    # The owner of an IM group or room cannot leave it (transfer first).
    "imclient_leavegroup": codes.PERMISSION_DENIED,
    "imclient_leaveroom": codes.PERMISSION_DENIED,
}
