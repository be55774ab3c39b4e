"""Every code block of the docs owned here is tested (or is verbatim from a tested example).

Conventions, per fenced block:

* ``<!-- from examples/NAME.py -->`` on the line before the fence: the block must appear
  verbatim in that example (the examples run in ``test_examples.py``).
* ``<!-- covered-by: tests/PATH.py::test_name -->``: the block is exercised by that test
  (it must exist), e.g. ``rtm server`` or ``pip install .``.
* ```` ```python ````: run as a script against a local server; the literal endpoint
  ``127.0.0.1:13315`` is replaced by the test server's (which serves the development project).
* ```` ```sh ````: run in order, in one temp directory, against that server (``RTM_ENDPOINT``
  only, so the development-project defaults are used). Blocks made of plain ``rtm ...`` lines
  run in-process, line by line; a trailing ``# exit N`` expects that exit code, a trailing
  ``&`` runs the line in the background (joined at the end of the block). Blocks using shell
  syntax (pipes, redirections, ``$(...)``) run as one ``bash -euo pipefail`` script with
  ``rtm`` on PATH; one that starts a background job (``... &``) must end with ``wait``.
* ```` ```ini ````: a config file; it must load with :func:`rtm._cli.config.resolve_settings`.
* ```` ```text ````: a command synopsis; every ``rtm ...`` command must exist and every
  ``snake_case`` name must be an SDK method (of the server client or the end-user client).

Anything else fails the test.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rtm import RTMServerClient, RTMServerMonitor
from rtm._cli.config import resolve_settings
from rtm.cli import build_parser, run
from rtm.enduser import EndUserClient
from rtm.server import ServerConfig, ServerThread

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["docs/quickstart.md", "docs/cli.md", "docs/migrating-from-go.md"]
DEFAULT_ENDPOINT = "127.0.0.1:13315"

_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"^<!--\s*(from|covered-by):?\s+(\S+)\s*-->$")
_EXIT = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")
_SHELL_SYNTAX = re.compile(r"[|<>;`]|\$\(|\$\w|&&|^\w+=\S*\s+(?!rtm\b)")


@dataclass
class Block:
    doc: str
    line: int
    lang: str
    text: str
    marker: tuple[str, str] | None

    def where(self) -> str:
        return f"{self.doc}:{self.line}"


def parse_blocks(doc: str) -> list[Block]:
    lines = (ROOT / doc).read_text().splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start = i
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        assert j < len(lines), f"{doc}:{start + 1}: unclosed code block"
        prev = next((lines[k].strip() for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        marker = _MARKER.match(prev)
        blocks.append(Block(doc, start + 1, match.group(1), "\n".join(lines[start + 1:j]),
                            (marker.group(1), marker.group(2)) if marker else None))
        i = j + 1
    return blocks


# ------------------------------------------------------------------------------ runners


class DocRunner:
    def __init__(self, server: ServerThread, workdir: Path) -> None:
        self.server = server
        self.workdir = workdir
        self.env = {"RTM_ENDPOINT": server.endpoint,
                    "RTM_CLIENT_ENDPOINT": server.client_endpoint, "HOME": str(workdir),
                    "XDG_CONFIG_HOME": str(workdir / ".config")}
        self.bindir = workdir / ".bin"
        self.bindir.mkdir()
        wrapper = self.bindir / "rtm"
        wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m rtm.cli "$@"\n')
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        self.skipped: list[str] = []

    def process_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RTM_")}
        env |= self.env
        env["PATH"] = f"{self.bindir}{os.pathsep}{env.get('PATH', '')}"
        return env

    def block(self, block: Block) -> None:
        if block.marker is not None:
            kind, arg = block.marker
            if kind == "from":
                source = (ROOT / arg).read_text()
                assert block.text.strip("\n") in source, (
                    f"{block.where()}: block is not verbatim in {arg}")
            else:
                path, _, name = arg.partition("::")
                assert re.search(rf"^(async )?def {re.escape(name)}\(",
                                 (ROOT / path).read_text(), re.M), (
                    f"{block.where()}: {arg} does not exist")
            return
        handler = {"python": self.python, "sh": self.sh, "ini": self.ini,
                   "text": self.synopsis}.get(block.lang)
        assert handler is not None, (
            f"{block.where()}: untested ```{block.lang} block (see tests/examples/test_docs.py)")
        handler(block)

    def python(self, block: Block) -> None:
        script = self.workdir / f"block_{block.line}.py"
        script.write_text(block.text.replace(DEFAULT_ENDPOINT, self.server.endpoint))
        res = subprocess.run([sys.executable, str(script)], env=self.process_env(),
                             cwd=self.workdir, capture_output=True, text=True, timeout=60,
                             check=False)
        assert res.returncode == 0, f"{block.where()}:\n{res.stdout}\n{res.stderr}"

    def ini(self, block: Block) -> None:
        path = self.workdir / f"config_{block.line}.ini"
        path.write_text(block.text + "\n")
        settings = resolve_settings({}, {"RTM_CONFIG": str(path)})
        assert settings.config_found and settings.sources["endpoint"] != "default"

    def synopsis(self, block: Block) -> None:
        parser = build_parser()
        for line in block.text.splitlines():
            words = line.split()
            if words and words[0] == "rtm":
                path = []
                for word in words[1:]:
                    if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                        break
                    path.append(word)
                assert path and _has_command(parser, path), f"{block.where()}: {line!r}"
            for name in re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", line):
                assert hasattr(RTMServerClient, name) or hasattr(EndUserClient, name), (
                    f"{block.where()}: no method {name}")

    def sh(self, block: Block) -> None:
        lines = [ln for ln in block.text.splitlines() if ln.strip() and not ln.startswith("#")]
        if any(_SHELL_SYNTAX.search(_EXIT.sub("", ln).rstrip(" &")) for ln in lines):
            self.bash(block, lines)
            return
        background: list[tuple[str, threading.Thread, list[int], io.StringIO]] = []
        for line in lines:
            expected = 0
            exit_marker = _EXIT.search(line)
            if exit_marker:
                expected = int(exit_marker.group(1))
                line = line[: exit_marker.start()]
            line = line.strip()
            in_background = line.endswith("&")
            words = shlex.split(line.rstrip("&"))
            env = dict(self.env)
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                key, _, value = words.pop(0).partition("=")
                env[key] = value
            assert words and words[0] == "rtm", f"{block.where()}: not an rtm command: {line}"
            assert words[1:2] not in (["server"], ["demo"]), (
                f"{block.where()}: mark '{line}' with a covered-by comment")
            if in_background:
                out, err = io.StringIO(), io.StringIO()
                codes: list[int] = []
                thread = threading.Thread(target=lambda w=words, e=env, o=out, r=err, c=codes:
                                          c.append(run(w[1:], stdout=o, stderr=r, env=e)))
                thread.start()
                deadline = time.monotonic() + 10
                while not err.getvalue() and thread.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.01)
                background.append((line, thread, codes, out))
                continue
            out, err = io.StringIO(), io.StringIO()
            code = run(words[1:], stdout=out, stderr=err, stdin=io.StringIO(""), env=env)
            assert code == expected, (
                f"{block.where()}: '{line}' exited {code}, expected {expected}\n"
                f"{out.getvalue()}{err.getvalue()}")
            if code == 0 and "--json" in words:
                for text in out.getvalue().splitlines():
                    json.loads(text)
        for line, thread, codes, out in background:
            thread.join(15)
            assert not thread.is_alive(), f"{block.where()}: '{line}' did not finish"
            assert codes == [0], f"{block.where()}: '{line}' exited {codes}"
            assert out.getvalue().strip(), f"{block.where()}: '{line}' printed nothing"

    def bash(self, block: Block, lines: list[str]) -> subprocess.CompletedProcess[str] | None:
        assert not any(_EXIT.search(ln) for ln in lines), (
            f"{block.where()}: '# exit' needs a block without shell syntax")
        if any(ln.rstrip().endswith("&") for ln in lines):
            assert lines[-1].strip() == "wait", (
                f"{block.where()}: a block with a background job ends with 'wait'")
        if "jq" in block.text and shutil.which("jq") is None:
            self.skipped.append(f"{block.where()} (jq not installed)")
            return None
        res = subprocess.run(["bash", "-euo", "pipefail", "-c", block.text],
                             env=self.process_env(), cwd=self.workdir, capture_output=True,
                             text=True, timeout=120, check=False)
        assert res.returncode == 0, f"{block.where()}:\n{res.stdout}\n{res.stderr}"
        return res


def _has_command(parser: object, path: list[str]) -> bool:
    import argparse

    current = parser
    for name in path:
        assert isinstance(current, argparse.ArgumentParser)
        choices = {}
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                choices = action.choices
        if name not in choices:
            return False
        current = choices[name]
    return True


# ------------------------------------------------------------------------------ tests


@pytest.fixture
def doc_server() -> Iterator[ServerThread]:
    """A fresh local server serving only the development project, per document."""
    with ServerThread(ServerConfig(port=0, client_port=0, file_port=0, db=":memory:")) as srv:
        yield srv


@pytest.mark.parametrize("doc", DOCS)
def test_doc_code_blocks(doc: str, doc_server: ServerThread, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = parse_blocks(doc)
    assert blocks, f"{doc} has no code blocks"
    monkeypatch.chdir(tmp_path)
    runner = DocRunner(doc_server, tmp_path)
    for block in blocks:
        runner.block(block)
    if runner.skipped:
        pytest.skip("not run: " + ", ".join(runner.skipped))


def test_migration_tables_match_the_sdk() -> None:
    """``name(arg, ...)`` in the migration guide: the method exists with those parameters."""
    text = (ROOT / "docs/migrating-from-go.md").read_text()
    checked = 0
    for match in re.finditer(r"`([a-z_0-9]+)\(([^`]*)\)`", text):
        name, args = match.groups()
        owner = RTMServerClient if hasattr(RTMServerClient, name) else RTMServerMonitor
        if not hasattr(owner, name):
            continue  # prose such as fn(...)
        params = [p for p in inspect.signature(getattr(owner, name)).parameters if p != "self"]
        for arg in args.split(","):
            arg = arg.strip().split("=")[0].strip()
            if arg in ("", "*", "...", "self") or "." in arg:
                continue
            assert arg in params, f"{name}(): no parameter {arg!r} (has {params})"
        checked += 1
    assert checked >= 50


def test_every_sdk_method_is_in_the_migration_guide_and_the_cli_docs() -> None:
    guide = (ROOT / "docs/migrating-from-go.md").read_text()
    cli = (ROOT / "docs/cli.md").read_text()
    methods = [n for n in dir(RTMServerClient)
               if not n.startswith("_") and callable(getattr(RTMServerClient, n))
               and n not in ("close", "connect", "send_boradcast_message")]
    api = [n for n in methods if not n.startswith(("set_", "enable_")) or n == "set_listen"]
    for name in methods:
        assert f"`{name}(" in guide, f"{name} missing from migrating-from-go.md"
    for name in api:
        if name != "remove_listen":  # a listener stops by exiting
            assert name in cli, f"{name} missing from cli.md"


def _listen_blocks() -> list[Block]:
    return [b for doc in ("docs/quickstart.md", "docs/cli.md") for b in parse_blocks(doc)
            if b.lang == "sh" and re.search(r"^rtm .*listen .*&$", b.text, re.M)]


def test_the_listen_examples_never_miss_a_message(tmp_path: Path) -> None:
    """The documented listen examples, run as written, back to back, 20 times in all on one
    server: every message sent after the listener's ready signal is printed (a listener that
    missed one would wait for it until the timeout)."""
    blocks = _listen_blocks()
    assert len(blocks) == 3, [b.where() for b in blocks]
    with ServerThread(ServerConfig(port=0, client_port=0, file_port=0, db=":memory:")) as srv:
        runner = DocRunner(srv, tmp_path)
        with RTMServerClient.from_settings(resolve_settings(
                {"endpoint": srv.endpoint}, {})) as client:
            client.add_group_members(5, [1])  # what cli.md did before its listen examples
            client.add_room_member(7, 1)
        for run_no in range(20):
            block = blocks[run_no % len(blocks)]
            lines = [ln for ln in block.text.splitlines() if ln.strip()]
            res = runner.bash(block, lines)
            assert res is not None
            for sent in re.findall(r'^rtm send .*"([^"]+)"$', block.text, re.M):
                assert sent in res.stdout, f"run {run_no}, {block.where()}: {res.stdout!r}"
            assert not (tmp_path / "listening").exists()  # the listener removed it
