"""Send files: the SDK asks the server for a file token, then uploads to the file gate.
Receivers get a file message (mtype 40 image, 41 audio, 42 video, 50 file): its ``msg`` is
JSON with the download ``url``, and the SDK parses it into ``file_info``.
"""

import os
import urllib.request
from pathlib import Path

from rtm import AudioInfo, RTMServerClient

ENDPOINT = os.environ.get("RTM_ENDPOINT", "127.0.0.1:13315")
PID = int(os.environ.get("RTM_PID", "1000001"))
SECRET = os.environ.get("RTM_SECRET", "rtm-local-dev-secret")


def main() -> None:
    report = Path(__file__).with_name("files.py")  # any file will do: send this script
    content = report.read_bytes()
    with RTMServerClient(PID, SECRET, ENDPOINT) as client:
        client.add_group_members(600, [1, 2])
        mtime = client.send_file(1, 2, content, report.name, attrs='{"topic": "demo"}')
        print(f"sent {report.name} ({len(content)} bytes) to user 2 at {mtime}")
        client.send_files(1, [2, 3], content, "report.txt")
        client.send_group_file(1, 600, b"\x89PNG fake image", "photo.png", mtype=40)
        client.send_file(1, 3, b"#!AMR-WB\n...", "hello.amr", mtype=41,
                         audio_info=AudioInfo("amr-wb", 16000, "en", 1200))

        # The file message as stored in history: file_info says where to download it.
        message = client.get_p2p_message(1, 2, num=1).messages[0]
        info = message.file_info
        assert info is not None
        print("mtype", message.mtype, "url", info.url, "size", info.size,
              "custom attrs", info.custom_attrs)
        with urllib.request.urlopen(info.url, timeout=10) as response:
            assert response.read() == content
        print("downloaded", info.size, "bytes from", info.url)

        audio = client.get_p2p_message(1, 3, num=1).messages[0].file_info
        assert audio is not None and audio.is_rtm_audio
        print("audio:", audio.codec, audio.lang, audio.duration, "ms")


if __name__ == "__main__":
    main()
