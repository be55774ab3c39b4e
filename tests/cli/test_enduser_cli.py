"""``rtm enduser``: login, send and listen as an end user on the client gate."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from helpers import async_wait_until
from rtm.cli import run
from rtm.client import AsyncRTMServerClient
from rtm.testing import RTMProject

from .conftest import Cli, Result


def _gate(project: RTMProject) -> list[str]:
    return ["--gate", project.client_endpoint]


def test_login_with_a_token_or_through_the_server_api(cli: Cli, rtm_project: RTMProject,
                                                     rtm_client: Any) -> None:
    obj = cli("--json", "enduser", "login", 5, *_gate(rtm_project)).ok().one()
    assert obj == {"ok": True, "uid": 5, "gate": rtm_project.client_endpoint,
                   "transport": "tcp", "encrypted": False}
    token = rtm_client.get_token(6)
    text = cli("enduser", "login", 6, "--token", token, *_gate(rtm_project)).ok().out
    assert "uid 6 logged in" in text
    refused = cli("enduser", "login", 6, "--token", "WRONG", *_gate(rtm_project))
    assert refused.code == 1 and "refused the token of uid 6" in refused.err
    bad = cli("enduser", "login", 6, "--attr", "novalue", *_gate(rtm_project))
    assert bad.code == 2 and "--attr takes KEY=VALUE" in bad.err
    assert rtm_client.get_online_users([5, 6]) == []  # every login logged out again


async def test_send_and_listen(env: dict[str, str], rtm_project: RTMProject,
                               rtm_async_client: AsyncRTMServerClient, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    out, err = io.StringIO(), io.StringIO()
    argv = ["--json", "enduser", "listen", "2", "--room", "7", "--count", "3",
            "--ready-file", str(ready), *_gate(rtm_project)]
    listening = asyncio.create_task(asyncio.to_thread(run, argv, stdout=out, stderr=err,
                                                      env=env))
    try:
        await _send_while_listening(env, rtm_project, rtm_async_client, ready, listening, out,
                                    err)
    finally:
        if not listening.done():  # a failure above: a kickout ends the listener
            await rtm_async_client.kickout(2)
            await asyncio.wait_for(listening, 10)


async def _send_while_listening(env: dict[str, str], rtm_project: RTMProject,
                                rtm_async_client: AsyncRTMServerClient, ready: Path,
                                listening: asyncio.Task[int], out: io.StringIO,
                                err: io.StringIO) -> None:
    await async_wait_until(ready.exists, timeout=10, what="the ready file")
    assert await rtm_async_client.get_online_users([2]) == [2]

    def send(*args: object) -> Result:
        code = run([str(a) for a in ("--json", "enduser", "send", *args,
                                     *_gate(rtm_project))],
                   stdout=(o := io.StringIO()), stderr=(e := io.StringIO()), env=env)
        return Result(code, o.getvalue(), e.getvalue())

    sent = (await asyncio.to_thread(send, "p2p", 1, 2, "hello two", "--mid", 11)).ok().one()
    assert sent["mid"] == 11 and sent["mtime"] > 0
    await rtm_async_client.add_group_members(5, [1, 2])
    (await asyncio.to_thread(send, "group", 1, 5, "to the group")).ok()
    # binary is a custom type from a client (a chat body is text)
    (await asyncio.to_thread(send, "room", 1, 7, "--hex", "ff00", "--mtype", 52)).ok()
    assert await asyncio.wait_for(listening, 10) == 0
    p2p, group, room = Result(0, out.getvalue(), "").json()
    assert p2p == {"type": "p2p", "from_uid": 1, "to_uid": 2, "mtype": p2p["mtype"],
                   "mid": 11, "message": "hello two", "attrs": "", "mtime": sent["mtime"],
                   "chat": {"source": "en", "source_text": "hello two", "target": "",
                            "target_text": ""}}  # chat reaches end users as the map
    assert (group["type"], group["group_id"], group["message"]) == ("group", 5, "to the group")
    assert (room["type"], room["room_id"], room["message"]) == ("room", 7, {"base64": "/wA="})
    assert "uid 2 listening" in err.getvalue()


async def test_listen_stops_on_kickout(env: dict[str, str], rtm_project: RTMProject,
                                       rtm_async_client: AsyncRTMServerClient,
                                       tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    out, err = io.StringIO(), io.StringIO()
    argv = ["enduser", "listen", "3", "--ready-file", str(ready), *_gate(rtm_project)]
    listening = asyncio.create_task(asyncio.to_thread(run, argv, stdout=out, stderr=err,
                                                      env=env))
    await async_wait_until(ready.exists, timeout=10, what="the ready file")
    await rtm_async_client.kickout(3)
    assert await asyncio.wait_for(listening, 10) == 0
    assert "kicked out" in out.getvalue()
