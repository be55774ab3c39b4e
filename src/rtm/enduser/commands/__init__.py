"""The client protocol's commands, one module per area of ``rtm-client-api.md`` §2-§4.

Each area module lists its :class:`~rtm.enduser.spec.Command` descriptions in ``COMMANDS``;
:data:`COMMANDS` maps every wire method to its description. The end-user client builds its
quests from them and the client gate reads its params with them.
"""

from __future__ import annotations

from rtm.enduser.commands import (
    data,
    files,
    friends,
    groups,
    history,
    imclient,
    messages,
    rooms,
    services,
    session,
    system,
    unread,
    users,
)
from rtm.enduser.spec import Command

__all__ = ["AREAS", "COMMANDS"]

#: The area modules, in spec order.
AREAS = (session, messages, history, unread, files, friends, groups, rooms, users, data, system,
         services, imclient)

COMMANDS: dict[str, Command] = {
    command.method: command for area in AREAS for command in area.COMMANDS
}
