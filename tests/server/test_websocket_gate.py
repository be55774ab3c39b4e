"""The end-user transport of the client and file gates: FPNN over WebSocket (and wss) on the
gate's own port, the gate's keep-alive pings, the login deadline and the connection bound
(client spec §1)."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from wsproto.events import BytesMessage, TextMessage

from helpers import async_wait_until
from rtm.enduser import AsyncEndUserClient
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Answer, FrameDecoder, Message, Quest, encode_quest
from rtm.fpnn.crypto import generate_private_key
from rtm.fpnn.errors import FPNNConnectionError
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.fpnn.websocket import WebSocketAdapter, WebSocketError
from rtm.server import RTMServer

from .conftest import API, PID, ServerFactory, User
from .test_file_identity import last_url
from .test_files import send_file

MSG = {"mtype": 51, "msg": "hello", "attrs": ""}
PATH = "/service/websocket"


def ws_url(endpoint: str, scheme: str = "ws") -> str:
    return f"{scheme}://{endpoint}{PATH}"


class RawPeer:
    """A byte-level client: FPNN on TCP, or inside WebSocket messages sent exactly as given
    (our adapter, client side). It answers nothing: what the server sends is recorded."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 ws: WebSocketAdapter | None) -> None:
        self.reader, self.writer, self.ws = reader, writer, ws
        self.decoder = FrameDecoder()
        self.received: list[Message] = []

    @classmethod
    async def open(cls, endpoint: str, *, websocket: bool = False, path: str = PATH,
                   rcvbuf: int | None = None) -> RawPeer:
        host, port = endpoint.rsplit(":", 1)
        sock = socket.socket()
        if rcvbuf is not None:  # a small receive window: a peer that stops reading is felt
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
        reader, writer = await asyncio.open_connection(sock=sock)
        peer = cls(reader, writer, None)
        if websocket:
            peer.ws = WebSocketAdapter(client=True, max_message_size=1 << 24, path=path)
            writer.write(peer.ws.start(endpoint))
            while not peer.ws.opened:
                data = await asyncio.wait_for(reader.read(65536), 5)
                assert data, "closed during the WebSocket handshake"
                peer.ws.receive_data(data)
        return peer

    def send(self, *chunks: bytes) -> None:
        """Each chunk is one WebSocket message (or plain bytes on TCP)."""
        if self.ws is None:
            self.writer.write(b"".join(chunks))
        else:
            self.writer.write(self.ws.send_frames(chunks))

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    async def read_until(self, predicate: Callable[[list[Message]], bool],
                         timeout: float = 5.0) -> list[Message]:
        async def loop() -> None:
            while not predicate(self.received):
                data = await self.reader.read(65536)
                if not data:
                    raise ConnectionError("closed by the server")
                if self.ws is not None:
                    data = self.ws.receive_data(data)
                self.received += self.decoder.feed(data)

        await asyncio.wait_for(loop(), timeout)
        return self.received

    async def closed_by_server(self, timeout: float = 10.0) -> None:
        """Read (and record) until the server closes the connection."""
        async def loop() -> None:
            while True:
                try:
                    data = await self.reader.read(65536)
                except ConnectionError:
                    return
                if not data:
                    return
                if self.ws is not None:
                    try:
                        data = self.ws.receive_data(data)
                    except WebSocketError:
                        continue
                    if self.ws.closed:
                        continue
                self.received += self.decoder.feed(data)

        await asyncio.wait_for(loop(), timeout)

    def answers(self) -> dict[int, Answer]:
        return {m.seq: m for m in self.received if isinstance(m, Answer)}

    def quests(self, method: str) -> list[Quest]:
        return [m for m in self.received if isinstance(m, Quest) and m.method == method]

    def close(self) -> None:
        self.writer.close()


async def token(api: API, uid: int) -> str:
    return str((await api("gettoken", uid=uid))["token"])


def server_side(server: RTMServer | FPNNServer) -> list[ServerConnection]:
    gate = server.client_gate if isinstance(server, RTMServer) else server
    return list(gate.connections.values())


# ---------------------------------------------------------------------- the client gate


async def test_websocket_user_logs_in_sends_and_gets_pushes(server: RTMServer,
                                                            api: API) -> None:
    web = User(ws_url(server.client_endpoint), 1)
    tcp = User(server.client_endpoint, 2)
    try:
        await web.login(api)
        await tcp.login(api)
        assert web.conn is not None and web.conn.websocket
        assert [c.websocket for c in server_side(server)].count(True) == 1
        sent = await web("sendmsg", MSG, to=2, mid=1)
        method, push = await tcp.pushes.next()
        assert (method, push["from"], push["mtime"]) == ("pushmsg", 1, sent["mtime"])
        await tcp("sendmsg", {**MSG, "msg": b"\x00bin"}, to=1, mid=2)
        method, push = await web.pushes.next()
        assert (method, push["from"], push["msg"]) == ("pushmsg", 2, b"\x00bin")
        assert await web("getonlineusers", uids=[1, 2, 3]) == {"uids": [1, 2]}
        # Per-connection memory of 10,000 users: everything a logged-in connection holds is
        # in its slots (an attribute outside them brings back a dict per connection), and a
        # WebSocket keeps no handshake state once open.
        for conn in server_side(server):
            assert vars(conn) == {}, sorted(vars(conn))
            ws = conn._ws
            assert ws is None or ws._hs is None
    finally:
        await web.close()
        await tcp.close()


async def test_file_gate_over_websocket(server: RTMServer, api: API) -> None:
    files = FPNNClient(ws_url(server.file_endpoint))
    try:
        answer = await send_file(api, files, "sendfile", {"to": 2}, b"file over ws")
        assert isinstance(answer["mtime"], int)
        got = await files.quest("getfile", api.signed(
            "getfile", url=await last_url(api, "getp2pmsg", uid=1, ouid=2)))
        assert got["file"] == b"file over ws"
        assert files.connection is not None and files.connection.websocket
    finally:
        await files.close()


async def test_frames_split_across_and_merged_in_messages(server: RTMServer,
                                                          api: API) -> None:
    raw = await RawPeer.open(server.client_endpoint, websocket=True)
    try:
        auth = encode_quest("auth", {"pid": PID, "uid": 7, "token": await token(api, 7)}, 1)
        ping = encode_quest("ping", {}, 2)
        rooms = encode_quest("getuserrooms", {}, 3)
        raw.send(auth[:3], auth[3:20], auth[20:])  # one frame over three messages
        await raw.read_until(lambda got: len(got) == 1)
        assert raw.answers()[1].payload == {"ok": True}
        # one message with a frame and a half, then the other half
        raw.send(ping + rooms[:9])
        raw.send(rooms[9:])
        await raw.read_until(lambda got: len(got) == 3)
        answers = raw.answers()
        assert answers[2].payload == {} and answers[3].payload == {"rooms": []}
    finally:
        raw.close()


async def test_other_path_is_404(server: RTMServer) -> None:
    with pytest.raises(WebSocketError, match="HTTP 404"):
        await RawPeer.open(server.client_endpoint, websocket=True, path="/other")
    client = FPNNClient(ws_url(server.client_endpoint).replace(PATH, "/nope"))
    with pytest.raises(FPNNConnectionError, match="HTTP 404"):
        await client.quest("ping")
    await client.close()
    await async_wait_until(lambda: not server_side(server), what="the refused connections gone")


@pytest.fixture
async def small_gate() -> AsyncIterator[FPNNServer]:
    """A bare WebSocket-capable FPNN server with small bounds."""
    gate = FPNNServer(websocket=True, max_frame_size=4096, max_write_buffer=64 * 1024)
    gate.register("echo", lambda conn, quest: dict(quest.payload))
    gate.register("big", lambda conn, quest: {"data": b"x" * 3000})
    await gate.start()
    yield gate
    await gate.close()


@pytest.mark.parametrize("case", ["text", "oversized", "bad fpnn frame", "bad ws frame",
                                  "key exchange"])
async def test_violations_close_the_connection(small_gate: FPNNServer, case: str) -> None:
    raw = await RawPeer.open(small_gate.endpoint, websocket=True)
    try:
        raw.send(encode_quest("echo", {"n": 1}, 1))
        await raw.read_until(lambda got: len(got) == 1)
        assert raw.answers()[1].payload == {"n": 1}
        ws = raw.ws._conn  # wsproto's connection, to send what our adapter never sends
        assert ws is not None
        if case == "text":
            raw.send_raw(ws.send(TextMessage("FPNN as text")))
        elif case == "oversized":
            raw.send_raw(ws.send(BytesMessage(b"\0" * 4097)))
        elif case == "bad fpnn frame":
            raw.send(b"XPNN" + b"\0" * 20)
        elif case == "bad ws frame":
            raw.send_raw(b"\x82\x05hello")  # unmasked: a client must mask
        else:
            key = generate_private_key("secp256k1").public_key()
            raw.send(encode_quest("*key", {"publicKey": key.raw, "streamMode": False,
                                            "bits": 128}, 2))
        await raw.closed_by_server()
        await async_wait_until(lambda: not small_gate.connections, what="server side closed")
    finally:
        raw.close()


async def test_messages_that_come_with_the_close_frame_are_read(small_gate: FPNNServer) -> None:
    """A peer's last messages and its close frame in one read (a kickout push, then the
    close): the messages are handled before the connection ends, as bytes before a FIN."""
    seen: list[int] = []
    small_gate.register("note", lambda conn, quest: seen.append(quest.payload["n"]) or {})
    raw = await RawPeer.open(small_gate.endpoint, websocket=True)
    try:
        assert raw.ws is not None
        notes = [encode_quest("note", {"n": n}, oneway=True) for n in (1, 2)]
        raw.send_raw(raw.ws.send_frames(notes) + raw.ws.close())  # one write, one read
        await raw.closed_by_server()
        await async_wait_until(lambda: not small_gate.connections, what="server side closed")
        assert seen == [1, 2]
    finally:
        raw.close()


async def test_websocket_peer_that_does_not_read_is_bounded(small_gate: FPNNServer) -> None:
    conns: list[ServerConnection] = []
    small_gate.on_connect = conns.append
    raw = await RawPeer.open(small_gate.endpoint, websocket=True, rcvbuf=4096)
    try:
        for seq in range(1, 6001):  # 18 MB of answers asked for, none read
            raw.send(encode_quest("big", {}, seq))
        await raw.writer.drain()
        await async_wait_until(lambda: conns and conns[0].closed, timeout=20,
                               what="the server giving up the non-reading peer")
        error = conns[0].session.close_error
        assert conns[0].websocket and error is not None and "not reading" in error.message
    finally:
        raw.close()


async def test_websocket_pending_quests_are_bounded() -> None:
    """Reading pauses while max_pending_quests quests are handled, as on TCP; every quest is
    answered in the end."""
    release = asyncio.Event()

    async def slow(conn: object, quest: object) -> dict[str, object]:
        await release.wait()
        return {}

    gate = FPNNServer(websocket=True, max_pending_quests=8)
    gate.register("slow", slow)
    await gate.start()
    raw = await RawPeer.open(gate.endpoint, websocket=True)
    try:
        n = 500  # 1 MB: several reads of at most 256 KiB
        for seq in range(1, n + 1):
            raw.send(encode_quest("slow", {"pad": b"x" * 2000}, seq))
        await async_wait_until(lambda: any(c._reading_paused for c in gate.connections.values()),
                               what="reading paused")
        [conn] = gate.connections.values()
        assert len(conn._tasks) <= 8 + 256 * 1024 // 2000 < n
        release.set()
        await raw.read_until(lambda got: len(got) == n, timeout=30)
        assert sorted(raw.answers()) == list(range(1, n + 1))
    finally:
        raw.close()
        await gate.close()


# ---------------------------------------------------------------------- wss


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


async def test_wss_with_a_self_signed_certificate(make_server: ServerFactory,
                                                  tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    server = await make_server(tls_cert=str(cert), tls_key=str(key))
    api = API(server.endpoint)
    trust = ssl.create_default_context(cafile=str(cert))
    secure = User(ws_url(server.client_endpoint, "wss"), 1)
    secure.client.ssl_context = trust
    plain_ws = User(ws_url(server.client_endpoint), 2)
    tcp = User(server.client_endpoint, 3)
    files = FPNNClient(ws_url(server.file_endpoint, "wss"), ssl_context=trust)
    untrusted = FPNNClient(ws_url(server.client_endpoint, "wss"))
    # the end-user client on wss (host:port, "ws" and TLS settings: wss) sends its files
    # over wss too, trusting the same certificate
    web = AsyncEndUserClient(server.client_endpoint, PID, 4, await token(api, 4),
                             transport="ws", ssl_context=trust)
    try:
        for user in (secure, plain_ws, tcp):  # three protocols on one port
            await user.login(api)
        assert [c.tls for c in server_side(server)].count(True) == 1
        await secure("sendmsg", MSG, to=3, mid=1)
        assert (await tcp.pushes.next())[1]["from"] == 1
        await tcp("sendmsg", MSG, to=1, mid=2)
        assert (await secure.pushes.next())[1]["from"] == 3
        answer = await send_file(api, files, "sendfile", {"to": 2}, b"file over wss")
        assert isinstance(answer["mtime"], int)
        with pytest.raises(FPNNConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            await untrusted.quest("ping")
        assert await web.login()
        assert [c.tls for c in server_side(server)].count(True) == 2
        mtime = await web.send_file(3, 50, b"from a wss user", filename="a.txt", mid=5)
        assert web._file_gates.clients.endpoints() == [ws_url(server.file_endpoint, "wss")]
        method, push = await tcp.pushes.next()
        assert (method, push["from"], push["mid"], push["mtime"]) == ("pushmsg", 4, 5, mtime)
    finally:
        await web.close()
        for client in (secure, plain_ws, tcp, api):
            await client.close()
        await files.close()
        await untrusted.close()


def test_tls_settings_are_checked(tmp_path: Path) -> None:
    from rtm.server import ServerConfig

    with pytest.raises(ValueError, match="tls_key needs tls_cert"):
        ServerConfig(tls_key="key.pem")
    with pytest.raises(ValueError, match="ssl_context is for wss"):
        FPNNClient("127.0.0.1:1", ssl_context=ssl.create_default_context())
    with pytest.raises(ValueError, match="FPNN encryption is not used on WebSocket"):
        FPNNClient("ws://127.0.0.1:1").enable_encryption(
            server_key=generate_private_key().public_key())
    with pytest.raises(ValueError, match="ws://host:port/path"):
        FPNNClient("http://127.0.0.1:1/x")


# ---------------------------------------------------------------------- pings and bounds


async def login_raw(raw: RawPeer, api: API, uid: int) -> None:
    raw.send(encode_quest("auth", {"pid": PID, "uid": uid, "token": await token(api, uid)}, 1))
    await raw.read_until(lambda got: 1 in raw.answers())
    assert raw.answers()[1].payload == {"ok": True}


async def test_gate_pings_and_closes_clients_that_do_not_answer(
        make_server: ServerFactory) -> None:
    server = await make_server(client_ping_interval=0.2, client_ping_timeout=1.5)
    api = API(server.endpoint)
    tcp = User(server.client_endpoint, 1)
    web = User(ws_url(server.client_endpoint), 2)
    silent = await RawPeer.open(server.client_endpoint)
    silent_ws = await RawPeer.open(server.client_endpoint, websocket=True)
    pinger = server.client_gate.pinger
    assert pinger is not None and pinger.interval == 0.2
    try:
        await tcp.login(api)
        await web.login(api)
        await login_raw(silent, api, 3)
        await login_raw(silent_ws, api, 4)
        await asyncio.gather(silent.closed_by_server(), silent_ws.closed_by_server())
        assert silent.quests("ping") and silent_ws.quests("ping")
        assert all(q.payload == {} and not q.oneway for q in silent.quests("ping"))
        assert pinger.closed_silent == 2
        # the answering clients stay, well past several intervals and the timeout
        sent = pinger.pings_sent
        await async_wait_until(lambda: pinger.pings_sent >= sent + 10, timeout=20,
                               what="ten more pings")
        assert tcp.conn is not None and web.conn is not None
        assert not tcp.conn.closed and not web.conn.closed and pinger.closed_silent == 2
        assert len(pinger) == 2
        assert await api("getonlineusers", uids=[1, 2, 3, 4]) == {"uids": [1, 2]}
        # the gate still answers its clients' own pings
        assert await tcp("ping") == {} and await web("ping") == {}
    finally:
        for client in (tcp, web, api):
            await client.close()
        silent.close()
        silent_ws.close()


async def test_login_timeout(make_server: ServerFactory) -> None:
    server = await make_server(client_login_timeout=1.0)
    api = API(server.endpoint)
    user = User(server.client_endpoint, 1)
    try:
        await user.login(api)
        idle = await RawPeer.open(server.client_endpoint)
        idle_ws = await RawPeer.open(server.client_endpoint, websocket=True)
        await asyncio.gather(idle.closed_by_server(), idle_ws.closed_by_server())
        assert user.conn is not None and not user.conn.closed
        assert await user("ping") == {}
    finally:
        await user.close()
        await api.close()


async def test_connection_bound(make_server: ServerFactory) -> None:
    server = await make_server(client_max_connections=2)
    gate = server.client_gate
    first = await RawPeer.open(server.client_endpoint)
    second = await RawPeer.open(server.client_endpoint, websocket=True)
    await async_wait_until(lambda: len(gate.connections) == 2, what="two connections")
    third = await RawPeer.open(server.client_endpoint)
    try:
        await third.closed_by_server()
        assert gate.refused == 1 and len(gate.connections) == 2
        first.close()
        await async_wait_until(lambda: len(gate.connections) == 1, what="a free place")
        user = User(server.client_endpoint, 1)
        assert await user("ping") == {}
        await user.close()
    finally:
        for peer in (first, second, third):
            peer.close()


@pytest.mark.parametrize("stream", [False, True], ids=["package", "stream"])
async def test_fpnn_encryption_on_the_client_gate(make_server: ServerFactory,
                                                  stream: bool) -> None:
    key = generate_private_key("secp256r1")
    server = await make_server(ecc_key=key)
    api = API(server.endpoint)
    secret = User(server.client_endpoint, 1)
    secret.client.enable_encryption(server_key=key.public_key(), bits=128, stream=stream)
    other = User(server.client_endpoint, 2)
    try:
        await secret.login(api)
        await other.login(api)
        assert secret.conn is not None and secret.conn.encrypted
        await secret("sendmsg", MSG, to=2, mid=1)
        assert (await other.pushes.next())[1]["from"] == 1
        await other("sendmsg", MSG, to=1, mid=2)
        assert (await secret.pushes.next())[1]["from"] == 2
    finally:
        for client in (secret, other, api):
            await client.close()


def test_rtm_server_flags() -> None:
    from rtm.server.__main__ import build_parser, config_from_args

    args = build_parser().parse_args([
        "--db", ":memory:", "--tls-cert", "c.pem", "--tls-key", "k.pem",
        "--client-ping-interval", "5", "--client-ping-timeout", "12",
        "--client-login-timeout", "0", "--client-max-connections", "7"])
    config = config_from_args(args)
    assert (config.tls_cert, config.tls_key) == ("c.pem", "k.pem")
    assert (config.client_ping_interval, config.client_ping_timeout) == (5.0, 12.0)
    assert config.client_login_timeout is None and config.client_max_connections == 7
    defaults = config_from_args(build_parser().parse_args(["--db", ":memory:"]))
    assert (defaults.client_ping_interval, defaults.client_ping_timeout) == (20.0, None)
    assert (defaults.client_login_timeout, defaults.client_max_connections) == (30.0, 20_000)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--client-max-connections", "0"])


async def test_port_the_web_sdk_rewrites_is_warned_about(
        make_server: ServerFactory, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="rtm.server")  # whatever an earlier test set
    try:
        await make_server(client_port=13325)
    except OSError as exc:  # taken on this machine: nothing to learn here
        pytest.skip(f"port 13325 is busy: {exc}")
    assert any("rewrites to 13321" in r.getMessage() for r in caplog.records)
