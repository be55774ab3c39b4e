"""``rtm keygen --public-der``: the public key also as DER SubjectPublicKeyInfo, the form the
Java client SDKs load with ``X509EncodedKeySpec`` (client spec §1.1)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from rtm.fpnn.crypto import load_private_key, load_public_key

from .conftest import invoke


def test_keygen_writes_a_der_public_key(tmp_path: Path) -> None:
    private, public, der = tmp_path / "k.pem", tmp_path / "pub.pem", tmp_path / "pub.der"
    res = invoke({}, "--json", "keygen", "--curve", "secp256r1", "--private", private,
                 "--public", public, "--public-der", der).ok()
    assert res.one()["public_der"] == str(der)
    key = serialization.load_der_public_key(der.read_bytes())
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    pem_key = serialization.load_pem_public_key(public.read_bytes())
    assert key.public_numbers() == pem_key.public_numbers()  # type: ignore[union-attr]
    server_key = load_private_key(private)
    assert load_public_key(pem_key_data=der.read_bytes()).raw == server_key.public_key().raw
    again = invoke({}, "keygen", "--private", tmp_path / "other.pem", "--public",
                   tmp_path / "other-pub.pem", "--public-der", der)
    assert again.code == 1 and "--force" in again.err
    assert not (tmp_path / "other.pem").exists()
