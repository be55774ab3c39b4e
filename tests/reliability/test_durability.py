"""Durability (issue item 4): concurrent writers, the server SIGKILLed at random moments;
after each restart every acknowledged message is in history, whole, and every 3-recipient
send is all-or-nothing. (tests/server/test_process.py has the single-kill version.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from scenarios import durability

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX signals")


def test_acknowledged_messages_survive_random_sigkills(tmp_path: Path) -> None:
    fig = durability(tmp_path, kills=3, writers=4, seed=11)
    print(f"durability: {fig['acknowledged']} acknowledged, {fig['found_after_restarts']} "
          f"found after {fig['kills']} SIGKILLs")
    assert fig["acknowledged"] > 1000, fig
    assert fig["lost_acknowledged"] == 0, fig
    assert fig["partial_multi_sends"] == 0, fig
    assert fig["corrupt_messages"] == 0, fig
    assert fig["found_after_restarts"] >= fig["acknowledged"], fig
    # every round really killed the server under load
    assert all(r["acked_so_far"] > 0 for r in fig["rounds"]), fig
