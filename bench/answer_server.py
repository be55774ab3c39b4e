"""A minimal FPNN answer server for benchmarks, run in its own process.

It answers every twoway quest at once with a canned answer of the right shape for the RTM
method (``{"mtime": <ms>}`` for ``sendmsg`` and anything unknown, a token for ``gettoken``,
a 20-message page for ``getgroupmsg``), and supports the ``*key`` handshake, so the client's
cost can be measured without charging the server's work to it.

``benchpush {count, window}``: the server pushes ``count`` distinct ``pushmsg`` quests to the
caller, keeping ``window`` unanswered at most, and answers ``benchpush`` with
``{"answered", "errors", "seconds"}`` once every push is answered.

``--mute``: twoway quests are never answered (memory per pending quest).

Usage: ``python bench/answer_server.py PORT_FILE [--key KEYFILE] [--mute]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from rtm.fpnn import codec
from rtm.fpnn.crypto import Decryptor, Encryptor, accept_key_quest, load_private_key

T0 = 1_700_000_000_000
HISTORY: dict[str, Any] = {
    "num": 20, "lastid": 1020, "begin": T0, "end": T0 + 19_000,
    "msgs": [[1000 + i, 100 + i % 7, 30, T0 * 1000 + i, False, f"group message {i}", "",
              T0 + i * 1000] for i in range(20)],
}
TOKEN = {"token": "2B3C5E7F11D4A9B8C6E1F0A2B3C4D5E6"}


class AnswerProtocol(asyncio.Protocol):
    def __init__(self, key_data: bytes | None, mute: bool) -> None:
        self.key = load_private_key(data=key_data) if key_data else None
        self.mute = mute
        self.decoder = codec.FrameDecoder()
        self.head = bytearray()
        self.first = True
        self.enc: Encryptor | None = None
        self.dec: Decryptor | None = None
        self.transport: asyncio.Transport | None = None
        # push flood state
        self.push_seq = 0
        self.push_left = 0
        self.push_out = 0
        self.push_answered = 0
        self.push_errors = 0
        self.push_t0 = 0.0
        self.push_quest: codec.Quest | None = None
        self.push_window = 0

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
        out: list[bytes] = []
        for m in messages:
            if type(m) is codec.Answer:
                self._push_answered(m)
                continue
            assert isinstance(m, codec.Quest)
            if m.oneway or self.mute:
                continue
            if m.method == "getgroupmsg":
                out.append(codec.encode_answer(m.seq, HISTORY))
            elif m.method == "gettoken":
                out.append(codec.encode_answer(m.seq, TOKEN))
            elif m.method == "benchpush":
                self._start_pushes(m)
            else:
                out.append(codec.encode_answer(m.seq, {"mtime": now}))
        if self.push_left and self.push_out < self.push_window:
            out += self._more_pushes()
        if out:
            self._send(out)

    # ------------------------------------------------------------------ push flood

    def _start_pushes(self, quest: codec.Quest) -> None:
        self.push_quest = quest
        self.push_left = int(quest.payload.get("count", 10000))
        self.push_window = int(quest.payload.get("window", 100))
        self.push_answered = self.push_errors = self.push_out = 0
        self.push_t0 = time.perf_counter()

    def _more_pushes(self) -> list[bytes]:
        frames = []
        now = int(time.time() * 1000)
        while self.push_left and self.push_out < self.push_window:
            self.push_seq += 1
            self.push_left -= 1
            self.push_out += 1
            payload = {"from": 100, "to": 200, "mtype": 30, "mid": T0 * 1000 + self.push_seq,
                       "msg": "hello, world", "attrs": "", "mtime": now}
            frames.append(codec.encode_quest("pushmsg", payload, self.push_seq))
        return frames

    def _push_answered(self, answer: codec.Answer) -> None:
        self.push_out -= 1
        self.push_answered += 1
        if answer.status != codec.STATUS_OK:
            self.push_errors += 1
        if not self.push_left and not self.push_out and self.push_quest is not None:
            quest, self.push_quest = self.push_quest, None
            seconds = time.perf_counter() - self.push_t0
            self._send([codec.encode_answer(quest.seq, {
                "answered": self.push_answered, "errors": self.push_errors,
                "seconds": seconds})])

    def _send(self, frames: list[bytes]) -> None:
        assert self.transport is not None
        if self.enc is not None:
            self.transport.write(self.enc.encrypt_frames(frames))
        else:
            self.transport.write(b"".join(frames))


async def serve(port_file: Path, key_data: bytes | None, mute: bool) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: AnswerProtocol(key_data, mute), "127.0.0.1", 0)
    port_file.write_text(str(server.sockets[0].getsockname()[1]))
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file", type=Path)
    parser.add_argument("--key", type=Path)
    parser.add_argument("--mute", action="store_true", help="never answer twoway quests")
    args = parser.parse_args()
    key_data = args.key.read_bytes() if args.key else None
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    try:
        asyncio.run(serve(args.port_file, key_data, args.mute))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
