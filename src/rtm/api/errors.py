"""The SDK's errors: one root, :class:`RTMError`, for everything a failed call raises.

``except rtm.RTMError`` catches RTM error answers, FPNN error answers, timeouts, connection
failures, protocol and encryption errors; each is still its own class:

* :class:`RTMAnswerError`: the server answered with an error ``{code, ex}``. An RTM code
  (2000xx) becomes its named subclass, e.g. ``NotGroupMemberError`` for 200041; other codes
  stay :class:`RTMAnswerError`.
* :class:`RTMTimeoutError` (also a builtin ``TimeoutError``), :class:`RTMConnectionError`
  (also a builtin ``ConnectionError``), :class:`RTMProtocolError`, :class:`RTMCryptoError`.
* :class:`MalformedAnswerError`: a success answer the SDK cannot read.

The transport (:mod:`rtm.fpnn`) knows nothing about RTM and raises its own classes; the
clients turn them into these with :func:`to_rtm_error`. Every class here also subclasses the
matching FPNN class (``RTMTimeoutError`` is an ``FPNNTimeoutError``), so code written against
the FPNN classes keeps working.
"""

from __future__ import annotations

from typing import ClassVar

from rtm.api.codes import RTM_CODES
from rtm.fpnn.errors import (
    CORE_UNKNOWN_ERROR,
    ERROR_NAMES,
    ClientClosedError,
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNCryptoError,
    FPNNError,
    FPNNProtocolError,
    FPNNTimeoutError,
)

__all__ = [
    "RTM_ERROR_NAMES",
    "RTM_ERROR_TEXTS",
    "AdminLoginError",
    "AdminOnlyError",
    "AttrsWithoutSignOrExtError",
    "AuthDeniedError",
    "BannedInGroupError",
    "BannedInRoomError",
    "BlockedUserError",
    "DuplicatedAuthError",
    "DuplicatedMidError",
    "EmptyGroupError",
    "EmptyParameterError",
    "EmptyTranslationError",
    "ForbiddenMethodError",
    "FrequencyLimitedError",
    "InvalidAuthTokenError",
    "InvalidFileMtypeError",
    "InvalidFileOrSignOrTokenError",
    "InvalidMtypeError",
    "InvalidParameterError",
    "InvalidPidOrSignError",
    "InvalidPidOrUidError",
    "InvalidServerTimeError",
    "KickoutSelfError",
    "LargeFileOrAttrsError",
    "LargeMessageOrAttrsError",
    "MalformedAnswerError",
    "MaxFriendCountError",
    "MaxGroupMemberCountError",
    "MaxRoomCountError",
    "MessageNotFoundError",
    "NoConfigInConsoleError",
    "NotFriendError",
    "NotGroupMemberError",
    "NotInRoomError",
    "NotOnlineError",
    "PermissionDeniedError",
    "ProfanityStopError",
    "RTMAnswerError",
    "RTMClientClosedError",
    "RTMConnectionError",
    "RTMCryptoError",
    "RTMError",
    "RTMProtocolError",
    "RTMTimeoutError",
    "RefreshScreenLimitedError",
    "SameSignError",
    "SendToSelfError",
    "SensitiveWordsError",
    "TooManyItemsInParametersError",
    "TranslationFailedError",
    "UnauthorizedError",
    "UnknownRTMError",
    "UnsupportedLanguageError",
    "UnsupportedTranscribeTypeError",
    "error_from_answer",
    "to_rtm_error",
]

RTM_CODE_MIN = 200000
RTM_CODE_MAX = 299999


RTM_ERROR_NAMES: dict[int, str] = {code: name for code, (name, _) in RTM_CODES.items()}
"""RTM error code -> constant name (GOHEAD ``RTM_EC_*`` without the prefix, typos fixed)."""
RTM_ERROR_TEXTS: dict[int, str] = {code: text for code, (_, text) in RTM_CODES.items()}
"""RTM error code -> the server's documented text (used when an answer carries no ``ex``)."""


class RTMError(FPNNError):
    """Root of every error the SDK raises for a failed call; ``except RTMError`` catches all.

    ``code`` is the RTM (2000xx) or FPNN error code, ``message`` the text, ``name`` the
    code's constant name, ``raiser`` the server component that raised it (answers only).
    """

    default_code: ClassVar[int] = CORE_UNKNOWN_ERROR
    #: what to check, added to ``str(error)`` after the server's text (not to ``message``)
    hint: ClassVar[str | None] = None

    def __init__(self, message: str = "", code: int | None = None, raiser: str | None = None):
        super().__init__(message, code)
        self.raiser: str | None = raiser  # set after super(): FPNNAnswerError resets it

    @property
    def name(self) -> str:
        """Constant name of the code (``NOT_GROUP_MEMBER``, ``CORE_TIMEOUT``); ``RTM_ERROR``
        for an unnamed RTM code, ``ERROR`` for any other."""
        name = RTM_ERROR_NAMES.get(self.code) or ERROR_NAMES.get(self.code)
        if name:
            return name
        return "RTM_ERROR" if RTM_CODE_MIN <= self.code <= RTM_CODE_MAX else "ERROR"

    def __str__(self) -> str:
        text = self.message or RTM_ERROR_TEXTS.get(self.code, "")
        out = f"[{self.code} {self.name}]"
        if text:
            out = f"{out} {text}"
        if self.raiser:
            out = f"{out} (raiser: {self.raiser})"
        if self.hint:
            out = f"{out} — {self.hint}"
        return out

    def __reduce__(self) -> tuple[type[FPNNError], tuple[str, int, str | None]]:  # type: ignore[override]
        return (type(self), (self.message, self.code, self.raiser))


# The two bases' __reduce__ return tuples of different lengths (a type error); RTMError's wins.
class RTMAnswerError(RTMError, FPNNAnswerError):  # type: ignore[misc]
    """The server answered with an error. RTM codes (2000xx) have a subclass each."""

    default_code = 200999


class RTMTimeoutError(RTMError, FPNNTimeoutError):
    """No answer (or no connection) in time. Also a builtin ``TimeoutError``."""

    default_code = FPNNTimeoutError.default_code


class RTMConnectionError(RTMError, FPNNConnectionError):
    """The connection is closed, broken or could not be made. Also a ``ConnectionError``."""

    default_code = FPNNConnectionError.default_code


class RTMClientClosedError(RTMConnectionError, ClientClosedError):
    """A call on a client after its ``close()``: closing is final, nothing reconnects it."""

    default_code = ClientClosedError.default_code


class RTMProtocolError(RTMError, FPNNProtocolError):
    """The peer does not speak FPNN as expected (bad magic, frame size, payload...)."""

    default_code = FPNNProtocolError.default_code


class RTMCryptoError(RTMError, FPNNCryptoError):
    """Bad key material or a failed encryption handshake."""

    default_code = FPNNCryptoError.default_code


# Spelled out (not generated in a loop) so type checkers and IDEs see every class.
class InvalidPidOrUidError(RTMAnswerError):
    """200001: bad project id or user id."""

    default_code = 200001


class InvalidPidOrSignError(RTMAnswerError):
    """200002: unknown pid or signature mismatch (check pid / secret key / sign version)."""

    default_code = 200002
    hint = "check the project's secret key (and its pid): the signature was made with them"


class InvalidFileOrSignOrTokenError(RTMAnswerError):
    """200003: file checksum or file token wrong."""

    default_code = 200003


class AttrsWithoutSignOrExtError(RTMAnswerError):
    """200004: file attrs lack ``sign`` or ``ext``."""

    default_code = 200004


class InvalidMtypeError(RTMAnswerError, ValueError):  # type: ignore[misc]  # see RTMAnswerError
    """200005: mtype out of range (1..127). Checked by the SDK before sending; also a
    ``ValueError``."""

    default_code = 200005


class SameSignError(RTMAnswerError):
    """200006: salt/sign reused."""

    default_code = 200006


class InvalidFileMtypeError(RTMAnswerError):
    """200007: file mtype not in the file range."""

    default_code = 200007


class InvalidServerTimeError(RTMAnswerError):
    """200008: ``ts`` too far from the server clock."""

    default_code = 200008


class FrequencyLimitedError(RTMAnswerError):
    """200010: call-rate limit hit."""

    default_code = 200010


class RefreshScreenLimitedError(RTMAnswerError):
    """200011: message flooding limit."""

    default_code = 200011


class KickoutSelfError(RTMAnswerError):
    """200012: a client tried to kick its own connection."""

    default_code = 200012


class ForbiddenMethodError(RTMAnswerError):
    """200020: method not allowed on this endpoint."""

    default_code = 200020


class PermissionDeniedError(RTMAnswerError):
    """200021: illegal access."""

    default_code = 200021


class UnauthorizedError(RTMAnswerError):
    """200022: client gate, not logged in."""

    default_code = 200022


class DuplicatedAuthError(RTMAnswerError):
    """200023: client gate, second auth on a logged-in connection."""

    default_code = 200023


class AuthDeniedError(RTMAnswerError):
    """200024: login refused (project black list)."""

    default_code = 200024


class AdminLoginError(RTMAnswerError):
    """200025: an admin uid may not log in from a client."""

    default_code = 200025


class AdminOnlyError(RTMAnswerError):
    """200026: the operation needs an admin uid."""

    default_code = 200026


class InvalidAuthTokenError(RTMAnswerError):
    """200027: bad login token."""

    default_code = 200027


class LargeMessageOrAttrsError(RTMAnswerError, ValueError):  # type: ignore[misc]  # see RTMAnswerError
    """200030: msg or attrs too long (20480 / 2048 bytes). Checked by the SDK before sending;
    also a ``ValueError``."""

    default_code = 200030


class LargeFileOrAttrsError(RTMAnswerError, ValueError):  # type: ignore[misc]  # see RTMAnswerError
    """200031: file or attrs too long (5 MiB / 2048 bytes). Checked by the SDK before
    sending; also a ``ValueError``."""

    default_code = 200031


class TooManyItemsInParametersError(RTMAnswerError):
    """200032: a list parameter is too long."""

    default_code = 200032


class EmptyParameterError(RTMAnswerError):
    """200033: a list parameter is empty."""

    default_code = 200033


class InvalidParameterError(RTMAnswerError):
    """200034: invalid parameter."""

    default_code = 200034


class NotInRoomError(RTMAnswerError):
    """200040: the sender is not in the room."""

    default_code = 200040


class NotGroupMemberError(RTMAnswerError):
    """200041: the sender is not a member of the group."""

    default_code = 200041


class MaxGroupMemberCountError(RTMAnswerError):
    """200042: the group would be too large."""

    default_code = 200042


class NotFriendError(RTMAnswerError):
    """200043: P2P requires friendship."""

    default_code = 200043


class BannedInGroupError(RTMAnswerError):
    """200044: the sender is muted in the group."""

    default_code = 200044


class BannedInRoomError(RTMAnswerError):
    """200045: the sender is muted in the room."""

    default_code = 200045


class EmptyGroupError(RTMAnswerError):
    """200046: the group has no members."""

    default_code = 200046


class MaxRoomCountError(RTMAnswerError):
    """200047: the user is in too many rooms."""

    default_code = 200047


class MaxFriendCountError(RTMAnswerError):
    """200048: too many friends."""

    default_code = 200048


class BlockedUserError(RTMAnswerError):
    """200049: blocked by the peer's black list."""

    default_code = 200049


class UnsupportedLanguageError(RTMAnswerError):
    """200050: translation language unsupported."""

    default_code = 200050


class EmptyTranslationError(RTMAnswerError):
    """200051: nothing to translate."""

    default_code = 200051


class SendToSelfError(RTMAnswerError):
    """200052: sending to oneself."""

    default_code = 200052


class DuplicatedMidError(RTMAnswerError):
    """200053: mid already used."""

    default_code = 200053


class SensitiveWordsError(RTMAnswerError):
    """200054: blocked by the sensitive-word filter."""

    default_code = 200054


class NotOnlineError(RTMAnswerError):
    """200055: target not online."""

    default_code = 200055


class TranslationFailedError(RTMAnswerError):
    """200056: translation backend failed (``TRANSLATION_ERROR``)."""

    default_code = 200056


class ProfanityStopError(RTMAnswerError):
    """200057: blocked by the profanity filter."""

    default_code = 200057


class NoConfigInConsoleError(RTMAnswerError):
    """200060: feature disabled for the project in the console."""

    default_code = 200060


class UnsupportedTranscribeTypeError(RTMAnswerError):
    """200061: unsupported speech format."""

    default_code = 200061


class MessageNotFoundError(RTMAnswerError):
    """200070: message not found."""

    default_code = 200070


class UnknownRTMError(RTMAnswerError):
    """200999 (SDK constant) or 200099 (DOC-E value): unknown server error."""

    default_code = 200999


_CLASSES: dict[int, type[RTMAnswerError]] = {
    cls.default_code: cls
    for cls in RTMAnswerError.__subclasses__()
    if cls is not UnknownRTMError
}
_CLASSES[200099] = UnknownRTMError
_CLASSES[200999] = UnknownRTMError


class MalformedAnswerError(RTMError):
    """A success answer the SDK cannot read: a key is missing (code 10009) or has the wrong
    type (code 10010). GO010 reports the same situation as 20001."""

    default_code = CORE_UNKNOWN_ERROR


def error_from_answer(code: int, message: str, raiser: str | None = None) -> RTMAnswerError:
    """Exception for an error answer ``{code, ex}``: the :class:`RTMAnswerError` subclass of
    an RTM code, else :class:`RTMAnswerError` itself (other RTM-range and FPNN codes)."""
    cls = _CLASSES.get(code, RTMAnswerError)
    return cls(message, code, raiser)


# Most specific first: an FPNN class -> its RTM counterpart (answers are handled apart).
_TRANSPORT: tuple[tuple[type[FPNNError], type[RTMError]], ...] = (
    (FPNNTimeoutError, RTMTimeoutError),
    (ClientClosedError, RTMClientClosedError),
    (FPNNConnectionError, RTMConnectionError),
    (FPNNProtocolError, RTMProtocolError),
    (FPNNCryptoError, RTMCryptoError),
)


def to_rtm_error(exc: FPNNError) -> RTMError:
    """The :class:`RTMError` to raise for a transport error (``exc`` itself if it is one).

    The new exception keeps ``exc``'s cause (e.g. the ``OSError`` of a refused connection),
    so ``raise to_rtm_error(exc) from exc.__cause__`` loses nothing.
    """
    if isinstance(exc, RTMError):
        return exc
    if isinstance(exc, FPNNAnswerError):
        return error_from_answer(exc.code, exc.message, exc.raiser)
    for fpnn_cls, rtm_cls in _TRANSPORT:
        if isinstance(exc, fpnn_cls):
            return rtm_cls(exc.message, exc.code)
    return RTMError(exc.message, exc.code)
