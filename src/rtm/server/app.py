"""The local RTM server: three FPNN gates on one SQLite store.

* server gate (``endpoint``): the signed server API of spec §2 plus the ``pushmsg`` /
  ``pushgroupmsg`` / ``pushroommsg`` / ``pushevent`` pushes of §4;
* client gate (``client_endpoint``): token login and the client protocol
  (``rtm-client-api.md``); FPNN on TCP and over WebSocket (``/service/websocket``) on one
  port, ``wss://`` too with a TLS certificate; keep-alive pings, a login deadline and a
  connection bound;
* file gate (``file_endpoint``): the ``send*file`` quests of §3, ``uploadfile`` and
  ``getfile``, on TCP and WebSocket (and TLS) like the client gate;
* HTTP (``http_endpoint``, needs aiohttp): ``GET /file/<pid>/<file_id>`` downloads a stored
  file,
  the URL its message carries (current spec §5.6).

:class:`RTMServer` runs on the caller's event loop; :class:`ServerThread` runs one on its own
loop in a daemon thread for synchronous code (tests, demos).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import logging
import os
import re
import ssl
import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Final, TypeVar

from rtm.fpnn import codec
from rtm.fpnn.crypto import ServerPrivateKey, load_private_key
from rtm.fpnn.server import FPNNServer
from rtm.fpnn.tls import server_context
from rtm.server.clientgate import ClientGate
from rtm.server.config import DEV_SECRET, ServerConfig, is_loopback_host
from rtm.server.core import ServerCore
from rtm.server.gate_file import FileGate
from rtm.server.gate_http import FILE_PATH, HttpGate, http_available
from rtm.server.gate_http_missing import SERVER_EXTRA_HINT, MissingHttpGate
from rtm.server.gate_server import ServerGate
from rtm.server.services import ServicesRegistry
from rtm.server.store import Store

if TYPE_CHECKING:
    from rtm.server.console.app import ConsoleServer

T = TypeVar("T")

logger = logging.getLogger("rtm.server")

#: ``extra`` of the log records that announce addresses or a missing extra: ``rtm server``
#: prints those itself, once, and leaves these records out of its log.
ANNOUNCED: Final = {"rtm_announced": True}

_WILDCARDS = frozenset({"", "0.0.0.0", "::", "[::]"})
#: The web client SDK connects to 13321 when it is given this port (client spec §1.2).
WEB_SDK_REWRITTEN_PORT = 13325


def _without_token(url: str) -> str:
    """``url`` with the value of its ``token`` query parameter masked."""
    return re.sub(r"([?&]token=)[^&#]*", r"\1***", url)


def _endpoint(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


class RTMServer:
    """An offline, RTM-compatible server. ``await start()`` then use the endpoints;
    ``await close()`` stops the gates and commits every pending write."""

    def __init__(self, config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.logger = logger
        if self.config.log_level is not None:
            self.logger.setLevel(self.config.log_level)
        self._core: ServerCore | None = None
        self._gates: list[FPNNServer] = []
        self._server_gate: FPNNServer | None = None
        self._client_gate: FPNNServer | None = None
        self._file_gate: FPNNServer | None = None
        self._closed: asyncio.Event | None = None
        #: the content-services configuration per project (thread-safe, see
        #: :class:`~rtm.server.services.ServicesRegistry`)
        self.services = ServicesRegistry(self.config.services)
        self._http: HttpGate | MissingHttpGate | None = None
        self._console: ConsoleServer | None = None

    # ------------------------------------------------------------------ properties

    @property
    def projects(self) -> dict[int, str]:
        """pid -> secret served (the development project when none is configured)."""
        if self._core is not None:
            return dict(self._core.projects)
        return self.config.served_projects()

    def add_project(self, pid: int, secret: str) -> None:
        """Serve one more project from now on (tests give each case its own, clean pid)."""
        if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 2**31:
            raise ValueError(f"add_project(): 'pid' must be an int32 > 0, got {pid!r}")
        if not isinstance(secret, str) or not secret:
            raise ValueError("add_project(): 'secret' must be a non-empty str")
        if secret == DEV_SECRET and not is_loopback_host(self.config.host):
            raise ValueError(f"add_project(): the development secret is public: not on "
                             f"{self.config.host!r}, which is reachable beyond loopback")
        if self._core is None:
            self.config.projects[pid] = secret
        else:  # call on the server's loop (ServerThread.add_project marshals it there)
            self._core.projects[pid] = secret

    async def remove_project(self, pid: int) -> None:
        """Stop serving ``pid``: its quests are refused from now on, its client connections
        closed, its services settings reset and everything stored for it erased (the pytest
        plugin drops each test's project this way)."""
        core = self.core
        core.projects.pop(pid, None)
        for conns in list(core.hub.clients.get(pid, {}).values()):
            for conn in list(conns.values()):
                conn.close()
        self.services.reset(pid)
        await core.store.drop_project(pid)

    @property
    def started(self) -> bool:
        return self._core is not None

    def _gate(self, gate: FPNNServer | None) -> FPNNServer:
        if gate is None:
            raise RuntimeError("the server is not started")
        return gate

    @property
    def endpoint(self) -> str:
        """"host:port" of the server gate (server API)."""
        return self._advertised(self._gate(self._server_gate).port)

    @property
    def client_endpoint(self) -> str:
        return self._advertised(self._gate(self._client_gate).port)

    @property
    def file_endpoint(self) -> str:
        return self._advertised(self._gate(self._file_gate).port)

    @property
    def http_endpoint(self) -> str | None:
        """"host:port" of the HTTP listener serving stored files (None without aiohttp:
        that port then only answers 503 with what to install)."""
        self._gate(self._file_gate)
        if self._http is None or isinstance(self._http, MissingHttpGate):
            return None
        return self._advertised(self._http.port)

    @property
    def file_base_url(self) -> str:
        """Prefix of stored files' URLs: ``<file_base_url>/<pid>/<file_id>``."""
        return self.core.file_base_url

    def _advertised(self, port: int) -> str:
        host = self.config.advertise_host or self.config.host
        if host in _WILDCARDS:
            host = "127.0.0.1"
        return _endpoint(host, port)

    @property
    def console_url(self) -> str | None:
        """The web console's address (with ``?token=`` when it needs one); None when the
        console is off (``console_port`` unset, or aiohttp not installed)."""
        return None if self._console is None else self._console.url

    @property
    def store(self) -> Store:
        if self._core is None:
            raise RuntimeError("the server is not started")
        return self._core.store

    @property
    def core(self) -> ServerCore:
        if self._core is None:
            raise RuntimeError("the server is not started")
        return self._core

    # ------------------------------------------------------------------ lifecycle

    def _private_key(self) -> ServerPrivateKey | None:
        key = self.config.ecc_key
        if key is None or isinstance(key, ServerPrivateKey):
            return key
        return load_private_key(key)

    def _tls_context(self) -> ssl.SSLContext | None:
        cfg = self.config
        if cfg.tls_cert is None:
            return None
        return server_context(os.fspath(cfg.tls_cert),
                              None if cfg.tls_key is None else os.fspath(cfg.tls_key))

    @property
    def client_gate(self) -> FPNNServer:
        """The client gate's FPNN server (its connections, pinger, bounds)."""
        return self._gate(self._client_gate)

    @property
    def file_gate(self) -> FPNNServer:
        return self._gate(self._file_gate)

    async def start(self) -> None:
        if self._core is not None:
            raise RuntimeError("the server is already started")
        cfg = self.config
        key = self._private_key()
        tls = self._tls_context()  # a bad certificate stops the start before anything opens
        core = ServerCore(cfg, self.logger, self.services)
        await core.store.open()
        hub = core.hub
        fpnn_logger = self.logger.getChild("fpnn")
        server_gate = FPNNServer(cfg.host, cfg.port, private_key=key, logger=fpnn_logger,
                                 quest_timeout=cfg.push_timeout,
                                 on_connect=hub.server_connected, on_close=hub.server_closed)
        client_gate = FPNNServer(cfg.host, cfg.client_port, private_key=key,
                                 logger=fpnn_logger, quest_timeout=cfg.push_timeout,
                                 idle_timeout=cfg.client_idle_timeout or None,
                                 on_close=hub.client_closed, websocket=True, ssl_context=tls,
                                 login_timeout=cfg.client_login_timeout or None,
                                 max_connections=cfg.client_max_connections,
                                 ping_interval=cfg.client_ping_interval or None,
                                 ping_timeout=cfg.client_ping_timeout or None)
        file_gate = FPNNServer(
            cfg.host, cfg.file_port, private_key=key, logger=fpnn_logger,
            max_frame_size=max(codec.DEFAULT_MAX_FRAME_SIZE, cfg.max_file_size + 65536),
            websocket=True, ssl_context=tls)
        ServerGate(core).register(server_gate)
        ClientGate(core).register(client_gate)
        FileGate(core).register(file_gate)
        started: list[FPNNServer] = []
        try:
            for gate in (server_gate, client_gate, file_gate):
                await gate.start()
                started.append(gate)
        except BaseException:
            for gate in started:
                await gate.close()
            await core.store.close()
            raise
        http: HttpGate | MissingHttpGate
        if http_available():
            http = HttpGate(core.store, self.logger.getChild("http"))
        else:
            # Bound all the same: file URLs name a real port, which answers what to install.
            http = MissingHttpGate(self.logger.getChild("http"))
            self.logger.warning("aiohttp is not installed: stored files cannot be downloaded "
                                "over HTTP (%s)", SERVER_EXTRA_HINT, extra=ANNOUNCED)
        try:
            await http.start(cfg.host, cfg.effective_http_port())
        except BaseException:
            for gate in started:
                await gate.close()
            await core.store.close()
            raise
        self._http = http
        self._core = core
        self._gates = started
        self._server_gate, self._client_gate, self._file_gate = started
        core.client_endpoint = self.client_endpoint
        core.file_endpoint = self.file_endpoint
        if not core.file_base_url:
            core.file_base_url = f"http://{self._advertised(http.port)}{FILE_PATH}"
        if core.live is not None:
            core.live.name_gates({server_gate: "server", client_gate: "client",
                                  file_gate: "file"})
            await self._start_console(core)
        self._closed = asyncio.Event()
        if client_gate.port == WEB_SDK_REWRITTEN_PORT:
            self.logger.warning("the client gate listens on port %d, which the web client SDK "
                                "rewrites to 13321: its users cannot reach this gate",
                                WEB_SDK_REWRITTEN_PORT)
        self.logger.info("RTM server listening: server %s, client %s, file %s, files over "
                         "HTTP at %s (db %s)", self.endpoint, self.client_endpoint,
                         self.file_endpoint, core.file_base_url, cfg.db, extra=ANNOUNCED)

    async def _start_console(self, core: ServerCore) -> None:
        from rtm.server import console

        cfg = self.config
        if not console.available():
            self.logger.warning("web console not started: aiohttp is missing (%s)",
                                console.INSTALL_HINT, extra=ANNOUNCED)
            return
        from rtm.server.console.app import ConsoleServer

        server = ConsoleServer(core, host=cfg.console_host, port=cfg.console_port or 0,
                               token=cfg.console_token,
                               endpoints={"server API": self.endpoint,
                                          "client gate": self.client_endpoint,
                                          "file gate": self.file_endpoint})
        try:
            await server.start()
        except BaseException:
            for gate in self._gates:
                await gate.close()
            if self._http is not None:  # nothing the failed start opened stays bound
                await self._http.close()
                self._http = None
            await core.store.close()
            self._core = None
            self._gates = []
            self._server_gate = self._client_gate = self._file_gate = None
            raise
        self._console = server
        # Logs are shared more widely than the terminal that printed the URL: no token here.
        self.logger.info("RTM server console at %s", _without_token(server.url),
                         extra=ANNOUNCED)

    async def close(self) -> None:
        """Stop listening, close every connection, finish in-flight sends, commit, close."""
        core = self._core
        if core is None:
            return
        self._core = None
        console, self._console = self._console, None
        if console is not None:
            with contextlib.suppress(Exception):
                await console.close()
        core.hub.closing = True
        for gate in self._gates:
            with contextlib.suppress(Exception):
                await gate.close()
        if self._http is not None:
            with contextlib.suppress(Exception):
                await self._http.close()
            self._http = None
        await core.drain()
        await core.hub.close()
        await core.store.close()
        self._gates = []
        self._server_gate = self._client_gate = self._file_gate = None
        if self._closed is not None:
            self._closed.set()
        self.logger.info("RTM server stopped", extra=ANNOUNCED)

    async def wait_closed(self) -> None:
        """Return once :meth:`close` has run (serve until then)."""
        if self._closed is None:
            raise RuntimeError("the server is not started")
        await self._closed.wait()

    async def __aenter__(self) -> RTMServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class ServerThread:
    """An :class:`RTMServer` on its own event loop in a daemon thread.

    ``start()`` blocks until the gates listen (re-raising a start failure) and returns self;
    ``stop()`` closes the server cleanly (pending writes committed) and joins the thread.
    Also a context manager. Without ``config`` the gates listen on free ports; keyword
    ``overrides`` are :class:`ServerConfig` fields (``ServerThread(projects={pid: secret})``).
    """

    def __init__(self, config: ServerConfig | None = None, *, start_timeout: float = 30.0,
                 **overrides: Any) -> None:
        if config is None:
            # Free ports unless told otherwise: several servers (tests) may run at once.
            config = ServerConfig(**{"port": 0, "client_port": 0, "file_port": 0, **overrides})
        elif overrides:
            config = dataclasses.replace(config, **overrides)
        self.config = config
        self.start_timeout = start_timeout
        self._server: RTMServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # ------------------------------------------------------------------ properties

    @property
    def server(self) -> RTMServer:
        if self._server is None:
            raise RuntimeError("the server thread is not running")
        return self._server

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the server thread is not running")
        return self._loop

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    @property
    def client_endpoint(self) -> str:
        return self.server.client_endpoint

    @property
    def file_endpoint(self) -> str:
        return self.server.file_endpoint

    @property
    def http_endpoint(self) -> str | None:
        return self.server.http_endpoint

    @property
    def file_base_url(self) -> str:
        """Prefix of stored files' URLs: ``<file_base_url>/<pid>/<file id>``."""
        return self.server.file_base_url

    @property
    def console_url(self) -> str | None:
        """The web console's address (``ServerThread(console_port=0)`` turns it on); None
        when it is off or aiohttp is not installed."""
        return self.server.console_url

    @property
    def projects(self) -> dict[int, str]:
        if self._server is not None:
            return self._server.projects
        return self.config.served_projects()

    def add_project(self, pid: int, secret: str) -> None:
        """Serve one more project (callable from any thread: the change is made on the
        server's loop, between two quests)."""
        server = self._server
        if server is None:
            self.config.projects[pid] = secret
        elif threading.current_thread() is self._thread:
            server.add_project(pid, secret)
        else:
            self.run(self._on_loop(server.add_project, pid, secret))

    def remove_project(self, pid: int) -> None:
        """:meth:`RTMServer.remove_project` from any thread but the server's own."""
        self.run(self.server.remove_project(pid))

    @staticmethod
    async def _on_loop(fn: Callable[[int, str], None], pid: int, secret: str) -> None:
        fn(pid, secret)

    @property
    def services(self) -> ServicesRegistry:
        """The content-services configuration per project (thread-safe)."""
        return self.server.services

    @property
    def pid(self) -> int:
        """The first served project id (the development project by default)."""
        return next(iter(self.projects))

    @property
    def secret(self) -> str:
        return self.projects[self.pid]

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._server is not None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> ServerThread:
        if self._thread is not None:
            raise RuntimeError("the server thread is already started")
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="rtm-local-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(self.start_timeout):
            raise TimeoutError(f"the local RTM server did not start in {self.start_timeout} s")
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        server = RTMServer(self.config)
        try:
            loop.run_until_complete(server.start())
        except BaseException as exc:
            self._error = exc
            loop.close()
            self._ready.set()
            return
        self._loop = loop
        self._server = server
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(server.close())
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                self._loop = None
                loop.close()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 30.0) -> T:
        """Run a coroutine on the server's loop (e.g. ``thread.run(thread.server.store...)``)
        and return its result."""
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None
        self._server = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
