"""Users (spec §3.8)."""

from __future__ import annotations

from typing import Any

from rtm.api.call import Call, ResultCallback, api_method
from rtm.enduser.commands import users as cmd
from rtm.enduser.methods._base import EndUserAreaBase


def _uids(answer: dict[str, Any]) -> list[int]:
    return [int(uid) for uid in answer.get("uids") or []]


class UsersMethods(EndUserAreaBase):
    """Users"""

    @api_method
    def get_online_users(self, uids: list[int] | tuple[int, ...], *,
                         timeout: float | None = None,
                         callback: ResultCallback[list[int]] | None = None
                         ) -> Call[list[int]]:
        """Which of ``uids`` (1..200) are online."""
        return self._call(cmd.GETONLINEUSERS, "get_online_users", _uids, [], timeout=timeout,
                          callback=callback, uids=uids)
