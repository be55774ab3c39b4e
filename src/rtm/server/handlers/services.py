"""Content services (spec §4.14, §11.1-§11.4): answered by the deterministic model of
:mod:`rtm.server.services` with the project's configuration.

Check order: parameter presence and types (10009/10010), the service switch (200060), then
the values (200034 type, 200050 language, 200061 codec, 200051 empty text, 200057 stop).
"""

from __future__ import annotations

from typing import Any

from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server import services as model
from rtm.server.core import Answer, ServerCore
from rtm.server.handlers.base import HandlerBase
from rtm.server.params import Params, Payload


def _media_type(kind: int) -> int:
    if kind not in (1, 2):
        raise codes.rtm_error(codes.INVALID_PARAMETER,
                              f"invalid type {kind}: 1 (URL) or 2 (content)")
    return kind


class ContentServices:
    """The content services of a project, from values already read: the service switch
    (200060), then the values (200034, 200050, 200061, 200051, 200057), then the model's answer.
    The server API's handlers and the client gate's both answer through it."""

    def __init__(self, core: ServerCore) -> None:
        self.core = core

    def config(self, pid: int, service: str) -> model.ServicesConfig:
        """The project's configuration; 200060 when ``service`` is switched off."""
        config = self.core.services.get(pid)
        if not config.enabled(service):
            raise codes.rtm_error(codes.NO_CONFIG_IN_CONSOLE,
                                  f"{service} is switched off for project {pid}")
        return config

    def _audio(self, pid: int, service: str, kind: int, lang: str,
               codec: str) -> model.ServicesConfig:
        """``speech2text``/``acheck``: the switch, then the values (spec §11.4)."""
        config = self.config(pid, service)
        _media_type(kind)
        model.checked_language(lang, "lang")
        model.checked_codec(codec)
        return config

    def translate(self, pid: int, text: str, dst: str, src: str = "", text_type: str = "",
                  mode: str = "", post: bool = False) -> dict[str, str]:
        return model.translate(self.config(pid, "translate"), text, dst, src, text_type, mode,
                               post)

    def profanity(self, pid: int, text: str, classify: bool) -> dict[str, Any]:
        return model.profanity(self.config(pid, "profanity"), text, classify)

    def speech2text(self, pid: int, audio: Payload, kind: int, lang: str,
                    codec: str = "") -> dict[str, str]:
        config = self._audio(pid, "speech_to_text", kind, lang, codec)
        return {"text": model.transcript(config, audio, kind), "lang": lang}

    def tcheck(self, pid: int, text: str) -> dict[str, Any]:
        return model.text_check(self.config(pid, "text_check"), text).answer()

    def icheck(self, pid: int, image: Payload, kind: int) -> dict[str, Any]:
        config = self.config(pid, "image_check")
        _media_type(kind)
        return model.check_content(config, "image", image).answer()

    def acheck(self, pid: int, audio: Payload, kind: int, lang: str,
               codec: str = "") -> dict[str, Any]:
        config = self._audio(pid, "audio_check", kind, lang, codec)
        return model.check_content(config, "audio", audio).answer()

    def vcheck(self, pid: int, video: Payload, kind: int, name: str) -> dict[str, Any]:
        config = self.config(pid, "video_check")
        if _media_type(kind) == 1:
            return model.check_content(config, "video", video).answer()
        if not name:
            raise codes.rtm_error(codes.INVALID_PARAMETER,
                                  "videoName is required when type is 2 (content)")
        return model.check_content(config, "video", video, name).answer()


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

    def __init__(self, core: ServerCore) -> None:
        super().__init__(core)
        self.content = ContentServices(core)

    @staticmethod
    def _audio(p: Params) -> tuple[Payload, int, str, str]:
        """``speech2text``/``acheck``'s params (types only: the values are checked after the
        service switch)."""
        audio, kind, lang = p.payload_("audio"), p.int_("type", "i32"), p.str_("lang")
        codec = p.opt_str("codec")
        p.opt_int("srate", model.DEFAULT_SRATE, "i32")
        p.opt_int("uid", 0)
        return audio, kind, lang, codec

    async def translate(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        text, dst = p.str_("text"), p.str_("dst")
        src, text_type = p.opt_str("src"), p.opt_str("type")
        mode, post = p.opt_str("profanity"), p.opt_bool("postProfanity")
        p.opt_int("uid", 0)
        return self.content.translate(pid, text, dst, src, text_type, mode, post)

    async def profanity(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        text, classify = p.str_("text"), p.opt_bool("classify")
        p.opt_int("uid", 0)
        return self.content.profanity(pid, text, classify)

    async def speech2text(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return self.content.speech2text(pid, *self._audio(p))

    async def tcheck(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        text = p.str_("text")
        p.opt_int("uid", 0)
        return self.content.tcheck(pid, text)

    async def icheck(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        image, kind = p.payload_("image"), p.int_("type", "i32")
        p.opt_int("uid", 0)
        return self.content.icheck(pid, image, kind)

    async def acheck(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        return self.content.acheck(pid, *self._audio(p))

    async def vcheck(self, conn: ServerConnection, p: Params, pid: int) -> Answer:
        video, kind = p.payload_("video"), p.int_("type", "i32")
        name = p.opt_str("videoName")
        p.opt_int("uid", 0)
        return self.content.vcheck(pid, video, kind, name)
