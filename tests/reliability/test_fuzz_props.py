"""Property tests (issue item 3) on the live server objects: the frame decoder behind a real
server-gate connection, the param validation of every command of the three gates, the
crypto framing of an encrypting connection, and the SDK's push validation. The rules are in
``fuzz_targets``; ``make soak`` runs the same targets for minutes (``fuzz/run.py``) and
its corpus is replayed here.

(The sans-IO decoder and cipher objects alone are fuzzed in tests/unit/test_codec_fuzz.py and
tests/unit/test_crypto_fuzz.py.)"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_targets import (
    FUZZ_PID,
    PUSH_METHODS,
    TARGETS,
    check_crypto,
    check_frames,
    check_params,
    check_push,
    close_env,
    env,
    mutate_params,
    resign,
    seeds,
    split,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtm.fpnn.codec import encode_quest
from server.replay_pending import PENDING, PENDING_FORMS

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus"
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def _env() -> Iterator[None]:
    yield
    close_env()


# msgpack-encodable values of every family
scalars = (st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1)
           | st.floats(allow_nan=False) | st.text(max_size=20) | st.binary(max_size=20))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=8)
SEEDS = seeds()


def _pending_form(method: str, params: dict[str, Any]) -> bool:
    """The current form a known command does not accept yet (``PENDING_FORMS``)."""
    return method == "addgroupban" and "gid" not in params
seed_st = st.sampled_from(SEEDS)


def test_seeds_cover_every_command() -> None:
    """The params fuzzing reaches every command registered on each gate; the seeds of
    commands the server does not answer yet are exactly those of ``replay_pending``."""
    e = env()
    for gate in ("server", "client", "file"):
        registered = set(e.gate(gate).handlers) - {"*ping"}
        seeded = {m for g, m, _ in SEEDS if g == gate}
        assert seeded - PENDING == registered, gate
    assert len({m for g, m, _ in SEEDS}) >= 43 + 13


@pytest.mark.parametrize("seed", SEEDS, ids=[f"{g}-{m}-{i}" for i, (g, m, _) in
                                              enumerate(SEEDS)])
def test_what_the_sdks_send_passes_validation(seed: tuple[str, str, dict[str, Any]]) -> None:
    """The golden quests of Go 0.1.0, Go latest and the official Python SDK, re-signed for
    the fuzz project: never a missing-key/type error, never an internal error."""
    gate, method, params = seed
    if method in PENDING or (method in PENDING_FORMS and _pending_form(method, params)):
        pytest.skip(f"{method}: not answered in this form yet (server/replay_pending.py)")
    payload = resign(method, params) if gate != "client" else params
    result = check_params(gate, method, payload, login_uid=5 if gate == "client" else None)
    if isinstance(result, int):
        assert result not in (10009, 10010), (method, result)


@FUZZ
@given(seed=seed_st, data=st.data())
def test_every_command_validates_any_params(seed: tuple[str, str, dict[str, Any]],
                                            data: st.DataObject) -> None:
    gate, method, params = seed
    payload: dict[Any, Any] = dict(params)
    for key in list(payload):
        action = data.draw(st.sampled_from(["keep", "keep", "drop", "replace"]))
        if action == "drop":
            del payload[key]
        elif action == "replace":
            payload[key] = data.draw(values)
    payload.update(data.draw(st.dictionaries(st.sampled_from(
        ["x", "all", "ts", "uids", "events", "ce", "version", "desc"]), values, max_size=2)))
    if gate != "client" and data.draw(st.booleans()):
        payload = resign(method, payload)
    check_params(gate, method, payload,
                 login_uid=5 if gate == "client" and data.draw(st.booleans()) else None)


@FUZZ
@given(seed=seed_st, rnd=st.randoms(use_true_random=False))
def test_every_command_survives_structural_mutations(seed: tuple[str, str, dict[str, Any]],
                                                     rnd: random.Random) -> None:
    """Boundary values: 0 and negative ids, i8/i16/i32 overflows, huge strings and lists."""
    gate, method, params = seed
    payload = mutate_params(rnd, params)
    if gate != "client":
        payload = resign(method, payload)
    check_params(gate, method, payload, login_uid=5 if gate == "client" else None)


def _seed_frames() -> list[bytes]:
    out = []
    for seq, (gate, method, params) in enumerate(SEEDS[:60], 1):
        if gate == "server":
            out.append(encode_quest(method, resign(method, params), seq))
    out.append(encode_quest("*ping", None, 999))
    out.append(encode_quest("addlisten", resign("addlisten", {"pid": FUZZ_PID, "salt": 1,
                                                              "sign": "", "p2p": True}), 998))
    out.append(encode_quest("sendmsg", {"x": 1}, oneway=True))
    return out


FRAMES = _seed_frames()


@st.composite
def frame_streams(draw: st.DrawFn) -> bytes:
    frames = draw(st.lists(st.sampled_from(FRAMES), min_size=1, max_size=6))
    stream = bytearray(b"".join(frames))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.integers(0, 3))
        pos = draw(st.integers(0, max(len(stream) - 1, 0)))
        if op == 0 and stream:
            stream[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == 1:
            del stream[pos:]
        elif op == 2:
            stream[pos:pos] = draw(st.binary(max_size=16))
        else:
            stream[pos:pos + 4] = draw(st.sampled_from(
                [b"\xff\xff\xff\x7f", b"\x00\x00\x00\x00", b"\x00\x00\x80\x00", b"FPNN"]))
    return bytes(stream)


@FUZZ
@given(stream=frame_streams(), cuts=st.lists(st.integers(0, 5000), max_size=8),
       gate=st.sampled_from(["server", "client", "file"]))
def test_any_byte_stream_into_a_live_connection(stream: bytes, cuts: list[int],
                                                gate: str) -> None:
    check_frames(split(stream, cuts), gate)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=st.booleans(), bits=st.sampled_from([128, 256]),
       payloads=st.lists(st.dictionaries(st.text(max_size=4), scalars, max_size=3),
                         max_size=5),
       garbage=st.one_of(st.just(b""), st.binary(min_size=1, max_size=64)),
       cuts=st.lists(st.integers(0, 3000), max_size=8))
def test_crypto_framing_in_any_chunking(stream: bool, bits: int,
                                        payloads: list[dict[str, Any]], garbage: bytes,
                                        cuts: list[int]) -> None:
    check_crypto(stream, bits, payloads, garbage, cuts)


push_keys = st.sampled_from(["from", "to", "gid", "rid", "mtype", "mid", "msg", "attrs",
                             "mtime", "pid", "event", "uid", "time", "endpoint", "data"])


@FUZZ
@given(method=st.sampled_from(PUSH_METHODS),
       payload=st.one_of(st.dictionaries(push_keys, values, max_size=10), values))
def test_push_validation(method: str, payload: Any) -> None:
    check_push(method, payload)


def _corpus_files() -> list[tuple[str, Path]]:
    return [(target, path) for target in sorted(TARGETS)
            for path in sorted((CORPUS / target).glob("*")) if path.is_file()]


def test_the_fuzz_corpus_replays_clean() -> None:
    """Every input of fuzz/corpus (the seeds and every crash ever found) passes its target."""
    files = _corpus_files()
    assert {t for t, _ in files} == set(TARGETS), "a target has no corpus"
    for target, path in files:
        try:
            TARGETS[target](path.read_bytes())
        except Exception as exc:
            raise AssertionError(f"{target} {path.name}: {exc!r}") from exc


def test_the_fuzz_driver_runs(tmp_path: Path) -> None:
    """fuzz/run.py itself (the built-in engine, one second on one target)."""
    out = tmp_path / "fuzz.json"
    proc = subprocess.run(
        [sys.executable, str(CORPUS.parent / "run.py"), "--engine", "random", "--seconds", "1",
         "--target", "push", "--json", str(out), "--artifacts", str(tmp_path)],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())["push"]
    assert result["iterations"] > 1000 and result["crashes"] == 0, result
