"""docs/client.md matches the code: every end-user method is documented there or in an
area's ``docs/client-*.md`` page (methods added later too), and every client command with the
method that sends it; its python blocks run against a local server, its commands parse."""

from __future__ import annotations

import inspect
import re
import shlex
import sys
from pathlib import Path

import pytest

from rtm.api.call import Method
from rtm.cli import build_parser
from rtm.enduser import EndUserClient
from rtm.enduser.commands import COMMANDS
from rtm.enduser.commands.files import FILE_GATE_COMMANDS
from rtm.enduser.methods import EndUserMethods
from rtm.testing import start_test_server

DOCS = Path(__file__).resolve().parents[2] / "docs"
TEXT = (DOCS / "client.md").read_text()


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", TEXT, re.S)


def test_every_end_user_method_is_documented() -> None:
    methods = [name for name in dir(EndUserMethods)
               if isinstance(getattr(EndUserMethods, name), Method)]
    assert len(methods) >= 8
    pages = "\n".join(path.read_text() for path in sorted(DOCS.glob("client*.md")))
    missing = [name for name in methods if not re.search(rf"\b{name}\b", pages)]
    assert not missing, f"no docs/client*.md page documents these end-user methods: {missing}"


def test_python_blocks_run_against_a_local_server() -> None:
    blocks = _blocks("python")
    assert len(blocks) >= 2
    server = start_test_server()  # serves the development project of the examples
    try:
        for source in blocks:
            source = source.replace("127.0.0.1:13315", server.endpoint)
            source = source.replace("127.0.0.1:13316", server.client_endpoint)
            exec(compile(source, "docs/client.md", "exec"), {"__name__": "__main__"})
    finally:
        server.stop()


@pytest.mark.parametrize("line", [line for block in _blocks("text")
                                  for line in block.splitlines() if line.startswith("rtm ")])
def test_commands_parse(line: str) -> None:
    args = build_parser().parse_args(shlex.split(line)[1:])
    assert args.handler is not None


# ------------------------------------------------------------------------------ commands

PAGES = sorted(DOCS.glob("client*.md"))
#: Every wire command an end user sends: the client gate's and the file gate's.
WIRE = sorted({*COMMANDS, *FILE_GATE_COMMANDS})


def _table_rows() -> list[str]:
    return [line for path in PAGES for line in path.read_text().splitlines()
            if line.startswith("|")]


def _rows_of(wire: str, rows: list[str]) -> list[str]:
    """The rows that name ``wire`` and an end-user client call (``name(``) that sends it."""
    return [row for row in rows if re.search(rf"`{wire}[` ]", row) and any(
        hasattr(EndUserClient, call) for call in re.findall(r"`(?:await )?(\w+)\(", row))]


def _wires_used(name: str) -> set[str]:
    """The wire commands the end-user method ``name`` sends (the descriptions its builder
    refers to as ``cmd.X``)."""
    build = getattr(EndUserMethods, name).__wrapped__
    area = vars(sys.modules[build.__module__])["cmd"]  # its rtm.enduser.commands module
    used = set()
    for name, key in re.findall(r"\bcmd\.([A-Z_0-9]+)(?:\[\"(\w+)\"\])?",
                                inspect.getsource(build)):
        value = getattr(area, name)
        used.add((value[key] if key else value).method)
    return used


def test_every_client_command_is_documented_with_its_method() -> None:
    """Each wire command has a row in a docs/client*.md table (commands added later too)
    with the end-user client call that sends it, and a method's commands have rows naming
    that method."""
    rows = _table_rows()
    missing = [wire for wire in WIRE if not _rows_of(wire, rows)]
    assert not missing, f"no docs/client*.md table row lists these client commands: {missing}"
    methods = [name for name in dir(EndUserMethods)
               if isinstance(getattr(EndUserMethods, name), Method)]
    used: set[str] = set()
    for name in methods:
        wires = _wires_used(name)
        assert wires, f"{name}: found no cmd.X in its builder"
        used |= wires
        for wire in wires:
            assert any(re.search(rf"`{name}[(`]", row) for row in _rows_of(wire, rows)), (
                f"no docs/client*.md row of {wire} names {name}")
    assert len(used) >= 120  # the methods cover the commands but a few (auth, ping, which…)
