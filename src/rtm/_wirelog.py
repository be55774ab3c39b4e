"""Wire logging shared by the SDK clients and the local server: one line per quest/answer.

At DEBUG a line says the method, the frame size, the elapsed time and the outcome; at
:data:`TRACE` (5, below DEBUG) it also shows the payload. Payloads pass through
:func:`redact` first: signatures, secrets and tokens never reach a log, binary values are
summarised by their size and long strings are cut.

Callers test ``logger.isEnabledFor(logging.DEBUG)`` once per quest and call in here only then,
so nothing below costs anything while DEBUG is off.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from rtm.api.errors import RTM_ERROR_NAMES
from rtm.fpnn import codec
from rtm.fpnn.errors import ERROR_NAMES, FPNNError

__all__ = ["TRACE", "describe", "error_label", "frame_size", "payload_text", "redact"]

#: Log level of the payload lines (below DEBUG): ``logging.getLogger("rtm").setLevel(rtm.TRACE)``.
TRACE: Final = 5
logging.addLevelName(TRACE, "TRACE")

MASK: Final = "***"
_SECRET_KEYS: Final = frozenset({"sign", "secret", "secret_key", "secretkey", "password", "pwd"})
_TEXT_LIMIT: Final = 200


def _is_secret(key: object) -> bool:
    if not isinstance(key, str):
        return False
    lowered = key.lower()
    return lowered in _SECRET_KEYS or "token" in lowered


def _clean(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: MASK if _is_secret(k) else _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, str) and len(value) > _TEXT_LIMIT:
        return f"{value[:_TEXT_LIMIT]}...<{len(value)} chars>"
    return value


def redact(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``payload`` fit for a log: ``sign``, secrets and every key containing
    ``token`` (``token``, ``devicetoken``...) masked, at any depth; bytes as ``<N bytes>``."""
    cleaned: dict[str, Any] = _clean(payload)
    return cleaned


def payload_text(payload: Mapping[str, Any]) -> str:
    return repr(redact(payload))


def frame_size(method: str | None, payload: Mapping[str, Any] | None) -> int | None:
    """Bytes of the plain frame carrying ``payload`` (a quest if ``method``, else an answer);
    ``None`` if it cannot be encoded (sending it fails and says why)."""
    try:
        body = dict(payload or {})
        if method is None:
            return len(codec.encode_answer(0, body))
        return len(codec.encode_quest(method, body))
    except (FPNNError, ValueError, TypeError, OverflowError):
        return None


def describe(method: str | None, payload: Mapping[str, Any] | None, logger: logging.Logger) -> str:
    """``"128 bytes"``, plus the redacted payload when ``logger`` is enabled for TRACE."""
    size = frame_size(method, payload)
    text = "? bytes" if size is None else f"{size} bytes"
    if logger.isEnabledFor(TRACE):
        text = f"{text} {payload_text(payload or {})}"
    return text


def error_label(exc: BaseException) -> str:
    """``"error 200030 LARGE_MESSAGE_OR_ATTRS"`` for an SDK/FPNN error, else the class name."""
    if isinstance(exc, FPNNError):
        name = RTM_ERROR_NAMES.get(exc.code) or ERROR_NAMES.get(exc.code) or "ERROR"
        return f"error {exc.code} {name}"
    return f"error {type(exc).__name__}"
