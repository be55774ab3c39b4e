"""An end user of RTM, in Python: the client protocol of the official client SDKs
(``rtm-client-api.md``), for bots, load tests and tests of a backend.

Each command is described once (:mod:`rtm.enduser.commands`); the client's methods
(:mod:`rtm.enduser.methods`) and the local server's client gate both read that description.
"""

from __future__ import annotations

from rtm.enduser.client import PUSH_METHODS, AsyncEndUserClient, Push

__all__ = ["PUSH_METHODS", "AsyncEndUserClient", "Push"]
