"""File gate (spec §3; client spec §4): one-shot token, checksum, storage, delivery as a
message.

Quest ``sendfile`` / ``sendfiles`` / ``sendgroupfile`` / ``sendroomfile`` / ``broadcastfile``
with ``pid, token, mtype, from, <target>, mid, file, attrs`` — the server SDKs' form and the
client SDKs' alike (the web SDK adds ``endpoint``, ignored). A token from the client gate's
``filetoken`` makes the send a client's (its rules: blocks; listeners get it); the client
gate checked membership and the rest when it issued the token, and the send checks them
again. ``uploadfile {pid, from, uid?, token, mtype, mid, file, attrs}`` (the Unity SDK) takes
the same checks, stores the file without a message and answers ``{mtime, url, size}``; its
URL downloads it like a file message's. Check order: params
(10009/10010) -> ids (200001) -> unknown pid (200002) -> mtype (200005) -> file/attrs size
(200031) -> attrs without ``sign`` or extension (200004; the extension only in strict mode)
-> checksum ``sign`` (200003) -> token bound to (pid, from, cmd, target), one use (200003) ->
store checks of the matching send (membership, bans, admin, friends).

``sign = LOWER_HEX(MD5(LOWER_HEX(MD5(file)) ":" token))``, compared case-insensitively.
Accepted ``attrs``: the flat GO010 object (``sign`` plus ``ext``, or the ``exit`` typo, or an
extension derived from ``filename``) and the nested later form
``{"rtm": {"sign", "ext", "filename", ...}, "custom": ...}``.

What is stored and delivered (current spec §5.5/§5.6):

* current (nested) attrs: the mtype must be 40..50 (200007); ``msg`` is the JSON
  ``{"url","size"[,"surl"]}`` (compact, in that order; ``surl`` = url + ``?thumb=1`` for
  mtype 40) and the attrs are stored as received;
* flat 0.1.0 attrs with mtype 40..50: the same ``msg``, attrs stored as
  ``{"rtm": <flat object, exit -> ext>, "custom": ""}``;
* flat attrs with any other mtype (0.1.0 behaviour): ``msg`` is the URL itself, attrs as
  received.

Every stored file has its own random id (``new_file_id``): the URL is
``<file_base_url>/<pid>/<file_id>`` and downloads the file over HTTP (gate_http) while a message
carrying it is stored and not deleted (the store counts the references). The file-gate quest
``getfile {pid, sign, salt[, ts], fileid | url}``, signed like a server-API quest (cmd
``getfile``), also returns it: ``{file: bin, fileid, filename, ext, size, mtime}``; an unknown
file, one no live message carries, or one of another project answers 200003. URLs of earlier
databases, ``<pid>/<mid>``, keep working while their message is stored.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from rtm.api.files import file_sign
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.server import codes
from rtm.server.core import Answer, ServerCore
from rtm.server.gate_server import file_target
from rtm.server.params import Params, byte_len, check_id, check_mtype
from rtm.server.store import Kind, SendResult, StoredFile, new_file_id

FILE_URL_SCHEME: Final = "rtm-file://"

_KINDS: Final = {
    "sendfile": Kind.P2P,
    "sendfiles": Kind.P2P,
    "sendgroupfile": Kind.GROUP,
    "sendroomfile": Kind.ROOM,
    "broadcastfile": Kind.BROADCAST,
}

_IMAGE: Final = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "webp"})
_AUDIO: Final = frozenset({"mp3", "amr", "wav", "aac", "ogg", "m4a"})
_VIDEO: Final = frozenset({"mp4", "mov", "avi", "mkv", "webm"})


def ftype_of(ext: str) -> int:
    """Spec §6.4: 10 image, 11 audio, 12 video, 100 any other file."""
    e = ext.lower().lstrip(".")
    if e in _IMAGE:
        return 10
    if e in _AUDIO:
        return 11
    if e in _VIDEO:
        return 12
    return 100


_FILE_ID_TEXT: Final = re.compile(r"[A-Za-z0-9_-]+")


def file_url(base: str, pid: int, file_id: str) -> str:
    """A stored file's URL (current spec §5.6): its own id, not the message's mid, so that two
    messages never share a URL."""
    return f"{base}/{pid}/{file_id}"


def parse_file_url(url: str) -> tuple[int, str | int] | None:
    """``(pid, file_id)`` of a ``.../<pid>/<file_id>`` URL or of an
    ``rtm-file://<pid>/<file_id>`` reference (older servers), ``(pid, mid)`` of the
    ``.../<pid>/<mid>`` URL of an earlier database (all digits); None otherwise."""
    if url.startswith(FILE_URL_SCHEME):
        pid_text, sep, file_id = url[len(FILE_URL_SCHEME):].partition("/")
        if not sep or not pid_text.isdigit() or not file_id:
            return None
        return int(pid_text), file_id
    parts = url.split("?", 1)[0].rstrip("/").rsplit("/", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    ref = parts[2]
    if ref.isdigit():
        return int(parts[1]), int(ref)
    if _FILE_ID_TEXT.fullmatch(ref):
        return int(parts[1]), ref
    return None


def stored_file_message(mtype: int, url: str, size: int, attrs: str | bytes,
                        meta: FileAttrs) -> tuple[str, str | bytes]:
    """(msg, attrs) a file message is stored and delivered with (module doc)."""
    if not codes.FILE_MTYPE_MIN <= mtype <= codes.FILE_MTYPE_MAX:
        return url, attrs  # legacy: only flat attrs get here (nested ones are refused)
    body: dict[str, Any] = {"url": url, "size": size}
    if mtype == codes.FILE_MTYPE_MIN:  # image: a thumbnail URL (no real thumbnail)
        body["surl"] = url + "?thumb=1"
    msg = json.dumps(body, separators=(",", ":"))
    if meta.nested:
        return msg, attrs
    flat = json.loads(attrs)
    if "exit" in flat and "ext" not in flat:
        flat["ext"] = flat.pop("exit")
    return msg, json.dumps({"rtm": flat, "custom": ""}, separators=(",", ":"),
                           ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class FileAttrs:
    sign: str
    ext: str
    filename: str
    nested: bool


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_file_attrs(attrs: str | bytes, strict: bool) -> FileAttrs:
    """The checksum and extension carried by file ``attrs`` (200004 when incomplete)."""
    try:
        text = attrs.decode() if isinstance(attrs, bytes) else attrs
        obj = json.loads(text) if text else None
    except (UnicodeDecodeError, ValueError):
        obj = None
    if not isinstance(obj, dict):
        raise codes.rtm_error(codes.ATTRS_WITHOUT_SIGN_OR_EXT,
                              "attrs should be a JSON object containing sign and ext")
    nested = isinstance(obj.get("rtm"), dict)
    fields: dict[str, Any] = obj["rtm"] if nested else obj
    sign = _text(fields.get("sign"))
    if not sign:
        raise codes.rtm_error(codes.ATTRS_WITHOUT_SIGN_OR_EXT, "attrs should contain sign")
    filename = _text(fields.get("filename"))
    ext = _text(fields.get("ext")) or _text(fields.get("exit"))
    full_name = filename
    if ext and not fields.get("ext") and filename:
        full_name = f"{filename}.{ext}"  # GO010 split "name.ext" into filename + exit
    if not ext and filename:
        dot = filename.rfind(".")
        if 0 < dot < len(filename) - 1:
            ext = filename[dot + 1:]
    if not ext and strict:
        raise codes.rtm_error(codes.ATTRS_WITHOUT_SIGN_OR_EXT, "attrs should contain ext")
    return FileAttrs(sign=sign, ext=ext, filename=full_name, nested=nested)


def _strip_sign(attrs: str | bytes, nested: bool) -> str | bytes:
    try:
        obj = json.loads(attrs)
        fields = obj["rtm"] if nested else obj
        fields.pop("sign", None)
        return json.dumps(obj, separators=(",", ":"), sort_keys=not nested)
    except (ValueError, TypeError, KeyError):
        return attrs


@dataclass(frozen=True, slots=True)
class _FileQuest:
    """A file quest read and checked up to its checksum."""

    pid: int
    token: str
    mtype: int
    from_uid: int
    mid: int
    content: bytes
    attrs: str | bytes
    target: int | list[int] | None
    meta: FileAttrs


FileHandler = Callable[[ServerConnection, Params], Awaitable[Answer]]


class FileGate:
    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.store = core.store
        self.config = core.config

    def register(self, server: FPNNServer) -> None:
        for cmd in _KINDS:
            server.register(cmd, self.core.wrap(cmd, self._sender(cmd)))
        server.register("uploadfile", self.core.wrap("uploadfile", self._uploader))
        server.register("getfile", self.core.wrap("getfile", self.getfile))

    def _sender(self, cmd: str) -> FileHandler:
        async def handler(conn: ServerConnection, p: Params) -> Answer:
            # Shielded: once the token is used, the file is stored and delivered even if the
            # sender's connection goes away meanwhile.
            return await self.core.shielded(self.send_file(cmd, p))

        return handler

    async def _uploader(self, conn: ServerConnection, p: Params) -> Answer:
        return await self.core.shielded(self.upload_file(p))

    def _read_file(self, cmd: str, p: Params) -> _FileQuest:
        """The quest's common part, checked (module doc's order, up to the checksum)."""
        pid = p.int_("pid", "i32")
        token = p.str_("token")
        mtype, from_uid, mid = p.int_("mtype"), p.int_("from"), p.int_("mid")
        content = p.bytes_("file")
        attrs = p.opt_payload("attrs")
        check_id("pid", pid)
        check_id("from", from_uid)
        target = file_target(p, cmd)
        if pid not in self.core.projects:
            raise codes.rtm_error(codes.INVALID_PID_OR_SIGN, f"invalid pid {pid}")
        check_mtype(mtype)
        if len(content) > self.config.max_file_size:
            raise codes.rtm_error(
                codes.LARGE_FILE_OR_ATTRS,
                f"file is {len(content)} bytes, at most {self.config.max_file_size}")
        if byte_len(attrs) > codes.MAX_FILE_ATTRS_BYTES:
            raise codes.rtm_error(
                codes.LARGE_FILE_OR_ATTRS,
                f"attrs is {byte_len(attrs)} bytes, at most {codes.MAX_FILE_ATTRS_BYTES}")
        meta = parse_file_attrs(attrs, strict=self.config.file_attrs == "strict")
        if meta.nested and not codes.FILE_MTYPE_MIN <= mtype <= codes.FILE_MTYPE_MAX:
            raise codes.rtm_error(
                codes.INVALID_FILE_MTYPE,
                f"invalid file mtype {mtype}: current file attrs need 40 image, 41 audio, "
                "42 video or 50 file (43..49 accepted)")
        if not hmac.compare_digest(file_sign(content, token).encode(),
                                   meta.sign.lower().encode()):
            raise codes.rtm_error(codes.INVALID_FILE_OR_SIGN_OR_TOKEN,
                                  "invalid file or sign or token: checksum mismatch")
        return _FileQuest(pid, token, mtype, from_uid, mid, content, attrs, target, meta)

    async def upload_file(self, p: Params) -> Answer:
        q = self._read_file("uploadfile", p)
        if p.present("uid"):
            uid = p.int_("uid")
            if uid != q.from_uid:
                raise codes.rtm_error(codes.INVALID_PARAMETER,
                                      f"uid {uid} is not the sender (from {q.from_uid})")
        file_id = new_file_id()
        mtime = await self.store.upload_file(q.pid, q.token, q.from_uid, file_id=file_id,
                                             content=q.content, filename=q.meta.filename,
                                             ext=q.meta.ext, mid=q.mid)
        return {"mtime": mtime, "url": file_url(self.core.file_base_url, q.pid, file_id),
                "size": len(q.content)}

    async def send_file(self, cmd: str, p: Params) -> Answer:
        q = self._read_file(cmd, p)
        pid, token, mtype, from_uid, mid = q.pid, q.token, q.mtype, q.from_uid, q.mid
        content, attrs, target, meta = q.content, q.attrs, q.target, q.meta
        file_id = new_file_id()
        url = file_url(self.core.file_base_url, pid, file_id)
        ftype = ftype_of(meta.ext)
        msg, stored_attrs = stored_file_message(mtype, url, len(content), attrs, meta)
        delivered = (_strip_sign(stored_attrs, meta.nested or stored_attrs is not attrs)
                     if self.config.strip_file_sign else stored_attrs)
        kind = _KINDS[cmd]

        def store_all() -> Awaitable[SendResult]:
            # token, blob and message in one store operation: all or nothing
            return self.store.send_file(
                pid, token, from_uid, cmd, target, file_id=file_id, content=content,
                filename=meta.filename, ext=meta.ext, kind=kind, mid=mid, mtype=mtype,
                msg=msg, attrs=delivered)

        client = await self.store.file_token_is_client(token)
        mtime = await self.core.send(pid, kind, from_uid, target, mid, mtype, msg, delivered,
                                     origin="client" if client else "file", ftype=ftype,
                                     store_call=store_all)
        return {"mtime": mtime}

    async def getfile(self, conn: ServerConnection, p: Params) -> Answer:
        pid = self.core.auth.check(p, "getfile")
        stored: StoredFile | None
        if p.present("fileid"):
            stored = await self.store.live_file(pid, p.str_("fileid"))
        else:
            url = p.str_("url")
            parsed = parse_file_url(url)
            if parsed is None or parsed[0] != pid:
                raise codes.rtm_error(codes.INVALID_FILE_OR_SIGN_OR_TOKEN,
                                      f"not a file reference of project {pid}: {url!r}")
            ref = parsed[1]
            stored = (await self.store.message_file(pid, ref) if isinstance(ref, int)
                      else await self.store.live_file(pid, ref))
        if stored is None or stored.pid != pid:
            raise codes.rtm_error(codes.INVALID_FILE_OR_SIGN_OR_TOKEN, "file not found")
        return {"file": stored.content, "fileid": stored.file_id, "filename": stored.filename,
                "ext": stored.ext, "size": stored.size, "mtime": stored.created_ms}
