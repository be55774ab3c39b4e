"""``rtm translate / profanity / check / speech``, ``rtm rtc ...`` and ``rtm im ...`` against
the local test server (in-process, a fresh project per test)."""

from __future__ import annotations

from pathlib import Path

from rtm.testing import RTMProject

from .conftest import Cli


def test_translate_profanity_checks_and_speech(cli: Cli, rtm_project: RTMProject,
                                               tmp_path: Path) -> None:
    res = cli("--json", "translate", "hello world", "--to", "zh_cn").ok().one()
    assert res == {"source_language": "en", "target_language": "zh_cn",
                   "source_text": "hello world", "target_text": "你好，世界"}
    out = cli("translate", "你好", "--to", "en").ok()
    assert out.out == "hello\n" and "(detected zh_cn)" in out.err
    assert cli("translate", "a badword", "--to", "fr", "--from", "en", "--profanity",
               "censor").ok().out == "[fr] a *******\n"
    err = cli("translate", "a badword", "--to", "fr", "--profanity", "stop")
    assert err.code == 1 and "200057" in err.err
    assert cli("translate", "-", "--to", "fr", input="good  night\n").ok().out == (
        "[fr] good night\n")

    res = cli("--json", "profanity", "badword spamword", "--classify").ok().one()
    assert res == {"text": "******* ********", "classification": ["abuse", "ad"]}
    assert "classes: abuse, ad" in cli("profanity", "badword spamword", "--classify").err

    assert cli("check", "text", "fine").ok().out == "text: pass\n"
    assert cli("check", "text", "a badword").ok().out.startswith(
        "text: reject, censored: a ******* (tags 2; words badword)")
    assert cli("check", "text", "blockword").ok().out.startswith("text: reject, block it")
    res = cli("--json", "check", "image", "https://x/nsfw.png").ok().one()
    assert res == {"result": 2, "passed": False, "tags": [3]}
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG reject")
    assert cli("check", "image", str(image), "--file").ok().out == (
        "image: reject (result 2, tags 1)\n")
    video = tmp_path / "nsfw-clip.mp4"
    video.write_bytes(b"frames")
    assert cli("check", "video", str(video), "--file").ok().out.endswith("tags 3)\n")
    assert cli("check", "video", "-", "--file", "--name", "ok.mp4", input="x").ok().out == (
        "video: pass\n")
    assert cli("check", "audio", "https://x/a.amr", "--lang", "en").ok().out == "audio: pass\n"
    bad = cli("check", "audio", "https://x/a.amr", "--lang", "en", "--codec", "mp3")
    assert bad.code == 1 and "200061" in bad.err
    missing = cli("check", "image", str(tmp_path / "nope.png"), "--file")
    assert missing.code == 1 and "cannot read the image" in missing.err

    rtm_project.services.set_transcript(b"voice bytes", "transcribed")
    audio = tmp_path / "voice.amr"
    audio.write_bytes(b"voice bytes")
    assert cli("speech", str(audio), "--file", "--lang", "en").ok().out == "transcribed\n"
    res = cli("--json", "speech", "https://x/v.amr", "--lang", "fr", "--srate", "8000").ok()
    assert res.one() == {"text": "hello world", "lang": "fr"}
    rtm_project.services.disable("speech_to_text")
    off = cli("speech", "https://x/v.amr", "--lang", "fr")
    assert off.code == 1 and "[200060 NO_CONFIG_IN_CONSOLE]" in off.err


def test_rtc_commands(cli: Cli, rtm_project: RTMProject) -> None:
    assert cli("rtc", "list").ok().err == "no RTC rooms\n"
    cli("rtc", "pull", 7, 1, "2,3", "--type", "video", "--voice-range", 10).ok()
    cli("rtc", "admin", 7, "appoint-admin", 2).ok()
    cli("rtc", "admin", 7, "forbid-audio", "3").ok()
    cli("rtc", "invite", 7, 1, 8, 9).ok()
    assert cli("rtc", "invite", 7, 99, 8).code == 1
    cli("rtc", "mic", 7, "on").ok()
    assert cli("rtc", "list").ok().out == "7\n"
    assert cli("rtc", "members", 7).ok().out.split() == [
        "UID", "ROLE", "1", "owner", "2", "administrator", "3", "member"]
    cli("rtc", "kick", 7, 3, "--by", 1).ok()
    assert cli("--json", "rtc", "members", 7).ok().one() == {
        "room_id": 7, "members": [1, 2], "administrators": [2], "owner": 1, "count": 2}
    room = rtm_project.rtc_room(7)
    assert room is not None and room.mic_default and room.voice_range == 10
    assert [(e.kind, e.uids) for e in rtm_project.rtc_events()] == [
        ("command", [3]), ("invite", [8, 9])]
    cli("rtc", "close", 7).ok()
    assert cli("--json", "rtc", "list").ok().one() == {"rooms": []}
    assert cli("rtc", "admin", 7, "promote", 2).code == 2


def test_im_commands(cli: Cli) -> None:
    cli("im", "set-user", 1, "nick=Alice", "bio=a=b").ok()
    assert cli("--json", "im", "users", "1,2").ok().one() == {
        "infos": {"1": {"bio": "a=b", "nick": "Alice"}}}
    out = cli("im", "users", 1, 2).ok()
    assert out.out.split() == ["UID", "KEY", "VALUE", "1", "bio", "a=b", "1", "nick", "Alice"]
    assert out.err == "no IM profile: 2\n"
    cli("im", "create", 10, 1, "name=Ten", "--grant", "password", "--password", "pw").ok()
    assert cli("im", "create", 10, 1).code == 1  # exists: 200034
    cli("im", "set-group", 10, "profile=tenth").ok()
    cli("im", "add", 10, 2, 3).ok()
    assert cli("--json", "group", "members", 10).ok().one()["members"] == [1, 2, 3]
    assert cli("im", "groups", 10).ok().out.split()[3:] == [
        "10", "name", "Ten", "10", "profile", "tenth"]
    assert cli("im", "apply-grant", "group", 10).ok().out == "group 10: password\n"
    cli("im", "apply-grant", "user", 1, "approval").ok()
    assert cli("--json", "im", "apply-grant", "user", 1).ok().one()["grant"] == "approval"
    assert cli("im", "apply-grant", "room", 5, "password").code == 2  # no password
    assert cli("im", "invite-grant", "group", 10).ok().out == (
        "group 10: members may not invite; invitees need approval\n")
    cli("im", "invite-grant", "group", 10, "--invite", "yes", "--manage", "direct").ok()
    assert cli("--json", "im", "invite-grant", "group", 10).ok().one()["invite_type"] == 1
    assert cli("im", "invite-grant", "group", 10, "--invite", "yes").code == 2
    assert cli("im", "create", 11, 1, "--password", "x").code == 2
    assert cli("im", "set-user", 1, "novalue").code == 2
    cli("im", "dismiss", 10).ok()
    assert cli("--json", "im", "groups", 10).ok().one() == {"infos": {}}
