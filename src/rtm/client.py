"""The two RTM server clients: ``AsyncRTMServerClient`` (asyncio) and ``RTMServerClient`` (sync).

Every API method is defined once, in one area module of :mod:`rtm.api.methods`, as a builder that
validates its arguments and returns a :class:`rtm.api.call.Call`. A client only knows how to
execute a Call over its transport: the asyncio :class:`rtm.fpnn.FPNNClient`, or the blocking
:class:`rtm.fpnn.sync_client.SyncFPNNClient` on which the calling thread writes its own frame
and one reader thread hands answers back (one thread hop per call, not two).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import inspect
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Protocol, TypedDict, TypeVar

from rtm import _wirelog
from rtm.api.call import AsyncExecutor, Call, SyncExecutor, run_call_async, run_call_sync
from rtm.api.core import REMOVED_OPTIONS, RTMCore
from rtm.api.errors import to_rtm_error
from rtm.api.helpers import AsyncHelpers, SyncHelpers
from rtm.api.methods import RTMMethods
from rtm.api.monitor import RTMServerMonitor
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.errors import FPNNAnswerError, FPNNError
from rtm.fpnn.sync_client import SyncFPNNClient
from rtm.settings import Settings, read_pem, resolve_settings

if TYPE_CHECKING:
    from typing_extensions import Unpack

R = TypeVar("R")
ClientT = TypeVar("ClientT", bound="_ClientBase")
ConnectionCallback = Callable[[int], None]

#: RTM pushes a server connection receives (spec section 4); ``ping`` is answered by the
#: transport itself.
PUSH_METHODS = ("pushmsg", "pushgroupmsg", "pushroommsg", "pushevent")

DEFAULT_CONNECT_TIMEOUT = 30.0  # the RTM SDKs' defaults (spec fpnn 9.1)
DEFAULT_QUEST_TIMEOUT = 30.0
RECONNECT_FIRST_DELAY = 0.1  # background reconnect of listening clients: backoff bounds (s)
RECONNECT_MAX_DELAY = 5.0
_DEBUG = logging.DEBUG


class ClientOptions(TypedDict, total=False):
    """The keyword options of both client constructors, for ``from_env(**options)``."""

    connect_timeout: float
    quest_timeout: float
    monitor: RTMServerMonitor | None
    logger: logging.Logger | None
    on_connected: ConnectionCallback | None
    on_closed: ConnectionCallback | None
    protocol: Literal["current", "0.1.0"]
    keepalive: bool
    keepalive_interval: float


class _Transport(Protocol):
    connect_timeout: float
    quest_timeout: float
    logger: logging.Logger

    def enable_encryption(
        self,
        pem_key_path: str | os.PathLike[str] | None = None,
        *,
        pem_key_data: bytes | str | None = None,
        bits: int = 256,
        stream: bool = True,
    ) -> None: ...


def _check_seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name}(): seconds must be a number > 0, got {value!r}")
    return float(value)


class _SerialCalls:
    """Calls run one after another, in arrival order, by one drain job at a time.

    ``add`` queues a call and returns True when no drain job is running: the caller then
    starts one (``drain`` on a worker thread). A burst of pushes thus costs one hand-off to
    the worker instead of one per push. Thread-safe.
    """

    __slots__ = ("_items", "_lock", "_running")

    def __init__(self) -> None:
        self._items: collections.deque[tuple[Callable[..., Any], tuple[Any, ...]]] = (
            collections.deque())
        self._lock = threading.Lock()
        self._running = False

    def add(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
        with self._lock:
            self._items.append((fn, args))
            if self._running:
                return False
            self._running = True
            return True

    def start_failed(self) -> None:
        """The drain job could not be started: let the next ``add`` try again."""
        with self._lock:
            self._running = False

    def drain(self, call: Callable[[Callable[..., Any], tuple[Any, ...]], None]) -> None:
        items = self._items
        while True:
            with self._lock:
                if not items:
                    self._running = False
                    return
                fn, args = items.popleft()
            try:
                call(fn, args)
            except BaseException:
                self.start_failed()  # the next add() starts a new drain for what is left
                raise


def _restore_steps(step: Call[Any]) -> list[Call[Any]]:
    """The quests of a listen-restore chain (its steps do not depend on the answers)."""
    steps = [step]
    while steps[-1].then is not None:
        then = steps[-1].then
        assert then is not None
        steps.append(then(None))
    return steps


class _ClientBase(RTMCore, RTMMethods):
    """Configuration and push handling shared by both clients."""

    _transport: _Transport

    def __init__(
        self,
        pid: int,
        secret_key: str,
        endpoint: str,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        quest_timeout: float = DEFAULT_QUEST_TIMEOUT,
        monitor: RTMServerMonitor | None = None,
        logger: logging.Logger | None = None,
        on_connected: ConnectionCallback | None = None,
        on_closed: ConnectionCallback | None = None,
        protocol: Literal["current", "0.1.0"] = "current",
        keepalive: bool = False,
        keepalive_interval: float = 20.0,
        **removed: NoReturn,  # typed as nothing: any other keyword is a type error
    ) -> None:
        for name in removed:
            hint = REMOVED_OPTIONS.get(name)
            if hint is None:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument "
                                f"{name!r}")
            raise TypeError(f"{type(self).__name__}(): {name!r} was removed: {hint}")
        RTMCore.__init__(self, pid, secret_key, endpoint, protocol=protocol)
        self._connect_timeout = _check_seconds("connect_timeout", connect_timeout)
        self._quest_timeout = _check_seconds("quest_timeout", quest_timeout)
        self._keepalive = keepalive
        # Seconds of silence before a keep-alive ping (spec fpnn 9.2); a connection is given up
        # after keepalive_interval + 3 unanswered pings of quest_timeout each.
        self._keepalive_interval = _check_seconds("keepalive_interval", keepalive_interval)
        # SDK calls log to "rtm.client", the transport to "rtm.fpnn.*"; a logger given here
        # gets both.
        self._logger = logger or logging.getLogger("rtm.client")
        self._transport_logger = logger
        self._on_connected_cb = on_connected
        self._on_closed_cb = on_closed
        self._encryption: dict[str, Any] | None = None
        self._connections = 0
        self._closing = False  # close() was called: a drop is not to be repaired
        if monitor is not None:
            self.set_monitor(monitor)
        self._setup()

    def _setup(self) -> None:
        """Create the transport and the client kind's own state (end of ``__init__``)."""
        raise NotImplementedError

    @classmethod
    def from_env(
        cls: type[ClientT],
        env: Mapping[str, str] | None = None,
        *,
        config: str | os.PathLike[str] | None = None,
        **options: Unpack[ClientOptions],
    ) -> ClientT:
        """A client configured like the ``rtm`` command: ``RTM_ENDPOINT``, ``RTM_PID``,
        ``RTM_SECRET``, ``RTM_PEM`` (encrypt with this server public key), ``RTM_TIMEOUT``
        (connect and quest timeout), then the config file (``config``, else ``$RTM_CONFIG``,
        else ``~/.config/rtm/config.ini``), else the local development server.

        ``env`` defaults to ``os.environ``; ``options`` are the constructor's keyword options
        and win over ``RTM_TIMEOUT``. Bad or incomplete settings raise
        :class:`rtm.settings.ConfigError` (a ``ValueError``) naming the setting and its source.
        """
        settings = resolve_settings({}, os.environ if env is None else env,
                                    None if config is None else os.fspath(config))
        return cls.from_settings(settings, **options)

    @classmethod
    def from_settings(cls: type[ClientT], settings: Settings,
                      **options: Unpack[ClientOptions]) -> ClientT:
        """A client for resolved :class:`rtm.settings.Settings` (what ``from_env`` and the
        ``rtm`` command use): pid, secret, endpoint, the pem key, the timeout, the protocol."""
        pem = read_pem(settings)  # first: a missing key file is a settings error
        if settings.timeout is not None:
            options.setdefault("connect_timeout", settings.timeout)
            options.setdefault("quest_timeout", settings.timeout)
        options.setdefault("protocol", settings.protocol)
        # mypy matches an unpacked TypedDict against **removed too, hence the ignore
        client = cls(settings.pid, settings.secret, settings.endpoint,
                     **options)  # type: ignore[arg-type]
        if pem is not None:
            client.enable_encryptor(pem_key_data=pem)
        return client

    def __repr__(self) -> str:  # never shows the secret key
        return f"{type(self).__name__}(pid={self.pid}, endpoint={self.endpoint!r})"

    # ------------------------------------------------------------------ configuration

    def set_connect_timeout(self, seconds: float) -> None:
        self._connect_timeout = _check_seconds("set_connect_timeout", seconds)
        self._transport.connect_timeout = self._connect_timeout

    def set_quest_timeout(self, seconds: float) -> None:
        self._quest_timeout = _check_seconds("set_quest_timeout", seconds)
        self._transport.quest_timeout = self._quest_timeout

    def set_on_connected_callback(self, fn: ConnectionCallback | None) -> None:
        """``fn(connection_id)`` after each (re)connection; runs off the I/O thread."""
        self._on_connected_cb = fn

    def set_on_closed_callback(self, fn: ConnectionCallback | None) -> None:
        """``fn(connection_id)`` after the connection closes; runs off the I/O thread."""
        self._on_closed_cb = fn

    def set_logger(self, logger: logging.Logger) -> None:
        if not isinstance(logger, logging.Logger):
            raise TypeError(f"set_logger(): expected a logging.Logger, got {type(logger).__name__}")
        self._logger = self._transport_logger = logger
        self._transport.logger = logger

    def enable_encryptor(
        self,
        pem_key_path: str | os.PathLike[str] | None = None,
        *,
        pem_key_data: bytes | str | None = None,
        reinforce: bool = True,
        stream: bool = True,
    ) -> None:
        """Encrypt the connection with the server's ECC public key (PEM file or PEM bytes).

        ``reinforce``: AES-256 (default) or AES-128. ``stream``: stream mode (default, as
        the Go SDK) or package mode (as the official Python SDK). Takes effect on the next
        connection, so call it before the first API call.
        """
        try:
            self._transport.enable_encryption(pem_key_path, pem_key_data=pem_key_data,
                                              bits=256 if reinforce else 128, stream=stream)
        except FPNNError as exc:
            raise to_rtm_error(exc) from exc.__cause__
        self._encryption = {"pem_key_path": pem_key_path, "pem_key_data": pem_key_data,
                            "bits": 256 if reinforce else 128, "stream": stream}

    # ------------------------------------------------------------------ shared call plumbing

    def _quest_params(self, call: Call[Any]) -> dict[str, Any]:
        params = call.params
        if call.signed:
            params.update(self._auth_params(call.method))
        return params

    def _timeout(self, call: Call[Any]) -> float:
        return self._quest_timeout if call.timeout is None else call.timeout

    # Wire log (DEBUG): callers check self._logger.isEnabledFor(_DEBUG) once per quest and
    # call these only then, so a quest costs nothing more while DEBUG is off.

    def _log_quest(self, step: Call[Any], params: Mapping[str, Any]) -> float:
        where = "" if step.endpoint is None else f" (file gate {step.endpoint})"
        self._logger.debug("-> %s%s: %s", step.method, where,
                           _wirelog.describe(step.method, params, self._logger))
        return time.perf_counter()

    def _log_answer(self, step: Call[Any], answer: Mapping[str, Any] | None,
                    error: BaseException | None, started: float) -> None:
        ms = (time.perf_counter() - started) * 1000
        if error is not None:
            self._logger.debug("<- %s: %s in %.2f ms", step.method,
                               _wirelog.error_label(error), ms)
        else:
            self._logger.debug("<- %s: ok in %.2f ms, %s", step.method, ms,
                               _wirelog.describe(None, answer, self._logger))

    def _on_push(self, conn: object, quest: Quest) -> None:
        """Route a push: the answer goes out when this returns, the monitor runs after."""
        delivery = self._pushes.route(quest.method, quest.payload)
        if delivery is not None:
            self._deliver(*delivery)

    def _deliver(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def _note_connected(self, conn_id: int) -> Call[Any] | None:
        """Count connections; the listen-restore call a reconnection must send first."""
        self._connections += 1
        self._logger.info("connected to %s (connection %s%s)", self.endpoint, conn_id,
                          ", encrypted" if self._encryption else "")
        self._closing = False
        restore = self._listen_restore_call() if self._connections > 1 else None
        if restore is None:
            self._announce_connected(conn_id)
        return restore

    def _announce_connected(self, conn_id: int) -> None:
        """The user's on_connected: once the connection is ready, listen settings included."""
        if self._on_connected_cb is not None:
            self._deliver(self._on_connected_cb, (conn_id,))

    def _note_closed(self, conn_id: int) -> None:
        self._logger.info("connection %s to %s closed", conn_id, self.endpoint)
        if self._on_closed_cb is not None:
            self._deliver(self._on_closed_cb, (conn_id,))
        if not self._closing and self._listen_restore_call() is not None:
            # A client that only listens makes no calls that would reconnect it lazily:
            # reconnect in the background so pushes resume once the server is back.
            self._start_reconnect()

    def _start_reconnect(self) -> None:
        raise NotImplementedError


class AsyncRTMServerClient(_ClientBase, AsyncHelpers, AsyncExecutor):
    """asyncio RTM server client: every API method is a coroutine.

    ``async with AsyncRTMServerClient(pid, secret_key, "host:port") as client:
    mtime = await client.send_message(1, 2, 30, "hi")``
    """

    def _setup(self) -> None:
        self._transport = self._fpnn = FPNNClient(
            self.endpoint, connect_timeout=self._connect_timeout,
            quest_timeout=self._quest_timeout, keepalive=self._keepalive,
            keepalive_interval=self._keepalive_interval, logger=self._transport_logger,
            on_connected=self._connected, on_closed=self._note_closed)
        for method in PUSH_METHODS:
            self._fpnn.register(method, self._on_push)
        self._file_clients: dict[str, FPNNClient] = {}
        self._reconnect_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._serial = _SerialCalls()  # monitor/callback functions, run on self._pool

    async def connect(self) -> None:
        """Connect now instead of on the first call (raises an RTMError on failure)."""
        try:
            await self._fpnn.connect()
        except FPNNError as exc:
            raise to_rtm_error(exc) from exc.__cause__

    @property
    def connected(self) -> bool:
        return self._fpnn.connected

    async def _execute(self, call: Call[R]) -> R:
        if call.callback is not None:
            self._keep(asyncio.get_running_loop().create_task(self._run_with_callback(call)))
            return call.zero
        return await run_call_async(call, self._send)

    async def _send(self, step: Call[Any]) -> dict[str, Any]:
        client = self._fpnn if step.endpoint is None else self._file_client(step.endpoint)
        params = self._quest_params(step)
        log = self._logger.isEnabledFor(_DEBUG)
        started = self._log_quest(step, params) if log else 0.0
        try:
            try:
                answer = await client.quest(step.method, params, timeout=self._timeout(step))
            except FPNNAnswerError as exc:
                if not self._resign(step, exc.code):
                    raise
                answer = await client.quest(step.method, params, timeout=self._timeout(step))
        except BaseException as exc:
            if log:
                self._log_answer(step, None, exc, started)
            raise
        if log:
            self._log_answer(step, answer, None, started)
        return answer

    async def _run_with_callback(self, call: Call[Any]) -> None:
        try:
            result = await run_call_async(call, self._send)
        except Exception as exc:
            self._deliver(call.notify_error, (exc,))
        else:
            self._deliver(call.notify, (result,))

    def _file_client(self, endpoint: str) -> FPNNClient:
        client = self._file_clients.get(endpoint)
        if client is None:  # one plain connection per file gate, reused, closed with us
            client = FPNNClient(endpoint, connect_timeout=self._connect_timeout,
                                quest_timeout=self._quest_timeout,
                                logger=self._transport_logger)
            self._file_clients[endpoint] = client
        return client

    def _keep(self, task: asyncio.Future[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _deliver(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """User code never runs on the I/O loop: coroutines become tasks, functions go to
        a one-thread pool (which keeps pushes in order)."""
        loop = asyncio.get_running_loop()
        if inspect.iscoroutinefunction(fn):
            self._keep(loop.create_task(self._guard(fn(*args))))
            return
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="rtm-cb")
        if self._serial.add(fn, args):
            try:
                drain = loop.run_in_executor(self._pool, self._serial.drain, self._call_logged)
            except BaseException:
                self._serial.start_failed()
                raise
            self._keep(drain)

    async def _guard(self, coro: Any) -> None:
        try:
            await coro
        except Exception:
            self._logger.exception("monitor or callback coroutine failed")

    def _call_logged(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            fn(*args)
        except Exception:
            self._logger.exception("monitor or callback %r failed", fn)

    def _connected(self, conn_id: int) -> None:
        restore = self._note_connected(conn_id)
        conn = self._fpnn.connection
        if restore is not None and conn is not None:
            # Written before anything else on the new connection (spec 2.9: listen state
            # belongs to the connection, so a reconnect must re-apply it).
            self._send_restore(conn, restore)

    def _send_restore(self, conn: FPNNConnection, step: Call[Any]) -> None:
        # A restore may take two quests (the lists, then the flags; 0.1.0: setlisten
        # all=True, then removelisten p2p=True). They are written back to back, before
        # anything else on this connection, so the server applies them in order and before
        # any later call (waiting for the first answer would let a call slip in between).
        futures = []
        for quest in _restore_steps(step):
            try:
                fut = conn.send_quest(quest.method, self._quest_params(quest),
                                      self._timeout(quest))
            except FPNNError as exc:  # closed meanwhile: the next connection restores itself
                self._logger.warning("re-applying listen settings failed: %s", exc)
                return
            futures.append(fut)
        for fut in futures[:-1]:
            fut.add_done_callback(self._restore_logged)
        futures[-1].add_done_callback(functools.partial(self._restore_done, conn))

    def _restore_logged(self, fut: asyncio.Future[dict[str, Any]]) -> None:
        if not fut.cancelled() and fut.exception() is not None:
            self._logger.warning("re-applying listen settings failed: %s", fut.exception())

    def _restore_done(self, conn: FPNNConnection, fut: asyncio.Future[dict[str, Any]]) -> None:
        if fut.cancelled():
            return
        self._restore_logged(fut)
        self._announce_connected(conn.id)

    def _start_reconnect(self) -> None:
        if self._reconnect_task is None or self._reconnect_task.done():
            self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = RECONNECT_FIRST_DELAY
        while not self._closing and not self._fpnn.connected:
            try:
                await self._fpnn.connect()  # on_connected re-applies the listen settings
            except FPNNError as exc:
                self._logger.info("reconnect to %s failed (%s); next try in %.1f s",
                                  self.endpoint, exc.message, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY)

    async def close(self) -> None:
        """Close the connection(s); idempotent. Pending calls fail with connection-closed."""
        self._closing = True
        if self._reconnect_task is not None:
            self._reconnect_task.cancel()
            self._reconnect_task = None
        await self._fpnn.close()
        for client in self._file_clients.values():
            await client.close()
        self._file_clients.clear()
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    async def __aenter__(self) -> AsyncRTMServerClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class RTMServerClient(_ClientBase, SyncHelpers, SyncExecutor):
    """Blocking RTM server client, safe to call from many threads at once.

    Every method blocks and returns its result, or, given ``callback=``, returns the zero
    value at once and later calls ``callback(result, error_code, error_info)`` (or
    ``callback(error_code, error_info)``) on a worker thread.
    """

    def _setup(self) -> None:
        self._transport = self._fpnn = SyncFPNNClient(
            self.endpoint, connect_timeout=self._connect_timeout,
            quest_timeout=self._quest_timeout, keepalive=self._keepalive,
            keepalive_interval=self._keepalive_interval, logger=self._transport_logger,
            on_connected=self._connected, on_closed=self._note_closed)
        for method in PUSH_METHODS:
            self._fpnn.register(method, self._on_push)
        self._file_clients: dict[str, SyncFPNNClient] = {}
        self._reconnect_thread: threading.Thread | None = None
        self._closed_event = threading.Event()
        self._lock = threading.Lock()
        self._monitor_pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._callback_pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._serial = _SerialCalls()  # monitor calls, run on self._monitor_pool

    def connect(self) -> None:
        """Connect now instead of on the first call (raises an RTMError on failure)."""
        try:
            self._fpnn.connect()
        except FPNNError as exc:
            raise to_rtm_error(exc) from exc.__cause__

    @property
    def connected(self) -> bool:
        return self._fpnn.connected

    def _execute(self, call: Call[R]) -> R:
        if call.callback is not None:
            self._start_with_callback(call)
            return call.zero
        return run_call_sync(call, self._send)

    def _send(self, step: Call[Any]) -> dict[str, Any]:
        client = self._fpnn if step.endpoint is None else self._file_client(step.endpoint)
        params = self._quest_params(step)
        log = self._logger.isEnabledFor(_DEBUG)
        started = self._log_quest(step, params) if log else 0.0
        try:
            try:
                answer = client.quest(step.method, params, timeout=self._timeout(step))
            except FPNNAnswerError as exc:
                if not self._resign(step, exc.code):
                    raise
                answer = client.quest(step.method, params, timeout=self._timeout(step))
        except BaseException as exc:
            if log:
                self._log_answer(step, None, exc, started)
            raise
        if log:
            self._log_answer(step, answer, None, started)
        return answer

    def _start_with_callback(self, call: Call[Any]) -> None:
        if call.then is not None or call.endpoint is not None:
            # Multi-step (file) calls may connect to a file gate: run them on a worker.
            self._callbacks().submit(self._run_blocking_for_callback, call)
            return

        params = self._quest_params(call)
        started = self._log_quest(call, params) if self._logger.isEnabledFor(_DEBUG) else None
        retried = False

        def done(answer: dict[str, Any] | None, error: FPNNError | None) -> None:
            # Runs on the reader thread: parse here (cheap), hand user code to a worker.
            nonlocal retried
            if (error is not None and not retried and isinstance(error, FPNNAnswerError)
                    and self._resign(call, error.code)):
                retried = True
                try:
                    self._fpnn.quest_callback(call.method, params, done,
                                              timeout=self._timeout(call))
                except FPNNError as exc:
                    self._callbacks().submit(self._call_logged, call.notify_error,
                                             (to_rtm_error(exc),))
                return
            if started is not None:
                self._log_answer(call, answer, error, started)
            if error is None:
                assert answer is not None
                try:
                    result = call.parse(answer)
                    if call.on_success is not None:
                        call.on_success(result)
                except Exception as exc:
                    self._callbacks().submit(self._call_logged, call.notify_error, (exc,))
                    return
                self._callbacks().submit(self._call_logged, call.notify, (result,))
                return
            self._callbacks().submit(self._call_logged, call.notify_error,
                                     (to_rtm_error(error),))

        try:
            self._fpnn.quest_callback(call.method, params, done, timeout=self._timeout(call))
        except FPNNError as exc:
            raise to_rtm_error(exc) from exc.__cause__

    def _run_blocking_for_callback(self, call: Call[Any]) -> None:
        try:
            result = run_call_sync(call, self._send)
        except Exception as exc:
            self._call_logged(call.notify_error, (exc,))
        else:
            self._call_logged(call.notify, (result,))

    def _call_logged(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            fn(*args)
        except Exception:
            self._logger.exception("monitor or callback %r failed", fn)

    def _callbacks(self) -> concurrent.futures.ThreadPoolExecutor:
        pool = self._callback_pool
        if pool is None:
            with self._lock:
                if self._callback_pool is None:
                    self._callback_pool = concurrent.futures.ThreadPoolExecutor(
                        4, thread_name_prefix="rtm-callback")
                pool = self._callback_pool
        return pool

    def _deliver(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Monitor calls and connection callbacks: one worker thread, in arrival order."""
        pool = self._monitor_pool
        if pool is None:
            with self._lock:
                if self._monitor_pool is None:
                    self._monitor_pool = concurrent.futures.ThreadPoolExecutor(
                        1, thread_name_prefix="rtm-monitor")
                pool = self._monitor_pool
        if self._serial.add(fn, args):
            try:
                pool.submit(self._serial.drain, self._call_logged)
            except BaseException:
                self._serial.start_failed()
                raise

    def _file_client(self, endpoint: str) -> SyncFPNNClient:
        with self._lock:
            client = self._file_clients.get(endpoint)
            if client is None:
                client = SyncFPNNClient(endpoint, connect_timeout=self._connect_timeout,
                                        quest_timeout=self._quest_timeout,
                                        logger=self._transport_logger)
                self._file_clients[endpoint] = client
        return client

    def _connected(self, conn_id: int) -> None:
        restore = self._note_connected(conn_id)
        if restore is not None:
            self._send_restore(conn_id, restore)

    def _send_restore(self, conn_id: int, step: Call[Any]) -> None:
        # Every step written back to back, in order (see AsyncRTMServerClient._send_restore).
        quests = _restore_steps(step)

        def logged(answer: Mapping[str, Any] | None, error: FPNNError | None) -> None:
            if error is not None:
                self._logger.warning("re-applying listen settings failed: %s", error)

        def restored(answer: Mapping[str, Any] | None, error: FPNNError | None) -> None:
            logged(answer, error)
            self._announce_connected(conn_id)

        for i, quest in enumerate(quests):
            self._fpnn.quest_callback(quest.method, self._quest_params(quest),
                                      restored if i == len(quests) - 1 else logged,
                                      timeout=self._timeout(quest))

    def _start_reconnect(self) -> None:
        with self._lock:
            if self._reconnect_thread is not None and self._reconnect_thread.is_alive():
                return
            self._closed_event = threading.Event()
            self._reconnect_thread = threading.Thread(
                target=self._reconnect, args=(self._closed_event,), name="rtm-reconnect",
                daemon=True)
            self._reconnect_thread.start()

    def _reconnect(self, closed: threading.Event) -> None:
        delay = RECONNECT_FIRST_DELAY
        while not self._closing and not self._fpnn.connected:
            try:
                self._fpnn.connect()  # on_connected re-applies the listen settings
            except FPNNError as exc:
                self._logger.info("reconnect to %s failed (%s); next try in %.1f s",
                                  self.endpoint, exc.message, delay)
                if closed.wait(delay):
                    return
                delay = min(delay * 2, RECONNECT_MAX_DELAY)

    def close(self) -> None:
        """Close the connection(s); idempotent. Pending calls fail with connection-closed."""
        self._closing = True
        self._closed_event.set()
        self._fpnn.close()
        with self._lock:
            clients = list(self._file_clients.values())
            self._file_clients.clear()
        for client in clients:
            client.close()
        for pool in (self._callback_pool, self._monitor_pool):
            if pool is not None:
                pool.shutdown(wait=False)  # may be called from a callback thread
        self._callback_pool = self._monitor_pool = None

    def __enter__(self) -> RTMServerClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
