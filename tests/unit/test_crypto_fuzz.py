"""Property tests: the FPNN encryption layer round-trips under any TCP chunking."""

from __future__ import annotations

import hashlib
import itertools
import struct
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtm.fpnn.crypto import Decryptor, Encryptor, derive_key_iv
from rtm.fpnn.errors import FPNNProtocolError

SECRET = hashlib.sha256(b"fpnn fuzz secret").digest()
MAX = 4096

frames_st = st.lists(st.binary(min_size=1, max_size=600), max_size=12)
cuts_st = st.lists(st.integers(min_value=0, max_value=8000), max_size=20)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def _pair(bits: int, stream: bool, max_size: int = MAX) -> tuple[Encryptor, Decryptor]:
    key, iv = derive_key_iv(SECRET, bits)
    return (
        Encryptor(key, iv, stream=stream),
        Decryptor(key, iv, stream=stream, max_package_size=max_size),
    )


@settings(max_examples=150, deadline=None)
@given(
    frames=frames_st,
    groups=st.lists(st.integers(min_value=0, max_value=12), max_size=5),
    cuts=cuts_st,
    bits=st.sampled_from([128, 256]),
    stream=st.booleans(),
)
def test_round_trip_any_chunking(
    frames: list[bytes], groups: list[int], cuts: list[int], bits: int, stream: bool
) -> None:
    enc, dec = _pair(bits, stream)
    # Frames are handed to the encryptor in several batches, as a writer would.
    bounds = [0, *sorted(g % (len(frames) + 1) for g in groups), len(frames)]
    wire = b"".join(enc.encrypt_frames(frames[a:b]) for a, b in itertools.pairwise(bounds))
    expected = b"".join(frames)
    out = b"".join(dec.feed(chunk) for chunk in _split(wire, cuts))
    assert out == expected
    assert dec.buffered == 0


@settings(max_examples=100, deadline=None)
@given(frames=frames_st, cuts=cuts_st, bits=st.sampled_from([128, 256]))
def test_package_boundaries_preserved(frames: list[bytes], cuts: list[int], bits: int) -> None:
    # In package mode every frame decrypts independently: each feed returns whole frames only.
    enc, dec = _pair(bits, stream=False)
    wire = enc.encrypt_frames(frames)
    assert len(wire) == sum(4 + len(f) for f in frames)
    outputs = [dec.feed(chunk) for chunk in _split(wire, cuts)]
    joined = b"".join(outputs)
    assert joined == b"".join(frames)
    ends = {sum(len(f) for f in frames[:i]) for i in range(len(frames) + 1)}
    pos = 0
    for piece in outputs:
        pos += len(piece)
        assert pos in ends


@settings(max_examples=200, deadline=None)
@given(garbage=st.binary(max_size=3000), cuts=cuts_st, bits=st.sampled_from([128, 256]))
def test_garbage_into_package_decryptor(garbage: bytes, cuts: list[int], bits: int) -> None:
    _, dec = _pair(bits, stream=False, max_size=512)
    for chunk in _split(garbage, cuts):
        try:
            out = dec.feed(chunk)
        except FPNNProtocolError:
            return
        assert isinstance(out, bytes)
    assert dec.buffered < 4 + 512


@settings(max_examples=100, deadline=None)
@given(
    declared=st.integers(min_value=MAX + 1, max_value=0xFFFFFFFF),
    before=st.lists(st.binary(min_size=1, max_size=100), max_size=3),
    split=st.integers(min_value=0, max_value=3),
)
def test_oversize_prefix_raises_before_body(declared: int, before: list[bytes], split: int) -> None:
    enc, dec = _pair(128, stream=False)
    for frame in before:
        assert dec.feed(enc.encrypt_frames([frame])) == frame
    prefix = struct.pack("<I", declared)
    # Only the prefix is sent (possibly in two pieces): the error must not wait for the body.
    assert dec.feed(prefix[:split]) == b""
    with pytest.raises(FPNNProtocolError, match=f"length {declared} is invalid"):
        dec.feed(prefix[split:])


def test_large_declared_length_is_not_preallocated() -> None:
    key, iv = derive_key_iv(SECRET, 128)
    dec = Decryptor(key, iv, stream=False, max_package_size=0xFFFFFFFF)
    tracemalloc.start()
    try:
        assert dec.feed(struct.pack("<I", 0xFFFFFFFF) + b"x" * 10) == b""
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert dec.buffered == 14
    assert peak < 64 * 1024
