"""CLI: content services (rtm translate, rtm profanity, rtm check ..., rtm speech)."""

from __future__ import annotations

from typing import Any


def register(tree: Any, top: Any) -> None:
    """Add this area's subcommands (none yet)."""
