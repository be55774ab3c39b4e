"""The ``error:`` line of the ``rtm`` command: the SDK error, plus a hint where the symptom
points at a setting rather than at the request.

* The client gate answers the commands it shares with the server API (``sendmsg``...) with
  200022 (it expects an end user's ``auth`` first): the endpoint is the client gate's port.
* The file gate, and the client gate for the other commands, answer 20004
  ``Unknow method:<cmd>`` to a command every server API knows: the endpoint is one of those
  gates' ports (which one, the default ports tell).
* An encrypted connection whose handshake fails: the server answered that it has no key (it
  does not encrypt), else (the first answer does not decrypt to an FPNN frame, or the server
  hangs up) the ``--pem`` key is not the server's.
* A refused connection to the default endpoint: no local server is running.
"""

from __future__ import annotations

import re
from typing import Final

from rtm.api.wrong_port import NOT_SERVER_API, unknown_server_api_method
from rtm.fpnn.errors import CORE_UNKNOWN_METHOD, FPNNConnectionError, FPNNError
from rtm.fpnn.session import NO_KEY_MESSAGE
from rtm.settings import DEFAULT_CLIENT_PORT, DEFAULT_FILE_PORT, DEFAULT_PORT, Settings

__all__ = ["describe_error"]

PROG = "rtm"
_UNAUTHORIZED: Final = 200022




def _port(endpoint: str) -> int | None:
    port = endpoint.rpartition(":")[2]
    return int(port) if port.isdigit() else None


def _server_port_hint(settings: Settings, gate: str) -> str:
    port = _port(settings.endpoint)
    if port == DEFAULT_CLIENT_PORT:
        gate = "client gate"
    elif port == DEFAULT_FILE_PORT:
        gate = "file gate"
    if port in (DEFAULT_CLIENT_PORT, DEFAULT_FILE_PORT):
        where = f"on port {DEFAULT_PORT}"
    else:
        where = ("on another port of that server ('rtm server' prints it: 'server gate "
                 "listening on HOST:PORT')")
    source = settings.sources.get("endpoint", "the settings")
    return (f"{settings.endpoint} (from {source}) looks like the {gate} port; the server API "
            f"is {where}")


def describe_error(exc: FPNNError, settings: Settings | None) -> str:
    """``str(exc)``, followed by a hint in parentheses when the error points at a wrong
    setting (still one line)."""
    text = str(exc)
    if settings is None:
        return text
    hint = _hint(exc, settings)
    if hint and exc.code == CORE_UNKNOWN_METHOD:
        # this hint names the right port too: it replaces the SDK's general one
        text = re.sub(rf" \([^()]*{NOT_SERVER_API}[^()]*\)", "", text)
    return f"{text} ({hint})" if hint else text


def _hint(exc: FPNNError, settings: Settings) -> str | None:
    if exc.code == _UNAUTHORIZED:
        return _server_port_hint(settings, "client gate")
    if exc.code == CORE_UNKNOWN_METHOD:
        if unknown_server_api_method(exc):
            return _server_port_hint(settings, "client gate or file gate")
        return None
    if settings.pem is not None and "encryption handshake" in exc.message:
        source = settings.sources.get("pem", "the settings")
        if NO_KEY_MESSAGE in exc.message:  # the server said it has no key
            return (f"the server does not encrypt: connect without --pem (set from {source}), "
                    f"or start the server with a key: {PROG} server --ecc-key PATH")
        return (f"the --pem key {settings.pem} (from {source}) does not match the server's "
                "key: use the public key of the server's --ecc-key, or no --pem")
    if isinstance(exc, FPNNConnectionError) and settings.is_local_default:
        return f"is a local server running? start one with: {PROG} server"
    return None
