"""Page through a whole conversation: pass ``lastid``/``begin``/``end`` of each page back to
get the next one, until a page comes back empty. ``num`` is at most 20 per call.
"""

import os

from rtm import RTMServerClient

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")

ROOM = 4242


def all_room_messages(client, room_id, newest_first=False, page_size=20):
    """Yield every message of a room, one page (one request) at a time."""
    lastid, begin, end = 0, 0, 0
    while True:
        page = client.get_room_message(room_id, newest_first, page_size, begin, end, lastid)
        yield from page.messages
        if page.num == 0:
            return
        lastid, begin, end = page.lastid, page.begin, page.end


def main() -> None:
    with RTMServerClient(PID, SECRET, ENDPOINT) as client:
        client.add_room_member(ROOM, 1)
        before = sum(1 for _ in all_room_messages(client, ROOM))
        for i in range(45):
            client.send_room_message(1, ROOM, 30, f"message {i}")
        messages = list(all_room_messages(client, ROOM, page_size=20))
        assert len(messages) == before + 45, len(messages)
        print(f"{len(messages)} messages in room {ROOM}, read 20 at a time")
        newest = next(all_room_messages(client, ROOM, newest_first=True, page_size=5))
        print("newest:", newest.message)


if __name__ == "__main__":
    main()
