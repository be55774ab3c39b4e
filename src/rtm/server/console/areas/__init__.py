"""One module per kind of state; importing this package registers their pages, panels and
actions in :data:`rtm.server.console.panels.REGISTRY` (order of the navigation: ``order``)."""

from __future__ import annotations

from rtm.server.console.areas import (
    clientstate,
    devices,
    files,
    friends,
    groups,
    imlib,
    infos,
    listeners,
    live,
    messages,
    projectblack,
    rooms,
    rtc,
    services,
    users,
    userstate,
)

__all__ = ["clientstate", "devices", "files", "friends", "groups", "imlib", "infos",
           "listeners", "live", "messages", "projectblack", "rooms", "rtc", "services", "users",
           "userstate"]
