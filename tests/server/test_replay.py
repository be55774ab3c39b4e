"""The official SDKs' full recorded sessions replay against the local server with no protocol
error: every quest of ``go-latest-full-wire.jsonl`` (Go 0.9.20) and
``py-official-full-wire.jsonl`` (Python 2.2.6) gets a success or an RTM business error the
spec names (spec current §13).

Each quest is sent as recorded (keys, values, msgpack families), re-signed for this test's
secret with its recorded salt and ts. A file send takes the token of the ``filetoken`` just
before it, and its attrs' checksum is recomputed for that token in place (the attrs' bytes
are otherwise unchanged: PY's concatenated layout stays as it is). Commands of areas the
server does not answer yet are listed in ``replay_pending.PENDING`` and must answer 20004.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from rtm.fpnn.client import FPNNClient
from rtm.fpnn.errors import FPNNError
from rtm.server import RTMServer
from rtm.server.config import ServerConfig
from rtm.server.core import ServerCore
from rtm.server.gate_server import ServerGate

from .conftest import ServerFactory, file_sign
from .replay_pending import PENDING, PENDING_FORMS

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
PID, SECRET = 80000071, "replay-secret"
FILE_GATE = {"sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"}
#: Protocol-level failures: a missing key, a wrong type, an unknown method, an internal error.
PROTOCOL_ERRORS = {10009, 10010, 20004, 200999}


def recorded(name: str) -> list[tuple[str, dict[str, Any]]]:
    quests = []
    for line in (GOLDEN / name).read_text().splitlines():
        record = json.loads(line)
        params = {key: _value(field) for key, field in record["params"].items()}
        quests.append((record["method"], params))
    return quests


def _value(field: dict[str, Any]) -> Any:
    value = field["value"]
    if field["type"] == "bin" and isinstance(value, str) and value.startswith("base64:"):
        return base64.b64decode(value[len("base64:"):])
    return value


def resign(method: str, params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    out["pid"] = PID
    salt = out["salt"]
    text = (f"{PID}:{SECRET}:{salt}:{method}:{out['ts']}" if "ts" in out
            else f"{PID}:{SECRET}:{salt}")
    out["sign"] = hashlib.md5(text.encode()).hexdigest().upper()
    return out


def with_token(params: dict[str, Any], token: str) -> dict[str, Any]:
    out = dict(params)
    old_sign = file_sign(out["file"], out["token"])
    attrs = out["attrs"]
    text = attrs.decode() if isinstance(attrs, bytes) else attrs
    recorded_sign = _attrs_sign(text)
    assert recorded_sign == old_sign  # signed with the recorder's token
    out["attrs"] = text.replace(recorded_sign, file_sign(out["file"], token))
    out["token"] = token
    out["pid"] = PID
    return out


def _attrs_sign(text: str) -> str:
    obj = json.loads(text)
    fields = obj["rtm"] if isinstance(obj.get("rtm"), dict) else obj
    return str(fields["sign"])


async def replay(server: RTMServer, name: str) -> dict[str, list[int]]:
    """Send every quest of ``name``; returns wire method -> the codes it got (0 = success)."""
    main = FPNNClient(server.endpoint)
    files = FPNNClient(server.file_endpoint)
    outcomes: dict[str, list[int]] = {}
    token = ""
    try:
        # a little state, so that sends reach the store instead of stopping at membership
        setup = [("addgroupmembers", {"gid": 200001, "uids": [100001, 100002]}),
                 ("addroommember", {"rid": 300001, "uid": 100001})]
        for method, params in setup:
            await main.quest(method, resign(method, {"salt": 1, "ts": 1, **params}))
        for method, params in recorded(name):
            if method in FILE_GATE:
                client, payload = files, with_token(params, token)
            else:
                client, payload = main, resign(method, params)
            try:
                answer = await client.quest(method, payload, timeout=10)
            except FPNNError as exc:
                outcomes.setdefault(method, []).append(exc.code)
                continue
            if method == "filetoken":
                token = answer["token"]
            outcomes.setdefault(method, []).append(0)
    finally:
        await main.close()
        await files.close()
    return outcomes


@pytest.mark.parametrize("name", ["go-latest-full-wire.jsonl", "py-official-full-wire.jsonl"])
async def test_recorded_session_replays_without_protocol_errors(
    make_server: ServerFactory, name: str
) -> None:
    server = await make_server(projects={PID: SECRET})
    outcomes = await replay(server, name)
    failures = {}
    for method, codes in outcomes.items():
        if method in PENDING:
            assert set(codes) <= {20004}, f"{method} is answered now: drop it from PENDING"
            continue
        if method in PENDING_FORMS:
            pending_code = PENDING_FORMS[method][0]
            assert pending_code in codes, f"{method}: drop it from PENDING_FORMS"
            codes = [c for c in codes if c != pending_code]
        bad = [c for c in codes if c in PROTOCOL_ERRORS or not (c == 0 or 200000 < c < 300000)]
        if bad:
            failures[method] = codes
    assert not failures, f"protocol errors: {failures}"
    # the sends and the management of this area really succeed
    for method in ("sendmsg", "sendmsgs", "sendgroupmsg", "sendroommsg", "broadcastmsg",
                   "getgroupmsg", "getp2pmsg", "sendfile", "sendgroupfile", "setlisten"):
        assert 0 in outcomes[method], (method, outcomes[method])


def test_pending_lists_only_unknown_commands() -> None:
    known = set(ServerGate(ServerCore(ServerConfig(), logging.getLogger("t"))).handlers())
    assert not PENDING & known, f"answered now, drop from PENDING: {sorted(PENDING & known)}"
    golden = {m for name in ("go-latest-full-wire.jsonl", "py-official-full-wire.jsonl")
              for m, _ in recorded(name)}
    assert golden - FILE_GATE - known == PENDING
