"""``--help`` on every level, ``--version``, usage errors (exit 2) — no server needed."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

import rtm
from rtm.cli import build_parser

from .conftest import invoke


def _children(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_paths(parser: argparse.ArgumentParser | None = None,
                  prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    parser = parser or build_parser()
    yield prefix
    for name, child in _children(parser).items():
        yield from command_paths(child, (*prefix, name))


ALL_PATHS = list(command_paths())


def _walk(path: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        parser = _children(parser)[name]
    return parser


def test_the_command_tree_covers_every_area() -> None:
    names = {" ".join(p) for p in ALL_PATHS}
    expected = {
        "send p2p", "send multi", "send group", "send room", "send broadcast",
        "history p2p", "history group", "history room", "history broadcast",
        "friends add", "friends del", "friends list", "friends check",
        "group add", "group del", "group members", "group check", "group of-user",
        "group delete", "room add", "room del", "ban group", "ban room", "ban project",
        "message delete p2p", "message delete group", "message delete room",
        "message delete broadcast", "kickout", "token", "online", "device add",
        "device remove", "keygen", "file send p2p", "file send multi", "file send group",
        "file send room", "file send broadcast", "listen", "config", "server", "demo",
    }
    assert expected <= names, expected - names


@pytest.mark.parametrize("path", ALL_PATHS, ids=lambda p: " ".join(p) or "rtm")
def test_help_on_every_level_has_an_example(path: tuple[str, ...], tmp_path: Path) -> None:
    res = invoke({"HOME": str(tmp_path)}, *path, "--help")
    assert res.code == 0, res.err
    assert res.out.startswith(f"usage: {' '.join(('rtm', *path))}")
    assert "example" in res.out
    assert f"rtm {' '.join(path)}".strip() in res.out.split("example")[-1]


def test_version() -> None:
    res = invoke({}, "--version")
    assert res.code == 0
    assert res.out.strip() == f"rtm {rtm.__version__}"
    assert rtm.__version__.count(".") >= 2


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["send"],
        ["send", "p2p", "1", "2"],
        ["send", "p2p", "x", "2", "hi"],
        ["send", "p2p", "1", "2", "hi", "--mtype", "0"],
        ["history", "group", "5", "--num", "21"],
        ["history", "group", "5", "--begin", "last tuesday"],
        ["ban", "group", "5", "1", "--remove", "--check"],
        ["frobnicate"],
        ["--timeout", "0", "token", "1"],
    ],
    ids=lambda a: " ".join(a) or "no-args",
)
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path) -> None:
    res = invoke({"HOME": str(tmp_path)}, *argv)
    assert res.code == 2
    assert res.out == ""
    assert "error:" in res.err


def test_global_options_work_before_and_after_the_command(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    before = invoke(env, "--json", "--endpoint", "h:1", "config").one()
    after = invoke(env, "config", "--json", "--endpoint", "h:1").one()
    assert before == after
    assert before["endpoint"] == "h:1"
    # an option given only before the command is not reset by the leaf parser
    assert invoke(env, "--endpoint", "h:2", "config", "--json").one()["endpoint"] == "h:2"
