"""IM library (spec §4.16, §11.9)."""

from __future__ import annotations

from rtm.server.handlers.base import HandlerBase


class IMLibHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = ()
