"""Wire cases of the content services area (spec §4.14)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rtm import AudioCodec, Language, MediaSource
from wire_cases import Case

URL_AUDIO = "https://example.com/voice.amr"

CASES: list[Case] = [
    Case(51, "translate",
         ("hello world", Language.EN, Language.ZH_CN, "chat", "censor", True, 100001)),
    Case(52, "translate", ("hello world", "en", "zh_cn")),
    Case(53, "profanity", ("some badword here", True, 100001)),
    Case(54, "speech_to_text",
         (URL_AUDIO, MediaSource.URL, Language.EN, AudioCodec.AMR_WB, 16000, 100001)),
    Case(55, "text_check", ("this is a badword", 100001)),
    Case(56, "image_check", ("https://example.com/photo.png", 1, 100001)),
    Case(57, "audio_check", (URL_AUDIO, 1, "en")),
    Case(58, "video_check", ("https://example.com/clip.mp4", 1, "clip.mp4", 100001)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "translate": lambda: {"source": "en", "target": "zh_cn", "sourceText": "hello world",
                          "targetText": "你好，世界"},
    "profanity": lambda: {"text": "some ******* here", "classification": ["abuse"]},
    "speech2text": lambda: {"text": "hello world", "lang": "en"},
    "tcheck": lambda: {"result": 2, "text": "this is a *******", "tags": ["2"],
                       "wlist": ["badword"]},
    "icheck": lambda: {"result": 0, "tags": []},
    "acheck": lambda: {"result": 0, "tags": []},
    "vcheck": lambda: {"result": 2, "tags": ["3"]},
}
