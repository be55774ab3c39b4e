"""docs/api.md, "When a listener reconnects": what is not pushed after a drop, and its
catch-up pattern (run from the page) delivering every message exactly once."""

from __future__ import annotations

import queue
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from helpers import drop_server_connections, wait_until
from rtm import RTMServerClient, RTMServerMonitor
from rtm.testing import RTMProject

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"


class Pushes(RTMServerMonitor):
    def __init__(self) -> None:
        self.got: queue.Queue[str] = queue.Queue()

    def group_message(self, from_uid: int, group_id: int, mtype: int, mid: int,
                      message: Any, attrs: Any, mtime: int) -> None:
        self.got.put(message)


def _client(project: RTMProject, **kw: Any) -> RTMServerClient:
    return RTMServerClient(project.pid, project.secret, project.endpoint, **kw)


def test_nothing_is_queued_for_a_listener_that_is_away(rtm_project: RTMProject,
                                                       rtm_client: RTMServerClient) -> None:
    rtm_client.add_group_members(10, [1])
    monitor = Pushes()
    with _client(rtm_project, monitor=monitor) as first:
        first.add_listen([10], [], False, [])
        rtm_client.send_group_message(1, 10, 30, "while listening")
        assert monitor.got.get(timeout=10) == "while listening"
    rtm_client.send_group_message(1, 10, 30, "while away")  # stored, pushed to nobody
    with _client(rtm_project, monitor=monitor) as second:
        second.add_listen([10], [], False, [])
        rtm_client.send_group_message(1, 10, 30, "after the return")
        assert monitor.got.get(timeout=10) == "after the return"
    assert monitor.got.empty()
    history = [m.message for m in rtm_client.get_group_message(10, False, 10, 0, 0, 0).messages]
    assert history == ["while listening", "while away", "after the return"]


def _doc_block() -> str:
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", API_MD.read_text(), re.S)
                if "class GroupFeed" in b]
    return block


def test_the_documented_catch_up_delivers_each_message_once(
        rtm_project: RTMProject, rtm_client: RTMServerClient, rtm_server: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    rtm_client.add_group_members(10, [1])
    listener = _client(rtm_project)
    try:
        namespace: dict[str, Any] = {"client": listener, "group_id": 10}
        exec(compile(_doc_block(), "docs/api.md (GroupFeed)", "exec"), namespace)
        feed = namespace["feed"]
        rtm_client.send_group_message(1, 10, 30, "before the drop")
        wait_until(lambda: len(feed.delivered) == 1, 10, "the first push")
        connected = listener.connected
        assert connected
        drop_server_connections(rtm_server)  # the server goes away for a moment
        with _client(rtm_project) as sender:  # a connection of its own, made after the drop
            for n in range(5):  # sent while the listener reconnects: pushed or not
                sender.send_group_message(1, 10, 30, f"during the drop {n}")
            wait_until(lambda: len(feed.delivered) == 6, 20,
                       "every message, pushed or caught up")
            sender.send_group_message(1, 10, 30, "after the return")
            wait_until(lambda: len(feed.delivered) == 7, 20, "the push after the return")
        wait_until(lambda: not any(t.name.endswith("(catch_up)") and t.is_alive()
                                   for t in threading.enumerate()), 20,
                   "the catch-up to finish before the client closes")
    finally:
        listener.close()
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("group 10")]
    expected = ["before the drop", *(f"during the drop {n}" for n in range(5)),
                "after the return"]
    assert sorted(ln.split(": ", 1)[1] for ln in lines) == sorted(expected)  # each once
