"""Every RTM server API method, each defined once as a Call builder, one module per API area.

Every builder validates its arguments (nothing reaches the wire on bad input: ``TypeError`` /
``ValueError`` naming the argument and the rule) and returns a :class:`~rtm.api.call.Call`
whose params match what the official SDKs put on the wire (keys, presence, msgpack type
families).

Common keyword-only arguments of every method:

* ``timeout``: seconds (> 0) for this call, ``None`` = the client's quest timeout. File sends
  apply it to each of their two quests.
* ``callback``: makes the call non-blocking; the method returns a zero value at once and the
  callback later receives ``(result, error_code, error_info)`` — or ``(error_code,
  error_info)`` for methods without a result; ``error_code`` 0 means success.

Validation rules are in :mod:`rtm.api.args`; answer parsing in :mod:`rtm.api.answers`.
"""

from __future__ import annotations

from typing import Any

from rtm.api.args import HISTORY_MAX_NUM, LIST_LIMITS
from rtm.api.call import Method
from rtm.api.methods.admin import AdminMethods
from rtm.api.methods.blacklist import BlacklistMethods
from rtm.api.methods.data import DataMethods
from rtm.api.methods.devices import DevicesMethods
from rtm.api.methods.files import FilesMethods
from rtm.api.methods.friends import FriendsMethods
from rtm.api.methods.groups import GroupsMethods
from rtm.api.methods.history import HistoryMethods
from rtm.api.methods.imlib import IMLibMethods
from rtm.api.methods.listen import ListenMethods
from rtm.api.methods.messages import MessagesMethods
from rtm.api.methods.rooms import RoomsMethods
from rtm.api.methods.rtc import RTCMethods
from rtm.api.methods.services import ServicesMethods
from rtm.api.methods.users import UsersMethods

__all__ = ["AREAS", "HISTORY_MAX_NUM", "LIST_LIMITS", "RTMMethods", "api_methods"]

#: The API areas of spec §4, in spec order: (name, mixin).
AREAS = (
    ("messages", MessagesMethods),
    ("history", HistoryMethods),
    ("files", FilesMethods),
    ("friends", FriendsMethods),
    ("blacklist", BlacklistMethods),
    ("groups", GroupsMethods),
    ("rooms", RoomsMethods),
    ("users", UsersMethods),
    ("admin", AdminMethods),
    ("data", DataMethods),
    ("devices", DevicesMethods),
    ("listen", ListenMethods),
    ("services", ServicesMethods),
    ("rtc", RTCMethods),
    ("imlib", IMLibMethods),
)


class RTMMethods(
    MessagesMethods,
    HistoryMethods,
    FilesMethods,
    FriendsMethods,
    BlacklistMethods,
    GroupsMethods,
    RoomsMethods,
    UsersMethods,
    AdminMethods,
    DataMethods,
    DevicesMethods,
    ListenMethods,
    ServicesMethods,
    RTCMethods,
    IMLibMethods,
):
    """Every RTM server API method; combine with RTMCore and an executor."""


def api_methods(cls: type[Any] = RTMMethods) -> dict[str, Method[Any, Any]]:
    """Every API method of ``cls`` (name -> descriptor), aliases included, in area order."""
    found: dict[str, Method[Any, Any]] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Method):
                found[name] = value
    return found
