"""The current protocol profile at the API layer: snowflake ids, removed options, the current
forms of history, files and listening, and reading file messages (spec §1.4, §4.3, §5.4,
§5.6, §8)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from typing_check_api import FakeAsyncClient, FakeSyncClient

from rtm import AudioInfo, ClearType, MessageType, RTMServerClient
from rtm.api import signing
from rtm.api.files import file_attrs_current, go_json, parse_file_info
from rtm.api.signing import SnowflakeMidGenerator


def current(answers: dict[str, Any] | None = None) -> FakeSyncClient:
    return FakeSyncClient(answers, protocol="current")


def test_snowflake_layout_and_order(monkeypatch: pytest.MonkeyPatch) -> None:
    gen = SnowflakeMidGenerator()
    monkeypatch.setattr(signing.time, "time_ns", lambda: 1_796_116_949_989_000_000)
    ids = [gen.next() for _ in range(200)]  # > 64: the sequence wraps, the ms moves on
    assert all(b > a for a, b in itertools.pairwise(ids))
    first = ids[0]
    assert first >> 22 == 1_796_116_949_989
    assert 1 <= (first >> 18) & 0xF <= 15 and 1 <= (first >> 14) & 0xF <= 15
    assert first & 0x3F == 1
    assert ids[-1] >> 22 > first >> 22
    assert len({i & ~0x3F & ((1 << 22) - 1) for i in ids}) == 1  # same node bits


def test_removed_options_say_what_to_use() -> None:
    with pytest.raises(TypeError, match="'sign_version' was removed: use protocol="):
        RTMServerClient(1, "k", "h:1", sign_version=2)
    with pytest.raises(TypeError, match="'legacy_file_attrs' was removed"):
        RTMServerClient(1, "k", "h:1", legacy_file_attrs=True)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        RTMServerClient(1, "k", "h:1", colour=1)
    with pytest.raises(ValueError, match=r"'protocol' must be one of 'current', '0\.1\.0'"):
        RTMServerClient(1, "k", "h:1", protocol="0.9.20")


def test_history_paging_defaults_and_current_keys() -> None:
    c = current()
    c.get_group_message(7)
    p = c.sent[0].params
    assert {k: p[k] for k in ("gid", "desc", "num", "begin", "end", "lastid", "uid")} == {
        "gid": 7, "desc": True, "num": 20, "begin": 0, "end": 0, "lastid": 0, "uid": 0}
    assert "mtypes" not in p
    c.get_p2p_chat(1, 2, num=5)
    assert c.sent[1].params["mtypes"] == [30, 32, 40, 41, 42, 50]
    assert "uid" in c.sent[1].params and c.sent[1].params["ouid"] == 2


def test_0_1_0_history_has_no_uid_and_refuses_mtypes() -> None:
    c = FakeSyncClient()
    c.get_room_message(3, False, 10, 0, 0, 0, 99)
    assert "uid" not in c.sent[0].params
    with pytest.raises(ValueError, match="get_room_message\\(\\): the 'mtypes' filter needs "
                                         "protocol='current'"):
        c.get_room_message(3, mtypes=[30])
    with pytest.raises(ValueError, match="get_group_chat"):
        c.get_group_chat(3)


@pytest.mark.parametrize(("call", "word"), [
    (lambda c: c.get_group_message(1, num=21), "'num' must be in"),
    (lambda c: c.get_group_message(1, mtypes=[300]), "'mtypes\\[0\\]'"),
    (lambda c: c.get_group_message(1, mtypes=30), "'mtypes' must be a list"),
    (lambda c: c.del_group_message(1, 2, "g"), "'group_id'"),
    (lambda c: c.get_message(1, 2, 3, 5), "'message_type' must be a MessageType"),
    (lambda c: c.clear_project_message(MessageType.P2P | 8), "'clear_type'"),
    (lambda c: c.get_msg_count(MessageType.P2P, 1), "GROUP=2, ROOM=3"),
    (lambda c: c.delete_conversation_messages(1, 2, MessageType.BROADCAST), "'message_type'"),
    (lambda c: c.edit_message(1, 2, 3, MessageType.GROUP, b"x"), "'message'"),
    (lambda c: c.send_file(1, 2, b"x", "a", audio_info=("amr",)), "'audio_info'"),
    (lambda c: c.add_listen([], [], "yes", []), "'p2p' must be a list or tuple of uids"),
])
def test_bad_arguments_name_the_argument(call: Any, word: str) -> None:
    with pytest.raises((TypeError, ValueError), match=word):
        call(current())


def test_message_management_wire() -> None:
    c = current({"getmsgnum": {"sender": 2, "num": 9}})
    count = c.get_msg_count(MessageType.ROOM, 5, 0, 0, [])
    assert (count.sender, count.count) == (2, 9)
    assert {"type", "xid"} <= c.sent[-1].params.keys()
    assert not {"mtypes", "begin", "end"} & c.sent[-1].params.keys()
    c.clear_project_message(ClearType.ALL)
    assert c.sent[-1].params["type"] == 4
    c.clean_group_message(9)
    assert c.sent[-1].params["from"] == 0 and c.sent[-1].params["type"] == 2


def test_get_message_parses_file_info() -> None:
    answer = {"id": 7, "mtype": 41, "msg": '{"url":"http://f/1","size":12,"surl":""}',
              "attrs": '{"custom":{"b":1,"a":"x"},"rtm":{"type":"audiomsg","codec":"opus",'
                       '"srate":16000,"lang":"en","duration":3000,"sign":"s"}}', "mtime": 5}
    c = current({"getmsg": answer})
    unit = c.get_message(11, 1, 2, MessageType.P2P)
    assert (unit.id, unit.from_uid, unit.mid, unit.mtype) == (7, 1, 11, 41)
    assert unit.message == answer["msg"] and unit.attrs == answer["attrs"]
    info = unit.file_info
    assert info is not None
    assert (info.url, info.size, info.is_rtm_audio, info.codec, info.srate, info.lang,
            info.duration) == ("http://f/1", 12, True, "opus", 16000, "en", 3000)
    assert info.custom_attrs == '{"a":"x","b":1}'


def test_file_info_of_other_shapes() -> None:
    legacy = parse_file_info(50, "rtm-file://1/abc", '{"sign":"s","ext":"txt"}')
    assert legacy.url == "rtm-file://1/abc" and legacy.custom_attrs == ""
    bad = parse_file_info(40, "not json", "not json")
    assert bad.url == "" and bad.size == 0
    text_custom = parse_file_info(41, '{"url":"u","size":1}',
                                  '{"custom":"plain","rtm":{"type":"audiomsg"}}')
    assert text_custom.custom_attrs == "plain" and text_custom.is_rtm_audio


def test_current_file_attrs_match_go() -> None:
    assert file_attrs_current("s", "demo.txt", None) == (
        '{"custom":"","rtm":{"ext":"txt","filename":"demo","sign":"s"}}')
    audio = AudioInfo("amr-wb", 16000, "en", 3000)
    assert json.loads(file_attrs_current("s", "voice", "amr", '{"k":"v"}', audio)) == {
        "custom": {"k": "v"}, "rtm": {"codec": "amr-wb", "duration": 3000, "ext": "amr",
                                      "filename": "voice", "lang": "en", "sign": "s",
                                      "srate": 16000, "type": "audiomsg"}}
    assert go_json({"b": [1.5, 2.0, None], "a": "<&>"}) == '{"a":"\\u003c\\u0026\\u003e",' \
        '"b":[1.5,2,null]}'


def test_0_1_0_files_refuse_audio_info() -> None:
    with pytest.raises(ValueError, match="'audio_info' needs protocol='current'"):
        FakeSyncClient().send_file(1, 2, b"x", "a.amr", audio_info=AudioInfo("a", 1, "en", 1))


def test_listen_current_forms_and_restore() -> None:
    c = current()
    c.add_listen([1], [], [5, 6], ["login"])
    assert c.sent[-1].params.keys() >= {"gids", "uids", "events"}
    assert "p2p" not in c.sent[-1].params
    c.set_listen_status(True, False, False, False)
    assert {k: c.sent[-1].params[k] for k in ("group", "room", "p2p", "ev")} == {
        "group": True, "room": False, "p2p": False, "ev": False}
    restore = c._listen_restore_call()
    assert restore is not None and restore.method == "setlisten"
    assert restore.params == {"gids": [1], "rids": [], "uids": [5, 6], "events": ["login"]}
    assert restore.then is not None
    assert restore.then({}).params == {"group": True, "room": False, "p2p": False,
                                       "ev": False}
    with pytest.raises(ValueError, match="needs protocol='current'"):
        FakeSyncClient().add_listen([], [], [5], [])


async def test_async_fake_sends_the_same() -> None:
    c = FakeAsyncClient(protocol="current")
    await c.send_room_cmd(1, 2, "cmd")
    assert c.sent[0].params["mtype"] == 32 and c.sent[0].params["rid"] == 2
