"""``python -m rtm.server``: run the local RTM server until Ctrl-C / SIGTERM.

``main(argv)`` is also what the top-level ``rtm server`` command calls.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import gc
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rtm._wirelog import TRACE
from rtm.fpnn.client_config import WEBSOCKET_PATH
from rtm.server import console
from rtm.server.app import ANNOUNCED, RTMServer
from rtm.server.config import (
    CONSOLE_PORT_OFFSET,
    DEFAULT_CLIENT_PORT,
    DEFAULT_FILE_PORT,
    DEFAULT_HTTP_PORT,
    DEFAULT_PORT,
    DEV_PID,
    DEV_SECRET,
    ServerConfig,
    default_db_path,
)
from rtm.server.gate_http_missing import SERVER_EXTRA_HINT
from rtm.server.services import ServicesConfigError, ServicesSettings, load_services_file

PROG = "rtm-server"
(ANNOUNCED_KEY,) = ANNOUNCED


def _project(text: str) -> tuple[int, str]:
    pid_text, sep, secret = text.partition(":")
    if not sep or not secret:
        raise argparse.ArgumentTypeError(f"expected PID:SECRET, got {text!r}")
    try:
        pid = int(pid_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"PID must be an integer, got {pid_text!r}") from None
    if not 0 < pid < 2**31:
        raise argparse.ArgumentTypeError(f"PID must be in 1..2147483647, got {pid}")
    return pid, secret


def _projects_file(text: str) -> list[tuple[int, str]]:
    """A file of ``PID:SECRET`` lines (``#`` comments): keeps secrets out of the process list."""
    try:
        lines = Path(text).expanduser().read_text().splitlines()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {exc.strerror}") from None
    projects = []
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if line:
            try:
                projects.append(_project(line))
            except argparse.ArgumentTypeError as exc:
                raise argparse.ArgumentTypeError(f"{text}:{number}: {exc}") from None
    return projects


def _services_file(text: str) -> ServicesSettings:
    """A JSON services file (docs/server.md), validated now so that a mistake stops startup."""
    try:
        return load_services_file(text)
    except ServicesConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port < 65536:
        raise argparse.ArgumentTypeError(
            f"port must be in 0..65535 (0 = any free port), got {port}")
    return port


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"seconds must be a finite number >= 0, got {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def build_parser(prog: str | None = PROG) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Offline RTM-compatible server (server API, client gate, file gate) "
                    "backed by SQLite. Without --project it serves the development project "
                    f"{DEV_PID} with secret {DEV_SECRET!r}.",
    )
    net = parser.add_argument_group("network")
    net.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    net.add_argument("--port", type=_port, default=DEFAULT_PORT,
                     help=f"server-API gate port (default {DEFAULT_PORT}; 0 = a free port)")
    net.add_argument("--client-port", type=_port, default=DEFAULT_CLIENT_PORT,
                     help=f"client gate port (default {DEFAULT_CLIENT_PORT}; 0 = a free port)")
    net.add_argument("--file-port", type=_port, default=DEFAULT_FILE_PORT,
                     help=f"file gate port (default {DEFAULT_FILE_PORT}; 0 = a free port)")
    net.add_argument("--http-port", type=_port, default=None,
                     help=f"port of the HTTP listener serving stored files (default "
                          f"{DEFAULT_HTTP_PORT}, or a free port when --file-port is not the "
                          f"default; 0 = a free port)")
    net.add_argument("--file-base-url", default=None, metavar="URL",
                     help="prefix of stored files' URLs, <URL>/<pid>/<file id> (default "
                          "http://<host>:<http port>/file)")
    net.add_argument("--advertise-host", default=None,
                     help="host put in the file-gate endpoint of filetoken answers")
    net.add_argument("--ecc-key", metavar="PRIVATE.pem", default=None,
                     help="server private key: enables FPNN encryption on every gate "
                          "(plain connections are still accepted)")
    net.add_argument("--console-port", type=_port, default=None,
                     help=f"web console port (default: --port + {CONSOLE_PORT_OFFSET}, i.e. "
                          f"{DEFAULT_PORT + CONSOLE_PORT_OFFSET}; a free port when --port is 0; "
                          "0 = a free port)")
    net.add_argument("--console-host", default="127.0.0.1",
                     help="web console address (default 127.0.0.1); any non-loopback address "
                          "requires the access token printed at start-up")
    net.add_argument("--no-console", action="store_true", help="do not serve the web console")
    net.add_argument("--client-idle-timeout", type=_seconds, metavar="SECONDS", default=None,
                     help="close client-gate connections idle this long")
    net.add_argument("--tls-cert", metavar="CERT.pem", default=None,
                     help="TLS certificate (PEM, chain first): the client and file gates "
                          "then also take TLS (wss://) on their ports")
    net.add_argument("--tls-key", metavar="KEY.pem", default=None,
                     help="private key of --tls-cert (default: in the --tls-cert file)")
    net.add_argument("--client-ping-interval", type=_seconds, metavar="SECONDS", default=20.0,
                     help="ping every logged-in client-gate connection this often (default "
                          "20; 0 = never)")
    net.add_argument("--client-ping-timeout", type=_seconds, metavar="SECONDS", default=None,
                     help="close a client that answered no ping for this long (default 3 "
                          "ping intervals)")
    net.add_argument("--client-login-timeout", type=_seconds, metavar="SECONDS", default=30.0,
                     help="close a client-gate connection not logged in within this time "
                          "(default 30; 0 = never)")
    net.add_argument("--client-max-connections", type=_count, metavar="N", default=20_000,
                     help="connections the client gate holds at once; more are closed "
                          "(default 20000)")

    data = parser.add_argument_group("projects and storage")
    data.add_argument("--project", type=_project, action="append", metavar="PID:SECRET",
                      default=[], help="serve this project (repeatable); the secret is "
                      "visible in the process list: prefer --projects-file on shared machines")
    data.add_argument("--projects-file", type=_projects_file, metavar="PATH", default=[],
                      help="serve the projects of this file, one PID:SECRET per line")
    data.add_argument("--db", default=None, metavar="PATH",
                      help="SQLite database file, or :memory: (default: "
                           "$RTM_DATA_DIR/rtm.db or ~/.local/share/rtm-server/rtm.db)")
    data.add_argument("--synchronous", choices=["OFF", "NORMAL", "FULL", "EXTRA"],
                      default="NORMAL", help="SQLite synchronous mode (default NORMAL)")

    sem = parser.add_argument_group("semantics")
    sem.add_argument("--symmetric-friends", action=argparse.BooleanOptionalAction,
                     default=True, help="friendship is symmetric (default on)")
    sem.add_argument("--token-ttl", type=int, default=86400, metavar="SECONDS",
                     help="login token validity (default 86400; <= 0 never expires)")
    sem.add_argument("--broadcast-admin", type=int, action="append", default=[],
                     metavar="UID", help="uid allowed to broadcast (repeatable; none = anybody)")
    sem.add_argument("--p2p-friends-only", action="store_true",
                     help="P2P messages need friendship (200043)")
    sem.add_argument("--forbid-server-self-send", action="store_true",
                     help="server API answers 200052 for from == to")
    sem.add_argument("--strict-mid", action="store_true",
                     help="a duplicate mid answers 200053 instead of the original mtime")
    sem.add_argument("--strict-delmsg", action="store_true",
                     help="delmsg of an unknown message answers 200070")
    sem.add_argument("--push-server-api-messages", action=argparse.BooleanOptionalAction,
                     default=True,
                     help="push messages sent via the server API to listeners (default on)")
    sem.add_argument("--sign-ts-window", type=float, default=None, metavar="SECONDS",
                     help="reject quests whose ts is further from the server clock (200008)")
    sem.add_argument("--replay-protection", action="store_true",
                     help="answer 200006 when a salt/sign pair is reused within the replay "
                          "window, and 200008 for a ts further away than it (unless "
                          "--sign-ts-window is shorter)")
    sem.add_argument("--replay-window", type=float, default=300.0, metavar="SECONDS",
                     help="how long --replay-protection remembers a salt/sign pair "
                          "(default 300); --sign-ts-window may not exceed it")
    sem.add_argument("--refuse-v1-signatures", action="store_true",
                     help="answer 200008 to quests signed without ts (they have no age)")
    sem.add_argument("--push-timeout", type=float, default=5.0, metavar="SECONDS",
                     help="how long a push waits for its answer (default 5)")
    sem.add_argument("--push-retry", action="store_true",
                     help="re-send a timed-out push once")
    sem.add_argument("--keep-rooms-on-logout", action=argparse.BooleanOptionalAction,
                     default=True, help="room membership survives logout (default on)")
    sem.add_argument("--ban-blocks-receive", action="store_true",
                     help="group/room bans also stop delivery to the banned user")
    sem.add_argument("--file-attrs", choices=["strict", "lenient"], default="strict",
                     help="strict: file attrs need an extension (200004); lenient: only sign")
    sem.add_argument("--strip-file-sign", action="store_true",
                     help="remove the checksum from the attrs delivered with a file")
    sem.add_argument("--blank-deleted", action="store_true",
                     help="history shows deleted messages with empty msg/attrs")
    sem.add_argument("--enforce-blocks-on-server-api", action="store_true",
                     help="user blocks (addblacks) also stop P2P sends of the server API "
                          "(200049); the client gate always enforces them")

    svc = parser.add_argument_group("content services, RTC, IM library")
    svc.add_argument("--services-file", type=_services_file, metavar="PATH", default=None,
                     help="JSON file setting what translate, profanity, text/image/audio/"
                          "video checks and speech-to-text answer, which services are "
                          "switched off (200060), per project (see docs/server.md); "
                          "default: the spec's word list, translations and markers")

    sem.add_argument("--dedup-mid", action=argparse.BooleanOptionalAction, default=True,
                     help="a repeated (from, conversation, mid) is stored once (default on)")
    sem.add_argument("--edit-updates-mtime", action="store_true",
                     help="editmsg sets the edited message's mtime to now")

    parser.add_argument("--log-level", default="INFO",
                        choices=["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                        type=str.upper,
                        help="log level (default INFO): DEBUG logs one line per quest, TRACE "
                             "adds its params and answer (signatures and tokens masked)")
    return parser


def _db_path(args: argparse.Namespace) -> str:
    if args.db is None:
        return str(default_db_path())
    return args.db if args.db == ":memory:" else str(Path(args.db).expanduser())


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    db = _db_path(args)
    if db != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    return ServerConfig(
        host=args.host,
        port=args.port,
        client_port=args.client_port,
        file_port=args.file_port,
        projects=dict([*args.projects_file, *args.project]),
        db=db,
        ecc_key=args.ecc_key,
        log_level=args.log_level,
        advertise_host=args.advertise_host,
        symmetric_friends=args.symmetric_friends,
        token_ttl=args.token_ttl,
        broadcast_admins=tuple(args.broadcast_admin),
        p2p_friends_only=args.p2p_friends_only,
        forbid_server_self_send=args.forbid_server_self_send,
        strict_mid=args.strict_mid,
        strict_delmsg=args.strict_delmsg,
        push_server_api_messages=args.push_server_api_messages,
        sign_ts_window=args.sign_ts_window,
        replay_protection=args.replay_protection,
        replay_window=args.replay_window,
        refuse_v1_signatures=args.refuse_v1_signatures,
        push_timeout=args.push_timeout,
        push_retry=args.push_retry,
        keep_rooms_on_logout=args.keep_rooms_on_logout,
        ban_blocks_receive=args.ban_blocks_receive,
        client_idle_timeout=args.client_idle_timeout,
        client_ping_interval=args.client_ping_interval or None,
        client_ping_timeout=args.client_ping_timeout or None,
        client_login_timeout=args.client_login_timeout or None,
        client_max_connections=args.client_max_connections,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        file_attrs=args.file_attrs,
        strip_file_sign=args.strip_file_sign,
        blank_deleted=args.blank_deleted,
        enforce_blocks_on_server_api=args.enforce_blocks_on_server_api,
        dedup_mid=args.dedup_mid,
        edit_updates_mtime=args.edit_updates_mtime,
        http_port=args.http_port,
        file_base_url=args.file_base_url,
        synchronous=args.synchronous,
        services=args.services_file or ServicesSettings(),
        console_port=console_port(args),
        console_host=args.console_host,
    )


def console_port(args: argparse.Namespace) -> int | None:
    """None (no console), the port asked for, or the server-API port + 4 (free with 0)."""
    if args.no_console:
        return None
    if args.console_port is not None:
        return int(args.console_port)
    return 0 if args.port == 0 else min(65535, args.port + CONSOLE_PORT_OFFSET)


def _say(text: str) -> None:
    print(f"{PROG}: {text}", flush=True)


async def serve(config: ServerConfig, on_started: Callable[[], None] | None = None) -> int:
    """Run until SIGINT/SIGTERM (or cancellation); pending writes are committed on exit.
    ``on_started`` is called once every gate listens."""
    server = RTMServer(config)
    await server.start()
    if on_started is not None:
        on_started()
    # Everything allocated so far (modules, the gates) lives as long as the process: keep it
    # out of the garbage collector's full scans.
    gc.freeze()
    try:
        _say(f"server gate listening on {server.endpoint}")
        scheme = "wss" if config.tls_cert is not None else "ws"
        _say(f"client gate listening on {server.client_endpoint} (FPNN on TCP, and "
             f"{scheme}://{server.client_endpoint}{WEBSOCKET_PATH})")
        _say(f"file gate listening on {server.file_endpoint} (FPNN on TCP, and "
             f"{scheme}://{server.file_endpoint}{WEBSOCKET_PATH})")
        if config.tls_cert is not None:
            _say("TLS on the client and file gates (plain TCP and ws:// are accepted too)")
        if server.http_endpoint is not None:
            _say(f"stored files served over HTTP at {server.file_base_url}/<pid>/<file id>")
        else:
            _say(f"stored files not downloadable: their URLs ({server.file_base_url}/<pid>/"
                 f"<file id>) need aiohttp ({SERVER_EXTRA_HINT})")
        if server.console_url is not None:
            _say(f"console at {server.console_url}")
            if server.console_url.find("token=") >= 0:
                _say("the console is reachable beyond loopback: keep its token private")
        elif config.console_port is not None:
            _say(f"console not started: it needs aiohttp ({console.INSTALL_HINT})")
        if config.ecc_key is not None:
            _say("encryption enabled on every gate (plain connections are accepted too)")
        if config.projects:
            for pid in config.projects:
                _say(f"project {pid} (secret as configured)")
        else:
            _say(f"project {DEV_PID} secret {DEV_SECRET} (development project)")
        _say(f"database {config.db}")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        installed: list[signal.Signals] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or no signal support: Ctrl-C raises instead
        try:
            await stop.wait()
        finally:
            for sig in installed:
                with contextlib.suppress(Exception):
                    loop.remove_signal_handler(sig)
    finally:
        await server.close()
    _say("stopped")
    return 0


def _not_announced(record: logging.LogRecord) -> bool:
    """Leave out the log records whose news ``serve`` prints itself (the addresses)."""
    return not getattr(record, ANNOUNCED_KEY, False)


def _error_text(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        text += ("; is another rtm server running? Stop it, or choose other ports: --port, "
                 "--client-port, --file-port, --http-port, --console-port (0 = a free port)")
    return text


def _created_files(db: str) -> list[Path]:
    """The database files and directories a start would create (removed if it fails)."""
    if db == ":memory:":
        return []
    path = Path(db)
    created = [p for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm",
                                                                           "-journal")))
               if not p.exists()]
    directory = path.parent
    missing_dirs: list[Path] = []
    while not directory.exists():
        missing_dirs.append(directory)
        directory = directory.parent
    return created + missing_dirs  # files first, then directories from the deepest


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            if path.is_dir():
                path.rmdir()  # only if still empty
            else:
                path.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    level = TRACE if args.log_level == "TRACE" else args.log_level
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_not_announced)
    # A start that fails (a port in use, a bad key) leaves no new database behind.
    created = _created_files(_db_path(args))
    try:
        config = config_from_args(args)
    except ValueError as exc:  # options that contradict each other
        parser.error(str(exc))
    except OSError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        _remove(created)
        return 1
    try:
        return asyncio.run(serve(config, on_started=created.clear))
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # e.g. a port in use, a bad --ecc-key file
        print(f"{PROG}: error: {_error_text(exc)}", file=sys.stderr)
        return 1
    finally:
        _remove(created)


if __name__ == "__main__":
    sys.exit(main())
