"""Write the seed corpus of every fuzz target into fuzz/corpus/<target>/ (file name: sha1 of
the content, as libFuzzer names its units). Idempotent; run it again after the golden quests
or the targets' byte formats change: ``python fuzz/make_corpus.py``.

Crash reproducers found later are added to the same folders by hand (any name), so that
tests/reliability/test_fuzz_props.py replays them for ever."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reliability"))

import msgpack  # noqa: E402
from fuzz_targets import FUZZ_PID, PUSH_METHODS, resign, seeds  # noqa: E402

from rtm.fpnn.codec import encode_answer, encode_quest  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"


def _pack(obj: object) -> bytes:
    return msgpack.packb(obj, use_bin_type=True)  # type: ignore[no-any-return]


def frames() -> list[bytes]:
    out = []
    server = [(m, p) for g, m, p in seeds() if g == "server"]
    client = [(m, p) for g, m, p in seeds() if g == "client"]
    for i in range(0, len(server), 4):  # server gate (byte 0 % 3 == 0), 4 quests a unit
        stream = b"".join(encode_quest(m, resign(m, p), seq)
                          for seq, (m, p) in enumerate(server[i:i + 4], 1))
        out.append(bytes([3 * (i % 7)]) + stream)
    stream = b"".join(encode_quest(m, p, seq) for seq, (m, p) in enumerate(client, 1))
    out.append(bytes([1]) + stream)  # client gate
    out.append(bytes([2]) + encode_quest("sendfile", {"pid": FUZZ_PID, "token": "t"}, 1))
    out.append(bytes([0]) + encode_quest("*ping", None, 1) + encode_answer(7, {"x": 1}))
    out.append(bytes([3]) + encode_quest("setlisten", {"all": True}, oneway=True))
    out.append(bytes([6]) + b"FPNN\x01\x40\x01\x04\x02\x00\x00\x00\x01\x00\x00\x00ping{}")
    return out


def params() -> list[bytes]:
    out = []
    for i, (_gate, _method, p) in enumerate(seeds()):
        options = 1 | 4 | 8  # msgpack params as given, re-signed, client logged in
        out.append(bytes([i % 256, options]) + _pack(p))
        out.append(bytes([i % 256, 4 | 8]) + i.to_bytes(4, "little"))  # mutated
    return out


def crypto() -> list[bytes]:
    out = []
    for head in (0, 1, 2, 3, 4 + 1, 8 + 3, 16 + 2, 0x80 | 4 | 1, 0x80 | 2):
        body = b"".join(bytes([n]) + bytes(range(n)) for n in (3, 0, 40, 7))
        out.append(bytes([head]) + body + b"tail-garbage")
    return out


def push() -> list[bytes]:
    msg = {"from": 1, "to": 2, "mtype": 30, "mid": 3, "msg": "hi", "attrs": "", "mtime": 4}
    event = {"pid": 1, "event": "login", "uid": 2, "time": 3, "endpoint": "1.2.3.4:5",
             "data": ""}
    out = []
    for i, method in enumerate(PUSH_METHODS):
        payload: dict[str, object] = dict(event if method == "pushevent" else msg)
        if method == "pushgroupmsg":
            payload["gid"] = payload.pop("to")
        elif method == "pushroommsg":
            payload["rid"] = payload.pop("to")
        out.append(bytes([i]) + _pack(payload))
        out.append(bytes([i]) + _pack({**payload, "msg": b"\xff\xfe", "mid": 2**64 - 1}))
    return out


def main() -> None:
    for target, units in (("frames", frames()), ("params", params()), ("crypto", crypto()),
                          ("push", push())):
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for unit in units:
            (folder / hashlib.sha1(unit).hexdigest()).write_bytes(unit)
        print(f"{target}: {len(list(folder.iterdir()))} files")


if __name__ == "__main__":
    main()
