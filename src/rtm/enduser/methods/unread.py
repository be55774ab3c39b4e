"""Unread counts, sessions and conversation lists (spec §3.3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rtm.api.answers import _history_parser
from rtm.api.args import _mtypes
from rtm.api.call import Call, ResultCallback, StatusCallback, api_method
from rtm.api.models import HistoryMessageUnit
from rtm.enduser.commands import unread as cmd
from rtm.enduser.methods._base import EndUserAreaBase
from rtm.enduser.spec import Command


@dataclass(frozen=True, slots=True)
class Sessions:
    """The caller's sessions: the P2P peers and the groups it has exchanged messages with."""

    p2p: list[int]
    groups: list[int]


@dataclass(frozen=True, slots=True)
class Unread:
    """The sessions with messages the caller has not read (``get_unread``);
    ``logout_time`` (ms, 0 before the first logout) when asked for."""

    p2p: list[int]
    groups: list[int]
    logout_time: int | None = None


@dataclass(frozen=True, slots=True)
class UnreadCounts:
    """``counts``: id -> unread messages (ids without any are absent); ``ltimes``: id -> the
    time (ms) of the session's newest message."""

    counts: dict[int, int]
    ltimes: dict[int, int]


@dataclass(frozen=True, slots=True)
class Conversation:
    """One session of a conversation list: the peer uid or gid, its unread count and its
    newest message (None when it has none)."""

    id: int
    unread: int
    last_message: HistoryMessageUnit | None


@dataclass(frozen=True, slots=True)
class UnreadConversations:
    """``get_unread_conversation_list``: the group and P2P sessions with unread messages."""

    groups: list[Conversation]
    p2p: list[Conversation]


def _ids(answer: dict[str, Any], key: str) -> list[int]:
    return [int(x) for x in answer.get(key) or []]


def _int_map(answer: dict[str, Any], key: str) -> dict[int, int]:
    raw = answer.get(key) or {}
    return {int(k): int(v) for k, v in raw.items()}


def _sessions(answer: dict[str, Any]) -> Sessions:
    return Sessions(_ids(answer, "p2p"), _ids(answer, "group"))


def _unread(answer: dict[str, Any]) -> Unread:
    logout = answer.get("logouttime")
    return Unread(_ids(answer, "p2p"), _ids(answer, "group"),
                  int(logout) if isinstance(logout, int) else None)


def _conversations(method: str, uid: int | None, ids: list[int], unreads: list[int],
                   rows: list[Any]) -> list[Conversation]:
    """The conversations of one list; ``uid`` (P2P) resolves each row's direction code
    against the caller and that session's peer."""
    out: list[Conversation] = []
    for i, xid in enumerate(ids):
        row = rows[i] if i < len(rows) else None
        last: HistoryMessageUnit | None = None
        if isinstance(row, list) and row and row[0]:
            parse = _history_parser(method, None if uid is None else (uid, xid))
            last = parse({"num": 1, "lastid": 0, "begin": 0, "end": 0, "msgs": [row]}
                         ).messages[0]
        out.append(Conversation(xid, int(unreads[i]) if i < len(unreads) else 0, last))
    return out


class UnreadMethods(EndUserAreaBase):
    """Unread counts, sessions and conversations"""

    @api_method
    def get_unread(self, clear: bool = False, *, with_time: bool = False,
                   timeout: float | None = None,
                   callback: ResultCallback[Unread] | None = None) -> Call[Unread]:
        """The P2P peers and groups with unread messages (from others, after the read mark:
        the last ``clean_unread`` or logout). ``clear`` then marks everything read;
        ``with_time`` also returns the last logout time."""
        return self._call(cmd.GETUNREAD, "get_unread", _unread, Unread([], []),
                          timeout=timeout, callback=callback, clear=clear,
                          gettime=with_time or None)

    @api_method
    def clean_unread(self, *, timeout: float | None = None,
                     callback: StatusCallback | None = None) -> Call[None]:
        """Mark every message received so far read."""
        return self._status_call(cmd.CLEANUNREAD, "clean_unread", timeout=timeout,
                                 callback=callback)

    @api_method
    def get_sessions(self, *, timeout: float | None = None,
                     callback: ResultCallback[Sessions] | None = None) -> Call[Sessions]:
        """The caller's sessions (P2P peers, groups), ascending."""
        return self._call(cmd.GETSESSION, "get_sessions", _sessions, Sessions([], []),
                          timeout=timeout, callback=callback)

    def _counts(self, command: Command, fn: str, key: str, timeout: Any, callback: Any,
                **values: Any) -> Call[UnreadCounts]:
        if values["mtypes"] is not None:
            values["mtypes"] = _mtypes(fn, "mtypes", values["mtypes"])

        def parse(answer: dict[str, Any]) -> UnreadCounts:
            return UnreadCounts(_int_map(answer, key), _int_map(answer, "ltime"))

        return self._call(command, fn, parse, UnreadCounts({}, {}), timeout=timeout,
                          callback=callback, **values)

    @api_method
    def get_p2p_unread(self, uids: list[int] | tuple[int, ...], *, mtime: int | None = None,
                       mtypes: Sequence[int] | None = None, timeout: float | None = None,
                       callback: ResultCallback[UnreadCounts] | None = None
                       ) -> Call[UnreadCounts]:
        """Unread counts of the P2P sessions with ``uids`` (1..100), and the time of each
        one's newest message. ``mtime`` (ms) counts the messages from that time on instead
        of after the read mark; ``mtypes`` counts only those message types."""
        return self._counts(cmd.GETP2PUNREAD, "get_p2p_unread", "p2p", timeout, callback,
                            uids=uids, mtime=mtime, mtypes=mtypes)

    @api_method
    def get_group_unread(self, gids: list[int] | tuple[int, ...], *,
                         mtime: int | None = None, mtypes: Sequence[int] | None = None,
                         timeout: float | None = None,
                         callback: ResultCallback[UnreadCounts] | None = None
                         ) -> Call[UnreadCounts]:
        """As ``get_p2p_unread``, for the caller's groups among ``gids``."""
        return self._counts(cmd.GETGROUPUNREAD, "get_group_unread", "group", timeout,
                            callback, gids=gids, mtime=mtime, mtypes=mtypes)

    # ------------------------------------------------------------------ conversation lists

    def _list(self, command: Command, fn: str, p2p: bool, timeout: Any, callback: Any,
              mtime: Any, mtypes: Any) -> Call[list[Conversation]]:
        uid = self._uid if p2p else None

        def parse(answer: dict[str, Any]) -> list[Conversation]:
            return _conversations(command.method, uid, _ids(answer, "conversations"),
                                  _ids(answer, "unreads"), answer.get("msgs") or [])

        return self._call(command, fn, parse, [], timeout=timeout, callback=callback,
                          mtime=mtime, mtypes=None if mtypes is None
                          else _mtypes(fn, "mtypes", mtypes))

    @api_method
    def get_p2p_conversation_list(self, *, mtime: int | None = None,
                                  mtypes: Sequence[int] | None = None,
                                  timeout: float | None = None,
                                  callback: ResultCallback[list[Conversation]] | None = None
                                  ) -> Call[list[Conversation]]:
        """The caller's P2P sessions, newest message first, each with its unread count and
        newest message (of ``mtypes`` when given). ``mtime`` (ms) keeps the sessions with a
        message at least that recent."""
        return self._list(cmd.GETP2PCONVERSATIONLIST, "get_p2p_conversation_list", True,
                          timeout, callback, mtime, mtypes)

    @api_method
    def get_group_conversation_list(self, *, mtime: int | None = None,
                                    mtypes: Sequence[int] | None = None,
                                    timeout: float | None = None,
                                    callback: ResultCallback[list[Conversation]] | None = None
                                    ) -> Call[list[Conversation]]:
        """As ``get_p2p_conversation_list``, for the caller's groups."""
        return self._list(cmd.GETGROUPCONVERSATIONLIST, "get_group_conversation_list", False,
                          timeout, callback, mtime, mtypes)

    @api_method
    def get_p2p_unread_conversation_list(
            self, *, mtime: int | None = None, mtypes: Sequence[int] | None = None,
            timeout: float | None = None,
            callback: ResultCallback[list[Conversation]] | None = None
    ) -> Call[list[Conversation]]:
        """As ``get_p2p_conversation_list``, only the sessions with unread messages."""
        return self._list(cmd.GETP2PUNREADCONVERSATIONLIST,
                          "get_p2p_unread_conversation_list", True, timeout, callback, mtime,
                          mtypes)

    @api_method
    def get_group_unread_conversation_list(
            self, *, mtime: int | None = None, mtypes: Sequence[int] | None = None,
            timeout: float | None = None,
            callback: ResultCallback[list[Conversation]] | None = None
    ) -> Call[list[Conversation]]:
        """As ``get_group_conversation_list``, only the groups with unread messages."""
        return self._list(cmd.GETGROUPUNREADCONVERSATIONLIST,
                          "get_group_unread_conversation_list", False, timeout, callback,
                          mtime, mtypes)

    @api_method
    def get_unread_conversation_list(
            self, clear: bool = False, *, mtime: int | None = None,
            mtypes: Sequence[int] | None = None, timeout: float | None = None,
            callback: ResultCallback[UnreadConversations] | None = None
    ) -> Call[UnreadConversations]:
        """The group and P2P sessions with unread messages (as the two unread lists);
        ``clear`` then marks everything read."""
        fn = "get_unread_conversation_list"
        uid = self._uid

        def parse(answer: dict[str, Any]) -> UnreadConversations:
            m = cmd.GETUNREADCONVERSATIONLIST.method
            return UnreadConversations(
                _conversations(m, None, _ids(answer, "groupConversations"),
                               _ids(answer, "groupUnreads"), answer.get("groupMsgs") or []),
                _conversations(m, uid, _ids(answer, "p2pConversations"),
                               _ids(answer, "p2pUnreads"), answer.get("p2pMsgs") or []))

        return self._call(cmd.GETUNREADCONVERSATIONLIST, fn, parse,
                          UnreadConversations([], []), timeout=timeout, callback=callback,
                          clear=clear, mtime=mtime,
                          mtypes=None if mtypes is None else _mtypes(fn, "mtypes", mtypes))

    @api_method
    def remove_session(self, peer_uid: int, *, oneway: bool | None = None,
                       timeout: float | None = None,
                       callback: StatusCallback | None = None) -> Call[None]:
        """Remove the P2P session with ``peer_uid`` from the caller's list and, unless
        ``oneway``, the caller from the peer's list (a new message brings it back)."""
        return self._status_call(cmd.REMOVESESSION, "remove_session", timeout=timeout,
                                 callback=callback, peer_uid=peer_uid, oneway=oneway)
