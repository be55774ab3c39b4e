"""The python blocks of docs/server.md and docs/testing.md run: plain blocks are executed,
blocks defining test_* functions are run as a pytest file against the plugin's fixtures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import wait_until
from rtm.testing import start_test_server

DOCS = Path(__file__).resolve().parents[2] / "docs"


def blocks(name: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(), re.S)


@pytest.mark.parametrize("source", blocks("server.md"))
def test_server_guide_block_runs(source: str) -> None:
    exec(compile(source, "docs/server.md", "exec"), {})


def test_testing_guide_examples_pass_as_a_test_file(tmp_path: Path) -> None:
    """A new project: the guide's pyproject.toml settings and its tests, run by pytest in a
    subprocess as the user would (no command-line options), without a warning."""
    test_blocks = [b for b in blocks("testing.md") if "def test_" in b]
    assert len(test_blocks) >= 3
    (config,) = re.findall(r"```toml\n(.*?)```", (DOCS / "testing.md").read_text(), re.S)
    (tmp_path / "pyproject.toml").write_text(config)
    (tmp_path / "test_from_docs.py").write_text("\n\n".join(test_blocks))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout.lower(), result.stdout
    tests = len(re.findall(r"^(?:async )?def test_", "\n\n".join(test_blocks), re.M))
    assert f"{tests} passed" in result.stdout, result.stdout


def test_readme_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from rtm.testing import start_test_server

    (source,) = re.findall(r"```python\n(.*?)```", (DOCS.parent / "README.md").read_text(), re.S)
    assert len(source.strip().splitlines()) <= 12
    server = start_test_server()  # serves the development project, like `rtm server`
    try:
        exec(compile(source.replace("127.0.0.1:13315", server.endpoint), "README.md", "exec"),
             {})
        printed: list[str] = []

        def monitor_printed() -> bool:  # it prints from its worker thread
            printed.append(capsys.readouterr().out)
            return "1001 -> 1002: hello" in "".join(printed)

        wait_until(monitor_printed, timeout=15, what="the monitor's line")
    finally:
        server.stop()
    out = "".join(printed)
    assert "1001 -> 1002: hello" in out
    assert "HistoryMessageUnit(" in out


@pytest.mark.parametrize("source", blocks("console.md"))
def test_console_guide_block_runs(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(source, "docs/console.md", "exec"), {})
    assert "console at http://127.0.0.1:" in capsys.readouterr().out


def test_console_guide_shows_the_default_ports() -> None:
    from rtm.server.config import CONSOLE_PORT_OFFSET, DEFAULT_HTTP_PORT, DEFAULT_PORT

    text = (DOCS / "console.md").read_text()
    (shown,) = re.findall(r"```\n\$ rtm server\n(.*?)```", text, re.S)
    assert f"console at http://127.0.0.1:{DEFAULT_PORT + CONSOLE_PORT_OFFSET}/" in shown
    assert f"http://127.0.0.1:{DEFAULT_HTTP_PORT}/file/" in shown
    assert "(13319; + 3 serves file downloads)" in text and DEFAULT_HTTP_PORT == 13318


def test_server_guide_says_cursor_ids_come_from_one_counter() -> None:
    """docs/server.md: cursor ids are not per conversation: one counter for the server."""
    from rtm import RTMServerClient
    from rtm.testing import new_project

    text = (DOCS / "server.md").read_text()
    assert "per conversation cursor ids" not in text
    assert "one counter for the whole server, every conversation and project" in text
    server = start_test_server()
    try:
        one, two = new_project(server), new_project(server)
        with RTMServerClient(one.pid, one.secret, one.endpoint) as a, \
                RTMServerClient(two.pid, two.secret, two.endpoint) as b:
            a.send_message(1, 2, 30, "first")
            b.send_message(1, 2, 30, "other project")
            a.add_group_members(5, [1])
            a.send_group_message(1, 5, 30, "other conversation")
            a.send_message(1, 2, 30, "second")
            ids = [m.id for m in a.get_p2p_message(1, 2, False, 10, 0, 0, 0).messages]
            other = b.get_p2p_message(1, 2, False, 10, 0, 0, 0).messages[0].id
    finally:
        server.stop()
    assert ids[0] < other < ids[1] and ids[1] - ids[0] == 3
