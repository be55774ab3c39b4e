"""The services file (``rtm server --services-file``): format, per-project sections, the
errors that name the key, and a server answering from it."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from rtm import NoConfigInConsoleError, RTMServerClient
from rtm.server.__main__ import build_parser, config_from_args
from rtm.server.services import (
    DEFAULT_TRANSLATIONS,
    ServicesConfig,
    ServicesConfigError,
    load_services_file,
    services_from_mapping,
)
from rtm.testing import start_test_server

FILE: dict[str, Any] = {
    "words": [{"word": "darn", "tag": 7, "class": "mild"},
              {"word": "scam", "tag": 5, "class": "fraud", "action": "block"}],
    "translations": [{"src": "EN", "dst": "zh-CN", "text": "thanks", "result": "谢谢"}],
    "speech": {"transcripts": {"https://x/a.amr": "hi there"}},
    "projects": {
        "2100001": {"disabled": ["rtc", "translate"], "rtc_require_online": True},
        "2100002": {"words": []},
    },
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "services.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_file_format_and_project_sections(tmp_path: Path) -> None:
    settings = load_services_file(write(tmp_path, FILE))
    default = settings.for_project(999)
    assert [w.word for w in default.words] == ["darn", "scam"]
    assert default.lookup("en", "zh_cn", " thanks ") == "谢谢"
    assert default.lookup("en", "fr", "hello") is None  # the file replaced the table
    assert default.transcripts == {"https://x/a.amr": "hi there"}
    assert default.speech_default_text == "hello world"  # not given: the spec default
    first = settings.for_project(2100001)
    assert first.disabled == {"rtc", "translate"} and first.rtc_require_online
    assert [w.word for w in first.words] == ["darn", "scam"]  # inherited from the top level
    assert settings.for_project(2100002).words == ()
    assert services_from_mapping({}).defaults == ServicesConfig()
    assert ServicesConfig().translations == DEFAULT_TRANSLATIONS


@pytest.mark.parametrize(("data", "message"), [
    ("[1, 2", "not valid JSON (line 1, column 6"),
    ([], "services.json: expected an object, got a list"),
    ({"word": []}, "services.json: unknown key 'word' (expected disabled, markers, "),
    ({"words": {}}, "services.json.words: expected a list, got an object"),
    ({"words": [{"tag": 1}]}, "services.json.words[0]: missing key 'word'"),
    ({"words": [{"word": "", "tag": 1}]}, "services.json.words[0].word: must not be empty"),
    ({"words": [{"word": "x", "tag": -1}]}, "services.json.words[0].tag: must be in 0.."),
    ({"words": [{"word": "x", "tag": 1, "action": "ban"}]},
     "services.json.words[0].action: expected 'censor' or 'block', got the string 'ban'"),
    ({"translations": [{"src": "en", "dst": "xx", "text": "a", "result": "b"}]},
     "services.json.translations[0].dst: unsupported language 'xx'"),
    ({"markers": [{"marker": "m", "tag": 1, "checks": ["text"]}]},
     "services.json.markers[0].checks[0]: expected 'image', 'audio' or 'video'"),
    ({"speech": {"transcripts": {"u": 5}}},
     "services.json.speech.transcripts['u']: expected a string, got the number 5"),
    ({"disabled": ["chat"]}, "services.json.disabled[0]: expected one of translate, "),
    ({"rtc_require_online": "yes"},
     "services.json.rtc_require_online: expected true or false, got the string 'yes'"),
    ({"projects": {"abc": {}}}, "services.json.projects['abc']: the key must be a project id"),
    ({"projects": {"5": {"markers": [{"tag": 1}]}}},
     "services.json.projects['5'].markers[0]: missing key 'marker'"),
])
def test_errors_name_the_key_and_what_was_expected(tmp_path: Path, data: object,
                                                   message: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ServicesConfigError) as info:
        load_services_file(path)
    assert str(info.value).startswith(str(path)) or message.startswith("not valid")
    assert message in str(info.value)


def test_command_line_option(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    args = build_parser().parse_args(["--db", ":memory:", "--services-file", str(path)])
    assert config_from_args(args).services.for_project(2100001).rtc_require_online
    assert config_from_args(build_parser().parse_args(["--db", ":memory:"])).services == (
        services_from_mapping({}))
    err = io.StringIO()
    bad = write(tmp_path, {"words": [{"word": "x", "tag": 1.5}]})
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--services-file", str(bad)])
    assert exit_info.value.code == 2
    assert "argument --services-file: " in err.getvalue()
    assert "words[0].tag: expected an integer, got the number 1.5" in err.getvalue()


def test_a_server_answers_from_the_file(tmp_path: Path) -> None:
    server = start_test_server(projects={2100001: "s1", 2100003: "s3"},
                               services=load_services_file(write(tmp_path, FILE)))
    try:
        with RTMServerClient(2100003, "s3", server.endpoint) as client:
            assert client.translate("thanks", "en", "zh_cn").target_text == "谢谢"
            check = client.text_check("a scam, darn")
            assert (check.text, check.tags, check.wlist) == ("", [5, 7], ["scam", "darn"])
            assert client.speech_to_text("https://x/a.amr", 1, "en").text == "hi there"
        with RTMServerClient(2100001, "s1", server.endpoint) as client:
            with pytest.raises(NoConfigInConsoleError):
                client.translate("thanks", "en", "zh_cn")
            with pytest.raises(NoConfigInConsoleError):
                client.get_rtc_room_list()
            assert client.profanity("darn").text == "****"
        # runtime changes go on top, reset goes back to the file
        server.services.update(2100003, lambda c: c.with_disabled(["profanity"]))
        with RTMServerClient(2100003, "s3", server.endpoint) as client:
            with pytest.raises(NoConfigInConsoleError):
                client.profanity("x")
            server.services.reset(2100003)
            assert client.profanity("darn").text == "****"
    finally:
        server.stop()
