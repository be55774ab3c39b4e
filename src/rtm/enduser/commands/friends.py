"""Friends and blocks (spec §3.5): the caller's own lists."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

#: At most this many uids per call (the server API's limit, rtm-server-api-current.md §4.5).
LIST_MAX = 100
_UIDS = (Param("uids", Kind.IDS),)

ADDFRIENDS = Command("addfriends", (Param("friends", Kind.IDS, limit=LIST_MAX,
                                          arg="friend_uids"),))
DELFRIENDS = Command("delfriends", (Param("friends", Kind.IDS, limit=LIST_MAX,
                                          arg="friend_uids"),))
GETFRIENDS = Command("getfriends", answer=_UIDS)
ADDBLACKS = Command("addblacks", (Param("blacks", Kind.IDS, limit=LIST_MAX,
                                        arg="blocked_uids"),))
DELBLACKS = Command("delblacks", (Param("blacks", Kind.IDS, limit=LIST_MAX,
                                        arg="blocked_uids"),))
GETBLACKS = Command("getblacks", answer=_UIDS)

COMMANDS = (ADDFRIENDS, DELFRIENDS, GETFRIENDS, ADDBLACKS, DELBLACKS, GETBLACKS)
