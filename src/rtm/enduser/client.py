"""The end-user clients: an end user logs in on the client gate with a token and speaks the
client protocol (``rtm-client-api.md``) as the official client SDKs do.

:class:`AsyncEndUserClient` (asyncio) keeps one connection logged in: it answers the gate's
``ping``, closes and logs in again when no ping came for ``ping_timeout`` seconds (the SDKs'
60 s rule), logs in again with backoff after a drop (never after a ``kickout``, a refused
token or the project black list), and hands pushes to a monitor and to the :meth:`next_push`
queue as typed objects (:mod:`rtm.enduser.pushes`). :class:`EndUserClient` is the same client
for blocking code, run on a private event-loop thread.

Every method is built once from its command's description (:mod:`rtm.enduser.methods`); the
clients only say how a built call is sent (``_execute``).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import inspect
import logging
import os
import ssl
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal, TypeVar

from rtm.api import args as _a
from rtm.api.call import AsyncExecutor, Call, SyncExecutor, run_call_async
from rtm.api.errors import (
    InvalidAuthTokenError,
    RTMClientClosedError,
    UnauthorizedError,
    to_rtm_error,
)
from rtm.api.signing import SnowflakeMidGenerator
from rtm.enduser.commands import session as session_cmd
from rtm.enduser.methods import EndUserMethods
from rtm.enduser.pushes import (
    MONITOR_METHODS,
    PUSH_METHODS,
    EndUserMonitor,
    Kickout,
    Push,
    PushDeduplicator,
    PushFormatError,
    parse_push,
)
from rtm.file_gate_clients import AsyncFileGatePool
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.errors import ClientClosedError, FPNNAnswerError, FPNNError

__all__ = ["PUSH_METHODS", "TRANSPORTS", "AsyncEndUserClient", "EndUserClient", "Push"]

R = TypeVar("R")
Transport = Literal["tcp", "ws"]

#: The transports an end user can log in over (spec §1): FPNN on TCP, FPNN over WebSocket.
TRANSPORTS: tuple[str, ...] = ("tcp", "ws")

#: The URL path of FPNN over WebSocket (spec §1.2).
WEBSOCKET_PATH = "/service/websocket"
#: The official SDKs close and log in again when no ``ping`` came for this long (spec §1.3).
DEFAULT_PING_TIMEOUT = 60.0
RELOGIN_FIRST_DELAY = 0.25  # after a failed re-login attempt; doubles up to relogin_max_delay
#: Re-login stops on these answers to ``auth`` (the SDKs stop too): the project black list,
#: an admin uid.
_FINAL_AUTH_CODES = (200024, 200025)
_AUTH_REFUSED = InvalidAuthTokenError.default_code


def _seconds(fn: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{fn}(): {name!r} must be a number > 0, got {value!r}")
    return float(value)


class AsyncEndUserClient(EndUserMethods, AsyncExecutor):
    """An end user on the client gate (asyncio).

    ``async with AsyncEndUserClient(gate, pid, uid, token) as user:`` logs in (raises
    PermissionError when the token is refused) and closes at the end;
    ``mtime = await user.send_message(2, 30, "hi")``; ``push = await user.next_push()``.

    ``endpoint``: the client gate, ``"host:port"`` or a ``ws://``/``wss://`` URL.
    ``transport``: ``"tcp"`` (FPNN frames on TCP, optionally encrypted with
    :meth:`enable_encryption`) or ``"ws"`` (FPNN over WebSocket, the web SDK's way:
    ``ws://host:port/service/websocket``); default: ``"ws"`` for a URL, else ``"tcp"``.
    ``version``/``lang``/``device``/``attrs``: what ``auth`` sends (the gate keeps ``lang``
    and ``attrs`` for this connection). ``monitor``: an :class:`EndUserMonitor` receiving the
    typed pushes and connection events. ``ping_timeout``: seconds without a ``ping`` from
    the gate before the connection is closed and the user logs in again (None: never).
    ``auto_relogin``: log in again after a drop (backoff from 0.25 s to
    ``relogin_max_delay``). ``dedup_seconds``: how long a message push is remembered to drop
    its repeats (0: keep repeats). ``max_queued_pushes``: the :meth:`next_push` queue's
    bound (the oldest push is dropped beyond it). ``ssl_context``: TLS settings of a
    ``wss://`` endpoint (e.g. trusting a self-signed certificate; with ``transport="ws"`` a
    ``host:port`` endpoint is then reached over ``wss://``), used for the file gate too.
    Files go to the file gate over the same transport (``ws``: its WebSocket URL).
    """

    def __init__(
        self,
        endpoint: str,
        pid: int,
        uid: int,
        token: str,
        *,
        transport: Transport | None = None,
        monitor: EndUserMonitor | None = None,
        quest_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        version: str = "rtm-py",
        lang: str | None = None,
        device: str | None = None,
        attrs: dict[str, str] | None = None,
        auto_relogin: bool = True,
        ping_timeout: float | None = DEFAULT_PING_TIMEOUT,
        relogin_max_delay: float = 5.0,
        dedup_seconds: float = 5.0,
        max_queued_pushes: int = 10_000,
        close_timeout: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        fn = type(self).__name__
        self._ssl_context = ssl_context
        self.pid = self._pid = _a._int(fn, "pid", pid, (1, 2**31 - 1, "a positive int32"))
        self.uid = self._uid = _a._int(fn, "uid", uid, (1, 2**63 - 1, "a positive int64"))
        self.token = _a._str(fn, "token", token)
        if not isinstance(endpoint, str):
            raise TypeError(f"{fn}(): 'endpoint' must be a str 'host:port' or a ws:// URL, "
                            f"got {type(endpoint).__name__}")
        if transport is None:
            transport = "ws" if endpoint.startswith(("ws://", "wss://")) else "tcp"
        if transport not in TRANSPORTS:
            raise ValueError(f"{fn}(): 'transport' must be one of {', '.join(TRANSPORTS)}, "
                             f"got {transport!r}")
        self.transport: Transport = transport
        self.endpoint = endpoint
        self.version = _a._str(fn, "version", version)
        self.lang = None if lang is None else _a._str(fn, "lang", lang)
        self.device = None if device is None else _a._str(fn, "device", device)
        self.attrs = None if attrs is None else _a._str_map(fn, "attrs", attrs)
        if monitor is not None and not isinstance(monitor, EndUserMonitor):
            raise TypeError(f"{fn}(): 'monitor' must be an EndUserMonitor, got "
                            f"{type(monitor).__name__}")
        self.monitor = monitor
        self._quest_timeout = _seconds(fn, "quest_timeout", quest_timeout)
        self._connect_timeout = _seconds(fn, "connect_timeout", connect_timeout)
        self.ping_timeout = (None if ping_timeout is None
                             else _seconds(fn, "ping_timeout", ping_timeout))
        self.auto_relogin = _a._bool(fn, "auto_relogin", auto_relogin)
        self._relogin_max_delay = _seconds(fn, "relogin_max_delay", relogin_max_delay)
        if isinstance(dedup_seconds, bool) or not isinstance(dedup_seconds, (int, float)) or \
                dedup_seconds < 0:
            raise ValueError(f"{fn}(): 'dedup_seconds' must be a number >= 0, got "
                             f"{dedup_seconds!r}")
        self._max_queued = _a._int(fn, "max_queued_pushes", max_queued_pushes,
                                   (1, 2**31 - 1, "a positive int"))
        self._close_timeout = _seconds(fn, "close_timeout", close_timeout)
        self.logger = logger or logging.getLogger("rtm.enduser")
        self._mids = SnowflakeMidGenerator()
        self._dedup = PushDeduplicator(float(dedup_seconds))
        #: The :meth:`next_push` queue (typed pushes, duplicates dropped).
        self.pushes: asyncio.Queue[Push] = asyncio.Queue()
        self._fpnn = self._make_transport(endpoint)
        # Reused per file gate, bounded in number and idle time (rtm.file_gate_clients).
        self._file_gates: AsyncFileGatePool[FPNNClient] = AsyncFileGatePool(
            self._file_gate_client)
        self._fpnn.register("ping", self._on_ping)
        for method in PUSH_METHODS:
            self._fpnn.register(method, self._on_push)
        # The session: wanted from a successful login until logout, kickout, a refused
        # re-login or close(); _authed is the id of the connection logged in now.
        self._session_wanted = False
        self._authed: int | None = None
        self._kicked = False
        self._closed = False
        self._last_ping = 0.0
        self._watchdog: asyncio.Task[None] | None = None
        self._relogin: asyncio.Task[None] | None = None
        self._relogin_base = 0  # the logins count when the running re-login loop started
        self._queue_overflowed = False
        #: Statistics: logins (the first and every re-login), duplicates dropped, the
        #: gate's pings answered.
        self.logins = 0
        self.duplicates = 0
        self.pings = 0
        # User code (monitor methods, callbacks) runs in arrival order, off the I/O path.
        self._user_calls: collections.deque[tuple[Callable[..., Any], tuple[Any, ...]]] = (
            collections.deque())
        self._drainer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    def _make_transport(self, endpoint: str) -> FPNNClient:
        """The connection to the gate, by ``self.transport``: the one place a transport is
        chosen. Everything above it (login, pings, pushes, re-login) is the same for all.

        ``ws``: rtm.fpnn's asyncio client given a WebSocket URL sends each FPNN frame as one
        binary message (a ``host:port`` endpoint becomes ``ws://host:port/service/websocket``,
        the URL the web SDK opens, or ``wss://`` given an ``ssl_context``; a
        ``ws://``/``wss://`` URL is used as it is)."""
        target = endpoint
        if self.transport == "ws" and "://" not in endpoint:
            scheme = "ws" if self._ssl_context is None else "wss"
            target = f"{scheme}://{endpoint}{WEBSOCKET_PATH}"
        elif self._ssl_context is not None and not endpoint.startswith("wss://"):
            # TLS settings asked for and silently not used would be worse than an error
            raise ValueError(f"{type(self).__name__}(): 'ssl_context' is for wss:// (or "
                             f"transport='ws' with a host:port endpoint), got {endpoint!r} "
                             f"with transport={self.transport!r}")
        self._secure = target.startswith("wss://")
        tls: dict[str, Any] = {}
        if self._ssl_context is not None:  # wss://: a private CA, a self-signed certificate
            tls["ssl_context"] = self._ssl_context
        return FPNNClient(target, connect_timeout=self._connect_timeout,
                          quest_timeout=self._quest_timeout, logger=self.logger,
                          on_open=self._on_open, on_connected=self._on_connected,
                          on_closed=self._on_closed, **tls)

    def __repr__(self) -> str:  # never shows the token
        return (f"{type(self).__name__}(endpoint={self.endpoint!r}, pid={self.pid}, "
                f"uid={self.uid}, transport={self.transport!r})")

    # ------------------------------------------------------------------ configuration

    def enable_encryption(self, pem_key_path: str | os.PathLike[str] | None = None, *,
                          pem_key_data: bytes | str | None = None, bits: int = 256,
                          stream: bool = False) -> None:
        """Encrypt the TCP connection with the gate's public key (PEM or DER), as the
        official SDKs do: ECDH, then AES-``bits`` in package mode (``stream=True``: stream
        mode). Takes effect on the next connection: call it before :meth:`login`. WebSocket
        has no FPNN encryption (spec §1.2: that is TLS's job)."""
        if self.transport != "tcp":
            raise ValueError("enable_encryption(): FPNN encryption is for transport='tcp' "
                             f"only, this client uses {self.transport!r}")
        try:
            self._fpnn.enable_encryption(pem_key_path, pem_key_data=pem_key_data, bits=bits,
                                         stream=stream)
        except FPNNError as exc:
            raise to_rtm_error(exc) from exc.__cause__

    def new_mid(self) -> int:
        """A fresh message id (what the send methods use when not given one)."""
        return self._mids.next()

    @property
    def encrypted(self) -> bool:
        """The current connection is encrypted."""
        conn = self._fpnn.connection
        return conn is not None and conn.encrypted

    @property
    def connected(self) -> bool:
        return self._fpnn.connected

    @property
    def logged_in(self) -> bool:
        """The current connection is open and logged in."""
        conn = self._fpnn.connection
        return conn is not None and self._authed == conn.id

    @property
    def kicked_out(self) -> bool:
        """The gate sent ``kickout``: the client stays logged out until :meth:`login`."""
        return self._kicked

    @property
    def peer(self) -> str:
        """This side's ``ip:port`` as the gate sees it (what a ``kickout {ce}`` names)."""
        conn = self._fpnn.connection
        if conn is None or conn._transport is None:
            return ""
        sock = conn._transport.get_extra_info("sockname")
        return f"{sock[0]}:{sock[1]}" if isinstance(sock, tuple) else ""

    # ------------------------------------------------------------------ login

    async def login(self, token: str | None = None) -> bool:
        """``auth`` with the token (a new one if given); False when the gate refuses it.

        Other refusals raise their RTMError (200024 the project black list, 200025 an admin
        uid). Once logged in, the client stays so: it logs in again after a drop.
        """
        self._check_open()
        if token is not None:
            self.token = _a._str("login", "token", token)
        if self.logged_in:
            return True
        self._kicked = False
        self._session_wanted = True
        try:
            conn = self._fpnn.connection
            if conn is None:
                conn = await self._fpnn.connect()  # _on_open logs in
            elif not await self._authenticate(conn):  # a connection opened by quest()
                self._session_wanted = False
                return False
            else:
                self._note_login(conn.id)
        except InvalidAuthTokenError:
            return False
        except FPNNError as exc:
            self._session_wanted = False
            raise to_rtm_error(exc) from exc.__cause__
        except BaseException:
            self._session_wanted = False
            raise
        self._start_watchdog()
        return True

    async def _authenticate(self, conn: FPNNConnection) -> bool:
        params = session_cmd.AUTH.quest(
            "login", pid=self.pid, uid=self.uid, token=self.token, version=self.version,
            lang=self.lang, device=self.device, attrs=self.attrs)
        answer = await conn.quest("auth", params, self._quest_timeout)
        if not answer.get("ok"):
            return False
        self._authed = conn.id
        self._last_ping = asyncio.get_running_loop().time()
        self.logins += 1
        return True

    async def _on_open(self, conn: FPNNConnection) -> None:
        """Every new connection logs in first while the session is wanted (the transport
        awaits this before anything else is sent on it)."""
        if not self._session_wanted:
            return  # a plain connection: quest() before login(), or after a kickout
        if not await self._authenticate(conn):
            self._session_wanted = False
            raise InvalidAuthTokenError(f"the gate refused the token of uid {self.uid}",
                                        _AUTH_REFUSED)

    def _on_connected(self, conn_id: int) -> None:
        if self._authed == conn_id:
            self._note_login(conn_id)

    def _note_login(self, conn_id: int) -> None:
        self.logger.info("uid %d logged in on %s (connection %d, %s%s)", self.uid,
                         self.endpoint, conn_id, self.transport,
                         ", encrypted" if self.encrypted else "")
        if self.monitor is not None:
            self._deliver(self.monitor.connected, (conn_id,))

    def _on_closed(self, conn_id: int) -> None:
        if self._authed != conn_id:
            return
        self._authed = None
        if not self.auto_relogin:
            self._session_wanted = False
        relogin = self._session_wanted and not self._closed
        self.logger.info("connection %d of uid %d closed%s", conn_id, self.uid,
                         "; logging in again" if relogin else "")
        if self.monitor is not None and not self._closed:
            self._deliver(self.monitor.closed, (conn_id, relogin))
        task = self._relogin
        # A loop whose login succeeded may not have resumed yet: this drop needs a new one.
        if relogin and (task is None or task.done() or self.logins > self._relogin_base):
            self._relogin_base = self.logins
            self._relogin = self._spawn(self._relogin_loop(self.logins))

    async def _relogin_loop(self, base: int) -> None:
        """Connect (``_on_open`` logs in) until logged in again: at once, then with backoff.
        ``base``: the logins count when the drop happened."""
        delay = RELOGIN_FIRST_DELAY
        attempts = 0
        while self._session_wanted and not self._closed:
            attempts += 1
            try:
                await self._fpnn.connect()  # _on_open logs in
            except ClientClosedError:
                return
            except FPNNAnswerError as exc:
                if exc.code == _AUTH_REFUSED or exc.code in _FINAL_AUTH_CODES:
                    self._session_wanted = False
                    self.logger.warning("re-login of uid %d refused: %s", self.uid, exc)
                    self._report_relogin(False, attempts, exc.code)
                    return
                self.logger.info("re-login of uid %d failed (%s); next try in %.2f s",
                                 self.uid, exc, delay)
            except FPNNError as exc:
                self.logger.info("re-login of uid %d failed (%s); next try in %.2f s",
                                 self.uid, exc.message, delay)
            else:
                if self.logins > base:  # logged in (a drop since then has its own loop)
                    self._report_relogin(True, attempts, 0)
                    return
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._relogin_max_delay)

    def _report_relogin(self, ok: bool, attempts: int, code: int) -> None:
        if self.monitor is not None:
            self._deliver(self.monitor.reloginned, (ok, attempts, code))

    # ------------------------------------------------------------------ pings and watchdog

    def _on_ping(self, conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        self._last_ping = asyncio.get_running_loop().time()
        self.pings += 1
        return {}

    def _start_watchdog(self) -> None:
        if self.ping_timeout is None or (self._watchdog is not None
                                         and not self._watchdog.done()):
            return
        self._watchdog = self._spawn(self._watch_pings(self.ping_timeout))

    async def _watch_pings(self, timeout: float) -> None:
        """Close the logged-in connection when the gate sent no ``ping`` for ``timeout``
        seconds (the re-login follows), looking every ``timeout / 4`` s (at most 10 s)."""
        loop = asyncio.get_running_loop()
        interval = min(timeout / 4, 10.0)
        while self._session_wanted and not self._closed:
            await asyncio.sleep(interval)
            conn = self._fpnn.connection
            if conn is None or self._authed != conn.id:
                continue
            silent = loop.time() - self._last_ping
            if silent > timeout:
                self.logger.warning("no ping from %s for %.1f s: closing connection %d to "
                                    "log in again", self.endpoint, silent, conn.id)
                conn.close()

    # ------------------------------------------------------------------ pushes

    def _on_push(self, conn: FPNNConnection, quest: Quest) -> dict[str, Any]:
        """On the I/O path: read, de-duplicate and queue; the answer goes out when this
        returns, the monitor runs later."""
        try:
            push = parse_push(quest.method, quest.payload, self.uid)
        except PushFormatError as exc:
            self.logger.warning("push %s from %s not understood: %s", quest.method,
                                self.endpoint, exc)
            push = Push(quest.method, dict(quest.payload))
        if isinstance(push, Kickout):
            self._kicked = True
            self._session_wanted = False  # the SDKs do not log in again after a kickout
            # and close the connection themselves (the gate only closes it after a grace)
            asyncio.get_running_loop().call_soon(conn.close)
        if not self._dedup.first_time(push):
            self.duplicates += 1
            return {}
        pushes = self.pushes
        if pushes.qsize() >= self._max_queued:
            pushes.get_nowait()
            if not self._queue_overflowed:
                self._queue_overflowed = True
                # With a monitor the queue is a spare view: no warning for not reading it.
                level = logging.DEBUG if self.monitor is not None else logging.WARNING
                self.logger.log(level, "more than %d pushes queued for uid %d: dropping the "
                                "oldest (read them with next_push())", self._max_queued,
                                self.uid)
        pushes.put_nowait(push)
        name = MONITOR_METHODS.get(type(push))
        if self.monitor is not None and name is not None:
            self._deliver(getattr(self.monitor, name), (push,))
        return {}

    async def next_push(self, timeout: float = 5.0) -> Push:
        """The next push received (raises TimeoutError when none arrives in time)."""
        return await asyncio.wait_for(self.pushes.get(), timeout)

    # ------------------------------------------------------------------ user code

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _deliver(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._user_calls.append((fn, args))
        if self._drainer is None or self._drainer.done():
            self._drainer = self._spawn(self._drain())

    async def _drain(self) -> None:
        """Run the queued user calls in order: coroutine functions awaited here, each run of
        plain functions in one job on the worker thread (a burst of pushes costs one thread
        hand-off, not one per push)."""
        loop = asyncio.get_running_loop()
        calls = self._user_calls
        while calls:
            fn, args = calls[0]
            if inspect.iscoroutinefunction(fn):
                calls.popleft()
                try:
                    await fn(*args)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    self.logger.exception("monitor or callback %r failed", fn)
                continue
            batch = []
            while calls and not inspect.iscoroutinefunction(calls[0][0]):
                batch.append(calls.popleft())
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    1, thread_name_prefix="rtm-enduser")
            for pending in await loop.run_in_executor(self._pool, self._run_batch, batch):
                try:
                    await pending  # a plain method that returned an awaitable
                except asyncio.CancelledError:
                    raise
                except Exception:
                    self.logger.exception("monitor or callback awaitable failed")

    def _run_batch(self, batch: list[tuple[Callable[..., Any], tuple[Any, ...]]]
                   ) -> list[Awaitable[Any]]:
        awaitables: list[Awaitable[Any]] = []
        for fn, args in batch:
            try:
                result = fn(*args)
            except Exception:
                self.logger.exception("monitor or callback %r failed", fn)
                continue
            if inspect.isawaitable(result):
                awaitables.append(result)
        return awaitables

    # ------------------------------------------------------------------ calls

    def _check_open(self) -> None:
        if self._closed:
            raise RTMClientClosedError(f"{type(self).__name__} is closed")

    async def _execute(self, call: Call[R]) -> R:
        self._check_open()
        if call.callback is not None:
            self._spawn(self._run_with_callback(call))
            return call.zero
        return await run_call_async(call, self._send)

    async def _run_with_callback(self, call: Call[Any]) -> None:
        try:
            result = await run_call_async(call, self._send)
        except Exception as exc:
            self._deliver(call.notify_error, (exc,))
        else:
            self._deliver(call.notify, (result,))

    async def _send(self, step: Call[Any]) -> dict[str, Any]:
        if self._kicked:
            raise UnauthorizedError(f"uid {self.uid} was kicked out: login() again first",
                                    UnauthorizedError.default_code)
        timeout = self._quest_timeout if step.timeout is None else step.timeout
        if step.endpoint is not None:  # a file-gate quest (spec §4): a plain connection
            return await self._send_to_file_gate(step, step.endpoint, timeout)
        return await self._fpnn.quest(step.method, step.params, timeout=timeout)

    async def _send_to_file_gate(self, step: Call[Any], endpoint: str,
                                 timeout: float | None) -> dict[str, Any]:
        target = self._file_gate_target(endpoint)
        return await self._file_gates.run(target, lambda client: client.quest(
            step.method, step.params, timeout=timeout))

    def _file_gate_target(self, endpoint: str) -> str:
        """Where a file quest goes: the file gate ``endpoint`` (``host:port``, from
        ``filetoken``) over this client's transport. A WebSocket user sends files over
        WebSocket as the web SDK does (spec §1.2, §4: the file gate accepts it on its port),
        ``wss://`` when the client gate is reached over ``wss://``, so it never needs plain
        TCP."""
        if self.transport != "ws" or "://" in endpoint:
            return endpoint
        scheme = "wss" if self._secure else "ws"
        return f"{scheme}://{endpoint}{WEBSOCKET_PATH}"

    def _file_gate_client(self, target: str) -> FPNNClient:
        tls: dict[str, Any] = {}
        if self._ssl_context is not None and target.startswith("wss://"):
            tls["ssl_context"] = self._ssl_context
        return FPNNClient(target, connect_timeout=self._connect_timeout,
                          quest_timeout=self._quest_timeout, logger=self.logger, **tls)

    async def quest(self, method: str, params: dict[str, Any] | None = None, *,
                    timeout: float | None = None) -> dict[str, Any]:
        """Any client-gate quest by its wire name, unchecked (for tests of the gate)."""
        self._check_open()
        return await self._fpnn.quest(method, params or {}, timeout=timeout)

    # ------------------------------------------------------------------ closing

    async def wait_closed(self, timeout: float = 5.0) -> None:
        """Wait until the gate closes the connection (after a kickout, for example)."""
        conn = self._fpnn.connection
        if conn is not None:
            await asyncio.wait_for(asyncio.shield(conn.closed_future), timeout)

    async def logout(self) -> None:
        """``bye``, then close for good (the gate closes its side after answering)."""
        if self.logged_in:
            self._session_wanted = False
            try:
                await self._fpnn.quest("bye", {}, timeout=min(self._quest_timeout, 2.0))
            except FPNNError as exc:
                self.logger.info("bye: %s", exc)
        await self.close()

    async def close(self) -> None:
        """Close for good (idempotent): pending calls fail, later calls raise
        RTMClientClosedError, nothing logs in again. Monitor methods and callbacks still
        queued get ``close_timeout`` seconds, then are cancelled."""
        if self._closed and not self._tasks:
            return
        self._closed = True
        self._session_wanted = False
        for task in (self._watchdog, self._relogin):
            if task is not None:
                task.cancel()
        await self._fpnn.close()
        await self._file_gates.close()
        current = asyncio.current_task()
        pending = [t for t in self._tasks if t is not current and t is not self._drainer]
        if pending:
            await asyncio.wait(pending, timeout=1.0)
        drainer = self._drainer
        if drainer is not None and drainer is not current and not drainer.done():
            done, _ = await asyncio.wait({drainer}, timeout=self._close_timeout)
            if not done:
                self.logger.warning("close(): cancelling monitor or callback calls still "
                                    "running after %g s", self._close_timeout)
                drainer.cancel()
                await asyncio.wait({drainer}, timeout=1.0)
        for task in list(self._tasks):
            if task is not current and not task.done():
                task.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    async def __aenter__(self) -> AsyncEndUserClient:
        if not await self.login():
            await self.close()
            raise PermissionError(f"the gate refused the token of uid {self.uid}")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class EndUserClient(EndUserMethods, SyncExecutor):
    """The end-user client for blocking code: the same methods and options as
    :class:`AsyncEndUserClient`, which it runs on a private event-loop thread.

    ``with EndUserClient(gate, pid, uid, token) as user: user.send_message(2, 30, "hi")``.
    Every method blocks and returns its result, or with ``callback=`` returns the zero value
    at once and calls ``callback(result, code, info)`` (``callback(code, info)`` for methods
    without a result) later on a worker thread. Monitor methods run on that worker thread
    too, so they may call this client's methods.
    """

    def __init__(self, endpoint: str, pid: int, uid: int, token: str,
                 **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever,
                                        name=f"rtm-enduser-{uid}", daemon=True)
        self._thread.start()
        try:
            # Built on the loop's thread: its queue and tasks belong to that loop.
            self._async = self._run(self._make(endpoint, pid, uid, token, options))
        except BaseException:
            self._stop_loop()
            raise
        self._pid, self._uid, self._mids = self._async.pid, self._async.uid, self._async._mids

    @staticmethod
    async def _make(endpoint: str, pid: int, uid: int, token: str,
                    options: dict[str, Any]) -> AsyncEndUserClient:
        return AsyncEndUserClient(endpoint, pid, uid, token, **options)

    def _run(self, coro: Coroutine[Any, Any, R], timeout: float | None = None) -> R:
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("EndUserClient: a blocking call from its own event loop "
                               "thread (use an async monitor method's AsyncEndUserClient)")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def __repr__(self) -> str:
        return repr(self._async).replace("AsyncEndUserClient", "EndUserClient", 1)

    @property
    def pid(self) -> int:
        return self._async.pid

    @property
    def uid(self) -> int:
        return self._async.uid

    @property
    def connected(self) -> bool:
        return self._async.connected

    @property
    def logged_in(self) -> bool:
        return self._async.logged_in

    @property
    def kicked_out(self) -> bool:
        return self._async.kicked_out

    @property
    def encrypted(self) -> bool:
        return self._async.encrypted

    @property
    def monitor(self) -> EndUserMonitor | None:
        return self._async.monitor

    @property
    def client(self) -> AsyncEndUserClient:
        """The asyncio client underneath (use it only from its loop's thread)."""
        return self._async

    def new_mid(self) -> int:
        """A fresh message id (what the send methods use when not given one)."""
        return self._mids.next()

    def enable_encryption(self, pem_key_path: str | os.PathLike[str] | None = None, *,
                          pem_key_data: bytes | str | None = None, bits: int = 256,
                          stream: bool = False) -> None:
        """See :meth:`AsyncEndUserClient.enable_encryption`."""
        self._async.enable_encryption(pem_key_path, pem_key_data=pem_key_data, bits=bits,
                                      stream=stream)

    def login(self, token: str | None = None) -> bool:
        """See :meth:`AsyncEndUserClient.login`."""
        return self._run(self._async.login(token))

    def next_push(self, timeout: float = 5.0) -> Push:
        """The next push received (raises TimeoutError when none arrives in time)."""
        return self._run(self._async.next_push(timeout))

    def quest(self, method: str, params: dict[str, Any] | None = None, *,
              timeout: float | None = None) -> dict[str, Any]:
        """Any client-gate quest by its wire name, unchecked (for tests of the gate)."""
        return self._run(self._async.quest(method, params, timeout=timeout))

    def wait_closed(self, timeout: float = 5.0) -> None:
        self._run(self._async.wait_closed(timeout))

    def _execute(self, call: Call[R]) -> R:
        return self._run(self._async._execute(call))

    def logout(self) -> None:
        """``bye``, then close for good."""
        if self._loop.is_closed():
            return
        self._run(self._async.logout())
        self._stop_loop()

    def close(self) -> None:
        """Close for good (idempotent); stops the private loop thread."""
        if self._loop.is_closed():
            return
        if self._loop.is_running():
            self._run(self._async.close())
        self._stop_loop()

    def _stop_loop(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            if threading.current_thread() is not self._thread:
                self._thread.join(5.0)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()

    def __enter__(self) -> EndUserClient:
        if not self.login():
            self.close()
            raise PermissionError(f"the gate refused the token of uid {self.uid}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
