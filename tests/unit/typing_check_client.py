"""Static typing checks of the client constructors and ``from_env`` (never run).

``mypy --strict`` on this file (``test_api_descriptor.py``) proves the constructor options
are typed: a typo'd or mistyped option is an error (each ``# type: ignore[...]`` line must
be one, since strict mode reports unused ignores).
"""

from __future__ import annotations

import logging

from rtm import AsyncRTMServerClient, RTMServerClient


def _client_typing_checks() -> None:  # pragma: no cover
    """Never called; checked by ``mypy --strict``."""
    ok = RTMServerClient(1, "secret", "h:1", quest_timeout=5.0, keepalive=True,
                         logger=logging.getLogger("app"), protocol="0.1.0")
    aok = AsyncRTMServerClient(1, "secret", "h:1", connect_timeout=2)
    env_ok: RTMServerClient = RTMServerClient.from_env({}, quest_timeout=3.0)
    aenv_ok: AsyncRTMServerClient = AsyncRTMServerClient.from_env(config="rtm.ini")

    # Each of these must be a type error.
    RTMServerClient(1, "secret", "h:1", quest_timout=5.0)  # type: ignore[arg-type]
    RTMServerClient(1, "secret", "h:1", sign_version=2)  # type: ignore[arg-type]
    AsyncRTMServerClient(1, "secret", "h:1", keepalive="yes")  # type: ignore[arg-type]
    RTMServerClient(1, "secret", "h:1", protocol="1.0")  # type: ignore[arg-type]
    RTMServerClient.from_env(quest_timout=3.0)  # type: ignore[call-arg]
    AsyncRTMServerClient.from_env({}, monitor="m")  # type: ignore[arg-type]
    del ok, aok, env_ok, aenv_ok
