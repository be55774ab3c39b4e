"""Subcommands of the ``rtm`` CLI added per API area.

Each module has ``register(tree, top)``: ``tree`` is the parser's ``_Tree`` helper (``group`` and
``leaf`` declare subcommands with uniform help and examples), ``top`` the top-level subparsers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rtm._cli.areas import enduser, imlib, messages, rtc, services, users

__all__ = ["REGISTER"]

#: Called in this order by ``build_parser``.
REGISTER: tuple[Callable[[Any, Any], None], ...] = (
    messages.register,
    users.register,
    services.register,
    rtc.register,
    imlib.register,
    enduser.register,
)
