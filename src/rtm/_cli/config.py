"""Connection settings of the ``rtm`` command: the SDK's :mod:`rtm.settings`, re-exported.

They live in the SDK so that ``RTMServerClient.from_env()`` resolves exactly what the command
does (flags > environment > config file > the local development project).
"""

from __future__ import annotations

from rtm.settings import (
    CONFIG_ENV,
    DEFAULT_ENDPOINT,
    ENV_VARS,
    ConfigError,
    Settings,
    default_config_path,
    resolve_settings,
)

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_ENDPOINT",
    "ENV_VARS",
    "ConfigError",
    "Settings",
    "default_config_path",
    "resolve_settings",
]
