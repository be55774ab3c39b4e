"""Every script under ``examples/`` runs against a local server (as a subprocess, the way a
user runs it), pointed there with RTM_ENDPOINT / RTM_PID / RTM_SECRET."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from rtm.fpnn.crypto import generate_private_key
from rtm.server import ServerConfig, ServerThread
from rtm.testing import RTMProject

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("test_"))
NEEDS_ENCRYPTION = {"encryption.py"}


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTM_")}
    env |= {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    return env


def run_example(name: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / name)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_promised_examples_exist() -> None:
    expected = {"sync_basic.py", "asyncio_basic.py", "callbacks.py", "monitor.py", "files.py",
                "encryption.py", "history_paging.py"}
    assert expected <= set(SCRIPTS)
    assert (EXAMPLES / "test_with_pytest_plugin.py").is_file()


@pytest.mark.parametrize("name", [s for s in SCRIPTS if s not in NEEDS_ENCRYPTION])
def test_example_runs(name: str, rtm_project: RTMProject, tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"RTM_ENDPOINT": rtm_project.endpoint,
                                "RTM_PID": str(rtm_project.pid),
                                "RTM_SECRET": rtm_project.secret}
    res = run_example(name, env, tmp_path)
    assert res.returncode == 0, f"{name} failed:\n{res.stdout}\n{res.stderr}"
    assert res.stdout.strip(), f"{name} printed nothing"
    assert "Traceback" not in res.stderr


def test_encryption_example(tmp_path: Path) -> None:
    """Against a server started with a private key, on its development project (only
    RTM_ENDPOINT and RTM_PEM are set)."""
    key = generate_private_key()
    private = tmp_path / "server-private.pem"
    private.write_bytes(key.key.private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    (tmp_path / "server-public.pem").write_bytes(key.public_pem())
    config = ServerConfig(port=0, client_port=0, file_port=0, ecc_key=str(private))
    with ServerThread(config) as server:
        env = base_env(tmp_path) | {"RTM_ENDPOINT": server.endpoint}
        res = run_example("encryption.py", env, tmp_path)  # RTM_PEM defaults to ./server-public.pem
        assert res.returncode == 0, res.stderr
        assert "encrypted connection" in res.stdout
        env["RTM_PEM"] = str(tmp_path / "nope.pem")
        assert run_example("encryption.py", env, tmp_path).returncode != 0


def test_pytest_plugin_example(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(EXAMPLES / "test_with_pytest_plugin.py")], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "3 passed" in res.stdout
