"""Local RTM server (offline emulator of the RTM service).

An RTM-compatible server on loopback backed by SQLite: the signed server API (spec
``rtm-server-api.md`` §2), the file gate (§3), server pushes (§4) and a minimal client gate
(§6). Start it with ``python -m rtm.server`` (or ``rtm server``), :class:`RTMServer` inside an
event loop, or :class:`ServerThread` from synchronous code.
"""

from rtm.server.app import RTMServer, ServerThread
from rtm.server.config import DEV_PID, DEV_SECRET, ServerConfig, default_db_path

__all__ = [
    "DEV_PID",
    "DEV_SECRET",
    "RTMServer",
    "ServerConfig",
    "ServerThread",
    "default_db_path",
]
