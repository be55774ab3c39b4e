"""Pointed at the wrong port, the SDK says which port it likely is; a lost server is named;
and without logging configured nothing is printed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from rtm import AsyncRTMServerClient, RTMConnectionError, RTMError, RTMServerClient
from rtm.server import ServerThread

_SCRIPT = textwrap.dedent("""
    from rtm import RTMError, RTMServerClient
    from rtm.server import ServerThread

    with ServerThread(file_port=0) as server:
        for name, endpoint in (("client gate", server.client_endpoint),
                               ("http", server.http_endpoint)):
            with RTMServerClient(server.pid, server.secret, endpoint, quest_timeout=10) as client:
                try:
                    client.get_token(1)
                except RTMError as exc:
                    print(name, "|", exc)
""")


def test_wrong_ports_are_named_and_nothing_is_printed_without_logging() -> None:
    """A fresh process with no logging configured, as an application would be."""
    res = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                         timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""  # no stray "closing connection N (...)" line
    lines = dict(line.split(" | ", 1) for line in res.stdout.splitlines())
    assert "Unknow method:gettoken" in lines["client gate"]
    assert "is not a server API port" in lines["client gate"]
    assert "likely the client gate or file gate port" in lines["client gate"]
    assert "bad magic b'HTTP'" in lines["http"]
    assert "answered in HTTP" in lines["http"] and "not the server API" in lines["http"]


def test_the_right_port_gets_no_hint() -> None:
    with ServerThread() as server, RTMServerClient(server.pid, server.secret,
                                                   server.endpoint) as client:
        with pytest.raises(RTMError) as info:
            client.get_message(1, 1, 2, 1)  # a refusal of the real server API
        assert "port" not in str(info.value)


async def test_a_server_gone_is_named_in_the_async_error() -> None:
    server = ServerThread().start()
    endpoint = server.endpoint
    client = AsyncRTMServerClient(server.pid, server.secret, endpoint, connect_timeout=5,
                                  quest_timeout=5)
    try:
        await client.get_token(1)  # connected
        server.stop()
        with pytest.raises(RTMConnectionError) as info:
            await client.get_token(1)
        assert endpoint in str(info.value)
    finally:
        server.stop()
        await client.close()
