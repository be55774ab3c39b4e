"""Sans-IO encryption layer of the FPNN protocol (spec section 7).

ECDH on the server's curve gives a shared secret; AES-CFB128 with a key and IV derived from it
encrypts every byte after the plaintext ``*key`` quest. Two framings exist:

* stream mode: one cipher state per direction for the life of the connection;
* package mode: each frame is sent as ``u32 LE length || AES-CFB(key, iv, frame)`` with a fresh
  cipher state per frame.

Nothing here does IO: callers hand in bytes and get bytes back.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms

try:
    # Newer releases moved CFB here and deprecate the old location.
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - cryptography < 43 has no `decrepit` package
    from cryptography.hazmat.primitives.ciphers.modes import CFB

from rtm.fpnn.errors import FPNNCryptoError, FPNNProtocolError

__all__ = [
    "DEFAULT_MAX_PACKAGE_SIZE",
    "SUPPORTED_CURVES",
    "ClientKeyExchange",
    "Decryptor",
    "Encryptor",
    "ServerPrivateKey",
    "ServerPublicKey",
    "accept_key_quest",
    "derive_key_iv",
    "generate_private_key",
    "load_private_key",
    "load_public_key",
]

DEFAULT_MAX_PACKAGE_SIZE: Final = 8 * 1024 * 1024

SUPPORTED_CURVES: tuple[str, ...] = ("secp256k1", "secp256r1", "secp224r1", "secp192r1")

_CURVE_CLASSES: Final[dict[str, type[ec.EllipticCurve]]] = {
    "secp256k1": ec.SECP256K1,
    "secp256r1": ec.SECP256R1,
    "secp224r1": ec.SECP224R1,
    "secp192r1": ec.SECP192R1,
}
_CURVE_ALIASES: Final[dict[str, str]] = {"prime256v1": "secp256r1", "prime192v1": "secp192r1"}
# Coordinate size in bytes = shared-secret length = raw private-key length.
_CURVE_SIZES: Final[dict[str, int]] = {
    "secp256k1": 32,
    "secp256r1": 32,
    "secp224r1": 28,
    "secp192r1": 24,
}
_RAW_SIZE_TO_CURVE: Final[dict[int, str]] = {32: "secp256k1", 28: "secp224r1", 24: "secp192r1"}

_LEN_PREFIX: Final = struct.Struct("<I")
_MAX_U32: Final = 0xFFFFFFFF


def _supported_text() -> str:
    return ", ".join(SUPPORTED_CURVES) + " (aliases: prime256v1, prime192v1)"


def _canonical_curve(name: str) -> str:
    """Canonical curve name for ``name`` (case-insensitive, aliases accepted)."""
    lowered = name.strip().lower()
    lowered = _CURVE_ALIASES.get(lowered, lowered)
    if lowered not in _CURVE_CLASSES:
        raise FPNNCryptoError(f"unsupported curve {name!r}; expected one of {_supported_text()}")
    return lowered


def _curve_of(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> str:
    name = key.curve.name
    if name not in _CURVE_CLASSES:
        raise FPNNCryptoError(
            f"key is on unsupported curve {name!r}; expected one of {_supported_text()}"
        )
    return name


def _raw_xy(key: ec.EllipticCurvePublicKey) -> bytes:
    # Strip the 0x04 marker of the uncompressed point: FPNN sends bare X||Y.
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )[1:]


@dataclass(frozen=True)
class ServerPublicKey:
    """The server's ECDH public key as a client holds it."""

    curve: str
    key: ec.EllipticCurvePublicKey
    raw: bytes


@dataclass(frozen=True)
class ServerPrivateKey:
    """The server's ECDH private key."""

    curve: str
    key: ec.EllipticCurvePrivateKey

    def public_key(self) -> ServerPublicKey:
        pub = self.key.public_key()
        return ServerPublicKey(curve=self.curve, key=pub, raw=_raw_xy(pub))

    def public_pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM with an uncompressed point (what clients load)."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def public_der(self) -> bytes:
        """The public key as DER SubjectPublicKeyInfo (what the Java client SDKs load with
        ``X509EncodedKeySpec``)."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def raw(self) -> bytes:
        """Big-endian private scalar of curve-size bytes (the C++ key-maker file format)."""
        size = _CURVE_SIZES[self.curve]
        return self.key.private_numbers().private_value.to_bytes(size, "big")


def _read_file(path: str | os.PathLike[str], what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise FPNNCryptoError(f"cannot read {what} file {os.fspath(path)!r}: {exc}") from exc


def _one_source(
    path: str | os.PathLike[str] | None, data: bytes | str | None, path_arg: str, data_arg: str
) -> None:
    if (path is None) == (data is None):
        raise ValueError(f"give exactly one of {path_arg} or {data_arg}")


def load_public_key(
    pem_key_path: str | os.PathLike[str] | None = None,
    *,
    pem_key_data: bytes | str | None = None,
) -> ServerPublicKey:
    """Load the server public key from a PEM/DER file or from PEM/DER data.

    Compressed points are accepted: the raw X||Y sent on the wire is recomputed from the key.
    """
    _one_source(pem_key_path, pem_key_data, "pem_key_path", "pem_key_data")
    if pem_key_path is not None:
        data = _read_file(pem_key_path, "public key")
    elif isinstance(pem_key_data, str):
        data = pem_key_data.encode("ascii", "replace")
    else:
        assert pem_key_data is not None
        data = bytes(pem_key_data)
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_der_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise FPNNCryptoError(
            "invalid server public key: expected a PEM '-----BEGIN PUBLIC KEY-----' block or DER "
            f"bytes holding an X.509 SubjectPublicKeyInfo EC key ({exc})"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise FPNNCryptoError(
            f"server public key is a {type(key).__name__}, expected an EC (id-ecPublicKey) key"
        )
    curve = _curve_of(key)
    return ServerPublicKey(curve=curve, key=key, raw=_raw_xy(key))


def load_private_key(
    path: str | os.PathLike[str] | None = None,
    *,
    data: bytes | None = None,
    curve: str | None = None,
) -> ServerPrivateKey:
    """Load the server private key: PEM (SEC1 or PKCS#8), DER, or the C++ raw scalar file.

    The raw format is exactly curve-size bytes; a 32-byte key is taken as ``secp256k1`` unless
    ``curve`` says otherwise, and 28/24 bytes can only be secp224r1/secp192r1.
    """
    _one_source(path, data, "path", "data")
    blob = _read_file(path, "private key") if path is not None else bytes(data or b"")
    wanted = _canonical_curve(curve) if curve is not None else None

    # Raw scalars are 24/28/32 bytes; no DER EC private key is that short, so length decides.
    if b"-----BEGIN" not in blob and len(blob) in _RAW_SIZE_TO_CURVE:
        name = wanted if wanted is not None else _RAW_SIZE_TO_CURVE[len(blob)]
        size = _CURVE_SIZES[name]
        if len(blob) != size:
            raise FPNNCryptoError(
                f"raw private key for {name} must be exactly {size} bytes, got {len(blob)}"
            )
        try:
            key = ec.derive_private_key(int.from_bytes(blob, "big"), _CURVE_CLASSES[name]())
        except ValueError as exc:
            raise FPNNCryptoError(
                f"raw private key is not a valid {name} scalar (must be in 1..n-1): {exc}"
            ) from exc
        return ServerPrivateKey(curve=name, key=key)

    try:
        if b"-----BEGIN" in blob:
            loaded = serialization.load_pem_private_key(blob, password=None)
        else:
            loaded = serialization.load_der_private_key(blob, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise FPNNCryptoError(
            "invalid server private key: expected unencrypted PEM ('EC PRIVATE KEY' or "
            "'PRIVATE KEY'), DER, or a raw big-endian scalar of curve size "
            f"(32/28/24 bytes); got {len(blob)} bytes ({exc})"
        ) from exc
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise FPNNCryptoError(
            f"server private key is a {type(loaded).__name__}, expected an EC private key"
        )
    name = _curve_of(loaded)
    if wanted is not None and wanted != name:
        raise FPNNCryptoError(f"private key is on {name}, but curve={wanted!r} was requested")
    return ServerPrivateKey(curve=name, key=loaded)


def generate_private_key(curve: str = "secp256k1") -> ServerPrivateKey:
    """A fresh server key pair on ``curve``."""
    name = _canonical_curve(curve)
    return ServerPrivateKey(curve=name, key=ec.generate_private_key(_CURVE_CLASSES[name]()))


def derive_key_iv(secret: bytes, bits: int) -> tuple[bytes, bytes]:
    """AES key and IV from the ECDH secret (spec 7.2, C++ rules for every curve)."""
    if bits not in (128, 256):
        raise ValueError(f"bits must be 128 or 256, got {bits!r}")
    iv = hashlib.md5(secret, usedforsecurity=False).digest()
    if bits == 128:
        key = secret[:16]
    else:
        key = bytes(secret) if len(secret) == 32 else hashlib.sha256(secret).digest()
    return key, iv


class Encryptor:
    """Outgoing direction of an encrypted connection."""

    __slots__ = ("_cipher", "_ctx", "_stream")

    def __init__(self, key: bytes, iv: bytes, *, stream: bool) -> None:
        # One Cipher object is kept: in package mode it mints a fresh context per frame, which
        # is cheaper than rebuilding the algorithm and mode objects each time.
        self._cipher = Cipher(algorithms.AES(key), CFB(iv))
        self._stream = stream
        self._ctx: CipherContext | None = self._cipher.encryptor() if stream else None

    @property
    def stream(self) -> bool:
        return self._stream

    def encrypt_frames(self, frames: list[bytes]) -> bytes:
        """Encrypt whole frames for the wire. Empty frames are skipped (they carry nothing)."""
        ctx = self._ctx
        if ctx is not None:
            # Stream mode: the wire is CFB over the concatenation; state carries on.
            if len(frames) == 1:
                return ctx.update(frames[0])
            return ctx.update(b"".join(frames))
        out: list[bytes] = []
        append = out.append
        pack = _LEN_PREFIX.pack
        new_ctx = self._cipher.encryptor
        for frame in frames:
            n = len(frame)
            if not n:
                continue
            if n > _MAX_U32:
                raise FPNNProtocolError(f"frame of {n} bytes does not fit a u32 package length")
            append(pack(n))
            append(new_ctx().update(frame))
        return b"".join(out)


class Decryptor:
    """Incoming direction of an encrypted connection."""

    __slots__ = ("_buf", "_cipher", "_ctx", "_max", "_stream")

    def __init__(
        self,
        key: bytes,
        iv: bytes,
        *,
        stream: bool,
        max_package_size: int = DEFAULT_MAX_PACKAGE_SIZE,
    ) -> None:
        if max_package_size < 1:
            raise ValueError(f"max_package_size must be positive, got {max_package_size}")
        self._cipher = Cipher(algorithms.AES(key), CFB(iv))
        self._stream = stream
        self._ctx: CipherContext | None = self._cipher.decryptor() if stream else None
        self._max = max_package_size
        self._buf = bytearray()

    @property
    def stream(self) -> bool:
        return self._stream

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete package held back (always 0 in stream mode)."""
        return len(self._buf)

    def feed(self, data: bytes) -> bytes:
        """Decrypt received bytes; return all plaintext now available (possibly ``b""``)."""
        ctx = self._ctx
        if ctx is not None:
            return ctx.update(data)
        buf = self._buf
        if buf:
            buf += data
            out, used = self._drain(buf)
            del buf[:used]
            return out
        # Fast path: parse straight from `data`, copying only a trailing partial package.
        out, used = self._drain(data)
        if used < len(data):
            buf += memoryview(data)[used:]
        return out

    def _drain(self, src: bytes | bytearray) -> tuple[bytes, int]:
        pos = 0
        end = len(src)
        limit = self._max
        unpack_from = _LEN_PREFIX.unpack_from
        new_ctx = self._cipher.decryptor
        plain: list[bytes] = []
        # The view must be released before the caller resizes a bytearray source.
        with memoryview(src) as view:
            while end - pos >= 4:
                (n,) = unpack_from(src, pos)
                # Checked before waiting for the body, so a hostile prefix never reserves memory.
                if n == 0 or n > limit:
                    raise FPNNProtocolError(
                        f"encrypted package length {n} is invalid "
                        f"(expected 1..{limit} bytes, the max package size)"
                    )
                if end - pos - 4 < n:
                    break
                start = pos + 4
                pos = start + n
                plain.append(new_ctx().update(view[start:pos]))
        if not plain:
            return b"", pos
        return (plain[0] if len(plain) == 1 else b"".join(plain)), pos


def _check_bits(bits: object, exc_type: type[Exception]) -> int:
    if isinstance(bits, bool) or not isinstance(bits, int) or bits not in (128, 256):
        raise exc_type(f"bits must be 128 or 256, got {bits!r}")
    return bits


class ClientKeyExchange:
    """Client side of the ``*key`` handshake: ephemeral ECDH, derived key/IV, quest payload."""

    def __init__(
        self,
        server_key: ServerPublicKey,
        *,
        bits: int = 256,
        stream: bool = True,
        client_private_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> None:
        self.bits: int = _check_bits(bits, ValueError)
        self.stream: bool = bool(stream)
        self.server_key = server_key
        curve_cls = _CURVE_CLASSES[server_key.curve]
        if client_private_key is None:
            client_private_key = ec.generate_private_key(curve_cls())
        elif client_private_key.curve.name != server_key.curve:
            raise FPNNCryptoError(
                f"client private key is on {client_private_key.curve.name}, "
                f"but the server key is on {server_key.curve}"
            )
        self._private_key = client_private_key
        self.public_key_raw: bytes = _raw_xy(client_private_key.public_key())
        secret = client_private_key.exchange(ec.ECDH(), server_key.key)
        self.key: bytes
        self.iv: bytes
        self.key, self.iv = derive_key_iv(secret, self.bits)

    def key_quest_payload(self) -> dict[str, object]:
        """Payload of the plaintext ``*key`` quest (key order matters for byte-exact frames)."""
        return {"publicKey": self.public_key_raw, "streamMode": self.stream, "bits": self.bits}

    def make_ciphers(
        self, max_package_size: int = DEFAULT_MAX_PACKAGE_SIZE
    ) -> tuple[Encryptor, Decryptor]:
        """(outgoing encryptor, incoming decryptor), each with its own cipher state."""
        return (
            Encryptor(self.key, self.iv, stream=self.stream),
            Decryptor(self.key, self.iv, stream=self.stream, max_package_size=max_package_size),
        )


def _public_key_bytes(value: object, expected: int) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        # The C++ client packs the key as msgpack str. Depending on how the decoder turned those
        # bytes into text, latin-1 or UTF-8+surrogateescape restores them; only the right one
        # yields the expected length (a UTF-8 decode of non-ASCII bytes shortens the text).
        try:
            raw = value.encode("latin-1")
            if len(raw) == expected:
                return raw
        except UnicodeEncodeError:
            pass
        try:
            return value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as exc:
            raise FPNNCryptoError(
                f"*key publicKey string cannot be turned into bytes: {exc}"
            ) from exc
    raise FPNNCryptoError(f"*key publicKey must be bin or str, got {type(value).__name__}")


def accept_key_quest(
    server_key: ServerPrivateKey,
    payload: Mapping[str, object],
    *,
    max_package_size: int = DEFAULT_MAX_PACKAGE_SIZE,
) -> tuple[Encryptor, Decryptor]:
    """Server side of ``*key``: validate the payload and return (encryptor, decryptor).

    The caller sends the ``*key`` answer through the returned encryptor; on
    :class:`FPNNCryptoError` it should close the connection without answering, as C++ does.
    """
    curve = server_key.curve
    size = _CURVE_SIZES[curve]
    if "publicKey" not in payload:
        raise FPNNCryptoError("*key quest has no publicKey")
    raw = _public_key_bytes(payload["publicKey"], 2 * size)
    if len(raw) != 2 * size:
        raise FPNNCryptoError(
            f"*key publicKey must be {2 * size} bytes (raw X||Y on {curve}), got {len(raw)}"
        )

    stream_val = payload.get("streamMode", False)
    if not isinstance(stream_val, (bool, int)):
        raise FPNNCryptoError(f"*key streamMode must be a bool, got {type(stream_val).__name__}")
    bits = _check_bits(payload.get("bits", 128), FPNNCryptoError)

    try:
        peer = ec.EllipticCurvePublicKey.from_encoded_point(_CURVE_CLASSES[curve](), b"\x04" + raw)
    except ValueError as exc:
        raise FPNNCryptoError(f"*key publicKey is not a valid point on {curve}: {exc}") from exc
    secret = server_key.key.exchange(ec.ECDH(), peer)
    key, iv = derive_key_iv(secret, bits)
    stream = bool(stream_val)
    return (
        Encryptor(key, iv, stream=stream),
        Decryptor(key, iv, stream=stream, max_package_size=max_package_size),
    )
