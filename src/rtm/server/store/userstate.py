"""Client-only state of a user that outlives its connections: its language (auth ``lang``,
``setlang``; client spec §2.4, §5)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from rtm.server.store.engine import StoreBase


class UserStateRepo(StoreBase):
    @staticmethod
    def _op_set_user_lang(conn: sqlite3.Connection, pid: int, uid: int, lang: str) -> None:
        if lang:
            conn.execute(
                "INSERT INTO user_langs (pid, uid, lang) VALUES (?,?,?)"
                " ON CONFLICT (pid, uid) DO UPDATE SET lang=excluded.lang",
                (pid, uid, lang),
            )
        else:
            conn.execute("DELETE FROM user_langs WHERE pid=? AND uid=?", (pid, uid))

    async def set_user_lang(self, pid: int, uid: int, lang: str) -> None:
        """Keep ``lang`` as the user's language ("" forgets it)."""
        await self._call(True, self._op_set_user_lang, pid, uid, lang)

    @staticmethod
    def _op_user_langs(conn: sqlite3.Connection, pid: int,
                       uids: tuple[int, ...]) -> dict[int, str]:
        marks = ",".join("?" * len(uids))
        rows = conn.execute(f"SELECT uid, lang FROM user_langs WHERE pid=? AND uid IN ({marks})",
                            (pid, *uids)).fetchall()
        return {int(uid): str(lang) for uid, lang in rows}

    async def user_langs(self, pid: int, uids: Iterable[int]) -> dict[int, str]:
        """The language of each of ``uids`` that has one."""
        wanted = tuple(dict.fromkeys(uids))
        if not wanted:
            return {}
        return await self._call(False, self._op_user_langs, pid, wanted)

    async def user_lang(self, pid: int, uid: int) -> str:
        """The user's language, "" when none is set."""
        return (await self.user_langs(pid, (uid,))).get(uid, "")
