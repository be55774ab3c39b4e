"""Connection settings shared by the ``rtm`` command and ``RTMServerClient.from_env()``.

Precedence, per setting: command-line flag > environment variable > config file > default.
The config file is ``--config PATH``, else ``$RTM_CONFIG``, else
``$XDG_CONFIG_HOME/rtm/config.ini`` (``~/.config/rtm/config.ini``); it is an INI file with a
``[rtm]`` section and the keys ``endpoint``, ``pid``, ``secret``, ``pem``, ``timeout``,
``protocol``.

With no project configured anywhere the command (and ``from_env()``) talks to the
development project of a local server (``rtm server``) on its default port. ``pid`` and
``secret`` are a pair: configuring one without the other is an error (except for the
development pid), so a stray ``RTM_PID`` never gets signed with the development secret.
"""

from __future__ import annotations

import configparser
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from rtm.api.core import PROTOCOLS

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CLIENT_PORT",
    "DEFAULT_ENDPOINT",
    "DEFAULT_FILE_PORT",
    "DEFAULT_PORT",
    "DEV_PID",
    "DEV_SECRET",
    "ENV_VARS",
    "ConfigError",
    "Settings",
    "default_config_path",
    "read_pem",
    "resolve_settings",
]

#: The development project a local server serves when no project is configured. Documented and
#: fixed so that examples and tests can use it without configuration; never use it outside a
#: local machine.
DEV_PID: Final = 1000001
DEV_SECRET: Final = "rtm-local-dev-secret"

#: The local server's default ports: server API, client gate, file gate.
DEFAULT_PORT: Final = 13315
DEFAULT_CLIENT_PORT: Final = 13316
DEFAULT_FILE_PORT: Final = 13317

DEFAULT_ENDPOINT = f"127.0.0.1:{DEFAULT_PORT}"

#: setting -> environment variable
ENV_VARS = {
    "endpoint": "RTM_ENDPOINT",
    "pid": "RTM_PID",
    "secret": "RTM_SECRET",
    "pem": "RTM_PEM",
    "timeout": "RTM_TIMEOUT",
    "protocol": "RTM_PROTOCOL",
}
CONFIG_ENV = "RTM_CONFIG"
SECTION = "rtm"
_KEYS = ("endpoint", "pid", "secret", "pem", "timeout", "protocol")


class ConfigError(ValueError):
    """Bad or incomplete connection settings (for the ``rtm`` command a usage error: exit 2)."""


@dataclass
class Settings:
    """Resolved connection settings; ``sources`` says where each one came from."""

    endpoint: str
    pid: int
    secret: str
    pem: str | None = None
    timeout: float | None = None
    config_path: Path | None = None
    config_found: bool = False
    sources: dict[str, str] = field(default_factory=dict)
    protocol: Literal["current", "0.1.0"] = "current"

    @property
    def is_local_default(self) -> bool:
        """True when talking to the default local server endpoint."""
        return self.sources.get("endpoint") == "default"


def default_config_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "rtm" / "config.ini"


def _read_file(path: Path, explicit: bool) -> tuple[dict[str, str], bool]:
    if not path.is_file():
        if explicit:
            raise ConfigError(f"config file not found: {path}")
        return {}, False
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as fh:
            parser.read_file(fh)
    except (OSError, configparser.Error) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    if not parser.has_section(SECTION):
        return {}, True
    values = dict(parser.items(SECTION))
    unknown = sorted(set(values) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown key(s) in [{SECTION}]: {', '.join(unknown)} "
            f"(known: {', '.join(_KEYS)})"
        )
    return {k: v.strip() for k, v in values.items() if v.strip()}, True


def _pid(text: str, where: str) -> int:
    try:
        pid = int(text)
    except ValueError:
        raise ConfigError(f"pid from {where} must be an integer, got {text!r}") from None
    if not 0 < pid < 2**31:
        raise ConfigError(f"pid from {where} must be in 1..2147483647, got {pid}")
    return pid


def _timeout(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(
            f"timeout from {where} must be a number of seconds, got {text!r}"
        ) from None
    if not value > 0 or math.isinf(value):
        raise ConfigError(f"timeout from {where} must be > 0 seconds, got {text!r}")
    return value


def _endpoint(text: str, where: str) -> str:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"endpoint from {where} must be HOST:PORT, got {text!r}")
    return text


def resolve_settings(
    flags: Mapping[str, object | None],
    env: Mapping[str, str],
    config_path: str | None = None,
) -> Settings:
    """Combine flags (``None`` = not given), environment and config file into Settings."""
    if config_path is not None:
        path, explicit, path_source = Path(config_path).expanduser(), True, "--config"
    elif env.get(CONFIG_ENV):
        path, explicit, path_source = Path(env[CONFIG_ENV]).expanduser(), True, CONFIG_ENV
    else:
        path, explicit, path_source = default_config_path(env), False, "default"
    file_values, found = _read_file(path, explicit)

    raw: dict[str, tuple[str, str]] = {}  # key -> (text, source)
    for key in _KEYS:
        flag = flags.get(key)
        if flag is not None:
            raw[key] = (str(flag), f"--{key}")
        elif env.get(ENV_VARS[key], "").strip():
            raw[key] = (env[ENV_VARS[key]].strip(), ENV_VARS[key])
        elif key in file_values:
            raw[key] = (file_values[key], f"{path} ({path_source})" if explicit else str(path))

    sources: dict[str, str] = {}
    if "endpoint" in raw:
        text, src = raw["endpoint"]
        endpoint = _endpoint(text, src)
        sources["endpoint"] = src
    else:
        endpoint = DEFAULT_ENDPOINT
        sources["endpoint"] = "default"

    if "pid" in raw:
        pid = _pid(raw["pid"][0], raw["pid"][1])
        sources["pid"] = raw["pid"][1]
        if "secret" in raw:
            secret, sources["secret"] = raw["secret"]
        elif pid == DEV_PID:
            secret, sources["secret"] = DEV_SECRET, "default"
        else:
            raise ConfigError(
                f"pid {pid} (from {raw['pid'][1]}) has no secret key: give --secret, "
                f"{ENV_VARS['secret']} or 'secret' in the config file"
            )
    elif "secret" in raw:
        raise ConfigError(
            f"a secret key is configured (from {raw['secret'][1]}) but no pid: give --pid, "
            f"{ENV_VARS['pid']} or 'pid' in the config file"
        )
    else:
        pid, secret = DEV_PID, DEV_SECRET
        sources["pid"] = sources["secret"] = "default"

    pem: str | None = None
    if "pem" in raw:
        pem, sources["pem"] = raw["pem"]
        pem = str(Path(pem).expanduser())
    timeout: float | None = None
    if "timeout" in raw:
        timeout = _timeout(*raw["timeout"])
        sources["timeout"] = raw["timeout"][1]
    protocol: Literal["current", "0.1.0"] = "current"
    if "protocol" in raw:
        text, sources["protocol"] = raw["protocol"]
        if text == "0.1.0":
            protocol = "0.1.0"
        elif text != "current":
            raise ConfigError(f"protocol from {sources['protocol']} must be one of "
                              f"{', '.join(PROTOCOLS)}, got {text!r}")
    return Settings(endpoint, pid, secret, pem, timeout, path, found, sources, protocol)


def read_pem(settings: Settings) -> bytes | None:
    """The server public key file's bytes (``None`` without ``pem``); a missing or unreadable
    file is a :class:`ConfigError` naming where the path came from."""
    if settings.pem is None:
        return None
    where = settings.sources.get("pem", "settings")
    try:
        return Path(settings.pem).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"pem file from {where} not found: {settings.pem}") from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the pem file from {where} ({settings.pem}): {exc.strerror or exc}"
        ) from None
