"""Read a whole conversation: ``iter_room_messages`` (and ``iter_p2p_messages``,
``iter_group_messages``, ``iter_broadcast_messages``; ``aiter_*`` on the asyncio client)
yields every message, fetching one page (at most 20 messages) per request as you go.
Paging by hand works too: pass a page's ``lastid``/``begin``/``end`` back for the next one.
"""

import os

from rtm import RTMServerClient

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")

ROOM = 4242


def main() -> None:
    with RTMServerClient(PID, SECRET, ENDPOINT) as client:
        client.add_room_member(ROOM, 1)
        before = sum(1 for _ in client.iter_room_messages(ROOM))
        for i in range(45):
            client.send_room_chat(1, ROOM, f"message {i}")
        client.send_room_cmd(1, ROOM, "typing")

        # oldest first, 20 per request: 3 requests for 46 messages
        messages = list(client.iter_room_messages(ROOM, desc=False))
        assert len(messages) == before + 46, len(messages)
        print(f"{len(messages)} messages in room {ROOM}, read 20 at a time")

        # newest first (the default), only chat text (mtype 30)
        newest = next(client.iter_room_messages(ROOM, mtypes=[30]))
        print("newest chat:", newest.message)

        # one page by hand: defaults are desc=True, num=20, no time bounds, first page
        page = client.get_room_message(ROOM, num=5)
        older = client.get_room_message(ROOM, True, 5, page.begin, page.end, page.lastid)
        print("page 1 ends at", page.messages[-1].message, "- page 2 starts at",
              older.messages[0].message)


if __name__ == "__main__":
    main()
