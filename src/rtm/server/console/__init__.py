"""Web console of the local RTM server: see and drive the state it holds, live.

``rtm server`` serves it on loopback (``--console-port``, ``--no-console``); embedded servers
turn it on with ``ServerConfig(console_port=0)``. It needs the optional ``server`` extra
(aiohttp; ``console`` is an alias of it): ``pip install 'rtm-server-sdk[server]'``. Layout:

* :mod:`.live`: the recorder of quests and pushes (no aiohttp; the server core imports it);
* :mod:`.panels`: the declarative pages, panels and actions every area registers;
* :mod:`.areas`: one module per kind of state (users, friends, groups, rooms, messages, ...);
* :mod:`.security`: loopback/Host checks, the access token, CSRF and Origin checks;
* :mod:`.app`: the aiohttp application (pages, live WebSocket, static files).
"""

from __future__ import annotations

from typing import Final

#: What to install when aiohttp is missing.
INSTALL_HINT: Final = "pip install 'rtm-server-sdk[server]'"


def available() -> bool:
    """Whether the console's HTTP library (aiohttp) can be imported."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


__all__ = ["INSTALL_HINT", "available"]
