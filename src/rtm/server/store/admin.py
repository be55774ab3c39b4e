"""Project black list (no login) and project bans (no sending)."""

from __future__ import annotations

from rtm.server.store.common import (
    _SCOPE_BLACK,
    _SCOPE_PROJECT_BAN,
    Ban,
)
from rtm.server.store.engine import StoreBase


class AdminRepo(StoreBase):
    async def add_project_black(self, pid: int, uid: int, seconds: int) -> None:
        """Black-list ``uid`` in the project for ``seconds`` (<= 0: permanent)."""
        await self._call(True, self._op_add_ban, pid, _SCOPE_BLACK, 0, uid, seconds)

    async def remove_project_black(self, pid: int, uid: int) -> None:
        await self._call(True, self._op_remove_ban, pid, _SCOPE_BLACK, 0, uid)

    async def is_project_black(self, pid: int, uid: int) -> bool:
        """Whether the project black-listing of ``uid`` is active now."""
        return await self._call(False, self._op_is_banned, pid, _SCOPE_BLACK, 0, uid)

    async def add_project_ban(self, pid: int, uid: int, seconds: int) -> None:
        """Mute ``uid`` project-wide for ``seconds`` (<= 0: permanent): every send by the user
        is refused with 200021 while it lasts; login, history and receiving still work."""
        await self._call(True, self._op_add_ban, pid, _SCOPE_PROJECT_BAN, 0, uid, seconds)

    async def remove_project_ban(self, pid: int, uid: int) -> None:
        await self._call(True, self._op_remove_ban, pid, _SCOPE_PROJECT_BAN, 0, uid)

    async def is_project_ban(self, pid: int, uid: int) -> bool:
        """Whether the project ban of ``uid`` is active now."""
        return await self._call(False, self._op_is_banned, pid, _SCOPE_PROJECT_BAN, 0, uid)
    async def list_project_black(self, pid: int) -> list[Ban]:
        """The active project black list, by uid."""
        return await self._call(False, self._op_list_bans, pid, _SCOPE_BLACK, 0)

    async def list_project_bans(self, pid: int) -> list[Ban]:
        """The active project bans (``addprojectban``: muted, still logged in), by uid."""
        return await self._call(False, self._op_list_bans, pid, _SCOPE_PROJECT_BAN, 0)
