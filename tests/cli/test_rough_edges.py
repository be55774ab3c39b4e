"""Issue 14, command-line side: binary messages, hints for the wrong gate or key, what
``friends add`` really did, app types, files from stdin, ``-v``/``-vv``/``-vvv``,
``python -m rtm`` and ``rtm server --log-level DEBUG``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from rtm import RTMServerClient
from rtm._cli.hints import describe_error
from rtm.api.errors import error_from_answer
from rtm.fpnn.crypto import generate_private_key
from rtm.server import ServerThread
from rtm.settings import DEV_PID, DEV_SECRET, resolve_settings
from rtm.testing import RTMProject, new_project, start_test_server

from .conftest import PYTHON, Cli, project_env
from .test_processes import wait_for_line

# ------------------------------------------------------------------------------ binary


def test_binary_messages_from_stdin_base64_hex(cli: Cli) -> None:
    cli("send", "p2p", 7, 8, "-", input=b"\x00\xff").ok()  # was a UTF-8 encoding error
    cli("send", "p2p", 7, 8, "AP8=", "--base64").ok()
    cli("send", "p2p", 7, 8, "00 ff", "--hex").ok()
    cli("send", "p2p", 7, 8, "-", "--base64", input=b"AP8=\n").ok()
    cli("send", "p2p", 7, 8, "-", "--binary", input=b"text\n").ok()  # byte for byte
    cli("send", "p2p", 7, 8, "-", input="h\u00e9llo\n".encode()).ok()  # UTF-8: text
    messages = [m["message"] for m in cli("--json", "history", "p2p", 7, 8).one()["messages"]]
    binary = {"base64": "AP8="}
    # --binary keeps the newline (history shows bytes that are UTF-8 as text)
    assert messages == [binary, binary, binary, binary, "text\n", "h\u00e9llo"]
    assert "<2 bytes of binary>" in cli("history", "p2p", 7, 8).ok().out

    bad = cli("send", "p2p", 7, 8, "not base64!", "--base64")
    assert bad.code == 2 and "MESSAGE is not valid base64" in bad.err
    assert cli("send", "p2p", 7, 8, "zz", "--hex").code == 2
    assert cli("send", "p2p", 7, 8, "AP8=", "--base64", "--hex").code == 2


# ------------------------------------------------------------------------------ hints


def test_hints_for_the_client_and_file_gate_ports(cli: Cli, rtm_project: RTMProject) -> None:
    res = cli("send", "p2p", 1, 2, "x", extra_env={"RTM_ENDPOINT": rtm_project.client_endpoint})
    assert res.code == 1 and res.err.count("\n") == 1
    assert res.err.startswith("error: [200022 UNAUTHORIZED] unauthorized: send auth first (")
    assert f"{rtm_project.client_endpoint} (from RTM_ENDPOINT) looks like the client gate port" \
        in res.err and "the server API is on another port" in res.err
    res = cli("token", 1, extra_env={"RTM_ENDPOINT": rtm_project.client_endpoint})
    assert res.err.startswith("error: [20004 CORE_UNKNOWN_METHOD] Unknow method:gettoken (")
    assert "looks like the client gate or file gate port" in res.err
    res = cli("send", "p2p", 1, 2, "x", "--endpoint", rtm_project.file_endpoint)
    assert res.code == 1 and res.err.startswith("error: [20004 CORE_UNKNOWN_METHOD]")
    assert "(from --endpoint) looks like the client gate or file gate port" in res.err
    ok = cli("group", "members", 5)  # the real server gate: no hint, no error
    assert ok.code == 0 and ok.err == "group 5 has no members\n"


def test_hint_names_the_server_port_for_the_default_layout(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    client_gate = resolve_settings({"endpoint": "127.0.0.1:13316"}, env)
    text = describe_error(error_from_answer(200022, "unauthorized: send auth first"),
                          client_gate)
    assert text.endswith("looks like the client gate port; the server API is on port 13315)")
    file_gate = resolve_settings({"endpoint": "127.0.0.1:13317"}, env)
    text = describe_error(error_from_answer(20004, "Unknow method:gettoken"), file_gate)
    assert "looks like the file gate port; the server API is on port 13315" in text
    # a new command an older server does not know is not a wrong port
    assert describe_error(error_from_answer(20004, "Unknow method:editmsg"), file_gate) == (
        "[20004 CORE_UNKNOWN_METHOD] Unknow method:editmsg")


@pytest.fixture(scope="module")
def encrypted_server() -> Iterator[tuple[ServerThread, bytes]]:
    key = generate_private_key("secp256k1")
    server = start_test_server(ecc_key=key)
    try:
        yield server, key.public_pem()
    finally:
        server.stop()


def test_wrong_pem_key_says_so_in_one_line(encrypted_server: tuple[ServerThread, bytes],
                                           tmp_path: Path, cli_env: dict[str, str]) -> None:
    server, _ = encrypted_server
    project = new_project(server)
    wrong = tmp_path / "other-public.pem"
    wrong.write_bytes(generate_private_key("secp256k1").public_pem())
    env = cli_env | project_env(project, tmp_path) | {"RTM_PEM": str(wrong)}
    res = subprocess.run([PYTHON, "-m", "rtm", "token", "1"], env=env, capture_output=True,
                         text=True, timeout=60, check=False)
    assert res.returncode == 1 and res.stdout == ""
    (line,) = res.stderr.splitlines()  # no stray log line before it
    assert line.startswith("error: [")
    assert f"the --pem key {wrong} (from RTM_PEM) does not match the server's key" in line


# ------------------------------------------------------------------------------ point 10


def test_friends_add_reports_what_changed(cli: Cli) -> None:
    self_friend = cli("friends", "add", 1, 1)
    assert self_friend.code == 2 and "cannot be their own friend" in self_friend.err
    assert cli("--json", "friends", "list", 1).one()["friends"] == []
    assert cli("friends", "add", 1, 2, 3).ok().out == "1: added 2 friends\n"
    assert cli("friends", "add", 1, 2, 4).ok().out == "1: added 1 friend (1 was already)\n"
    assert cli("--json", "friends", "add", 1, "2,3").one() == {
        "ok": True, "uid": 1, "added": [], "already": [2, 3]}
    assert cli("friends", "del", 1, 3, 9).ok().out == (
        "1: removed 1 friend (1 was not a friend)\n")
    assert cli("--json", "friends", "list", 1).one()["friends"] == [2, 4]


def test_device_app_type_file_name_and_wording(cli: Cli, tmp_path: Path) -> None:
    bad = cli("device", "add", 1, "pcm", "tok")
    assert bad.code == 2 and "invalid choice: 'pcm'" in bad.err
    assert cli("--json", "device", "add", 1, "FCM", "tok").one() == {"ok": True}

    unnamed = cli("file", "send", "p2p", 1, 2, "-", input=b"%PDF-1.4 binary \xff")
    assert unnamed.code == 2 and "give it with --name" in unnamed.err
    named = cli("--json", "file", "send", "p2p", 1, 2, "-", "--name", "r.pdf",
                input=b"%PDF-1.4 binary \xff").ok().one()
    assert named["name"] == "r.pdf" and named["size"] == 17

    one = cli("history", "p2p", 1, 2, "--all")
    assert one.ok().err.endswith("\n1 message\n") or one.err == "1 message\n"


def test_verbosity_levels(cli: Cli, rtm_project: RTMProject) -> None:
    quiet = cli("token", 3).ok()
    assert quiet.err == ""
    info = cli("-v", "send", "p2p", 1, 2, "x").ok()
    assert f"INFO rtm.client: connected to {rtm_project.endpoint}" in info.err
    assert "DEBUG" not in info.err
    debug = cli("-vv", "token", 3).ok()
    assert re.search(r"DEBUG rtm\.client: -> gettoken: \d+ bytes\n", debug.err)
    assert re.search(r"DEBUG rtm\.client: <- gettoken: ok in [\d.]+ ms, \d+ bytes\n", debug.err)
    trace = cli("token", 3, "-vvv").ok()
    token = trace.out.strip()
    assert "'token': '***'" in trace.err and "'sign': '***'" in trace.err
    assert token not in trace.err and rtm_project.secret not in trace.err


# ------------------------------------------------------------------------------ processes


def test_python_m_rtm_and_server_debug_log(tmp_path: Path) -> None:
    """``python -m rtm`` runs the command; ``rtm server --log-level DEBUG`` logs every quest
    (docs/server.md), the secret never."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTM_")}
    env |= {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [PYTHON, "-m", "rtm", "server", "--port", "0", "--client-port", "0", "--file-port", "0",
         "--db", ":memory:", "--log-level", "DEBUG"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stderr is not None
        endpoint = wait_for_line(server.stdout, r"server gate listening on (\S+)").group(1)
        res = subprocess.run([PYTHON, "-m", "rtm", "--endpoint", endpoint, "send", "p2p", "1",
                              "2", "hello"], env=env, capture_output=True, text=True,
                             timeout=60, check=False)
        assert res.returncode == 0 and res.stdout.startswith("sent 1 -> 2: mid "), res.stderr
        with RTMServerClient(DEV_PID, DEV_SECRET, endpoint) as client:
            client.get_token(9)
        quest = r"pid (\d+) seq \d+ from \S+: \d+ bytes -> ok in [\d.]+ ms, \d+ bytes"
        assert int(wait_for_line(server.stderr, rf"DEBUG rtm\.server: sendmsg {quest}").group(1)) \
            == DEV_PID
        wait_for_line(server.stderr, rf"DEBUG rtm\.server: gettoken {quest}")
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=15)
    assert server.returncode == 0, err
    assert DEV_SECRET not in err
