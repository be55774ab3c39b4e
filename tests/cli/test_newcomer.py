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

from helpers import wait_until
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
