"""``rtm demo`` / ``make demo``: a guided tour against a local RTM server it starts itself.

Users, a group and a room are set up; messages of every kind are sent; a monitor prints the
pushes the server connection receives; end users log in with tokens, one over WebSocket as a
browser app would and one over TCP as a mobile app would, and chat, receiving typed pushes;
history is read back page by page; a ban is enforced; a file is sent.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from rtm import AsyncRTMServerClient, BannedInGroupError, MessageType, RTMServerMonitor
from rtm.enduser import AsyncEndUserClient, ChatText, MessagePush, Push
from rtm.server import RTMServer, ServerConfig, console

ALICE, BOB, CAROL, DANA = 1001, 1002, 1003, 1004
GROUP, ROOM = 501, 601
CHAT = 30  # mtype for text chat


def step(text: str) -> None:
    print(f"\n== {text}")


def say(text: str) -> None:
    print(f"   {text}")


class PrintingMonitor(RTMServerMonitor):
    """Prints every push the server connection receives."""

    def __init__(self) -> None:
        self.received = 0

    async def p2p_message(self, from_uid: int, to_uid: int, mtype: int, mid: int,
                          message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self.received += 1
        say(f"[monitor] P2P {from_uid} -> {to_uid}: {message!r}")

    async def group_message(self, from_uid: int, group_id: int, mtype: int, mid: int,
                            message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self.received += 1
        say(f"[monitor] group {group_id} from {from_uid}: {message!r}")

    async def room_message(self, from_uid: int, room_id: int, mtype: int, mid: int,
                           message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self.received += 1
        say(f"[monitor] room {room_id} from {from_uid}: {message!r}")

    async def event(self, pid: int, event: str, uid: int, time: int, endpoint: str,
                    data: str) -> None:
        self.received += 1
        say(f"[monitor] event {event!r}: uid {uid} from {endpoint}")


async def run() -> int:
    config = ServerConfig(port=0, client_port=0, file_port=0, db=":memory:",
                          console_port=0 if console.available() else None)
    async with RTMServer(config) as server:
        pid, secret = next(iter(server.projects.items()))
        step("Local RTM server started")
        say(f"server API {server.endpoint} | client gate {server.client_endpoint} | "
            f"file gate {server.file_endpoint} | project {pid}")
        if server.console_url is not None:
            say(f"web console: {server.console_url} (open it while the demo runs; "
                f"`rtm server` serves one too)")
        else:
            say(f"web console: not available, it needs aiohttp ({console.INSTALL_HINT})")

        monitor = PrintingMonitor()
        async with AsyncRTMServerClient(pid, secret, server.endpoint, monitor=monitor) as rtm:
            await demo(rtm, server, monitor)
    step("Done: every step succeeded")
    return 0


async def demo(rtm: AsyncRTMServerClient, server: RTMServer, monitor: PrintingMonitor) -> None:
    step("Set up users, friends, a group and a room")
    await rtm.add_friends(ALICE, [BOB, CAROL])
    await rtm.add_group_members(GROUP, [ALICE, BOB, CAROL])
    await rtm.add_room_member(ROOM, ALICE)
    await rtm.add_room_member(ROOM, BOB)
    say(f"friends of Alice: {await rtm.get_friends(ALICE)}")
    say(f"members of group {GROUP}: {await rtm.get_group_members(GROUP)}")

    step("Listen to P2P, group and room messages and to login/logout events")
    await rtm.set_listen([GROUP], [ROOM], True, ["login", "logout"])

    step("Bob logs in as an end user with a token from get_token()")
    token = await rtm.get_token(BOB)
    say(f"token for Bob: {token}")
    bob = AsyncEndUserClient(server.client_endpoint, server_pid(server), BOB, token,
                             version="demo-app")
    say(f"login accepted: {await bob.login()} (over {bob.transport})")
    say(f"online among Alice/Bob/Carol: {await rtm.get_online_users([ALICE, BOB, CAROL])}")

    step("Send one message of every kind")
    mid = 7_000_001
    mtime = await rtm.send_message(ALICE, BOB, CHAT, "Hi Bob!", mid=mid)
    say(f"P2P Alice -> Bob stored at mtime {mtime} (mid {mid})")
    push = await bob.next_push()
    say(f"[Bob's app] received {describe(push)}")
    await rtm.send_messages(ALICE, [BOB, CAROL], CHAT, "Hello both")
    await rtm.send_group_message(BOB, GROUP, CHAT, "Hello group")
    await rtm.send_room_message(ALICE, ROOM, CHAT, "Hello room")
    await rtm.send_broadcast_message(ALICE, CHAT, "Server maintenance at noon")
    for _ in range(3):  # multi, room and broadcast (Bob sent the group message himself)
        push = await bob.next_push()
        say(f"[Bob's app] received {describe(push)}")
    await asyncio.sleep(0.2)  # let the monitor print what the server pushed to us

    await end_users_chat(rtm, server, bob)

    step("Read the Alice/Bob conversation back, two messages per page")
    for i in range(4):
        await rtm.send_message(BOB, ALICE, CHAT, f"reply #{i}")
    lastid, page = 0, 1
    while True:
        result = await rtm.get_p2p_message(ALICE, BOB, False, 2, 0, 0, lastid)
        for m in result.messages:
            say(f"page {page}: #{m.id} {m.from_uid} -> {m.message!r}")
        if result.num < 2:
            break
        lastid, page = result.lastid, page + 1

    step("Delete the first message (it stays in history, flagged deleted)")
    await rtm.del_message(mid, ALICE, BOB, MessageType.P2P)
    first = (await rtm.get_p2p_message(ALICE, BOB, False, 1, 0, 0, 0)).messages[0]
    say(f"message {first.mid}: deleted={first.deleted}")

    step("Ban Carol in the group for 60 s: her group messages are refused")
    await rtm.add_group_ban(GROUP, CAROL, 60)
    say(f"is Carol banned? {await rtm.is_ban_of_group(GROUP, CAROL)}")
    try:
        await rtm.send_group_message(CAROL, GROUP, CHAT, "can I speak?")
    except BannedInGroupError as exc:
        say(f"refused as expected: {exc}")
    await rtm.remove_group_ban(GROUP, CAROL)
    await rtm.send_group_message(CAROL, GROUP, CHAT, "thanks for unbanning me")
    say("after remove_group_ban Carol can speak again")

    step("Send a file to Bob through the file gate")
    content = b"quarterly numbers: 42\n" * 100
    mtime = await rtm.send_file(ALICE, BOB, content, "report.txt")
    push = await next_of(bob, "pushmsg")
    assert isinstance(push, MessagePush)
    file = push.file
    say(f"file of {len(content)} bytes delivered at {mtime}; Bob gets a file message: "
        f"{file.url if file else push.message!r} ({file.size if file else '?'} bytes)")

    step("Kick Bob out: his connection is closed and a logout event is pushed")
    await rtm.kickout(BOB)
    push = await next_of(bob, "kickout")
    say(f"[Bob's app] received {push.method}: kicked out, it does not log in again")
    await bob.close()
    await asyncio.sleep(0.2)
    say(f"online now: {await rtm.get_online_users([ALICE, BOB, CAROL])}")
    say(f"the monitor received {monitor.received} pushes in total")


async def end_users_chat(rtm: AsyncRTMServerClient, server: RTMServer,
                         bob: AsyncEndUserClient) -> None:
    step("Two end users chat: Dana in a browser (WebSocket), Bob in a mobile app (TCP)")
    token = await rtm.get_token(DANA)
    dana = web_user(server, DANA, token)
    if dana.transport != "ws":
        say("(this build has no WebSocket transport: Dana logs in over TCP too)")
    say(f"Dana logs in over {dana.transport}: {await dana.login()}")
    try:
        await dana.send_message(BOB, CHAT, "Hi Bob, I am in a browser")
        say(f"[Bob's app] received {describe(await bob.next_push())}")
        await bob.send_message(DANA, CHAT, "Hi Dana, I am on my phone")
        say(f"[Dana's browser] received {describe(await dana.next_push())}")
    finally:
        await dana.close()


def web_user(server: RTMServer, uid: int, token: str) -> AsyncEndUserClient:
    """An end user over WebSocket, as the web SDK connects (TCP where the build has no
    WebSocket transport): the transport is the only argument that differs."""
    for transport in ("ws", "tcp"):
        try:
            return AsyncEndUserClient(server.client_endpoint, server_pid(server), uid, token,
                                      transport=transport,
                                      version="demo-web")
        except (ValueError, ImportError):
            continue
    raise AssertionError("unreachable: TCP is always available")


def describe(push: Push) -> str:
    """One line for a typed push."""
    if not isinstance(push, MessagePush):
        return push.method
    text = push.text if isinstance(push.message, (str, ChatText)) else f"<{len(push.message)} " \
        "bytes>"
    return f"{push.method} from {push.from_uid}: {text!r}"


def server_pid(server: RTMServer) -> int:
    return next(iter(server.projects))


async def next_of(user: AsyncEndUserClient, method: str) -> Any:
    """Skip pushes until one of ``method`` (earlier ones were printed already)."""
    while True:
        push = await user.next_push()
        if push.method == method:
            return push


def main() -> int:
    try:
        return asyncio.run(run())
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
