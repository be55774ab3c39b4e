"""State shared by the sync and async RTM server clients."""

from __future__ import annotations

from typing import Any

from rtm.api.call import Call
from rtm.api.models import ListenSnapshot, ListenState
from rtm.api.monitor import PushRouter, RTMServerMonitor
from rtm.api.signing import MidGenerator, Signer, SnowflakeMidGenerator

__all__ = ["PROTOCOLS", "SAME_SIGN", "RTMCore", "validate_endpoint"]

#: Wire profiles: ``"current"`` sends what Go SDK 0.9.20 sends, ``"0.1.0"`` what Go 0.1.0 sends.
PROTOCOLS = ("current", "0.1.0")

#: RTM_EC_SAME_SIGN: the server saw this salt/sign already; the current profile re-signs once.
SAME_SIGN = 200006
#: Seconds the re-signed quest's ``ts`` is ahead of the clock (what Go 0.9.20 does).
RESIGN_TS_OFFSET = 5

#: Client options replaced by ``protocol=`` (how to say the same thing now).
REMOVED_OPTIONS = {
    "sign_version": "use protocol='current' (ts/cmd signature) or protocol='0.1.0' "
    "(the 0.1.0 signature)",
    "legacy_file_attrs": "use protocol='0.1.0' for the Go 0.1.0 file attrs",
}

_INT32_MAX = 2**31 - 1


def validate_endpoint(endpoint: object, name: str = "endpoint") -> str:
    """Check ``"host:port"`` (``"[v6]:port"`` too), port 1..65535; return it unchanged."""
    if not isinstance(endpoint, str):
        raise TypeError(f"{name!r} must be a str 'host:port', got {type(endpoint).__name__}")
    host, sep, port = endpoint.rpartition(":")
    if not sep or not host or not port.isdigit() or not port.isascii():
        raise ValueError(f"{name!r} must be 'host:port', got {endpoint!r}")
    if not 0 < int(port) < 65536:
        raise ValueError(f"{name!r} port must be in 1..65535, got {endpoint!r}")
    return endpoint


def _noop_parse(answer: dict[str, Any]) -> None:
    return None


class RTMCore:
    """Project credentials, signing, message ids, listen cache and monitor of one client.

    ``protocol="current"`` (default) puts on the wire what Go SDK 0.9.20 sends: the ts/cmd
    signature with salts and mids from the snowflake generator, one re-signed retry on
    200006, the current forms of history, file attrs and listening. ``protocol="0.1.0"``
    sends what Go SDK 0.1.0 sends, byte for byte: the 0.1.0 signature, nanosecond salts,
    ``ms * 1000 + seq`` mids, flat file attrs with the ``exit`` typo.
    The secret key is never shown by ``repr``/``str`` or in error messages.
    """

    def __init__(
        self,
        pid: int,
        secret_key: str,
        endpoint: str,
        *,
        protocol: str = "current",
    ) -> None:
        super().__init__()
        if type(pid) is not int and (not isinstance(pid, int) or isinstance(pid, bool)):
            raise TypeError(f"'pid' must be an int, got {type(pid).__name__}")
        if not 0 < pid <= _INT32_MAX:
            raise ValueError(f"'pid' must be an int in [1, {_INT32_MAX}] (int32), got {pid!r}")
        if not isinstance(secret_key, str):
            raise TypeError(f"'secret_key' must be a str, got {type(secret_key).__name__}")
        if not secret_key:
            raise ValueError("'secret_key' must be a non-empty str")
        validate_endpoint(endpoint)
        if not isinstance(protocol, str) or protocol not in PROTOCOLS:
            raise ValueError(
                f"'protocol' must be one of {', '.join(map(repr, PROTOCOLS))}, got {protocol!r}"
            )
        legacy = protocol == "0.1.0"
        self._pid = int(pid)
        self._protocol = protocol
        self._endpoint = endpoint
        if legacy:
            self._mids: MidGenerator | SnowflakeMidGenerator = MidGenerator()
            self._signer = Signer(self._pid, secret_key, 1)
        else:  # Go 0.9.20 takes salts from its mid generator (spec §1.4)
            self._mids = SnowflakeMidGenerator()
            self._signer = Signer(self._pid, secret_key, 2, salts=self._mids)
        self._legacy_file_attrs = legacy
        self._listen = ListenState()
        self._monitor: RTMServerMonitor | None = None
        self._pushes = PushRouter()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(pid={self._pid}, endpoint={self._endpoint!r})"

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def endpoint(self) -> str:
        return self._endpoint

    @property
    def protocol(self) -> str:
        """The wire profile: ``"current"`` (Go SDK 0.9.20) or ``"0.1.0"`` (Go SDK 0.1.0)."""
        return self._protocol

    def new_mid(self) -> int:
        """A fresh message id from this client's generator (the one the send methods use)."""
        return self._mids.next()

    def _auth_params(self, method: str) -> dict[str, Any]:
        """``{"pid", "sign", "salt"}`` (+ ``"ts"`` in the current profile) for one quest."""
        return self._signer.auth_params(method)

    def _resign(self, call: Call[Any], code: int) -> bool:
        """After an error answer ``code`` to the signed ``call``: whether to send it once more.
        The current profile (like Go 0.9.20) re-signs a 200006 answer with a fresh salt and
        ``ts = now + 5`` (spec §1.2); the params are updated in place."""
        if code != SAME_SIGN or not call.signed or self._protocol != "current":
            return False
        call.params.update(self._signer.auth_params(call.method, RESIGN_TS_OFFSET))
        return True

    def set_monitor(self, monitor: RTMServerMonitor | None) -> None:
        """Install (or remove, with ``None``) the receiver of server pushes."""
        if monitor is not None and not isinstance(monitor, RTMServerMonitor):
            raise TypeError(
                f"'monitor' must be an RTMServerMonitor or None, got {type(monitor).__name__}"
            )
        self._monitor = monitor
        self._pushes.monitor = monitor

    def _listen_restore_call(self) -> Call[None] | None:
        """The ``setlisten`` quest(s) re-applying the cached listen state on a new connection,
        or ``None`` if no listen quest ever succeeded."""
        state = self._listen.snapshot()
        if not state.touched:
            return None
        if self._protocol == "current":
            return self._current_restore(state)
        if state.all_groups or state.all_rooms or state.all_events:
            params: dict[str, Any] = {
                "gids": [],
                "rids": [],
                "p2p": False,
                "events": [],
                "all": True,
            }
            then = None
            if not state.all_p2p:

                def then(_: Any) -> Call[None]:
                    return Call("removelisten", {"p2p": True}, _noop_parse, None, False)

            return Call("setlisten", params, _noop_parse, None, False, then=then)
        params = {
            "gids": sorted(state.gids),
            "rids": sorted(state.rids),
            "p2p": state.all_p2p,
            "events": sorted(state.events),
        }
        return Call("setlisten", params, _noop_parse, None, False)

    @staticmethod
    def _current_restore(state: ListenSnapshot) -> Call[None]:
        """Current profile: the lists (form A, as lists: spec §8 / §12 #9), then the flags
        (form B) when one is on, like Go 0.9.20's re-send."""
        status: dict[str, Any] = {
            "group": state.all_groups,
            "room": state.all_rooms,
            "p2p": state.all_p2p,
            "ev": state.all_events,
        }
        lists: dict[str, Any] = {
            "gids": sorted(state.gids),
            "rids": sorted(state.rids),
            "uids": sorted(state.uids),
            "events": sorted(state.events),
        }
        if not state.any_flag:
            return Call("setlisten", lists, _noop_parse, None, False)

        def then(_: Any) -> Call[None]:
            return Call("setlisten", status, _noop_parse, None, False)

        return Call("setlisten", lists, _noop_parse, None, False, then=then)
