"""File tokens and stored files."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rtm.api.codes import (
    INVALID_FILE_OR_SIGN_OR_TOKEN,
)
from rtm.server.store.common import (
    Kind,
    Payload,
    SendResult,
    StoredFile,
    StoreError,
    _file_target_key,
    _payload,
)
from rtm.server.store.messages import MessagesRepo


def _expired_token() -> StoreError:
    return StoreError(INVALID_FILE_OR_SIGN_OR_TOKEN, "expired file token")


def new_file_id() -> str:
    """A stored file's identity: 192 random bits, URL-safe, never all digits (an all-digit
    last path segment is the ``<pid>/<mid>`` URL of earlier databases)."""
    while True:
        file_id = secrets.token_urlsafe(24)
        if not file_id.isdigit():
            return file_id


_FILE_COLUMNS = "f.file_id, f.pid, f.content, f.filename, f.ext, f.size, f.created_ms"


def _stored_file(r: Any) -> StoredFile | None:
    if r is None:
        return None
    return StoredFile(r[0], int(r[1]), bytes(r[2]), r[3], r[4], int(r[5]), int(r[6]))


@dataclass(frozen=True, slots=True)
class FileInfo:
    """A stored file without its content."""

    file_id: str
    filename: str
    ext: str
    size: int
    created_ms: int


class FilesRepo(MessagesRepo):
    """File tokens and file sends (a file send is a message send, hence the base)."""

    def _op_issue_file_token(self, conn: sqlite3.Connection, pid: int, from_uid: int,
                             cmd: str, target: int | Sequence[int] | None, key: str,
                             ttl_seconds: int, client: bool) -> str:
        self._check_project_ban(conn, pid, from_uid)
        if cmd == "uploadfile":
            pass  # stores a file, sends nothing: no target to check
        elif cmd == "sendgroupfile":
            assert isinstance(target, int)
            self._check_group_sender(conn, pid, target, from_uid)
        elif cmd == "sendroomfile":
            assert isinstance(target, int)
            self._check_room_sender(conn, pid, target, from_uid)
        elif cmd == "broadcastfile":
            self._check_broadcaster(pid, from_uid)
        elif cmd == "sendfile":
            assert isinstance(target, int)
            self._check_p2p_senders(conn, pid, from_uid, (target,))
        else:
            assert target is not None and not isinstance(target, int)
            self._check_p2p_senders(conn, pid, from_uid, target)
        now = self._now()
        conn.execute("DELETE FROM file_tokens WHERE expires_ms<=?", (now,))
        token = secrets.token_hex(16).upper()
        conn.execute(
            "INSERT INTO file_tokens (token, pid, from_uid, cmd, target, expires_ms, client)"
            " VALUES (?,?,?,?,?,?,?)",
            (token, pid, from_uid, cmd, key, now + max(ttl_seconds, 1) * 1000, int(client)),
        )
        return token

    async def issue_file_token(
        self,
        pid: int,
        from_uid: int,
        cmd: str,
        target: int | Iterable[int] | None,
        ttl_seconds: int = 300,
        *,
        client: bool = False,
    ) -> str:
        """``filetoken``: run the target checks of the matching send (200040/200041/200044/
        200045/200026/200043) and return a one-shot token bound to (pid, from, cmd, target).

        ``target``: to uid (sendfile), recipient uids (sendfiles; compared as a set), gid
        (sendgroupfile), rid (sendroomfile), None (broadcastfile, uploadfile). An unknown
        ``cmd`` or a target of the wrong shape is a ValueError (the gate validates those
        first). ``client``: issued to an end user on the client gate (its send then follows
        a client's rules, :meth:`file_token_is_client`).
        """
        tgt: int | tuple[int, ...] | None = (
            target if target is None or isinstance(target, int) else tuple(target)
        )
        key = _file_target_key(cmd, tgt)
        return await self._call(True, self._op_issue_file_token, pid, from_uid, cmd, tgt, key,
                                ttl_seconds, client)

    @staticmethod
    def _op_file_token_is_client(conn: sqlite3.Connection, token: str) -> bool:
        row = conn.execute("SELECT client FROM file_tokens WHERE token=?", (token,)).fetchone()
        return row is not None and bool(row[0])

    async def file_token_is_client(self, token: str) -> bool:
        """Whether ``token`` was issued on the client gate (False when unknown: its use is
        refused later anyway)."""
        return await self._call(False, self._op_file_token_is_client, token)

    def _op_consume_file_token(self, conn: sqlite3.Connection, pid: int, token: str,
                               from_uid: int, cmd: str, key: str) -> str | None:
        """The token, used up; ``None`` if it had expired (it is deleted, and the caller
        raises only after this operation commits: raising here would roll the delete back)."""
        row = conn.execute(
            "SELECT pid, from_uid, cmd, target, expires_ms FROM file_tokens WHERE token=?",
            (token,),
        ).fetchone()
        if row is None:
            raise StoreError(INVALID_FILE_OR_SIGN_OR_TOKEN, "unknown or already used file token")
        if int(row[4]) <= self._now():
            conn.execute("DELETE FROM file_tokens WHERE token=?", (token,))
            return None
        if (int(row[0]), int(row[1]), row[2], row[3]) != (pid, from_uid, cmd, key):
            raise StoreError(
                INVALID_FILE_OR_SIGN_OR_TOKEN, "file token bound to another sender or target"
            )
        conn.execute("DELETE FROM file_tokens WHERE token=?", (token,))
        return token

    async def consume_file_token(
        self,
        pid: int,
        token: str,
        from_uid: int,
        cmd: str,
        target: int | Iterable[int] | None,
    ) -> str:
        """Use a file token once; returns the token text (input of the file ``sign``).
        Unknown / used / expired / bound to another (pid, from, cmd, target) -> 200003.
        A mismatching attempt does not use the token up."""
        try:
            key = _file_target_key(cmd, target)
        except ValueError as exc:
            raise StoreError(INVALID_FILE_OR_SIGN_OR_TOKEN, str(exc)) from None
        used = await self._call(True, self._op_consume_file_token, pid, token, from_uid, cmd,
                                key)
        if used is None:
            raise _expired_token()
        return used

    def _op_store_file(self, conn: sqlite3.Connection, pid: int, file_id: str, content: bytes,
                       filename: str, ext: str) -> str:
        conn.execute(
            "INSERT INTO files (file_id, pid, filename, ext, size, created_ms, content)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT (file_id) DO NOTHING",
            (file_id, pid, filename, ext, len(content), self._now(), content),
        )
        return file_id

    async def send_file(
        self,
        pid: int,
        token: str,
        from_uid: int,
        cmd: str,
        target: int | Iterable[int] | None,
        *,
        file_id: str,
        content: bytes,
        filename: str,
        ext: str,
        kind: Kind,
        mid: int,
        mtype: int,
        msg: Payload,
        attrs: Payload,
        mtime: int | None = None,
    ) -> SendResult:
        """A file-gate send as ONE operation: use the token, store the message(s), store the
        blob under ``file_id`` (:func:`new_file_id`) linked to every message row stored now.
        All or nothing: if the send is refused (e.g. the sender left the group since
        ``filetoken``) the token stays usable and no blob is left; a send stored nothing new
        (duplicate mid) stores no blob either."""
        try:
            key = _file_target_key(cmd, target)
        except ValueError as exc:
            raise StoreError(INVALID_FILE_OR_SIGN_OR_TOKEN, str(exc)) from None
        if kind == Kind.BROADCAST:
            targets: tuple[int, ...] = (0,)
        elif isinstance(target, int):
            targets = (target,)
        else:
            targets = tuple(target or ())
        sent = await self._call(
            True, self._op_send_file, pid, token, from_uid, cmd, key, file_id, bytes(content),
            filename, ext, kind, targets, mid, mtype, _payload(msg), _payload(attrs), mtime,
        )
        if sent is None:
            raise _expired_token()
        return sent

    def _op_send_file(self, conn: sqlite3.Connection, pid: int, token: str, from_uid: int,
                      cmd: str, key: str, file_id: str, content: bytes, filename: str,
                      ext: str, kind: Kind, targets: tuple[int, ...], mid: int, mtype: int,
                      msg: Payload, attrs: Payload, mtime: int | None) -> SendResult | None:
        if self._op_consume_file_token(conn, pid, token, from_uid, cmd, key) is None:
            return None
        sent = self._op_send(conn, pid, kind, from_uid, targets, mid, mtype, msg, attrs, mtime)
        linked = [(message_id, file_id)
                  for message_id, fresh in zip(sent.ids, sent.fresh, strict=True) if fresh]
        if linked:
            conn.execute(
                "INSERT INTO files (file_id, pid, filename, ext, size, created_ms, content)"
                " VALUES (?,?,?,?,?,?,?)",
                (file_id, pid, filename, ext, len(content), self._now(), content),
            )
            conn.executemany("INSERT INTO file_links (message_id, file_id) VALUES (?,?)",
                             linked)
        return sent

    def _op_upload_file(self, conn: sqlite3.Connection, pid: int, token: str, from_uid: int,
                        file_id: str, content: bytes, filename: str, ext: str,
                        mid: int) -> int | None:
        if self._op_consume_file_token(conn, pid, token, from_uid, "uploadfile", "") is None:
            return None
        self._op_store_file(conn, pid, file_id, content, filename, ext)
        conn.execute(
            "INSERT INTO file_messages (pid, mid, from_uid, file_id, upload) VALUES (?,?,?,?,1)"
            " ON CONFLICT DO NOTHING",
            (pid, mid, from_uid, file_id),
        )
        return self._now()

    async def upload_file(self, pid: int, token: str, from_uid: int, *, file_id: str,
                          content: bytes, filename: str, ext: str, mid: int) -> int:
        """``uploadfile`` as ONE operation: use the token, store the blob ``file_id`` (its URL
        ``<base>/<pid>/<file_id>`` downloads it) without any message; returns the time. The
        upload row is the file's reference: it lives until its project's data goes."""
        stored = await self._call(True, self._op_upload_file, pid, token, from_uid, file_id,
                                  bytes(content), filename, ext, mid)
        if stored is None:
            raise _expired_token()
        return stored

    async def store_file(
        self,
        pid: int,
        content: bytes,
        *,
        filename: str = "",
        ext: str = "",
        file_id: str | None = None,
    ) -> str:
        """Store a file blob that no message carries and return its id (default: a new
        :func:`new_file_id`; an existing id keeps its first content). Such a blob is listed and
        read by :meth:`get_file` but never served to clients (:meth:`live_file`); tooling and
        tests use it, the file gate stores files with :meth:`send_file`."""
        return await self._call(True, self._op_store_file, pid, file_id or new_file_id(),
                                bytes(content), filename, ext)

    @staticmethod
    def _op_get_file(conn: sqlite3.Connection, file_id: str) -> StoredFile | None:
        return _stored_file(conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM files f WHERE f.file_id=?", (file_id,)).fetchone())

    async def get_file(self, file_id: str) -> StoredFile | None:
        """The stored blob ``file_id`` whether or not a message carries it (the console's
        view); clients are served :meth:`live_file` only."""
        return await self._call(False, self._op_get_file, file_id)

    @staticmethod
    def _op_live_file(conn: sqlite3.Connection, pid: int, file_id: str) -> StoredFile | None:
        return _stored_file(conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM files f WHERE f.file_id=? AND f.pid=?"
            " AND (EXISTS (SELECT 1 FROM file_links k WHERE k.file_id=f.file_id)"
            " OR EXISTS (SELECT 1 FROM file_messages u WHERE u.file_id=f.file_id"
            " AND u.upload=1))",
            (file_id, pid)).fetchone())

    async def live_file(self, pid: int, file_id: str) -> StoredFile | None:
        """The file ``file_id`` of project ``pid`` while a stored, not deleted message
        carries it or an end user uploaded it (its URL's ``<pid>/<file_id>``, ``getfile``),
        else None."""
        return await self._call(False, self._op_live_file, pid, file_id)

    @staticmethod
    def _op_message_file(conn: sqlite3.Connection, pid: int, mid: int) -> StoredFile | None:
        return _stored_file(conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM file_messages l"
            " JOIN messages m ON m.pid=l.pid AND m.mid=l.mid AND m.from_uid=l.from_uid"
            " JOIN file_links k ON k.message_id=m.id AND k.file_id=l.file_id"
            " JOIN files f ON f.file_id=l.file_id"
            " WHERE l.pid=? AND l.mid=? LIMIT 1",
            (pid, mid),
        ).fetchone())

    async def message_file(self, pid: int, mid: int) -> StoredFile | None:
        """The file of a ``<pid>/<mid>`` URL stored by an earlier version, while its message
        is stored and not deleted; files sent now are addressed by :meth:`live_file`."""
        return await self._call(False, self._op_message_file, pid, mid)

    @staticmethod
    def _op_file_references(conn: sqlite3.Connection, file_id: str) -> int:
        return int(conn.execute("SELECT count(*) FROM file_links WHERE file_id=?",
                                (file_id,)).fetchone()[0])

    async def file_references(self, file_id: str) -> int:
        """How many stored, not deleted message rows carry the file (its reference count)."""
        return await self._call(False, self._op_file_references, file_id)

    # ------------------------------------------------------------------ read-only listings

    @staticmethod
    def _op_list_files(conn: sqlite3.Connection, pid: int, limit: int,
                       offset: int) -> list[FileInfo]:
        return [
            FileInfo(r[0], r[1], r[2], int(r[3]), int(r[4]))
            for r in conn.execute(
                "SELECT file_id, filename, ext, size, created_ms FROM files WHERE pid=?"
                " ORDER BY created_ms DESC, rowid DESC LIMIT ? OFFSET ?",
                (pid, limit, offset),
            )
        ]

    async def list_files(self, pid: int, *, limit: int = 100,
                         offset: int = 0) -> list[FileInfo]:
        """Stored files of the project, newest first (metadata only)."""
        return await self._call(False, self._op_list_files, pid, limit, offset)
