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
    (
        # A stored file is an object of its own: a random id (its URL is
        # <base>/<pid>/<file_id>) and one link per message row carrying it (``sendfiles``
        # gives one file several rows). The triggers keep the reference count true on every
        # path that removes a message, in the transaction that removes it: erasing a row or
        # marking it deleted drops its link, and dropping the last link of a file drops the
        # blob. A file without a live link is therefore never served.
        """CREATE TABLE file_links (
            message_id INTEGER NOT NULL PRIMARY KEY,
            file_id    TEXT NOT NULL
        )""",
        "CREATE INDEX file_links_by_file ON file_links (file_id)",
        """CREATE TRIGGER messages_erased_unlink_file AFTER DELETE ON messages
        BEGIN DELETE FROM file_links WHERE message_id = OLD.id; END""",
        """CREATE TRIGGER messages_deleted_unlink_file AFTER UPDATE OF deleted ON messages
        WHEN NEW.deleted <> 0 AND OLD.deleted = 0
        BEGIN DELETE FROM file_links WHERE message_id = NEW.id; END""",
        """CREATE TRIGGER file_links_release_file AFTER DELETE ON file_links
        WHEN NOT EXISTS (SELECT 1 FROM file_links WHERE file_id = OLD.file_id)
        BEGIN
            DELETE FROM files WHERE file_id = OLD.file_id;
            DELETE FROM file_messages WHERE file_id = OLD.file_id;
        END""",
        # Earlier databases: the file messages of the <pid>/<mid> URLs (file_messages rows
        # whose message still carries that URL) and of the 0.1.0 rtm-file://<pid>/<file_id>
        # references keep their file; blobs no live message carries are dropped.
        """INSERT OR IGNORE INTO file_links (message_id, file_id)
        SELECT m.id, l.file_id FROM file_messages l JOIN messages m
            ON m.pid = l.pid AND m.mid = l.mid AND m.from_uid = l.from_uid
        WHERE m.deleted = 0
            AND (CAST(m.msg AS TEXT) LIKE '%/' || l.pid || '/' || l.mid || '"%'
                 OR CAST(m.msg AS TEXT) LIKE '%/' || l.pid || '/' || l.mid)""",
        """INSERT OR IGNORE INTO file_links (message_id, file_id)
        SELECT m.id, f.file_id FROM messages m JOIN files f
            ON f.file_id = substr(CAST(m.msg AS TEXT),
                                  instr(substr(CAST(m.msg AS TEXT), 12), '/') + 12)
        WHERE m.deleted = 0 AND CAST(m.msg AS TEXT) LIKE 'rtm-file://%'
            AND CAST(m.msg AS TEXT) = 'rtm-file://' || f.pid || '/' || f.file_id""",
        # (an end user's upload is referenced by its upload row, not by a message)
        """DELETE FROM files WHERE file_id NOT IN (SELECT file_id FROM file_links)
            AND file_id NOT IN (SELECT file_id FROM file_messages WHERE upload = 1)""",
        """DELETE FROM file_messages WHERE upload = 0
            AND file_id NOT IN (SELECT file_id FROM file_links)""",
        # Expired bans and tokens are purged by the writes of their table: these find them.
        "CREATE INDEX bans_expiry ON bans (expires_ms) WHERE expires_ms IS NOT NULL",
        "CREATE INDEX tokens_expiry ON tokens (expires_ms) WHERE expires_ms IS NOT NULL",
        # Order of issue of a user's tokens: a user keeps a bounded number, the newest.
        "ALTER TABLE tokens ADD COLUMN issued_seq INTEGER NOT NULL DEFAULT 0",
        # Set by editmsg with edit_updates_mtime: the edit time, kept apart from mtime (the
        # conversation's order key, which never moves).
        "ALTER TABLE messages ADD COLUMN edited_ms INTEGER",
    ),
    (
        # The debug logs an end user's app sends (``adddebuglog``, client spec §3.10); the
        # console shows them. ids keep their order.
        """CREATE TABLE debug_logs (
            id INTEGER PRIMARY KEY AUTOINCREMENT, pid INTEGER NOT NULL,
            uid INTEGER NOT NULL, msg TEXT NOT NULL, attrs TEXT NOT NULL,
            time_ms INTEGER NOT NULL
        )""",
        "CREATE INDEX debug_logs_by_uid ON debug_logs (pid, uid, id)",
        # IM library, client side (rtm-client-api.md §3.13). type: 0 user (friend requests),
        # 1 group, 2 room. An application asks ``xid`` (a user, group or room) to take
        # ``from_uid`` in (``invite_uid``: who invited it, 0 = it applied itself); status 0
        # pending, 1 accepted, 2 refused.
        """CREATE TABLE im_applications (
            pid INTEGER NOT NULL, type INTEGER NOT NULL, xid INTEGER NOT NULL,
            from_uid INTEGER NOT NULL, invite_uid INTEGER NOT NULL, status INTEGER NOT NULL,
            extra TEXT NOT NULL, attrs TEXT NOT NULL, created_ms INTEGER NOT NULL,
            PRIMARY KEY (pid, type, xid, from_uid)
        ) WITHOUT ROWID""",
        "CREATE INDEX im_applications_by_from ON im_applications (pid, type, from_uid)",
        # An invitation of ``to_uid`` into group/room ``xid`` by ``from_uid`` (pending ones).
        """CREATE TABLE im_invitations (
            pid INTEGER NOT NULL, type INTEGER NOT NULL, xid INTEGER NOT NULL,
            to_uid INTEGER NOT NULL, from_uid INTEGER NOT NULL, extra TEXT NOT NULL,
            attrs TEXT NOT NULL, created_ms INTEGER NOT NULL,
            PRIMARY KEY (pid, type, xid, to_uid)
        ) WITHOUT ROWID""",
        "CREATE INDEX im_invitations_by_to ON im_invitations (pid, type, to_uid)",
        # Managers of IM groups (type 1) and rooms (type 2); the owners of IM rooms (IM groups
        # keep theirs in im_groups).
        """CREATE TABLE im_managers (
            pid INTEGER NOT NULL, type INTEGER NOT NULL, xid INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            PRIMARY KEY (pid, type, xid, uid)
        ) WITHOUT ROWID""",
        """CREATE TABLE im_rooms (
            pid INTEGER NOT NULL, rid INTEGER NOT NULL, owner INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            PRIMARY KEY (pid, rid)
        ) WITHOUT ROWID""",
        # ``uid``'s alias for its friend ``fuid``.
        """CREATE TABLE im_friend_aliases (
            pid INTEGER NOT NULL, uid INTEGER NOT NULL, fuid INTEGER NOT NULL,
            alias TEXT NOT NULL,
            PRIMARY KEY (pid, uid, fuid)
        ) WITHOUT ROWID""",
    ),
)

#: Schema version a freshly opened database has (``PRAGMA user_version``).
SCHEMA_VERSION: Final = len(_MIGRATIONS)
