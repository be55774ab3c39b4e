"""The ``[testing]`` extra and what the pytest plugin says when pytest-asyncio is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_testing_extra_pulls_pytest_and_pytest_asyncio() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = project["optional-dependencies"]["testing"]
    names = {req.split(">")[0].split("=")[0].split("[")[0].strip() for req in extra}
    assert names == {"pytest", "pytest-asyncio"}
    assert project["entry-points"]["pytest11"] == {"rtm": "rtm.testing"}


def test_async_fixture_without_pytest_asyncio_says_what_to_install(tmp_path: Path) -> None:
    # A project without pytest-asyncio: the import fails as it would if it were not installed.
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import sys\n"
        "sys.modules['pytest_asyncio'] = None  # import pytest_asyncio -> ImportError\n"
        "pytest_plugins = ['rtm.testing']\n")
    (tmp_path / "test_backend.py").write_text(
        "def test_uses_the_async_client(rtm_async_client):\n    pass\n\n"
        "def test_uses_an_end_user(rtm_enduser):\n    pass\n")
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:asyncio", "-p", "no:rtm",
         "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert "2 errors" in out, out  # both fail at setup, with the message, not "not found"
    assert "fixture 'rtm_async_client' not found" not in out
    assert ("the rtm_async_client fixture needs pytest-asyncio, which is not installed: "
            "pip install 'rtm-server-sdk[testing]'") in out
    assert "the rtm_enduser fixture needs pytest-asyncio" in out


def test_the_session_server_drops_each_tests_project(tmp_path: Path) -> None:
    """The plugin's session-wide server used to keep every test's project and data."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_backend.py").write_text(
        "PIDS = []\n\n"
        "def test_first(rtm_project, rtm_client):\n"
        "    rtm_client.add_friends(1, [2])\n"
        "    rtm_client.send_message(1, 2, 30, 'kept?')\n"
        "    rtm_client.get_token(5)\n"
        "    PIDS.append(rtm_project.pid)\n\n"
        "def test_second(rtm_server, rtm_project):\n"
        "    (pid,) = PIDS\n"
        "    assert pid not in rtm_server.projects and rtm_project.pid in rtm_server.projects\n"
        "    store = rtm_server.server.store\n"
        "    assert rtm_server.run(store.drop_project(pid)) == 0  # nothing was left\n"
        "    assert rtm_server.run(store.list_conversations(pid)) == []\n")
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    out = res.stdout + res.stderr
    assert res.returncode == 0 and "2 passed" in out, out


def test_end_users_over_each_transport(tmp_path: Path) -> None:
    """``--rtm-transport`` sets how the fixtures' end users connect; a test marked
    ``rtm_transports`` runs once per transport when its end users depend on it."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\n")
    (tmp_path / "test_both.py").write_text(
        "import pytest\n\n"
        "pytestmark = pytest.mark.rtm_transports()\n\n"
        "async def test_async_user(rtm_enduser, rtm_transport):\n"
        "    user = await rtm_enduser(1)\n"
        "    assert user.transport == rtm_transport and user.logged_in\n"
        "    assert await user.get_online_users([1]) == [1]\n\n"
        "def test_blocking_user(rtm_blocking_enduser, rtm_transport):\n"
        "    assert rtm_blocking_enduser(2).client.transport == rtm_transport\n\n"
        "def test_no_end_user(rtm_project):\n"
        "    pass\n\n"
        "@pytest.mark.rtm_transports('tcp')\n"
        "async def test_one_transport(rtm_enduser):\n"
        "    assert (await rtm_enduser(3)).transport == 'tcp'\n")
    (tmp_path / "test_default.py").write_text(
        "async def test_default(rtm_enduser, rtm_transport):\n"
        "    assert rtm_transport == 'ws' and (await rtm_enduser(4)).transport == 'ws'\n")
    (tmp_path / "test_bad_marker.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.rtm_transports('udp')\n"
        "def test_bad(rtm_transport):\n"
        "    pass\n")
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
         "--continue-on-collection-errors", "--rtm-transport=ws", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    out = res.stdout + res.stderr
    for test in ("test_async_user[tcp]", "test_async_user[ws]", "test_blocking_user[tcp]",
                 "test_blocking_user[ws]", "test_no_end_user", "test_one_transport[tcp]",
                 "test_default"):
        assert f"::{test} PASSED" in out, out
    assert "test_one_transport[ws]" not in out and "test_no_end_user[" not in out
    assert "rtm_transports takes transport names (tcp, ws), got 'udp'" in out, out
    assert "7 passed, 1 error" in out, out
