"""Every ``rtm`` subcommand against the local test server (in-process, a fresh project per
test): exit codes, ``--json`` output parsed back, human output, error paths."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from rtm import RTMServerClient
from rtm._cli.output import MAX_SAFE_INTEGER
from rtm.cli import run
from rtm.testing import RTMProject

from .conftest import Cli, Result


def sent(res: Result) -> dict[str, Any]:
    obj = res.ok().one()
    assert set(obj) == {"mid", "mtime"} and obj["mtime"] > 0 and int(obj["mid"]) > 0
    # a mid a double cannot hold is a string in JSON (generated ones almost always are)
    assert isinstance(obj["mid"], str if int(obj["mid"]) > MAX_SAFE_INTEGER else int)
    return obj


# ------------------------------------------------------------------------------ send


def test_send_every_kind_json_and_text(cli: Cli) -> None:
    cli("group", "add", 50, 1, 2).ok()
    cli("room", "add", 70, 1).ok()
    p2p = sent(cli("--json", "send", "p2p", 1, 2, "hello", "--attrs", '{"a": 1}'))
    multi = sent(cli("send", "multi", 1, "2,3,4", "hi all", "--json"))
    group = sent(cli("--json", "send", "group", 1, 50, "to group", "--mtype", 31))
    room = sent(cli("--json", "send", "room", 1, 70, "to room"))
    bcast = sent(cli("--json", "send", "broadcast", 1, "to everybody"))
    assert len({p2p["mid"], multi["mid"], group["mid"], room["mid"], bcast["mid"]}) == 5

    text = cli("send", "p2p", 1, 2, "plain").ok().out
    assert text.startswith("sent 1 -> 2: mid ") and "mtime" in text

    page = cli("--json", "history", "p2p", 1, 2).ok().one()
    assert [m["message"] for m in page["messages"]] == ["hello", "hi all", "plain"]
    assert page["messages"][0]["attrs"] == '{"a": 1}'
    assert page["messages"][0]["mid"] == p2p["mid"]
    assert cli("--json", "history", "group", 50).one()["messages"][0]["mtype"] == 31
    assert cli("--json", "history", "room", 70).one()["messages"][0]["message"] == "to room"
    assert cli("--json", "history", "broadcast").one()["messages"][0]["mid"] == bcast["mid"]
    assert cli("--json", "history", "p2p", 1, 4).one()["num"] == 1


def test_send_message_from_stdin_and_explicit_mid(cli: Cli) -> None:
    obj = sent(cli("--json", "send", "p2p", 1, 2, "-", "--mid", 123456, input="from stdin\n"))
    assert obj["mid"] == 123456
    msgs = cli("--json", "history", "p2p", 1, 2).one()["messages"]
    assert msgs[0]["message"] == "from stdin" and msgs[0]["mid"] == 123456


def test_error_is_one_line_with_the_rtm_code(cli: Cli) -> None:
    res = cli("send", "group", 1, 999, "not a member")
    assert res.code == 1 and res.out == ""
    assert res.err.startswith("error: [200041 NOT_GROUP_MEMBER]")
    assert res.err.count("\n") == 1
    res = cli("--json", "send", "group", 1, 999, "still not")
    assert res.code == 1 and res.out == "" and "[200041 NOT_GROUP_MEMBER]" in res.err


def test_wrong_secret_and_unreachable_server_exit_1(cli: Cli) -> None:
    res = cli("token", 1, extra_env={"RTM_SECRET": "wrong"})
    assert res.code == 1 and "[200002 INVALID_PID_OR_SIGN]" in res.err
    assert "check the project's secret key" in res.err  # the SDK's hint, passed on
    res = cli("token", 1, "--timeout", "5", extra_env={"RTM_ENDPOINT": "127.0.0.1:1"})
    assert res.code == 1 and res.err.startswith("error: [")
    assert "127.0.0.1:1" in res.err


def test_sdk_argument_validation_is_a_usage_error(cli: Cli) -> None:
    res = cli("friends", "add", 1, ",".join(str(u) for u in range(2, 200)))
    assert res.code == 2 and "at most 100" in res.err


# ------------------------------------------------------------------------------ history


def _send_n(rtm_client: RTMServerClient, n: int, gid: int = 60) -> list[int]:
    rtm_client.add_group_members(gid, [1])
    mtimes = []
    for i in range(n):
        mtimes.append(rtm_client.send_group_message(1, gid, 30, f"m{i}"))
        time.sleep(0.002)  # distinct mtimes for the time filters
    return mtimes


def test_history_paging_desc_num_lastid(cli: Cli, rtm_client: RTMServerClient) -> None:
    _send_n(rtm_client, 7)
    first = cli("--json", "history", "group", 60, "--num", 3).ok().one()
    assert [m["message"] for m in first["messages"]] == ["m0", "m1", "m2"]
    nxt = cli("--json", "history", "group", 60, "--num", 3, "--lastid", first["lastid"],
              "--begin", first["begin"], "--end", first["end"]).ok().one()
    assert [m["message"] for m in nxt["messages"]] == ["m3", "m4", "m5"]
    desc = cli("--json", "history", "group", 60, "--desc", "--num", 2).ok().one()
    assert [m["message"] for m in desc["messages"]] == ["m6", "m5"]

    text = cli("history", "group", 60, "--num", 3)
    assert text.ok().out.splitlines()[0].split() == ["ID", "TIME", "FROM", "MTYPE", "MID",
                                                     "MESSAGE"]
    assert "more may follow" in text.err and "--lastid" in text.err


def test_history_all_pages_through_everything(cli: Cli, rtm_client: RTMServerClient) -> None:
    _send_n(rtm_client, 9)
    res = cli("--json", "history", "group", 60, "--all", "--num", 2).ok()
    assert [m["message"] for m in res.json()] == [f"m{i}" for i in range(9)]
    res = cli("--json", "history", "group", 60, "--all", "--desc", "--num", 4).ok()
    assert [m["message"] for m in res.json()] == [f"m{i}" for i in reversed(range(9))]
    res = cli("--json", "history", "group", 60, "--all", "--limit", 5).ok()
    assert len(res.json()) == 5
    text = cli("history", "group", 60, "--all").ok()
    assert len(text.out.splitlines()) == 10 and "9 messages" in text.err
    assert cli("history", "group", 61, "--all").ok().err.strip() == "0 messages"


def test_history_time_filters_accept_ms_and_iso(cli: Cli, rtm_client: RTMServerClient) -> None:
    mtimes = _send_n(rtm_client, 5)
    res = cli("--json", "history", "group", 60, "--all", "--begin", mtimes[2]).ok()
    assert [m["message"] for m in res.json()] == ["m2", "m3", "m4"]
    iso = datetime.fromtimestamp(mtimes[1] / 1000, tz=timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    res = cli("--json", "history", "group", 60, "--all", "--end", iso).ok()
    assert [m["message"] for m in res.json()] == ["m0", "m1"]
    res = cli("--json", "history", "group", 60, "--all", "--begin", "-1h", "--end", "now").ok()
    assert len(res.json()) == 5


def test_history_p2p_and_empty(cli: Cli) -> None:
    cli("send", "p2p", 1, 2, "a").ok()
    cli("send", "p2p", 2, 1, "b").ok()
    msgs = cli("--json", "history", "p2p", 2, 1).one()["messages"]
    assert [(m["from_uid"], m["message"]) for m in msgs] == [(1, "a"), (2, "b")]
    empty = cli("history", "room", 12345).ok()
    assert empty.out == "" and "no messages" in empty.err


# ------------------------------------------------------------------------------ relations


def test_friends(cli: Cli) -> None:
    assert cli("--json", "friends", "add", 1, 2, "3,4").ok().one() == {
        "ok": True, "uid": 1, "added": [2, 3, 4], "already": []}
    assert cli("friends", "list", 1).ok().out.split() == ["2", "3", "4"]
    assert cli("--json", "friends", "list", 1).one() == {"uid": 1, "friends": [2, 3, 4]}
    assert cli("--json", "friends", "check", 1, 2).one() == {"uid": 1, "peer": 2,
                                                             "friend": True}
    checks = cli("--json", "friends", "check", 1, 2, 5, 3).ok().json()
    assert [(c["peer"], c["friend"]) for c in checks] == [(2, True), (5, False), (3, True)]
    cli("friends", "del", 1, 3).ok()
    assert cli("friends", "check", 1, 3).ok().out.strip() == "1 and 3 are not friends"
    assert cli("--json", "friends", "list", 1).one()["friends"] == [2, 4]
    assert "has no friends" in cli("friends", "list", 99).ok().err


def test_groups(cli: Cli) -> None:
    cli("group", "add", 8, 1, 2, 3).ok()
    assert cli("--json", "group", "members", 8).one() == {"group_id": 8, "members": [1, 2, 3]}
    cli("group", "del", 8, 2).ok()
    assert cli("group", "members", 8).ok().out.split() == ["1", "3"]
    checks = cli("--json", "group", "check", 8, 1, 2).ok().json()
    assert [c["member"] for c in checks] == [True, False]
    cli("group", "add", 9, 1).ok()
    assert cli("--json", "group", "of-user", 1).one() == {"uid": 1, "groups": [8, 9]}
    assert cli("group", "of-user", 1).out.split() == ["8", "9"]
    cli("group", "delete", 8).ok()
    assert cli("--json", "group", "members", 8).one()["members"] == []


def test_rooms(cli: Cli) -> None:
    assert cli("send", "room", 1, 70, "x").code == 1  # not in the room yet (200040)
    cli("room", "add", 70, 1, 2).ok()
    sent(cli("--json", "send", "room", 2, 70, "in the room"))
    cli("room", "del", 70, 1).ok()
    res = cli("send", "room", 1, 70, "left")
    assert res.code == 1 and "[200040 NOT_IN_ROOM]" in res.err


def test_bans(cli: Cli) -> None:
    cli("group", "add", 5, 1).ok()
    cli("room", "add", 7, 1).ok()
    for kind, target, code in (("group", 5, "200044"), ("room", 7, "200045")):
        assert cli("--json", "ban", kind, target, 1, "--check").one()["banned"] is False
        assert "banned" in cli("ban", kind, target, 1, "--seconds", 600).ok().out
        assert cli("--json", "ban", kind, target, 1, "--check").one()["banned"] is True
        res = cli("send", kind, 1, target, "muted")
        assert res.code == 1 and f"[{code} " in res.err
        cli("ban", kind, target, 1, "--remove").ok()
        assert cli("ban", kind, target, 1, "--check").ok().out.strip().endswith(
            f"is not banned in {kind} {target}")
        sent(cli("--json", "send", kind, 1, target, "free again"))
    assert cli("--json", "ban", "project", 9, "--check").one() == {"uid": 9, "banned": False}
    assert "permanently" in cli("ban", "project", 9).ok().out
    assert cli("--json", "ban", "project", 9, "--check").one()["banned"] is True
    cli("ban", "project", 9, "--remove").ok()
    assert cli("--json", "ban", "project", 9, "--check").one()["banned"] is False


def test_message_delete_every_kind(cli: Cli) -> None:
    cli("group", "add", 5, 1).ok()
    cli("room", "add", 7, 1).ok()
    mids = {
        "p2p": sent(cli("--json", "send", "p2p", 1, 2, "x"))["mid"],
        "group": sent(cli("--json", "send", "group", 1, 5, "x"))["mid"],
        "room": sent(cli("--json", "send", "room", 1, 7, "x"))["mid"],
        "broadcast": sent(cli("--json", "send", "broadcast", 1, "x"))["mid"],
    }
    assert cli("--json", "message", "delete", "p2p", 1, 2, mids["p2p"]).one() == {"ok": True}
    cli("message", "delete", "group", 1, 5, mids["group"]).ok()
    cli("message", "delete", "room", 1, 7, mids["room"]).ok()
    cli("message", "delete", "broadcast", 1, mids["broadcast"]).ok()
    for args in (("p2p", 1, 2), ("group", 5), ("room", 7), ("broadcast",)):
        (msg,) = cli("--json", "history", *args).one()["messages"]
        assert msg["deleted"] is True, args
    assert "[deleted]" in cli("history", "p2p", 1, 2).ok().out


def test_token_and_devices(cli: Cli) -> None:
    token = cli("token", 1).ok().out.strip()
    assert len(token) >= 16 and token.isalnum()
    obj = cli("--json", "token", 1).one()
    assert obj["uid"] == 1 and obj["token"]
    assert cli("--json", "device", "add", 1, "apns", "tok-1").one() == {"ok": True}
    assert "device removed" in cli("device", "remove", 1, "tok-1").ok().out


async def test_online_and_kickout(cli: Cli, rtm_enduser: Any) -> None:
    user = await rtm_enduser(11)
    res = await asyncio.to_thread(cli, "--json", "online", 11, 12)
    assert res.ok().one() == {"online": [11]}
    assert (await asyncio.to_thread(cli, "online", "11,12")).ok().out.split() == ["11"]
    nobody = await asyncio.to_thread(cli, "online", 12)
    assert nobody.ok().out == "" and "nobody online" in nobody.err
    res = await asyncio.to_thread(cli, "kickout", 11)
    assert res.ok().out.strip() == "11 kicked out"
    await user.wait_closed()
    assert (await asyncio.to_thread(cli, "--json", "online", 11)).one() == {"online": []}
    other = await rtm_enduser(13)
    res = await asyncio.to_thread(cli, "--json", "kickout", 13, "--client-endpoint",
                                  "127.0.0.1:1")
    assert res.ok().one() == {"ok": True}
    assert other.connected  # a different connection was named


# ------------------------------------------------------------------------------ files


def test_file_send_every_kind(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"file body\n" * 100)
    cli("group", "add", 5, 1).ok()
    cli("room", "add", 7, 1).ok()
    results = [
        cli("--json", "file", "send", "p2p", 1, 2, path),
        cli("--json", "file", "send", "multi", 1, "2,3", path),
        cli("--json", "file", "send", "group", 1, 5, path),
        cli("--json", "file", "send", "room", 1, 7, path),
        cli("--json", "file", "send", "broadcast", 1, path),
    ]
    for res in results:
        obj = res.ok().one()
        assert obj["name"] == "notes.txt" and obj["size"] == 1000 and obj["mtime"] > 0
    for args in (("p2p", 1, 2), ("p2p", 1, 3), ("group", 5), ("room", 7), ("broadcast",)):
        msgs = cli("--json", "history", *args).one()["messages"]
        assert msgs[-1]["mtype"] == 50, args
        assert '"notes"' in msgs[-1]["attrs"] or "notes" in msgs[-1]["attrs"]
    text = cli("file", "send", "p2p", 1, 2, path, "--mtype", 42).ok().out
    assert text.startswith("sent file notes.txt (1000 bytes) 1 -> 2")
    # current file attrs need a file mtype (40..50): 200007 otherwise (spec current §5.5)
    assert "200007" in cli("file", "send", "p2p", 1, 2, path, "--mtype", 51).err


def test_file_send_from_stdin_and_errors(cli: Cli, tmp_path: Path) -> None:
    obj = cli("--json", "file", "send", "p2p", 1, 2, "-", "--name", "in.txt",
              input="piped").ok().one()
    assert obj["name"] == "in.txt" and obj["size"] == 5
    missing = cli("file", "send", "p2p", 1, 2, tmp_path / "nope.bin")
    assert missing.code == 1 and missing.err.startswith("error: cannot read")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert cli("file", "send", "p2p", 1, 2, empty).code == 2
    path = tmp_path / "a.txt"
    path.write_text("a")
    res = cli("file", "send", "group", 1, 404, path)
    assert res.code == 1 and res.err.startswith("error: [2000")


# ------------------------------------------------------------------------------ listen


def test_listen_in_process_prints_pushes_then_exits(env: dict[str, str], cli: Cli) -> None:
    out, err = io.StringIO(), io.StringIO()
    codes: list[int] = []
    argv = ["--json", "listen", "--p2p", "--group", "5", "--count", "2"]
    thread = threading.Thread(
        target=lambda: codes.append(run(argv, stdout=out, stderr=err, env=env)))
    thread.start()
    deadline = time.monotonic() + 10
    while "listening" not in err.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "listening to all P2P messages, group 5 on" in err.getvalue()
    cli("group", "add", 5, 1).ok()
    cli("group", "add", 6, 1).ok()
    cli("send", "group", 1, 6, "not listened").ok()
    p2p = sent(cli("--json", "send", "p2p", 1, 2, "pushed"))
    cli("send", "group", 1, 5, "group push").ok()
    thread.join(10)
    assert codes == [0]
    assert "connection lost" not in err.getvalue()  # --count is a deliberate stop
    first, second = Result(0, out.getvalue(), "").json()
    assert first == {"type": "p2p", "from_uid": 1, "to_uid": 2, "mtype": 30,
                     "mid": p2p["mid"], "message": "pushed", "attrs": "",
                     "mtime": p2p["mtime"]}
    assert second["type"] == "group" and second["group_id"] == 5
    assert second["message"] == "group push"


@pytest.mark.parametrize("json_mode", [False, True])
async def test_listen_events(env: dict[str, str], rtm_enduser: Any, json_mode: bool) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["listen", "--event", "login,logout", "--count", "2"]
    if json_mode:
        argv.insert(0, "--json")
    task = asyncio.create_task(asyncio.to_thread(run, argv, stdout=out, stderr=err, env=env))
    for _ in range(1000):
        if "listening" in err.getvalue():
            break
        await asyncio.sleep(0.01)
    user = await rtm_enduser(21)
    await user.close()
    assert await asyncio.wait_for(task, 10) == 0
    if json_mode:
        login, logout = Result(0, out.getvalue(), "").json()
        assert (login["type"], login["event"], login["uid"]) == ("event", "login", 21)
        assert logout["event"] == "logout"
    else:
        lines = out.getvalue().splitlines()
        assert "event  login uid 21" in lines[0] and "logout" in lines[1]


def test_project_isolation(cli: Cli, rtm_project: RTMProject) -> None:
    # the fixture's project is fresh: nothing from other tests is visible
    assert cli("--json", "history", "broadcast").one()["num"] == 0
    assert rtm_project.pid > 0
