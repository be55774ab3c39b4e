"""Content services (spec §4.14, §11.1-§11.4): answered by the deterministic model of
:mod:`rtm.server.services` with the project's configuration.

Check order: parameter presence and types (10009/10010), the service switch (200060), then
the values (200034 type, 200050 language, 200061 codec, 200051 empty text, 200057 stop).
"""

from __future__ import annotations

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server import services as model
from rtm.server.core import Answer
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import Params, Payload


def _media_type(kind: int) -> int:
    if kind not in (1, 2):
        raise codes.rtm_error(codes.INVALID_PARAMETER,
                              f"invalid type {kind}: 1 (URL) or 2 (content)")
    return kind


class ServicesHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = (
        "translate",
        "profanity",
        "speech2text",
        "tcheck",
        "icheck",
        "acheck",
        "vcheck",
    )

    def _services(self, pid: int, service: str) -> model.ServicesConfig:
        """The project's configuration; 200060 when ``service`` is switched off."""
        config = self.core.services.get(pid)
        if not config.enabled(service):
            raise codes.rtm_error(codes.NO_CONFIG_IN_CONSOLE,
                                  f"{service} is switched off for project {pid}")
        return config

    def _audio(self, p: Params, pid: int, service: str
               ) -> tuple[model.ServicesConfig, Payload, int, str]:
        """``speech2text``/``acheck``: read, switch, then check the values (spec §11.4)."""
        audio, kind, lang = p.payload_("audio"), p.int_("type", "i32"), p.str_("lang")
        codec = p.opt_str("codec")
        p.opt_int("srate", model.DEFAULT_SRATE, "i32")
        p.opt_int("uid", 0)
        config = self._services(pid, service)
        _media_type(kind)
        model.checked_language(lang, "lang")
        model.checked_codec(codec)
        return config, audio, kind, lang

    async def translate(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        text, dst = p.str_("text"), p.str_("dst")
        src, text_type = p.opt_str("src"), p.opt_str("type")
        mode, post = p.opt_str("profanity"), p.opt_bool("postProfanity")
        p.opt_int("uid", 0)
        config = self._services(pid, "translate")
        return model.translate(config, text, dst, src, text_type, mode, post)

    async def profanity(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        text, classify = p.str_("text"), p.opt_bool("classify")
        p.opt_int("uid", 0)
        return model.profanity(self._services(pid, "profanity"), text, classify)

    async def speech2text(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        config, audio, kind, lang = self._audio(p, pid, "speech_to_text")
        return {"text": model.transcript(config, audio, kind), "lang": lang}

    async def tcheck(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        text = p.str_("text")
        p.opt_int("uid", 0)
        return model.text_check(self._services(pid, "text_check"), text).answer()

    async def icheck(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        image, kind = p.payload_("image"), p.int_("type", "i32")
        p.opt_int("uid", 0)
        config = self._services(pid, "image_check")
        _media_type(kind)
        return model.check_content(config, "image", image).answer()

    async def acheck(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        config, audio, _, _ = self._audio(p, pid, "audio_check")
        return model.check_content(config, "audio", audio).answer()

    async def vcheck(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        video, kind = p.payload_("video"), p.int_("type", "i32")
        name = p.opt_str("videoName")
        p.opt_int("uid", 0)
        config = self._services(pid, "video_check")
        if _media_type(kind) == 1:
            return model.check_content(config, "video", video).answer()
        if not name:
            raise codes.rtm_error(codes.INVALID_PARAMETER,
                                  "videoName is required when type is 2 (content)")
        return model.check_content(config, "video", video, name).answer()
