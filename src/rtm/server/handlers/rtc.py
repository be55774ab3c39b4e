"""RTC rooms (spec §4.15, §11.8)."""

from __future__ import annotations

from rtm.server.handlers.base import HandlerBase


class RTCHandlers(HandlerBase):
    COMMANDS: tuple[str, ...] = ()
