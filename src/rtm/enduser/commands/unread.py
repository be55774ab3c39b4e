"""Unread counts, sessions and conversation lists (spec §3.3)."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

#: At most this many uids / gids per unread query (the server API's list limit).
MAX_UNREAD_QUERY = 100

_FILTER = (Param("mtime", Kind.INT, optional=True), Param("mtypes", Kind.INTS, optional=True))
#: One conversation list: ids newest first, their unread counts, their newest history rows
#: (``[0, 0, 0, 0, false, "", "", 0]`` for a session without a message).
_LIST = (
    Param("conversations", Kind.IDS),
    Param("unreads", Kind.INTS),
    Param("msgs", Kind.LIST),
)

GETUNREAD = Command(
    "getunread",
    (Param("clear", Kind.BOOL), Param("gettime", Kind.BOOL, optional=True)),
    (Param("p2p", Kind.IDS), Param("group", Kind.IDS),
     Param("logouttime", Kind.INT, optional=True)),
)
CLEANUNREAD = Command("cleanunread")
GETSESSION = Command("getsession", answer=(Param("p2p", Kind.IDS), Param("group", Kind.IDS)))
GETP2PUNREAD = Command(
    "getp2punread", (Param("uids", Kind.IDS, limit=MAX_UNREAD_QUERY), *_FILTER),
    (Param("p2p", Kind.MAP), Param("ltime", Kind.MAP)))
GETGROUPUNREAD = Command(
    "getgroupunread", (Param("gids", Kind.IDS, limit=MAX_UNREAD_QUERY), *_FILTER),
    (Param("group", Kind.MAP), Param("ltime", Kind.MAP)))
GETP2PCONVERSATIONLIST = Command("getp2pconversationlist", _FILTER, _LIST)
GETGROUPCONVERSATIONLIST = Command("getgroupconversationlist", _FILTER, _LIST)
GETP2PUNREADCONVERSATIONLIST = Command("getp2punreadconversationlist", _FILTER, _LIST)
GETGROUPUNREADCONVERSATIONLIST = Command("getgroupunreadconversationlist", _FILTER, _LIST)
GETUNREADCONVERSATIONLIST = Command(
    "getunreadconversationlist", (Param("clear", Kind.BOOL, optional=True), *_FILTER),
    (Param("groupConversations", Kind.IDS), Param("groupUnreads", Kind.INTS),
     Param("groupMsgs", Kind.LIST), Param("p2pConversations", Kind.IDS),
     Param("p2pUnreads", Kind.INTS), Param("p2pMsgs", Kind.LIST)))
REMOVESESSION = Command(
    "removesession", (Param("to", Kind.ID, arg="peer_uid"), Param("oneway", Kind.BOOL,
                                                                  optional=True)))

COMMANDS = (
    GETUNREAD, CLEANUNREAD, GETSESSION, GETP2PUNREAD, GETGROUPUNREAD,
    GETP2PCONVERSATIONLIST, GETGROUPCONVERSATIONLIST, GETP2PUNREADCONVERSATIONLIST,
    GETGROUPUNREADCONVERSATIONLIST, GETUNREADCONVERSATIONLIST, REMOVESESSION,
)
