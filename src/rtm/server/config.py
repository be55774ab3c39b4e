"""Configuration of the local RTM server."""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from rtm.fpnn.crypto import ServerPrivateKey
from rtm.server.services import ServicesSettings

# The development project and the default ports are defined with the client settings (the
# SDK's from_env() and the CLI default to them): one definition.
from rtm.settings import DEFAULT_CLIENT_PORT as DEFAULT_CLIENT_PORT
from rtm.settings import DEFAULT_FILE_PORT as DEFAULT_FILE_PORT
from rtm.settings import DEFAULT_PORT as DEFAULT_PORT
from rtm.settings import DEV_PID as DEV_PID
from rtm.settings import DEV_SECRET as DEV_SECRET

#: Port of the HTTP listener that serves stored files (``GET /file/<pid>/<file_id>``).
DEFAULT_HTTP_PORT: Final = 13318
#: ``rtm server`` serves its web console on the server-API port + 4 (13319 by default; + 3
#: is the file download port).
CONSOLE_PORT_OFFSET: Final = 4
DEFAULT_CONSOLE_PORT: Final = DEFAULT_PORT + CONSOLE_PORT_OFFSET

FileAttrsMode = Literal["strict", "lenient"]


def default_data_dir() -> Path:
    """``$RTM_DATA_DIR`` or ``~/.local/share/rtm-server``."""
    env = os.environ.get("RTM_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "rtm-server"


def default_db_path() -> Path:
    """The database file the command line uses when ``--db`` is not given."""
    return default_data_dir() / "rtm.db"


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine ("" and the wildcard
    addresses do not; a name other than ``localhost`` is not assumed to)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ServerConfig:
    """Everything an :class:`rtm.server.RTMServer` needs.

    Ports: 0 picks a free port. ``projects`` maps pid -> secret key; when empty the
    development project (:data:`DEV_PID` / :data:`DEV_SECRET`) is served. A ``host`` other
    than loopback with the development secret (the default project, or any project given
    that secret) is a ValueError: that secret is published, and whoever reaches the port
    could read and change every user's data and download every file. ``db`` is a file
    path or ``":memory:"``. ``ecc_key`` (a private key file, PEM/DER/raw, or a loaded
    :class:`ServerPrivateKey`) enables encryption on all three gates; plain connections are
    still accepted.

    Semantic switches (spec sections in brackets):

    * ``symmetric_friends`` [§2.5]: adding A->B also adds B->A.
    * ``token_ttl`` [§2.8]: login token validity in seconds (<= 0: never expires).
    * ``file_token_ttl`` [§3.1]: file token validity in seconds.
    * ``broadcast_admins`` [§2.2]: uids allowed to broadcast, one collection for every
      project or a mapping pid -> uids; empty = anybody may broadcast.
    * ``deny_admin_login`` [§5.2]: configured admin uids may not log in on the client gate
      (200025).
    * ``p2p_friends_only`` [§2.2]: P2P sends need friendship (200043).
    * ``forbid_server_self_send`` [§2.2]: the server API answers 200052 for from == to (the
      client gate always does).
    * ``strict_mid`` [§2.2]: a duplicate (from, conversation, mid) answers 200053 instead of
      the idempotent success with the original mtime.
    * ``strict_delmsg`` [§2.4]: ``delmsg`` of an unknown message answers 200070.
    * ``push_server_api_messages`` [§4.3]: messages sent via the server API are pushed to
      listening server connections too.
    * ``sign_ts_window`` [§1.3]: seconds; a quest whose ``ts`` is further from the server
      clock answers 200008. None = no check.
    * ``replay_protection`` / ``replay_window`` [§1.3]: remember (pid, salt, sign) for
      ``replay_window`` seconds and answer 200006 on reuse. Protection that holds also bounds
      ``ts``: with it on, the ts window defaults to ``replay_window`` and a longer
      ``sign_ts_window`` is a ValueError (a quest would be forgotten while its ts still
      passes).
    * ``refuse_v1_signatures`` [§1.3]: a quest without ``ts`` (0.1.0 signature, which has no
      age and so can be replayed once forgotten) answers 200008.
    * ``push_timeout`` / ``push_retry`` [§4.3]: pushes are two-way quests awaited this long;
      on timeout optionally re-sent once with identical params.
    * ``keep_rooms_on_logout`` [§6.5]: room membership survives the last logout.
    * ``ban_blocks_receive`` [§2.7]: group/room bans also suppress pushes to the banned user.
    * ``client_idle_timeout`` [§6.2]: seconds without traffic before the client gate closes a
      connection (None = never).

    End-user transport (client gate and file gate; docs/server.md "Transports"):

    * Both gates take FPNN on TCP and FPNN over WebSocket (``ws://host:port/service/websocket``)
      on their one port, told apart by the first bytes (WebSocket needs wsproto, in the
      ``server`` extra).
    * ``tls_cert`` / ``tls_key``: a PEM certificate (chain) and its private key; the two gates
      then also take TLS on the same port (``wss://``), told apart by the first byte.
    * ``client_ping_interval`` [client spec §1.3]: the client gate sends ``ping {}`` to every
      logged-in connection this often (seconds; None or 0 = never); ``client_ping_timeout``:
      a connection that answered no ping for that long is closed (None = 3 intervals).
    * ``client_login_timeout``: a client-gate connection not logged in within that many
      seconds is closed (None = never).
    * ``client_max_connections``: connections of the client gate beyond that many are closed
      at once, with a warning (None = no bound).
    * ``client_kickout_grace``: a kicked-out connection is logged out at once but its socket
      stays open this long (seconds) unless the client closes it first, as the official SDKs
      do on ``kickout``: the web SDK parses received frames on a timer and drops those still
      unparsed when the socket closes, so a close right behind the push loses it (0 = close
      at once).
    * ``file_attrs`` [§3.5]: ``"strict"`` answers 200004 when no extension can be derived
      from the file attrs; ``"lenient"`` only requires ``sign``.
    * ``strip_file_sign`` [§3.5]: remove ``sign`` from the attrs delivered with a file.
    * ``blank_deleted`` [§2.3]: history shows deleted messages with empty msg/attrs.
    * ``enforce_blocks_on_server_api`` [current §11.5]: user blocks (``addblacks``) also stop
      P2P sends of the server API and the file gate (200049; a blocked recipient of
      ``sendmsgs`` is skipped). The client gate always enforces them.
    * ``dedup_mid`` [current §1.4]: a duplicate (from, conversation, mid) is not stored
      again (default); off stores every message (PY 2.2.6 gives equal mids to messages sent
      within one millisecond).
    * ``edit_updates_mtime`` [current §11.7]: ``editmsg`` sets the message's mtime to now.
    * ``http_port``: the HTTP listener serving stored files; ``None`` = 13318 when the file
      gate has its default port, else a free port (see ``RTMServer.http_endpoint``).
    * ``file_base_url`` [current §5.6]: prefix of stored files' URLs
      (``<file_base_url>/<pid>/<file_id>``); ``None`` = ``http://<host>:<http port>/file``.
    * ``now_ms``: the clock (ms since the epoch), injectable for tests.
    * ``services`` [§11 of the current spec]: what the content services answer (word list,
      translations, speech transcripts, check markers), which services are switched off
      (200060) and the RTC online rule, for every project and per project
      (``rtm server --services-file``; changeable at runtime, see ``RTMServer.services``).

    Web console (``rtm.server.console``, needs the ``console`` extra: aiohttp):

    * ``console_port``: None = no console (the default for embedded servers and tests; the
      ``rtm server`` command turns it on), 0 = a free port.
    * ``console_host``: loopback by default. Any other address requires an access token:
      ``console_token``, or a random one generated at start (printed by ``rtm server``).
    """

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    client_port: int = DEFAULT_CLIENT_PORT
    file_port: int = DEFAULT_FILE_PORT
    projects: dict[int, str] = field(default_factory=dict)
    db: str | os.PathLike[str] = ":memory:"
    ecc_key: str | os.PathLike[str] | ServerPrivateKey | None = None
    log_level: str | int | None = None
    #: Host written into the file-gate ``endpoint`` of ``filetoken`` answers (default: host,
    #: or 127.0.0.1 when listening on a wildcard address).
    advertise_host: str | None = None

    symmetric_friends: bool = True
    token_ttl: int = 86400
    file_token_ttl: int = 300
    broadcast_admins: Collection[int] | Mapping[int, Collection[int]] = ()
    deny_admin_login: bool = True
    p2p_friends_only: bool = False
    forbid_server_self_send: bool = False
    strict_mid: bool = False
    strict_delmsg: bool = False
    push_server_api_messages: bool = True
    sign_ts_window: float | None = None
    replay_protection: bool = False
    replay_window: float = 300.0
    refuse_v1_signatures: bool = False
    push_timeout: float = 5.0
    push_retry: bool = False
    keep_rooms_on_logout: bool = True
    ban_blocks_receive: bool = False
    client_idle_timeout: float | None = None
    client_ping_interval: float | None = 20.0
    client_ping_timeout: float | None = None
    client_login_timeout: float | None = 30.0
    client_max_connections: int | None = 20_000
    client_kickout_grace: float = 2.0
    tls_cert: str | os.PathLike[str] | None = None
    tls_key: str | os.PathLike[str] | None = None
    file_attrs: FileAttrsMode = "strict"
    strip_file_sign: bool = False
    blank_deleted: bool = False
    enforce_blocks_on_server_api: bool = False
    dedup_mid: bool = True
    edit_updates_mtime: bool = False
    http_port: int | None = None
    file_base_url: str | None = None
    max_file_size: int = 5_242_880
    synchronous: str = "NORMAL"
    now_ms: Callable[[], int] | None = None
    services: ServicesSettings = field(default_factory=ServicesSettings)
    console_port: int | None = None
    console_host: str = "127.0.0.1"
    console_token: str | None = None

    def __post_init__(self) -> None:
        if self.file_attrs not in ("strict", "lenient"):
            raise ValueError(f"file_attrs must be 'strict' or 'lenient', got {self.file_attrs!r}")
        if self.push_timeout <= 0:
            raise ValueError(f"push_timeout must be > 0, got {self.push_timeout!r}")
        if self.console_port is not None and not 0 <= self.console_port < 65536:
            raise ValueError(f"console_port must be in 0..65535 or None, got {self.console_port!r}")
        if self.replay_window <= 0:
            raise ValueError(f"replay_window must be > 0 seconds, got {self.replay_window!r}")
        if self.sign_ts_window is not None and self.sign_ts_window <= 0:
            raise ValueError(f"sign_ts_window must be > 0 seconds or None, got "
                             f"{self.sign_ts_window!r}")
        if (self.replay_protection and self.sign_ts_window is not None
                and self.sign_ts_window > self.replay_window):
            raise ValueError(
                f"sign_ts_window ({self.sign_ts_window:g} s) must not exceed replay_window "
                f"({self.replay_window:g} s) when replay_protection is on: a quest would be "
                f"forgotten while its ts is still accepted, and could be replayed")
        for name in ("client_ping_interval", "client_ping_timeout", "client_login_timeout",
                     "client_idle_timeout"):
            value = getattr(self, name)
            if value is not None and not value >= 0:
                raise ValueError(f"{name} must be >= 0 seconds or None, got {value!r}")
        if not self.client_kickout_grace >= 0:
            raise ValueError(f"client_kickout_grace must be >= 0 seconds, got "
                             f"{self.client_kickout_grace!r}")
        if self.client_max_connections is not None and self.client_max_connections < 1:
            raise ValueError(f"client_max_connections must be >= 1 or None, got "
                             f"{self.client_max_connections!r}")
        if self.tls_key is not None and self.tls_cert is None:
            raise ValueError("tls_key needs tls_cert (the certificate it belongs to)")
        for pid, secret in self.projects.items():
            if int(pid) <= 0 or not secret:
                raise ValueError(f"bad project {pid!r}: pid must be > 0, secret non-empty")
        if not is_loopback_host(self.host) and DEV_SECRET in self.served_projects().values():
            raise ValueError(
                f"refusing to listen on {self.host!r} with the development secret: it is "
                f"public, so anyone who reaches the server could use its API. Serve a "
                f"project with a secret of your own (--project PID:SECRET or "
                f"--projects-file), or listen on 127.0.0.1")

    def effective_ts_window(self) -> float | None:
        """Seconds a quest's ``ts`` may be from the server clock (None = unchecked): replay
        protection bounds it to the replay window unless a shorter one is set."""
        if self.sign_ts_window is None and self.replay_protection:
            return self.replay_window
        return self.sign_ts_window

    def effective_http_port(self) -> int:
        """The port to bind the file HTTP listener to (0 = a free port)."""
        if self.http_port is not None:
            return self.http_port
        return DEFAULT_HTTP_PORT if self.file_port == DEFAULT_FILE_PORT else 0

    def served_projects(self) -> dict[int, str]:
        """pid -> secret actually served (the development project when none is configured)."""
        if not self.projects:
            return {DEV_PID: DEV_SECRET}
        return {int(pid): str(secret) for pid, secret in self.projects.items()}

    def clock(self) -> Callable[[], int]:
        return self.now_ms or wall_clock_ms

    def admins_of(self, pid: int) -> frozenset[int]:
        """The configured admin uids of ``pid`` (empty = no admin list)."""
        admins = self.broadcast_admins
        if isinstance(admins, Mapping):
            return frozenset(admins.get(pid, ()))
        return frozenset(admins)
