"""Conveniences built on the API methods: history iterators and sends that return the mid.

:class:`SyncHelpers` goes with the blocking client (``iter_*`` generators), and
:class:`AsyncHelpers` with the asyncio client (``aiter_*`` async generators). Both walk the
pages of a history method, passing each page's ``lastid`` / ``begin`` / ``end`` to the next
call, until a page comes back short.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, ParamSpec, Protocol

from rtm.api.args import HISTORY_MAX_NUM, _bool, _i64, _num
from rtm.api.models import HistoryMessageResult, HistoryMessageUnit, SendResult

__all__ = ["AsyncHelpers", "SyncHelpers"]

P = ParamSpec("P")

_PageArgs = tuple[tuple[Any, ...], dict[str, Any]]


def _paging(fn: str, desc: Any, num: Any, begin: Any, end: Any) -> tuple[bool, int, int, int]:
    return _bool(fn, "desc", desc), _num(fn, num), _i64(fn, "begin", begin), _i64(fn, "end", end)


def _next_page(page: HistoryMessageResult, num: int) -> tuple[int, int, int] | None:
    """``(lastid, begin, end)`` of the page after ``page``, or None when it was the last."""
    if page.num < num or not page.messages:
        return None
    return page.lastid, page.begin, page.end


def _mid_of(fn: str, kwargs: dict[str, Any], new_mid: Callable[[], int]) -> int:
    if kwargs.get("callback") is not None:
        raise ValueError(f"{fn}(): 'callback' is not supported here: the result is returned")
    mid = kwargs.get("mid")
    if mid is None:
        mid = kwargs["mid"] = new_mid()
    return int(mid)


class _SyncClient(Protocol):
    # what the helpers use of the blocking client
    def new_mid(self) -> int: ...
    def _history_method(self, name: str) -> Callable[..., HistoryMessageResult]: ...


class _AsyncClient(Protocol):
    def new_mid(self) -> int: ...
    def _history_method(self, name: str) -> Callable[..., Awaitable[HistoryMessageResult]]: ...


class SyncHelpers:
    """History iterators and ``send_with_mid`` of the blocking client."""

    def _history_method(self, name: str) -> Callable[..., HistoryMessageResult]:
        method: Callable[..., HistoryMessageResult] = getattr(self, name)
        return method

    def _iter_pages(self, fn: str, get: Callable[..., HistoryMessageResult],
                    head: tuple[Any, ...], tail: tuple[Any, ...], desc: bool, num: int,
                    begin: int, end: int, lastid: int, kwargs: dict[str, Any]
                    ) -> Iterator[HistoryMessageUnit]:
        while True:
            page = get(*head, desc, num, begin, end, lastid, *tail, **kwargs)
            yield from page.messages
            following = _next_page(page, num)
            if following is None:
                return
            lastid, begin, end = following

    def iter_p2p_messages(
        self,
        uid: int,
        peer_uid: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        *,
        lastid: int = 0,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
    ) -> Iterator[HistoryMessageUnit]:
        """Every message of the P2P conversation of ``uid`` and ``peer_uid`` within
        ``begin``..``end`` (ms, 0 = unbounded), newest first unless ``desc=False``, fetched
        ``num`` per ``get_p2p_message`` call as you iterate; ``lastid`` resumes after that
        cursor id."""
        fn = "iter_p2p_messages"
        d, n, b, e = _paging(fn, desc, num, begin, end)
        return self._iter_pages(
            fn, self._history_method("get_p2p_message"), (uid, peer_uid), (), d, n, b, e,
            _i64(fn, "lastid", lastid), {"mtypes": mtypes, "timeout": timeout})

    def iter_group_messages(
        self,
        group_id: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        uid: int = 0,
        *,
        lastid: int = 0,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
    ) -> Iterator[HistoryMessageUnit]:
        """Every message of a group's history (see ``iter_p2p_messages``)."""
        d, n, b, e = _paging("iter_group_messages", desc, num, begin, end)
        return self._iter_pages(
            "iter_group_messages", self._history_method("get_group_message"), (group_id,),
            (uid,), d, n, b, e, _i64("iter_group_messages", "lastid", lastid),
            {"mtypes": mtypes, "timeout": timeout})

    def iter_room_messages(
        self,
        room_id: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        uid: int = 0,
        *,
        lastid: int = 0,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
    ) -> Iterator[HistoryMessageUnit]:
        """Every message of a room's history (see ``iter_p2p_messages``)."""
        d, n, b, e = _paging("iter_room_messages", desc, num, begin, end)
        return self._iter_pages(
            "iter_room_messages", self._history_method("get_room_message"), (room_id,),
            (uid,), d, n, b, e, _i64("iter_room_messages", "lastid", lastid),
            {"mtypes": mtypes, "timeout": timeout})

    def iter_broadcast_messages(
        self,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        uid: int = 0,
        *,
        lastid: int = 0,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
    ) -> Iterator[HistoryMessageUnit]:
        """Every broadcast message (see ``iter_p2p_messages``)."""
        d, n, b, e = _paging("iter_broadcast_messages", desc, num, begin, end)
        return self._iter_pages(
            "iter_broadcast_messages", self._history_method("get_broadcast_message"), (),
            (uid,), d, n, b, e, _i64("iter_broadcast_messages", "lastid", lastid),
            {"mtypes": mtypes, "timeout": timeout})

    def send_with_mid(
        self: _SyncClient, send: Callable[P, int], /, *args: P.args, **kwargs: P.kwargs
    ) -> SendResult:
        """Call a send method (``send_message``, ``send_chat``, ``send_file``, ...) and return
        ``SendResult(mid, mtime)``: the mid is generated here (or taken from ``mid=``), so you
        can later read, edit or delete the message. Not with ``callback=``."""
        mid = _mid_of("send_with_mid", kwargs, self.new_mid)
        return SendResult(mid, send(*args, **kwargs))


class AsyncHelpers:
    """History iterators and ``send_with_mid`` of the asyncio client."""

    def _history_method(self, name: str) -> Callable[..., Awaitable[HistoryMessageResult]]:
        method: Callable[..., Awaitable[HistoryMessageResult]] = getattr(self, name)
        return method

    async def _aiter_pages(self, get: Callable[..., Awaitable[HistoryMessageResult]],
                           head: tuple[Any, ...], tail: tuple[Any, ...], desc: bool, num: int,
                           begin: int, end: int, lastid: int, kwargs: dict[str, Any]
                           ) -> AsyncIterator[HistoryMessageUnit]:
        while True:
            page = await get(*head, desc, num, begin, end, lastid, *tail, **kwargs)
            for message in page.messages:
                yield message
            following = _next_page(page, num)
            if following is None:
                return
            lastid, begin, end = following

    def aiter_p2p_messages(
        self,
        uid: int,
        peer_uid: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        *,
        lastid: int = 0,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[HistoryMessageUnit]:
        """``async for`` form of ``iter_p2p_messages``."""
        d, n, b, e = _paging("aiter_p2p_messages", desc, num, begin, end)
        return self._aiter_pages(
            self._history_method("get_p2p_message"), (uid, peer_uid), (), d, n, b, e,
            _i64("aiter_p2p_messages", "lastid", lastid),
            {"mtypes": mtypes, "timeout": timeout})

    def aiter_group_messages(
        self,
        group_id: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        uid: int = 0,
        *,
        lastid: int = 0,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[HistoryMessageUnit]:
        """``async for`` form of ``iter_group_messages``."""
        d, n, b, e = _paging("aiter_group_messages", desc, num, begin, end)
        return self._aiter_pages(
            self._history_method("get_group_message"), (group_id,), (uid,), d, n, b, e,
            _i64("aiter_group_messages", "lastid", lastid),
            {"mtypes": mtypes, "timeout": timeout})

    def aiter_room_messages(
        self,
        room_id: int,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        uid: int = 0,
        *,
        lastid: int = 0,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[HistoryMessageUnit]:
        """``async for`` form of ``iter_room_messages``."""
        d, n, b, e = _paging("aiter_room_messages", desc, num, begin, end)
        return self._aiter_pages(
            self._history_method("get_room_message"), (room_id,), (uid,), d, n, b, e,
            _i64("aiter_room_messages", "lastid", lastid),
            {"mtypes": mtypes, "timeout": timeout})

    def aiter_broadcast_messages(
        self,
        desc: bool = True,
        num: int = HISTORY_MAX_NUM,
        begin: int = 0,
        end: int = 0,
        uid: int = 0,
        *,
        lastid: int = 0,
        mtypes: Sequence[int] | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[HistoryMessageUnit]:
        """``async for`` form of ``iter_broadcast_messages``."""
        d, n, b, e = _paging("aiter_broadcast_messages", desc, num, begin, end)
        return self._aiter_pages(
            self._history_method("get_broadcast_message"), (), (uid,), d, n, b, e,
            _i64("aiter_broadcast_messages", "lastid", lastid),
            {"mtypes": mtypes, "timeout": timeout})

    async def send_with_mid(
        self: _AsyncClient, send: Callable[P, Awaitable[int]], /, *args: P.args,
        **kwargs: P.kwargs,
    ) -> SendResult:
        """Await a send method and return ``SendResult(mid, mtime)`` (see the blocking
        client's ``send_with_mid``)."""
        mid = _mid_of("send_with_mid", kwargs, self.new_mid)
        return SendResult(mid, await send(*args, **kwargs))

