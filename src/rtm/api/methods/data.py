"""Data store (spec §4.11)."""

from __future__ import annotations

from rtm.api.methods._base import AreaBase


class DataMethods(AreaBase):
    """Data store methods."""

