"""The sans-IO WebSocket adapter (rtm.fpnn.websocket): a client and a server adapter talk in
memory; hostile bytes only ever raise the adapter's protocol error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wsproto import WSConnection
from wsproto.connection import ConnectionType
from wsproto.events import AcceptConnection, BytesMessage, CloseConnection, Ping, Pong, Request
from wsproto.events import TextMessage as WSText

from rtm.fpnn.codec import FrameDecoder, Quest, encode_quest
from rtm.fpnn.errors import FPNNProtocolError
from rtm.fpnn.websocket import WebSocketAdapter, WebSocketError

FUZZ = settings(max_examples=int(os.environ.get("RTM_FUZZ_EXAMPLES", "300")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
MAX = 4096


def pair(path: str = "/service/websocket") -> tuple[WebSocketAdapter, WebSocketAdapter]:
    """A client and a server adapter after a completed handshake."""
    client = WebSocketAdapter(client=True, max_message_size=MAX, path=path)
    server = WebSocketAdapter(max_message_size=MAX)
    assert server.receive_data(client.start("example.test:13321")) == b""
    assert server.opened and server.open
    assert client.receive_data(server.data_to_send()) == b""
    assert client.opened and client.open
    return client, server


def raw_client() -> tuple[WSConnection, WebSocketAdapter]:
    """wsproto's own client (to send what our adapter never sends) against our server."""
    ws = WSConnection(ConnectionType.CLIENT)
    server = WebSocketAdapter(max_message_size=MAX)
    server.receive_data(ws.send(Request(host="h", target="/service/websocket")))
    ws.receive_data(server.data_to_send())
    assert any(isinstance(e, AcceptConnection) for e in ws.events())
    return ws, server


def test_frames_both_ways_split_and_merged() -> None:
    client, server = pair()
    q1 = encode_quest("auth", {"pid": 1, "uid": 2, "token": "t"}, 1)
    q2 = encode_quest("ping", {}, 2)
    # one frame per message
    assert server.receive_data(client.send_frames([q1])) == q1
    # two frames in one message, then one frame over two messages
    wire = client.send_frames([q1 + q2[:5], q2[5:]])
    decoder = FrameDecoder()
    got = decoder.feed(server.receive_data(wire[:3])) + decoder.feed(
        server.receive_data(wire[3:]))
    assert [m.method for m in got if isinstance(m, Quest)] == ["auth", "ping"]
    # server -> client: one message per frame, unmasked
    out = server.send_frames([q1, q2])
    assert client.receive_data(out) == q1 + q2


def test_ping_is_answered_and_peer_close_ends() -> None:
    ws, server = raw_client()
    assert server.receive_data(ws.send(Ping(b"hi"))) == b""
    ws.receive_data(server.data_to_send())
    assert [type(e) for e in ws.events()] == [Pong]
    assert server.receive_data(ws.send(CloseConnection(code=1000))) == b""
    assert server.closed and server.close_code == 1000 and not server.open
    ws.receive_data(server.data_to_send())
    assert [type(e) for e in ws.events()] == [CloseConnection]
    assert server.send_frames([b"x"]) == b""


@pytest.mark.parametrize(("message", "code"), [
    (WSText("hello"), 1003),
    (BytesMessage(b"x" * (MAX + 1)), 1009),
])
def test_text_and_oversized_messages_close(message: object, code: int) -> None:
    ws, server = raw_client()
    with pytest.raises(WebSocketError):
        server.receive_data(ws.send(message))  # type: ignore[arg-type]
    ws.receive_data(server.data_to_send())
    events = list(ws.events())
    assert isinstance(events[-1], CloseConnection) and events[-1].code == code


def test_oversized_message_in_fragments_is_caught_early() -> None:
    ws, server = raw_client()
    server.receive_data(ws.send(BytesMessage(b"a" * MAX, message_finished=False)))
    with pytest.raises(WebSocketError, match="over 4096"):
        server.receive_data(ws.send(BytesMessage(b"a", message_finished=True)))


def test_malformed_frame_closes_with_1002() -> None:
    client, server = pair()
    with pytest.raises(WebSocketError, match="malformed"):
        server.receive_data(b"\x82\x05hello")  # unmasked client frame
    client.receive_data(server.data_to_send())
    assert client.closed and client.close_code == 1002


def test_wrong_path_is_404_and_bad_upgrade_is_400() -> None:
    client = WebSocketAdapter(client=True, max_message_size=MAX, path="/other")
    server = WebSocketAdapter(max_message_size=MAX)
    with pytest.raises(WebSocketError, match="'/other'"):
        server.receive_data(client.start("h"))
    answer = server.data_to_send()
    assert answer.startswith(b"HTTP/1.1 404 ")
    with pytest.raises(WebSocketError, match="HTTP 404"):
        client.receive_data(answer)
    plain = WebSocketAdapter(max_message_size=MAX)
    with pytest.raises(WebSocketError, match="handshake"):
        plain.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # no Upgrade header
    assert plain.data_to_send().startswith(b"HTTP/1.1 400 ")


def test_errors_are_fpnn_protocol_errors() -> None:
    assert issubclass(WebSocketError, FPNNProtocolError)
    with pytest.raises(ValueError, match="max_message_size"):
        WebSocketAdapter(max_message_size=0)


@FUZZ
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=6))
def test_fuzz_handshake_bytes(data: bytes, cuts: list[int]) -> None:
    server = WebSocketAdapter(max_message_size=MAX)
    start = 0
    for cut in [*sorted(c % (len(data) + 1) for c in cuts), len(data)]:
        try:
            server.receive_data(data[start:cut])
        except WebSocketError:
            return
        start = cut


@FUZZ
@given(st.lists(st.binary(max_size=300), max_size=6),
       st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=4),
       st.lists(st.integers(0, 4000), max_size=6), st.binary(max_size=40))
def test_fuzz_frames_after_handshake(payloads: list[bytes], flips: list[tuple[int, int]],
                                     cuts: list[int], tail: bytes) -> None:
    """Valid masked messages, some bytes changed, random bytes after, fed in random pieces:
    FPNN bytes come out in order or the adapter's protocol error is raised, nothing else."""
    client, server = pair()
    wire = bytearray(client.send_frames(payloads)) + tail
    for at, value in flips:
        if wire:
            wire[at % len(wire)] = value
    out = bytearray()
    start = 0
    for cut in [*sorted(c % (len(wire) + 1) for c in cuts), len(wire)]:
        try:
            out += server.receive_data(bytes(wire[start:cut]))
        except WebSocketError:
            return
        server.data_to_send()
        start = cut
    if not flips and not tail:
        assert out == b"".join(payloads)


def test_wsproto_stays_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    """The FPNN core never imports wsproto; a ws:// endpoint without it is an ImportError
    naming the extra."""
    code = ("import sys, rtm.fpnn, rtm.fpnn.client, rtm.fpnn.server, rtm.server; "
            "assert 'wsproto' not in sys.modules, 'wsproto imported'; "
            "assert 'rtm.fpnn.websocket' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    from rtm.fpnn.client import FPNNClient

    for name in [n for n in sys.modules if n == "wsproto" or n.startswith("wsproto.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "rtm.fpnn.websocket")
    with pytest.raises(ImportError, match=r"rtm-server-sdk\[websocket\]"):
        FPNNClient("ws://127.0.0.1:13316/service/websocket")
    assert FPNNClient("127.0.0.1:13316").websocket is None
