"""The end-user client's methods, one mixin per area of ``rtm-client-api.md`` §3, each
built from the command's one description (:mod:`rtm.enduser.commands`)."""

from __future__ import annotations

from rtm.enduser.methods.data import DataMethods
from rtm.enduser.methods.files import FilesMethods, UploadedFile
from rtm.enduser.methods.friends import FriendsMethods
from rtm.enduser.methods.groups import GroupsMethods
from rtm.enduser.methods.history import HistoryMethods
from rtm.enduser.methods.imclient import IMClientMethods
from rtm.enduser.methods.messages import MessagesMethods
from rtm.enduser.methods.rooms import RoomsMethods
from rtm.enduser.methods.services import ServicesMethods
from rtm.enduser.methods.system import SystemMethods
from rtm.enduser.methods.unread import UnreadMethods
from rtm.enduser.methods.users import UsersMethods

__all__ = ["EndUserMethods", "UploadedFile"]


class EndUserMethods(MessagesMethods, HistoryMethods, UnreadMethods, FilesMethods,
                     FriendsMethods, GroupsMethods, RoomsMethods, UsersMethods, DataMethods,
                     SystemMethods, ServicesMethods, IMClientMethods):
    """Every client-protocol method (the clients add how a call is sent)."""
