"""FPNN frame codec (spec sections 2 to 5) against the vectors and hand-built frames.

Frames under test are built here byte by byte (``raw_frame``), independently of the encoder,
so the decoder is never only checked against its own twin.
"""

from __future__ import annotations

import json
import random
import struct
from typing import Any

import msgpack
import pytest

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import (
    DEFAULT_MAX_FRAME_SIZE,
    FLAG_JSON,
    FLAG_MSGPACK,
    Answer,
    FrameDecoder,
    Quest,
    decode_payload,
    encode_answer,
    encode_error_answer,
    encode_message,
    encode_quest,
    frame_size,
)
from rtm.fpnn.errors import FPNNError, FPNNProtocolError

Vector = tuple[str, dict[str, Any]]


# ---------------------------------------------------------------------------- helpers


def raw_frame(
    mtype: int,
    payload: bytes,
    *,
    method: bytes = b"m",
    seq: int = 7,
    status: int = 0,
    version: int = 1,
    flag: int = FLAG_MSGPACK,
    magic: bytes = b"FPNN",
    psize: int | None = None,
) -> bytes:
    """A frame laid out as spec 2.1 says, without going through the encoder."""
    declared = len(payload) if psize is None else psize
    if mtype == codec.MTYPE_ANSWER:
        head = struct.pack("<4sBBBBI", magic, version, flag, mtype, status, declared)
        return head + struct.pack("<I", seq) + payload
    head = struct.pack("<4sBBBBI", magic, version, flag, mtype, len(method), declared)
    if mtype == codec.MTYPE_ONEWAY:
        return head + method + payload
    return head + struct.pack("<I", seq) + method + payload


def quest_frame(payload: bytes, **kwargs: Any) -> bytes:
    return raw_frame(codec.MTYPE_TWOWAY, payload, **kwargs)


def decode_one(data: bytes, **kwargs: Any) -> codec.Message:
    messages = FrameDecoder(**kwargs).feed(data)
    assert len(messages) == 1, messages
    return messages[0]


def decode_quest_payload(payload: bytes) -> dict[str, Any]:
    msg = decode_one(quest_frame(payload))
    assert isinstance(msg, Quest)
    return msg.payload


def with_bins(value: Any) -> Any:
    """Vector JSON shows bytes as {"bin": hex}; turn those back into bytes."""
    if isinstance(value, dict):
        if len(value) == 1 and "bin" in value:
            return bytes.fromhex(value["bin"])
        return {k: with_bins(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_bins(v) for v in value]
    return value


def expected_message(decoded: dict[str, Any]) -> codec.Message:
    payload = with_bins(decoded["payload"])
    if decoded["mtype"] == codec.MTYPE_ANSWER:
        return Answer(decoded["seq"], payload, decoded["status"], decoded["version"],
                      decoded["flag"])
    return Quest(decoded["method"], payload, decoded.get("seq", 0),
                 decoded["mtype"] == codec.MTYPE_ONEWAY, decoded["version"], decoded["flag"])


def protocol_error(data: bytes, match: str, **kwargs: Any) -> FPNNProtocolError:
    with pytest.raises(FPNNProtocolError, match=match) as info:
        FrameDecoder(**kwargs).feed(data)
    return info.value


# ---------------------------------------------------------------------------- vectors


def test_decode_every_frame_vector(frame_vector: Vector) -> None:
    name, entry = frame_vector
    msg = decode_one(bytes.fromhex(entry["hex"]))
    if "decoded" in entry:
        assert msg == expected_message(entry["decoded"])
    else:  # the C++ *key quest: publicKey packed as str, order publicKey/streamMode/bits
        assert name == "key_quest_cpp_client_dummy_key"
        assert msg == Quest("*key", {"publicKey": "\x11" * 64, "streamMode": False, "bits": 128},
                            seq=1)


def test_canonical_vectors_encode_byte_exact(canonical_vector: Vector) -> None:
    _name, entry = canonical_vector
    wire = bytes.fromhex(entry["hex"])
    expected = expected_message(entry["decoded"])  # JSON order = the listed insertion order
    assert encode_message(expected) == wire
    assert encode_message(decode_one(wire)) == wire  # decoding keeps the key order too


def test_canonical_vectors_through_the_public_encoders(canonical_vector: Vector) -> None:
    _name, entry = canonical_vector
    wire = bytes.fromhex(entry["hex"])
    msg = expected_message(entry["decoded"])
    if isinstance(msg, Quest):
        encoded = encode_quest(msg.method, msg.payload, msg.seq, oneway=msg.oneway)
    elif msg.status and set(msg.payload) <= {"code", "ex", "raiser"}:
        encoded = encode_error_answer(msg.seq, msg.payload["code"], msg.payload["ex"],
                                      raiser=msg.payload.get("raiser"))
    else:
        encoded = encode_answer(msg.seq, msg.payload, status=msg.status)
    assert encoded == wire


def test_go_sdk_encoding_decodes_to_the_same_content(go_sdk_vector: Vector) -> None:
    _name, entry = go_sdk_vector
    go_msg = decode_one(bytes.fromhex(entry["go_sdk_hex"]))
    assert go_msg == expected_message(entry["decoded"])
    assert go_msg == decode_one(bytes.fromhex(entry["hex"]))
    assert entry["go_sdk_identical"] == (entry["go_sdk_hex"] == entry["hex"])


def test_vector_sets_are_not_empty(fpnn_vectors: dict[str, Any]) -> None:
    assert len(fpnn_vectors["frames"]) >= 11
    assert fpnn_vectors["go_only_frames"] and fpnn_vectors["cpp_only_frames"]


# ---------------------------------------------------------------------------- payload types

INT_FORMS = [
    ("positive fixint 0", b"\x00", 0),
    ("positive fixint 127", b"\x7f", 127),
    ("negative fixint -1", b"\xff", -1),
    ("negative fixint -32", b"\xe0", -32),
    ("u8", b"\xcc\xc8", 200),
    ("u8 small", b"\xcc\x05", 5),
    ("u16", b"\xcd\xff\xff", 65535),
    ("u32", b"\xce\xff\xff\xff\xff", 2**32 - 1),
    ("u64", b"\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 2**64 - 1),
    ("i8", b"\xd0\x80", -128),
    ("i8 positive", b"\xd0\x05", 5),
    ("i16", b"\xd1\x00\x80", 128),  # Go: int 128
    ("i16 negative", b"\xd1\x80\x00", -32768),
    ("i32", b"\xd2\x00\x00\xff\xff", 65535),
    ("i32 negative", b"\xd2\x80\x00\x00\x00", -(2**31)),
    ("i64", b"\xd3\x11\x22\x10\xf4\x7d\xe9\x81\x15", 1234567890123456789),
    ("i64 negative", b"\xd3\x80\x00\x00\x00\x00\x00\x00\x00", -(2**63)),
]


@pytest.mark.parametrize(("encoded", "value"), [(e, v) for _n, e, v in INT_FORMS],
                         ids=[n for n, _e, _v in INT_FORMS])
def test_every_msgpack_int_family_is_accepted(encoded: bytes, value: int) -> None:
    assert decode_quest_payload(b"\x81\xa1n" + encoded) == {"n": value}


def test_go_signed_error_code_gives_the_same_error_code() -> None:
    payload = b"\x82\xa4code\xd1\x4e\x24\xa2ex\xa1x"  # code 20004 packed as int16, as Go does
    msg = decode_one(raw_frame(codec.MTYPE_ANSWER, payload, status=1))
    assert isinstance(msg, Answer)
    assert msg.is_error and msg.error_code == 20004 and msg.error_message == "x"


STR_FORMS = [
    ("fixstr", b"\xa3abc"),
    ("str8", b"\xd9\x03abc"),
    ("str16", b"\xda\x00\x03abc"),
    ("str32", b"\xdb\x00\x00\x00\x03abc"),
]
BIN_FORMS = [
    ("bin8", b"\xc4\x03abc"),
    ("bin16", b"\xc5\x00\x03abc"),
    ("bin32", b"\xc6\x00\x00\x00\x03abc"),
]


@pytest.mark.parametrize("encoded", [e for _n, e in STR_FORMS], ids=[n for n, _e in STR_FORMS])
def test_str_forms_decode_to_str(encoded: bytes) -> None:
    assert decode_quest_payload(b"\x81\xa1s" + encoded) == {"s": "abc"}


@pytest.mark.parametrize("encoded", [e for _n, e in BIN_FORMS], ids=[n for n, _e in BIN_FORMS])
def test_bin_forms_decode_to_bytes(encoded: bytes) -> None:
    assert decode_quest_payload(b"\x81\xa1s" + encoded) == {"s": b"abc"}


def test_str_keys_may_arrive_as_str8() -> None:
    assert decode_quest_payload(b"\x81\xd9\x03key\x01") == {"key": 1}


def test_nested_maps_may_have_integer_keys() -> None:
    assert decode_quest_payload(b"\x81\xa1m\x82\x01\xa1a\xff\xa1b") == {"m": {1: "a", -1: "b"}}


def test_float32_and_float64_are_accepted() -> None:
    payload = b"\x82\xa1f\xca" + struct.pack(">f", 1.5) + b"\xa1d\xcb" + struct.pack(">d", -0.25)
    assert decode_quest_payload(payload) == {"f": 1.5, "d": -0.25}


def test_invalid_utf8_in_a_str_yields_bytes() -> None:
    bad = b"\xff\xfe\x00\xc3"
    payload = b"\x81\xa3key\xa4" + bad
    assert decode_quest_payload(payload) == {"key": bad}


def test_invalid_utf8_keeps_the_types_of_every_other_value() -> None:
    # bin that happens to be valid UTF-8 must stay bytes, valid str must stay str
    payload = msgpack.packb({"bad": "PLACEHOLDER", "bin": b"abc", "txt": "h\u00e9",
                             "list": [b"x", "y"]}, use_bin_type=True)
    payload = payload.replace(b"\xabPLACEHOLDER", b"\xa2\xc3\x28")  # str with invalid UTF-8
    assert decode_quest_payload(payload) == {
        "bad": b"\xc3\x28", "bin": b"abc", "txt": "h\u00e9", "list": [b"x", "y"]}


def test_invalid_utf8_in_a_key_or_nested_value_yields_bytes() -> None:
    payload = b"\x82\xa2\xff\xfe\x01\xa1n\x91\x81\xa1k\xa1\x80"
    assert decode_quest_payload(payload) == {b"\xff\xfe": 1, "n": [{"k": b"\x80"}]}


def test_encoded_surrogates_in_a_str_yield_bytes() -> None:
    surrogate = "\ud800".encode("utf-8", "surrogatepass")  # ED A0 80: not valid UTF-8
    assert decode_quest_payload(b"\x81\xa1s\xa3" + surrogate) == {"s": surrogate}


def test_invalid_utf8_method_name_is_a_protocol_error() -> None:
    protocol_error(quest_frame(b"\x80", method=b"\xff"), "method")


def test_nil_bool_array_and_map_values() -> None:
    assert decode_quest_payload(b"\x84\xa1n\xc0\xa1t\xc3\xa1f\xc2\xa1a\x92\x01\x80") == {
        "n": None, "t": True, "f": False, "a": [1, {}]}


# ---------------------------------------------------------------------------- JSON flag


def test_json_quest_is_encoded_with_flag_0x40() -> None:
    frame = encode_quest("get", {"a": 1, "b": "x"}, 5, flag=FLAG_JSON)
    assert frame[5] == FLAG_JSON
    assert json.loads(frame[12 + 4 + 3:]) == {"a": 1, "b": "x"}
    assert decode_one(frame) == Quest("get", {"a": 1, "b": "x"}, 5, flag=FLAG_JSON)


def test_json_answer_round_trip_and_empty_json_payload() -> None:
    frame = encode_answer(3, {"ok": [1, 2]}, flag=FLAG_JSON)
    assert frame[5] == FLAG_JSON
    assert decode_one(frame) == Answer(3, {"ok": [1, 2]}, flag=FLAG_JSON)
    empty = encode_answer(4, None, flag=FLAG_JSON)
    assert empty.endswith(b"{}") and decode_one(empty) == Answer(4, {}, flag=FLAG_JSON)


def test_hand_built_json_frames_decode() -> None:
    text = b'{"uid": 12, "name": "\\u00e9"}'
    msg = decode_one(raw_frame(codec.MTYPE_ONEWAY, text, method=b"hi", flag=FLAG_JSON))
    assert msg == Quest("hi", {"uid": 12, "name": "\u00e9"}, 0, True, flag=FLAG_JSON)


def test_json_error_answer_keeps_the_flag() -> None:
    msg = decode_one(encode_error_answer(9, 20004, "nope", flag=FLAG_JSON))
    assert isinstance(msg, Answer)
    assert msg.flag == FLAG_JSON and msg.error_code == 20004 and msg.error_message == "nope"


def test_malformed_json_payload() -> None:
    err = protocol_error(quest_frame(b"{not json", flag=FLAG_JSON), "JSON")
    assert err.code == ec.PROTO_JSON_CONVERT
    err = protocol_error(quest_frame(b"\xff\xfe", flag=FLAG_JSON), "JSON")
    assert err.code == ec.PROTO_JSON_CONVERT


def test_json_root_must_be_a_map() -> None:
    err = protocol_error(quest_frame(b"[1, 2]", flag=FLAG_JSON), "map")
    assert err.code == ec.PROTO_MAP_VALUE


# ---------------------------------------------------------------------------- header fields


def test_encoder_sends_version_1() -> None:
    assert encode_quest("m", {}, 1)[4] == 1
    assert encode_quest("m", {}, oneway=True)[4] == 1
    assert encode_answer(1, {})[4] == 1
    assert encode_error_answer(1, 1, "x")[4] == 1


@pytest.mark.parametrize("version", [0, 1, 9, 255])
def test_decoder_accepts_any_version(version: int) -> None:
    assert decode_one(quest_frame(b"\x80", version=version)) == Quest("m", {}, 7, version=version)
    answer = decode_one(raw_frame(codec.MTYPE_ANSWER, b"\x80", version=version))
    assert answer == Answer(7, {}, version=version)


def test_answer_echoes_the_version_it_is_given() -> None:
    assert encode_answer(1, {}, version=0)[4] == 0  # C++ copies the quest's version


@pytest.mark.parametrize("payload", [None, {}])
def test_empty_payload_encodes_to_the_empty_map(payload: dict[str, Any] | None) -> None:
    quest = encode_quest("m", payload, 1)
    assert quest[-1:] == b"\x80" and struct.unpack_from("<I", quest, 8)[0] == 1
    oneway = encode_quest("m", payload, oneway=True)
    assert oneway == raw_frame(codec.MTYPE_ONEWAY, b"\x80")
    answer = encode_answer(1, payload)
    assert answer[-1:] == b"\x80" and struct.unpack_from("<I", answer, 8)[0] == 1


def test_oneway_frames_carry_no_seq() -> None:
    assert encode_quest("notify", {"a": 1}, 99, oneway=True) == raw_frame(
        codec.MTYPE_ONEWAY, b"\x81\xa1a\x01", method=b"notify")


def test_answer_status_nonzero_is_an_error() -> None:
    msg = decode_one(raw_frame(codec.MTYPE_ANSWER, b"\x82\xa4code\x05\xa2ex\xa1e", status=7))
    assert isinstance(msg, Answer) and msg.is_error and msg.status == 7
    assert msg.error_code == 5 and msg.error_message == "e"


# ---------------------------------------------------------------------------- framing errors


@pytest.mark.parametrize("mtype", [codec.MTYPE_ONEWAY, codec.MTYPE_TWOWAY, codec.MTYPE_ANSWER])
def test_zero_payload_size_is_a_protocol_error(mtype: int) -> None:
    protocol_error(raw_frame(mtype, b""), "payload size 0")


def test_bad_magic() -> None:
    err = protocol_error(quest_frame(b"\x80", magic=b"FPNX"), "magic")
    assert err.code == ec.PROTO_NOT_SUPPORTED
    protocol_error(b"GET / HTTP/1.1\r\n\r\n", "magic")


@pytest.mark.parametrize("flag", [0x00, 0xC0, 0x20, 0x10, 0x90, 0xFF])
def test_bad_flag(flag: int) -> None:
    err = protocol_error(quest_frame(b"\x80", flag=flag), "flag")
    assert err.code == ec.PROTO_NOT_SUPPORTED


@pytest.mark.parametrize("mtype", [3, 4, 0x7F, 0xFF])
def test_bad_mtype(mtype: int) -> None:
    head = struct.pack("<4sBBBBI", b"FPNN", 1, FLAG_MSGPACK, mtype, 1, 1)
    err = protocol_error(head + b"\x00\x00\x00\x00m\x80", "mtype")
    assert err.code == ec.PROTO_METHOD_TYPE


@pytest.mark.parametrize("mtype", [codec.MTYPE_ONEWAY, codec.MTYPE_TWOWAY])
def test_empty_method(mtype: int) -> None:
    protocol_error(raw_frame(mtype, b"\x80", method=b""), "method")


@pytest.mark.parametrize(
    ("payload", "kind"),
    [(b"\x90", "list"), (b"\x01", "int"), (b"\xa1x", "str"), (b"\xc0", "NoneType"),
     (b"\xc4\x01x", "bytes")],
)
def test_payload_root_must_be_a_map(payload: bytes, kind: str) -> None:
    err = protocol_error(quest_frame(payload), f"payload root must be a map, got {kind}")
    assert err.code == ec.PROTO_MAP_VALUE
    protocol_error(raw_frame(codec.MTYPE_ANSWER, payload), "map")


@pytest.mark.parametrize("payload", [b"\x80\x00", b"\x81\xa1a\x01\xc0", b"\x80\x80"])
def test_trailing_garbage_inside_psize(payload: bytes) -> None:
    protocol_error(quest_frame(payload), "payload")
    protocol_error(raw_frame(codec.MTYPE_ANSWER, payload), "payload")


@pytest.mark.parametrize("payload", [b"\x81\xa1a", b"\x81", b"\x81\xa1a\xcd\x01", b"\xc1"])
def test_truncated_or_invalid_msgpack_inside_psize(payload: bytes) -> None:
    protocol_error(quest_frame(payload), "payload")


@pytest.mark.parametrize(
    "ext",
    [b"\xd4\x01\x00", b"\xd5\x02\x00\x00", b"\xd6\x03" + bytes(4), b"\xd7\x04" + bytes(8),
     b"\xd8\x05" + bytes(16), b"\xc7\x02\x06ab", b"\xc8\x00\x01\x07a", b"\xc9\x00\x00\x00\x00\x08",
     b"\xd6\xff\x00\x00\x00\x01",  # type -1 = msgpack timestamp
     b"\xd7\xff" + bytes(8), b"\xc7\x0c\xff" + bytes(12), b"\xc7\x00\xff"],
    ids=lambda b: b[:3].hex(),
)
def test_extension_types_are_rejected(ext: bytes) -> None:
    protocol_error(quest_frame(b"\x81\xa1e" + ext), "payload")
    protocol_error(quest_frame(b"\x81\xa1e\x91" + ext), "extension|payload")  # nested


def test_extension_error_names_extension_types() -> None:
    protocol_error(quest_frame(b"\x81\xa1e\xd6\xff\x00\x00\x00\x01"), "extension")
    protocol_error(quest_frame(b"\x81\xa1e\xd4\x01\x00"), "extension")


def test_extension_type_inside_invalid_utf8_payload_is_rejected() -> None:
    protocol_error(quest_frame(b"\x82\xa1e\xd4\x01\x00\xa1s\xa1\xff"), "payload")


def test_method_name_lengths_decode() -> None:
    msg = decode_one(quest_frame(b"\x80", method=b"x" * 255))
    assert isinstance(msg, Quest) and msg.method == "x" * 255


# ---------------------------------------------------------------------------- frame size


def test_oversized_header_raises_after_12_bytes_without_buffering() -> None:
    head = struct.pack("<4sBBBBI", b"FPNN", 1, FLAG_MSGPACK, codec.MTYPE_TWOWAY, 1, 1 << 30)
    decoder = FrameDecoder()
    for byte in head[:-1]:
        assert decoder.feed(bytes([byte])) == []
        assert decoder.buffered <= codec.HEADER_SIZE
    with pytest.raises(FPNNProtocolError, match="maximum frame size"):
        decoder.feed(head[-1:])
    assert decoder.buffered <= codec.HEADER_SIZE


def test_oversized_header_in_one_chunk_with_some_body() -> None:
    head = struct.pack("<4sBBBBI", b"FPNN", 1, FLAG_MSGPACK, codec.MTYPE_ANSWER, 0, 1 << 30)
    decoder = FrameDecoder()
    with pytest.raises(FPNNProtocolError, match="maximum frame size"):
        decoder.feed(head + bytes(1000))
    assert decoder.buffered < 2000


@pytest.mark.parametrize("mtype", [codec.MTYPE_ONEWAY, codec.MTYPE_TWOWAY, codec.MTYPE_ANSWER])
def test_max_frame_size_is_inclusive(mtype: int) -> None:
    frame = raw_frame(mtype, b"\x81\xa1b\xc4\x10" + bytes(16))
    assert len(FrameDecoder(max_frame_size=len(frame)).feed(frame)) == 1
    with pytest.raises(FPNNProtocolError, match="maximum frame size"):
        FrameDecoder(max_frame_size=len(frame) - 1).feed(frame)


def test_default_max_frame_size_is_8_mib() -> None:
    assert DEFAULT_MAX_FRAME_SIZE == 8 * 1024 * 1024
    assert FrameDecoder().max_frame_size == DEFAULT_MAX_FRAME_SIZE


def test_large_frame_in_many_chunks() -> None:
    blob = bytes(range(256)) * 4096  # 1 MiB
    frame = encode_quest("big", {"blob": blob}, 1)
    decoder = FrameDecoder()
    out: list[codec.Message] = []
    for i in range(0, len(frame), 1000):
        out += decoder.feed(frame[i:i + 1000])
    assert out == [Quest("big", {"blob": blob}, 1)]
    assert decoder.buffered == 0


def test_frame_size_helper() -> None:
    frame = encode_quest("abc", {"x": 1}, 3)
    assert frame_size(frame[:11]) is None
    assert frame_size(frame[:12]) == len(frame)
    assert frame_size(frame + b"FPNN") == len(frame)
    assert frame_size(encode_quest("abc", None, oneway=True)) == 12 + 3 + 1
    assert frame_size(encode_answer(1, None)) == 12 + 4 + 1
    with pytest.raises(FPNNProtocolError, match="magic"):
        frame_size(b"XXXX" + frame[4:])
    with pytest.raises(FPNNProtocolError, match="mtype"):
        frame_size(frame[:6] + b"\x05" + frame[7:])
    with pytest.raises(FPNNProtocolError, match="maximum frame size"):
        frame_size(frame, max_frame_size=len(frame) - 1)


# ---------------------------------------------------------------------------- chunked feeding


@pytest.fixture(scope="module")
def stream(fpnn_vectors: dict[str, Any]) -> tuple[bytes, list[codec.Message]]:
    """Every vector frame (and Go variant), a 70 kB frame and a JSON frame, three times."""
    frames: list[bytes] = []
    for section in ("frames", "go_only_frames", "cpp_only_frames"):
        for entry in fpnn_vectors[section].values():
            frames.append(bytes.fromhex(entry["hex"]))
            if "go_sdk_hex" in entry:
                frames.append(bytes.fromhex(entry["go_sdk_hex"]))
    frames.append(encode_quest("big", {"blob": bytes(70_000)}, 77))
    frames.append(encode_quest("json", {"j": [1]}, 78, flag=FLAG_JSON))
    messages = [decode_one(f) for f in frames]
    return b"".join(frames) * 3, messages * 3


def _feed_chunks(data: bytes, cuts: list[int]) -> list[codec.Message]:
    decoder = FrameDecoder()
    out: list[codec.Message] = []
    start = 0
    for cut in [*sorted(cuts), len(data)]:
        out += decoder.feed(data[start:cut])
        start = cut
    assert decoder.buffered == 0
    return out


Stream = tuple[bytes, list[codec.Message]]


def test_all_frames_in_one_chunk(stream: Stream) -> None:
    data, messages = stream
    assert FrameDecoder().feed(data) == messages


def test_one_byte_at_a_time(stream: Stream) -> None:
    data, messages = stream
    assert _feed_chunks(data, list(range(1, len(data)))) == messages


@pytest.mark.parametrize("seed", range(20))
def test_random_splits(seed: int, stream: Stream) -> None:
    data, messages = stream
    rng = random.Random(seed)
    cuts = rng.sample(range(1, len(data)), rng.choice([1, 5, 50, 500]))
    assert _feed_chunks(data, cuts) == messages


def test_split_inside_every_header_position() -> None:
    frame = encode_quest("m", {"a": 1}, 2)
    for cut in range(1, len(frame)):
        assert _feed_chunks(frame * 2, [cut, len(frame) + cut]) == [decode_one(frame)] * 2


def test_empty_chunks_are_harmless() -> None:
    frame = encode_answer(1, {"a": 1})
    decoder = FrameDecoder()
    assert decoder.feed(b"") == []
    assert decoder.feed(frame[:5]) == []
    assert decoder.feed(b"") == []
    assert decoder.feed(frame[5:]) == [Answer(1, {"a": 1})]


def test_decoder_accepts_bytearray_and_memoryview_chunks() -> None:
    frame = encode_answer(1, {"a": "b"})
    assert FrameDecoder().feed(bytearray(frame)) == [Answer(1, {"a": "b"})]  # type: ignore[arg-type]
    decoder = FrameDecoder()
    assert decoder.feed(memoryview(frame)[:3]) == []  # type: ignore[arg-type]
    assert decoder.feed(memoryview(frame)[3:]) == [Answer(1, {"a": "b"})]  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- encoder limits


def test_encode_quest_refuses_frames_over_the_maximum() -> None:
    payload = {"b": bytes(100)}
    size = len(encode_quest("m", payload, 1))
    assert len(encode_quest("m", payload, 1, max_frame_size=size)) == size
    with pytest.raises(FPNNError, match="maximum frame size") as info:
        encode_quest("m", payload, 1, max_frame_size=size - 1)
    assert info.value.code == ec.CORE_ENCODING
    with pytest.raises(FPNNError, match="maximum frame size"):
        encode_quest("m", payload, oneway=True, max_frame_size=size - 5)
    with pytest.raises(FPNNError, match="maximum frame size"):
        encode_quest("m", {"b": bytes(DEFAULT_MAX_FRAME_SIZE)}, 1)


def test_encode_answer_refuses_frames_over_the_maximum() -> None:
    with pytest.raises(FPNNError, match="maximum frame size"):
        encode_answer(1, {"b": bytes(100)}, max_frame_size=100)


@pytest.mark.parametrize("method", ["", "x" * 256, "\u00e9" * 128, "\u20ac" * 86])
def test_encode_quest_refuses_bad_method_lengths(method: str) -> None:
    with pytest.raises(ValueError, match="method name"):
        encode_quest(method, {}, 1)
    with pytest.raises(ValueError, match="method name"):
        encode_quest(method, {}, oneway=True)


@pytest.mark.parametrize("method", ["x", "x" * 255, "\u00e9" * 127, "*ping"])
def test_encode_quest_accepts_1_to_255_byte_methods(method: str) -> None:
    assert decode_one(encode_quest(method, {}, 1)) == Quest(method, {}, 1)


def test_unencodable_payload_is_an_encoding_error() -> None:
    with pytest.raises(FPNNError) as info:
        encode_quest("m", {"x": object()}, 1)
    assert info.value.code == ec.CORE_ENCODING
    with pytest.raises(FPNNError) as info:
        encode_quest("m", {"x": 2**64}, 1)
    assert info.value.code == ec.CORE_ENCODING
    with pytest.raises(FPNNError) as info:
        encode_answer(1, {"x": b"raw"}, flag=FLAG_JSON)
    assert info.value.code == ec.CORE_ENCODING


def test_encoder_recovers_after_an_unencodable_payload() -> None:
    # The msgpack packer is reused between calls: a failure must not leave bytes behind.
    with pytest.raises(FPNNError):
        encode_quest("m", {"a": [1, 2, object()]}, 1)
    assert encode_quest("m", {"a": 1}, 7) == quest_frame(b"\x81\xa1a\x01")


@pytest.mark.parametrize("payload", [["a"], "text", 5, b"\x80", (1, 2)])
def test_non_map_payloads_are_refused_before_sending(payload: object) -> None:
    bad: Any = payload
    with pytest.raises(FPNNError, match="payload must be a map") as info:
        encode_quest("m", bad, 1)
    assert info.value.code == ec.CORE_ENCODING
    with pytest.raises(FPNNError, match="payload must be a map"):
        encode_quest("m", bad, oneway=True)
    with pytest.raises(FPNNError, match="payload must be a map"):
        encode_answer(1, bad)


def test_any_mapping_is_a_map_payload() -> None:
    from collections import OrderedDict
    from types import MappingProxyType

    assert encode_quest("m", MappingProxyType({"a": 1}), 7) == quest_frame(  # type: ignore[arg-type]
        b"\x81\xa1a\x01")
    assert encode_quest("m", OrderedDict(a=1), 7) == quest_frame(b"\x81\xa1a\x01")
    assert encode_answer(1, MappingProxyType({}))[-1:] == b"\x80"  # type: ignore[arg-type]


def test_encode_message_round_trips_every_kind() -> None:
    messages: list[codec.Message] = [
        Quest("a", {"x": 1}, 5),
        Quest("b", {"y": [1, "2", b"3"]}, 0, oneway=True),
        Answer(5, {"z": None}),
        Answer(6, {"code": 1, "ex": "bad"}, status=1, version=0),
        Quest("c", {"j": 1}, 8, flag=FLAG_JSON),
    ]
    for msg in messages:
        assert decode_one(encode_message(msg)) == msg


def test_decode_payload_directly() -> None:
    assert decode_payload(b"\x81\xa1a\x01", FLAG_MSGPACK) == {"a": 1}
    assert decode_payload(memoryview(b'{"a": 1}'), FLAG_JSON) == {"a": 1}
    with pytest.raises(FPNNProtocolError, match="payload"):
        decode_payload(b"", FLAG_MSGPACK)


# ---------------------------------------------------------------------------- Answer accessors


def test_answer_error_defaults() -> None:
    answer = Answer(1, {}, status=1)
    assert answer.is_error
    assert answer.error_code == ec.PROTO_UNKNOWN_ERROR == 10001
    assert answer.error_message == "unknown error"
    assert answer.raiser is None


@pytest.mark.parametrize("code", [None, "20004", True, 1.5, [1]])
def test_answer_unusable_code_falls_back_to_10001(code: object) -> None:
    assert Answer(1, {"code": code, "ex": "e"}, status=1).error_code == 10001


@pytest.mark.parametrize(("ex", "text"), [(b"bytes ex", "bytes ex"), (b"\xff", "\ufffd"),
                                          (None, "unknown error"), (5, "unknown error")])
def test_answer_error_message_variants(ex: object, text: str) -> None:
    assert Answer(1, {"code": 1, "ex": ex}, status=1).error_message == text


def test_answer_raiser_and_unknown_keys() -> None:
    answer = Answer(2, {"code": 20004, "ex": "Unknow method:x", "raiser": "demo", "extra": 1},
                    status=1)
    assert (answer.error_code, answer.error_message, answer.raiser) == (
        20004, "Unknow method:x", "demo")
    assert Answer(2, {"raiser": 5}, status=1).raiser is None


def test_ok_answer_is_not_an_error() -> None:
    assert not Answer(1, {"code": 5}).is_error


def test_error_answer_encoding_layout() -> None:
    frame = encode_error_answer(2, 20004, "Unknow method:sendmsg", raiser="demo")
    msg = decode_one(frame)
    assert isinstance(msg, Answer)
    assert msg.status == codec.STATUS_ERROR
    assert list(msg.payload) == ["code", "ex", "raiser"]
    assert (msg.error_code, msg.error_message, msg.raiser) == (20004, "Unknow method:sendmsg",
                                                               "demo")
