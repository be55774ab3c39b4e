"""Handlers of the server gate, one mixin per API area of spec §4.

Each area lists the wire commands it answers in ``COMMANDS``; the handler of a command is the
method of the same name, ``async def cmd(self, conn, params, pid) -> answer``.
"""

from __future__ import annotations

from rtm.server.handlers.admin import AdminHandlers
from rtm.server.handlers.base import HandlerBase
from rtm.server.handlers.blacklist import BlacklistHandlers
from rtm.server.handlers.data import DataHandlers
from rtm.server.handlers.devices import DevicesHandlers
from rtm.server.handlers.files import FilesHandlers
from rtm.server.handlers.friends import FriendsHandlers
from rtm.server.handlers.groups import GroupsHandlers
from rtm.server.handlers.history import HistoryHandlers
from rtm.server.handlers.imlib import IMLibHandlers
from rtm.server.handlers.listen import ListenHandlers
from rtm.server.handlers.messages import MessagesHandlers
from rtm.server.handlers.rooms import RoomsHandlers
from rtm.server.handlers.rtc import RTCHandlers
from rtm.server.handlers.services import ServicesHandlers
from rtm.server.handlers.users import UsersHandlers

__all__ = ["AREAS", "HandlerBase"]

#: The API areas of spec §4, in spec order.
AREAS: tuple[type[HandlerBase], ...] = (
    MessagesHandlers,
    HistoryHandlers,
    FilesHandlers,
    FriendsHandlers,
    BlacklistHandlers,
    GroupsHandlers,
    RoomsHandlers,
    UsersHandlers,
    AdminHandlers,
    DataHandlers,
    DevicesHandlers,
    ListenHandlers,
    ServicesHandlers,
    RTCHandlers,
    IMLibHandlers,
)
