"""Friends and blocks (spec §3.5)."""

from __future__ import annotations

from rtm.api.answers import _PARSE_BLACKS, _PARSE_FRIENDS
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.enduser.commands import friends as cmd
from rtm.enduser.methods._base import EndUserAreaBase


class FriendsMethods(EndUserAreaBase):
    """Friends and blocks"""

    @api_method
    def add_friends(self, friend_uids: list[int] | tuple[int, ...], *,
                    timeout: float | None = None,
                    callback: StatusCallback | None = None) -> Call[None]:
        """Make ``friend_uids`` (1..100 ids) the caller's friends."""
        return self._status_call(cmd.ADDFRIENDS, "add_friends", timeout=timeout,
                                 callback=callback, friend_uids=friend_uids)

    @api_method
    def del_friends(self, friend_uids: list[int] | tuple[int, ...], *,
                    timeout: float | None = None,
                    callback: StatusCallback | None = None) -> Call[None]:
        """Remove ``friend_uids`` (1..100 ids) from the caller's friends."""
        return self._status_call(cmd.DELFRIENDS, "del_friends", timeout=timeout,
                                 callback=callback, friend_uids=friend_uids)

    @api_method
    def get_friends(self, *, timeout: float | None = None,
                    callback: ResultCallback[list[int]] | None = None) -> Call[list[int]]:
        """The caller's friends, ascending."""
        return self._call(cmd.GETFRIENDS, "get_friends", _PARSE_FRIENDS, [], timeout=timeout,
                          callback=callback)

    @api_method
    def add_blacks(self, blocked_uids: list[int] | tuple[int, ...], *,
                   timeout: float | None = None,
                   callback: StatusCallback | None = None) -> Call[None]:
        """Block ``blocked_uids`` (1..100 ids): they can no longer send the caller P2P
        messages."""
        return self._status_call(cmd.ADDBLACKS, "add_blacks", timeout=timeout,
                                 callback=callback, blocked_uids=blocked_uids)

    @api_method
    def del_blacks(self, blocked_uids: list[int] | tuple[int, ...], *,
                   timeout: float | None = None,
                   callback: StatusCallback | None = None) -> Call[None]:
        """Unblock ``blocked_uids`` (1..100 ids)."""
        return self._status_call(cmd.DELBLACKS, "del_blacks", timeout=timeout,
                                 callback=callback, blocked_uids=blocked_uids)

    @api_method
    def get_blacks(self, *, timeout: float | None = None,
                   callback: ResultCallback[list[int]] | None = None) -> Call[list[int]]:
        """The users the caller has blocked, ascending."""
        return self._call(cmd.GETBLACKS, "get_blacks", _PARSE_BLACKS, [], timeout=timeout,
                          callback=callback)
