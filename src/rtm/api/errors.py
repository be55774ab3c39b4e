"""RTM business errors (spec §5.1) on top of the FPNN error hierarchy.

An error answer with an RTM code (2000xx) becomes the matching :class:`RTMError` subclass,
e.g. ``NotGroupMemberError`` for 200041; any other RTM-range code becomes a plain
:class:`RTMError`; FPNN framework codes stay :class:`~rtm.fpnn.errors.FPNNAnswerError`.
Everything is an :class:`~rtm.fpnn.errors.FPNNError`, so one ``except FPNNError`` catches all.
"""

from __future__ import annotations

from typing import ClassVar

from rtm.api.codes import RTM_CODES
from rtm.fpnn.errors import CORE_UNKNOWN_ERROR, FPNNAnswerError, FPNNError

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
    "RTMError",
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
]

RTM_CODE_MIN = 200000
RTM_CODE_MAX = 299999


RTM_ERROR_NAMES: dict[int, str] = {code: name for code, (name, _) in RTM_CODES.items()}
"""RTM error code -> constant name (GOHEAD ``RTM_EC_*`` without the prefix, typos fixed)."""
RTM_ERROR_TEXTS: dict[int, str] = {code: text for code, (_, text) in RTM_CODES.items()}
"""RTM error code -> the server's documented text (used when an answer carries no ``ex``)."""


class RTMError(FPNNAnswerError):
    """An error answer from the RTM server carrying an RTM business code (2000xx)."""

    default_code: ClassVar[int] = 200999

    def __init__(self, message: str = "", code: int | None = None, raiser: str | None = None):
        super().__init__(message, code, raiser)

    @property
    def name(self) -> str:
        """Constant name of the code (``NOT_GROUP_MEMBER``), ``RTM_ERROR`` if unnamed."""
        return RTM_ERROR_NAMES.get(self.code, "RTM_ERROR")

    def __str__(self) -> str:
        text = self.message or RTM_ERROR_TEXTS.get(self.code, "")
        out = f"[{self.code} {self.name}]"
        if text:
            out = f"{out} {text}"
        if self.raiser:
            out = f"{out} (raiser: {self.raiser})"
        return out

    def __reduce__(self) -> tuple[type[FPNNError], tuple[str, int, str | None]]:  # type: ignore[override]
        return (type(self), (self.message, self.code, self.raiser))


# Spelled out (not generated in a loop) so type checkers and IDEs see every class.
class InvalidPidOrUidError(RTMError):
    """200001: bad project id or user id."""

    default_code = 200001


class InvalidPidOrSignError(RTMError):
    """200002: unknown pid or signature mismatch (check pid / secret key / sign version)."""

    default_code = 200002


class InvalidFileOrSignOrTokenError(RTMError):
    """200003: file checksum or file token wrong."""

    default_code = 200003


class AttrsWithoutSignOrExtError(RTMError):
    """200004: file attrs lack ``sign`` or ``ext``."""

    default_code = 200004


class InvalidMtypeError(RTMError):
    """200005: mtype out of range (1..127)."""

    default_code = 200005


class SameSignError(RTMError):
    """200006: salt/sign reused."""

    default_code = 200006


class InvalidFileMtypeError(RTMError):
    """200007: file mtype not in the file range."""

    default_code = 200007


class InvalidServerTimeError(RTMError):
    """200008: ``ts`` too far from the server clock."""

    default_code = 200008


class FrequencyLimitedError(RTMError):
    """200010: call-rate limit hit."""

    default_code = 200010


class RefreshScreenLimitedError(RTMError):
    """200011: message flooding limit."""

    default_code = 200011


class KickoutSelfError(RTMError):
    """200012: a client tried to kick its own connection."""

    default_code = 200012


class ForbiddenMethodError(RTMError):
    """200020: method not allowed on this endpoint."""

    default_code = 200020


class PermissionDeniedError(RTMError):
    """200021: illegal access."""

    default_code = 200021


class UnauthorizedError(RTMError):
    """200022: client gate, not logged in."""

    default_code = 200022


class DuplicatedAuthError(RTMError):
    """200023: client gate, second auth on a logged-in connection."""

    default_code = 200023


class AuthDeniedError(RTMError):
    """200024: login refused (project black list)."""

    default_code = 200024


class AdminLoginError(RTMError):
    """200025: an admin uid may not log in from a client."""

    default_code = 200025


class AdminOnlyError(RTMError):
    """200026: the operation needs an admin uid."""

    default_code = 200026


class InvalidAuthTokenError(RTMError):
    """200027: bad login token."""

    default_code = 200027


class LargeMessageOrAttrsError(RTMError):
    """200030: msg or attrs too long."""

    default_code = 200030


class LargeFileOrAttrsError(RTMError):
    """200031: file or attrs too long."""

    default_code = 200031


class TooManyItemsInParametersError(RTMError):
    """200032: a list parameter is too long."""

    default_code = 200032


class EmptyParameterError(RTMError):
    """200033: a list parameter is empty."""

    default_code = 200033


class InvalidParameterError(RTMError):
    """200034: invalid parameter."""

    default_code = 200034


class NotInRoomError(RTMError):
    """200040: the sender is not in the room."""

    default_code = 200040


class NotGroupMemberError(RTMError):
    """200041: the sender is not a member of the group."""

    default_code = 200041


class MaxGroupMemberCountError(RTMError):
    """200042: the group would be too large."""

    default_code = 200042


class NotFriendError(RTMError):
    """200043: P2P requires friendship."""

    default_code = 200043


class BannedInGroupError(RTMError):
    """200044: the sender is muted in the group."""

    default_code = 200044


class BannedInRoomError(RTMError):
    """200045: the sender is muted in the room."""

    default_code = 200045


class EmptyGroupError(RTMError):
    """200046: the group has no members."""

    default_code = 200046


class MaxRoomCountError(RTMError):
    """200047: the user is in too many rooms."""

    default_code = 200047


class MaxFriendCountError(RTMError):
    """200048: too many friends."""

    default_code = 200048


class BlockedUserError(RTMError):
    """200049: blocked by the peer's black list."""

    default_code = 200049


class UnsupportedLanguageError(RTMError):
    """200050: translation language unsupported."""

    default_code = 200050


class EmptyTranslationError(RTMError):
    """200051: nothing to translate."""

    default_code = 200051


class SendToSelfError(RTMError):
    """200052: sending to oneself."""

    default_code = 200052


class DuplicatedMidError(RTMError):
    """200053: mid already used."""

    default_code = 200053


class SensitiveWordsError(RTMError):
    """200054: blocked by the sensitive-word filter."""

    default_code = 200054


class NotOnlineError(RTMError):
    """200055: target not online."""

    default_code = 200055


class TranslationFailedError(RTMError):
    """200056: translation backend failed (``TRANSLATION_ERROR``)."""

    default_code = 200056


class ProfanityStopError(RTMError):
    """200057: blocked by the profanity filter."""

    default_code = 200057


class NoConfigInConsoleError(RTMError):
    """200060: feature disabled for the project in the console."""

    default_code = 200060


class UnsupportedTranscribeTypeError(RTMError):
    """200061: unsupported speech format."""

    default_code = 200061


class MessageNotFoundError(RTMError):
    """200070: message not found."""

    default_code = 200070


class UnknownRTMError(RTMError):
    """200999 (SDK constant) or 200099 (DOC-E value): unknown server error."""

    default_code = 200999


_CLASSES: dict[int, type[RTMError]] = {
    cls.default_code: cls for cls in RTMError.__subclasses__() if cls is not UnknownRTMError
}
_CLASSES[200099] = UnknownRTMError
_CLASSES[200999] = UnknownRTMError


class MalformedAnswerError(FPNNError):
    """A success answer the SDK cannot read: a key is missing (code 10009) or has the wrong
    type (code 10010). GO010 reports the same situation as 20001."""

    default_code = CORE_UNKNOWN_ERROR


def error_from_answer(code: int, message: str, raiser: str | None = None) -> FPNNError:
    """Exception for an error answer ``{code, ex}``: the :class:`RTMError` subclass of an RTM
    code, :class:`RTMError` for other RTM-range codes, else an FPNNAnswerError."""
    cls = _CLASSES.get(code)
    if cls is not None:
        return cls(message, code, raiser)
    if RTM_CODE_MIN <= code <= RTM_CODE_MAX:
        return RTMError(message, code, raiser)
    return FPNNAnswerError(message, code, raiser)
