"""Argument rules of the content services, RTC and IM-library methods: TypeError/ValueError
naming the method, the argument and the rule, and nothing reaches the wire; plus what the
accepted values become in the quest (Go's presence rules, enums as plain values)."""

from __future__ import annotations

from typing import Any

import pytest
from typing_check_api import FakeSyncClient

from rtm import AudioCodec, IMApplyGrant, IMObjectType, Language, MediaSource, RTCRoomType
from rtm.api.methods.services import MEDIA_TIMEOUT

CASES: list[tuple[str, tuple[Any, ...], type[Exception], str]] = [
    ("translate", (5, "en", "fr"), TypeError, "translate(): 'text' must be a str, got int"),
    ("translate", ("a", None, "fr"), TypeError, "'source_language' must be a str"),
    ("translate", ("a", "en", ""), ValueError, "'target_language' must not be empty"),
    ("translate", ("a", "en", "fr", "html"), ValueError,
     "'text_type' must be one of '', 'chat', 'mail', got 'html'"),
    ("translate", ("a", "en", "fr", "", "loud"), ValueError, "'profanity' must be one of"),
    ("translate", ("a", "en", "fr", "", "", 1), TypeError, "'post_profanity' must be a bool"),
    ("translate", ("a", "en", "fr", "", "", False, -1), ValueError,
     "'uid' must be >= 0 (0 = none), got -1"),
    ("profanity", ("a", "yes"), TypeError, "profanity(): 'classify' must be a bool"),
    ("speech_to_text", ("", 1, "en"), ValueError, "'audio' must not be empty"),
    ("speech_to_text", (5, 1, "en"), TypeError, "'audio' must be a str or bytes, got int"),
    ("speech_to_text", ("u", 3, "en"), ValueError,
     "'audio_type' must be 1 (MediaSource.URL) or 2 (MediaSource.CONTENT), got 3"),
    ("speech_to_text", ("u", 1, ""), ValueError, "'lang' must not be empty"),
    ("speech_to_text", ("u", 1, "en", "", -5), ValueError, "'srate' must be >= 0"),
    ("audio_check", ("u", 1, "en", 7), TypeError, "audio_check(): 'codec' must be a str"),
    ("image_check", ("u", True), TypeError, "'image_type' must be an int"),
    ("video_check", ("u", 1, None), TypeError, "'video_name' must be a str"),
    ("text_check", ("t", 2**63), ValueError, "'uid' must be an id: a positive int64"),
    ("invite_user_into_rtc_room", (1, 2, []), ValueError, "'uids' must not be empty"),
    ("pull_user_into_rtc_room", (1, [1] * 101, 1), ValueError,
     "'uids' must have at most 100 items"),
    ("pull_user_into_rtc_room", (1, [1], 3), ValueError,
     "'room_type' must be 1 (RTCRoomType.VOICE) or 2 (RTCRoomType.VIDEO), got 3"),
    ("pull_user_into_rtc_room", (1, [1], 1, 2**31), ValueError, "'voice_range' must be an int"),
    ("set_rtc_room_mic_status", (1, 1), TypeError, "'status' must be a bool"),
    ("admin_command", (1, [2], -1), ValueError, "'command' must be an RTCAdminCommand"),
    ("kickout_from_rtc_room", (1, "2", 3), TypeError, "'uid' must be an id: a positive int64"),
    ("imserver_set_user_infos", (1, {"a": 1}), TypeError, "\"infos['a']\" must be a str, got int"),
    ("imserver_set_user_infos", (1, [("a", "b")]), TypeError,
     "'infos' must be a dict of str to str, got list"),
    ("imserver_set_group_infos", (1, {2: "b"}), TypeError, "'infos' keys must be str"),
    ("imserver_create_group", (1, 2, {}, {"type": 3}), TypeError,
     "\"permissions['type']\" must be a str"),
    ("imserver_set_apply_grant", (5, 1, 0), ValueError,
     "'object_type' must be an IMObjectType: 0 user, 1 group, 2 room, got 5"),
    ("imserver_set_apply_grant", (1, 1, 4), ValueError, "'grant_type' must be an IMApplyGrant"),
    ("imserver_set_apply_grant", (1, 1, 3, ""), ValueError, "'extra' (the password)"),
    ("imserver_set_invite_grant", (1, 1, 2, 0), ValueError, "'invite_type' must be 0 or 1"),
    ("imserver_set_invite_grant", (0, 1, 1, 0), ValueError, "'object_type' must be 1"),
    ("imserver_get_user_infos", ([],), ValueError, "'uids' must not be empty"),
    ("imserver_get_group_infos", ([1] * 101,), ValueError, "'group_ids' must have at most 100"),
]


@pytest.mark.parametrize(("method", "args", "exc", "text"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bad_arguments_send_nothing(method: str, args: tuple[Any, ...], exc: type[Exception],
                                    text: str) -> None:
    client = FakeSyncClient(protocol="current")
    with pytest.raises(exc) as info:
        getattr(client, method)(*args)
    assert text in str(info.value)
    assert client.sent == [] and client.calls == []


def test_accepted_values_on_the_wire() -> None:
    c = FakeSyncClient({
        "speech2text": {"text": "t", "lang": "en"}, "vcheck": {"result": 0},
        "translate": {"source": "en", "target": "fr", "sourceText": "a", "targetText": "b"},
    }, protocol="current")
    c.translate("a", "", Language.FR, uid=0)
    c.speech_to_text(bytearray(b"\x00\x01"), MediaSource.CONTENT, Language.EN,
                     AudioCodec.OPUS, 8000)
    c.video_check("u", 1, "")
    c.pull_user_into_rtc_room(1, (2, 3), RTCRoomType.VIDEO)
    c.imserver_set_apply_grant(IMObjectType.ROOM, 9, IMApplyGrant.NOBODY, "")
    c.imserver_create_group(1, 2, {"name": "n"})
    auth = {"pid", "sign", "salt", "ts"}
    params = [{k: v for k, v in s.params.items() if k not in auth} for s in c.sent]
    assert params == [
        {"text": "a", "dst": "fr"},
        {"audio": b"\x00\x01", "type": 2, "lang": "en", "codec": "OPUS", "srate": 8000},
        {"video": "u", "type": 1, "videoName": ""},
        {"rid": 1, "toUids": [2, 3], "type": 2, "voiceRange": 0, "maxReceiveStreams": 0},
        {"type": 2, "xid": 9, "grant_type": 2},
        {"gid": 1, "owner_uid": 2, "infos": {"name": "n"}, "permissions": None},
    ]
    assert all(type(v) in (int, str, bytes, list, dict, type(None))
               for p in params for v in p.values())
    timeouts = [call.timeout for call in c.calls]
    assert timeouts[1] == timeouts[2] == MEDIA_TIMEOUT  # Go's default for media services
    assert timeouts[0] is None
