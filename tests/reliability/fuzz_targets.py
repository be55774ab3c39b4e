"""Fuzz targets shared by the hypothesis tests (``test_fuzz_props.py``) and the long-running
fuzzer (``fuzz/run.py``, atheris or the built-in mutator).

Each target has a structured form (``check_*``, what hypothesis drives) and a bytes form
(``TARGETS[name](data)``, what a byte fuzzer drives; it maps any bytes onto the structured
form). A target returns normally when the code under test behaved, and raises (usually an
AssertionError naming the rule) when it did not. The rules:

* ``frames`` - any byte stream, in any chunking, into a live server-gate connection of the
  local server (real handlers, real store): nothing escapes ``data_received``; the connection
  is either still open or aborted with an FPNNError; everything the server wrote decodes as
  FPNN answers to twoway quests it received; no answer is an internal error (200999, 20001)
  and nothing is logged at ERROR.
* ``params`` - any msgpack params (mutations of the golden quests of every command of the
  three gates, signed or not) straight into the gate handlers: the answer is a map that
  encodes, or an FPNNError with 10009/10010/20004 or an RTM code other than 200999.
* ``crypto`` - a ``*key`` handshake plus encrypted quests (stream or package mode, 128/256
  bits), optionally followed by garbage, in any chunking, into an encrypting server
  connection: valid quests are answered in order through the cipher; garbage closes the
  connection cleanly.
* ``push`` - any payload of any push method into the SDK's PushRouter: a monitor call with
  well-typed arguments, None, or an FPNNAnswerError 10009/10010/20004.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import itertools
import json
import logging
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec as _ec

from rtm.api.monitor import PushRouter, RTMServerMonitor
from rtm.enduser.commands import COMMANDS
from rtm.enduser.spec import Command, Kind
from rtm.fpnn import codec
from rtm.fpnn import errors as fe
from rtm.fpnn.codec import Answer, FrameDecoder, Quest, encode_quest
from rtm.fpnn.crypto import ClientKeyExchange, ServerPrivateKey, generate_private_key
from rtm.fpnn.errors import FPNNAnswerError, FPNNError
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.server import RTMServer, ServerConfig
from rtm.server.auth import sign_v1, sign_v2

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "data" / "golden"
FUZZ_PID = 80000071  # the pid of the golden quests, so their shapes pass as they are
FUZZ_SECRET = "fuzz-secret"

# ----------------------------------------------------------------------------- seeds


def _golden_value(v: dict[str, Any]) -> Any:
    value = v["value"]
    if v["type"] == "bin" and isinstance(value, str) and value.startswith("base64:"):
        return base64.b64decode(value[7:])
    return value


def golden_quests() -> list[tuple[str, dict[str, Any]]]:
    """(method, params) of every golden quest of the three SDK generations."""
    out: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for path in sorted(GOLDEN_DIR.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            params = {k: _golden_value(v) for k, v in entry["params"].items()}
            key = entry["method"] + json.dumps(sorted(params), default=str)
            if key not in seen:
                seen.add(key)
                out.append((entry["method"], params))
    return out


CLIENT_GATE_SEEDS: list[tuple[str, dict[str, Any]]] = [
    ("auth", {"pid": FUZZ_PID, "uid": 5, "token": "t", "version": "x"}),
    ("ping", {}),
    ("which", {}),
    ("whichall", {}),
    ("sendmsg", {"to": 6, "mid": 1, "mtype": 30, "msg": "m", "attrs": ""}),
    ("sendmsgs", {"tos": [6, 7], "mid": 2, "mtype": 30, "msg": "m", "attrs": ""}),
    ("sendgroupmsg", {"gid": 3, "mid": 3, "mtype": 30, "msg": "m", "attrs": ""}),
    ("sendroommsg", {"rid": 4, "mid": 4, "mtype": 52, "msg": b"\xff", "attrs": ""}),
    ("enterroom", {"rid": 4}),
    ("leaveroom", {"rid": 4}),
    ("getuserrooms", {}),
    ("getonlineusers", {"uids": [5, 6]}),
    ("filetoken", {"cmd": "sendfile", "to": 6}),
    ("kickout", {"ce": "127.0.0.1:1"}),
    ("bye", {}),
]

#: server-gate commands of later SDK generations, absent from the golden 0.1.0-era quests
SERVER_EXTRA_SEEDS: list[tuple[str, dict[str, Any]]] = [
    ("getmsg", {"pid": FUZZ_PID, "salt": 1, "sign": "", "mid": 1, "from": 1, "xid": 2,
                "type": 1}),
    ("removetoken", {"pid": FUZZ_PID, "salt": 1, "sign": "", "uid": 1}),
]

_GOLDEN: list[tuple[str, dict[str, Any]]] | None = None


def seeds() -> list[tuple[str, str, dict[str, Any]]]:
    """(gate, method, params) seeds: the golden server/file-gate quests and the client gate."""
    global _GOLDEN
    if _GOLDEN is None:
        _GOLDEN = golden_quests()
    file_cmds = {"sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"}
    out = [("file" if m in file_cmds else "server", m, p) for m, p in _GOLDEN]
    out += [("server", m, p) for m, p in SERVER_EXTRA_SEEDS]
    out.append(("file", "getfile", {"pid": FUZZ_PID, "salt": 1, "sign": "x",
                                    "fileid": "0" * 64}))
    out.append(("file", "uploadfile", {"pid": FUZZ_PID, "from": 5, "uid": 5, "token": "t",
                                       "mtype": 50, "mid": 1, "file": b"f",
                                       "attrs": '{"rtm":{"sign":"x","ext":"txt"}}'}))
    out += [("client", m, p) for m, p in CLIENT_GATE_SEEDS]
    seeded = {m for m, _ in CLIENT_GATE_SEEDS}
    out += [("client", c.method, described_quest(c)) for c in COMMANDS.values()
            if c.gate == "client" and c.method not in seeded]
    return out


#: A valid value of each kind of param, for the seeds made from descriptions.
_SAMPLES: dict[Kind, Any] = {
    Kind.ID: 6, Kind.INT: 1, Kind.I32: 1, Kind.BOOL: True, Kind.STR: "s",
    Kind.BODY: "m", Kind.BIN: b"b", Kind.IDS: [6, 7], Kind.INTS: [30], Kind.STRS: ["s"],
    Kind.STR_MAP: {"k": "v"},
}


def described_quest(command: Command) -> dict[str, Any]:
    """A quest with every param of ``command``'s description (the client commands no seed
    above lists: the fuzzer mutates these)."""
    return {p.key: _SAMPLES.get(p.kind, 1) for p in command.params}


def resign(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """The params with a valid sign for the fuzz project (v2 when they carry ``ts``)."""
    out = dict(params)
    salt = out.get("salt")
    if not isinstance(salt, int) or isinstance(salt, bool):
        return out
    ts = out.get("ts")
    if isinstance(ts, int) and not isinstance(ts, bool):
        out["sign"] = sign_v2(FUZZ_PID, FUZZ_SECRET, salt, method, ts)
    else:
        out["sign"] = sign_v1(FUZZ_PID, FUZZ_SECRET, salt)
    return out


# ----------------------------------------------------------------------------- environment


class FakeTransport(asyncio.Transport):
    """Collects what a connection writes; records close/abort and reading pauses."""

    def __init__(self) -> None:
        super().__init__()
        self.out = bytearray()
        self.closing = False
        self.aborted = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self.closing:
            self.out += data

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = self.aborted = True

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 13315)}.get(
            name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Env:
    """One event loop with a started local server (in-memory) and an encrypting FPNN server,
    reused by every input (starting them per input would dwarf the work)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.errors = _ErrorLog()
        logging.getLogger("rtm").addHandler(self.errors)
        # the fuzzed connections' warnings ("closing connection ...") are expected noise
        logging.getLogger("rtm.server").setLevel(logging.ERROR)
        self.rtm = RTMServer(ServerConfig(port=0, client_port=0, file_port=0,
                                          projects={FUZZ_PID: FUZZ_SECRET},
                                          push_timeout=0.05, max_file_size=65536))
        self.loop.run_until_complete(self.rtm.start())
        self.key: ServerPrivateKey = generate_private_key("secp256k1")
        self.client_key = _ec.derive_private_key(0x5EED, _ec.SECP256K1())
        self.key_server = FPNNServer(private_key=self.key, max_frame_size=1 << 16,
                                     logger=logging.getLogger("rtm.fuzz.keyserver"))
        logging.getLogger("rtm.fuzz.keyserver").setLevel(logging.CRITICAL)
        self.key_server.register("echo", lambda conn, q: q.payload)
        self.uids = itertools.count(1000)

    def gate(self, name: str) -> FPNNServer:
        gate = getattr(self.rtm, f"_{name}_gate")
        assert gate is not None
        return gate  # type: ignore[no-any-return]

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def connect(self, server: FPNNServer) -> tuple[ServerConnection, FakeTransport]:
        async def make() -> tuple[ServerConnection, FakeTransport]:
            conn = ServerConnection(server)
            transport = FakeTransport()
            conn.connection_made(transport)
            return conn, transport

        result: tuple[ServerConnection, FakeTransport] = self.run(make())
        return result

    async def settle(self, rounds: int = 20) -> None:
        """Let handler tasks and store round trips finish."""
        for _ in range(rounds):
            await asyncio.sleep(0)
        await asyncio.sleep(0.001)
        for _ in range(rounds):
            await asyncio.sleep(0)

    def close(self) -> None:
        self.run(self.rtm.close())
        logging.getLogger("rtm").removeHandler(self.errors)
        self.loop.close()


_env: Env | None = None
_env_lock = threading.Lock()


def env() -> Env:
    global _env
    with _env_lock:
        if _env is None:
            _env = Env()
        return _env


def close_env() -> None:
    global _env
    with _env_lock:
        if _env is not None:
            _env.close()
            _env = None


def _fail_on_logged_errors(e: Env, what: str) -> None:
    if e.errors.records:
        record = e.errors.records[0]
        e.errors.records.clear()
        raise AssertionError(f"{what}: logged an error: {record.getMessage()} "
                             f"{record.exc_info[1] if record.exc_info else ''!r}")


_BUG_CODES = frozenset({200999, fe.CORE_UNKNOWN_ERROR})


def _check_error_code(code: int, what: str) -> None:
    assert code not in _BUG_CODES, f"{what}: internal error answer {code}"
    assert code in (fe.PROTO_KEY_NOT_FOUND, fe.PROTO_TYPE_CONVERT, fe.CORE_UNKNOWN_METHOD) or (
        200000 < code < 200999), f"{what}: unexpected error code {code}"


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]


# ----------------------------------------------------------------------------- frames


def check_frames(chunks: list[bytes], gate: str = "server") -> None:
    e = env()
    conn, transport = e.connect(e.gate(gate))

    async def feed() -> None:
        for chunk in chunks:
            if conn.closed:
                break
            conn.data_received(chunk)  # must never raise
            await asyncio.sleep(0)
        await e.settle()

    try:
        e.run(feed())
        if conn.closed:
            assert transport.aborted or transport.closing
            close_exc = conn._close_exc
            assert close_exc is None or isinstance(close_exc, FPNNError), repr(close_exc)
        received = FrameDecoder().feed(b"".join(chunks)) if not conn.closed else None
        out = FrameDecoder(1 << 26).feed(bytes(transport.out))
        for msg in out:
            if isinstance(msg, Answer):
                if msg.is_error:
                    _check_error_code(msg.error_code, f"answer {msg.payload}")
            else:  # a push the server sent us (we are a listener): fine, unanswered
                assert isinstance(msg, Quest) and msg.method.startswith("push"), msg
        if received is not None:
            twoway = [q for q in received if isinstance(q, Quest) and not q.oneway]
            answered = [m for m in out if isinstance(m, Answer)]
            assert len(answered) <= len(twoway)
        _fail_on_logged_errors(e, "frames")
    finally:
        e.run(_close(conn))


async def _close(conn: ServerConnection) -> None:
    conn.close()
    await asyncio.sleep(0)


def frames_from_bytes(data: bytes) -> None:
    """Bytes form: byte 0 picks the gate and the chunking, the rest is the stream."""
    if not data:
        return
    gate = ("server", "client", "file")[data[0] % 3]
    rng = random.Random(data[0])
    body = data[1:]
    cuts = [rng.randrange(len(body) + 1) for _ in range(data[0] % 7)]
    check_frames(split(body, cuts), gate)


# ----------------------------------------------------------------------------- params


async def _call_handler(e: Env, gate: str, method: str, payload: dict[Any, Any],
                        login_uid: int | None) -> Any:
    server = e.gate(gate)
    handler = server.handlers.get(method)
    conn = ServerConnection(server)
    conn.connection_made(FakeTransport())
    if login_uid is not None:
        e.rtm.core.hub.login(conn, FUZZ_PID, login_uid)
    try:
        if handler is None:
            raise FPNNError(f"Unknow method:{method}", fe.CORE_UNKNOWN_METHOD)
        result = handler(conn, Quest(method, payload, 1))
        if inspect.isawaitable(result):  # a coroutine, or a future (the send path)
            result = await result
        return result
    finally:
        conn.close()
        await asyncio.sleep(0)


def check_params(gate: str, method: str, payload: dict[Any, Any], *,
                 login_uid: int | None = None) -> Any:
    """Call one handler; the rules of ``params`` (module doc). Returns the answer or the
    error code."""
    e = env()
    what = f"{gate} {method} {payload!r:.300}"
    try:
        answer = e.run(_call_handler(e, gate, method, payload, login_uid))
    except FPNNError as exc:
        _check_error_code(exc.code, what)
        _fail_on_logged_errors(e, what)
        return exc.code
    # any other exception propagates: a bug
    assert answer is None or isinstance(answer, dict), f"{what}: answer {answer!r}"
    codec.encode_answer(1, answer)  # the answer must be encodable
    e.run(e.settle(2))
    _fail_on_logged_errors(e, what)
    return answer


_SCALARS: list[Any] = [None, True, False, 0, -1, 1, 2**31, -(2**63), 2**64 - 1, 1.5, "",
                       "x", "0", b"", b"\xff", [], [1, -2], ["a"], {}, {"k": 1}, [None],
                       "\ud800".encode("utf-8", "surrogatepass"), 127, 128, -129, 2**15]


def mutate_params(rng: random.Random, params: dict[str, Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = dict(params)
    keys = list(out)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        if op == 0 and keys:
            out.pop(rng.choice(keys), None)
        elif op in (1, 2) and keys:
            out[rng.choice(keys)] = rng.choice(_SCALARS)
        elif op == 3:
            out[rng.choice(["x", "uids", "all", "ts", "ce", b"to", "version"])] = rng.choice(
                _SCALARS)
        elif op == 4 and keys:
            key = rng.choice(keys)
            value = out.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                out[key] = rng.choice([0, -value, value + 1, 2**63 - 1, 300, 21000])
            # (sizes stay within what one 8 MiB frame can carry)
            elif isinstance(value, (str, bytes)):
                out[key] = (value * rng.choice([0, 2, 3000]))[:70_000]
            elif isinstance(value, list):
                out[key] = (value * rng.choice([0, 2, 101, 2001]))[:5000]
        else:
            pass  # keep as is
    return out


def _wire_payload(data: bytes) -> dict[Any, Any] | None:
    """``data`` decoded exactly as a received payload is (None if the codec rejects it): a
    byte fuzzer must not feed values the wire can never deliver."""
    try:
        return codec.decode_payload(data, codec.FLAG_MSGPACK)
    except FPNNError:
        return None


def params_from_bytes(data: bytes) -> None:
    """Bytes form: byte 0 picks the seed, byte 1 the options; the rest is either a msgpack
    map used as the params, or the seed of a mutation of the picked golden params."""
    if len(data) < 2:
        return
    all_seeds = seeds()
    gate, method, params = all_seeds[data[0] % len(all_seeds)]
    options = data[1]
    rest = data[2:]
    payload: dict[Any, Any] | None = None
    if options & 1:
        obj = _wire_payload(rest)
        if obj is not None:
            payload = {**params, **obj} if options & 2 else obj
    if payload is None:
        payload = mutate_params(random.Random(rest), params)
    if gate != "client" and options & 4 and all(isinstance(k, str) for k in payload):
        payload = resign(method, payload)
    check_params(gate, method, payload,
                 login_uid=5 if gate == "client" and options & 8 else None)


# ----------------------------------------------------------------------------- crypto


def check_crypto(stream: bool, bits: int, payloads: list[dict[str, Any]], garbage: bytes,
                 cuts: list[int]) -> None:
    e = env()
    kx = ClientKeyExchange(e.key.public_key(), bits=bits, stream=stream,
                           client_private_key=e.client_key)
    enc, dec = kx.make_ciphers(1 << 16)
    frames = [encode_quest("echo", p, seq) for seq, p in enumerate(payloads, 2)]
    wire = encode_quest("*key", kx.key_quest_payload(), 1) + (
        enc.encrypt_frames(frames) if frames else b"") + garbage
    conn, transport = e.connect(e.key_server)

    async def feed() -> None:
        for chunk in split(wire, cuts):
            if conn.closed:
                break
            conn.data_received(chunk)
        await e.settle(3)

    try:
        e.run(feed())
        out = FrameDecoder(1 << 20).feed(dec.feed(bytes(transport.out)))
        answers = [m for m in out if isinstance(m, Answer)]
        assert answers and answers[0].seq == 1 and not answers[0].is_error, "no *key answer"
        echoed = answers[1:]
        expected = [(seq, codec.decode_payload(codec.encode_payload(p), 0x80))
                    for seq, p in enumerate(payloads, 2)]
        if not garbage:
            assert not conn.closed, "valid encrypted quests closed the connection"
            assert [(a.seq, a.payload) for a in echoed] == expected
        else:
            # whatever was answered before the garbage is the right prefix, in order
            assert [(a.seq, a.payload) for a in echoed] == expected[:len(echoed)]
            if conn.closed:
                assert transport.aborted
    finally:
        e.run(_close(conn))


def crypto_from_bytes(data: bytes) -> None:
    """Bytes form: byte 0 = mode/bits/#quests, then quest bodies and garbage."""
    if not data:
        return
    head = data[0]
    stream, bits = bool(head & 1), 256 if head & 2 else 128
    n = (head >> 2) % 5
    rest = data[1:]
    payloads: list[dict[str, Any]] = []
    for i in range(n):
        size = rest[0] if rest else 0
        body, rest = rest[1:1 + size], rest[1 + size:]
        payloads.append({"i": i, "b": body})
    garbage = rest if head & 0x80 else b""
    rng = random.Random(data)
    cuts = [rng.randrange(4096) for _ in range(rng.randrange(6))]
    check_crypto(stream, bits, payloads, garbage, cuts)


# ----------------------------------------------------------------------------- pushes


class _TypedMonitor(RTMServerMonitor):
    pass


_ROUTER = PushRouter(_TypedMonitor())
PUSH_METHODS = ("pushmsg", "pushgroupmsg", "pushroommsg", "pushevent", "ping", "kickout")


def check_push(method: str, payload: Any) -> None:
    try:
        target = _ROUTER.route(method, payload)
    except FPNNAnswerError as exc:
        assert exc.code in (fe.PROTO_KEY_NOT_FOUND, fe.PROTO_TYPE_CONVERT,
                            fe.CORE_UNKNOWN_METHOD), exc
        return
    if target is None:
        return
    fn, args = target
    if method == "pushevent":
        pid, event, uid, time_, endpoint, data = args
        assert all(isinstance(v, int) and not isinstance(v, bool) for v in (pid, uid, time_))
        assert all(isinstance(v, str) for v in (event, endpoint, data))
    else:
        from_uid, target_id, mtype, mid, msg, attrs, mtime = args
        assert all(isinstance(v, int) and not isinstance(v, bool)
                   for v in (from_uid, target_id, mtype, mid, mtime))
        assert -128 <= mtype <= 127
        assert isinstance(msg, (str, bytes)) and isinstance(attrs, (str, bytes))
    fn(*args)


def push_from_bytes(data: bytes) -> None:
    if not data:
        return
    method = PUSH_METHODS[data[0] % len(PUSH_METHODS)]
    payload = _wire_payload(data[1:])
    if payload is not None:
        check_push(method, payload)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "frames": frames_from_bytes,
    "params": params_from_bytes,
    "crypto": crypto_from_bytes,
    "push": push_from_bytes,
}
