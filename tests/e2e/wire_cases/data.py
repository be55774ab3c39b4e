"""Wire cases of the data store area (spec current §4.11)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

CASES: list[Case] = [
    Case(118, "set_data", (100001, "key1", "value1")),
    Case(119, "get_data", (100001, "key1")),
    Case(120, "del_data", (100001, "key1")),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "dataget": lambda: {"val": "value1"},
}
