"""What the wire log may show of a payload (rtm._wirelog)."""

from __future__ import annotations

import logging

from rtm import _wirelog
from rtm.api.errors import error_from_answer
from rtm.fpnn.errors import FPNNAnswerError, FPNNTimeoutError


def test_redact_masks_signatures_secrets_and_every_token_at_any_depth() -> None:
    payload = {"pid": 1, "sign": "ABCDEF", "salt": 5, "token": "tok", "devicetoken": "dev",
               "secret_key": "s3cr3t", "nested": {"authToken": "t2", "items": [{"sign": "x"}]},
               "file": b"\x00" * 1000, "msg": "m" * 500, "attrs": ""}
    clean = _wirelog.redact(payload)
    assert clean["sign"] == clean["token"] == clean["devicetoken"] == "***"
    assert clean["secret_key"] == "***"
    assert clean["nested"] == {"authToken": "***", "items": [{"sign": "***"}]}
    assert clean["file"] == "<1000 bytes>"
    assert clean["msg"].endswith("...<500 chars>") and len(clean["msg"]) < 230
    assert (clean["pid"], clean["salt"], clean["attrs"]) == (1, 5, "")
    assert payload["sign"] == "ABCDEF"  # a copy: the quest itself is untouched


def test_describe_shows_params_only_at_trace() -> None:
    logger = logging.getLogger("rtm.test_wirelog")
    logger.setLevel(logging.DEBUG)
    try:
        assert _wirelog.describe("sendmsg", {"msg": "hi", "sign": "S"}, logger).endswith(
            " bytes")
        logger.setLevel(_wirelog.TRACE)
        text = _wirelog.describe("sendmsg", {"msg": "hi", "sign": "S"}, logger)
        assert text.endswith("bytes {'msg': 'hi', 'sign': '***'}")
        assert _wirelog.describe(None, {"mtime": 1}, logger).startswith(
            f"{_wirelog.frame_size(None, {'mtime': 1})} bytes")
        assert _wirelog.describe("x", {"bad": object()}, logger).startswith("? bytes")
    finally:
        logger.setLevel(logging.NOTSET)


def test_error_label_names_the_code() -> None:
    assert _wirelog.error_label(FPNNAnswerError("x", 200041)) == "error 200041 NOT_GROUP_MEMBER"
    assert _wirelog.error_label(error_from_answer(20004, "x")) == (
        "error 20004 CORE_UNKNOWN_METHOD")
    assert _wirelog.error_label(FPNNTimeoutError("t")) == "error 20003 CORE_TIMEOUT"
    assert _wirelog.error_label(KeyError("k")) == "error KeyError"
