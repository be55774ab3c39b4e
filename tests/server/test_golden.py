"""Replay the recorded SDK wires (tests/data/golden/*.jsonl) against the server.

Every quest is re-encoded byte-for-byte with the msgpack families it was recorded with (Go's
signed int32/int64, Python's unsigned families, fixstr/str8, bin8, nil-free fixarrays) and
the FPNN header version it used; only ``sign`` (our secret), the file ``token`` and the file
checksum inside ``attrs`` are substituted. Each answer must be a success with the keys the
SDKs read (spec §0.4).
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from rtm.fpnn.codec import Answer, FrameDecoder, Quest, encode_answer
from rtm.server import RTMServer

from .conftest import API, ServerFactory, file_sign, sign_v1, sign_v2

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
GOLDEN_PID = 80000071
GOLDEN_SECRET = "golden-secret"

_INT_FORMATS = {
    "int8": (0xD0, ">b"), "int16": (0xD1, ">h"), "int32": (0xD2, ">i"), "int64": (0xD3, ">q"),
    "uint8": (0xCC, ">B"), "uint16": (0xCD, ">H"), "uint32": (0xCE, ">I"),
    "uint64": (0xCF, ">Q"),
}


def _str(text: str, wire: str) -> bytes:
    data = text.encode()
    if wire == "fixstr" and len(data) < 32:
        return bytes([0xA0 | len(data)]) + data
    if len(data) < 256:
        return bytes([0xD9, len(data)]) + data
    return b"\xda" + struct.pack(">H", len(data)) + data


def _scalar(value: Any, wire: str) -> bytes:
    if wire == "bool":
        return b"\xc3" if value else b"\xc2"
    if wire == "fixint":
        assert -32 <= value <= 127
        return struct.pack(">b", value) if value < 0 else bytes([value])
    if wire in _INT_FORMATS:
        marker, fmt = _INT_FORMATS[wire]
        return bytes([marker]) + struct.pack(fmt, value)
    if wire in ("fixstr", "str8"):
        return _str(value, wire)
    if wire == "bin8":
        data = base64.b64decode(value[len("base64:"):]) if value.startswith("base64:") else (
            value.encode())
        assert len(data) < 256
        return bytes([0xC4, len(data)]) + data
    raise AssertionError(f"unknown wire tag {wire}")


def encode_value(value: Any, wire: str) -> bytes:
    if wire.startswith("fixarray["):
        inner = wire[len("fixarray["):-1]
        assert len(value) < 16
        return bytes([0x90 | len(value)]) + b"".join(_scalar(v, inner) for v in value)
    return _scalar(value, wire)


def encode_payload(params: dict[str, dict[str, Any]]) -> bytes:
    assert len(params) < 16
    out = [bytes([0x80 | len(params)])]
    for key, spec in params.items():
        out.append(_str(key, "fixstr"))
        out.append(encode_value(spec["value"], spec["wire"]))
    return b"".join(out)


class RawConnection:
    """Writes hand-encoded quest frames and reads the answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.decoder = FrameDecoder()
        self.seq = 0
        self.pushes: list[str] = []

    @classmethod
    async def open(cls, endpoint: str) -> RawConnection:
        host, port = endpoint.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer)

    async def quest(self, method: str, payload: bytes, version: int = 1) -> Answer:
        self.seq += 1
        name = method.encode()
        header = struct.pack("<4sBBBBII", b"FPNN", version, 0x80, 1, len(name), len(payload),
                             self.seq)
        self.writer.write(header + name + payload)
        await self.writer.drain()
        while True:
            data = await asyncio.wait_for(self.reader.read(65536), 5)
            assert data, "connection closed by the server"
            answer: Answer | None = None
            for message in self.decoder.feed(data):
                if isinstance(message, Quest):  # a push (the session listens): answer {}
                    self.pushes.append(message.method)
                    if not message.oneway:
                        self.writer.write(encode_answer(message.seq, {}))
                    continue
                assert message.seq == self.seq
                answer = message
            if answer is not None:
                return answer

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def _resign(method: str, params: dict[str, dict[str, Any]]) -> None:
    salt = params["salt"]["value"]
    if "ts" in params:
        sign = sign_v2(GOLDEN_PID, GOLDEN_SECRET, salt, method, params["ts"]["value"])
    else:
        sign = sign_v1(GOLDEN_PID, GOLDEN_SECRET, salt)
    params["sign"] = {**params["sign"], "value": sign}


def _file_bytes(params: dict[str, dict[str, Any]]) -> bytes:
    value = params["file"]["value"]
    return base64.b64decode(value[len("base64:"):])


SLICES = {"getfriends": "uids", "isfriends": "fuids", "getgroupmembers": "uids",
          "getusergroups": "gids", "getonlineusers": "uids"}
OKS = {"isfriend", "isgroupmember", "isbanofgroup", "isbanofroom", "isprojectblack"}
MTIMES = {"sendmsg", "sendmsgs", "sendgroupmsg", "sendroommsg", "broadcastmsg", "sendfile",
          "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile"}
HISTORY = {"getgroupmsg", "getroommsg", "getbroadcastmsg", "getp2pmsg"}


def check_answer(method: str, payload: dict[str, Any]) -> None:
    if method in MTIMES:
        assert isinstance(payload["mtime"], int) and payload["mtime"] > 0
    elif method in OKS:
        assert isinstance(payload["ok"], bool)
    elif method in SLICES:
        assert isinstance(payload[SLICES[method]], list)
    elif method in HISTORY:
        for key in ("num", "lastid", "begin", "end"):
            assert isinstance(payload[key], int) and not isinstance(payload[key], bool)
        assert isinstance(payload["msgs"], list) and len(payload["msgs"]) == payload["num"]
        for entry in payload["msgs"]:
            assert len(entry) == 8 and isinstance(entry[4], bool)
    elif method == "gettoken":
        assert isinstance(payload["token"], str)
    elif method == "filetoken":
        assert isinstance(payload["token"], str) and isinstance(payload["endpoint"], str)


@pytest.mark.parametrize("name", ["go-0.1.0-wire", "go-latest-wire", "py-official-wire"])
async def test_replay_golden_wire(make_server: ServerFactory, name: str) -> None:
    server: RTMServer = await make_server(projects={GOLDEN_PID: GOLDEN_SECRET})
    setup = API(server.endpoint, GOLDEN_PID, GOLDEN_SECRET)
    listener = API(server.endpoint, GOLDEN_PID, GOLDEN_SECRET)
    await listener("addlisten", p2p=True)
    main = await RawConnection.open(server.endpoint)
    records = [json.loads(line) for line in (GOLDEN / f"{name}.jsonl").read_text().splitlines()
               if line.strip()]
    token = ""
    methods_seen: list[str] = []
    try:
        for record in records:
            method: str = record["method"]
            params: dict[str, dict[str, Any]] = record["params"]
            # Preconditions the recorded session assumed (sender in the group and the room).
            await setup("addgroupmembers", gid=200001, uids=[100001])
            await setup("addroommember", rid=300001, uid=100001)
            if "sign" in params:
                _resign(method, params)
                conn = main
            else:  # a file-gate quest on its own connection
                content = _file_bytes(params)
                old_token = params["token"]["value"]
                attrs = params["attrs"]["value"]
                old_sign = json.loads(attrs).get("sign") or json.loads(attrs)["rtm"]["sign"]
                params["token"] = {**params["token"], "value": token}
                params["attrs"] = {**params["attrs"],
                                   "value": attrs.replace(old_sign, file_sign(content, token))}
                assert old_token != token
                conn = await RawConnection.open(server.file_endpoint)
            answer = await conn.quest(method, encode_payload(params), record["version"])
            if conn is not main:
                await conn.close()
            assert not answer.is_error, (name, method, answer.payload)
            check_answer(method, answer.payload)
            if method == "filetoken":
                token = answer.payload["token"]
            methods_seen.append(method)
        assert len(methods_seen) == len(records)
        assert "pushmsg" in main.pushes  # the recorded session listens to P2P messages
        # the binary msg went through as bin and is in history as such
        page = await setup("getp2pmsg", uid=100001, ouid=100002, desc=True, num=20, begin=0,
                           end=0, lastid=0)
        assert b"binary message" in [e[5] for e in page["msgs"]] or name == "go-0.1.0-wire"
    finally:
        await main.close()
        await listener.close()
        await setup.close()
