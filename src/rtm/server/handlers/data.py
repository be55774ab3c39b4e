"""Data store (spec §4.11)."""

from __future__ import annotations

from rtm.server.handlers.base import HandlerBase


class DataHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = ()
