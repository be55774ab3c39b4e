"""The leanest asyncio FPNN quest loop we can write: the yardstick for our client.

asyncio.Protocol + msgpack + a seq -> future dict, no timeouts, no validation, no coalescing
beyond what the kernel does. Optional encryption (stream or package mode) uses the same
primitives as ``rtm.fpnn.crypto`` so the encrypted ratio compares like with like.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import msgpack

from rtm.fpnn.crypto import ClientKeyExchange, ServerPublicKey

_HDR = struct.Struct("<4sBBBBII")
_ANS = struct.Struct("<4sBBBBII")


class ReferenceClient(asyncio.Protocol):
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.seq = 0
        self.buf = b""
        self.transport: Any = None
        self.enc: Any = None
        self.dec: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.dec is not None:
            data = self.dec.feed(data)
        buf = self.buf + data if self.buf else data
        pos, end = 0, len(buf)
        while end - pos >= 16:
            _m, _v, _f, _t, _ss, psize, seq = _ANS.unpack_from(buf, pos)
            stop = pos + 16 + psize
            if stop > end:
                break
            fut = self.pending.pop(seq)
            fut.set_result(msgpack.unpackb(buf[pos + 16:stop]))
            pos = stop
        self.buf = buf[pos:]

    def quest(self, method: bytes, payload: dict[str, Any]) -> asyncio.Future[Any]:
        self.seq += 1
        body = msgpack.packb(payload)
        frame = _HDR.pack(b"FPNN", 1, 0x80, 1, len(method), len(body), self.seq) + method + body
        if self.enc is not None:
            frame = self.enc.encrypt_frames([frame])
        self.transport.write(frame)
        fut = self.loop.create_future()
        self.pending[self.seq] = fut
        return fut


async def connect(host: str, port: int, server_key: ServerPublicKey | None = None,
                  bits: int = 128, stream: bool = True) -> ReferenceClient:
    loop = asyncio.get_running_loop()
    _t, proto = await loop.create_connection(ReferenceClient, host, port)
    if server_key is not None:
        kx = ClientKeyExchange(server_key, bits=bits, stream=stream)
        fut = proto.quest(b"*key", kx.key_quest_payload())
        proto.enc, proto.dec = kx.make_ciphers()
        await fut
    return proto
