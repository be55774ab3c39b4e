"""``python -m rtm.server`` as a process: CLI output, clean shutdown, crash durability, and
the ServerThread wrapper."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from rtm.fpnn.crypto import generate_private_key
from rtm.fpnn.errors import FPNNError
from rtm.server import DEV_PID, DEV_SECRET, RTMServer, ServerConfig, ServerThread
from rtm.server.__main__ import build_parser, config_from_args
from rtm.server.__main__ import main as server_main

from .conftest import API, PID, SECRET

F = "from"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


class ServerProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rtm.server", "--port", "0", "--client-port", "0",
             "--file-port", "0", "--log-level", "WARNING", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: list[str] = []
        self.endpoints: dict[str, str] = {}
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 20
        while not any(ln.startswith("rtm-server: database") for ln in self.lines):
            assert time.monotonic() < deadline, "server did not start"
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"server exited: {self.proc.stderr.read()}")  # type: ignore[union-attr]
            self.lines.append(line.rstrip("\n"))
            match = re.search(r"(server|client|file) gate listening on (\S+)", line)
            if match:
                self.endpoints[match.group(1)] = match.group(2)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> tuple[int, str]:
        self.proc.send_signal(sig)
        out, _err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out

    def kill(self) -> None:
        self.proc.kill()
        self.proc.communicate(timeout=20)


@pytest.fixture
def processes() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for p in started:
        if p.proc.poll() is None:
            p.kill()


def test_cli_prints_lines_and_exits_0_on_sigterm(tmp_path: Path,
                                                 processes: list[ServerProcess]) -> None:
    proc = ServerProcess(env={"RTM_DATA_DIR": str(tmp_path / "data")})
    processes.append(proc)
    assert set(proc.endpoints) == {"server", "client", "file"}
    assert all(re.fullmatch(r"127\.0\.0\.1:\d+", ep) for ep in proc.endpoints.values())
    assert any(f"project {DEV_PID} secret {DEV_SECRET}" in ln for ln in proc.lines)

    async def use() -> None:
        api = API(proc.endpoints["server"], DEV_PID, DEV_SECRET)
        try:
            await api("addfriends", uid=1, friends=[2])
        finally:
            await api.close()

    asyncio.run(use())
    code, out = proc.stop(signal.SIGTERM)
    assert code == 0 and "stopped" in out
    assert (tmp_path / "data" / "rtm.db").exists()  # the default database location


def test_cli_projects_file_keeps_secrets_off_the_command_line(
        tmp_path: Path, processes: list[ServerProcess]) -> None:
    projects = tmp_path / "projects.txt"
    projects.write_text(f"# pid:secret\n{PID}:{SECRET}\n\n2000002:other-secret  # second\n")
    proc = ServerProcess("--projects-file", str(projects), "--db", ":memory:")
    processes.append(proc)
    assert SECRET not in " ".join(proc.proc.args)  # type: ignore[arg-type]
    project_lines = sorted(ln for ln in proc.lines if ln.startswith("rtm-server: project"))
    assert project_lines == [f"rtm-server: project {PID} (secret as configured)",
                             "rtm-server: project 2000002 (secret as configured)"]

    async def use() -> None:
        api = API(proc.endpoints["server"])  # signs with PID/SECRET
        try:
            await api("addfriends", uid=1, friends=[2])
        finally:
            await api.close()

    asyncio.run(use())
    code, _ = proc.stop(signal.SIGTERM)
    assert code == 0


def test_cli_project_option_and_sigint(tmp_path: Path, processes: list[ServerProcess]) -> None:
    db = tmp_path / "x.db"
    proc = ServerProcess("--project", f"{PID}:{SECRET}", "--db", str(db))
    processes.append(proc)
    project_lines = [ln for ln in proc.lines if ln.startswith("rtm-server: project")]
    assert project_lines == [f"rtm-server: project {PID} (secret as configured)"]
    assert all(SECRET not in ln for ln in proc.lines)

    async def use() -> None:
        api = API(proc.endpoints["server"])
        try:
            await api("addfriends", uid=1, friends=[2])
        finally:
            await api.close()

    asyncio.run(use())
    code, _ = proc.stop(signal.SIGINT)
    assert code == 0
    restarted = ServerProcess("--project", f"{PID}:{SECRET}", "--db", str(db))
    processes.append(restarted)

    async def check() -> None:
        api = API(restarted.endpoints["server"])
        try:
            assert await api("getfriends", uid=2) == {"uids": [1]}
        finally:
            await api.close()

    asyncio.run(check())
    assert restarted.stop()[0] == 0


def test_acknowledged_messages_survive_sigkill(tmp_path: Path,
                                               processes: list[ServerProcess]) -> None:
    db = tmp_path / "crash.db"
    proc = ServerProcess("--project", f"{PID}:{SECRET}", "--db", str(db))
    processes.append(proc)
    acked: dict[int, set[int]] = {}
    stop_at = time.monotonic() + 1.0

    async def sender(to: int) -> None:
        api = API(proc.endpoints["server"])
        acked[to] = set()
        mid = 0
        try:
            while True:
                batch = []
                for _ in range(8):
                    mid += 1
                    batch.append((mid, api("sendmsg", {"mtype": 51, F: 1, "to": to, "mid": mid,
                                                       "msg": f"m{mid}", "attrs": ""})))
                results = await asyncio.gather(*(c for _, c in batch), return_exceptions=True)
                for (m, _), result in zip(batch, results, strict=True):
                    if isinstance(result, dict):
                        acked[to].add(m)
                if time.monotonic() > stop_at:
                    proc.proc.kill()  # SIGKILL while quests are in flight
                if any(isinstance(r, BaseException) for r in results):
                    return
        except FPNNError:
            return
        finally:
            await api.close()

    async def run() -> None:
        await asyncio.gather(*(sender(to) for to in (2, 3, 4, 5)))

    asyncio.run(run())
    proc.proc.wait(timeout=20)
    assert proc.proc.returncode == -signal.SIGKILL
    assert sum(len(v) for v in acked.values()) > 100

    restarted = ServerProcess("--project", f"{PID}:{SECRET}", "--db", str(db))
    processes.append(restarted)

    async def check() -> None:
        api = API(restarted.endpoints["server"])
        try:
            for to, mids in acked.items():
                found: set[int] = set()
                query = {"uid": 1, "ouid": to, "desc": False, "num": 20, "begin": 0, "end": 0,
                         "lastid": 0}
                while True:
                    page = await api("getp2pmsg", query)
                    if page["num"] == 0:
                        break
                    found.update(entry[3] for entry in page["msgs"])
                    query.update(lastid=page["lastid"], begin=page["begin"], end=page["end"])
                assert mids <= found, f"lost {len(mids - found)} acknowledged messages"
        finally:
            await api.close()

    asyncio.run(check())
    assert restarted.stop()[0] == 0


def test_cli_ecc_key_stream_and_package(tmp_path: Path,
                                        processes: list[ServerProcess]) -> None:
    key = generate_private_key("secp256k1")
    pem = tmp_path / "server-key.pem"
    pem.write_bytes(key.key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    proc = ServerProcess("--project", f"{PID}:{SECRET}", "--db", ":memory:", "--ecc-key",
                         str(pem))
    processes.append(proc)
    assert any("encryption enabled" in ln for ln in proc.lines)

    async def use() -> None:
        for stream in (True, False):
            api = API(proc.endpoints["server"])
            api.client.enable_encryption(pem_key_data=key.public_pem(), stream=stream)
            try:
                await api("addfriends", uid=1, friends=[2])
                assert await api("isfriend", uid=2, fuid=1) == {"ok": True}
                conn = api.client.connection
                assert conn is not None and conn.encrypted
            finally:
                await api.close()
        plain = API(proc.endpoints["server"])
        try:
            assert await plain("getfriends", uid=1) == {"uids": [2]}
        finally:
            await plain.close()

    asyncio.run(use())
    assert proc.stop()[0] == 0


def test_cli_config_mapping(tmp_path: Path) -> None:
    args = build_parser().parse_args([
        "--port", "0", "--project", "5:abc", "--project", "6:d:e", "--db", ":memory:",
        "--no-symmetric-friends", "--broadcast-admin", "111", "--sign-ts-window", "30",
        "--replay-protection", "--push-retry", "--no-keep-rooms-on-logout",
        "--file-attrs", "lenient", "--no-push-server-api-messages", "--log-level", "debug",
    ])
    config = config_from_args(args)
    assert config.projects == {5: "abc", 6: "d:e"} and config.db == ":memory:"
    assert config.symmetric_friends is False and tuple(config.broadcast_admins) == (111,)
    assert config.sign_ts_window == 30 and config.replay_protection and config.push_retry
    assert config.keep_rooms_on_logout is False and config.file_attrs == "lenient"
    assert config.push_server_api_messages is False and config.log_level == "DEBUG"
    assert config.replay_window == 300.0 and config.refuse_v1_signatures is False
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--project", "nope"])
    windowed = config_from_args(build_parser().parse_args([
        "--db", ":memory:", "--replay-protection", "--replay-window", "45",
        "--refuse-v1-signatures"]))
    assert windowed.replay_window == 45 and windowed.refuse_v1_signatures
    assert windowed.effective_ts_window() == 45


def test_cli_refuses_a_ts_window_beyond_the_replay_window(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        server_main(["--db", ":memory:", "--replay-protection", "--replay-window", "60",
                     "--sign-ts-window", "120"])
    assert exited.value.code == 2
    assert "must not exceed replay_window" in capsys.readouterr().err


def test_server_thread(tmp_path: Path) -> None:
    db = tmp_path / "thread.db"
    config = ServerConfig(port=0, client_port=0, file_port=0, db=str(db))
    with ServerThread(config) as thread:
        assert thread.pid == DEV_PID and thread.secret == DEV_SECRET and thread.running
        assert thread.endpoint != thread.client_endpoint != thread.file_endpoint

        async def use() -> None:
            api = API(thread.endpoint, DEV_PID, DEV_SECRET)
            try:
                await api("addgroupmembers", gid=1, uids=[1, 2])
            finally:
                await api.close()

        asyncio.run(use())
        assert thread.run(thread.server.store.get_group_members(DEV_PID, 1)) == [1, 2]
    assert not thread.running
    with ServerThread(config) as again:  # committed on stop, found on restart
        assert again.run(again.server.store.get_group_members(DEV_PID, 1)) == [1, 2]
        busy = ServerConfig(port=int(again.endpoint.rsplit(":", 1)[1]), client_port=0,
                            file_port=0)
        with pytest.raises(OSError):
            ServerThread(busy).start()


def test_server_thread_overrides() -> None:
    with ServerThread(projects={PID: SECRET}, token_ttl=5) as thread:
        assert (thread.pid, thread.secret) == (PID, SECRET)
        assert thread.config.token_ttl == 5 and thread.config.port == 0
    base = ServerConfig(port=0, client_port=0, file_port=0)
    with ServerThread(base, strict_mid=True) as thread:
        assert thread.config.strict_mid and not base.strict_mid


def test_the_development_secret_stays_on_loopback(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Its secret is public: beyond loopback anyone could use the API and read every file."""
    for host in ("0.0.0.0", "::", "", "192.0.2.7", "example.org"):
        with pytest.raises(ValueError, match="development secret"):
            ServerConfig(host=host)
        with pytest.raises(ValueError, match="development secret"):
            ServerConfig(host=host, projects={7: "own", DEV_PID: DEV_SECRET})
        assert ServerConfig(host=host, projects={7: "own-secret"}).host == host
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert ServerConfig(host=host).served_projects() == {DEV_PID: DEV_SECRET}
    with pytest.raises(SystemExit) as exited:
        server_main(["--db", ":memory:", "--host", "0.0.0.0"])
    assert exited.value.code == 2
    assert "--project PID:SECRET" in capsys.readouterr().err


async def test_add_project_refuses_the_development_secret_beyond_loopback() -> None:
    server = RTMServer(ServerConfig(host="0.0.0.0", port=0, client_port=0, file_port=0,
                                    projects={7: "own-secret"}))
    with pytest.raises(ValueError, match="development secret is public"):
        server.add_project(8, DEV_SECRET)
    server.add_project(8, "another-own-secret")
    assert server.projects == {7: "own-secret", 8: "another-own-secret"}
