"""``rtm server`` and the console: flags, the URL printed next to the gates, and the hint
printed when aiohttp is missing (the server still starts)."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from rtm.server import ServerThread
from rtm.server.__main__ import build_parser, config_from_args

_ARGS = ["--port", "0", "--client-port", "0", "--file-port", "0", "--db", ":memory:"]


def _config(*argv: str) -> tuple[int | None, str]:
    config = config_from_args(build_parser().parse_args([*argv, "--db", ":memory:"]))
    return config.console_port, config.console_host


def test_console_flags() -> None:
    assert _config() == (13319, "127.0.0.1")  # the server-API port + 4
    assert _config("--port", "20000") == (20004, "127.0.0.1")
    assert _config("--port", "0") == (0, "127.0.0.1")
    assert _config("--console-port", "9000") == (9000, "127.0.0.1")
    assert _config("--no-console")[0] is None
    assert _config("--console-host", "0.0.0.0") == (13319, "0.0.0.0")


@contextmanager
def _server(*code: str, log_level: str = "WARNING") -> Iterator[list[str]]:
    """Run the server (after ``code``), yield its start-up lines (up to "database")."""
    args = [*_ARGS, "--log-level", log_level]
    script = "; ".join([*code, "from rtm.server.__main__ import main",
                        f"raise SystemExit(main({args!r}))"])
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line.rstrip())
            if "database" in line:
                break
        yield lines
    finally:
        proc.terminate()
        proc.wait(30)


def test_rtm_server_prints_the_console_url_next_to_the_gates() -> None:
    with _server() as lines:
        url = next(line.split("console at ", 1)[1] for line in lines if "console at" in line)
        assert url.startswith("http://127.0.0.1:") and "token" not in url
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode()
        assert "RTM local server" in page and "rtm-local-dev-secret" not in page


def test_without_aiohttp_the_server_starts_and_says_how_to_get_the_console() -> None:
    with _server("import sys", "sys.modules['aiohttp'] = None") as lines:
        assert any("server gate listening on" in line for line in lines)
        assert any("console not started: it needs aiohttp "
                   "(pip install 'rtm-server-sdk[server]')" in line for line in lines), lines
        # the file URLs name a real port, and the line says which install downloads them
        (files,) = [line for line in lines if "stored files" in line]
        assert "not downloadable" in files and "rtm-server-sdk[server]" in files
        assert ":0/" not in files and re.search(r"http://127\.0\.0\.1:[1-9]\d*/file/", files)


def test_console_property_of_server_thread() -> None:
    """``ServerThread(console_port=0)`` then ``server.console_url``, as console.md says."""
    with ServerThread(console_port=0) as server:
        assert server.console_url == server.server.console_url
        assert server.console_url is not None and server.console_url.startswith("http://")
        with urllib.request.urlopen(server.console_url, timeout=10) as response:
            assert "RTM local server" in response.read().decode()
        assert server.file_base_url == server.server.file_base_url
    with ServerThread() as server:
        assert server.console_url is None  # off unless asked for


def test_rtm_server_prints_each_address_once() -> None:
    with _server(log_level="INFO") as lines:
        pass
    assert sum("server gate listening on" in line for line in lines) == 1, lines
    assert not any("RTM server listening" in line or "RTM server console" in line
                   for line in lines), lines

