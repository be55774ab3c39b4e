"""State shared by the three gates: config, store, hub, authenticator, and the send path."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Literal, TypeVar

from rtm import _wirelog
from rtm.fpnn.connection import FPNNConnection, HandlerResult
from rtm.fpnn.errors import FPNNError
from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.auth import Authenticator
from rtm.server.config import ServerConfig
from rtm.server.console.live import LiveRecorder
from rtm.server.params import Params
from rtm.server.pushes import Delivery, Hub, client_pid
from rtm.server.services import ServicesRegistry
from rtm.server.store import Kind, SendResult, Store, StoreError

T = TypeVar("T")
Origin = Literal["server", "client", "file"]
Answer = Mapping[str, Any] | None
GateHandler = Callable[[ServerConnection, Params], Awaitable[Answer]]


class ServerCore:
    def __init__(self, config: ServerConfig, logger: logging.Logger,
                 services: ServicesRegistry | None = None) -> None:
        self.config = config
        #: per-project content-services configuration, changeable at runtime
        self.services = services or ServicesRegistry(config.services)
        self.logger = logger
        self.now_ms = config.clock()
        self.projects = config.served_projects()
        self.store = Store(
            config.db,
            now_ms=config.now_ms,
            symmetric_friends=config.symmetric_friends,
            broadcast_admins=config.broadcast_admins,
            p2p_friends_only=config.p2p_friends_only,
            strict_mid=config.strict_mid,
            dedup_mid=config.dedup_mid,
            edit_updates_mtime=config.edit_updates_mtime,
            synchronous=config.synchronous,
        )
        self.hub = Hub(config, self.store, logger, self.services)
        self.auth = Authenticator(
            self.projects, self.now_ms,
            ts_window=config.effective_ts_window(),
            replay_protection=config.replay_protection,
            replay_window=config.replay_window,
            refuse_v1_signatures=config.refuse_v1_signatures,
        )
        self.client_endpoint = ""
        self.file_endpoint = ""
        #: ``<file_base_url>/<pid>/<file_id>`` is a stored file's URL (set once listening).
        self.file_base_url = config.file_base_url or ""
        #: The console's live stream; None (nothing recorded, nothing wrapped) without console.
        self.live: LiveRecorder | None = (
            LiveRecorder(self.projects) if config.console_port is not None else None)
        self.hub.live = self.live
        self.hub.projects = self.projects
        self._work: set[asyncio.Task[Any]] = set()
        #: ``rtm_failure`` bound to each send method (made once, not per quest)
        self._failures: dict[str, Callable[[Exception], Exception]] = {}

    # ------------------------------------------------------------------ work tracking

    async def shielded(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` so that it completes even if the quest's connection goes away
        (a stored message is then still delivered); close() waits for these."""
        task: asyncio.Task[T] = asyncio.get_running_loop().create_task(coro)
        self._work.add(task)
        task.add_done_callback(self._work_done)
        return await asyncio.shield(task)

    def _work_done(self, task: asyncio.Task[Any]) -> None:
        self._work.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: the awaiting handler reports it

    async def drain(self, timeout: float = 10.0) -> None:
        if self._work:
            await asyncio.wait(list(self._work), timeout=timeout)

    # ------------------------------------------------------------------ handlers

    def wrap(self, method: str, fn: GateHandler) -> Callable[[FPNNConnection, Any],
                                                               Awaitable[HandlerResult]]:
        """FPNN handler around ``fn``: every failure becomes an error answer — FPNN/RTM codes
        as raised, store business errors with their code, anything else 200999 (logged).

        ``fn`` is a coroutine function, or a plain function returning a coroutine or a future
        whose failures are already mapped (the send path's answer straight from the store,
        see :meth:`send_answer`): the FPNN connection follows such a future with a callback,
        without a task.

        At DEBUG every quest logs one line (method, pid, seq, peer, sizes, outcome, elapsed
        time); at TRACE with its params and answer, secrets masked (``rtm._wirelog``)."""
        logger = self.logger
        rtm_failure = self.rtm_failure

        async def mapped(pending: Awaitable[Answer]) -> HandlerResult:
            try:
                return await pending
            except Exception as exc:
                raise rtm_failure(exc, method) from None

        async def answer_later(conn: ServerConnection, quest: Any) -> HandlerResult:
            # A coroutine handler's coroutine is made when the task starts: a connection
            # closed before that leaves no coroutine never awaited.
            try:
                return await fn(conn, Params(quest.payload, method))
            except Exception as exc:
                raise rtm_failure(exc, method) from None

        def answer_now(conn: ServerConnection, quest: Any) -> Awaitable[HandlerResult]:
            try:
                pending = fn(conn, Params(quest.payload, method))
            except Exception as exc:
                raise rtm_failure(exc, method) from None
            if isinstance(pending, asyncio.Future):
                return pending
            return mapped(pending)

        answer: Callable[[ServerConnection, Any], Awaitable[HandlerResult]] = (
            answer_later if inspect.iscoroutinefunction(fn) else answer_now)

        async def logged(conn: ServerConnection, quest: Any) -> HandlerResult:
            started = time.perf_counter()
            try:
                result = await answer(conn, quest)
            except BaseException as exc:
                _log_quest(logger, conn, method, quest, started, None, exc)
                raise
            _log_quest(logger, conn, method, quest, started, result, None)
            return result

        def handler(conn: FPNNConnection, quest: Any) -> Awaitable[HandlerResult]:
            assert isinstance(conn, ServerConnection)
            if not logger.isEnabledFor(logging.DEBUG):
                return answer(conn, quest)
            return logged(conn, quest)

        if self.live is not None:  # the console's live stream
            live_handler: Callable[[FPNNConnection, Any], Awaitable[HandlerResult]] = handler
            return self.live.observe(method, live_handler)
        return handler

    def rtm_failure(self, exc: Exception, method: str) -> Exception:
        """The error answer for a handler's failure: FPNN/RTM errors as raised, store business
        errors with their code, anything else 200999 (logged)."""
        if isinstance(exc, FPNNError):
            return exc
        if isinstance(exc, StoreError):
            return codes.rtm_error(exc.code, exc.message)
        self.logger.error("internal error while handling %s", method, exc_info=exc)
        return codes.rtm_error(codes.UNKNOWN_ERROR, "internal server error")

    # ------------------------------------------------------------------ the send path

    async def send(
        self,
        pid: int,
        kind: Kind,
        from_uid: int,
        target: int | list[int] | None,
        mid: int,
        mtype: int,
        msg: str | bytes,
        attrs: str | bytes,
        *,
        origin: Origin,
        ftype: int = 0,
        store_call: Callable[[], Awaitable[SendResult]] | None = None,
    ) -> int:
        """Store (history) then deliver (pushes); returns the mtime to answer.

        ``target``: to uid, gid, rid, None (broadcast), or a list of uids (``sendmsgs``).
        Duplicates (same from, conversation, mid) are neither stored nor pushed again.
        ``store_call`` replaces the plain store write (the file gate stores the file and the
        message in one operation).

        User blocks (spec current §11.5): a P2P send from the client gate (from the server API
        and the file gate too with ``enforce_blocks_on_server_api``) to a user who blocked
        the sender is refused with 200049; such recipients of a multi-send are skipped.
        """
        if kind is Kind.P2P and target is not None and (
                origin == "client" or self.config.enforce_blocks_on_server_api):
            kept = await self._unblocked(pid, from_uid, target, multi_file=store_call is not None)
            if not kept:  # every recipient of a multi-send blocked the sender
                return self.now_ms()
            if isinstance(target, list):
                target = kept
        if store_call is not None:
            return await self.shielded(self._send_with(pid, kind, from_uid, target, mid, mtype,
                                                       msg, attrs, origin, ftype, store_call))
        deliver = self._deliverer(pid, kind, from_uid, target, mid, mtype, msg, attrs, origin,
                                  ftype)
        # The pushes run when the row is committed (``on_commit``), whether or not this
        # caller is still there to answer: no task of its own, no shield.
        if isinstance(target, list):
            result = await self.store.send_multi(pid, from_uid, target, mid, mtype, msg, attrs,
                                                 on_commit=deliver)
        else:
            result = await self.store.send_message(pid, kind, from_uid, target, mid, mtype,
                                                   msg, attrs, on_commit=deliver)
        return result.mtime

    def send_answer(self, pid: int, kind: Kind, from_uid: int, target: int | None, mid: int,
                    mtype: int, msg: str | bytes, attrs: str | bytes, *, origin: Origin,
                    method: str) -> Awaitable[Answer]:
        """:meth:`send` of one message answered with ``{"mtime": ...}``. Without a block
        check to make first, this is the store's own future (errors mapped as ``wrap`` maps
        them): the quest's answer then needs no task nor coroutine."""
        if kind is Kind.P2P and (origin == "client"
                                 or self.config.enforce_blocks_on_server_api):
            return self._send_answer(pid, kind, from_uid, target, mid, mtype, msg, attrs,
                                     origin)
        deliver = self._deliverer(pid, kind, from_uid, target, mid, mtype, msg, attrs, origin, 0)
        failure = self._failures.get(method)
        if failure is None:
            failure = self._failures[method] = functools.partial(self.rtm_failure,
                                                                 method=method)
        return self.store.send_message_future(
            pid, kind, from_uid, target, mid, mtype, msg, attrs, on_commit=deliver,
            answer=_mtime_answer, error=failure)

    async def _send_answer(self, pid: int, kind: Kind, from_uid: int, target: int | None,
                           mid: int, mtype: int, msg: str | bytes, attrs: str | bytes,
                           origin: Origin) -> Answer:
        return {"mtime": await self.send(pid, kind, from_uid, target, mid, mtype, msg, attrs,
                                         origin=origin)}

    async def _unblocked(self, pid: int, from_uid: int, target: int | list[int], *,
                         multi_file: bool) -> list[int]:
        """The recipients that have not blocked ``from_uid``; 200049 for a single recipient
        who has, and for a file to several users (its token binds the whole recipient list,
        so nobody can be skipped)."""
        tos = target if isinstance(target, list) else [target]
        blockers = set(await self.store.blockers_among(pid, from_uid, tos))
        if blockers and (not isinstance(target, list) or multi_file):
            raise codes.rtm_error(codes.BLOCKED_USER,
                                  f"uid {min(blockers)} has blocked uid {from_uid}")
        return [to for to in tos if to not in blockers]

    def _deliverer(self, pid: int, kind: Kind, from_uid: int, target: int | list[int] | None,
                   mid: int, mtype: int, msg: str | bytes, attrs: str | bytes, origin: Origin,
                   ftype: int) -> Callable[[SendResult], None]:
        """What pushes a stored send to its recipients' and listeners' connections."""
        targets = target if isinstance(target, list) else [target or 0]
        to_servers = origin == "client" or self.config.push_server_api_messages
        hub = self.hub

        def deliver(result: SendResult) -> None:
            if not hub.has_audience(pid, to_servers):  # nobody to push to: no Delivery
                return
            for tgt, fresh, mtime in zip(targets, result.fresh, result.mtimes, strict=True):
                if fresh:
                    hub.deliver(Delivery(pid, kind, from_uid, tgt, mid, mtype, msg, attrs,
                                         mtime, ftype), to_servers=to_servers)

        return deliver

    async def _send_with(self, pid: int, kind: Kind, from_uid: int,
                         target: int | list[int] | None, mid: int, mtype: int,
                         msg: str | bytes, attrs: str | bytes, origin: Origin, ftype: int,
                         store_call: Callable[[], Awaitable[SendResult]]) -> int:
        """A send whose store write is ``store_call`` (the file gate's file + message)."""
        result = await store_call()
        self._deliverer(pid, kind, from_uid, target, mid, mtype, msg, attrs, origin,
                        ftype)(result)
        return result.mtime


def _mtime_answer(result: SendResult) -> Answer:
    return {"mtime": result.mtime}


def _log_quest(logger: logging.Logger, conn: ServerConnection, method: str, quest: Any,
               started: float, result: HandlerResult | None,
               error: BaseException | None) -> None:
    """The DEBUG line of one handled quest (the caller checked that DEBUG is on)."""
    ms = (time.perf_counter() - started) * 1000
    payload = quest.payload
    pid = payload.get("pid") if isinstance(payload, Mapping) else None
    if not isinstance(pid, int):
        pid = client_pid(conn)
    quest_text = _wirelog.describe(method, payload, logger)
    if error is not None:
        outcome = f"{_wirelog.error_label(error)} in {ms:.2f} ms"
    else:
        body = result if isinstance(result, Mapping) else None
        outcome = f"ok in {ms:.2f} ms, {_wirelog.describe(None, body, logger)}"
    logger.debug("%s pid %s seq %s from %s: %s -> %s", method, pid if pid is not None else "-",
                 quest.seq, conn.peer, quest_text, outcome)
