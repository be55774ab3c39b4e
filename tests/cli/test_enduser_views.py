"""``rtm enduser sessions|unread|conversations|friends|history``: what the user's app would
show, read through the client gate after real sends."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from helpers import wait_until
from rtm.client import RTMServerClient
from rtm.enduser import EndUserClient
from rtm.testing import RTMProject

from .conftest import Cli

BIG_MID = 2**60 + 1  # beyond a double's exact integers: a string in --json


def _gate(project: RTMProject) -> list[str]:
    return ["--gate", project.client_endpoint]


def _apart(mtime: int) -> int:
    """``mtime``, once the clock is past it: the next send is strictly newer, so "newest
    first" has one answer."""
    wait_until(lambda: time.time() * 1000 > mtime + 1, timeout=5, what="the next millisecond")
    return mtime


def test_sessions_unread_and_conversations_follow_the_sends(
        cli: Cli, rtm_project: RTMProject, rtm_client: RTMServerClient,
        rtm_blocking_enduser: Callable[..., EndUserClient]) -> None:
    gate = _gate(rtm_project)
    rtm_blocking_enduser(2)  # online elsewhere: the commands' logouts leave the read mark
    rtm_client.add_group_members(5, [2, 3])
    _apart(rtm_client.send_message(2, 4, 30, "mine, oldest"))  # nothing unread in session 4
    rtm_client.send_message(1, 2, 30, "one")
    two = _apart(rtm_client.send_message(1, 2, 31, "two"))
    hey = _apart(rtm_client.send_message(3, 2, 30, "hey"))
    group = rtm_client.send_group_message(3, 5, 30, "group hello", mid=BIG_MID)

    assert cli("--json", "enduser", "sessions", 2, *gate).ok().one() == {
        "uid": 2, "p2p": [1, 3, 4], "groups": [5]}
    text = cli("enduser", "sessions", 2, *gate).ok().out.splitlines()
    assert [line.split() for line in text] == [["TYPE", "ID"], ["p2p", "1"], ["p2p", "3"],
                                               ["p2p", "4"], ["group", "5"]]

    unread = cli("--json", "enduser", "unread", 2, *gate).ok()
    obj = unread.one()
    assert obj["sessions"] == [  # newest first; session 4 holds only the user's own message
        {"type": "group", "id": 5, "unread": 1, "newest": group},
        {"type": "p2p", "id": 3, "unread": 1, "newest": hey},
        {"type": "p2p", "id": 1, "unread": 2, "newest": two}]
    assert (obj["uid"], obj["total"], obj["cleared"]) == (2, 4, False)
    assert "no other session" not in unread.err
    text_run = cli("enduser", "unread", 2, *gate).ok()
    rows = [line.split()[:3] for line in text_run.out.splitlines()]
    assert rows == [["TYPE", "ID", "UNREAD"], ["group", "5", "1"], ["p2p", "3", "1"],
                    ["p2p", "1", "2"]]
    assert "uid 2: 4 unread messages in 3 sessions (last logout: never)" in text_run.err
    only_31 = cli("--json", "enduser", "unread", 2, "--mtypes", 31, *gate).ok().one()
    assert [(s["id"], s["unread"]) for s in only_31["sessions"]] == [(1, 1)]

    conversations = cli("--json", "enduser", "conversations", 2, *gate).ok().one()
    listed = [(c["type"], c["id"], c["unread"], c["last_message"]["message"],
               c["last_message"]["from_uid"]) for c in conversations["conversations"]]
    assert listed == [("group", 5, 1, "group hello", 3), ("p2p", 3, 1, "hey", 3),
                      ("p2p", 1, 2, "two", 1), ("p2p", 4, 0, "mine, oldest", 2)]
    assert conversations["conversations"][0]["last_message"]["mid"] == str(BIG_MID)
    unread_p2p = cli("--json", "enduser", "conversations", 2, "--p2p", "--unread",
                     *gate).ok().one()["conversations"]
    assert [(c["type"], c["id"]) for c in unread_p2p] == [("p2p", 3), ("p2p", 1)]
    groups = cli("--json", "enduser", "conversations", 2, "--group", *gate).ok().one()
    assert [c["id"] for c in groups["conversations"]] == [5]
    table = cli("enduser", "conversations", 2, "--unread", *gate).ok().out.splitlines()
    assert table[0].split() == ["TYPE", "ID", "UNREAD", "TIME", "FROM", "NEWEST", "MESSAGE"]
    assert [line.split()[:3] for line in table[1:]] == [["group", "5", "1"], ["p2p", "3", "1"],
                                                        ["p2p", "1", "2"]]
    assert table[1].endswith("group hello")

    cleared = cli("--json", "enduser", "unread", 2, "--clear", *gate).ok().one()
    assert (cleared["total"], cleared["cleared"]) == (4, True)  # the counts before clearing
    after = cli("--json", "enduser", "unread", 2, *gate).ok().one()
    assert (after["sessions"], after["total"]) == ([], 0)
    quiet = cli("enduser", "conversations", 2, "--unread", *gate).ok()
    assert quiet.out == "" and "uid 2 has no unread conversations" in quiet.err
    still = cli("--json", "enduser", "conversations", 2, *gate).ok().one()["conversations"]
    assert [(c["id"], c["unread"]) for c in still] == [(5, 0), (3, 0), (1, 0), (4, 0)]


def test_a_look_as_an_offline_user_is_its_logout(cli: Cli, rtm_project: RTMProject,
                                                rtm_client: RTMServerClient) -> None:
    gate = _gate(rtm_project)
    rtm_client.send_message(1, 2, 30, "unread until 2 logs out")
    first = cli("--json", "enduser", "unread", 2, *gate).ok()
    assert [(s["id"], s["unread"]) for s in first.one()["sessions"]] == [(1, 1)]
    assert first.err.splitlines()[-1] == (  # and said so
        "uid 2 had no other session: logging out again marked its unread messages read "
        "(1 session), as its app's logout would")
    second = cli("--json", "enduser", "unread", 2, *gate).ok().one()
    assert second["total"] == 0 and second["logout_time"] > 0
    assert "no other session" not in cli("--json", "enduser", "unread", 2, *gate).ok().err
    assert cli("enduser", "sessions", 7, *gate).ok().err == "uid 7 has no sessions\n"


def test_friends_and_blocks(cli: Cli, rtm_project: RTMProject, rtm_client: RTMServerClient
                            ) -> None:
    gate = _gate(rtm_project)
    rtm_client.add_friends(1, [3, 2])
    rtm_client.add_blacks(1, [9])
    assert cli("--json", "enduser", "friends", 1, *gate).ok().one() == {
        "uid": 1, "friends": [2, 3]}
    assert cli("enduser", "friends", 1, *gate).ok().out.split() == ["2", "3"]
    assert cli("--json", "enduser", "friends", 1, "--blacks", *gate).ok().one() == {
        "uid": 1, "blacks": [9]}
    lonely = cli("enduser", "friends", 4, *gate).ok()
    assert lonely.out == "" and "uid 4 has no friends" in lonely.err


def test_history_as_the_user_reads_it(cli: Cli, rtm_project: RTMProject,
                                      rtm_client: RTMServerClient) -> None:
    gate = _gate(rtm_project)
    for i in range(3):
        rtm_client.send_message(1, 2, 30, f"p2p {i}")
    rtm_client.send_message(2, 1, 30, "reply")
    page = cli("--json", "enduser", "history", "p2p", 2, 1, "--desc", "--num", 2,
               *gate).ok().one()
    assert [(m["from_uid"], m["message"]) for m in page["messages"]] == [
        (2, "reply"), (1, "p2p 2")]  # newest first, each with its real sender
    every = cli("--json", "enduser", "history", "p2p", 2, 1, "--all", "--num", 2, *gate).ok()
    assert [m["message"] for m in every.json()] == ["p2p 0", "p2p 1", "p2p 2", "reply"]
    text = cli("enduser", "history", "p2p", 2, 1, "--num", 2, *gate).ok()
    assert "p2p 0" in text.out and "p2p 1" in text.out and "reply" not in text.out
    assert re.search(r"more may follow: rtm enduser history p2p 2 1 --lastid \d+", text.err)

    rtm_client.add_group_members(5, [1])
    rtm_client.send_group_message(1, 5, 30, "members only")
    refused = cli("enduser", "history", "group", 2, 5, *gate)  # 2 is not a member
    assert refused.code == 1 and refused.out == ""
    rtm_client.add_group_members(5, [2])
    group = cli("--json", "enduser", "history", "group", 2, 5, *gate).ok().one()
    assert [m["message"] for m in group["messages"]] == ["members only"]

    rtm_client.add_room_member(7, 1)
    rtm_client.send_room_message(1, 7, 30, "in the room")
    room = cli("--json", "enduser", "history", "room", 2, 7, *gate).ok().one()
    assert [m["message"] for m in room["messages"]] == ["in the room"]  # entered first
    rtm_client.send_broadcast_message(1, 30, "to everybody")
    broadcast: Any = cli("--json", "enduser", "history", "broadcast", 2, *gate).ok().one()
    assert [m["message"] for m in broadcast["messages"]] == ["to everybody"]


def test_unread_asks_for_more_sessions_than_one_quest_takes(
        cli: Cli, rtm_project: RTMProject, rtm_client: RTMServerClient) -> None:
    senders = range(100, 205)  # 105 sessions: two getp2punread quests of at most 100 ids
    for uid in senders:
        rtm_client.send_message(uid, 2, 30, f"from {uid}")
    token = rtm_client.get_token(2)
    run = cli("--json", "enduser", "unread", 2, "--token", token, *_gate(rtm_project)).ok()
    obj = run.one()
    assert sorted(s["id"] for s in obj["sessions"]) == list(senders)
    assert obj["total"] == len(senders) and run.err == ""  # --token: no online check, no note
    refused = cli("enduser", "unread", 2, "--token", "WRONG", *_gate(rtm_project))
    assert refused.code == 1 and "refused the token of uid 2" in refused.err
