"""Property tests of the FPNN frame decoder: hostile input and payload round trips."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtm.fpnn import codec
from rtm.fpnn.codec import FLAG_JSON, Answer, FrameDecoder, Quest, encode_answer, encode_quest
from rtm.fpnn.errors import FPNNProtocolError

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEED_FRAMES: list[bytes] = [
    encode_quest("sendmsg", {"pid": 11000001, "sign": "0123", "salt": 2**60, "to": 200,
                             "msg": "hello", "attrs": "", "bin": b"\x00\xff"}, 2),
    encode_quest("notify", {"uid": 123, "event": "login"}, oneway=True),
    encode_quest("*ping", None, 3),
    encode_answer(3, {"ts": 1700000000000}),
    encode_answer(2, {"code": 20004, "ex": "Unknow method:sendmsg"}, status=1),
    encode_answer(1, None),
    encode_quest("j", {"a": [1, 2, {"b": None}]}, 4, flag=FLAG_JSON),
    encode_quest("nested", {"m": {1: [1.5, -1, True], "k": {"x": b"y"}}}, 5),
]


def feed_in_chunks(data: bytes, cuts: list[int]) -> list[object]:
    """Feed ``data`` split at ``cuts``; stop at the first protocol error (the connection would
    be closed). Anything else raised is a bug and propagates to fail the test."""
    return decode_until_error(data, cuts)[0]


def decode_until_error(data: bytes, cuts: list[int]) -> tuple[list[object], bool]:
    decoder = FrameDecoder(max_frame_size=1 << 16)
    out: list[object] = []
    start = 0
    for cut in [*sorted(c % (len(data) + 1) for c in cuts), len(data)]:
        try:
            out += decoder.feed(data[start:cut])
        except FPNNProtocolError as exc:
            assert str(exc)
            return out, True
        start = cut
    return out, False


def assert_plain(value: object) -> None:
    """Only the types msgpack/JSON map to (no Timestamp, no ExtType)."""
    assert type(value) in (type(None), bool, int, float, str, bytes, list, dict), type(value)
    if isinstance(value, list):
        for item in value:
            assert_plain(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_plain(key)
            assert_plain(item)


def assert_only_messages(out: list[object]) -> None:
    for msg in out:
        assert type(msg) in (Quest, Answer), type(msg)
        assert isinstance(msg, (Quest, Answer)) and isinstance(msg.payload, dict)
        assert_plain(msg.payload)
        if isinstance(msg, Quest):
            assert isinstance(msg.method, str) and 0 < len(msg.method.encode()) < 256
            assert msg.seq == 0 if msg.oneway else 0 <= msg.seq < 2**32
        else:
            assert 0 <= msg.status < 256 and 0 <= msg.seq < 2**32


cuts_st = st.lists(st.integers(min_value=0, max_value=10_000), max_size=12)


@FUZZ
@given(data=st.binary(max_size=600), cuts=cuts_st)
def test_random_bytes(data: bytes, cuts: list[int]) -> None:
    assert_only_messages(feed_in_chunks(data, cuts))


@FUZZ
@given(body=st.binary(max_size=300), head=st.sampled_from(SEED_FRAMES), cuts=cuts_st)
def test_random_bytes_after_a_valid_header(body: bytes, head: bytes, cuts: list[int]) -> None:
    # A real header with a random body reaches the payload decoder far more often.
    assert_only_messages(feed_in_chunks(head[:12] + body, cuts))


@st.composite
def mutated_stream(draw: st.DrawFn) -> bytes:
    frames = draw(st.lists(st.sampled_from(SEED_FRAMES), min_size=1, max_size=4))
    data = bytearray(b"".join(frames))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if not data:
            break
        pos = draw(st.integers(min_value=0, max_value=len(data) - 1))
        if kind == "flip":
            data[pos] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif kind == "set":
            data[pos] = draw(st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0xC1, 0xD4, 0xFF]))
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(min_value=1, max_value=8))]
        else:
            del data[pos:]
    return bytes(data)


@FUZZ
@given(data=mutated_stream(), cuts=cuts_st)
def test_mutated_valid_frames(data: bytes, cuts: list[int]) -> None:
    assert_only_messages(feed_in_chunks(data, cuts))


@FUZZ
@given(data=mutated_stream(), cuts=cuts_st)
def test_mutations_decode_the_same_in_any_chunking(data: bytes, cuts: list[int]) -> None:
    # Byte by byte yields every frame completed before the first error. A chunk that holds the
    # error loses the frames decoded before it in that chunk (the connection closes anyway), so
    # other chunkings yield a prefix of that, and exactly that when no error occurs.
    most, most_failed = decode_until_error(data, list(range(len(data))))
    for split in ([], cuts):
        out, failed = decode_until_error(data, split)
        assert failed == most_failed
        # repr: a mutated float may be NaN, which never equals itself
        assert repr(out) == repr(most[: len(out)])
        if not failed:
            assert repr(out) == repr(most)


# ---------------------------------------------------------------------------- round trips

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.binary(max_size=40)
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10) | st.integers(-1000, 1000), children, max_size=5),
    max_leaves=30,
)
payloads = st.dictionaries(st.text(max_size=12), values, max_size=8)
flat_payloads = st.dictionaries(st.text(max_size=8), scalars, max_size=4)
methods = st.text(min_size=1, max_size=60).filter(lambda m: len(m.encode()) < 256)
seqs = st.integers(min_value=0, max_value=2**32 - 1)


def same(a: Any, b: Any) -> bool:
    """Equality that also tells 0.0 from -0.0 and keeps types (True is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


@FUZZ
@given(method=methods, payload=payloads, seq=seqs, oneway=st.booleans(), cuts=cuts_st)
def test_quest_round_trip(
    method: str, payload: dict[str, Any], seq: int, oneway: bool, cuts: list[int]
) -> None:
    frame = encode_quest(method, payload, seq, oneway=oneway)
    (msg,) = feed_in_chunks(frame, cuts)
    assert isinstance(msg, Quest)
    assert (msg.method, msg.seq, msg.oneway, msg.version, msg.flag) == (
        method, 0 if oneway else seq, oneway, codec.VERSION, codec.FLAG_MSGPACK)
    assert same(msg.payload, payload)


@FUZZ
@given(payload=payloads, seq=seqs, status=st.integers(0, 255), version=st.integers(0, 255))
def test_answer_round_trip(payload: dict[str, Any], seq: int, status: int, version: int) -> None:
    frame = encode_answer(seq, payload, status=status, version=version)
    (msg,) = FrameDecoder().feed(frame)
    assert isinstance(msg, Answer)
    assert (msg.seq, msg.status, msg.version) == (seq, status, version)
    assert same(msg.payload, payload)


@FUZZ
@given(batch=st.lists(st.tuples(methods, flat_payloads, seqs), min_size=1, max_size=6),
       cuts=cuts_st)
def test_many_frames_round_trip_in_random_chunks(
    batch: list[tuple[str, dict[str, Any], int]], cuts: list[int]
) -> None:
    data = b"".join(encode_quest(m, p, s) for m, p, s in batch)
    out = feed_in_chunks(data, cuts)
    assert len(out) == len(batch)
    for msg, (method, payload, seq) in zip(out, batch, strict=True):
        assert isinstance(msg, Quest) and (msg.method, msg.seq) == (method, seq)
        assert same(msg.payload, payload)
