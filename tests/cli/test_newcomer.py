"""What a newcomer trips over on the command line: `rtm --help` listings that follow the
commands, a listener that says when it is ready, ids that survive a JSON double, a delete of
nothing that says so."""

from __future__ import annotations

import argparse
import io
import json
import re
import threading
from pathlib import Path
from typing import Any

from helpers import wait_until
from rtm import MessageType
from rtm.cli import build_parser, run

from .conftest import Cli, invoke


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: action.choices[a.dest] for a in action._choices_actions}
    return {}


def test_top_level_help_lists_every_subcommand_of_each_group(tmp_path: Path) -> None:
    res = invoke({"HOME": str(tmp_path)}, "--help")
    assert res.code == 0
    # argparse wraps the help column: join each command's lines into one
    listing = re.sub(r"\n {20,}", " ", res.out.split("commands:", 1)[1])
    lines = {m.group(1): m.group(2) for m in re.finditer(r"^    (\S+)\s+(.*)$", listing, re.M)}
    groups = 0
    for name, parser in _subcommands(build_parser()).items():
        children = list(_subcommands(parser))
        if not children:
            continue
        groups += 1
        summary = lines[name].replace("- ", "-")  # a hyphenated name wrapped at its hyphen
        assert summary.endswith(f"({', '.join(children)})"), (name, summary, children)
    assert groups >= 15
    assert "(delete, get, edit, clean, count, clear, clear-user)" in lines["message"]
    assert "option" in lines["device"]


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def test_listen_ready_file_appears_once_listening_and_goes_on_exit(
        env: dict[str, str], cli: Cli, tmp_path: Path) -> None:
    ready = tmp_path / "listening"
    ready.write_text("left by an earlier listener")
    out, err = io.StringIO(), io.StringIO()
    codes: list[int] = []
    argv = ["--json", "listen", "--p2p", "--count", "1", "--ready-file", str(ready)]
    thread = threading.Thread(
        target=lambda: codes.append(run(argv, stdout=out, stderr=err, env=env)))
    thread.start()
    try:
        # the stale file goes first, then a fresh one once the server confirmed the listen
        wait_until(lambda: _text(ready).startswith("listening to all P2P messages on "), 30,
                   "the ready file of this listener")
        assert "listening to all P2P messages" in err.getvalue()
        cli("send", "p2p", 1, 2, "after ready").ok()
        thread.join(30)
    finally:
        if thread.is_alive():
            cli("send", "p2p", 1, 2, "unblock").ok()
            thread.join(30)
    assert codes == [0], err.getvalue()
    assert json.loads(out.getvalue())["message"] == "after ready"
    assert not ready.exists()


def test_listen_ready_file_that_cannot_be_written_is_an_error(
        env: dict[str, str], tmp_path: Path) -> None:
    res = invoke(env, "listen", "--p2p", "--ready-file", str(tmp_path / "no" / "dir" / "f"))
    assert res.code == 1
    assert "--ready-file" in res.err and "cannot write it" in res.err


# ------------------------------------------------------------------- ids in JSON output


def _as_double(text: str) -> Any:
    """Parse like jq 1.6 or JavaScript: every number is a double."""
    return json.loads(text, parse_int=float)


def _jq_r(value: Any) -> str:
    """What ``jq -r`` prints for a parsed value (jq 1.6 prints a large double in full)."""
    if isinstance(value, str):
        return value
    return str(int(value)) if value == int(value) else repr(value)


def test_ids_survive_a_reader_that_parses_numbers_as_doubles(cli: Cli, rtm_client: Any) -> None:
    for _ in range(3):  # generated mids are 63-bit: each almost surely above 2^53
        mid = _jq_r(_as_double(cli("--json", "send", "p2p", 1, 2, "recall me").ok().out)["mid"])
        assert rtm_client.get_message(int(mid), 1, 2, MessageType.P2P).message == "recall me"
        # the documented recall, with the mid as such a reader hands it over
        assert "deleted" in cli("message", "delete", "p2p", 1, 2, mid).ok().out
    big = cli("--json", "send", "p2p", 1, 2, "explicit", "--mid", 2**62 + 1).ok().one()
    assert big["mid"] == str(2**62 + 1)
    small = cli("--json", "send", "p2p", 1, 2, "explicit", "--mid", 2**53 - 1).ok().one()
    assert small["mid"] == 2**53 - 1  # a safe integer stays a number
    for line in cli("--json", "history", "p2p", 1, 2, "--all").ok().out.splitlines():
        exact = json.loads(line)
        assert _as_double(line)["mid"] == exact["mid"] or isinstance(exact["mid"], str)
        assert int(_jq_r(_as_double(line)["mid"])) == int(exact["mid"])
    assert rtm_client.get_message(2**62 + 1, 1, 2, MessageType.P2P).message == "explicit"


def test_deleting_a_message_that_is_not_there_says_so(cli: Cli, rtm_client: Any) -> None:
    mtime = rtm_client.send_message(1, 2, 30, "kept", mid=7535420947247171969)
    rounded = str(int(float(7535420947247171969)))  # what jq 1.6 made of it
    res = cli("message", "delete", "p2p", 1, 2, rounded)
    assert res.code == 1 and res.out == ""
    assert f"no message {rounded} from 1 in 1 -> 2" in res.err and "nothing deleted" in res.err
    assert not rtm_client.get_p2p_message(1, 2, True, 1, 0, 0, 0).messages[0].deleted
    cli("message", "delete", "p2p", 1, 2, 7535420947247171969).ok()
    again = cli("message", "delete", "p2p", 1, 2, 7535420947247171969)
    assert again.code == 1 and "already deleted" in again.err
    assert rtm_client.get_p2p_message(1, 2, True, 1, 0, 0, 0).messages[0].deleted
    assert mtime > 0
    gone = cli("message", "delete", "broadcast", 1, 99)
    assert gone.code == 1 and "no message 99 from 1 in broadcast" in gone.err


def test_pem_against_a_plain_server_names_the_cause(env: dict[str, str],
                                                     tmp_path: Path) -> None:
    from rtm.fpnn.crypto import generate_private_key
    from rtm.fpnn.session import NO_KEY_MESSAGE

    pem = tmp_path / "server-public.pem"
    pem.write_bytes(generate_private_key("secp256k1").public_pem())
    res = invoke(env, "--pem", pem, "token", 1)
    assert res.code == 1 and res.out == ""
    (line,) = res.err.splitlines()
    assert NO_KEY_MESSAGE in line  # the server's answer, passed on by the SDK
    assert "the server does not encrypt: connect without --pem" in line
    assert "does not match" not in line


def test_a_wrong_port_gets_one_hint_not_two(env: dict[str, str], rtm_server: Any) -> None:
    from rtm.api.wrong_port import NOT_SERVER_API

    res = invoke(env | {"RTM_ENDPOINT": rtm_server.client_endpoint}, "token", 1)
    assert res.code == 1
    assert "Unknow method:gettoken" in res.err and "looks like the client gate" in res.err
    assert NOT_SERVER_API not in res.err  # the SDK's general hint gave way to the CLI's
