"""Sans-IO FPNN frame codec (spec sections 2 to 5).

Bytes in, messages out, and the reverse: nothing here touches a socket or the clock, so the
transport (asyncio or threads) and the local server share it, and the vectors test it directly.
"""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import msgpack

from rtm.fpnn import errors as ec
from rtm.fpnn.errors import FPNNError, FPNNProtocolError

MAGIC: Final = b"FPNN"
VERSION: Final = 1
FLAG_MSGPACK: Final = 0x80
FLAG_JSON: Final = 0x40
MTYPE_ONEWAY: Final = 0
MTYPE_TWOWAY: Final = 1
MTYPE_ANSWER: Final = 2
STATUS_OK: Final = 0
STATUS_ERROR: Final = 1
HEADER_SIZE: Final = 12
DEFAULT_MAX_FRAME_SIZE: Final = 8 * 1024 * 1024
EMPTY_PAYLOAD: Final = b"\x80"

# magic, version, flag, mtype, ss, psize (LE)
_HEADER = struct.Struct("<4sBBBBI")
_HEADER_SEQ = struct.Struct("<4sBBBBII")
_U32 = struct.Struct("<I")
_unpack_header = _HEADER.unpack_from
_unpack_header_seq = _HEADER_SEQ.unpack_from
_unpack_u32 = _U32.unpack_from
_pack_header = _HEADER.pack
_pack_header_seq = _HEADER_SEQ.pack

_local = threading.local()


def _packb(obj: Any) -> bytes:
    # A reusable Packer per thread: msgpack.packb builds a new one per call (~1 µs), and a
    # Packer is not thread-safe (the blocking client encodes on its callers' threads).
    try:
        packer = _local.packer
    except AttributeError:
        packer = _local.packer = msgpack.Packer(use_bin_type=True)
    data: bytes = packer.pack(obj)
    return data

_unpackb = msgpack.unpackb


@dataclass(slots=True)
class Quest:
    """A request. ``seq`` is 0 for oneway quests (they carry no sequence number)."""

    method: str
    payload: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    oneway: bool = False
    version: int = VERSION
    flag: int = FLAG_MSGPACK


@dataclass(slots=True)
class Answer:
    """A reply to a twoway quest; ``status != 0`` makes it an exception answer."""

    seq: int
    payload: dict[str, Any] = field(default_factory=dict)
    status: int = STATUS_OK
    version: int = VERSION
    flag: int = FLAG_MSGPACK

    @property
    def is_error(self) -> bool:
        return self.status != STATUS_OK

    @property
    def error_code(self) -> int:
        code = self.payload.get("code")
        # The official SDKs fall back to 10001 when an exception answer lacks a usable code.
        return code if isinstance(code, int) and not isinstance(code, bool) else (
            ec.PROTO_UNKNOWN_ERROR
        )

    @property
    def error_message(self) -> str:
        ex = self.payload.get("ex")
        if isinstance(ex, bytes):
            return ex.decode("utf-8", "replace")
        return ex if isinstance(ex, str) else "unknown error"

    @property
    def raiser(self) -> str | None:
        raiser = self.payload.get("raiser")
        return raiser if isinstance(raiser, str) else None


Message = Quest | Answer


# ---------------------------------------------------------------------------- encoding


def encode_payload(payload: dict[str, Any] | None, flag: int = FLAG_MSGPACK) -> bytes:
    """Encode a payload map; an empty or missing payload is the empty map (never 0 bytes)."""
    if payload is not None and not isinstance(payload, dict):
        # Fix: the root must be a map (spec 2.1). A handler returning a list (or a quest sent
        # with one) used to go out as is, and the peer then closed the whole connection.
        if not isinstance(payload, Mapping):
            raise FPNNError(f"payload must be a map, got {type(payload).__name__}",
                            ec.CORE_ENCODING)
        payload = dict(payload)
    if not payload:
        return EMPTY_PAYLOAD if flag == FLAG_MSGPACK else b"{}"
    if flag == FLAG_MSGPACK:
        try:
            data: bytes = _packb(payload)
        except (TypeError, ValueError, OverflowError) as exc:
            raise FPNNError(f"cannot encode payload as msgpack: {exc}", ec.CORE_ENCODING) from exc
        return data
    try:
        return json.dumps(payload, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise FPNNError(f"cannot encode payload as JSON: {exc}", ec.CORE_ENCODING) from exc


def _check_size(size: int, max_frame_size: int) -> None:
    if size > max_frame_size:
        raise FPNNError(
            f"frame of {size} bytes exceeds the maximum frame size of {max_frame_size} bytes",
            ec.CORE_ENCODING,
        )


# Encoded (and validated) method names: a quest's name is the same few strings over and over.
_method_names: dict[str, bytes] = {}
_METHOD_NAMES_MAX = 1024


def encode_quest(
    method: str,
    payload: dict[str, Any] | None = None,
    seq: int = 0,
    *,
    oneway: bool = False,
    flag: int = FLAG_MSGPACK,
    max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
) -> bytes:
    """One quest frame. ``seq`` is ignored for oneway quests."""
    name = _method_names.get(method)
    if name is None:
        name = method.encode()
        if not 0 < len(name) < 256:
            raise ValueError(
                f"method name must be 1..255 UTF-8 bytes, got {len(name)}: {method!r}")
        if len(_method_names) < _METHOD_NAMES_MAX:
            _method_names[method] = name
    if type(payload) is dict and payload and flag == FLAG_MSGPACK:
        try:  # the common case inline: this thread's Packer, once encode_payload made it
            body: bytes = _local.packer.pack(payload)
        except Exception:
            body = encode_payload(payload, flag)  # first use in a thread, or the error
    else:
        body = encode_payload(payload, flag)
    if oneway:
        _check_size(HEADER_SIZE + len(name) + len(body), max_frame_size)
        return b"".join(
            (_pack_header(MAGIC, VERSION, flag, MTYPE_ONEWAY, len(name), len(body)), name, body)
        )
    if HEADER_SIZE + 4 + len(name) + len(body) > max_frame_size:
        _check_size(HEADER_SIZE + 4 + len(name) + len(body), max_frame_size)
    return b"".join(
        (_pack_header_seq(MAGIC, VERSION, flag, MTYPE_TWOWAY, len(name), len(body), seq),
         name, body)
    )


def encode_answer(
    seq: int,
    payload: dict[str, Any] | None = None,
    *,
    status: int = STATUS_OK,
    flag: int = FLAG_MSGPACK,
    version: int = VERSION,
    max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
) -> bytes:
    body = encode_payload(payload, flag)
    _check_size(HEADER_SIZE + 4 + len(body), max_frame_size)
    return _pack_header_seq(MAGIC, version, flag, MTYPE_ANSWER, status, len(body), seq) + body


def encode_error_answer(
    seq: int,
    code: int,
    ex: str,
    *,
    raiser: str | None = None,
    flag: int = FLAG_MSGPACK,
    version: int = VERSION,
) -> bytes:
    """Exception answer ``{code, ex[, raiser]}`` with status 1, as the C++ server sends."""
    payload: dict[str, Any] = {"code": code, "ex": ex}
    if raiser is not None:
        payload["raiser"] = raiser
    return encode_answer(seq, payload, status=STATUS_ERROR, flag=flag, version=version)


def encode_message(message: Message) -> bytes:
    if isinstance(message, Answer):
        return encode_answer(message.seq, message.payload, status=message.status,
                             flag=message.flag, version=message.version)
    return encode_quest(message.method, message.payload, message.seq,
                        oneway=message.oneway, flag=message.flag)


# ---------------------------------------------------------------------------- decoding


def _reject_ext(code: int, data: bytes) -> Any:
    raise ValueError(f"msgpack extension type {code} is not used by FPNN")


def _why(exc: Exception) -> str:
    # Fix: msgpack decodes extension type -1 as a Timestamp without calling ext_hook, so
    # extension types are rejected with max_ext_len=0; say so instead of "N exceeds max_ext_len".
    text = str(exc)
    if "max_ext_len" in text:
        return "msgpack extension types are not used by FPNN"
    return text


def _restore_text(value: Any) -> Any:
    """After a surrogateescape decode: a str that held invalid UTF-8 becomes bytes (spec 3).

    Fix: this used to work on a ``raw=True`` decode, which cannot tell str from bin, so every
    bin value that happened to be valid UTF-8 came back as str. Decoding with surrogateescape
    keeps bin as bytes and valid str as str; only the strs carrying escaped bytes (the only
    source of lone surrogates, since strict UTF-8 rejects encoded ones) are turned into bytes.
    """
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogateescape")
        return value
    if isinstance(value, list):
        return [_restore_text(v) for v in value]
    if isinstance(value, dict):
        return {_restore_text(k): _restore_text(v) for k, v in value.items()}
    return value


def decode_payload(data: bytes | memoryview, flag: int) -> dict[str, Any]:
    """Decode one payload; raises FPNNProtocolError naming what is wrong."""
    if flag == FLAG_MSGPACK:
        try:
            obj = _unpackb(data, raw=False, strict_map_key=False, ext_hook=_reject_ext,
                           max_ext_len=0)
        except UnicodeDecodeError:
            # A str holding invalid UTF-8 (C++ packs arbitrary bytes as str): keep it as bytes.
            try:
                obj = _restore_text(
                    _unpackb(data, raw=False, strict_map_key=False, ext_hook=_reject_ext,
                             max_ext_len=0, unicode_errors="surrogateescape")
                )
            except Exception as exc:
                raise FPNNProtocolError(f"malformed msgpack payload: {_why(exc)}") from exc
        except Exception as exc:
            raise FPNNProtocolError(f"malformed msgpack payload: {_why(exc)}") from exc
    else:
        try:
            obj = json.loads(bytes(data))
        except (ValueError, UnicodeDecodeError) as exc:
            raise FPNNProtocolError(
                f"malformed JSON payload: {exc}", ec.PROTO_JSON_CONVERT
            ) from exc
    if not isinstance(obj, dict):
        raise FPNNProtocolError(
            f"payload root must be a map, got {type(obj).__name__}", ec.PROTO_MAP_VALUE
        )
    return obj


class FrameDecoder:
    """Incremental decoder: feed it any chunks of plaintext bytes, get complete messages.

    The declared size is checked against ``max_frame_size`` from the 12-byte header, before a
    single body byte is buffered beyond what the peer actually sent. After a protocol error
    the decoder's state is undefined: the connection must be closed.
    """

    __slots__ = ("_buf", "_need", "max_frame_size")

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self._buf = bytearray()
        self._need = HEADER_SIZE  # bytes needed before the head frame can be parsed
        self.max_frame_size = max_frame_size

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Message]:
        buf = self._buf
        if buf:
            buf += data
            if len(buf) < self._need:
                return []  # a large frame arriving in pieces: no re-parse until it is complete
            view = bytes(buf)
            buf.clear()
        else:
            view = data  # common case: whole frames per chunk, parsed in place
        out: list[Message] = []
        pos = 0
        end = len(view)
        max_size = self.max_frame_size
        need = HEADER_SIZE
        while end - pos >= HEADER_SIZE:
            if end - pos >= HEADER_SIZE + 4:  # answers and twoway quests: seq in one unpack
                magic, version, flag, mtype, ss, psize, seq = _unpack_header_seq(view, pos)
            else:
                magic, version, flag, mtype, ss, psize = _unpack_header(view, pos)
                seq = 0  # only a oneway quest can be this short; a longer frame breaks below
            if magic != MAGIC:
                raise FPNNProtocolError(
                    f"bad magic {bytes(magic)!r} at frame start, expected b'FPNN'",
                    ec.PROTO_NOT_SUPPORTED,
                )
            if flag != FLAG_MSGPACK and flag != FLAG_JSON:
                raise FPNNProtocolError(
                    f"bad flag 0x{flag:02x}: exactly one of 0x80 (msgpack) or 0x40 (JSON)"
                    " must be set", ec.PROTO_NOT_SUPPORTED,
                )
            if mtype == MTYPE_ANSWER:
                body = 4 + psize
            elif mtype == MTYPE_TWOWAY:
                body = 4 + ss + psize
            elif mtype == MTYPE_ONEWAY:
                body = ss + psize
            else:
                raise FPNNProtocolError(
                    f"bad mtype {mtype}: expected 0 (oneway), 1 (twoway) or 2 (answer)",
                    ec.PROTO_METHOD_TYPE,
                )
            if HEADER_SIZE + body > max_size:
                raise FPNNProtocolError(
                    f"frame declares {HEADER_SIZE + body} bytes, over the maximum frame size"
                    f" of {max_size} bytes"
                )
            if psize == 0:
                raise FPNNProtocolError("payload size 0: a payload is at least the empty map")
            if mtype != MTYPE_ANSWER and ss == 0:
                raise FPNNProtocolError("quest with an empty method name")
            stop = pos + HEADER_SIZE + body
            if stop > end:
                need = HEADER_SIZE + body
                break
            if mtype != MTYPE_ANSWER:
                p = pos + HEADER_SIZE + 4 if mtype == MTYPE_TWOWAY else pos + HEADER_SIZE
                try:
                    method = bytes(view[p : p + ss]).decode()
                except UnicodeDecodeError as exc:
                    raise FPNNProtocolError("method name is not valid UTF-8") from exc
            p = stop - psize  # payload start
            # Small payloads are cheaper to copy than to wrap in a memoryview.
            chunk = view[p:stop] if psize <= 4096 else memoryview(view)[p:stop]
            if flag == FLAG_MSGPACK:
                try:
                    payload = _unpackb(chunk, raw=False, strict_map_key=False,
                                       ext_hook=_reject_ext, max_ext_len=0)
                except Exception:
                    payload = decode_payload(chunk, flag)  # restores text, or names the error
                else:
                    if type(payload) is not dict:
                        payload = decode_payload(chunk, flag)  # raises: root is not a map
            else:
                payload = decode_payload(chunk, flag)
            if mtype == MTYPE_ANSWER:
                out.append(Answer(seq, payload, ss, version, flag))
            else:
                out.append(Quest(method, payload, seq if mtype == MTYPE_TWOWAY else 0,
                                 mtype == MTYPE_ONEWAY, version, flag))
            pos = stop
        if pos < end:
            buf += memoryview(view)[pos:]
        self._need = need
        return out


def frame_size(data: bytes | bytearray, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> int | None:
    """Total size of the frame starting at ``data[0]``, or None if its header is incomplete.

    Lets a server split off exactly the first frame (a possible ``*key``) before the bytes
    that follow it, which are already encrypted.
    """
    if len(data) < HEADER_SIZE:
        return None
    magic, _version, flag, mtype, ss, psize = _unpack_header(data, 0)
    size: int
    if magic != MAGIC:
        raise FPNNProtocolError(
            f"bad magic {bytes(magic)!r} at frame start, expected b'FPNN'", ec.PROTO_NOT_SUPPORTED
        )
    if mtype == MTYPE_TWOWAY:
        size = HEADER_SIZE + 4 + ss + psize
    elif mtype == MTYPE_ANSWER:
        size = HEADER_SIZE + 4 + psize
    elif mtype == MTYPE_ONEWAY:
        size = HEADER_SIZE + ss + psize
    else:
        raise FPNNProtocolError(f"bad mtype {mtype}", ec.PROTO_METHOD_TYPE)
    # Fix: the header checks of FrameDecoder.feed were missing here, so a first frame whose
    # header was already invalid (bad flag, empty method name, payload size 0) kept the
    # connection open waiting for up to max_frame_size bytes of body, where any later frame
    # is rejected at once.
    if flag != FLAG_MSGPACK and flag != FLAG_JSON:
        raise FPNNProtocolError(f"bad flag 0x{flag:02x}: exactly one of 0x80 (msgpack) or "
                                "0x40 (JSON) must be set", ec.PROTO_NOT_SUPPORTED)
    if psize == 0:
        raise FPNNProtocolError("payload size 0: a payload is at least the empty map")
    if mtype != MTYPE_ANSWER and ss == 0:
        raise FPNNProtocolError("quest with an empty method name")
    if size > max_frame_size:
        raise FPNNProtocolError(
            f"frame declares {size} bytes, over the maximum frame size of {max_frame_size} bytes"
        )
    return size
