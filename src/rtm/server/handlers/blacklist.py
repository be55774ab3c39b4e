"""Blacklist: user-level blocks (spec §4.6)."""

from __future__ import annotations

from rtm.server.handlers.base import HandlerBase


class BlacklistHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = ()
