"""docs/mapping.md: every wire command of the current generation has a row, and every method
the row names as ours exists on both clients."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rtm import AsyncRTMServerClient, RTMServerClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from wire_cases import AREA_OF  # noqa: E402

ROW = re.compile(r"^\| `([A-Za-z0-9_]+)`[^|]*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$")
#: words in backquotes that are not methods: a type, a result field, a wire key
NOT_METHODS = {"bytes", "file_info", "ce"}


def rows() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "docs" / "mapping.md").read_text().splitlines():
        match = ROW.match(line.replace("\\|", "/"))
        if match:
            found.setdefault(match.group(1), "")
            found[match.group(1)] += match.group(4)
    return found


def test_every_wire_command_has_a_row() -> None:
    assert set(rows()) >= set(AREA_OF)


def test_every_named_method_exists() -> None:
    for wire, ours in rows().items():
        names = [n for n in re.findall(r"`([a-z_][a-z0-9_]*)`", ours) if n not in NOT_METHODS]
        assert names, f"{wire}: no method of ours named"
        # the first is the API method, on both clients; the others may be one client's
        # helpers (iter_* on the blocking client, aiter_* on the asyncio one)
        assert callable(getattr(RTMServerClient, names[0], None)), (wire, names[0])
        assert callable(getattr(AsyncRTMServerClient, names[0], None)), (wire, names[0])
        for name in names[1:]:
            assert callable(getattr(RTMServerClient, name, None)
                            or getattr(AsyncRTMServerClient, name, None)), (wire, name)
