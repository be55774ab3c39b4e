"""A minimal FPNN answer server for benchmarks, run in its own process.

It answers every twoway quest with ``{"mtime": <ms>}`` (an RTM ``sendmsg``-sized answer) and
supports the ``*key`` handshake, so the client's cost can be measured without charging the
server's work to it. Usage: ``python bench/answer_server.py PORT_FILE [--key KEYFILE]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from rtm.fpnn import codec
from rtm.fpnn.crypto import Decryptor, Encryptor, accept_key_quest, load_private_key


class AnswerProtocol(asyncio.Protocol):
    def __init__(self, key_data: bytes | None) -> None:
        self.key = load_private_key(data=key_data) if key_data else None
        self.decoder = codec.FrameDecoder()
        self.head = bytearray()
        self.first = True
        self.enc: Encryptor | None = None
        self.dec: Decryptor | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.first:
            self.head += data
            size = codec.frame_size(self.head)
            if size is None or len(self.head) < size:
                return
            self.first = False
            first, data = bytes(self.head[:size]), bytes(self.head[size:])
            (msg,) = codec.FrameDecoder().feed(first)
            if isinstance(msg, codec.Quest) and msg.method == "*key" and self.key:
                self.enc, self.dec = accept_key_quest(self.key, msg.payload)
                self._send([codec.encode_answer(msg.seq)])
            else:
                self._answer([msg])
            if not data:
                return
        if self.dec is not None:
            data = self.dec.feed(data)
        self._answer(self.decoder.feed(data))

    def _answer(self, messages: list[codec.Message]) -> None:
        now = int(time.time() * 1000)
        out = [codec.encode_answer(m.seq, {"mtime": now})
               for m in messages if isinstance(m, codec.Quest) and not m.oneway]
        if out:
            self._send(out)

    def _send(self, frames: list[bytes]) -> None:
        assert self.transport is not None
        if self.enc is not None:
            self.transport.write(self.enc.encrypt_frames(frames))
        else:
            self.transport.write(b"".join(frames))


async def serve(port_file: Path, key_data: bytes | None) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: AnswerProtocol(key_data), "127.0.0.1", 0)
    port_file.write_text(str(server.sockets[0].getsockname()[1]))
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file", type=Path)
    parser.add_argument("--key", type=Path)
    args = parser.parse_args()
    key_data = args.key.read_bytes() if args.key else None
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    try:
        asyncio.run(serve(args.port_file, key_data))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
