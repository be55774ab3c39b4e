"""Blacklist: user-level blocks (spec §4.6)."""

from __future__ import annotations

from rtm.api.methods._base import AreaBase


class BlacklistMethods(AreaBase):
    """Blacklist methods."""

