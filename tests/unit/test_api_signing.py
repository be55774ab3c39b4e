"""Signatures (spec §1.2/1.3), salts, message ids (§1.4) and RTMCore construction."""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
import time
from typing import Any

import pytest
from typing_check_api import PID, SECRET, FakeSyncClient

from rtm.api import MidGenerator, RTMCore, SaltGenerator, Signer, sign_v1, sign_v2, signing


def test_sign_v1_vector() -> None:
    assert sign_v1(11000001, "secret-key-123", 1563789451123456789) == (
        "1E043BEB9A15B111BE9C9AFF2197B979"
    )


def test_sign_v2_vector() -> None:
    assert sign_v2(11000001, "secret-key-123", 1563789451123456789, "sendmsg", 1571389808) == (
        "91BAABB1AE308F8E2D6F59BC2E4D2255"
    )


def test_signer_v1_params_and_sign() -> None:
    signer = Signer(PID, SECRET, 1)
    params = signer.auth_params("sendmsg")
    assert set(params) == {"pid", "sign", "salt"}
    assert params["pid"] == PID
    assert params["sign"] == sign_v1(PID, SECRET, params["salt"])
    assert params["sign"].isupper() and len(params["sign"]) == 32


def test_signer_v2_params_and_sign() -> None:
    signer = Signer(PID, SECRET, 2)
    before = int(time.time())
    params = signer.auth_params("getfriends")
    assert set(params) == {"pid", "sign", "salt", "ts"}
    assert before <= params["ts"] <= int(time.time())
    assert params["sign"] == sign_v2(PID, SECRET, params["salt"], "getfriends", params["ts"])


def test_signer_rejects_unknown_version() -> None:
    with pytest.raises(ValueError, match="sign_version"):
        Signer(PID, SECRET, 3)


def test_salt_is_nanoseconds_and_strictly_increasing() -> None:
    gen = SaltGenerator()
    now = time.time_ns()
    salts = [gen.next() for _ in range(10000)]
    assert abs(salts[0] - now) < 10**9
    assert all(b > a for a, b in itertools.pairwise(salts))


def test_salt_survives_a_frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    gen = SaltGenerator()
    monkeypatch.setattr(signing.time, "time_ns", lambda: 1_000)
    assert [gen.next() for _ in range(3)] == [1000, 1001, 1002]


def test_core_auth_params_use_fresh_salts() -> None:
    c = FakeSyncClient()
    salts = [c._auth_params("sendmsg")["salt"] for _ in range(1000)]
    assert len(set(salts)) == 1000


def test_current_protocol_signs_with_ts_and_cmd() -> None:
    c = FakeSyncClient(protocol="current")
    c.get_friends(1)
    p = c.sent[0].params
    assert p.keys() == {"pid", "sign", "salt", "ts", "uid"}
    assert p["sign"] == sign_v2(PID, SECRET, p["salt"], "getfriends", p["ts"])
    assert c.protocol == "current"


def test_current_protocol_salts_come_from_the_mid_generator() -> None:
    c = FakeSyncClient(protocol="current")
    c.send_message(1, 2, 30, "m")
    p = c.sent[0].params
    # spec §1.4: one generator; the salt is drawn right after the mid (next sequence number)
    assert p["salt"] > p["mid"]
    assert p["salt"] & 0x3F == (p["mid"] + 1) & 0x3F


def test_mid_format_first_ends_in_001(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing.time, "time_ns", lambda: 1_563_789_451_123_000_000)
    gen = MidGenerator()
    assert gen.next() == 1_563_789_451_123_001
    assert gen.next() == 1_563_789_451_123_002


def test_mid_borrows_next_millisecond_when_seq_wraps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing.time, "time_ns", lambda: 5_000_000)  # 5 ms, frozen
    gen = MidGenerator()
    mids = [gen.next() for _ in range(2500)]
    assert len(set(mids)) == 2500
    assert all(b > a for a, b in itertools.pairwise(mids))
    assert mids[0] == 5001 and mids[998] == 5999
    assert mids[999] == 6000  # seq wrapped to 0 within ms 5 -> borrowed ms 6
    assert mids[1000] == 6001


def test_mid_seq_keeps_running_across_milliseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [7_000_000]
    monkeypatch.setattr(signing.time, "time_ns", lambda: clock[0])
    gen = MidGenerator()
    assert gen.next() == 7001
    clock[0] = 9_000_000
    assert gen.next() == 9002  # counter is not reset per millisecond (GO010)


def test_mid_survives_clock_going_back(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [9_000_000]
    monkeypatch.setattr(signing.time, "time_ns", lambda: clock[0])
    gen = MidGenerator()
    first = gen.next()
    clock[0] = 1_000_000
    second = gen.next()
    assert second > first and second // 1000 == 9


def test_mid_unique_above_1000_per_ms_real_clock() -> None:
    gen = MidGenerator()
    mids = [gen.next() for _ in range(50000)]
    assert len(set(mids)) == len(mids)
    assert mids == sorted(mids)


def test_mid_thread_safety() -> None:
    gen = MidGenerator()
    out: list[list[int]] = [[] for _ in range(8)]
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        barrier.wait()
        out[i].extend(gen.next() for _ in range(5000))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_mids = [m for part in out for m in part]
    assert len(set(all_mids)) == 40000
    for part in out:
        assert part == sorted(part)


def test_salt_thread_safety() -> None:
    gen = SaltGenerator()
    out: list[list[int]] = [[] for _ in range(8)]

    def work(i: int) -> None:
        out[i].extend(gen.next() for _ in range(5000))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({s for part in out for s in part}) == 40000


def test_mids_are_per_client() -> None:
    a, b = FakeSyncClient(), FakeSyncClient()
    assert a._mids is not b._mids


# --- RTMCore construction ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "exc", "word"),
    [
        ({"pid": "1"}, TypeError, "'pid'"),
        ({"pid": True}, TypeError, "'pid'"),
        ({"pid": 0}, ValueError, "'pid'"),
        ({"pid": 2**31}, ValueError, "'pid'"),
        ({"secret_key": b"x"}, TypeError, "'secret_key'"),
        ({"secret_key": ""}, ValueError, "'secret_key'"),
        ({"endpoint": 5}, TypeError, "'endpoint'"),
        ({"endpoint": "localhost"}, ValueError, "'endpoint'"),
        ({"endpoint": ":80"}, ValueError, "'endpoint'"),
        ({"endpoint": "host:0"}, ValueError, "'endpoint'"),
        ({"endpoint": "host:65536"}, ValueError, "'endpoint'"),
        ({"endpoint": "host:http"}, ValueError, "'endpoint'"),
        ({"protocol": "0.9"}, ValueError, "'protocol'"),
        ({"protocol": None}, ValueError, "'protocol'"),
    ],
)
def test_core_validation(kwargs: dict[str, Any], exc: type[Exception], word: str) -> None:
    args: dict[str, Any] = {"pid": PID, "secret_key": SECRET, "endpoint": "h:1"}
    args.update(kwargs)
    with pytest.raises(exc, match=word):
        RTMCore(args.pop("pid"), args.pop("secret_key"), args.pop("endpoint"), **args)


def test_core_accepts_ipv6_and_int32_max() -> None:
    c = RTMCore(2**31 - 1, "k", "[::1]:13321")
    assert c.pid == 2**31 - 1 and c.endpoint == "[::1]:13321"


def test_secret_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    secret = "TOP-SECRET-VALUE"
    caplog.set_level(logging.DEBUG)
    c = FakeSyncClient(secret_key=secret)
    texts = [repr(c), str(c), repr(c._signer), repr(vars(c).get("_signer")), repr(c._listen)]
    c.send_file(1, 2, b"x", "f.bin", attrs="ignored")  # logs a warning
    with pytest.raises(ValueError) as info:
        c.send_message(1, 2, 300, "m")
    texts.append(str(info.value))
    texts.extend(r.getMessage() for r in caplog.records)
    for bad in ({"secret_key": 5}, {"pid": -1}, {"endpoint": "x"}):
        args: dict[str, Any] = {"pid": PID, "secret_key": secret, "endpoint": "h:1", **bad}
        with pytest.raises((TypeError, ValueError)) as err:
            RTMCore(args["pid"], args["secret_key"], args["endpoint"])
        texts.append(str(err.value))
    assert all(secret not in t for t in texts)
    assert "pid=11000001" in repr(c)


def test_auth_params_md5_of_prefix_matches_plain_formula() -> None:
    c = FakeSyncClient()
    p = c._auth_params("x")
    text = f"{PID}:{SECRET}:{p['salt']}".encode()
    assert p["sign"] == hashlib.md5(text).hexdigest().upper()
