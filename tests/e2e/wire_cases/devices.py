"""Wire cases of the devices and push options area (spec current §4.12)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rtm import PushOptionType
from wire_cases import Case

CASES: list[Case] = [
    Case(121, "add_device", (100001, "apns", "device-token-1")),
    Case(122, "remove_device", (100001, "device-token-1")),
    Case(123, "add_device_push_option", (100001, PushOptionType.P2P, 100002, [30, 32])),
    Case(124, "remove_device_push_option", (100001, PushOptionType.GROUP, 200001)),
    Case(125, "get_device_push_option", (100001,)),
]

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    "getoption": lambda: {"p2p": {"100002": [30, 32]}, "group": {"200001": []}},
}
