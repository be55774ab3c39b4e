"""Issue 14, SDK side, against real sockets: one error root (``except rtm.RTMError`` catches
answers, timeouts, refused connections and protocol failures), oversize messages and files
rejected before anything is encoded, the wire log of the SDK and of the local server (secrets
never logged, nothing done while DEBUG is off), and ``from_env()``."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import rtm
from rtm import (
    AsyncRTMServerClient,
    LargeFileOrAttrsError,
    LargeMessageOrAttrsError,
    NotGroupMemberError,
    RTMConnectionError,
    RTMError,
    RTMServerClient,
    RTMTimeoutError,
    _wirelog,
)
from rtm.fpnn.crypto import generate_private_key
from rtm.settings import ConfigError
from rtm.testing import RTMProject, new_project, start_test_server

# ------------------------------------------------------------------------------ peers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A listening socket that accepts (backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@pytest.fixture
def babbler() -> Iterator[str]:
    """A peer that answers every connection with bytes that are not FPNN, then hangs up."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        sock.close()


# ------------------------------------------------------------------------------ one error root


def test_one_error_root_catches_every_failure_sync(
    rtm_client: RTMServerClient, rtm_project: RTMProject, black_hole: str, babbler: str
) -> None:
    caught: list[RTMError] = []

    def attempt(client: RTMServerClient, **kw: Any) -> None:
        try:
            client.get_friends(1, **kw)
        except RTMError as exc:  # the one class users catch
            caught.append(exc)
        else:
            raise AssertionError("no error")

    # an RTM error answer
    try:
        rtm_client.send_group_message(1, 404, 30, "not a member")
    except RTMError as exc:
        caught.append(exc)
    refused = RTMServerClient(rtm_project.pid, rtm_project.secret, f"127.0.0.1:{_free_port()}")
    silent = RTMServerClient(rtm_project.pid, rtm_project.secret, black_hole)
    garbage = RTMServerClient(rtm_project.pid, rtm_project.secret, babbler, quest_timeout=2)
    with refused, silent, garbage:
        attempt(refused)
        attempt(silent, timeout=0.3)
        attempt(garbage)
        with pytest.raises(RTMConnectionError):
            refused.connect()  # connect() itself raises the RTM class too
    answer, refusal, timeout, protocol = caught
    assert type(answer) is NotGroupMemberError and answer.code == 200041
    assert isinstance(refusal, RTMConnectionError) and isinstance(refusal, ConnectionError)
    assert isinstance(refusal, rtm.FPNNConnectionError)  # code written for the FPNN classes
    assert isinstance(timeout, RTMTimeoutError) and isinstance(timeout, TimeoutError)
    assert timeout.code == 20003 and "CORE_TIMEOUT" in str(timeout)
    assert isinstance(protocol, RTMError) and protocol.code != 0


async def test_one_error_root_async_and_callbacks(rtm_project: RTMProject,
                                                  black_hole: str) -> None:
    refused = AsyncRTMServerClient(rtm_project.pid, rtm_project.secret,
                                   f"127.0.0.1:{_free_port()}")
    silent = AsyncRTMServerClient(rtm_project.pid, rtm_project.secret, black_hole)
    async with refused, silent:
        with pytest.raises(RTMError) as info:
            await refused.get_friends(1)
        assert isinstance(info.value, ConnectionError)
        with pytest.raises(RTMError) as info:
            await silent.get_friends(1, timeout=0.3)
        assert isinstance(info.value, TimeoutError)
        with pytest.raises(RTMConnectionError):
            await refused.connect()

    # the callback of the sync client gets the code of the mapped error
    results: list[tuple[Any, ...]] = []
    done = threading.Event()
    with RTMServerClient(rtm_project.pid, rtm_project.secret, black_hole) as client:
        client.get_friends(1, timeout=0.3, callback=lambda *a: (results.append(a), done.set()))
        assert await asyncio.to_thread(done.wait, 5)
    assert results[0][0] == [] and results[0][1] == 20003


# ------------------------------------------------------------------------------ sizes


def test_oversize_message_and_file_fail_before_encoding(rtm_project: RTMProject,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="rtm")
    with RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint) as client:
        with pytest.raises(LargeMessageOrAttrsError) as info:
            client.send_message(1, 2, 30, "x" * 10_000_000)  # was FPNNError 20005 (frame size)
        assert info.value.code == 200030 and isinstance(info.value, ValueError)
        with pytest.raises(LargeMessageOrAttrsError):
            client.send_room_message(1, 2, 30, b"x" * 20481)
        with pytest.raises(LargeMessageOrAttrsError):
            client.send_messages(1, [2, 3], 30, "hi", attrs="a" * 2049)
        with pytest.raises(LargeFileOrAttrsError) as file_info:
            client.send_file(1, 2, b"x" * 10_000_000, "big.bin")
        assert file_info.value.code == 200031
        assert not client.connected  # nothing was sent: not even a connection was needed
        assert not [r for r in caplog.records if r.getMessage().startswith("->")]
        # the limits themselves go through
        assert client.send_message(1, 2, 30, "\U0001f600" * 5120, attrs="a" * 2048) > 0
    with RTMServerClient(rtm_project.pid, rtm_project.secret, rtm_project.endpoint) as client:
        assert client.send_file(1, 2, bytes(range(256)) * 20480, "limit.bin") > 0  # 5 MiB


# ------------------------------------------------------------------------------ wire log


def _lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


def test_wire_log_of_sdk_and_server_never_shows_secrets(
    rtm_client: RTMServerClient, rtm_project: RTMProject, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="rtm")
    caplog.set_level(logging.DEBUG, logger="rtm.server")  # whatever an earlier test set
    rtm_client.send_message(1, 2, 30, "hello wire")
    with pytest.raises(NotGroupMemberError):
        rtm_client.send_group_message(1, 404, 30, "no")
    client_lines = _lines(caplog, "rtm.client")
    server_lines = _lines(caplog, "rtm.server")
    quest = next(line for line in client_lines if line.startswith("-> sendmsg: "))
    assert quest.endswith(" bytes") and "hello wire" not in quest  # params: TRACE only
    ok = next(line for line in client_lines if line.startswith("<- sendmsg: ok in "))
    assert " ms, " in ok and ok.endswith(" bytes")
    assert any(line.startswith("<- sendgroupmsg: error 200041 NOT_GROUP_MEMBER in ")
               for line in client_lines)
    handled = next(line for line in server_lines if line.startswith("sendmsg pid "))
    assert f"pid {rtm_project.pid} seq " in handled and "-> ok in " in handled
    assert any(line.startswith("sendgroupmsg pid ") and "-> error 200041" in line
               for line in server_lines)

    caplog.clear()
    caplog.set_level(_wirelog.TRACE, logger="rtm")  # params and answers too
    token = rtm_client.get_token(7)
    rtm_client.add_device(7, "apns", "device-token-secret-42")
    rtm_client.send_message(1, 2, 30, "traced text")
    texts = [r.getMessage() for r in caplog.records]
    assert any("'msg': 'traced text'" in t and "'sign': '***'" in t for t in texts)
    assert any("'token': '***'" in t for t in texts)  # the gettoken answer, both sides
    for text in texts:
        assert rtm_project.secret not in text
        assert token not in text and "device-token-secret-42" not in text
        assert "'sign': '" not in text.replace("'sign': '***'", "")


async def test_async_wire_log_and_debug_off_does_nothing(
    rtm_async_client: AsyncRTMServerClient, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG, logger="rtm.client")
    await rtm_async_client.add_friends(1, [2])
    lines = _lines(caplog, "rtm.client")
    assert any(line.startswith("-> addfriends: ") for line in lines)
    assert any(line.startswith("<- addfriends: ok in ") for line in lines)

    # DEBUG off: no wire line is built at all (the frame is not even measured)
    caplog.clear()
    caplog.set_level(logging.INFO, logger="rtm.client")
    caplog.set_level(logging.INFO, logger="rtm")  # the local server's log too

    def forbidden(*args: Any) -> Any:
        raise AssertionError("wire log work while DEBUG is off")

    monkeypatch.setattr(_wirelog, "describe", forbidden)
    monkeypatch.setattr(_wirelog, "error_label", forbidden)
    assert await rtm_async_client.get_friends(1) == [2]
    with pytest.raises(RTMError):
        await rtm_async_client.send_group_message(1, 404, 30, "x")
    assert not [r for r in caplog.records if r.levelno < logging.INFO]


# ------------------------------------------------------------------------------ from_env


def test_from_env_reads_the_rtm_settings(rtm_project: RTMProject, tmp_path: Path) -> None:
    env = {"RTM_ENDPOINT": rtm_project.endpoint, "RTM_PID": str(rtm_project.pid),
           "RTM_SECRET": rtm_project.secret, "RTM_TIMEOUT": "7.5",
           "XDG_CONFIG_HOME": str(tmp_path)}
    with RTMServerClient.from_env(env) as client:
        assert (client.pid, client.endpoint) == (rtm_project.pid, rtm_project.endpoint)
        assert client._quest_timeout == 7.5 and client._connect_timeout == 7.5
        client.add_friends(1, [2])
        assert client.get_friends(1) == [2]
    with RTMServerClient.from_env(env, quest_timeout=3.0) as client:  # options win
        assert client._quest_timeout == 3.0 and client._connect_timeout == 7.5

    # the config file the CLI reads, with the environment pointing at it
    config = tmp_path / "rtm.ini"
    config.write_text(f"[rtm]\nendpoint = {rtm_project.endpoint}\npid = {rtm_project.pid}\n"
                      f"secret = {rtm_project.secret}\n")
    with RTMServerClient.from_env({"RTM_CONFIG": str(config)}) as client:
        assert client.get_friends(1) == [2]

    with pytest.raises(ConfigError, match="RTM_PID") as info:
        RTMServerClient.from_env({"RTM_PID": "42", "XDG_CONFIG_HOME": str(tmp_path)})
    assert isinstance(info.value, ValueError)
    with pytest.raises(ConfigError, match="pem file from RTM_PEM not found"):
        RTMServerClient.from_env(env | {"RTM_PEM": str(tmp_path / "missing.pem")})
    with pytest.raises(ConfigError, match="endpoint from RTM_ENDPOINT"):
        RTMServerClient.from_env(env | {"RTM_ENDPOINT": "no-port"})


async def test_async_from_env_with_encryption(tmp_path: Path) -> None:
    key = generate_private_key("secp256k1")
    server = await asyncio.to_thread(start_test_server, ecc_key=key)
    try:
        project = new_project(server)
        pem = tmp_path / "server-public.pem"
        pem.write_bytes(key.public_pem())
        env = {"RTM_ENDPOINT": project.endpoint, "RTM_PID": str(project.pid),
               "RTM_SECRET": project.secret, "RTM_PEM": str(pem),
               "XDG_CONFIG_HOME": str(tmp_path)}
        async with AsyncRTMServerClient.from_env(env) as client:
            assert client._encryption is not None
            await client.add_group_members(5, [1, 2])
            assert await client.get_group_members(5) == [1, 2]
    finally:
        await asyncio.to_thread(server.stop)
