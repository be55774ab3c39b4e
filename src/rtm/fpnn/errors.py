"""FPNN error codes (spec section 8) and the exception hierarchy of the transport layer.

Every error raised by the FPNN layer is an :class:`FPNNError` carrying ``.code`` and
``.message``; the RTM layer derives its business errors from it, so one ``except FPNNError``
catches everything the SDK raises for a failed call.
"""

from __future__ import annotations

from typing import ClassVar

OK = 0
PROTO_UNKNOWN_ERROR = 10001
PROTO_NOT_SUPPORTED = 10002
PROTO_INVALID_PACKAGE = 10003
PROTO_JSON_CONVERT = 10004
PROTO_STRING_KEY = 10005
PROTO_MAP_VALUE = 10006
PROTO_METHOD_TYPE = 10007
PROTO_PROTO_TYPE = 10008
PROTO_KEY_NOT_FOUND = 10009
PROTO_TYPE_CONVERT = 10010
PROTO_FILE_SIGN = 10011
PROTO_FILE_NOT_EXIST = 10012
CORE_UNKNOWN_ERROR = 20001
CORE_CONNECTION_CLOSED = 20002
CORE_TIMEOUT = 20003
CORE_UNKNOWN_METHOD = 20004
CORE_ENCODING = 20005
CORE_DECODING = 20006
CORE_SEND_ERROR = 20007
CORE_RECV_ERROR = 20008
CORE_INVALID_PACKAGE = 20009
CORE_HTTP_ERROR = 20010
CORE_WORK_QUEUE_FULL = 20011
CORE_INVALID_CONNECTION = 20012
CORE_FORBIDDEN = 20013
CORE_SERVER_STOPPING = 20014
CORE_CANCELLED = 20015
ZIP_COMPRESS = 30001
ZIP_DECOMPRESS = 30002

ERROR_NAMES: dict[int, str] = {
    value: name
    for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, int) and name != "OK"
}


class FPNNError(Exception):
    """Base of every SDK error: ``code`` is the FPNN or RTM error code, ``message`` the text."""

    default_code: ClassVar[int] = CORE_UNKNOWN_ERROR

    def __init__(self, message: str = "", code: int | None = None) -> None:
        self.code: int = self.default_code if code is None else code
        self.message: str = message
        super().__init__(message)

    def __str__(self) -> str:
        name = ERROR_NAMES.get(self.code)
        label = f"{self.code} {name}" if name else str(self.code)
        return f"[{label}] {self.message}" if self.message else f"[{label}]"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, message={self.message!r})"

    def __reduce__(self) -> tuple[type[FPNNError], tuple[str, int]]:
        return (type(self), (self.message, self.code))


class FPNNProtocolError(FPNNError):
    """A frame or payload that breaks the FPNN wire format (bad magic, size, payload...)."""

    default_code = PROTO_INVALID_PACKAGE


class FPNNTimeoutError(FPNNError, TimeoutError):
    """No answer (or no connection) within the allowed time. Also a builtin TimeoutError."""

    default_code = CORE_TIMEOUT


class FPNNConnectionError(FPNNError, ConnectionError):
    """The connection is closed, broken or could not be established."""

    default_code = CORE_CONNECTION_CLOSED


class ClientClosedError(FPNNConnectionError):
    """The client was closed by ``close()``: it never reconnects, every later call raises."""

    def __init__(self, message: str = "client is closed", code: int | None = None) -> None:
        super().__init__(message, code)


class FPNNCryptoError(FPNNError):
    """Bad key material or a failed encryption handshake."""

    default_code = CORE_UNKNOWN_ERROR


class FPNNAnswerError(FPNNError):
    """The peer answered with an exception answer (status != 0) carrying ``code``/``ex``."""

    def __init__(self, message: str = "", code: int | None = None, raiser: str | None = None):
        super().__init__(message, code)
        self.raiser = raiser

    def __reduce__(self) -> tuple[type[FPNNError], tuple[str, int]]:
        return (type(self), (self.message, self.code))
