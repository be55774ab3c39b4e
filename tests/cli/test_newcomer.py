"""What a newcomer trips over on the command line: `rtm --help` listings that follow the
commands, a listener that says when it is ready, ids that survive a JSON double, a delete of
nothing that says so."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from rtm.cli import build_parser

from .conftest import invoke


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
