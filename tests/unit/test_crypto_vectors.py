"""FPNN encryption layer against the byte-exact vectors of tests/data/fpnn-vectors.json."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import msgpack
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from rtm.fpnn.crypto import (
    SUPPORTED_CURVES,
    ClientKeyExchange,
    Decryptor,
    Encryptor,
    ServerPrivateKey,
    accept_key_quest,
    derive_key_iv,
    generate_private_key,
    load_private_key,
    load_public_key,
)
from rtm.fpnn.errors import FPNNCryptoError, FPNNError, FPNNProtocolError

_DATA = json.loads((Path(__file__).parents[1] / "data" / "fpnn-vectors.json").read_text())
ENC: dict[str, Any] = _DATA["encryption"]
CURVES = sorted(ENC)
CURVES_256 = [c for c in CURVES if "bits128" in ENC[c]]
SIZES = {"secp256k1": 32, "secp256r1": 32, "secp224r1": 28, "secp192r1": 24}
CASES = [(c, b) for c in CURVES_256 for b in (128, 256)]


def h(value: str) -> bytes:
    return bytes.fromhex(value)


def hl(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def twoway_frame(seq: int, method: bytes, payload: dict[str, object]) -> bytes:
    """Minimal twoway-quest encoder (spec 2.1), independent of rtm.fpnn.codec."""
    body: bytes = msgpack.packb(payload, use_bin_type=True)
    header = b"FPNN" + bytes([1, 0x80, 1, len(method)]) + struct.pack("<II", len(body), seq)
    return header + method + body


def quest_payload(frame: bytes) -> dict[str, object]:
    """Payload map of a plaintext twoway quest frame."""
    (psize,) = struct.unpack_from("<I", frame, 8)
    start = 16 + frame[7]
    result: dict[str, object] = msgpack.unpackb(frame[start : start + psize], raw=False)
    return result


def server_key(curve: str) -> ServerPrivateKey:
    return load_private_key(data=h(ENC[curve]["server_private_key_raw"]), curve=curve)


def client_private(curve: str) -> ec.EllipticCurvePrivateKey:
    return load_private_key(data=h(ENC[curve]["client_private_key_raw"]), curve=curve).key


def exchange(curve: str, bits: int, stream: bool) -> ClientKeyExchange:
    return ClientKeyExchange(
        load_public_key(pem_key_data=ENC[curve]["server_public_key_pem"]),
        bits=bits,
        stream=stream,
        client_private_key=client_private(curve),
    )


def section(curve: str, bits: int, stream: bool) -> dict[str, Any]:
    result: dict[str, Any] = ENC[curve][f"bits{bits}"]["stream_mode" if stream else "package_mode"]
    return result


# --- key material --------------------------------------------------------------------------


def test_vectors_cover_every_supported_curve() -> None:
    assert set(CURVES) == set(SUPPORTED_CURVES)
    assert set(CURVES_256) == {"secp256k1", "secp256r1"}


@pytest.mark.parametrize("curve", CURVES)
def test_public_keys_from_private_keys(curve: str) -> None:
    vec = ENC[curve]
    server = server_key(curve)
    assert server.curve == curve
    assert server.public_key().raw == h(vec["server_public_key_raw_xy"])
    assert server.raw() == h(vec["server_private_key_raw"])
    client = load_private_key(data=h(vec["client_private_key_raw"]), curve=curve)
    assert client.public_key().raw == h(vec["client_public_key_raw_xy"])
    assert len(client.public_key().raw) == 2 * SIZES[curve]


@pytest.mark.parametrize("curve", CURVES)
def test_pem_loading_gives_raw_xy(curve: str) -> None:
    vec = ENC[curve]
    pem = vec["server_public_key_pem"]
    for data in (pem, pem.encode()):
        pub = load_public_key(pem_key_data=data)
        assert pub.curve == curve
        assert pub.raw == h(vec["server_public_key_raw_xy"])
    assert server_key(curve).public_pem() == pem.encode()


@pytest.mark.parametrize("curve", CURVES)
def test_shared_secret_and_derivation(curve: str) -> None:
    vec = ENC[curve]
    server = server_key(curve)
    client = client_private(curve)
    secret = client.exchange(ec.ECDH(), server.public_key().key)
    assert secret == h(vec["shared_secret"])
    assert server.key.exchange(ec.ECDH(), client.public_key()) == secret
    assert derive_key_iv(secret, 128) == (h(vec["aes128_key"]), h(vec["iv_md5_secret"]))
    assert derive_key_iv(secret, 256) == (h(vec["aes256_key"]), h(vec["iv_md5_secret"]))
    for bits, key in ((128, vec["aes128_key"]), (256, vec["aes256_key"])):
        kx = exchange(curve, bits, stream=True)
        assert (kx.key, kx.iv) == (h(key), h(vec["iv_md5_secret"]))
        assert kx.public_key_raw == h(vec["client_public_key_raw_xy"])


@pytest.mark.parametrize("curve", [c for c in CURVES if "go_sdk_divergence" in ENC[c]])
def test_small_curves_follow_cpp_not_go(curve: str) -> None:
    vec = ENC[curve]
    go = vec["go_sdk_divergence"]
    kx = exchange(curve, 256, stream=True)
    assert vec["aes256_key_rule"] == "sha256(secret)"
    assert kx.key == h(vec["aes256_key"]) != h(go["go_aes256_key"])
    assert kx.iv == h(vec["iv_md5_secret"]) != h(go["go_iv"])
    sent = kx.key_quest_payload()["publicKey"]
    assert sent == h(vec["client_public_key_raw_xy"]) != h(go["go_publicKey_sent"])
    assert isinstance(sent, bytes) and len(sent) == 2 * SIZES[curve]


def test_derive_key_iv_rejects_other_sizes() -> None:
    with pytest.raises(ValueError, match="128 or 256"):
        derive_key_iv(bytes(32), 192)


# --- *key quest and ciphertexts -------------------------------------------------------------


@pytest.mark.parametrize(("curve", "bits"), CASES)
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "package"])
def test_key_quest_plaintext(curve: str, bits: int, stream: bool) -> None:
    kx = exchange(curve, bits, stream)
    payload = kx.key_quest_payload()
    assert list(payload) == ["publicKey", "streamMode", "bits"]
    frame = twoway_frame(1, b"*key", payload)
    assert frame.hex() == section(curve, bits, stream)["key_quest_plaintext"]


@pytest.mark.parametrize(("curve", "bits"), CASES)
def test_stream_mode_client_side(curve: str, bits: int) -> None:
    sec = section(curve, bits, True)
    enc, dec = exchange(curve, bits, True).make_ciphers()
    assert enc.stream and dec.stream
    c2s_plain, c2s_cipher = (
        hl(sec["client_to_server_plaintext"]),
        hl(sec["client_to_server_ciphertext"]),
    )
    assert [enc.encrypt_frames([p]) for p in c2s_plain] == c2s_cipher
    s2c_plain, s2c_cipher = (
        hl(sec["server_to_client_plaintext"]),
        hl(sec["server_to_client_ciphertext"]),
    )
    assert [dec.feed(c) for c in s2c_cipher] == s2c_plain
    # Several frames in one call are one piece of the same stream.
    enc2, _ = exchange(curve, bits, True).make_ciphers()
    assert enc2.encrypt_frames(c2s_plain) == b"".join(c2s_cipher)


@pytest.mark.parametrize(("curve", "bits"), CASES)
def test_stream_mode_server_side(curve: str, bits: int) -> None:
    sec = section(curve, bits, True)
    payload = quest_payload(h(sec["key_quest_plaintext"]))
    enc, dec = accept_key_quest(server_key(curve), payload)
    assert enc.stream and dec.stream
    wire = b"".join(hl(sec["client_to_server_ciphertext"]))
    # Arbitrary TCP chunking does not matter in stream mode.
    got = b"".join(dec.feed(wire[i : i + 7]) for i in range(0, len(wire), 7))
    assert got == b"".join(hl(sec["client_to_server_plaintext"]))
    s2c = hl(sec["server_to_client_plaintext"])
    assert [enc.encrypt_frames([p]) for p in s2c] == hl(sec["server_to_client_ciphertext"])


@pytest.mark.parametrize(("curve", "bits"), CASES)
def test_package_mode_client_side(curve: str, bits: int) -> None:
    sec = section(curve, bits, False)
    enc, dec = exchange(curve, bits, False).make_ciphers()
    assert not enc.stream and not dec.stream
    c2s_plain, c2s_wire = hl(sec["client_to_server_plaintext"]), hl(sec["client_to_server_wire"])
    assert [enc.encrypt_frames([p]) for p in c2s_plain] == c2s_wire
    assert enc.encrypt_frames(c2s_plain) == b"".join(c2s_wire)
    s2c_plain, s2c_wire = hl(sec["server_to_client_plaintext"]), hl(sec["server_to_client_wire"])
    assert [dec.feed(w) for w in s2c_wire] == s2c_plain
    for wire in s2c_wire:
        assert struct.unpack_from("<I", wire)[0] == len(wire) - 4


@pytest.mark.parametrize(("curve", "bits"), CASES)
def test_package_mode_server_side(curve: str, bits: int) -> None:
    sec = section(curve, bits, False)
    payload = quest_payload(h(sec["key_quest_plaintext"]))
    enc, dec = accept_key_quest(server_key(curve), payload)
    assert not enc.stream and not dec.stream
    wire = b"".join(hl(sec["client_to_server_wire"]))
    plain = hl(sec["client_to_server_plaintext"])
    # Byte-at-a-time delivery: partial packages stay buffered until complete.
    out = [dec.feed(wire[i : i + 1]) for i in range(len(wire))]
    assert b"".join(out) == b"".join(plain)
    assert dec.buffered == 0
    assert dec.feed(b"") == b""
    s2c = hl(sec["server_to_client_plaintext"])
    assert [enc.encrypt_frames([p]) for p in s2c] == hl(sec["server_to_client_wire"])


@pytest.mark.parametrize(("curve", "bits"), CASES)
def test_second_stream_frame_needs_carried_state(curve: str, bits: int) -> None:
    sec = section(curve, bits, True)
    kx = exchange(curve, bits, True)
    second, plain = (
        h(sec["client_to_server_ciphertext"][1]),
        h(sec["client_to_server_plaintext"][1]),
    )
    fresh = Decryptor(kx.key, kx.iv, stream=True).feed(second)
    assert fresh != plain
    assert not fresh.startswith(b"FPNN")
    # While a fresh state does decrypt every package-mode frame.
    pkg = h(section(curve, bits, False)["client_to_server_wire"][1])
    assert Decryptor(kx.key, kx.iv, stream=False).feed(pkg) == plain


def test_package_frames_share_first_keystream_bytes() -> None:
    # Same key and IV everywhere (spec 7.2): each package starts with the same keystream.
    sec = section("secp256k1", 128, False)
    for wire in hl(sec["client_to_server_wire"] + sec["server_to_client_wire"]):
        assert wire[4:8] == h("44c6520b")


@pytest.mark.parametrize("stream", [True, False])
def test_cpp_client_str_public_key(stream: bool) -> None:
    curve, bits = "secp256k1", 128
    sec = section(curve, bits, stream)
    payload = quest_payload(h(sec["key_quest_plaintext"]))
    raw = payload["publicKey"]
    assert isinstance(raw, bytes)
    wire_name = "client_to_server_ciphertext" if stream else "client_to_server_wire"
    first_wire, first_plain = h(sec[wire_name][0]), h(sec["client_to_server_plaintext"][0])
    decoded_forms = [raw.decode("latin-1"), raw.decode("utf-8", "surrogateescape")]
    assert decoded_forms[0] != decoded_forms[1]
    for text in decoded_forms:
        _, dec = accept_key_quest(server_key(curve), {**payload, "publicKey": text})
        assert dec.feed(first_wire) == first_plain


def test_cpp_only_dummy_key_quest_is_rejected() -> None:
    frame = h(_DATA["cpp_only_frames"]["key_quest_cpp_client_dummy_key"]["hex"])
    payload = quest_payload(frame)
    assert isinstance(payload["publicKey"], str)
    with pytest.raises(FPNNCryptoError, match="not a valid point on secp256k1"):
        accept_key_quest(server_key("secp256k1"), payload)


def test_accept_key_quest_defaults_to_package_128() -> None:
    kx = exchange("secp256k1", 128, stream=False)
    enc, dec = accept_key_quest(server_key("secp256k1"), {"publicKey": kx.public_key_raw})
    assert not enc.stream
    client_enc, _ = kx.make_ciphers()
    frame = twoway_frame(2, b"x", {})
    assert dec.feed(client_enc.encrypt_frames([frame])) == frame


def test_encryptor_edge_cases() -> None:
    kx = exchange("secp256k1", 128, stream=False)
    enc, _ = kx.make_ciphers()
    assert enc.encrypt_frames([]) == b""
    assert enc.encrypt_frames([b""]) == b""
    senc = Encryptor(kx.key, kx.iv, stream=True)
    assert senc.encrypt_frames([]) == b""


# --- loading keys ---------------------------------------------------------------------------


def _pem_forms(key: ec.EllipticCurvePrivateKey) -> dict[str, bytes]:
    enc, fmt = serialization.Encoding, serialization.PrivateFormat
    none = serialization.NoEncryption()
    return {
        "sec1_pem": key.private_bytes(enc.PEM, fmt.TraditionalOpenSSL, none),
        "pkcs8_pem": key.private_bytes(enc.PEM, fmt.PKCS8, none),
        "sec1_der": key.private_bytes(enc.DER, fmt.TraditionalOpenSSL, none),
        "pkcs8_der": key.private_bytes(enc.DER, fmt.PKCS8, none),
    }


@pytest.mark.parametrize("curve", CURVES)
def test_private_key_formats(curve: str, tmp_path: Path) -> None:
    ref = server_key(curve)
    for name, blob in _pem_forms(ref.key).items():
        loaded = load_private_key(data=blob)
        assert (loaded.curve, loaded.raw()) == (curve, ref.raw()), name
        path = tmp_path / name
        path.write_bytes(blob)
        assert load_private_key(path).raw() == ref.raw()
        assert load_private_key(str(path), curve=curve).raw() == ref.raw()
    raw_path = tmp_path / "raw.key"
    raw_path.write_bytes(ref.raw())
    assert load_private_key(raw_path, curve=curve).public_key().raw == ref.public_key().raw


def test_raw_private_key_curve_rules() -> None:
    raw_k1 = h(ENC["secp256k1"]["server_private_key_raw"])
    assert load_private_key(data=raw_k1).curve == "secp256k1"  # C++ default for 32 bytes
    assert load_private_key(data=raw_k1, curve="prime256v1").curve == "secp256r1"
    assert load_private_key(data=raw_k1, curve="SECP256R1").curve == "secp256r1"
    # 28 and 24 bytes can only be one supported curve each.
    assert load_private_key(data=h(ENC["secp224r1"]["server_private_key_raw"])).curve == "secp224r1"
    raw_192 = h(ENC["secp192r1"]["server_private_key_raw"])
    assert load_private_key(data=raw_192).curve == "secp192r1"
    assert load_private_key(data=raw_192, curve="prime192v1").curve == "secp192r1"
    with pytest.raises(FPNNCryptoError, match="secp256k1 must be exactly 32 bytes, got 24"):
        load_private_key(data=raw_192, curve="secp256k1")
    with pytest.raises(FPNNCryptoError, match=r"1..n-1"):
        load_private_key(data=bytes(32))
    with pytest.raises(FPNNCryptoError, match=r"1..n-1"):
        load_private_key(data=b"\xff" * 32)


def test_private_key_errors(tmp_path: Path) -> None:
    with pytest.raises(FPNNCryptoError, match="invalid server private key"):
        load_private_key(
            data=b"-----BEGIN EC PRIVATE KEY-----\ngarbage\n-----END EC PRIVATE KEY-----\n"
        )
    with pytest.raises(FPNNCryptoError, match=r"raw big-endian scalar .*got 33 bytes"):
        load_private_key(data=b"\x01" * 33)
    r1 = _pem_forms(server_key("secp256r1").key)["pkcs8_pem"]
    with pytest.raises(FPNNCryptoError, match="on secp256r1, but curve='secp256k1'"):
        load_private_key(data=r1, curve="secp256k1")
    with pytest.raises(FPNNCryptoError, match="unsupported curve 'secp521r1'"):
        load_private_key(data=r1, curve="secp521r1")
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(FPNNCryptoError, match=r"secp384r1.*secp256k1"):
        load_private_key(data=_pem_forms(p384)["sec1_pem"])
    ed = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(FPNNCryptoError, match="expected an EC private key"):
        load_private_key(data=ed)
    with pytest.raises(FPNNCryptoError, match="cannot read private key file"):
        load_private_key(tmp_path / "missing.key")
    with pytest.raises(ValueError, match="exactly one"):
        load_private_key()
    with pytest.raises(ValueError, match="exactly one"):
        load_private_key(tmp_path / "x", data=b"x")


@pytest.mark.parametrize("curve", [*SUPPORTED_CURVES, "prime256v1", "prime192v1"])
def test_generate_private_key(curve: str) -> None:
    key = generate_private_key(curve)
    assert key.curve in SUPPORTED_CURVES
    assert len(key.raw()) == SIZES[key.curve]
    pub = load_public_key(pem_key_data=key.public_pem())
    assert pub.raw == key.public_key().raw
    assert load_private_key(data=key.raw(), curve=curve).public_key().raw == pub.raw


def test_generate_private_key_unsupported_curve() -> None:
    with pytest.raises(FPNNCryptoError, match=r"unsupported curve 'secp384r1'; expected one of"):
        generate_private_key("secp384r1")


def test_public_key_from_path_and_der(tmp_path: Path) -> None:
    vec = ENC["secp256r1"]
    pem_path = tmp_path / "server.pem"
    pem_path.write_text(vec["server_public_key_pem"])
    assert load_public_key(pem_path).raw == h(vec["server_public_key_raw_xy"])
    assert load_public_key(str(pem_path)).raw == h(vec["server_public_key_raw_xy"])
    der = (
        server_key("secp256r1")
        .public_key()
        .key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    assert load_public_key(pem_key_data=der).raw == h(vec["server_public_key_raw_xy"])
    der_path = tmp_path / "server.der"
    der_path.write_bytes(der)
    assert load_public_key(der_path).curve == "secp256r1"


GARBAGE_PEM = "-----BEGIN PUBLIC KEY-----\nnot base64 at all!\n-----END PUBLIC KEY-----\n"


def test_public_key_errors(tmp_path: Path) -> None:
    with pytest.raises(FPNNCryptoError, match="BEGIN PUBLIC KEY"):
        load_public_key(pem_key_data=GARBAGE_PEM)
    with pytest.raises(FPNNCryptoError, match="invalid server public key"):
        load_public_key(pem_key_data=b"\x30\x03\x02\x01\x01")
    p384 = (
        ec.generate_private_key(ec.SECP384R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(
        FPNNCryptoError, match=r"unsupported curve 'secp384r1'.*secp256k1, secp256r1"
    ):
        load_public_key(pem_key_data=p384)
    ed = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(FPNNCryptoError, match="expected an EC"):
        load_public_key(pem_key_data=ed)
    with pytest.raises(FPNNCryptoError, match="cannot read public key file"):
        load_public_key(tmp_path / "nope.pem")
    with pytest.raises(ValueError, match="exactly one"):
        load_public_key()
    with pytest.raises(ValueError, match="exactly one"):
        load_public_key(tmp_path / "a", pem_key_data="x")
    # Every error of the layer is catchable as FPNNError.
    with pytest.raises(FPNNError):
        load_public_key(pem_key_data="")


def test_compressed_point_is_accepted() -> None:
    # The spec wants uncompressed points; a compressed SPKI is still unambiguous, so we accept
    # it and send the decompressed X||Y on the wire.
    vec = ENC["secp256k1"]
    pub = server_key("secp256k1").public_key().key
    uncompressed = pub.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    point = pub.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    algo = uncompressed[2:20]  # SEQUENCE { id-ecPublicKey, secp256k1 }
    bit_string = b"\x03" + bytes([len(point) + 1, 0]) + point
    body = algo + bit_string
    der = b"\x30" + bytes([len(body)]) + body
    assert load_public_key(pem_key_data=der).raw == h(vec["server_public_key_raw_xy"])


# --- handshake parameter errors -------------------------------------------------------------


def test_client_key_exchange_rejects_bad_params() -> None:
    pub = server_key("secp256k1").public_key()
    for bits in (192, 0, True):
        with pytest.raises(ValueError, match="128 or 256"):
            ClientKeyExchange(pub, bits=bits)
    with pytest.raises(FPNNCryptoError, match="client private key is on secp256r1"):
        ClientKeyExchange(pub, client_private_key=client_private("secp256r1"))
    # A random ephemeral key by default, so two exchanges differ.
    a, b = ClientKeyExchange(pub), ClientKeyExchange(pub)
    assert a.public_key_raw != b.public_key_raw and a.key != b.key
    assert (a.bits, a.stream, len(a.key)) == (256, True, 32)


def _valid_payload(curve: str = "secp256k1") -> dict[str, object]:
    return exchange(curve, 128, stream=False).key_quest_payload()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bits": 192}, "bits must be 128 or 256, got 192"),
        ({"bits": "128"}, "bits must be 128 or 256"),
        ({"bits": True}, "bits must be 128 or 256"),
        ({"publicKey": b"\x01" * 63}, "must be 64 bytes .* got 63"),
        ({"publicKey": b"\x01" * 65}, "must be 64 bytes .* got 65"),
        ({"publicKey": b""}, "must be 64 bytes .* got 0"),
        ({"publicKey": 12}, "must be bin or str, got int"),
        ({"publicKey": "\ud800" * 64}, "cannot be turned into bytes"),
        ({"streamMode": "yes"}, "streamMode must be a bool"),
    ],
)
def test_accept_key_quest_rejects(change: dict[str, object], message: str) -> None:
    with pytest.raises(FPNNCryptoError, match=message):
        accept_key_quest(server_key("secp256k1"), {**_valid_payload(), **change})


def test_accept_key_quest_rejects_missing_key_and_off_curve_points() -> None:
    server = server_key("secp256k1")
    with pytest.raises(FPNNCryptoError, match="no publicKey"):
        accept_key_quest(server, {"bits": 128})
    raw = bytearray(h(ENC["secp256k1"]["client_public_key_raw_xy"]))
    raw[-1] ^= 1  # Y off by one: no longer on the curve
    with pytest.raises(FPNNCryptoError, match="not a valid point on secp256k1"):
        accept_key_quest(server, {"publicKey": bytes(raw)})
    with pytest.raises(FPNNCryptoError, match="not a valid point"):
        accept_key_quest(server, {"publicKey": bytes(64)})


def test_accept_key_quest_small_curve_lengths() -> None:
    # A Go-style 64-byte key on secp224r1 is refused as the C++ server does.
    go_sent = h(ENC["secp224r1"]["go_sdk_divergence"]["go_publicKey_sent"])
    with pytest.raises(FPNNCryptoError, match=r"must be 56 bytes .*secp224r1.* got 64"):
        accept_key_quest(server_key("secp224r1"), {"publicKey": go_sent})
    kx = exchange("secp224r1", 256, stream=True)
    enc, _ = accept_key_quest(server_key("secp224r1"), kx.key_quest_payload())
    _, client_dec = kx.make_ciphers()
    frame = twoway_frame(1, b"*key", {})
    assert client_dec.feed(enc.encrypt_frames([frame])) == frame


# --- package-mode length prefix -------------------------------------------------------------


def test_package_length_prefix_limits() -> None:
    kx = exchange("secp256k1", 128, stream=False)
    dec = Decryptor(kx.key, kx.iv, stream=False, max_package_size=100)
    with pytest.raises(FPNNProtocolError, match=r"length 101 is invalid \(expected 1..100"):
        dec.feed(struct.pack("<I", 101))
    dec = Decryptor(kx.key, kx.iv, stream=False, max_package_size=100)
    with pytest.raises(FPNNProtocolError, match="length 0 is invalid"):
        dec.feed(b"\x00\x00\x00\x00")
    # Exactly at the limit is fine, and a partial prefix waits for more bytes.
    enc = Encryptor(kx.key, kx.iv, stream=False)
    frame = b"F" * 100
    wire = enc.encrypt_frames([frame])
    dec = Decryptor(kx.key, kx.iv, stream=False, max_package_size=100)
    assert dec.feed(wire[:3]) == b""
    assert dec.buffered == 3
    assert dec.feed(wire[3:50]) == b""
    assert dec.feed(wire[50:] + wire[:10]) == frame
    assert dec.buffered == 10
    with pytest.raises(ValueError, match="positive"):
        Decryptor(kx.key, kx.iv, stream=False, max_package_size=0)
    _, default_dec = kx.make_ciphers()
    with pytest.raises(FPNNProtocolError, match=r"expected 1..8388608"):
        default_dec.feed(struct.pack("<I", 8 * 1024 * 1024 + 1))
