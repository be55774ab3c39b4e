"""The database schema as forward migrations."""

from __future__ import annotations

from typing import Final

# --------------------------------------------------------------------------------------------
# Schema. Each migration is a list of statements run in one transaction; the database's
# ``PRAGMA user_version`` is the number of migrations applied.

_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        # One table for every conversation. Conversation key = (pid, kind, xa, xb):
        # p2p (min uid, max uid), group (gid, 0), room (rid, 0), broadcast (0, 0).
        # id is the cursor: AUTOINCREMENT so an id is never reused, even after del_group.
        # msg/attrs are BLOB-affinity columns, which keep TEXT and BLOB values as given.
        """CREATE TABLE messages (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            pid      INTEGER NOT NULL,
            kind     INTEGER NOT NULL,
            xa       INTEGER NOT NULL,
            xb       INTEGER NOT NULL,
            from_uid INTEGER NOT NULL,
            to_uid   INTEGER NOT NULL,
            mid      INTEGER NOT NULL,
            mtype    INTEGER NOT NULL,
            msg      BLOB NOT NULL,
            attrs    BLOB NOT NULL,
            mtime    INTEGER NOT NULL,
            deleted  INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX messages_conv_id ON messages (pid, kind, xa, xb, id)",
        "CREATE INDEX messages_conv_mtime ON messages (pid, kind, xa, xb, mtime)",
        "CREATE UNIQUE INDEX messages_dedup ON messages (pid, kind, xa, xb, from_uid, mid)",
        """CREATE TABLE friends (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, fuid INTEGER NOT NULL,
            PRIMARY KEY (pid, uid, fuid)
        ) WITHOUT ROWID""",
        """CREATE TABLE chat_groups (
            pid INTEGER NOT NULL, gid INTEGER NOT NULL, members INTEGER NOT NULL,
            PRIMARY KEY (pid, gid)
        ) WITHOUT ROWID""",
        """CREATE TABLE group_members (
            pid INTEGER NOT NULL, gid INTEGER NOT NULL, uid INTEGER NOT NULL,
            PRIMARY KEY (pid, gid, uid)
        ) WITHOUT ROWID""",
        "CREATE INDEX group_members_by_uid ON group_members (pid, uid, gid)",
        """CREATE TABLE room_members (
            pid INTEGER NOT NULL, rid INTEGER NOT NULL, uid INTEGER NOT NULL,
            PRIMARY KEY (pid, rid, uid)
        ) WITHOUT ROWID""",
        "CREATE INDEX room_members_by_uid ON room_members (pid, uid, rid)",
        # scope: 2 group ban, 3 room ban, 0 project black list (xid 0). NULL expiry = permanent.
        """CREATE TABLE bans (
            pid INTEGER NOT NULL, scope INTEGER NOT NULL, xid INTEGER NOT NULL,
            uid INTEGER NOT NULL, expires_ms INTEGER,
            PRIMARY KEY (pid, scope, xid, uid)
        ) WITHOUT ROWID""",
        """CREATE TABLE tokens (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, token TEXT NOT NULL,
            expires_ms INTEGER,
            PRIMARY KEY (pid, uid, token)
        ) WITHOUT ROWID""",
        """CREATE TABLE file_tokens (
            token TEXT NOT NULL PRIMARY KEY, pid INTEGER NOT NULL, from_uid INTEGER NOT NULL,
            cmd TEXT NOT NULL, target TEXT NOT NULL, expires_ms INTEGER NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX file_tokens_expiry ON file_tokens (expires_ms)",
        """CREATE TABLE files (
            file_id TEXT NOT NULL UNIQUE, pid INTEGER NOT NULL, filename TEXT NOT NULL,
            ext TEXT NOT NULL, size INTEGER NOT NULL, created_ms INTEGER NOT NULL,
            content BLOB NOT NULL
        )""",
        """CREATE TABLE devices (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, devicetoken TEXT NOT NULL,
            apptype TEXT NOT NULL, updated_ms INTEGER NOT NULL,
            PRIMARY KEY (pid, uid, devicetoken)
        ) WITHOUT ROWID""",
    ),
    (
        # Current generation (messages area). Duplicate mids become a lookup instead of a
        # constraint: ``dedup_mid=False`` stores every message, as PY 2.2.6's equal mids need.
        "DROP INDEX messages_dedup",
        "CREATE INDEX messages_by_mid ON messages (pid, kind, xa, xb, from_uid, mid)",
        # A file message's blob, so that its URL (<base>/<pid>/<mid>) downloads it while the
        # message is stored (cleaned or deleted messages no longer serve their file).
        """CREATE TABLE file_messages (
            pid INTEGER NOT NULL, mid INTEGER NOT NULL, from_uid INTEGER NOT NULL,
            file_id TEXT NOT NULL,
            PRIMARY KEY (pid, mid, from_uid)
        ) WITHOUT ROWID""",
        "CREATE INDEX messages_pid_mid ON messages (pid, mid)",
        "CREATE INDEX messages_sender ON messages (pid, from_uid)",
        "CREATE INDEX messages_receiver ON messages (pid, to_uid) WHERE kind = 1",
    ),
)

#: Schema version a freshly opened database has (``PRAGMA user_version``).
SCHEMA_VERSION: Final = len(_MIGRATIONS)
