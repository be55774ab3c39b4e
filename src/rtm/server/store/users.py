"""Login tokens of the client gate."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

from rtm.server.store.common import (
    _expiry,
)
from rtm.server.store.engine import StoreBase


@dataclass(frozen=True, slots=True)
class TokenSummary:
    """How many valid login tokens a user has and when the last one expires (None: one never
    expires); never the tokens themselves."""

    valid: int
    expires_ms: int | None


class UsersRepo(StoreBase):
    def _op_issue_token(self, conn: sqlite3.Connection, pid: int, uid: int,
                        ttl_seconds: int) -> str:
        now = self._now()
        conn.execute("DELETE FROM tokens WHERE pid=? AND uid=? AND expires_ms<=?",
                     (pid, uid, now))
        token = secrets.token_hex(16).upper()
        conn.execute("INSERT INTO tokens (pid, uid, token, expires_ms) VALUES (?,?,?,?)",
                     (pid, uid, token, _expiry(now, ttl_seconds)))
        return token

    async def issue_token(self, pid: int, uid: int, ttl_seconds: int = 86400) -> str:
        """A new login token (32 upper-case hex chars); earlier ones stay valid until they
        expire. ``ttl_seconds <= 0``: never expires."""
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
