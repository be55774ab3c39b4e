"""Login tokens of the client gate, user infos and session lists."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from rtm.server.store.common import (
    _expiry,
    _unique,
)
from rtm.server.store.infos import InfoKind, InfosRepo


@dataclass(frozen=True, slots=True)
class TokenSummary:
    """How many valid login tokens a user has and when the last one expires (None: one never
    expires); never the tokens themselves."""

    valid: int
    expires_ms: int | None


class UsersRepo(InfosRepo):
    #: Login tokens one user keeps: issuing one more drops the oldest (tokens that never
    #: expire would otherwise pile up with every ``gettoken``).
    max_tokens_per_user = 32

    def _op_issue_token(self, conn: sqlite3.Connection, pid: int, uid: int,
                        ttl_seconds: int) -> str:
        now = self._now()
        conn.execute("DELETE FROM tokens WHERE expires_ms<=?", (now,))  # anybody's
        token = secrets.token_hex(16).upper()
        conn.execute(
            "INSERT INTO tokens (pid, uid, token, expires_ms, issued_seq) VALUES (?,?,?,?,"
            " (SELECT coalesce(max(issued_seq), 0) + 1 FROM tokens WHERE pid=? AND uid=?))",
            (pid, uid, token, _expiry(now, ttl_seconds), pid, uid))
        conn.execute(
            "DELETE FROM tokens WHERE pid=? AND uid=? AND token NOT IN (SELECT token FROM"
            " tokens WHERE pid=? AND uid=? ORDER BY issued_seq DESC LIMIT ?)",
            (pid, uid, pid, uid, self.max_tokens_per_user))
        return token

    async def issue_token(self, pid: int, uid: int, ttl_seconds: int = 86400) -> str:
        """A new login token (32 upper-case hex chars); earlier ones stay valid until they
        expire, the newest :attr:`max_tokens_per_user` of them. ``ttl_seconds <= 0``: never
        expires. Expired tokens of every user are purged on the way."""
        return await self._call(True, self._op_issue_token, pid, uid, ttl_seconds)

    def _op_check_token(self, conn: sqlite3.Connection, pid: int, uid: int, token: str) -> bool:
        row = conn.execute(
            "SELECT expires_ms FROM tokens WHERE pid=? AND uid=? AND token=?", (pid, uid, token)
        ).fetchone()
        return row is not None and (row[0] is None or row[0] > self._now())

    async def check_token(self, pid: int, uid: int, token: str) -> bool:
        """Whether ``token`` is a valid, unexpired login token of ``uid``."""
        return await self._call(False, self._op_check_token, pid, uid, token)

    @staticmethod
    def _op_remove_tokens(conn: sqlite3.Connection, pid: int, uid: int) -> None:
        conn.execute("DELETE FROM tokens WHERE pid=? AND uid=?", (pid, uid))

    async def remove_tokens(self, pid: int, uid: int) -> None:
        """Invalidate every login token of ``uid``."""
        await self._call(True, self._op_remove_tokens, pid, uid)

    async def set_user_info(self, pid: int, uid: int, oinfo: str | None,
                            pinfo: str | None) -> None:
        """Set the public / private info of ``uid``; ``None`` leaves that value unchanged."""
        await self._call(True, self._op_set_info, pid, InfoKind.USER, uid, oinfo, pinfo)

    async def get_user_info(self, pid: int, uid: int) -> tuple[str, str]:
        """(public, private) info of ``uid``; ``""`` for a value never set."""
        return await self._call(False, self._op_get_info, pid, InfoKind.USER, uid)

    async def user_public_infos(self, pid: int, uids: Iterable[int]) -> dict[int, str]:
        """uid -> public info, for the uids with a stored info record (in input order)."""
        return await self._call(False, self._op_public_infos, pid, InfoKind.USER,
                                _unique(uids))

    @staticmethod
    def _op_add_sessions(conn: sqlite3.Connection, pid: int, uid: int, peers: list[int]) -> None:
        conn.executemany("INSERT OR IGNORE INTO sessions (pid, uid, peer) VALUES (?,?,?)",
                         [(pid, uid, peer) for peer in peers])

    async def add_sessions(self, pid: int, uid: int, peers: Iterable[int]) -> None:
        """Add conversations with ``peers`` to ``uid``'s session list."""
        await self._call(True, self._op_add_sessions, pid, uid, _unique(peers))

    @staticmethod
    def _op_remove_sessions(conn: sqlite3.Connection, pid: int, uid: int,
                            peers: list[int]) -> None:
        conn.executemany("DELETE FROM sessions WHERE pid=? AND uid=? AND peer=?",
                         [(pid, uid, peer) for peer in peers])

    async def remove_sessions(self, pid: int, uid: int, peers: Iterable[int]) -> None:
        """Remove conversations from ``uid``'s session list (unknown ones are ignored)."""
        await self._call(True, self._op_remove_sessions, pid, uid, _unique(peers))

    async def sessions(self, pid: int, uid: int) -> list[int]:
        """The peers of ``uid``'s session list, ascending."""
        return await self._call(
            False, self._op_column,
            "SELECT peer FROM sessions WHERE pid=? AND uid=? ORDER BY peer", (pid, uid),
        )
    # ------------------------------------------------------------------ read-only listings

    def _op_token_summary(self, conn: sqlite3.Connection, pid: int, uid: int) -> TokenSummary:
        rows = conn.execute(
            "SELECT expires_ms FROM tokens WHERE pid=? AND uid=?"
            " AND (expires_ms IS NULL OR expires_ms>?)",
            (pid, uid, self._now()),
        ).fetchall()
        expiries = [r[0] for r in rows]
        latest = None if not expiries or None in expiries else max(int(e) for e in expiries)
        return TokenSummary(len(expiries), latest)

    async def token_summary(self, pid: int, uid: int) -> TokenSummary:
        """Count and latest expiry of the valid login tokens of ``uid``."""
        return await self._call(False, self._op_token_summary, pid, uid)
