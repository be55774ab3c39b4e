"""Wire cases of the files area (spec §4.4, §5): each file send is ``filetoken`` plus the
file-gate quest with the current nested attrs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rtm import AudioInfo
from wire_cases import Case

FILE = b"hello file content"
UIDS = [100002, 100003]

CASES: list[Case] = [
    Case(59, "send_file", (100001, 100002, FILE, "demo.txt")),
    Case(61, "send_files", (100001, UIDS, FILE, "demo.txt")),
    Case(63, "send_group_file", (100001, 200001, FILE, "demo.txt")),
    Case(65, "send_room_file", (100001, 300001, FILE, "demo.txt")),
    Case(67, "send_broadcast_file", (100001, FILE, "demo.txt")),
    Case(150, "send_file", (100001, 100002, FILE, "voice"),
         {"mtype": 41, "extension": "amr", "attrs": '{"k":"v"}',
          "audio_info": AudioInfo("amr-wb", 16000, "en", 3000)}),
    Case(152, "send_group_file", (100001, 200001, FILE, "photo"),
         {"mtype": 40, "extension": "png", "attrs": "custom-not-json"}),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    method: lambda: {"mtime": 1796116950016}
    for method in ("sendfile", "sendfiles", "sendgroupfile", "sendroomfile", "broadcastfile")
}
