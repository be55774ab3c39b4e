"""Receive what the server pushes: subclass RTMServerMonitor, then choose what to listen to
with ``add_listen`` / ``set_listen``. Monitor methods run on an SDK worker thread, in order.
"""

import os
import queue

from rtm import RTMServerClient, RTMServerMonitor

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")


class Monitor(RTMServerMonitor):
    def __init__(self) -> None:
        self.received: queue.Queue[str] = queue.Queue()

    def p2p_message(self, from_uid, to_uid, mtype, mid, message, attrs, mtime):
        self.received.put(f"P2P {from_uid} -> {to_uid}: {message}")

    def group_message(self, from_uid, group_id, mtype, mid, message, attrs, mtime):
        self.received.put(f"group {group_id}, from {from_uid}: {message}")

    def room_message(self, from_uid, room_id, mtype, mid, message, attrs, mtime):
        self.received.put(f"room {room_id}, from {from_uid}: {message}")

    def event(self, pid, event, uid, time, endpoint, data):
        self.received.put(f"event {event}: uid {uid}")


def main() -> None:
    monitor = Monitor()
    with RTMServerClient(PID, SECRET, ENDPOINT) as client:
        client.set_monitor(monitor)
        # All P2P messages, group 800, and login/logout events; room messages are not asked for.
        client.add_listen([800], [], True, ["login", "logout"])
        client.add_group_members(800, [1])
        client.add_room_member(900, 1)

        client.send_message(1, 2, 30, "ping")
        client.send_room_message(1, 900, 30, "not listened to")
        client.send_group_message(1, 800, 30, "hello group")
        for _ in range(2):
            print(monitor.received.get(timeout=5))


if __name__ == "__main__":
    main()
