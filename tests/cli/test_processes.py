"""The ``rtm`` command as real processes: ``python -m rtm.cli``, the console script,
``rtm server``, ``rtm listen`` receiving a push sent by another process, signals, the wheel."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import types
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

import rtm
from rtm.server.config import DEV_PID

from .conftest import PYTHON, Cli, invoke

ROOT = Path(__file__).resolve().parents[2]


def rtm_cmd(*args: object) -> list[str]:
    return [PYTHON, "-m", "rtm.cli", *map(str, args)]


def run_rtm(env: dict[str, str], *args: object,
            timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(rtm_cmd(*args), env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def wait_for_line(stream: IO[str], pattern: str, timeout: float = 15) -> re.Match[str]:
    """Read lines until one matches (the stream is line-buffered text)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"{pattern!r} not seen; got {''.join(seen)!r}")


def test_python_m_rtm_cli(cli_env: dict[str, str]) -> None:
    res = run_rtm(cli_env, "--json", "send", "p2p", 1, 2, "from a subprocess")
    assert res.returncode == 0, res.stderr
    assert set(json.loads(res.stdout)) == {"mid", "mtime"}
    bad = run_rtm(cli_env, "send", "group", 1, 404, "x")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: [200041 NOT_GROUP_MEMBER]") and bad.stdout == ""
    assert run_rtm(cli_env, "send", "p2p").returncode == 2


def test_client_commands_do_not_load_the_local_server() -> None:
    """Every ``rtm`` run pays for its imports: the server (aiohttp, SQLite) only for
    ``rtm server``. It once doubled the start-up time of every command."""
    code = ("import sys, rtm.cli\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'sqlite3')\n"
            "             or m.startswith('rtm.server')))")
    res = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=30,
                         check=True)
    assert res.stdout.strip() == "[]", res.stdout


def test_console_script_version() -> None:
    script = Path(sys.executable).parent / "rtm"
    if not script.exists():
        pytest.skip("the rtm console script is not installed in this environment")
    res = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                         timeout=30, check=True)
    assert res.stdout.strip() == f"rtm {rtm.__version__}"


@pytest.fixture
def listener(cli_env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(rtm_cmd("--json", "listen", "--p2p", "--room", 7),
                            env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stderr is not None
        wait_for_line(proc.stderr, "listening to all P2P messages, room 7 on")
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_listen_receives_a_push_from_another_process(
    listener: subprocess.Popen[str], cli_env: dict[str, str], cli: Cli, sig: signal.Signals
) -> None:
    sent = json.loads(run_rtm(cli_env, "--json", "send", "p2p", 5, 6, "over the wire").stdout)
    cli("room", "add", 7, 5).ok()
    room = cli("--json", "send", "room", 5, 7, "room too").ok().one()
    assert listener.stdout is not None
    p2p_push = json.loads(listener.stdout.readline())
    room_push = json.loads(listener.stdout.readline())
    assert p2p_push == {"type": "p2p", "from_uid": 5, "to_uid": 6, "mtype": 30,
                        "mid": sent["mid"], "message": "over the wire", "attrs": "",
                        "mtime": sent["mtime"]}
    assert room_push["type"] == "room" and room_push["mid"] == room["mid"]
    listener.send_signal(sig)
    out, err = listener.communicate(timeout=10)
    assert listener.returncode == 0, err
    assert out == ""
    assert "connection lost" not in err  # a deliberate stop is not a lost connection


def test_rtm_server_and_default_project(tmp_path: Path) -> None:
    """``rtm server`` delegates to the local server; a client with only --endpoint talks to
    its development project (the `rtm server & rtm send p2p 1 2 hello` flow)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTM_")}
    env |= {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(rtm_cmd("server", "--port", 0, "--client-port", 0, "--file-port",
                                      0, "--db", ":memory:", "--log-level", "WARNING"),
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        endpoint = wait_for_line(server.stdout, r"server gate listening on (\S+)").group(1)
        res = run_rtm(env, "--endpoint", endpoint, "send", "p2p", 1, 2, "hello")
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith("sent 1 -> 2: mid ")
        conf = invoke(env | {"RTM_ENDPOINT": endpoint}, "--json", "config").one()
        assert conf["pid"] == DEV_PID and conf["sources"]["pid"] == "default"
        hist = invoke(env | {"RTM_ENDPOINT": endpoint}, "--json", "history", "p2p", 1, 2)
        assert hist.one()["messages"][0]["message"] == "hello"
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=15)
    assert server.returncode == 0, err
    assert "stopped" in out


def test_rtm_server_bad_option_is_a_usage_error() -> None:
    res = subprocess.run(rtm_cmd("server", "--port", "notaport"), capture_output=True,
                         text=True, timeout=30, check=False)
    assert res.returncode == 2 and "--port" in res.stderr


def test_rtm_demo_delegates(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake_main() -> int:
        calls.append("ran")
        return 0

    monkeypatch.setitem(sys.modules, "rtm.demo", types.SimpleNamespace(main=fake_main))
    assert invoke({}, "demo").code == 0
    assert calls == ["ran"]
    res = invoke({}, "demo", "extra")
    assert res.code == 2 and "takes no arguments" in res.err


def test_rtm_demo_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTM_")}
    res = subprocess.run(rtm_cmd("demo"), env=env, cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "every step succeeded" in res.stdout


def test_wheel_has_the_console_script_and_version(tmp_path: Path) -> None:
    """``pip install .`` builds a wheel with the ``rtm`` console script (built here; not
    installed, to keep the test fast and offline-friendly)."""
    res = subprocess.run([PYTHON, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w",
                          str(tmp_path)], capture_output=True, text=True, timeout=240,
                         check=False)
    if res.returncode != 0 and re.search(r"No matching distribution|Could not find a version|"
                                         r"Failed to establish", res.stderr):
        pytest.skip(f"cannot fetch the build backend: {res.stderr.strip()[:200]}")
    assert res.returncode == 0, res.stderr
    (wheel,) = tmp_path.glob("rtm_server_sdk-*.whl")
    assert wheel.name.startswith(f"rtm_server_sdk-{rtm.__version__}-")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {"rtm/cli.py", "rtm/_cli/parser.py", "rtm/_version.py", "rtm/py.typed"} <= names
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        text = zf.read(entry_points).decode()
    assert "[console_scripts]" in text and "rtm = rtm.cli:main" in text
    # install it into a private directory and run its console script
    target = tmp_path / "site"
    res = subprocess.run([PYTHON, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                          "--target", str(target), str(wheel)], capture_output=True,
                         text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    env = dict(os.environ, PYTHONPATH=str(target))
    script = target / "bin" / "rtm"
    out = subprocess.run([str(script), "--version"], env=env, capture_output=True, text=True,
                         timeout=30, check=True).stdout
    assert out.strip() == f"rtm {rtm.__version__}"
    where = subprocess.run([PYTHON, "-c", "import rtm.cli; print(rtm.cli.__file__)"], env=env,
                           capture_output=True, text=True, timeout=30, check=True).stdout
    assert where.strip().startswith(str(target))


def test_keygen_server_and_pem(tmp_path: Path) -> None:
    """``rtm keygen``, a server using the private key, ``rtm --pem`` with the public one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTM_")}
    res = subprocess.run(rtm_cmd("keygen"), cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=30, check=False)
    assert res.returncode == 0, res.stderr
    private, public = tmp_path / "server-private.pem", tmp_path / "server-public.pem"
    assert private.stat().st_mode & 0o777 == 0o600
    assert b"PUBLIC KEY" in public.read_bytes()
    again = subprocess.run(rtm_cmd("keygen"), cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=30, check=False)
    assert again.returncode == 1 and "--force" in again.stderr

    from rtm.server import ServerConfig, ServerThread

    config = ServerConfig(port=0, client_port=0, file_port=0, ecc_key=str(private))
    with ServerThread(config) as server:
        env = {"RTM_ENDPOINT": server.endpoint, "XDG_CONFIG_HOME": str(tmp_path)}
        res = invoke(env, "--pem", public, "--json", "send", "p2p", 1, 2, "encrypted hello")
        assert res.ok().one()["mtime"] > 0
        res = invoke(env | {"RTM_PEM": str(tmp_path / "missing.pem")}, "token", 1)
        assert res.code == 2 and "missing.pem" in res.err  # a settings error


def test_listen_reconnects_after_a_server_restart(tmp_path: Path) -> None:
    import socket

    from rtm import RTMServerClient
    from rtm.server import ServerConfig, ServerThread

    with socket.socket() as sock:  # a free port to restart the server on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    def start() -> ServerThread:
        return ServerThread(ServerConfig(port=port, client_port=0, file_port=0)).start()

    def send(server: ServerThread, text: str) -> None:
        with RTMServerClient(server.pid, server.secret, server.endpoint) as client:
            client.send_message(1, 2, 30, text)

    server = start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTM_")}
    env |= {"RTM_ENDPOINT": f"127.0.0.1:{port}", "PYTHONUNBUFFERED": "1",
            "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.Popen(rtm_cmd("--json", "listen", "--p2p", "--count", 2),
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None and proc.stdout is not None
        wait_for_line(proc.stderr, "listening")
        send(server, "before")
        assert json.loads(proc.stdout.readline())["message"] == "before"
        server.stop()
        wait_for_line(proc.stderr, "connection lost")
        server = start()
        wait_for_line(proc.stderr, "reconnected")
        send(server, "after")
        out, err = proc.communicate(timeout=10)
        assert json.loads(out)["message"] == "after"
        assert proc.returncode == 0
        assert "connection lost" not in err  # only the real drop was reported, not --count
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        server.stop()
