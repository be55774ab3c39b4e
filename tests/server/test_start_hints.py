"""Starting the local server as a newcomer does: without aiohttp (file URLs still name a
real port, which says what to install), and on a port already in use (a hint, and no
database left behind)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

_WITHOUT_AIOHTTP = textwrap.dedent("""
    import sys, urllib.error, urllib.request
    sys.modules["aiohttp"] = None  # as after a plain `pip install .`
    from rtm import RTMServerClient
    from rtm.server import ServerThread

    with ServerThread(file_port=0) as server:
        assert server.http_endpoint is None
        with RTMServerClient(server.pid, server.secret, server.endpoint) as client:
            client.send_file(1, 2, b"report", "q3.txt")
            page = client.get_p2p_message(1, 2, True, 1, 0, 0, 0)
        url = page.messages[0].file_info.url
        print(url)
        try:
            urllib.request.urlopen(url, timeout=10)
        except urllib.error.HTTPError as exc:
            print(exc.code, exc.read().decode())
""")


def test_without_aiohttp_file_urls_name_a_port_that_says_what_to_install() -> None:
    res = subprocess.run([sys.executable, "-c", _WITHOUT_AIOHTTP], capture_output=True,
                         text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    url, status = res.stdout.splitlines()[:2]
    assert url.startswith("http://127.0.0.1:") and ":0/" not in url, url
    assert status.startswith("503 ") and "pip install 'rtm-server-sdk[server]'" in status


def test_a_port_in_use_gives_a_hint_and_leaves_no_database(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**{k: v for k, v in os.environ.items() if k != "RTM_DATA_DIR"},
               "HOME": str(tmp_path)}
        res = subprocess.run(
            [sys.executable, "-m", "rtm.server", "--port", str(port), "--client-port", "0",
             "--file-port", "0"], env=env, capture_output=True, text=True, timeout=60,
            check=False)
    assert res.returncode == 1
    assert "address already in use" in res.stderr
    assert "another rtm server running?" in res.stderr and "--port" in res.stderr
    assert list(tmp_path.iterdir()) == []  # no ~/.local/share/rtm-server/rtm.db
