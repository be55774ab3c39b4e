"""Content services (spec §3.11) through the end-user client: the same deterministic answers
as the server API's for the same project configuration, the same refusals, and the caller's
language."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from rtm.client import AsyncRTMServerClient
from rtm.enduser import AsyncEndUserClient
from rtm.server import ServerThread
from rtm.testing import RTMProject

from .common import (
    code,
    raw,
    refused,
)

Login = Callable[[int], Awaitable[AsyncEndUserClient]]


async def test_same_answers_as_the_server_api(
        rtm_enduser: Login, rtm_async_client: AsyncRTMServerClient,
        rtm_project: RTMProject) -> None:
    user = await rtm_enduser(1)
    api = rtm_async_client
    rtm_project.services.set_translation("en", "fr", "good morning", "bonjour")
    assert await raw(user, "translate", text="good morning", dst="fr") == {
        "source": "en", "target": "fr", "sourceText": "good morning",
        "targetText": "bonjour"}
    assert (await user.translate("hello  badword", "zh-CN", profanity="censor")
            == await api.translate("hello  badword", "", "zh-CN", profanity="censor"))
    assert (await user.translate("你好", "en", source_language="zh-CN", text_type="mail")
            == await api.translate("你好", "zh-CN", "en", text_type="mail"))
    assert await raw(user, "profanity", text="a badword", classify=True) == {
        "text": "a *******", "classification": ["abuse"]}
    assert await user.profanity("a badword") == await api.profanity("a badword")
    assert await raw(user, "tcheck", text="spamword here", strategyId="s1") == {
        "result": 2, "text": "******** here", "tags": ["5"], "wlist": ["spamword"]}
    assert await user.text_check("blockword") == await api.text_check("blockword")
    assert await raw(user, "icheck", image=b"nsfw bytes", type=2) == {"result": 2,
                                                                      "tags": ["3"]}
    assert (await user.image_check("https://x/ok.jpg", 1)
            == await api.image_check("https://x/ok.jpg", 1))
    assert (await user.audio_check(b"reject", 2, "en", codec="opus")
            == await api.audio_check(b"reject", 2, "en", "opus"))
    assert (await user.video_check(b"fine", 2, video_name="a.mp4")
            == await api.video_check(b"fine", 2, "a.mp4"))
    rtm_project.services.set_transcript(b"\x01\x02", "good morning")
    assert await raw(user, "speech2text", audio=b"\x01\x02", type=2, lang="en",
                     srate=8000) == {"text": "good morning", "lang": "en"}
    assert (await user.speech_to_text("https://x/a.amr", 1, "en")
            == await api.speech_to_text("https://x/a.amr", 1, "en"))
    # speech translation: the transcript, translated
    assert await raw(user, "speechtranslation", audio=b"\x01\x02", speechLanguageCode="en",
                     textLanguageCode="fr") == {
        "source": "en", "target": "fr", "sourceText": "good morning",
        "targetText": "bonjour"}
    result = await user.speech_translation(b"\x01\x02", "en", "fr")
    assert (result.source_text, result.target_text) == ("good morning", "bonjour")


async def test_the_server_api_refusals(rtm_enduser: Login, rtm_project: RTMProject) -> None:
    user = await rtm_enduser(1)
    assert (await refused(user, "translate", text="hi", dst="xx"))[0] == 200050
    assert (await refused(user, "translate", text=" ", dst="fr"))[0] == 200051
    assert (await refused(user, "translate", text="blockword", dst="fr",
                          profanity="stop"))[0] == 200057
    assert (await refused(user, "translate", text="hi"))[0] == 10009
    assert (await refused(user, "icheck", image="u", type=3))[0] == 200034
    assert (await refused(user, "icheck", image=5, type=1))[0] == 10010
    assert (await refused(user, "acheck", audio="u", type=1, lang="en",
                          codec="mp3"))[0] == 200061
    assert (await refused(user, "vcheck", video=b"v", type=2))[0] == 200034
    assert (await refused(user, "speechtranslation", audio=5,
                          speechLanguageCode="en", textLanguageCode="fr"))[0] == 10010
    rtm_project.services.disable("translate", "text_check")
    assert await code(user.translate("hello", "fr")) == 200060
    assert await code(user.text_check("hello")) == 200060
    assert await code(user.speech_translation(b"\x01", "en", "fr")) == 200060
    assert (await user.profanity("fine")).text == "fine"  # the others stay on


async def test_setlang(rtm_enduser: Login, rtm_project: RTMProject,
                       rtm_server: ServerThread) -> None:
    user = await rtm_enduser(1)

    async def lang() -> str:  # what the server's store kept
        return await asyncio.to_thread(
            rtm_server.run, rtm_server.server.store.user_lang(rtm_project.pid, 1))

    assert await raw(user, "setlang", lang="zh-CN") == {}
    assert await lang() == "zh_cn"
    assert (await refused(user, "setlang", lang="klingon"))[0] == 200050
    assert (await refused(user, "setlang", lang=1))[0] == 10010
    assert await lang() == "zh_cn"
    await user.set_lang("")
    assert await lang() == ""


async def test_setlang_translates_the_chat_pushed_to_the_caller(
        rtm_enduser: Login, rtm_project: RTMProject) -> None:
    rtm_project.services.set_translation("en", "fr", "good morning", "bonjour")
    alice, bob = await rtm_enduser(1), await rtm_enduser(2)
    await bob.set_lang("fr")
    await alice.send_message(2, 30, "good morning", mid=1)
    push = await bob.next_push()
    assert push.params["msg"]["target"] == "fr"
    assert push.params["msg"]["targetText"] == "bonjour"
    await bob.set_lang("")
    await alice.send_message(2, 30, "good morning", mid=2)
    assert (await bob.next_push()).params["msg"]["targetText"] == ""
