"""Wire cases of the listen area (spec §4.13, §8): uid lists and the flag form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wire_cases import Case

CASES: list[Case] = [
    Case(126, "add_listen", ([200001], [300001], [100002], ["login", "logout"])),
    Case(127, "remove_listen", ([200001], [300001], [100002], ["logout"])),
    Case(128, "set_listen", ([200001], [300001], [], ["login"])),
    Case(129, "set_listen_status", (True, False, True, False)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {}
