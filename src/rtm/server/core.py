"""State shared by the three gates: config, store, hub, authenticator, and the send path."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Literal, TypeVar

from rtm.fpnn.connection import FPNNConnection, HandlerResult
from rtm.fpnn.errors import FPNNError
from rtm.fpnn.server import ServerConnection
from rtm.server import codes
from rtm.server.auth import Authenticator
from rtm.server.config import ServerConfig
from rtm.server.console.live import LiveRecorder
from rtm.server.params import Params
from rtm.server.pushes import Delivery, Hub
from rtm.server.store import Kind, SendResult, Store, StoreError

T = TypeVar("T")
Origin = Literal["server", "client", "file"]
Answer = Mapping[str, Any] | None
GateHandler = Callable[[ServerConnection, Params], Awaitable[Answer]]


class ServerCore:
    def __init__(self, config: ServerConfig, logger: logging.Logger) -> None:
        self.config = config
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
            synchronous=config.synchronous,
        )
        self.hub = Hub(config, self.store, logger)
        self.auth = Authenticator(
            self.projects, self.now_ms,
            ts_window=config.sign_ts_window,
            replay_protection=config.replay_protection,
            replay_window=config.replay_window,
        )
        self.client_endpoint = ""
        self.file_endpoint = ""
        #: The console's live stream; None (nothing recorded, nothing wrapped) without console.
        self.live: LiveRecorder | None = (
            LiveRecorder(self.projects) if config.console_port is not None else None)
        self.hub.live = self.live
        self._work: set[asyncio.Task[Any]] = set()

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
        as raised, store business errors with their code, anything else 200999 (logged)."""
        logger = self.logger

        async def handler(conn: FPNNConnection, quest: Any) -> HandlerResult:
            assert isinstance(conn, ServerConnection)
            try:
                return await fn(conn, Params(quest.payload, method))
            except FPNNError:
                raise
            except StoreError as exc:
                raise codes.rtm_error(exc.code, exc.message) from None
            except Exception:
                logger.exception("internal error while handling %s", method)
                raise codes.rtm_error(codes.UNKNOWN_ERROR, "internal server error") from None

        if self.live is not None:  # the console's live stream
            return self.live.observe(method, handler)
        return handler

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
        """
        return await self.shielded(self._send(pid, kind, from_uid, target, mid, mtype, msg,
                                              attrs, origin, ftype, store_call))

    async def _send(self, pid: int, kind: Kind, from_uid: int,
                    target: int | list[int] | None, mid: int, mtype: int,
                    msg: str | bytes, attrs: str | bytes, origin: Origin, ftype: int,
                    store_call: Callable[[], Awaitable[SendResult]] | None) -> int:
        store = self.store
        if store_call is not None:
            result = await store_call()
            targets = target if isinstance(target, list) else [target or 0]
        elif isinstance(target, list):
            result = await store.send_multi(pid, from_uid, target, mid, mtype, msg, attrs)
            targets = target
        else:
            result = await store.send_message(pid, kind, from_uid, target, mid, mtype, msg,
                                              attrs)
            targets = [target or 0]
        to_servers = origin == "client" or self.config.push_server_api_messages
        for tgt, fresh, mtime in zip(targets, result.fresh, result.mtimes, strict=True):
            if fresh:
                self.hub.deliver(
                    Delivery(pid, kind, from_uid, tgt, mid, mtype, msg, attrs, mtime, ftype),
                    to_servers=to_servers)
        return result.mtime
