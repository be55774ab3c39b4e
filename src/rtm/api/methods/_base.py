"""What every area's builders may read from the client (provided by :class:`RTMCore`)."""

from __future__ import annotations

from rtm.api.models import ListenState
from rtm.api.signing import MidGenerator, SnowflakeMidGenerator


class AreaBase:
    """Base of the per-area mixins; the state attributes are set by ``RTMCore.__init__``."""

    _pid: int
    _protocol: str  # "current" or "0.1.0" (rtm.api.core.PROTOCOLS)
    _mids: MidGenerator | SnowflakeMidGenerator
    _listen: ListenState
    _legacy_file_attrs: bool
