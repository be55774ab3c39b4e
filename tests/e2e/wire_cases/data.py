"""Wire cases of the data area (spec §4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

CASES: list[Case] = []

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {}
