"""Deterministic content services of the local server (spec ``rtm-server-api-current.md``
§11.1-§11.4, §11.8, §10) and their per-project configuration.

The real RTM services (translation, moderation, speech recognition) are remote AI backends. The
local server answers them from a small, predictable model instead: a word list, a translation
table, speech transcripts and check markers. Every part is configurable per project, from a
services file (``rtm server --services-file``, :func:`load_services_file`) or at runtime
(:class:`ServicesRegistry`, used by the pytest plugin), so a test can make each branch of the
user's moderation code happen.

Everything here is pure: the handlers in :mod:`rtm.server.handlers.services` read the quest,
call these functions with the project's :class:`ServicesConfig` and answer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from rtm.fpnn.errors import FPNNError
from rtm.server import codes

__all__ = [
    "AUDIO_CODECS",
    "CHECK_KINDS",
    "DEFAULT_MARKERS",
    "DEFAULT_TRANSLATIONS",
    "DEFAULT_WORDS",
    "LANGUAGES",
    "SERVICE_NAMES",
    "CheckOutcome",
    "Marker",
    "ServicesConfig",
    "ServicesConfigError",
    "ServicesRegistry",
    "ServicesSettings",
    "TextCheckOutcome",
    "Translation",
    "Word",
    "apply_settings",
    "audio_key",
    "chat_translation",
    "check_content",
    "checked_codec",
    "checked_language",
    "detect_language",
    "find_words",
    "load_services_file",
    "marker_from_mapping",
    "mask",
    "normalise_codec",
    "normalise_language",
    "profanity",
    "services_from_mapping",
    "text_check",
    "transcript",
    "translate",
    "word_from_mapping",
]

#: The 22 language codes of spec §9.3.
LANGUAGES: Final = frozenset({
    "ar", "nl", "en", "fr", "de", "el", "id", "it", "ja", "ko", "no", "pl", "pt", "ru", "es",
    "sv", "tl", "th", "tr", "vi", "zh_cn", "zh_tw",
})
#: Codecs accepted by ``speech2text`` / ``acheck`` (compared case-insensitively, ``-`` = ``_``).
AUDIO_CODECS: Final = frozenset({"AMR_WB", "AMR_NB", "OPUS", "SPEEX", "PCM"})
DEFAULT_CODEC: Final = "AMR_WB"
DEFAULT_SRATE: Final = 16000

#: The services that can be switched off (spec §10: answered with 200060 then).
SERVICE_NAMES: Final = (
    "translate", "profanity", "speech_to_text", "text_check", "image_check", "audio_check",
    "video_check", "rtc", "imlib",
)
#: The media checks a marker can apply to.
CHECK_KINDS: Final = ("image", "audio", "video")

Action = Literal["censor", "block"]
_ACTIONS: Final = ("censor", "block")
_KEYS: Final = frozenset({
    "words", "translations", "markers", "speech", "disabled", "rtc_require_online",
})


class ServicesConfigError(ValueError):
    """A services configuration is invalid; the message names the key and what was
    expected."""


@dataclass(frozen=True, slots=True)
class Word:
    """A listed word: found case-insensitively as a substring; ``tag`` is reported by
    ``tcheck``, ``classification`` by ``profanity(classify)``; ``block`` makes ``tcheck``
    withhold the censored text (the message must be blocked). The defaults are those of
    ``rtm_project.services.add_word``."""

    word: str
    tag: int = 0
    classification: str = ""
    action: Action = "censor"


@dataclass(frozen=True, slots=True)
class Translation:
    """One entry of the translation table: ``text`` (exact match after trimming) from ``src``
    to ``dst`` gives ``result``."""

    src: str
    dst: str
    text: str
    result: str


@dataclass(frozen=True, slots=True)
class Marker:
    """A check marker: content containing ``marker`` (case-insensitive) is rejected with
    ``tag`` by the media checks named in ``checks``."""

    marker: str
    tag: int
    checks: tuple[str, ...] = CHECK_KINDS


DEFAULT_WORDS: Final = (
    Word("badword", 2, "abuse", "censor"),
    Word("spamword", 5, "ad", "censor"),
    Word("blockword", 9, "banned", "block"),
)
DEFAULT_TRANSLATIONS: Final = (
    Translation("en", "zh_cn", "hello", "你好"),
    Translation("en", "zh_cn", "hello world", "你好，世界"),
    Translation("zh_cn", "en", "你好", "hello"),
    Translation("en", "fr", "hello", "bonjour"),
    Translation("en", "es", "hello", "hola"),
    Translation("en", "ja", "hello", "こんにちは"),
)
DEFAULT_MARKERS: Final = (Marker("reject", 1), Marker("nsfw", 3))
DEFAULT_SPEECH_TEXT: Final = "hello world"


@dataclass(frozen=True)
class ServicesConfig:
    """What the content services of one project answer (spec §11; the defaults are the
    spec's). Immutable: change it with :meth:`replace` or the ``with_*`` helpers."""

    words: tuple[Word, ...] = DEFAULT_WORDS
    translations: tuple[Translation, ...] = DEFAULT_TRANSLATIONS
    markers: tuple[Marker, ...] = DEFAULT_MARKERS
    speech_default_text: str = DEFAULT_SPEECH_TEXT
    #: URL (audio type 1) or lower-hex MD5 of the content (type 2) -> transcript
    transcripts: Mapping[str, str] = field(default_factory=dict)
    #: names from :data:`SERVICE_NAMES` answered with 200060
    disabled: frozenset[str] = frozenset()
    #: ``pullIntoRTCRoom`` refuses offline users (200055)
    rtc_require_online: bool = False
    _table: dict[tuple[str, str, str], str] = field(
        init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.disabled:
            if name not in SERVICE_NAMES:
                raise ServicesConfigError(
                    f"disabled: unknown service {name!r} (expected one of "
                    f"{', '.join(SERVICE_NAMES)})")
        table = {(t.src, t.dst, t.text.strip()): t.result for t in self.translations}
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "transcripts", dict(self.transcripts))

    def replace(self, **changes: Any) -> ServicesConfig:
        return dataclasses.replace(self, **changes)

    def enabled(self, service: str) -> bool:
        return service not in self.disabled

    def lookup(self, src: str, dst: str, text: str) -> str | None:
        return self._table.get((src, dst, text.strip()))

    def with_translation(self, src: str, dst: str, text: str, result: str) -> ServicesConfig:
        """This config with one translation added (replacing the entry of the same key)."""
        entry = _translation({"src": src, "dst": dst, "text": text, "result": result},
                             "translation")
        key = (entry.src, entry.dst, entry.text.strip())
        kept = tuple(t for t in self.translations if (t.src, t.dst, t.text.strip()) != key)
        return self.replace(translations=(*kept, entry))

    def with_word(self, word: Word) -> ServicesConfig:
        """This config with ``word`` listed (replacing an entry of the same spelling)."""
        kept = tuple(w for w in self.words if w.word.lower() != word.word.lower())
        return self.replace(words=(*kept, word))

    def with_marker(self, marker: Marker) -> ServicesConfig:
        kept = tuple(m for m in self.markers if m.marker.lower() != marker.marker.lower())
        return self.replace(markers=(*kept, marker))

    def with_transcript(self, key: str, text: str) -> ServicesConfig:
        return self.replace(transcripts={**self.transcripts, key: text})

    def with_disabled(self, names: Iterable[str], disabled: bool = True) -> ServicesConfig:
        names = frozenset(names)
        return self.replace(disabled=self.disabled | names if disabled
                            else self.disabled - names)


@dataclass(frozen=True)
class ServicesSettings:
    """A whole services file: the configuration of every project, and per-project
    overrides (pid -> config)."""

    defaults: ServicesConfig = field(default_factory=ServicesConfig)
    projects: Mapping[int, ServicesConfig] = field(default_factory=dict)

    def for_project(self, pid: int) -> ServicesConfig:
        return self.projects.get(pid, self.defaults)


class ServicesRegistry:
    """The services configuration in effect, per project; changed at runtime from any thread
    (a test thread while the server's loop answers quests). Configs are immutable, so a
    reader only takes a reference; writers serialise on a lock."""

    def __init__(self, settings: ServicesSettings | None = None) -> None:
        self._settings = settings or ServicesSettings()
        self._lock = threading.Lock()
        self._projects: dict[int, ServicesConfig] = dict(self._settings.projects)

    def get(self, pid: int) -> ServicesConfig:
        return self._projects.get(pid, self._settings.defaults)

    def set(self, pid: int, config: ServicesConfig) -> None:
        if not isinstance(config, ServicesConfig):
            raise TypeError(f"config must be a ServicesConfig, got {type(config).__name__}")
        with self._lock:
            self._projects = {**self._projects, pid: config}

    def update(self, pid: int, change: Callable[[ServicesConfig], ServicesConfig]
               ) -> ServicesConfig:
        """Apply ``change`` to the project's config atomically; returns the new config."""
        with self._lock:
            config = change(self._projects.get(pid, self._settings.defaults))
            if not isinstance(config, ServicesConfig):
                raise TypeError("change() must return a ServicesConfig")
            self._projects = {**self._projects, pid: config}
            return config

    def reset(self, pid: int) -> None:
        """Back to what the services file (or the spec defaults) says for ``pid``."""
        with self._lock:
            projects = dict(self._projects)
            if pid in self._settings.projects:
                projects[pid] = self._settings.projects[pid]
            else:
                projects.pop(pid, None)
            self._projects = projects


# ------------------------------------------------------------------------------ file format


def _expect(where: str, what: str, value: object) -> ServicesConfigError:
    return ServicesConfigError(f"{where}: expected {what}, got {_describe(value)}")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _get_str(obj: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
    if key not in obj:
        raise ServicesConfigError(f"{where}: missing key {key!r}")
    value = obj[key]
    if not isinstance(value, str):
        raise _expect(f"{where}.{key}", "a string", value)
    if not empty and not value.strip():
        raise ServicesConfigError(f"{where}.{key}: must not be empty")
    return value


def _get_int(obj: Mapping[str, Any], key: str, where: str) -> int:
    if key not in obj:
        raise ServicesConfigError(f"{where}: missing key {key!r}")
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _expect(f"{where}.{key}", "an integer", value)
    if not 0 <= value <= 2**31 - 1:
        raise ServicesConfigError(f"{where}.{key}: must be in 0..2147483647, got {value}")
    return value


def _object(value: object, where: str, keys: Iterable[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _expect(where, "an object", value)
    allowed = set(keys)
    for key in value:
        if key not in allowed:
            raise ServicesConfigError(
                f"{where}: unknown key {key!r} (expected {', '.join(sorted(allowed))})")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _expect(where, "a list", value)
    return value


def _language(value: str, where: str) -> str:
    code = normalise_language(value)
    if code not in LANGUAGES:
        raise ServicesConfigError(
            f"{where}: unsupported language {value!r} (expected one of "
            f"{', '.join(sorted(LANGUAGES))})")
    return code


def word_from_mapping(value: object, where: str = "word") -> Word:
    # "class" is the key's earlier name, still read so existing services files keep working
    obj = _object(value, where, ("word", "tag", "classification", "class", "action"))
    action = obj.get("action", "censor")
    if action not in _ACTIONS:
        raise _expect(f"{where}.action", "'censor' or 'block'", action)
    if "classification" in obj and "class" in obj:
        raise ServicesConfigError(f"{where}: give 'classification' only ('class' is its "
                                  "earlier name)")
    key = "class" if "class" in obj else "classification"
    classification = obj.get(key, "")
    if not isinstance(classification, str):
        raise _expect(f"{where}.{key}", "a string", classification)
    tag = _get_int(obj, "tag", where) if "tag" in obj else 0
    return Word(_get_str(obj, "word", where), tag, classification, action)


def _translation(value: object, where: str) -> Translation:
    obj = _object(value, where, ("src", "dst", "text", "result"))
    return Translation(
        _language(_get_str(obj, "src", where), f"{where}.src"),
        _language(_get_str(obj, "dst", where), f"{where}.dst"),
        _get_str(obj, "text", where),
        _get_str(obj, "result", where, empty=True),
    )


def marker_from_mapping(value: object, where: str = "marker") -> Marker:
    obj = _object(value, where, ("marker", "tag", "checks"))
    checks: tuple[str, ...] = CHECK_KINDS
    if "checks" in obj:
        names = _list(obj["checks"], f"{where}.checks")
        for i, name in enumerate(names):
            if name not in CHECK_KINDS:
                raise _expect(f"{where}.checks[{i}]", "'image', 'audio' or 'video'", name)
        if not names:
            raise ServicesConfigError(f"{where}.checks: must not be empty")
        checks = tuple(dict.fromkeys(names))
    return Marker(_get_str(obj, "marker", where), _get_int(obj, "tag", where), checks)


def apply_settings(base: ServicesConfig, data: object, where: str = "services"
                   ) -> ServicesConfig:
    """``base`` with the parts given in ``data`` (one object of the services-file format,
    without ``projects``) replaced; :class:`ServicesConfigError` names a wrong key."""
    obj = _object(data, where, _KEYS)
    changes: dict[str, Any] = {}
    if "words" in obj:
        changes["words"] = tuple(
            word_from_mapping(v, f"{where}.words[{i}]") for i, v in enumerate(_list(obj["words"],
                                                                        f"{where}.words")))
    if "translations" in obj:
        entries = _list(obj["translations"], f"{where}.translations")
        changes["translations"] = tuple(
            _translation(v, f"{where}.translations[{i}]") for i, v in enumerate(entries))
    if "markers" in obj:
        entries = _list(obj["markers"], f"{where}.markers")
        changes["markers"] = tuple(
            marker_from_mapping(v, f"{where}.markers[{i}]") for i, v in enumerate(entries))
    if "speech" in obj:
        speech = _object(obj["speech"], f"{where}.speech", ("default_text", "transcripts"))
        if "default_text" in speech:
            changes["speech_default_text"] = _get_str(speech, "default_text",
                                                      f"{where}.speech", empty=True)
        if "transcripts" in speech:
            table = speech["transcripts"]
            if not isinstance(table, Mapping):
                raise _expect(f"{where}.speech.transcripts", "an object", table)
            for key, text in table.items():
                if not isinstance(text, str):
                    raise _expect(f"{where}.speech.transcripts[{key!r}]", "a string", text)
            changes["transcripts"] = dict(table)
    if "disabled" in obj:
        names = _list(obj["disabled"], f"{where}.disabled")
        for i, name in enumerate(names):
            if name not in SERVICE_NAMES:
                raise _expect(f"{where}.disabled[{i}]",
                              f"one of {', '.join(SERVICE_NAMES)}", name)
        changes["disabled"] = frozenset(names)
    if "rtc_require_online" in obj:
        flag = obj["rtc_require_online"]
        if not isinstance(flag, bool):
            raise _expect(f"{where}.rtc_require_online", "true or false", flag)
        changes["rtc_require_online"] = flag
    return base.replace(**changes) if changes else base


def services_from_mapping(data: object, where: str = "services") -> ServicesSettings:
    """Validate a parsed services file (see ``docs/server.md``): the keys of
    :class:`ServicesConfig` for every project, and ``"projects": {"<pid>": {...}}`` whose
    keys replace those of the top level for one project."""
    if not isinstance(data, Mapping):
        raise _expect(where, "an object", data)
    top = {k: v for k, v in data.items() if k != "projects"}
    defaults = apply_settings(ServicesConfig(), top, where)
    projects: dict[int, ServicesConfig] = {}
    raw = data.get("projects", {})
    if not isinstance(raw, Mapping):
        raise _expect(f"{where}.projects", "an object of pid -> config", raw)
    for key, section in raw.items():
        pid_where = f"{where}.projects[{key!r}]"
        if not isinstance(key, str) or not key.isdigit() or not 0 < int(key) < 2**31:
            raise ServicesConfigError(f"{pid_where}: the key must be a project id "
                                      "(a decimal int32 > 0)")
        projects[int(key)] = apply_settings(defaults, section, pid_where)
    return ServicesSettings(defaults, projects)


def load_services_file(path: str | Path) -> ServicesSettings:
    """Read and validate a JSON services file; errors name the file and the key."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ServicesConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ServicesConfigError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return services_from_mapping(data, str(path))


# ------------------------------------------------------------------------------ the model


def normalise_language(code: str) -> str:
    """``zh-CN`` -> ``zh_cn`` (spec §11.2 step 2)."""
    return code.strip().lower().replace("-", "_")


def normalise_codec(codec: str) -> str:
    return codec.strip().upper().replace("-", "_")


_SCRIPTS: Final = (
    (re.compile("[\u4e00-\u9fff]"), "zh_cn"),
    (re.compile("[\u3040-\u30ff]"), "ja"),
    (re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"), "ko"),
    (re.compile("[\u0400-\u04ff]"), "ru"),
    (re.compile("[\u0600-\u06ff]"), "ar"),
    (re.compile("[\u0e00-\u0e7f]"), "th"),
)


_ANY_SCRIPT: Final = re.compile("|".join(pattern.pattern for pattern, _ in _SCRIPTS))


def detect_language(text: str) -> str:
    """Spec §11.2 step 3: the script of the first character that has one of the listed
    scripts decides; otherwise ``en``."""
    found = _ANY_SCRIPT.search(text)  # one scan (chat pushes detect every message)
    if found is not None:
        char = found.group()
        for pattern, code in _SCRIPTS:
            if pattern.match(char):
                return code
    return "en"


Match = tuple[int, int, Word]


def find_words(text: str, words: Iterable[Word]) -> list[Match]:
    """Listed words in ``text`` (spec §11.1): case-insensitive substrings, non-overlapping,
    left to right; at one position the longest word wins. Returns (start, end, word)."""
    candidates = sorted((w for w in words if w.word), key=lambda w: -len(w.word))
    if not candidates:
        return []
    lowered = [(w, w.word.lower(), len(w.word)) for w in candidates]
    matches: list[Match] = []
    i, n = 0, len(text)
    while i < n:
        for word, low, size in lowered:
            if text[i:i + size].lower() == low:
                matches.append((i, i + size, word))
                i += size
                break
        else:
            i += 1
    return matches


def mask(text: str, matches: Iterable[Match]) -> str:
    """Every matched code point becomes ``*`` (the length is kept)."""
    chars = list(text)
    for start, end, _ in matches:
        chars[start:end] = "*" * (end - start)
    return "".join(chars)


_WHITESPACE_RUN: Final = re.compile(r"[ \t\r\n]+")


def checked_language(value: str, key: str) -> str:
    code = normalise_language(value)
    if code not in LANGUAGES:
        raise codes.rtm_error(codes.UNSUPPORTED_LANGUAGE,
                              f"unsupported language {value!r} in '{key}'")
    return code


def translate(config: ServicesConfig, text: str, dst: str, src: str = "",
              text_type: str = "", profanity_mode: str = "", post_profanity: bool = False
              ) -> dict[str, str]:
    """Spec §11.2: the ``translate`` answer; refusals raise the RTM error to answer."""
    if not text.strip():
        raise codes.rtm_error(codes.EMPTY_TRANSLATION, "text is empty")
    target = checked_language(dst, "dst")
    source = checked_language(src, "src") if src else detect_language(text)
    mode = profanity_mode or "off"
    if mode not in ("off", "stop", "censor"):
        raise codes.rtm_error(codes.INVALID_PARAMETER,
                           f"invalid profanity {profanity_mode!r}: off, stop or censor")
    kind = text_type or "chat"
    if kind not in ("chat", "mail"):
        raise codes.rtm_error(codes.INVALID_PARAMETER, f"invalid type {text_type!r}: chat or mail")
    # listed words matter only to stop/censor (chat pushes translate every message: "off")
    matches = find_words(text, config.words) if mode != "off" else []
    if mode == "stop" and matches:
        raise codes.rtm_error(codes.PROFANITY_STOP,
                           f"profanity stop: listed word {matches[0][2].word!r} found")
    source_text = mask(text, matches) if mode == "censor" else text
    if source == target:
        target_text = text
    else:
        found = config.lookup(source, target, text)
        target_text = found if found is not None else f"[{target}] {text}"
    if kind == "chat":
        target_text = _WHITESPACE_RUN.sub(" ", target_text).strip()
    if mode == "censor" or post_profanity:
        target_text = mask(target_text, find_words(target_text, config.words))
    return {"source": source, "target": target, "sourceText": source_text,
            "targetText": target_text}


def chat_translation(config: ServicesConfig, text: str, target: str) -> dict[str, str]:
    """The map a chat message (mtype 30) is pushed to an end user as (client spec §5):
    ``sourceText`` the text; ``source`` its detected language ("" for a blank text: a push
    carries no declared language); ``target`` the receiver's language as it set it ("" when
    unset); ``targetText`` the text translated by :func:`translate` when a target is set,
    else "" — and "" too when it cannot be (translation switched off, a language the
    services do not know): a push is never refused."""
    source = detect_language(text) if text.strip() else ""
    target_text = ""
    if target and source and config.enabled("translate"):
        try:
            target_text = translate(config, text, target, source)["targetText"]
        except FPNNError:
            target_text = ""
    return {"source": source, "target": target, "sourceText": text, "targetText": target_text}


def profanity(config: ServicesConfig, text: str, classify: bool) -> dict[str, Any]:
    """Spec §11.3 ``profanity``: never an error."""
    matches = find_words(text, config.words)
    answer: dict[str, Any] = {"text": mask(text, matches)}
    if classify:
        answer["classification"] = sorted({w.classification for _, _, w in matches
                                           if w.classification})
    return answer


@dataclass(frozen=True, slots=True)
class TextCheckOutcome:
    result: int
    text: str | None
    tags: list[str]
    wlist: list[str]

    def answer(self) -> dict[str, Any]:
        out: dict[str, Any] = {"result": self.result, "tags": self.tags, "wlist": self.wlist}
        if self.text is not None:
            out["text"] = self.text
        return out


def text_check(config: ServicesConfig, text: str) -> TextCheckOutcome:
    """Spec §11.3 ``tcheck``: tags as decimal strings (sorted, unique), wlist in order of
    first occurrence; a ``block`` word withholds the censored text."""
    matches = find_words(text, config.words)
    if not matches:
        return TextCheckOutcome(0, None, [], [])
    tags = [str(t) for t in sorted({w.tag for _, _, w in matches})]
    wlist = list(dict.fromkeys(w.word for _, _, w in matches))
    blocked = any(w.action == "block" for _, _, w in matches)
    return TextCheckOutcome(2, None if blocked else mask(text, matches), tags, wlist)


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    result: int
    tags: list[str]

    def answer(self) -> dict[str, Any]:
        return {"result": self.result, "tags": self.tags}


def content_text(content: str | bytes) -> str:
    """What a check inspects: the str, or bytes decoded as UTF-8 with replacement."""
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def check_content(config: ServicesConfig, kind: str, *contents: str | bytes) -> CheckOutcome:
    """Spec §11.4: reject (2) with the tags of the markers found in any of ``contents``."""
    texts = [content_text(c).lower() for c in contents]
    tags = sorted({m.tag for m in config.markers
                   if kind in m.checks and m.marker
                   and any(m.marker.lower() in t for t in texts)})
    if not tags:
        return CheckOutcome(0, [])
    return CheckOutcome(2, [str(t) for t in tags])


def audio_key(audio: str | bytes, audio_type: int) -> str:
    """The transcript key of an audio: its URL (type 1), else the lower-hex MD5 of its
    bytes."""
    if audio_type == 1:
        return content_text(audio)
    data = audio.encode("utf-8") if isinstance(audio, str) else audio
    return hashlib.md5(data).hexdigest()


def checked_codec(codec: str) -> str:
    name = normalise_codec(codec) if codec else DEFAULT_CODEC
    if name not in AUDIO_CODECS:
        raise codes.rtm_error(codes.UNSUPPORTED_TRANSCRIBE_TYPE,
                           f"unsupported codec {codec!r} (expected one of "
                           f"{', '.join(sorted(AUDIO_CODECS))})")
    return name


def transcript(config: ServicesConfig, audio: str | bytes, audio_type: int) -> str:
    return config.transcripts.get(audio_key(audio, audio_type), config.speech_default_text)
