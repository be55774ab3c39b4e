"""How the SDK reads the answers of the content services, RTC and IM-library commands from
servers other than ours (spec §2, §12 #1-#3): tags as strings or ints, ``managers`` instead
of ``administrators``, optional keys absent, malformed answers refused with the key named.
A real FPNN server on a socket answers what each test sets."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from rtm import (
    CheckResult,
    IMInviteGrant,
    MalformedAnswerError,
    ProfanityResult,
    RTCRoomMembers,
    RTMServerClient,
    TextCheckResult,
    TranslatedInfo,
    TranslateResult,
)
from rtm.fpnn.codec import Quest
from rtm.fpnn.server import FPNNServer, ServerConnection

PID, SECRET = 80000071, "answers-test-secret"


class Scripted:
    """An FPNN server answering each method with what the test put in ``answers``."""

    def __init__(self) -> None:
        self.server = FPNNServer()
        self.answers: dict[str, dict[str, Any]] = {}
        for method in ("tcheck", "icheck", "profanity", "getRTCRoomMembers",
                       "imserver_getuserinfos", "imserver_getgroupinfos",
                       "imserver_getinvitegrant", "translate", "speech2text"):
            self.server.register(method, self._handle)

    def _handle(self, conn: ServerConnection, quest: Quest) -> dict[str, Any]:
        return self.answers[quest.method]


@pytest.fixture(scope="module")
def scripted() -> Iterator[Scripted]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> Scripted:
        s = Scripted()
        await s.server.start()
        return s

    s = asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    yield s
    asyncio.run_coroutine_threadsafe(s.server.close(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


@pytest.fixture
def client(scripted: Scripted) -> Iterator[RTMServerClient]:
    with RTMServerClient(PID, SECRET, scripted.server.endpoint, quest_timeout=5) as c:
        yield c


def test_tags_strings_or_ints_and_optional_keys(scripted: Scripted, client: RTMServerClient,
                                                caplog: pytest.LogCaptureFixture) -> None:
    scripted.answers["tcheck"] = {"result": 2, "tags": ["2", 5, b"9", "x"]}
    with caplog.at_level(logging.WARNING, logger="rtm.api"):
        assert client.text_check("t") == TextCheckResult(2, "", [2, 5, 9], [])
    assert "dropped tag 'x'" in caplog.text
    scripted.answers["icheck"] = {"result": 0}
    assert client.image_check("u", 1) == CheckResult(0, [])
    scripted.answers["profanity"] = {"text": "***", "classification": None}
    assert client.profanity("t") == ProfanityResult("***", [])
    assert TranslatedInfo is TranslateResult


def test_rtc_members_from_a_managers_server(scripted: Scripted,
                                            client: RTMServerClient) -> None:
    scripted.answers["getRTCRoomMembers"] = {"uids": [1, 2], "managers": [2], "owner": 1}
    assert client.get_rtc_room_members(5) == RTCRoomMembers([1, 2], [2], 1)
    scripted.answers["getRTCRoomMembers"] = {"uids": [1], "administrators": [1]}
    with pytest.raises(MalformedAnswerError, match="missing key 'owner'"):
        client.get_rtc_room_members(5)


def test_nested_infos_and_grants(scripted: Scripted, client: RTMServerClient) -> None:
    scripted.answers["imserver_getuserinfos"] = {
        "infos": {"7": {"nick": "A", "n": 5, b"lvl": b"3"}, 8: {}}}
    assert client.imserver_get_user_infos([7, 8]) == {7: {"nick": "A", "lvl": "3"}, 8: {}}
    scripted.answers["imserver_getgroupinfos"] = {"infos": {"7": "not a map"}}
    with pytest.raises(MalformedAnswerError, match=r"infos\['7'\]"):
        client.imserver_get_group_infos([7])
    scripted.answers["imserver_getgroupinfos"] = {"infos": {"seven": {}}}
    with pytest.raises(MalformedAnswerError, match="decimal id key"):
        client.imserver_get_group_infos([7])
    scripted.answers["imserver_getinvitegrant"] = {"invite_type": 1, "invite_manage_type": 1}
    assert client.imserver_get_invite_grant(1, 7) == IMInviteGrant(1, 1)
    scripted.answers["translate"] = {"source": "en", "target": "fr", "sourceText": "a"}
    with pytest.raises(MalformedAnswerError, match="missing key 'targetText'"):
        client.translate("a", "en", "fr")
    scripted.answers["speech2text"] = {"text": 5, "lang": "en"}
    with pytest.raises(MalformedAnswerError, match="expected a str"):
        client.speech_to_text("u", 1, "en")
