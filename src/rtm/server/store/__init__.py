"""SQLite storage of the local RTM server: one repository mixin per API area on one engine.

See :mod:`rtm.server.store.engine` for the threading and durability model.
"""

from __future__ import annotations

from rtm.api.codes import (
    ADMIN_ONLY,
    BANNED_IN_GROUP,
    BANNED_IN_ROOM,
    DUPLICATED_MID,
    INVALID_FILE_OR_SIGN_OR_TOKEN,
    MAX_FRIEND_COUNT,
    MAX_GROUP_MEMBER_COUNT,
    MAX_ROOM_COUNT,
    NOT_FRIEND,
    NOT_GROUP_MEMBER,
    NOT_IN_ROOM,
)
from rtm.server.store.admin import AdminRepo
from rtm.server.store.blacklist import BlacklistRepo
from rtm.server.store.clientstate import ClientStateRepo, DebugLog
from rtm.server.store.common import (
    FILE_CMDS,
    Device,
    HistoryPage,
    HistoryRow,
    Kind,
    SendResult,
    StoredFile,
    StoreError,
)
from rtm.server.store.data import DataRepo
from rtm.server.store.devices import PUSH_OPTION_GROUP, PUSH_OPTION_P2P, DevicesRepo
from rtm.server.store.files import FilesRepo, new_file_id
from rtm.server.store.friends import FriendsRepo
from rtm.server.store.groups import GroupsRepo
from rtm.server.store.history import HistoryRepo
from rtm.server.store.imclient import (
    IMApplication,
    IMClientListing,
    IMClientRepo,
    IMInvitation,
)
from rtm.server.store.imlib import ApplyGrant, IMLibRepo
from rtm.server.store.infos import InfoKind
from rtm.server.store.messages import MessagesRepo
from rtm.server.store.rooms import RoomsRepo
from rtm.server.store.rtc import RTCEvent, RTCRepo, RTCRoom
from rtm.server.store.schema import SCHEMA_VERSION
from rtm.server.store.unread import ReadMark, SessionState, UnreadRepo
from rtm.server.store.users import UsersRepo
from rtm.server.store.userstate import UserStateRepo

__all__ = [
    "ADMIN_ONLY",
    "BANNED_IN_GROUP",
    "BANNED_IN_ROOM",
    "DUPLICATED_MID",
    "FILE_CMDS",
    "INVALID_FILE_OR_SIGN_OR_TOKEN",
    "MAX_FRIEND_COUNT",
    "MAX_GROUP_MEMBER_COUNT",
    "MAX_ROOM_COUNT",
    "NOT_FRIEND",
    "NOT_GROUP_MEMBER",
    "NOT_IN_ROOM",
    "PUSH_OPTION_GROUP",
    "PUSH_OPTION_P2P",
    "SCHEMA_VERSION",
    "ApplyGrant",
    "DebugLog",
    "Device",
    "HistoryPage",
    "HistoryRow",
    "IMApplication",
    "IMClientListing",
    "IMInvitation",
    "InfoKind",
    "Kind",
    "RTCEvent",
    "RTCRoom",
    "ReadMark",
    "SendResult",
    "SessionState",
    "Store",
    "StoreError",
    "StoredFile",
    "new_file_id",
]


class Store(
    FilesRepo,  # first: it builds on MessagesRepo (a file send is a message send)
    MessagesRepo,
    HistoryRepo,
    FriendsRepo,
    IMLibRepo,  # before GroupsRepo: it builds on it (an IM group is an RTM group)
    GroupsRepo,
    RoomsRepo,
    AdminRepo,
    UsersRepo,
    UnreadRepo,
    DevicesRepo,
    BlacklistRepo,
    DataRepo,
    RTCRepo,
    UserStateRepo,
    ClientStateRepo,
    IMClientRepo,
):
    """SQLite-backed RTM state: messages/history, friends, groups, rooms, bans, tokens, files,
    devices, blocks, infos, user data, sessions, read marks, push options, client-only user
    state. All public methods are coroutines and take the project id ``pid`` first.

    ``path`` is a file path or ``":memory:"``. ``now_ms`` is the clock (ms since the epoch),
    injectable for tests. The limits default to spec §5.3. ``broadcast_admins``: uids allowed
    to broadcast, either one collection for every project or a mapping pid -> uids (a project
    absent from the mapping, or an empty collection, lets anybody broadcast).
    """
