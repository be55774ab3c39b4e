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

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from helpers import async_wait_until
from rtm.api.files import file_sign
from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.enduser.commands import COMMANDS
from rtm.enduser.pushes import P2PMessage
from rtm.enduser.spec import Command, Kind
from rtm.fpnn.client import FPNNClient
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


async def test_cross_project_sweep(projects: tuple[World, World]) -> None:
    """Every logged-in command sent by a user of project A (the owner of A's group and room,
    so the commands run their full paths there) leaves project B untouched and unseen."""
    a, b = projects
    server = a.server
    assert len(SWEPT) >= 129, len(SWEPT)  # every logged-in command of §3 and §3.13
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


# ----------------------------------------------------------------------------- cross-user

_DENIED, _NOT_MEMBER, _NOT_IN_ROOM = (codes.PERMISSION_DENIED, codes.NOT_GROUP_MEMBER,
                                      codes.NOT_IN_ROOM)
_PAGE = {"desc": True, "num": 10}
_RANGE = {"begin": 0, "end": 0}


def _msg(mid: int, kind: int, from_uid: int, xid: int) -> dict[str, Any]:
    return {"from": from_uid, "mid": mid, "xid": xid, "type": kind}


#: (caller, method, params, code): a call that must be refused with ``code`` and change
#: nothing. OWNER owns the IM group GID and the IM room RID, MANAGER manages both, MEMBER is a
#: plain member of both, OUTSIDER is in neither and is blocked by MEMBER.
REFUSED: list[tuple[int, str, dict[str, Any], int]] = [
    # private infos only as a member (spec §3.6, §3.7)
    (OUTSIDER, "getgroupinfo", {"gid": GID}, _NOT_MEMBER),
    (OUTSIDER, "setgroupinfo", {"gid": GID, "oinfo": "x", "pinfo": "x"}, _NOT_MEMBER),
    (OUTSIDER, "getgroupmembers", {"gid": GID}, _NOT_MEMBER),
    (OUTSIDER, "getgroupcount", {"gid": GID}, _NOT_MEMBER),
    (OUTSIDER, "addgroupmembers", {"gid": GID, "uids": [OUTSIDER]}, _NOT_MEMBER),
    (OUTSIDER, "delgroupmembers", {"gid": GID, "uids": [MEMBER]}, _NOT_MEMBER),
    (OUTSIDER, "getroominfo", {"rid": RID}, _NOT_IN_ROOM),
    (OUTSIDER, "setroominfo", {"rid": RID, "oinfo": "x", "pinfo": "x"}, _NOT_IN_ROOM),
    (OUTSIDER, "getroommembers", {"rid": RID}, _NOT_IN_ROOM),
    # history: only the conversations the caller belongs to (spec §3.2)
    (OUTSIDER, "getgroupmsg", {"gid": GID, **_PAGE}, _NOT_MEMBER),
    (OUTSIDER, "getroommsg", {"rid": RID, **_PAGE}, _NOT_IN_ROOM),
    (OUTSIDER, "getgroupmsgbymessageid", {"gid": GID, **_PAGE, "mid": GROUP_MID, **_RANGE},
     _NOT_MEMBER),
    (OUTSIDER, "getroommsgbymessageid", {"rid": RID, **_PAGE, "mid": ROOM_MID, **_RANGE},
     _NOT_IN_ROOM),
    (OUTSIDER, "getp2pmsgbymessageid", {"ouid": MANAGER, **_PAGE, "mid": P2P_MID, **_RANGE},
     codes.MESSAGE_NOT_FOUND),
    (OUTSIDER, "getgroupmsgcount", {"gid": GID, **_RANGE}, _NOT_MEMBER),
    (OUTSIDER, "getroommsgcount", {"rid": RID, **_RANGE}, _NOT_IN_ROOM),
    (OUTSIDER, "getmsg", _msg(P2P_MID, 1, OWNER, MANAGER), _DENIED),
    (OUTSIDER, "getmsg", _msg(GROUP_MID, 2, OWNER, GID), _NOT_MEMBER),
    (OUTSIDER, "getmsg", _msg(ROOM_MID, 3, OWNER, RID), _NOT_IN_ROOM),
    # delete only one's own messages
    (MANAGER, "delmsg", _msg(P2P_MID, 1, OWNER, MANAGER), _DENIED),
    (MEMBER, "delmsg", _msg(GROUP_MID, 2, OWNER, GID), _DENIED),
    (MEMBER, "delmsg", _msg(ROOM_MID, 3, OWNER, RID), _DENIED),
    (MEMBER, "delmsg", _msg(BROADCAST_MID, 4, OWNER, 0), _DENIED),
    # blocks: a blocked user cannot reach its blocker from the client gate (200049)
    (OUTSIDER, "sendmsg", {"to": MEMBER, "mid": 9, "mtype": 51, "msg": "m", "attrs": ""},
     codes.BLOCKED_USER),
    (OUTSIDER, "imclient_addfriend", {"ouid": MEMBER}, codes.BLOCKED_USER),
    # managing an IM group / room needs the role
    (MEMBER, "imclient_dismissgroup", {"gid": GID}, _DENIED),
    (MANAGER, "imclient_dismissgroup", {"gid": GID}, _DENIED),
    (OUTSIDER, "imclient_dismissgroup", {"gid": GID}, _NOT_MEMBER),
    (MEMBER, "imclient_removegroupmembers", {"gid": GID, "uids": [MANAGER]}, _DENIED),
    (MANAGER, "imclient_removegroupmembers", {"gid": GID, "uids": [OWNER]}, _DENIED),
    (MANAGER, "imclient_transfergroup", {"gid": GID, "to_uid": MANAGER}, _DENIED),
    (MANAGER, "imclient_addgroupmanagers", {"gid": GID, "uids": [MEMBER]}, _DENIED),
    (MEMBER, "imclient_addgroupmemberban", {"gid": GID, "to_uid": MANAGER, "ban_time": 60},
     _DENIED),
    (MANAGER, "imclient_addgroupmemberban", {"gid": GID, "to_uid": OWNER, "ban_time": 60},
     _DENIED),
    (MEMBER, "imclient_getgroupapplylist", {"gid": GID}, _DENIED),
    (MEMBER, "imclient_ackjoingroup", {"gid": GID, "from": OUTSIDER, "agree": True}, _DENIED),
    (OUTSIDER, "imclient_getgroupmembers", {"gid": GID}, _NOT_MEMBER),
    (OUTSIDER, "imclient_getgroupmembercount", {"gid": GID}, _NOT_MEMBER),
    (OUTSIDER, "imclient_getgrouproomnick", {"type": 1, "xid": GID, "uids": [OWNER]},
     _NOT_MEMBER),
    (MEMBER, "imclient_dismissroom", {"rid": RID}, _DENIED),
    (MEMBER, "imclient_removeroommembers", {"rid": RID, "uids": [MANAGER]}, _DENIED),
    (MANAGER, "imclient_transferroom", {"rid": RID, "to_uid": MANAGER}, _DENIED),
    (MEMBER, "imclient_addroommemberban", {"rid": RID, "to_uid": MANAGER, "ban_time": 60},
     _DENIED),
    (MEMBER, "imclient_getroomapplylist", {"rid": RID}, _DENIED),
    (OUTSIDER, "imclient_getroommembers", {"rid": RID}, _NOT_IN_ROOM),
    # the plain group commands do not bypass the roles of an IM group
    (MEMBER, "delgroupmembers", {"gid": GID, "uids": [OWNER]}, _DENIED),
    (MEMBER, "delgroupmembers", {"gid": GID, "uids": [MANAGER]}, _DENIED),
    (MANAGER, "delgroupmembers", {"gid": GID, "uids": [OWNER]}, _DENIED),
    (OWNER, "delgroupmembers", {"gid": GID, "uids": [OWNER]}, _DENIED),
    (MEMBER, "addgroupmembers", {"gid": GID, "uids": [OUTSIDER]}, _DENIED),
    # a client cannot forge what only the server sends: IM events (mtype 6), file messages
    # (40-50, through the file gate only), other reserved types
    (OWNER, "sendmsg", {"to": MANAGER, "mid": 9, "mtype": 6, "msg": "m",
                        "attrs": '{"type":21,"from":1}'}, codes.INVALID_MTYPE),
    (OWNER, "sendmsg", {"to": MANAGER, "mid": 9, "mtype": 40, "msg": "not a file",
                        "attrs": ""}, codes.INVALID_MTYPE),
    (OWNER, "sendgroupmsg", {"gid": GID, "mid": 9, "mtype": 50, "msg": "x", "attrs": ""},
     codes.INVALID_MTYPE),
    (OWNER, "sendroommsg", {"rid": RID, "mid": 9, "mtype": 1, "msg": "x", "attrs": ""},
     codes.INVALID_MTYPE),
    (OWNER, "sendmsgs", {"tos": [MANAGER], "mid": 9, "mtype": 33, "msg": "x", "attrs": ""},
     codes.INVALID_MTYPE),
    (OWNER, "sendmsg", {"to": MANAGER, "mid": 10, "mtype": 30, "msg": b"\xff\xfe",
                        "attrs": ""}, codes.TYPE_CONVERT),
    (OWNER, "sendgroupmsg", {"gid": GID, "mid": 10, "mtype": 32, "msg": b"\xff",
                             "attrs": ""}, codes.TYPE_CONVERT),
    (OWNER, "sendmsg", {"to": MANAGER, "mid": 11, "mtype": 51, "msg": "m",
                        "attrs": b"\xff"}, codes.TYPE_CONVERT),
    # what a client pushes to others stays within a message's limits
    (OUTSIDER, "imclient_addfriend", {"ouid": OWNER, "extra": "x" * 20481},
     codes.LARGE_MESSAGE_OR_ATTRS),
    (OUTSIDER, "imclient_addfriend", {"ouid": OWNER, "attrs": "x" * 2049},
     codes.LARGE_MESSAGE_OR_ATTRS),
    (OUTSIDER, "imclient_joingroup", {"gid": GID, "attrs": "x" * 2049},
     codes.LARGE_MESSAGE_OR_ATTRS),
    (OWNER, "imclient_inviteintogroup", {"gid": GID, "target_uids": [OUTSIDER],
                                         "extra": "x" * 20481}, codes.LARGE_MESSAGE_OR_ATTRS),
    # a blocked user does not make itself its blocker's friend (friends are symmetric)
    (OUTSIDER, "addfriends", {"friends": [MEMBER]}, codes.BLOCKED_USER),
    # a friend alias only for one's own friends
    (OUTSIDER, "imclient_setfriendalias", {"target_uid": MANAGER, "alias": "x"},
     codes.NOT_FRIEND),
    # acknowledging what was asked of somebody else
    (MANAGER, "imclient_ackaddfriend", {"ouid": OUTSIDER, "agree": True},
     codes.INVALID_PARAMETER),
    (MANAGER, "imclient_ackinviteintogroup", {"gid": GID, "from": OWNER, "agree": True},
     codes.INVALID_PARAMETER),
]


def _row_id(row: tuple[int, str, dict[str, Any], int]) -> str:
    caller, method, params, _ = row
    return f"{method}-by-{caller}-" + "-".join(f"{v}" for v in params.values())[:40]


@pytest.mark.parametrize("rows", [REFUSED], ids=["table"])
async def test_refused_and_nothing_changed(world: World,
                                           rows: list[tuple[int, str, dict[str, Any], int]]
                                           ) -> None:
    """One project, every row in turn: the refusal code, and the project's stored rows and
    live sessions exactly as before the call."""
    for uid in (OWNER, MANAGER, MEMBER, OUTSIDER):
        await world.login(uid)
    failures = []
    for row in rows:
        caller, method, params, expected = row
        before = world.snapshot()
        try:
            answer = await world.users[caller].quest(method, params)
        except FPNNError as exc:
            if exc.code != expected:
                failures.append(f"{_row_id(row)}: code {exc.code} ({exc.message}), "
                                f"expected {expected}")
        else:
            failures.append(f"{_row_id(row)}: answered {answer!r}, expected {expected}")
        after = world.snapshot()
        if after != before:
            failures.append(f"{_row_id(row)}: changed {_diff(before[0], after[0])} "
                            f"{after[1] if after[1] != before[1] else ''}")
    assert failures == [], "\n".join(failures)


#: The private texts of the other users (the world's tag is "proj").
def _private_of(*uids: int) -> list[str]:
    out = ["proj-group-private", "proj-room-private", "proj-alias", f"proj-msg{P2P_MID}",
           "proj-msg-2to3"]
    for uid in uids:
        out += [f"proj-user{uid}-private", f"proj-data{uid}", f"proj-log{uid}"]
    return out


#: (caller, method, params): reads the OUTSIDER may make; the answer shows nothing private
#: of the others (its own state only).
READS: list[tuple[str, dict[str, Any]]] = [
    ("getuserinfo", {}), ("getuseropeninfo", {"uids": [OWNER, MANAGER, MEMBER]}),
    ("getgroupopeninfo", {"gid": GID}), ("getgroupsopeninfo", {"gids": [GID]}),
    ("getroomopeninfo", {"rid": RID}), ("getroomsopeninfo", {"rids": [RID]}),
    ("dataget", {"key": "k"}), ("getattrs", {}), ("getoption", {}), ("getsession", {}),
    ("getunread", {"clear": False}), ("getp2punread", {"uids": [OWNER, MANAGER, MEMBER]}),
    ("getgroupunread", {"gids": [GID]}), ("getp2pconversationlist", {}),
    ("getgroupconversationlist", {}), ("getunreadconversationlist", {}),
    ("getp2pmsg", {"ouid": MANAGER, **_PAGE}), ("getp2pmsg", {"ouid": OWNER, **_PAGE}),
    ("getp2pmsgcount", {"ouid": MANAGER, **_RANGE}), ("getfriends", {}), ("getblacks", {}),
    ("getusergroups", {}), ("getuserrooms", {}), ("getuserroomsandlastmsg", {}),
    ("imclient_getfriendalias", {"target_uid": MANAGER}),
    ("imclient_getfriendapplylist", {}), ("imclient_getfriendrequestlist", {}),
    ("imclient_getgroupinvitelist", {}), ("imclient_getgrouprequestlist", {}),
    ("imclient_getgroupinfo", {"gid": GID}), ("imclient_getuserinfos", {"uids": [OWNER]}),
]


async def test_reads_show_only_the_callers_own_private_data(world: World) -> None:
    # Android-… sessions get every live session's attrs of the caller's uid: never another's.
    outsider = await world.login(OUTSIDER, version="Android-2.7.0", attrs={"who": "me"})
    for uid in (OWNER, MANAGER, MEMBER):
        await world.login(uid, version="Android-2.7.0", attrs={"who": f"proj-attrs{uid}"})
    private = [*_private_of(OWNER, MANAGER, MEMBER), "proj-attrs"]
    for method, params in READS:
        answer = repr(await outsider.quest(method, params))
        assert [p for p in private if p in answer] == [], (method, answer)
    # …while the same reads do show the caller's own state (the check is not vacuous).
    own = repr([await outsider.quest("getuserinfo", {}),
                await outsider.quest("dataget", {"key": "k"}),
                await outsider.quest("imclient_getfriendrequestlist", {})])
    assert "proj-user4-private" in own and "proj-data4" in own and "proj-friend" in own
    # the P2P pair of two others is nobody else's history
    page = await outsider.quest("getp2pmsg", {"ouid": MANAGER, **_PAGE})
    assert page["msgs"] == []


async def test_kickout_closes_only_the_callers_own_sessions(world: World) -> None:
    victim = await world.login(OWNER)
    attacker = await world.login(OUTSIDER)
    hub = world.server.server.core.hub
    victim_peer = hub.connections(world.pid, OWNER)[0].peer
    assert await attacker.quest("kickout", {"ce": victim_peer}) == {}
    assert victim.connected
    assert (await victim.get_server_time()) > 0
    assert len(hub.connections(world.pid, OWNER)) == 1


async def test_project_banned_user_cannot_send(world: World) -> None:
    """addprojectban (current §11.6): every send of the user on the client gate is 200021;
    nothing is stored."""
    banned = await world.login(MEMBER)
    await world.admin.add_project_ban(MEMBER, 0)
    world.server.run(world.server.server.store.im_set_invite_grant(world.pid, IM_GROUP, GID,
                                                                   1, 1))
    sends = [("sendmsg", {"to": OWNER}), ("sendmsgs", {"tos": [OWNER, MANAGER]}),
             ("sendgroupmsg", {"gid": GID}), ("sendroommsg", {"rid": RID})]
    before = world.snapshot()
    for method, target in sends:
        params = {**target, "mid": 4242, "mtype": 51, "msg": "m", "attrs": ""}
        with pytest.raises(FPNNError) as refused:
            await banned.quest(method, params)
        assert refused.value.code == codes.PERMISSION_DENIED, (method, refused.value)
    with pytest.raises(FPNNError) as refused:
        await banned.send_file(OWNER, 50, b"file", filename="f.txt")
    assert refused.value.code == codes.PERMISSION_DENIED
    # nor through the IM library's requests, which carry its text to others (members of GID
    # may invite, see above, so only the ban refuses the invitation)
    for method, params in (("imclient_addfriend", {"ouid": OUTSIDER, "extra": "hi"}),
                           ("imclient_joinroom", {"rid": 21, "extra": "hi"}),
                           ("imclient_inviteintogroup", {"gid": GID,
                                                         "target_uids": [OUTSIDER]})):
        with pytest.raises(FPNNError) as refused:
            await banned.quest(method, params)
        assert refused.value.code == codes.PERMISSION_DENIED, (method, refused.value)
    # reading still works (login, history and receiving are not affected)
    assert (await banned.quest("getgroupmsg", {"gid": GID, **_PAGE}))["msgs"] != []
    assert _diff(before[0], world.snapshot()[0]) == []


async def test_project_black_listed_user_is_kicked_and_cannot_come_back(world: World) -> None:
    user = await world.login(MEMBER, auto_relogin=False)
    await world.admin.add_project_black(MEMBER, 0)
    await async_wait_until(lambda: not user.connected, 10.0, "the black-listed user kicked")
    assert world.server.server.core.hub.connections(world.pid, MEMBER) == []
    token = await world.admin.get_token(MEMBER)
    again = AsyncEndUserClient(world.project.client_endpoint, world.pid, MEMBER, token)
    try:
        with pytest.raises(FPNNError) as refused:
            await again.login()
        assert refused.value.code == codes.AUTH_DENIED
    finally:
        await again.close()


async def test_blocked_user_reaches_its_blocker_by_no_p2p_way(world: World) -> None:
    """MEMBER blocked OUTSIDER: a file is refused with 200049 too, a multi-send skips MEMBER,
    and MEMBER gets no push."""
    blocker = await world.login(MEMBER)
    blocked = await world.login(OUTSIDER)
    with pytest.raises(FPNNError) as refused:
        await blocked.send_file(MEMBER, 50, b"file", filename="f.txt")
    assert refused.value.code == codes.BLOCKED_USER
    await blocked.quest("sendmsgs", {"tos": [MEMBER, MANAGER], "mid": 77, "mtype": 51,
                                     "msg": "m", "attrs": ""})
    rows = world.snapshot()[0]["messages"]
    assert [r for r in rows if 77 in r and MEMBER in r] == []
    assert [r for r in rows if 77 in r and MANAGER in r] != []
    await blocker.get_server_time()
    assert blocker.pushes.empty()


# ----------------------------------------------------------------------------- limits


async def test_what_a_client_stores_is_bounded(world: World) -> None:
    user = await world.login(OUTSIDER)
    before = world.snapshot()[0]["devices"]
    for params in ({"apptype": "apns", "devicetoken": "t" * 4097},
                   {"apptype": "a" * 129, "devicetoken": "t"}):
        with pytest.raises(FPNNError) as refused:
            await user.quest("adddevice", params)
        assert refused.value.code == codes.LARGE_MESSAGE_OR_ATTRS
        assert "devicetoken" in refused.value.message or "apptype" in refused.value.message
    assert world.snapshot()[0]["devices"] == before
    # a connection's attrs: in memory, so bounded in total, and a refused add adds nothing
    await user.quest("addattrs", {"attrs": {"a": "x" * 40000}})
    with pytest.raises(FPNNError) as refused:
        await user.quest("addattrs", {"attrs": {"b": "x" * 40000, "c": "y"}})
    assert refused.value.code == codes.LARGE_MESSAGE_OR_ATTRS
    attrs = (await user.quest("getattrs", {}))["attrs"]
    assert set(attrs) == {"a", "login"}
    await user.quest("addattrs", {"attrs": {"a": "smaller", "b": "x" * 40000}})  # replaces
    assert set((await user.quest("getattrs", {}))["attrs"]) == {"a", "b", "login"}


async def test_debug_logs_keep_the_newest(world: World) -> None:
    from rtm.server.store.clientstate import DEBUG_LOGS_KEPT

    user = await world.login(OUTSIDER)
    for i in range(3):  # the oldest, before the rest
        await user.quest("adddebuglog", {"msg": f"old {i}", "attrs": ""})
    await asyncio.gather(*(user.quest("adddebuglog", {"msg": f"new {i}", "attrs": ""})
                           for i in range(DEBUG_LOGS_KEPT)))
    rows = world.snapshot()[0]["debug_logs"]
    mine = {r[3] for r in rows if r[2] == OUTSIDER}
    assert mine == {f"new {i}" for i in range(DEBUG_LOGS_KEPT)}
    # the other users' logs are theirs: untouched
    assert {r[3] for r in rows if r[2] == OWNER} == {"proj-log1"}


async def test_a_blocked_user_reaches_its_blocker_by_no_im_event(world: World) -> None:
    """MANAGER blocked OUTSIDER: OUTSIDER's application to join GID (apply grant: verify) is
    recorded and told to the owner, not to MANAGER (an event carries the caller's text)."""
    owner, manager = await world.login(OWNER), await world.login(MANAGER)
    outsider = await world.login(OUTSIDER)
    await manager.quest("addblacks", {"blacks": [OUTSIDER]})
    await outsider.quest("imclient_joingroup", {"gid": GID, "extra": "let me in"})
    told = await owner.next_push(timeout=10)
    assert isinstance(told, P2PMessage)
    assert (told.from_uid, told.mtype, told.message) == (OUTSIDER, 6, "let me in")
    await manager.get_server_time()  # any push written before this answer came first
    assert manager.pushes.empty(), manager.pushes.get_nowait()
    applies = await manager.quest("imclient_getgroupapplylist", {"gid": GID})
    assert OUTSIDER in applies["fromUid"]


# ----------------------------------------------------------------------------- file gate


async def test_a_file_token_of_project_a_sends_nothing_in_project_b(
        projects: tuple[World, World]) -> None:
    """The file gate's quests carry ``pid`` and ``from`` themselves: a token issued to A's
    uid 1 is refused (200003) with B's pid, or with another ``from``, and B is untouched."""
    a, b = projects
    caller = await a.login(OWNER)
    before = b.snapshot()
    data = b"file body"
    for cmd, key, target in (("sendfile", "to", MANAGER), ("sendgroupfile", "gid", GID),
                             ("uploadfile", "uid", OWNER)):
        ticket = await caller.quest("filetoken", {"cmd": cmd, **(
            {} if cmd == "uploadfile" else {key: target})})
        files = FPNNClient(ticket["endpoint"])
        try:
            attrs = json.dumps({"rtm": {"sign": file_sign(data, ticket["token"]),
                                        "ext": "txt"}})
            quest = {"pid": b.pid, "from": OWNER, "token": ticket["token"], "mtype": 50,
                     "mid": 5150, "file": data, "attrs": attrs, key: target}
            for wrong in ({"pid": b.pid}, {"pid": a.pid, "from": MANAGER}):
                with pytest.raises(FPNNError) as refused:
                    await files.quest(cmd, {**quest, **wrong})
                # (uploadfile's ``uid`` names the sender too: another ``from`` is 200034)
                expected = (codes.INVALID_PARAMETER if cmd == "uploadfile" and "from" in wrong
                            else codes.INVALID_FILE_OR_SIGN_OR_TOKEN)
                assert refused.value.code == expected, (cmd, wrong, refused.value)
        finally:
            await files.close()
    assert _diff(before[0], b.snapshot()[0]) == []


# ----------------------------------------------------------------------------- bans


async def test_a_ban_by_an_im_manager_mutes_the_member_on_the_client_gate(world: World
                                                                         ) -> None:
    manager, member = await world.login(MANAGER), await world.login(MEMBER)
    for space, key, xid, code in (("group", "gid", GID, codes.BANNED_IN_GROUP),
                                  ("room", "rid", RID, codes.BANNED_IN_ROOM)):
        await manager.quest(f"imclient_add{space}memberban",
                            {key: xid, "to_uid": MEMBER, "ban_time": 0})
        send = {key: xid, "mid": 6060, "mtype": 51, "msg": "m", "attrs": ""}
        with pytest.raises(FPNNError) as refused:
            await member.quest(f"send{space}msg", send)
        assert refused.value.code == code
        await manager.quest(f"imclient_remove{space}memberban", {key: xid, "to_uid": MEMBER})
        assert (await member.quest(f"send{space}msg", send))["mtime"] > 0


async def test_delmsg_of_anothers_mid_in_ones_own_name_deletes_nothing(world: World) -> None:
    """MANAGER sent P2P_MID to MEMBER; MEMBER naming itself as the sender of that mid (in
    every kind of conversation) deletes nothing, whatever it is answered."""
    member = await world.login(MEMBER)
    before = world.snapshot()[0]
    for kind, xid, mid in ((1, MANAGER, P2P_MID), (2, GID, GROUP_MID), (3, RID, ROOM_MID),
                           (4, 0, BROADCAST_MID)):
        try:
            await member.quest("delmsg", _msg(mid, kind, MEMBER, xid))
        except FPNNError as exc:
            assert exc.code == codes.MESSAGE_NOT_FOUND, exc
    assert _diff(before, world.snapshot()[0]) == []


async def test_getmsg_names_the_conversation_not_only_the_sender(world: World) -> None:
    """OWNER sent P2P_MID to MANAGER (and GROUP_MID to GID): MEMBER asking for OWNER's P2P_MID
    in its own pair with OWNER, or a group message under another gid, gets nothing."""
    member = await world.login(MEMBER)
    assert await member.quest("getmsg", _msg(P2P_MID, 1, OWNER, MEMBER)) == {}
    own = await member.quest("getmsg", _msg(P2P_MID, 1, MANAGER, MEMBER))
    assert own["msg"] == "proj-msg-2to3"  # its own pair's message is there
    await world.admin.add_group_members(GID + 1, [MEMBER])
    assert await member.quest("getmsg", _msg(GROUP_MID, 2, OWNER, GID + 1)) == {}


async def test_plain_group_commands_within_an_im_groups_roles(world: World) -> None:
    """What the roles allow through delgroupmembers/addgroupmembers works, and a manager who
    is removed or leaves is no longer a manager (nor told of applications)."""
    owner, manager = await world.login(OWNER), await world.login(MANAGER)
    await manager.quest("addgroupmembers", {"gid": GID, "uids": [OUTSIDER]})
    await manager.quest("delgroupmembers", {"gid": GID, "uids": [OUTSIDER]})
    await owner.quest("imclient_addgroupmanagers", {"gid": GID, "uids": [MEMBER]})
    await owner.quest("delgroupmembers", {"gid": GID, "uids": [MEMBER]})
    await manager.quest("delgroupmembers", {"gid": GID, "uids": [MANAGER]})  # leaves
    assert await world.admin.get_group_members(GID) == [OWNER]
    info = await owner.quest("imclient_getgroupinfo", {"gid": GID})
    assert info["managerUids"] == []
