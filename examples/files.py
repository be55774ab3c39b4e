"""Send files: the SDK asks the server for a file token, then uploads to the file gate.
The receivers get a message of mtype 50 (by default) pointing at the stored file.
"""

import json
import os
from pathlib import Path

from rtm import RTMServerClient

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")


def main() -> None:
    report = Path(__file__).with_name("files.py")  # any file will do: send this script
    content = report.read_bytes()
    with RTMServerClient(PID, SECRET, ENDPOINT) as client:
        client.add_group_members(600, [1, 2])
        mtime = client.send_file(1, 2, content, report.name)
        print(f"sent {report.name} ({len(content)} bytes) to user 2 at {mtime}")
        client.send_files(1, [2, 3], content, "report.txt")
        client.send_group_file(1, 600, b"a,b\n1,2\n", "table.csv", mtype=51)

        # The file message as stored in history: attrs describe the file.
        page = client.get_p2p_message(1, 2, True, 1, 0, 0, 0)
        message = page.messages[0]
        print("mtype", message.mtype, "url", message.message)
        print("attrs", json.loads(message.attrs))


if __name__ == "__main__":
    main()
