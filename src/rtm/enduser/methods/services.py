"""Content services (spec §3.11): the same answers as the server API's."""

from __future__ import annotations

from rtm.api.answers import (
    _CHECK,
    _parse_profanity,
    _parse_speech2text,
    _parse_tcheck,
    _parse_translate,
)
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.models import (
    CheckResult,
    ProfanityResult,
    SpeechToTextResult,
    TextCheckResult,
    TranslateResult,
)
from rtm.enduser.commands import services as cmd
from rtm.enduser.methods._base import EndUserAreaBase

_NO_TRANSLATION = TranslateResult("", "", "", "")
_NO_CHECK = CheckResult(0, [])


class ServicesMethods(EndUserAreaBase):
    """Content services"""

    @api_method
    def set_lang(self, lang: str, *, timeout: float | None = None,
                 callback: StatusCallback | None = None) -> Call[None]:
        """The caller's language (chat pushed to it is translated into it); ``""`` for
        none."""
        return self._status_call(cmd.SETLANG, "set_lang", timeout=timeout, callback=callback,
                                 lang=lang)

    @api_method
    def translate(self, text: str, target_language: str, *,
                  source_language: str | None = None, text_type: str | None = None,
                  profanity: str | None = None, timeout: float | None = None,
                  callback: ResultCallback[TranslateResult] | None = None
                  ) -> Call[TranslateResult]:
        """Translate ``text`` into ``target_language`` (the source is detected unless
        given); ``text_type`` ``"chat"``/``"mail"``, ``profanity`` ``"off"``/``"censor"``."""
        return self._call(cmd.TRANSLATE, "translate", _parse_translate, _NO_TRANSLATION,
                          timeout=timeout, callback=callback, text=text,
                          target_language=target_language, source_language=source_language,
                          text_type=text_type, profanity=profanity)

    @api_method
    def profanity(self, text: str, *, classify: bool | None = None,
                  timeout: float | None = None,
                  callback: ResultCallback[ProfanityResult] | None = None
                  ) -> Call[ProfanityResult]:
        """``text`` with listed words masked (and their classes with ``classify``)."""
        return self._call(cmd.PROFANITY, "profanity", _parse_profanity,
                          ProfanityResult("", []), timeout=timeout, callback=callback,
                          text=text, classify=classify)

    @api_method
    def text_check(self, text: str, *, strategy_id: str | None = None,
                   check_params: str | None = None, timeout: float | None = None,
                   callback: ResultCallback[TextCheckResult] | None = None
                   ) -> Call[TextCheckResult]:
        """Moderate ``text``."""
        return self._call(cmd.TCHECK, "text_check", _parse_tcheck,
                          TextCheckResult(0, "", [], []), timeout=timeout, callback=callback,
                          text=text, strategy_id=strategy_id, check_params=check_params)

    @api_method
    def image_check(self, image: str | bytes, image_type: int, *,
                    strategy_id: str | None = None, timeout: float | None = None,
                    callback: ResultCallback[CheckResult] | None = None) -> Call[CheckResult]:
        """Moderate an image given by URL (``image_type`` 1) or content (2)."""
        return self._call(cmd.ICHECK, "image_check", _CHECK["icheck"], _NO_CHECK,
                          timeout=timeout, callback=callback, image=image,
                          image_type=image_type, strategy_id=strategy_id)

    @api_method
    def audio_check(self, audio: str | bytes, audio_type: int, lang: str, *,
                    codec: str | None = None, srate: int | None = None,
                    strategy_id: str | None = None, timeout: float | None = None,
                    callback: ResultCallback[CheckResult] | None = None) -> Call[CheckResult]:
        """Moderate audio given by URL (``audio_type`` 1) or content (2)."""
        return self._call(cmd.ACHECK, "audio_check", _CHECK["acheck"], _NO_CHECK,
                          timeout=timeout, callback=callback, audio=audio,
                          audio_type=audio_type, lang=lang, codec=codec, srate=srate,
                          strategy_id=strategy_id)

    @api_method
    def video_check(self, video: str | bytes, video_type: int, *,
                    video_name: str | None = None, strategy_id: str | None = None,
                    timeout: float | None = None,
                    callback: ResultCallback[CheckResult] | None = None) -> Call[CheckResult]:
        """Moderate a video given by URL (``video_type`` 1) or content (2, which needs
        ``video_name``)."""
        return self._call(cmd.VCHECK, "video_check", _CHECK["vcheck"], _NO_CHECK,
                          timeout=timeout, callback=callback, video=video,
                          video_type=video_type, video_name=video_name,
                          strategy_id=strategy_id)

    @api_method
    def speech_to_text(self, audio: str | bytes, audio_type: int, lang: str, *,
                       codec: str | None = None, srate: int | None = None,
                       timeout: float | None = None,
                       callback: ResultCallback[SpeechToTextResult] | None = None
                       ) -> Call[SpeechToTextResult]:
        """The transcript of audio given by URL (``audio_type`` 1) or content (2)."""
        return self._call(cmd.SPEECH2TEXT, "speech_to_text", _parse_speech2text,
                          SpeechToTextResult("", ""), timeout=timeout, callback=callback,
                          audio=audio, audio_type=audio_type, lang=lang, codec=codec,
                          srate=srate)

    @api_method
    def speech_translation(self, audio: bytes, speech_language: str, text_language: str, *,
                           codec: str | None = None, srate: int | None = None,
                           timeout: float | None = None,
                           callback: ResultCallback[TranslateResult] | None = None
                           ) -> Call[TranslateResult]:
        """The transcript of ``audio`` (in ``speech_language``) translated into
        ``text_language``."""
        return self._call(cmd.SPEECHTRANSLATION, "speech_translation", _parse_translate,
                          _NO_TRANSLATION, timeout=timeout, callback=callback, audio=audio,
                          speech_language=speech_language, text_language=text_language,
                          codec=codec, srate=srate)
