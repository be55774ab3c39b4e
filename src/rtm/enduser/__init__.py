"""An end user of RTM, in Python: the client protocol of the official client SDKs
(``rtm-client-api.md``), for bots, load tests and tests of a backend.

:class:`AsyncEndUserClient` (asyncio) and :class:`EndUserClient` (blocking) log in on the
client gate with a token, stay logged in (pings, re-login) and deliver pushes as typed
objects (:mod:`rtm.enduser.pushes`) to an :class:`EndUserMonitor` and to ``next_push()``.
Each command is described once (:mod:`rtm.enduser.commands`); the clients' methods
(:mod:`rtm.enduser.methods`) and the local server's client gate both read that description.
"""

from __future__ import annotations

from rtm.enduser.client import TRANSPORTS, AsyncEndUserClient, EndUserClient
from rtm.enduser.pushes import (
    PUSH_METHODS,
    BroadcastMessage,
    ChatText,
    EndUserMonitor,
    GroupMessage,
    Kickout,
    KickoutRoom,
    MessagePush,
    P2PMessage,
    Push,
    RoomMessage,
)

__all__ = [
    "PUSH_METHODS",
    "TRANSPORTS",
    "AsyncEndUserClient",
    "BroadcastMessage",
    "ChatText",
    "EndUserClient",
    "EndUserMonitor",
    "GroupMessage",
    "Kickout",
    "KickoutRoom",
    "MessagePush",
    "P2PMessage",
    "Push",
    "RoomMessage",
]
