"""Content services of the local server (current spec §4.14, §11.1-§11.4, §10) through the SDK:
the default model, every rule, and every part made to answer otherwise per project through
the pytest plugin (``rtm_project.services``, ``@pytest.mark.rtm_services``)."""

from __future__ import annotations

import hashlib

import pytest

from rtm import (
    AudioCodec,
    EmptyTranslationError,
    InvalidParameterError,
    Language,
    MediaSource,
    NoConfigInConsoleError,
    ProfanityStopError,
    RTMServerClient,
    UnsupportedLanguageError,
    UnsupportedTranscribeTypeError,
)
from rtm.server.services import (
    SERVICE_NAMES,
    Marker,
    ServicesConfigError,
    Word,
    word_from_mapping,
)
from rtm.testing import RTMProject

from .conftest import API

URL = MediaSource.URL
CONTENT = MediaSource.CONTENT


def test_translate_follows_the_spec_rules(rtm_client: RTMServerClient) -> None:
    t = rtm_client.translate
    res = t("hello world", Language.EN, Language.ZH_CN)
    assert (res.source_language, res.target_language) == ("en", "zh_cn")
    assert (res.source_text, res.target_text) == ("hello world", "你好，世界")
    assert t("  hello ", "en", "fr").target_text == "bonjour"  # matched after trimming
    assert t("hello", "EN", "zh-CN").target_language == "zh_cn"  # normalised codes
    # detection: the script of the first character that has one decides
    for text, lang in [("你好", "zh_cn"), ("こんにちは", "ja"), ("안녕", "ko"),
                       ("привет", "ru"), ("مرحبا", "ar"), ("สวัสดี", "th"), ("hi 5", "en"),
                       ("ok: привет 你好", "ru")]:
        assert t(text, "", "en").source_language == lang, text
    assert t("你好", "", "en").target_text == "hello"
    # not in the table, same language, chat vs mail whitespace
    assert t("good  night\n all", "en", "fr").target_text == "[fr] good night all"
    assert t("good  night\n all", "en", "fr", "mail").target_text == "[fr] good  night\n all"
    assert t("Same\t text", "en", "en").target_text == "Same text"
    # profanity: off, censor, postProfanity, stop
    off = t("hello badword", "en", "fr")
    assert off.source_text == "hello badword" and off.target_text == "[fr] hello badword"
    censor = t("hello BadWord", "en", "fr", "chat", "censor")
    assert censor.source_text == "hello *******"
    assert censor.target_text == "[fr] hello *******"
    post = t("hello badword", "en", "fr", "", "off", True)
    assert post.source_text == "hello badword" and post.target_text == "[fr] hello *******"
    assert t("clean", "en", "fr", "", "stop").target_text == "[fr] clean"
    with pytest.raises(ProfanityStopError):
        t("a spamword", "en", "fr", "", "stop")
    with pytest.raises(UnsupportedLanguageError):
        t("hello", "en", "xx")
    with pytest.raises(UnsupportedLanguageError):
        t("hello", "klingon", "fr")
    with pytest.raises(EmptyTranslationError):
        t(" \n ", "en", "fr")
    # the SDK refuses bad arguments before sending
    with pytest.raises(ValueError, match="'text_type' must be one of"):
        t("hello", "en", "fr", "html")
    with pytest.raises(ValueError, match="'target_language' must not be empty"):
        t("hello", "en", "")


def test_profanity_and_text_check(rtm_client: RTMServerClient, rtm_project: RTMProject) -> None:
    res = rtm_client.profanity("Some BADWORD, spamword; blockword.", True)
    assert res.text == "Some *******, ********; *********."
    assert res.classification == ["abuse", "ad", "banned"]
    assert rtm_client.profanity("badword", False).classification == []
    assert rtm_client.profanity("", True).text == ""

    clean = rtm_client.text_check("all good")
    assert (clean.result, clean.text, clean.tags, clean.wlist) == (0, "", [], [])
    assert clean.passed
    censored = rtm_client.text_check("spamword and badword and spamword")
    assert censored.result == 2 and not censored.passed
    assert censored.text == "******** and ******* and ********"
    assert censored.tags == [2, 5] and censored.wlist == ["spamword", "badword"]
    blocked = rtm_client.text_check("badword then blockword")
    assert (blocked.result, blocked.text) == (2, "")  # block: no censored text to send
    assert blocked.tags == [2, 9] and blocked.wlist == ["badword", "blockword"]

    # the longest word wins at one position; matches do not overlap
    rtm_project.services.add_word("bad", 4, "mild")
    assert rtm_client.profanity("badwords bad", True).text == "*******s ***"
    assert rtm_client.text_check("Bad!").tags == [4]
    rtm_project.services.set_words([Word("heck", 7, "mild", "block")])
    assert rtm_client.profanity("badword heck", True).classification == ["mild"]
    assert rtm_client.text_check("badword").passed
    rtm_project.services.reset()
    assert rtm_client.text_check("badword").tags == [2]


def test_media_checks(rtm_client: RTMServerClient, rtm_project: RTMProject) -> None:
    assert rtm_client.image_check("https://example.com/cat.png", URL).passed
    res = rtm_client.image_check("https://example.com/NSFW/1.png", URL, 1001)
    assert (res.result, res.tags) == (2, [3])
    both = rtm_client.image_check(b"\xffreject this nsfw\x00", CONTENT)
    assert both.tags == [1, 3]
    assert rtm_client.audio_check("https://x/reject.amr", URL, Language.EN).tags == [1]
    assert rtm_client.audio_check(b"voice", CONTENT, "en", "amr-wb", 8000).passed
    assert rtm_client.video_check("https://x/clip.mp4", URL, "").passed
    # content videos need their name, which is inspected too
    assert rtm_client.video_check(b"frames", CONTENT, "nsfw.mp4").tags == [3]
    with pytest.raises(InvalidParameterError):
        rtm_client.video_check(b"frames", CONTENT, "")
    with pytest.raises(UnsupportedLanguageError):
        rtm_client.audio_check("https://x/a.amr", URL, "xx")
    with pytest.raises(UnsupportedTranscribeTypeError):
        rtm_client.audio_check("https://x/a.amr", URL, "en", "mp3")
    with pytest.raises(ValueError, match="'image_type' must be 1"):
        rtm_client.image_check("https://x", 3)

    # markers per check kind, then none at all
    rtm_project.services.add_marker("Weapon", 11, checks=["image"])
    assert rtm_client.image_check("https://x/weapon.png", URL).tags == [11]
    assert rtm_client.video_check("https://x/weapon.mp4", URL, "").passed
    rtm_project.services.set_markers([Marker("gore", 12, ("video",))])
    assert rtm_client.image_check("https://x/nsfw.png", URL).passed
    assert rtm_client.video_check("https://x/GORE.mp4", URL, "").tags == [12]


def test_speech_to_text(rtm_client: RTMServerClient, rtm_project: RTMProject) -> None:
    res = rtm_client.speech_to_text("https://example.com/voice.amr", URL, Language.EN,
                                    AudioCodec.AMR_WB, 16000, 1001)
    assert (res.text, res.lang) == ("hello world", "en")
    audio = b"\x02\x00RIFF-some-audio"
    rtm_project.services.set_transcript("https://example.com/voice.amr", "good morning")
    rtm_project.services.set_transcript(audio, "bonjour à tous")
    rtm_project.services.set_speech_default("(silence)")
    assert rtm_client.speech_to_text("https://example.com/voice.amr", URL, "en").text == (
        "good morning")
    fr = rtm_client.speech_to_text(audio, CONTENT, Language.FR, "opus")
    assert (fr.text, fr.lang) == ("bonjour à tous", "fr")
    assert rtm_client.speech_to_text("https://x/other.amr", URL, "en").text == "(silence)"
    assert rtm_project.services.config.transcripts[hashlib.md5(audio).hexdigest()] == (
        "bonjour à tous")
    with pytest.raises(UnsupportedTranscribeTypeError):
        rtm_client.speech_to_text("https://x/a.amr", URL, "en", "MP3")
    with pytest.raises(UnsupportedLanguageError):
        rtm_client.speech_to_text("https://x/a.amr", URL, "xx")


def test_every_service_can_be_switched_off(rtm_client: RTMServerClient,
                                           rtm_project: RTMProject) -> None:
    calls = {
        "translate": lambda: rtm_client.translate("hello", "en", "fr"),
        "profanity": lambda: rtm_client.profanity("hello"),
        "speech_to_text": lambda: rtm_client.speech_to_text("https://x/a.amr", URL, "en"),
        "text_check": lambda: rtm_client.text_check("hello"),
        "image_check": lambda: rtm_client.image_check("https://x/a.png", URL),
        "audio_check": lambda: rtm_client.audio_check("https://x/a.amr", URL, "en"),
        "video_check": lambda: rtm_client.video_check("https://x/a.mp4", URL, "a.mp4"),
        "rtc": lambda: rtm_client.get_rtc_room_list(),
        "imlib": lambda: rtm_client.imserver_get_apply_grant(1, 5),
    }
    assert set(calls) == set(SERVICE_NAMES)
    rtm_project.services.disable(*SERVICE_NAMES)
    for name, call in calls.items():
        with pytest.raises(NoConfigInConsoleError):
            call()
        rtm_project.services.enable(name)
        call()
    with pytest.raises(ValueError, match="unknown service 'translation'"):
        rtm_project.services.disable("translation")


@pytest.mark.rtm_services({
    "words": [{"word": "darn", "tag": 7, "classification": "mild"}],
    "translations": [{"src": "en", "dst": "fr", "text": "good morning", "result": "bonjour"}],
    "markers": [{"marker": "knife", "tag": 11, "checks": ["image"]}],
    "speech": {"default_text": "(no speech)"},
    "disabled": ["video_check"],
})
def test_the_marker_configures_the_project(rtm_client: RTMServerClient,
                                            rtm_project: RTMProject) -> None:
    assert rtm_client.profanity("darn it, badword", True).text == "**** it, badword"
    assert rtm_client.translate("good morning", "en", "fr").target_text == "bonjour"
    assert rtm_client.translate("hello", "en", "fr").target_text == "[fr] hello"
    assert rtm_client.image_check("https://x/knife.png", URL).tags == [11]
    assert rtm_client.image_check("https://x/nsfw.png", URL).passed
    assert rtm_client.speech_to_text("https://x/a.amr", URL, "en").text == "(no speech)"
    with pytest.raises(NoConfigInConsoleError):
        rtm_client.video_check("https://x/a.mp4", URL, "a.mp4")
    rtm_project.services.configure({"disabled": []})
    assert rtm_client.video_check("https://x/a.mp4", URL, "a.mp4").passed
    with pytest.raises(ValueError, match=r"rtm_services\.words\[0\]\.tag: expected an integer"):
        rtm_project.services.configure({"words": [{"word": "x", "tag": "1"}]})
    with pytest.raises(ValueError, match=r"add_word\(\)\.action: expected 'censor' or 'block'"):
        rtm_project.services.add_word("x", 1, action="drop")


def test_projects_do_not_share_services(rtm_server: object, rtm_client: RTMServerClient,
                                        rtm_project: RTMProject) -> None:
    from rtm.testing import new_project

    other = new_project(rtm_project.server)  # type: ignore[arg-type]
    rtm_project.services.set_translation("en", "de", "hello", "hallo")
    with RTMServerClient(other.pid, other.secret, other.endpoint) as client:
        assert client.translate("hello", "en", "de").target_text == "[de] hello"
    assert rtm_client.translate("hello", "en", "de").target_text == "hallo"


async def test_wire_errors_the_sdk_never_sends(api: API) -> None:
    assert await api.error("translate", text="hi", dst="fr", profanity="loud") == 200034
    assert await api.error("translate", text="hi", dst="fr", type="html") == 200034
    assert await api.error("translate", text="hi") == 10009
    assert await api.error("icheck", image="u", type=3) == 200034
    assert await api.error("icheck", image="u") == 10009
    assert await api.error("vcheck", video=b"v", type=2) == 200034  # no videoName
    assert await api.error("speech2text", audio="u", type=0, lang="en") == 200034
    assert await api.error("acheck", audio=5, type=1, lang="en") == 10010
    assert await api.error("tcheck", text="t", uid="x") == 10010
    # PY sends type/profanity always, GO leaves empty strings out: the same answer
    go = await api("translate", text="hello", dst="fr", src="en")
    py = await api("translate", text="hello", dst="fr", src="en", type="chat",
                   profanity="off", uid=7)
    assert go == py == {"source": "en", "target": "fr", "sourceText": "hello",
                        "targetText": "bonjour"}
    assert await api("profanity", text="badword") == {"text": "*******"}
    assert await api("tcheck", text="ok") == {"result": 0, "tags": [], "wlist": []}
    assert await api("tcheck", text="badword") == {
        "result": 2, "text": "*******", "tags": ["2"], "wlist": ["badword"]}


def test_a_word_has_one_field_name_and_the_defaults_of_add_word(
        rtm_project: RTMProject, rtm_client: RTMServerClient) -> None:
    """``Word``, ``add_word`` and the services file: ``classification``, tag 0, censor."""
    import inspect

    assert Word("zap") == Word("zap", 0, "", "censor")
    add_word = inspect.signature(rtm_project.services.add_word).parameters
    for field in ("tag", "classification", "action"):
        assert add_word[field].default == getattr(Word("zap"), field), field
    assert word_from_mapping({"word": "zap"}) == Word("zap")
    assert word_from_mapping({"word": "zap", "classification": "x"}) == Word("zap", 0, "x")
    assert word_from_mapping({"word": "zap", "class": "x"}) == Word("zap", 0, "x")  # old key
    with pytest.raises(ServicesConfigError, match="'classification' only"):
        word_from_mapping({"word": "zap", "class": "x", "classification": "y"})
    rtm_project.services.set_words([Word("zap", 1), Word("zing", classification="mild")])
    result = rtm_client.profanity("zap zing", classify=True)
    assert (result.text, result.classification) == ("*** ****", ["mild"])
