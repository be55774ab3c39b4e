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
        # RTC rooms (current spec §11.8): state without media. type 1 voice / 2 video.
        """CREATE TABLE rtc_rooms (
            pid INTEGER NOT NULL, rid INTEGER NOT NULL, type INTEGER NOT NULL,
            owner INTEGER NOT NULL, mic_default INTEGER NOT NULL DEFAULT 0,
            voice_range INTEGER NOT NULL DEFAULT 0,
            max_receive_streams INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,
            PRIMARY KEY (pid, rid)
        ) WITHOUT ROWID""",
        """CREATE TABLE rtc_members (
            pid INTEGER NOT NULL, rid INTEGER NOT NULL, uid INTEGER NOT NULL,
            admin INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (pid, rid, uid)
        ) WITHOUT ROWID""",
        # The emulator's log of invitations and admin commands 2..7 (nothing is pushed).
        # kind: 'invite' (from_uid, uids) or 'command' (command, uids); uids as JSON.
        """CREATE TABLE rtc_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, pid INTEGER NOT NULL,
            rid INTEGER NOT NULL, kind TEXT NOT NULL, from_uid INTEGER NOT NULL,
            command INTEGER NOT NULL, uids TEXT NOT NULL, time_ms INTEGER NOT NULL
        )""",
        "CREATE INDEX rtc_events_by_pid ON rtc_events (pid, id)",
        # IM library (current spec §11.9): profiles, IM groups, apply and invite grants.
        # object type: 0 user, 1 group, 2 room.
        """CREATE TABLE im_user_infos (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (pid, uid, key)
        ) WITHOUT ROWID""",
        """CREATE TABLE im_group_infos (
            pid INTEGER NOT NULL, gid INTEGER NOT NULL, key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (pid, gid, key)
        ) WITHOUT ROWID""",
        """CREATE TABLE im_groups (
            pid INTEGER NOT NULL, gid INTEGER NOT NULL, owner INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            PRIMARY KEY (pid, gid)
        ) WITHOUT ROWID""",
        """CREATE TABLE im_apply_grants (
            pid INTEGER NOT NULL, type INTEGER NOT NULL, xid INTEGER NOT NULL,
            grant_type INTEGER NOT NULL, extra TEXT NOT NULL,
            PRIMARY KEY (pid, type, xid)
        ) WITHOUT ROWID""",
        """CREATE TABLE im_invite_grants (
            pid INTEGER NOT NULL, type INTEGER NOT NULL, xid INTEGER NOT NULL,
            invite_type INTEGER NOT NULL, invite_manage_type INTEGER NOT NULL,
            PRIMARY KEY (pid, type, xid)
        ) WITHOUT ROWID""",
    ),
    (
        # Users, groups, rooms, admin, data and devices of the current generation (spec §4.6 to
        # §4.12). Two kinds of rows go into the existing ``bans`` table, without new columns:
        # scope 1 = project ban (mute, xid 0); a group/room ban with xid 0 = the wildcard ban
        # "in every group/room" (§4.7).
        # blocks: ``uid`` has blocked ``blocked`` (addblacks); the index answers "who blocked X".
        """CREATE TABLE blocks (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, blocked INTEGER NOT NULL,
            PRIMARY KEY (pid, uid, blocked)
        ) WITHOUT ROWID""",
        "CREATE INDEX blocks_by_blocked ON blocks (pid, blocked, uid)",
        # Public (oinfo) and private (pinfo) info; kind 1 user, 2 group, 3 room. NULL = never
        # set (answered as ""); a row exists once either value has been set.
        """CREATE TABLE infos (
            pid INTEGER NOT NULL, kind INTEGER NOT NULL, xid INTEGER NOT NULL,
            oinfo TEXT, pinfo TEXT,
            PRIMARY KEY (pid, kind, xid)
        ) WITHOUT ROWID""",
        """CREATE TABLE user_data (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (pid, uid, name)
        ) WITHOUT ROWID""",
        # Conversation list entries (addsessions): ``peer`` shows in ``uid``'s session list.
        """CREATE TABLE sessions (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, peer INTEGER NOT NULL,
            PRIMARY KEY (pid, uid, peer)
        ) WITHOUT ROWID""",
        # Offline-push "do not disturb" options: type 0 P2P peer / 1 group, one row per mtype;
        # mtype 256 (outside int8) stands for "every mtype".
        """CREATE TABLE push_options (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, type INTEGER NOT NULL,
            xid INTEGER NOT NULL, mtype INTEGER NOT NULL,
            PRIMARY KEY (pid, uid, type, xid, mtype)
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
    (
        # Set by ``editmsg``: nothing else tells an edited message (its mtime stays unless
        # edit_updates_mtime); the console's history flags it.
        "ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0",
    ),
    (
        # End users' unread model (client spec §3.3). ``sessions`` becomes the P2P session
        # list of both sides of every stored P2P message (addsessions/removesessions still
        # edit it): fill it from the messages stored so far.
        """INSERT OR IGNORE INTO sessions (pid, uid, peer)
            SELECT DISTINCT pid, xa, xb FROM messages WHERE kind=1 AND xa<>xb""",
        """INSERT OR IGNORE INTO sessions (pid, uid, peer)
            SELECT DISTINCT pid, xb, xa FROM messages WHERE kind=1 AND xa<>xb""",
        # A user's read mark: messages with a cursor id <= mark_id are read. logout_ms: the
        # time of its last logout (0 = none yet).
        """CREATE TABLE read_marks (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, mark_id INTEGER NOT NULL,
            mark_ms INTEGER NOT NULL, logout_ms INTEGER NOT NULL,
            PRIMARY KEY (pid, uid)
        ) WITHOUT ROWID""",
    ),
    (
        # Client-only state: a user's language (auth ``lang``, ``setlang``); chat pushed to
        # the user is translated into it.
        """CREATE TABLE user_langs (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, lang TEXT NOT NULL,
            PRIMARY KEY (pid, uid)
        ) WITHOUT ROWID""",
        # A file token issued on the client gate: its send follows a client's rules (blocks).
        "ALTER TABLE file_tokens ADD COLUMN client INTEGER NOT NULL DEFAULT 0",
        # ``uploadfile``: a file stored without a message; its URL downloads it all the same.
        "ALTER TABLE file_messages ADD COLUMN upload INTEGER NOT NULL DEFAULT 0",
    ),
)

#: Schema version a freshly opened database has (``PRAGMA user_version``).
SCHEMA_VERSION: Final = len(_MIGRATIONS)
