"""Content services (spec §4.14, §11.1-§11.4)."""

from __future__ import annotations

from rtm.server.handlers.base import HandlerBase


class ServicesHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = ()
