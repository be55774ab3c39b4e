"""RTC rooms (spec §4.15)."""

from __future__ import annotations

from rtm.api.methods._base import AreaBase


class RTCMethods(AreaBase):
    """RTC rooms methods."""

