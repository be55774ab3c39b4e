"""``rtm`` commands of the current generation: chat/cmd sends, message management, --mtypes,
file --audio, --protocol / $RTM_PROTOCOL (in-process against the local server)."""

from __future__ import annotations

import json
from pathlib import Path

from rtm import MessageType, RTMServerClient

from .conftest import Cli


def test_chat_and_cmd_then_manage_them(cli: Cli, rtm_client: RTMServerClient) -> None:
    rtm_client.add_group_members(5, [1, 2])
    chat = cli("--json", "send", "chat", "group", 1, 5, "hello").ok().one()
    cli("send", "cmd", "group", 1, 5, '{"op":"refresh"}').ok()
    cli("send", "chat", "p2p", 1, 2, "hi", "--attrs", '{"k":"v"}').ok()
    cli("send", "cmd", "multi", 1, "2,3", "ping").ok()
    cli("send", "chat", "broadcast", 1, "all").ok()
    cli("send", "p2p", 1, 2, "custom", "--mtype", 77).ok()

    got = cli("--json", "message", "get", "group", 1, 5, chat["mid"]).ok().one()
    assert (got["message"], got["mtype"], got["file_info"]) == ("hello", 30, None)
    cli("message", "edit", "group", 1, 5, chat["mid"], "hello!", "--attrs", "e").ok()
    unit = rtm_client.get_message(int(chat["mid"]), 1, 5, MessageType.GROUP)
    assert (unit.message, unit.attrs) == ("hello!", "e")

    count = cli("--json", "message", "count", "group", 5).ok().one()
    assert (count["count"], count["sender"]) == (2, 1)
    assert cli("--json", "message", "count", "group", 5, "--mtypes", "32").ok().one()[
        "count"] == 1

    only_custom = cli("--json", "history", "p2p", 1, 2, "--mtypes", "77", "--all").ok().json()
    assert [m["message"] for m in only_custom] == ["custom"]

    cli("message", "clean", "group", 5).ok()
    assert cli("--json", "message", "count", "group", 5).ok().one()["count"] == 0
    cli("message", "clear-user", 3).ok()  # 3 received "ping"
    assert rtm_client.get_p2p_message(1, 3).num == 0
    cli("message", "clear", "all").ok()
    assert rtm_client.get_p2p_message(1, 2).num == 0
    missing = cli("message", "get", "group", 1, 5, chat["mid"])
    assert missing.code == 1 and "200070" in missing.err


def test_file_with_audio_and_protocol_switch(cli: Cli, tmp_path: Path,
                                             rtm_client: RTMServerClient) -> None:
    voice = tmp_path / "voice.amr"
    voice.write_bytes(b"0123456789")
    cli("file", "send", "p2p", 1, 2, str(voice), "--mtype", 41, "--audio",
        "amr-wb,16000,en,3000", "--attrs", '{"k":"v"}').ok()
    entry = cli("--json", "history", "p2p", 1, 2).ok().one()["messages"][0]
    info = entry["file_info"]
    assert (info["is_rtm_audio"], info["duration"], info["size"], info["custom_attrs"]) == (
        True, 3000, 10, '{"k":"v"}')
    assert json.loads(entry["message"])["url"] == info["url"]

    bad = cli("file", "send", "p2p", 1, 2, str(voice), "--audio", "amr-wb")
    assert bad.code == 2 and "CODEC,SRATE,LANG,DURATION_MS" in bad.err
    # the 0.1.0 profile, by flag or environment: the 0.1.0 quests, refusing current-only input
    old = cli("--protocol", "0.1.0", "history", "p2p", 1, 2, "--mtypes", "30")
    assert old.code == 2 and "needs protocol='current'" in old.err
    config = cli("--json", "config", extra_env={"RTM_PROTOCOL": "0.1.0"}).ok().one()
    assert config["protocol"] == "0.1.0" and config["sources"]["protocol"] == "RTM_PROTOCOL"
    assert cli("send", "p2p", 1, 2, "old style", extra_env={"RTM_PROTOCOL": "0.1.0"}).ok()
    wrong = cli("config", extra_env={"RTM_PROTOCOL": "2.0"})
    assert wrong.code == 2 and "protocol" in wrong.err
