"""Content services (spec §4.14): translation, profanity, speech, checks."""

from __future__ import annotations

from rtm.api.methods._base import AreaBase


class ServicesMethods(AreaBase):
    """Content services methods."""

