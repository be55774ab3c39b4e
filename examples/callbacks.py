"""Callback style (like the Go SDK's ``callback`` argument): the call returns at once and
the callback runs later on an SDK worker thread with ``(result, error_code, error_info)``,
or ``(error_code, error_info)`` for methods without a result; code 0 means success.
"""

import os
import threading

from rtm import RTMServerClient

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")


def main() -> None:
    results: list[str] = []
    all_done = threading.Semaphore(0)

    def on_sent(mtime: int, code: int, info: str) -> None:
        results.append(f"sent: mtime={mtime}" if code == 0 else f"send failed: {code} {info}")
        all_done.release()

    def on_group_sent(mtime: int, code: int, info: str) -> None:
        results.append(f"group send: error {code} {info}")
        all_done.release()

    def on_friends(code: int, info: str) -> None:  # no result: (code, info) only
        results.append(f"add friends: code {code}")
        all_done.release()

    with RTMServerClient(PID, SECRET, ENDPOINT) as client:
        client.send_message(1, 2, 30, "hello", callback=on_sent)  # returns 0 at once
        # User 1 is not in group 999: the callback receives code 200041.
        client.send_group_message(1, 999, 30, "hello?", callback=on_group_sent)
        client.add_friends(1, [2], callback=on_friends)
        for _ in range(3):
            if not all_done.acquire(timeout=10):
                raise SystemExit("a callback did not arrive within 10 s")
    for line in sorted(results):
        print(line)


if __name__ == "__main__":
    main()
