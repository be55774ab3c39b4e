"""``rtm user|data|block``, the new ``rtm group``/``rtm room``/``rtm ban`` leaves and
``rtm device option`` against the local test server (a fresh project per test)."""

from __future__ import annotations

from .conftest import Cli
from .test_help import ALL_PATHS

NEW_COMMANDS = {
    "user info", "user set-info", "user public-info", "user remove-token",
    "user add-sessions", "user remove-sessions", "data get", "data set", "data del",
    "block add", "block del", "block list", "block check", "group count", "group info",
    "group set-info", "group clear-project", "room members", "room count", "room info",
    "room set-info", "room join", "room leave", "ban all-groups", "ban all-rooms",
    "device option add", "device option remove", "device option list",
}


def test_the_new_commands_are_in_the_tree() -> None:
    names = {" ".join(p) for p in ALL_PATHS}
    assert names >= NEW_COMMANDS, NEW_COMMANDS - names


def test_user_infos_tokens_sessions_and_data(cli: Cli) -> None:
    assert cli("--json", "user", "info", 1).one() == {
        "uid": 1, "public_info": "", "private_info": ""}
    assert "public info set" in cli("user", "set-info", 1, "--public", "Alice").ok().out
    cli("user", "set-info", 1, "--private", "-", input="vip\n").ok()
    out = cli("user", "info", 1).ok().out
    assert "user 1 public:  Alice" in out and "user 1 private: vip" in out
    res = cli("user", "public-info", 1, "2").ok()
    assert res.out.strip() == "1: Alice" and "no info stored for 2" in res.err
    assert cli("--json", "user", "public-info", "1,2").json() == [
        {"uid": 1, "public_info": "Alice"}]
    res = cli("user", "set-info", 1)
    assert res.code == 2 and "--public and/or --private" in res.err
    token = cli("token", 1).ok().out.strip()
    assert token
    assert cli("--json", "user", "remove-token", 1).one() == {"ok": True}
    cli("user", "add-sessions", 1, "2,3").ok()
    assert "removed 1 session" in cli("user", "remove-sessions", 1, 3).ok().out

    assert cli("--json", "data", "get", 1, "theme").one() == {
        "uid": 1, "key": "theme", "value": None}
    assert "no value stored" in cli("data", "get", 1, "theme").ok().err
    cli("data", "set", 1, "theme", "dark").ok()
    cli("data", "set", 1, "prefs", "-", input='{"a": 1}\n').ok()
    assert cli("data", "get", 1, "theme").ok().out == "dark\n"
    assert cli("--json", "data", "get", 1, "prefs").one()["value"] == '{"a": 1}'
    cli("data", "del", 1, "theme").ok()
    assert cli("--json", "data", "get", 1, "theme").one()["value"] is None
    res = cli("data", "set", 1, "k" * 129, "v")
    assert res.code == 1 and "[200030 " in res.err


def test_blocks_groups_rooms_bans_and_push_options(cli: Cli) -> None:
    cli("block", "add", 1, "2,3").ok()
    assert cli("block", "list", 1).ok().out.split() == ["2", "3"]
    assert cli("--json", "block", "check", 2, 1).one() == {"uid": 2, "peer": 1,
                                                          "blocked": True}
    checks = cli("--json", "block", "check", 1, 2, 3).ok().json()
    assert [c["blocked"] for c in checks] == [False, False]
    cli("block", "del", 1, 2, 3).ok()
    assert "has blocked nobody" in cli("block", "list", 1).ok().err

    cli("group", "add", 5, 1, 2).ok()
    assert cli("group", "count", 5).ok().out.strip() == "2"
    cli("group", "set-info", 5, "--public", "Book club", "--private", "").ok()
    assert cli("--json", "group", "info", 5).one() == {
        "group_id": 5, "public_info": "Book club", "private_info": ""}
    res = cli("group", "clear-project")
    assert res.code == 2 and "--yes" in res.err
    cli("group", "clear-project", "--yes").ok()
    assert cli("--json", "group", "count", 5).one()["count"] == 0

    cli("room", "join", 1, "7,8").ok()
    cli("room", "add", 7, 2).ok()
    assert cli("room", "members", 7).ok().out.split() == ["1", "2"]
    assert cli("--json", "room", "count", "7,8", 9).json() == [
        {"room_id": 7, "count": 2}, {"room_id": 8, "count": 1}, {"room_id": 9, "count": 0}]
    cli("room", "leave", 1, 8).ok()
    assert cli("room", "count", 8).ok().out.strip() == "8: 0"
    cli("room", "set-info", 7, "--public", "lobby").ok()
    assert "room 7 public:  lobby" in cli("room", "info", 7).ok().out

    assert "every room permanently" in cli("ban", "all-rooms", 2).ok().out
    res = cli("send", "room", 2, 7, "muted")
    assert res.code == 1 and "[200045 " in res.err
    cli("ban", "all-rooms", 2, "--remove").ok()
    cli("send", "room", 2, 7, "free").ok()
    cli("group", "add", 6, 1).ok()
    cli("ban", "all-groups", 1, "-s", 600).ok()
    assert cli("--json", "ban", "group", 6, 1, "--check").one()["banned"] is True
    cli("ban", "all-groups", 1, "--remove").ok()

    assert "muted in the project" in cli("ban", "project", 1, "--mute").ok().out
    assert cli("--json", "ban", "project", 1, "--mute", "--check").one() == {
        "uid": 1, "muted": True}
    assert cli("--json", "ban", "project", 1, "--check").one() == {"uid": 1, "banned": False}
    res = cli("send", "p2p", 1, 2, "muted")
    assert res.code == 1 and "[200021 " in res.err
    cli("ban", "project", 1, "--mute", "--remove").ok()
    cli("send", "p2p", 1, 2, "free").ok()

    cli("device", "option", "add", 1, "p2p", 2, "--mtypes", "30,32").ok()
    cli("device", "option", "add", 1, "group", 5).ok()
    assert cli("--json", "device", "option", "list", 1).one() == {
        "uid": 1, "p2p": {"2": [30, 32]}, "group": {"5": []}}
    table = cli("device", "option", "list", 1).ok().out
    assert "group  5   all" in table and "p2p    2   30,32" in table
    cli("device", "option", "remove", 1, "group", 5).ok()
    cli("device", "option", "remove", 1, "p2p", 2, "--mtypes", "30,32").ok()
    assert "no push options" in cli("device", "option", "list", 1).ok().err
    res = cli("device", "option", "add", 1, "room", 5)
    assert res.code == 2 and "p2p or group" in res.err
