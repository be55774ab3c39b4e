"""IM library (spec §4.16)."""

from __future__ import annotations

from rtm.api.methods._base import AreaBase


class IMLibMethods(AreaBase):
    """IM library methods."""

