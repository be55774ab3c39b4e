"""Content services (spec §4.14, §9): translation, profanity, speech, checks.

Optional arguments follow Go 0.9.20: an empty string, ``False`` or ``0`` is "not given" and is
left out of the quest (the server then applies its default), exactly as Go sends it.
"""

from __future__ import annotations

from typing import Any

from rtm.api.answers import (
    _CHECK,
    _parse_profanity,
    _parse_speech2text,
    _parse_tcheck,
    _parse_translate,
)
from rtm.api.args import (
    _I32,
    _bool,
    _callback,
    _choice,
    _int,
    _media,
    _member,
    _optional_uid,
    _str,
    _text,
    _timeout,
)
from rtm.api.call import Call, ResultCallback, api_method
from rtm.api.methods._base import AreaBase
from rtm.api.models import (
    AudioCodec,
    CheckResult,
    Language,
    MediaSource,
    ProfanityResult,
    SpeechToTextResult,
    TextCheckResult,
    TranslateResult,
)

#: Go's default timeout of the media services (speech, image/audio/video checks), seconds.
MEDIA_TIMEOUT = 120.0

TEXT_TYPES = ("", "chat", "mail")
PROFANITY_MODES = ("", "off", "stop", "censor")
_MEDIA_SOURCES = (int(MediaSource.URL), int(MediaSource.CONTENT))
_MEDIA_LABEL = "1 (MediaSource.URL) or 2 (MediaSource.CONTENT)"

_NO_TRANSLATION = TranslateResult("", "", "", "")
_NO_CHECK = CheckResult(-1, [])


def _media_timeout(fn: str, timeout: Any) -> float:
    checked = _timeout(fn, timeout)
    return MEDIA_TIMEOUT if checked is None else checked


def _optional(params: dict[str, Any], key: str, value: Any) -> None:
    """Go leaves empty strings and zero numbers out of the quest."""
    if value:
        params[key] = value


def _audio_params(fn: str, audio: Any, audio_type: Any, lang: Any, codec: Any, srate: Any,
                  uid: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "audio": _media(fn, "audio", audio),
        "type": _member(fn, "audio_type", audio_type, _MEDIA_SOURCES, _MEDIA_LABEL),
        "lang": _text(fn, "lang", lang, required=True),
    }
    _optional(params, "codec", _text(fn, "codec", codec))
    rate = _int(fn, "srate", srate, _I32)
    if rate < 0:
        raise ValueError(f"{fn}(): 'srate' must be >= 0 (0 = the server default), got {rate}")
    _optional(params, "srate", rate)
    _optional(params, "uid", _optional_uid(fn, "uid", uid))
    return params


class ServicesMethods(AreaBase):
    """Content services"""

    @api_method
    def translate(
        self,
        text: str,
        source_language: Language | str,
        target_language: Language | str,
        text_type: str = "",
        profanity: str = "",
        post_profanity: bool = False,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[TranslateResult] | None = None,
    ) -> Call[TranslateResult]:
        """Translate ``text`` into ``target_language``. ``source_language`` ``""`` lets the
        server detect it. ``text_type``: ``"chat"`` (default: whitespace runs collapsed) or
        ``"mail"`` (kept). ``profanity``: ``"off"`` (default), ``"stop"`` (error 200057 when a
        listed word is found) or ``"censor"`` (words masked with ``*``);
        ``post_profanity=True`` also censors the translation. Languages: a
        :class:`Language` or any code string. Also Go's ``TranslateByLanguageCode``."""
        fn = "translate"
        params: dict[str, Any] = {
            "text": _str(fn, "text", text),
            "dst": _text(fn, "target_language", target_language, required=True),
        }
        _optional(params, "src", _text(fn, "source_language", source_language))
        _optional(params, "type", _choice(fn, "text_type", text_type, TEXT_TYPES))
        _optional(params, "profanity", _choice(fn, "profanity", profanity, PROFANITY_MODES))
        _optional(params, "postProfanity", _bool(fn, "post_profanity", post_profanity))
        _optional(params, "uid", _optional_uid(fn, "uid", uid))
        return Call(
            "translate", params, _parse_translate, _NO_TRANSLATION, True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def profanity(
        self,
        text: str,
        classify: bool = False,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[ProfanityResult] | None = None,
    ) -> Call[ProfanityResult]:
        """Censor the listed words of ``text`` (each masked with ``*``); with
        ``classify=True`` the result also names the classes of the words found. Deprecated
        upstream in favour of :meth:`text_check`."""
        fn = "profanity"
        params: dict[str, Any] = {
            "text": _str(fn, "text", text),
            "classify": _bool(fn, "classify", classify),
        }
        _optional(params, "uid", _optional_uid(fn, "uid", uid))
        return Call(
            "profanity", params, _parse_profanity, ProfanityResult("", []), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def speech_to_text(
        self,
        audio: str | bytes,
        audio_type: MediaSource | int,
        lang: Language | str,
        codec: AudioCodec | str = "",
        srate: int = 0,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[SpeechToTextResult] | None = None,
    ) -> Call[SpeechToTextResult]:
        """Transcribe speech: ``audio`` is a URL (``audio_type`` 1, :attr:`MediaSource.URL`)
        or the audio content (2, :attr:`MediaSource.CONTENT`; ``bytes`` go out as binary).
        ``codec`` ``""`` = AMR_WB and ``srate`` 0 = 16000 on the server. ``timeout``
        defaults to 120 s, as in Go. Wire ``speech2text``."""
        fn = "speech_to_text"
        params = _audio_params(fn, audio, audio_type, lang, codec, srate, uid)
        return Call(
            "speech2text", params, _parse_speech2text, SpeechToTextResult("", ""), True,
            _media_timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def text_check(
        self,
        text: str,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[TextCheckResult] | None = None,
    ) -> Call[TextCheckResult]:
        """Moderate a text: ``result`` 0 passes, 2 rejects; on a reject a non-empty ``text``
        is the censored version you may send instead, an empty one means block it."""
        fn = "text_check"
        params: dict[str, Any] = {"text": _str(fn, "text", text)}
        _optional(params, "uid", _optional_uid(fn, "uid", uid))
        return Call(
            "tcheck", params, _parse_tcheck, TextCheckResult(-1, "", [], []), True,
            _timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def image_check(
        self,
        image: str | bytes,
        image_type: MediaSource | int,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[CheckResult] | None = None,
    ) -> Call[CheckResult]:
        """Moderate an image given by URL (``image_type`` 1) or content (2). ``timeout``
        defaults to 120 s, as in Go."""
        fn = "image_check"
        params: dict[str, Any] = {
            "image": _media(fn, "image", image),
            "type": _member(fn, "image_type", image_type, _MEDIA_SOURCES, _MEDIA_LABEL),
        }
        _optional(params, "uid", _optional_uid(fn, "uid", uid))
        return Call(
            "icheck", params, _CHECK["icheck"], _NO_CHECK, True,
            _media_timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def audio_check(
        self,
        audio: str | bytes,
        audio_type: MediaSource | int,
        lang: Language | str,
        codec: AudioCodec | str = "",
        srate: int = 0,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[CheckResult] | None = None,
    ) -> Call[CheckResult]:
        """Moderate speech given by URL (``audio_type`` 1) or content (2), in ``lang``;
        ``codec``/``srate`` as for :meth:`speech_to_text`. ``timeout`` defaults to 120 s."""
        fn = "audio_check"
        params = _audio_params(fn, audio, audio_type, lang, codec, srate, uid)
        return Call(
            "acheck", params, _CHECK["acheck"], _NO_CHECK, True,
            _media_timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip

    @api_method
    def video_check(
        self,
        video: str | bytes,
        video_type: MediaSource | int,
        video_name: str,
        uid: int = 0,
        *,
        timeout: float | None = None,
        callback: ResultCallback[CheckResult] | None = None,
    ) -> Call[CheckResult]:
        """Moderate a video given by URL (``video_type`` 1) or content (2; ``video_name`` is
        then required by the server). ``timeout`` defaults to 120 s, as in Go."""
        fn = "video_check"
        params: dict[str, Any] = {
            "video": _media(fn, "video", video),
            "type": _member(fn, "video_type", video_type, _MEDIA_SOURCES, _MEDIA_LABEL),
            "videoName": _str(fn, "video_name", video_name),
        }
        _optional(params, "uid", _optional_uid(fn, "uid", uid))
        return Call(
            "vcheck", params, _CHECK["vcheck"], _NO_CHECK, True,
            _media_timeout(fn, timeout), _callback(fn, callback),
        )  # fmt: skip
