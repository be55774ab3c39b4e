"""CLI: users, data, blocks, bans (rtm user, rtm data, rtm block, rtm ban project, ...)."""

from __future__ import annotations

from typing import Any


def register(tree: Any, top: Any) -> None:
    """Add this area's subcommands (none yet)."""
