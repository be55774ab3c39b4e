"""Files (spec §3.4, §4): ``filetoken`` on the client gate, then one quest on the file gate.

``filetoken {cmd, to|tos|gid|rid}`` answers ``{token, endpoint}``; the client then opens a
separate plain connection to ``endpoint`` (the file gate as the client reaches it) and sends
the file quest of ``cmd`` with that token: ``pid, from, token, mtype (40..50), mid, file: bin,
attrs`` plus the target. ``attrs`` is the JSON ``{"rtm": {"sign", "ext"?, "filename"?},
"custom": …}`` where ``sign = md5hex(md5hex(file) + ":" + token)``. ``uploadfile`` (U) stores
a file without sending a message and answers where it is: ``{mtime, url, size}``.
"""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

FILETOKEN = Command(
    "filetoken",
    (
        Param("cmd", Kind.STR),
        Param("to", Kind.ID, optional=True, arg="to_uid"),
        Param("tos", Kind.IDS, optional=True, limit=2000, arg="to_uids"),
        Param("gid", Kind.ID, optional=True),
        Param("rid", Kind.ID, optional=True),
    ),
    answer=(Param("token", Kind.STR), Param("endpoint", Kind.STR)),
)

COMMANDS = (FILETOKEN,)

# The file gate's quests from a client (no login there: the token is the authority).
_FILE = (
    Param("pid", Kind.I32),
    Param("from", Kind.ID, arg="from_uid"),
    Param("token", Kind.STR),
    Param("mtype", Kind.INT),
    Param("mid", Kind.INT),
    Param("file", Kind.BIN, arg="data"),
    Param("attrs", Kind.STR),
)
_MTIME = (Param("mtime", Kind.INT),)

SENDFILE = Command("sendfile", (*_FILE, Param("to", Kind.ID, arg="to_uid")), _MTIME,
                   login=False, gate="file")
SENDFILES = Command("sendfiles", (*_FILE, Param("tos", Kind.IDS, limit=2000, arg="to_uids")),
                    _MTIME, login=False, gate="file")
SENDGROUPFILE = Command("sendgroupfile", (*_FILE, Param("gid", Kind.ID)), _MTIME,
                        login=False, gate="file")
SENDROOMFILE = Command("sendroomfile", (*_FILE, Param("rid", Kind.ID)), _MTIME,
                       login=False, gate="file")
UPLOADFILE = Command(
    "uploadfile", (*_FILE, Param("uid", Kind.ID, optional=True)),
    (Param("mtime", Kind.INT), Param("url", Kind.STR), Param("size", Kind.INT)),
    login=False, gate="file")

#: The file gate's client quests, by the ``filetoken`` cmd they use a token of.
FILE_GATE_COMMANDS = {c.method: c for c in (SENDFILE, SENDFILES, SENDGROUPFILE, SENDROOMFILE,
                                            UPLOADFILE)}
