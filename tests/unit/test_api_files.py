"""File checksum and attrs (spec §3.4) and the two-step file Call."""

from __future__ import annotations

import hashlib
import json

import pytest
from typing_check_api import FILE_GATE, FakeSyncClient

from rtm.api import file_attrs, file_sign
from rtm.api.files import go_json_string, split_extension


def test_file_sign_vector() -> None:
    assert hashlib.md5(b"hello rtm").hexdigest() == "95f574ac4ae3634feef3522c82c522dd"
    assert file_sign(b"hello rtm", "tok-0001") == "e1016a312f45e84e1b08347afbdd97bd"


@pytest.mark.parametrize(
    ("filename", "extension", "legacy", "expected"),
    [
        ("notes.txt", None, True, {"exit": "txt", "filename": "notes", "sign": "S"}),
        ("notes.txt", None, False, {"ext": "txt", "filename": "notes", "sign": "S"}),
        ("a.b.tar.gz", None, False, {"ext": "gz", "filename": "a.b.tar", "sign": "S"}),
        ("notes.txt", "md", False, {"ext": "md", "filename": "notes.txt", "sign": "S"}),
        ("notes.txt", "md", True, {"ext": "md", "filename": "notes.txt", "sign": "S"}),
        ("README", None, False, {"filename": "README", "sign": "S"}),
        (".bashrc", None, True, {"filename": ".bashrc", "sign": "S"}),
        ("trailing.", None, False, {"filename": "trailing.", "sign": "S"}),
        ("", "png", False, {"ext": "png", "sign": "S"}),
        ("", None, False, {"sign": "S"}),
        ("", "", False, {"sign": "S"}),
    ],
)
def test_attrs_table(
    filename: str, extension: str | None, legacy: bool, expected: dict[str, str]
) -> None:
    text = file_attrs("S", filename, extension, legacy=legacy)
    assert json.loads(text) == expected
    assert list(json.loads(text)) == sorted(expected)
    assert " " not in text


def test_attrs_byte_exact_like_go() -> None:
    assert file_attrs("s1", "notes.txt", None, legacy=True) == (
        '{"exit":"txt","filename":"notes","sign":"s1"}'
    )
    assert file_attrs("s1", "notes.txt", None) == '{"ext":"txt","filename":"notes","sign":"s1"}'


def test_go_json_escaping() -> None:
    assert go_json_string('a"b\\c') == '"a\\"b\\\\c"'
    assert go_json_string("<&>") == '"\\u003c\\u0026\\u003e"'
    assert go_json_string("\n\r\t\x01\x08\x0c") == '"\\n\\r\\t\\u0001\\u0008\\u000c"'
    assert go_json_string("é中\u2028") == '"é中\\u2028"'
    assert go_json_string("\udc80") == '"\ufffd"'
    assert json.loads(go_json_string("x<y>&\x7f")) == "x<y>&\x7f"


def test_split_extension() -> None:
    assert split_extension("a.b") == ("a", "b")
    assert split_extension(".a") is None
    assert split_extension("a.") is None
    assert split_extension("ab") is None


def test_send_file_two_steps() -> None:
    c = FakeSyncClient({"sendfile": {"mtime": 77}})  # protocol 0.1.0: Go 0.1.0's attrs
    assert c.send_file(1, 2, b"hello rtm", "notes.txt", mid=123) == 77
    token_q, gate_q = c.sent
    assert token_q.method == "filetoken" and token_q.signed and token_q.endpoint is None
    assert token_q.params.keys() == {"from", "cmd", "to", "pid", "sign", "salt"}
    assert gate_q.method == "sendfile" and not gate_q.signed and gate_q.endpoint == FILE_GATE
    assert gate_q.params == {
        "pid": c.pid, "token": "tok-0001", "mtype": 50, "from": 1, "to": 2, "mid": 123,
        "file": b"hello rtm",
        "attrs": '{"exit":"txt","filename":"notes","sign":"e1016a312f45e84e1b08347afbdd97bd"}',
    }  # fmt: skip


def test_send_file_explicit_extension_and_mtype() -> None:
    c = FakeSyncClient()
    c.send_group_file(1, 9, b"x", "photo", mtype=40, extension="jpg")
    gate = c.sent[1].params
    assert gate["mtype"] == 40 and gate["gid"] == 9
    assert json.loads(gate["attrs"])["ext"] == "jpg"
    assert json.loads(gate["attrs"])["filename"] == "photo"


def test_file_user_attrs_dropped_with_warning(caplog: pytest.LogCaptureFixture) -> None:
    c = FakeSyncClient()
    with caplog.at_level("WARNING", logger="rtm.api"):
        c.send_file(1, 2, b"x", "f.txt", attrs='{"k":1}')
    assert "'attrs' is not sent" in caplog.text
    assert '"k"' not in c.sent[1].params["attrs"]


def test_each_file_gets_a_new_mid() -> None:
    c = FakeSyncClient()
    c.send_file(1, 2, b"x", "f")
    c.send_file(1, 2, b"x", "f")
    assert c.sent[1].params["mid"] != c.sent[3].params["mid"]
