"""Local RTM server (offline emulator of the RTM service).

An RTM-compatible server on loopback backed by SQLite: the signed server API (spec
``rtm-server-api.md`` §2, both signature generations), the file gate (§3), server pushes and
events (§4) and a minimal client gate (§6). Start it with ``python -m rtm.server`` (or
``rtm server``), :class:`RTMServer` inside an event loop, or :class:`ServerThread` from
synchronous code.

* Without configured projects the development project :data:`DEV_PID` (1000001) with secret
  :data:`DEV_SECRET` (``"rtm-local-dev-secret"``) is served.
* Three listeners: server gate (server API + pushes), client gate (``auth`` with a token from
  ``gettoken``, sends, rooms, presence), file gate (``send*file`` with a ``filetoken`` token,
  and ``getfile``).
* A delivered file message carries its URL ``<file_base_url>/<pid>/<file_id>`` (a random id
  per stored file), which downloads it over HTTP while a message carrying it is stored; the
  signed file-gate quest ``getfile {pid, sign, salt[, ts], fileid | url}`` returns it too (see
  :mod:`rtm.server.gate_file`).
* Emulator switches (friend symmetry, token lifetime, admin uids, strict mid, ts window, replay
  protection, push timeout/retry, ...) are fields of :class:`ServerConfig`.
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
