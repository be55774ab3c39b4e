"""Content services (spec §3.11): the server API's deterministic services
(:class:`~rtm.server.handlers.services.ContentServices`), and the caller's language."""

from __future__ import annotations

from rtm.enduser.commands import services as cmd
from rtm.server import services as model
from rtm.server.clientgate.base import ClientArea, User
from rtm.server.clientgate.reading import Args
from rtm.server.core import Answer, ServerCore
from rtm.server.handlers.services import ContentServices

#: ``speechtranslation`` sends the audio itself (type 2 of ``speech2text``).
_AUDIO_CONTENT = 2


class ServicesArea(ClientArea):
    COMMANDS = cmd.COMMANDS

    def __init__(self, core: ServerCore) -> None:
        super().__init__(core)
        self.content = ContentServices(core)

    async def setlang(self, user: User, a: Args) -> Answer:
        """The user's language (one of the translation languages, or ``""`` for none;
        200050 otherwise), kept in its normalised form (``zh-CN`` -> ``zh_cn``); chat pushed to
        the user is translated into it."""
        lang = model.checked_language(a["lang"], "lang") if a["lang"] else ""
        await self.hub.set_user_lang(user.pid, user.uid, lang)
        return {}

    async def translate(self, user: User, a: Args) -> Answer:
        return self.content.translate(user.pid, a["text"], a["dst"], a["src"] or "",
                                      a["type"] or "", a["profanity"] or "")

    async def profanity(self, user: User, a: Args) -> Answer:
        return self.content.profanity(user.pid, a["text"], bool(a["classify"]))

    async def tcheck(self, user: User, a: Args) -> Answer:
        return self.content.tcheck(user.pid, a["text"])

    async def icheck(self, user: User, a: Args) -> Answer:
        return self.content.icheck(user.pid, a["image"], a["type"])

    async def acheck(self, user: User, a: Args) -> Answer:
        return self.content.acheck(user.pid, a["audio"], a["type"], a["lang"], a["codec"] or "")

    async def vcheck(self, user: User, a: Args) -> Answer:
        return self.content.vcheck(user.pid, a["video"], a["type"], a["videoName"] or "")

    async def speech2text(self, user: User, a: Args) -> Answer:
        return self.content.speech2text(user.pid, a["audio"], a["type"], a["lang"],
                                        a["codec"] or "")

    async def speechtranslation(self, user: User, a: Args) -> Answer:
        """``speech2text`` of the audio in ``speechLanguageCode``, then ``translate`` of the
        transcript into ``textLanguageCode`` (both services must be on)."""
        speech = a["speechLanguageCode"]
        heard = self.content.speech2text(user.pid, a["audio"], _AUDIO_CONTENT, speech,
                                         a["codec"] or "")
        return self.content.translate(user.pid, heard["text"], a["textLanguageCode"], speech)
