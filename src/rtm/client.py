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
from rtm.api.errors import RTMClientClosedError, to_rtm_error
from rtm.api.helpers import AsyncHelpers, SyncHelpers
from rtm.api.methods import RTMMethods
from rtm.api.monitor import RTMServerMonitor
from rtm.api.wrong_port import explain
from rtm.file_gate_clients import (
    FILE_GATE_IDLE,
    FILE_GATE_LIMIT,
    AsyncFileGatePool,
    FileGateClients,
)
from rtm.fpnn.client import FPNNClient
from rtm.fpnn.codec import Quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.errors import ClientClosedError, FPNNAnswerError, FPNNError
from rtm.fpnn.sync_client import SyncFPNNClient, check_busy_poll
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
    close_timeout: float
    keepalive: bool
    keepalive_interval: float
    busy_poll: float


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


class _Workers:
    """Runs the blocking client's user callbacks off the reader thread, cheaply.

    Calls queue on a deque and one worker drains it: a burst of answers costs one wake-up,
    not a thread hand-off per call. The quests the callbacks send (often the next call) are
    held on the worker thread and sent together after each batch (``flush``), so that a
    burst also costs one write. A callback that takes longer than ``ASSIST_AFTER`` seconds
    does not hold the queue up for long: the next call queued meanwhile wakes another worker
    (at most ``max_workers``). After ``close()`` calls run on the thread that queues them.
    """

    ASSIST_AFTER = 0.05
    BATCH = 32  # callbacks between two flushes of the held writes

    def __init__(self, name: str, max_workers: int, hold: Callable[[bool], None],
                 flush: Callable[[], None], logger: logging.Logger) -> None:
        self._name = name
        self._max = max_workers
        self._hold = hold
        self._flush = flush
        self._logger = logger
        self._items: collections.deque[tuple[Callable[..., Any], tuple[Any, ...]]] = (
            collections.deque())
        self._cond = threading.Condition(threading.Lock())
        self._threads = 0
        self._active = 0  # workers draining the queue (not waiting)
        self._idle = 0  # workers waiting for calls
        self._busy_since = 0.0  # when the callback running now started
        self._closed = False

    def add(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        if self._closed:
            self._call(fn, args)
            return
        self._items.append((fn, args))
        if not self._active:
            with self._cond:
                if self._idle:
                    self._cond.notify()
                elif self._threads < self._max:
                    self._start()
        elif time.monotonic() - self._busy_since > self.ASSIST_AFTER:
            with self._cond:  # the callback running now is slow: help with the rest
                if self._idle:
                    self._cond.notify()
                elif self._threads < self._max:
                    self._start()
        if self._closed:  # close() ran meanwhile: leave nothing behind
            self._drain_here()

    def _start(self) -> None:  # holding _cond
        self._threads += 1
        self._active += 1
        self._busy_since = time.monotonic()  # not "slow" before it has started
        threading.Thread(target=self._work, name=f"{self._name}-{self._threads}",
                         daemon=True).start()

    def _call(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            fn(*args)
        except Exception:
            self._logger.exception("callback %r failed", fn)

    def _drain_here(self) -> None:
        items = self._items
        while True:
            try:
                fn, args = items.popleft()
            except IndexError:
                return
            self._call(fn, args)

    def _work(self) -> None:
        items = self._items
        cond = self._cond
        monotonic = time.monotonic
        self._hold(True)
        try:
            while True:
                with cond:
                    self._active -= 1
                    while not items:
                        if self._closed:
                            self._threads -= 1
                            return
                        self._idle += 1
                        cond.wait()
                        self._idle -= 1
                    self._active += 1
                    self._busy_since = monotonic()  # an idle spell is not a slow callback
                done = 0
                while True:
                    try:
                        fn, args = items.popleft()
                    except IndexError:
                        break
                    self._busy_since = monotonic()
                    try:
                        fn(*args)
                    except Exception:
                        self._logger.exception("callback %r failed", fn)
                    done += 1
                    if done % self.BATCH == 0:
                        self._flush()
                self._flush()
        finally:
            self._hold(False)

    def close(self) -> None:
        """Workers finish what is queued, then exit; later calls run inline."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _ClientBase(RTMCore, RTMMethods):
    """Configuration and push handling shared by both clients."""

    _transport: _Transport
    #: File-gate connections kept at most, and seconds one stays open unused (file sends
    #: reuse them; see :mod:`rtm.file_gate_clients`). Set on a subclass or before the first
    #: file send.
    file_gate_limit: int = FILE_GATE_LIMIT
    file_gate_idle: float = FILE_GATE_IDLE

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
        close_timeout: float = 5.0,
        busy_poll: float = 0.0,
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
        # close() waits this long for monitor and callback coroutines (asyncio client)
        self._close_timeout = _check_seconds("close_timeout", close_timeout)
        # Blocking client: seconds a lone call polls for its answer before sleeping.
        self._busy_poll = check_busy_poll(busy_poll)
        self._connections = 0
        self._closed = False  # close() was called: final, nothing reopens the client
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
                     **options)  # type: ignore[arg-type,unused-ignore]
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

    def _check_open(self) -> None:
        if self._closed:
            raise RTMClientClosedError(f"{type(self).__name__} is closed")

    def _note_connected(self, conn_id: int) -> None:
        """The transport's on_connected, once the listen settings are re-applied: count the
        connection and tell the user. Nothing here can reopen a closed client."""
        if self._closed:
            return
        self._connections += 1
        self._logger.info("connected to %s (connection %s%s)", self.endpoint, conn_id,
                          ", encrypted" if self._encryption else "")
        if self._on_connected_cb is not None:
            self._deliver(self._on_connected_cb, (conn_id,))

    def _note_closed(self, conn_id: int) -> None:
        self._logger.info("connection %s to %s closed", conn_id, self.endpoint)
        if self._on_closed_cb is not None:
            self._deliver(self._on_closed_cb, (conn_id,))
        if not self._closed and self._listen_restore_call() is not None:
            # A client that only listens makes no calls that would reconnect it lazily:
            # reconnect in the background so pushes resume once the server is back.
            self._start_reconnect()

    def _start_reconnect(self) -> None:
        raise NotImplementedError


class AsyncRTMServerClient(_ClientBase, AsyncHelpers, AsyncExecutor):
    """asyncio RTM server client: every API method is a coroutine.

    ``async with AsyncRTMServerClient(pid, secret_key, "host:port") as client:
    mtime = await client.send_message(1, 2, 30, "hi")``

    Every task it starts is its own and ends with ``close()``: monitor and callback
    coroutines get ``close_timeout`` seconds (default 5) to finish, then are cancelled.
    """

    def _setup(self) -> None:
        if self._busy_poll:
            raise ValueError("busy_poll is an option of the blocking RTMServerClient: the "
                             "asyncio client waits for answers in its event loop")
        self._transport = self._fpnn = FPNNClient(
            self.endpoint, connect_timeout=self._connect_timeout, quest_timeout=self._quest_timeout,
            keepalive=self._keepalive, keepalive_interval=self._keepalive_interval,
            logger=self._transport_logger, on_connected=self._note_connected,
            on_closed=self._note_closed, on_open=self._restore_listen)
        for method in PUSH_METHODS:
            self._fpnn.register(method, self._on_push)
        self._file_gates: AsyncFileGatePool[FPNNClient] = AsyncFileGatePool(
            lambda endpoint: FPNNClient(endpoint, connect_timeout=self._connect_timeout,
                                        quest_timeout=self._quest_timeout,
                                        logger=self._transport_logger),
            self.file_gate_limit, self.file_gate_idle)
        self._reconnect_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._serial = _SerialCalls()  # monitor/callback functions, run on self._pool

    async def connect(self) -> None:
        """Connect now instead of on the first call (raises an RTMError on failure;
        ClientClosedError after ``close()``)."""
        self._check_open()
        try:
            await self._fpnn.connect()
        except FPNNError as exc:
            raise to_rtm_error(exc) from exc.__cause__

    @property
    def connected(self) -> bool:
        return self._fpnn.connected

    async def _execute(self, call: Call[R]) -> R:
        if self._closed:
            self._check_open()
        if call.callback is not None:
            self._keep(asyncio.get_running_loop().create_task(self._run_with_callback(call)))
            return call.zero
        return await run_call_async(call, self._send)

    async def _send(self, step: Call[Any]) -> dict[str, Any]:
        if step.endpoint is not None:
            return await self._send_to_file_gate(step, step.endpoint)
        return await self._send_on(self._fpnn, step)

    async def _send_to_file_gate(self, step: Call[Any], endpoint: str) -> dict[str, Any]:
        return await self._file_gates.run(endpoint, lambda client: self._send_on(client, step))

    async def _send_on(self, client: FPNNClient, step: Call[Any]) -> dict[str, Any]:
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
        except FPNNError as exc:
            if log:
                self._log_answer(step, None, exc, started)
            explained = explain(exc, client.endpoint)
            if explained is exc:
                raise
            raise explained from exc.__cause__
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

    def _keep(self, task: asyncio.Future[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _deliver(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """User code never runs on the I/O loop: coroutines become tasks, functions go to
        a one-thread pool (which keeps pushes in order)."""
        loop = asyncio.get_running_loop()
        if inspect.iscoroutinefunction(fn):
            self._keep(loop.create_task(self._guard(fn, args)))
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

    async def _guard(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        # The coroutine is made here, not by the caller: a task cancelled before it starts
        # (close() after its grace period) then leaves no coroutine that was never awaited.
        try:
            await fn(*args)
        except Exception:
            self._logger.exception("monitor or callback coroutine failed")

    def _call_logged(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            fn(*args)
        except Exception:
            self._logger.exception("monitor or callback %r failed", fn)

    async def _restore_listen(self, conn: FPNNConnection) -> None:
        """On a new connection, before anything else is sent on it: re-apply the listen
        settings (spec 2.9: listen state belongs to the connection). A restore may take
        two steps (setlisten all=True, then removelisten p2p=True): the chain runs to its
        end, on this connection only."""
        step = self._listen_restore_call()
        while step is not None and not conn.closed and not self._closed:
            try:
                answer = await conn.quest(step.method, self._quest_params(step),
                                          self._timeout(step))
            except FPNNError as exc:  # closed meanwhile: the next connection restores itself
                self._logger.warning("re-applying listen settings failed: %s", exc)
                return
            step = None if step.then is None else step.then(step.parse(answer))

    def _start_reconnect(self) -> None:
        if self._closed:
            return
        if self._reconnect_task is None or self._reconnect_task.done():
            self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = RECONNECT_FIRST_DELAY
        while not self._closed and not self._fpnn.connected:
            try:
                await self._fpnn.connect()  # on_open re-applies the listen settings
            except ClientClosedError:
                return
            except FPNNError as exc:
                self._logger.info("reconnect to %s failed (%s); next try in %.1f s",
                                  self.endpoint, exc.message, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY)

    async def close(self) -> None:
        """Close for good; idempotent. Pending calls fail with connection-closed, every
        later call raises ClientClosedError. Monitor and callback coroutines still running
        get ``close_timeout`` seconds, then are cancelled; nothing the client started
        outlives this."""
        if self._closed and not self._tasks and self._reconnect_task is None:
            return
        self._closed = True
        reconnect, self._reconnect_task = self._reconnect_task, None
        if reconnect is not None:
            reconnect.cancel()
        await self._fpnn.close()  # pending calls fail now: their callbacks are delivered
        await self._file_gates.close()
        if reconnect is not None:
            await asyncio.gather(reconnect, return_exceptions=True)
        await self._finish_tasks()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    async def _finish_tasks(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._close_timeout
        current = asyncio.current_task()
        while True:
            # Tasks may start others (a failing call delivers its error): look again.
            pending = {t for t in self._tasks if not t.done() and t is not current}
            if not pending or loop.time() >= deadline:
                break
            await asyncio.wait(pending, timeout=deadline - loop.time())
        stuck = [t for t in pending if isinstance(t, asyncio.Task)]
        if stuck:
            self._logger.warning("close(): cancelling %d monitor or callback coroutine(s) "
                                 "still running after %g s", len(stuck), self._close_timeout)
            for task in stuck:
                task.cancel()
            await asyncio.wait(stuck, timeout=1.0)  # a coroutine may not honour it at once

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
            self.endpoint, connect_timeout=self._connect_timeout, quest_timeout=self._quest_timeout,
            keepalive=self._keepalive, keepalive_interval=self._keepalive_interval,
            busy_poll=self._busy_poll, logger=self._transport_logger,
            on_connected=self._opened, on_closed=self._note_closed)
        for method in PUSH_METHODS:
            self._fpnn.register(method, self._on_push)
        self._file_clients: FileGateClients[SyncFPNNClient] = FileGateClients(
            self.file_gate_limit, self.file_gate_idle)
        self._file_idle_timer: threading.Timer | None = None
        self._reconnect_thread: threading.Thread | None = None
        self._closed_event = threading.Event()
        self._lock = threading.Lock()
        self._monitor_pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._callbacks = _Workers("rtm-callback", 4, self._fpnn.hold_writes, self._fpnn.flush,
                                   self._logger)
        self._serial = _SerialCalls()  # monitor calls, run on self._monitor_pool

    def connect(self) -> None:
        """Connect now instead of on the first call (raises an RTMError on failure;
        ClientClosedError after ``close()``)."""
        self._check_open()
        try:
            self._fpnn.connect()
        except FPNNError as exc:
            raise to_rtm_error(exc) from exc.__cause__

    @property
    def connected(self) -> bool:
        return self._fpnn.connected

    def _execute(self, call: Call[R]) -> R:
        if self._closed:
            self._check_open()
        if call.callback is not None:
            self._start_with_callback(call)
            return call.zero
        return run_call_sync(call, self._send)

    def _send(self, step: Call[Any]) -> dict[str, Any]:
        if step.endpoint is not None:
            return self._send_to_file_gate(step, step.endpoint)
        return self._send_on(self._fpnn, step)

    def _send_to_file_gate(self, step: Call[Any], endpoint: str) -> dict[str, Any]:
        client, stale = self._file_clients.acquire(endpoint, lambda: SyncFPNNClient(
            endpoint, connect_timeout=self._connect_timeout, quest_timeout=self._quest_timeout,
            logger=self._transport_logger))
        for old in stale:
            old.close()
        try:
            return self._send_on(client, step)
        finally:
            for old in self._file_clients.release(endpoint, client):
                old.close()
            self._watch_idle_file_clients()

    def _watch_idle_file_clients(self) -> None:
        """One timer thread at most, alive while an unused file-gate client is open."""
        with self._lock:
            if self._file_idle_timer is not None or self._closed:
                return
            delay = self._file_clients.next_expiry()
            if delay is None:
                return
            timer = self._file_idle_timer = threading.Timer(delay,
                                                            self._close_idle_file_clients)
            timer.daemon = True
            timer.start()

    def _close_idle_file_clients(self) -> None:
        with self._lock:
            self._file_idle_timer = None
        for client in self._file_clients.expired():
            client.close()
        self._watch_idle_file_clients()

    def _send_on(self, client: SyncFPNNClient, step: Call[Any]) -> dict[str, Any]:
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
        except FPNNError as exc:
            if log:
                self._log_answer(step, None, exc, started)
            explained = explain(exc, client.endpoint)
            if explained is exc:
                raise
            raise explained from exc.__cause__
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
            self._callbacks.add(self._run_blocking_for_callback, (call,))
            return
        add = self._callbacks.add
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
                    add(call.notify_error, (to_rtm_error(exc),))
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
                    add(call.notify_error, (exc,))
                    return
                add(call.notify, (result,))
                return
            add(call.notify_error, (to_rtm_error(error),))

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

    def _deliver(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Monitor calls and connection callbacks: one worker thread, in arrival order
        (after close(): on the calling thread, so that no pool starts again)."""
        if self._closed and self._monitor_pool is None:
            self._call_logged(fn, args)
            return
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

    def _opened(self, conn_id: int) -> None:
        """The transport's on_connected: it runs on the thread that opened the connection,
        before any other thread may use it, so the listen settings are re-applied (spec 2.9:
        they belong to the connection) before anything else is sent on it. A restore may
        take two steps (setlisten all=True, then removelisten p2p=True): the chain runs to
        its end, on this connection."""
        step = self._listen_restore_call()
        while step is not None and not self._closed:
            try:
                answer = self._fpnn.quest(step.method, self._quest_params(step),
                                          timeout=self._timeout(step))
            except FPNNError as exc:  # closed meanwhile: the next connection restores itself
                self._logger.warning("re-applying listen settings failed: %s", exc)
                break
            step = None if step.then is None else step.then(step.parse(answer))
        self._note_connected(conn_id)

    def _start_reconnect(self) -> None:
        with self._lock:
            if self._closed:
                return
            if self._reconnect_thread is not None and self._reconnect_thread.is_alive():
                return
            self._closed_event = threading.Event()
            self._reconnect_thread = threading.Thread(
                target=self._reconnect, args=(self._closed_event,), name="rtm-reconnect",
                daemon=True)
            self._reconnect_thread.start()

    def _reconnect(self, closed: threading.Event) -> None:
        delay = RECONNECT_FIRST_DELAY
        while not self._closed and not self._fpnn.connected:
            try:
                self._fpnn.connect()  # on_connected re-applies the listen settings
            except ClientClosedError:
                return
            except FPNNError as exc:
                self._logger.info("reconnect to %s failed (%s); next try in %.1f s",
                                  self.endpoint, exc.message, delay)
                if closed.wait(delay):
                    return
                delay = min(delay * 2, RECONNECT_MAX_DELAY)

    def close(self) -> None:
        """Close for good; idempotent. Pending calls fail with connection-closed, every
        later call raises ClientClosedError, the background reconnect stops."""
        with self._lock:
            self._closed = True
            reconnect = self._reconnect_thread
        self._closed_event.set()
        self._fpnn.close()
        with self._lock:
            timer, self._file_idle_timer = self._file_idle_timer, None
        if timer is not None:
            timer.cancel()
        for client in self._file_clients.take_all():
            client.close()
        if reconnect is not None and reconnect is not threading.current_thread():
            reconnect.join(self._connect_timeout + 1.0)
        self._callbacks.close()
        pool, self._monitor_pool = self._monitor_pool, None
        if pool is not None:
            pool.shutdown(wait=False)  # may be called from a callback thread

    def __enter__(self) -> RTMServerClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
