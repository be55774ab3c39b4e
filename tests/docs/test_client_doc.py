"""docs/client.md matches the code: every end-user method is documented there or in an
area's ``docs/client-*.md`` page (methods added later too), its python blocks run against a
local server, its commands parse."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from rtm.api.call import Method
from rtm.cli import build_parser
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
