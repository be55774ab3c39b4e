"""Blocking client basics: users, a group, every kind of message, errors.

Run a local server first (``rtm server``), then ``python examples/sync_basic.py``.
RTM_ENDPOINT / RTM_PID / RTM_SECRET select another server or project.
"""

import os

from rtm import NotGroupMemberError, RTMError, RTMServerClient

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")

ALICE, BOB, CAROL = 101, 102, 103
TEAM = 500  # a group id
CHAT = 30  # mtype: your own message types, 1..127


def main() -> None:
    with RTMServerClient(PID, SECRET, ENDPOINT) as client:
        # Relations: friends, groups (created by adding members), rooms.
        client.add_friends(ALICE, [BOB, CAROL])
        client.add_group_members(TEAM, [ALICE, BOB])
        client.add_room_member(700, ALICE)
        print("friends of Alice:", client.get_friends(ALICE))
        print("team members:", client.get_group_members(TEAM))

        # Every send returns the server time (ms) at which the message was stored.
        mtime = client.send_message(ALICE, BOB, CHAT, "Hi Bob!", attrs='{"lang": "en"}')
        client.send_messages(ALICE, [BOB, CAROL], CHAT, "Hello both")
        client.send_group_message(ALICE, TEAM, CHAT, "Hello team")
        client.send_room_message(ALICE, 700, CHAT, "Hello room")
        client.send_broadcast_message(ALICE, CHAT, "Hello everybody")
        print("first message stored at", mtime)

        # The newest three messages of the Alice/Bob conversation.
        result = client.get_p2p_message(ALICE, BOB, True, 3, 0, 0, 0)
        for m in result.messages:
            print(f"  #{m.id} from {m.from_uid}: {m.message}")

        # Server refusals are exceptions carrying the RTM error code.
        try:
            client.send_group_message(CAROL, TEAM, CHAT, "am I in?")
        except NotGroupMemberError as exc:
            print("refused:", exc.code, exc.message)
        except RTMError as exc:  # the root of every error of a failed call
            raise SystemExit(f"unexpected error: {exc}") from exc


if __name__ == "__main__":
    main()
