"""State shared by the sync and async RTM server clients."""

from __future__ import annotations

from typing import Any

from rtm.api.call import Call
from rtm.api.models import ListenState
from rtm.api.monitor import PushRouter, RTMServerMonitor
from rtm.api.signing import MidGenerator, Signer

__all__ = ["PROTOCOLS", "RTMCore", "validate_endpoint"]

#: Wire profiles: ``"current"`` sends what Go SDK 0.9.20 sends, ``"0.1.0"`` what Go 0.1.0 sends.
PROTOCOLS = ("current", "0.1.0")

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

    ``sign_version=1`` (default) signs like Go 0.1.0 (spec §1.2); ``2`` adds ``ts`` and the
    ``:cmd:ts`` formula required by post-2019 servers (§1.3). ``legacy_file_attrs=True``
    makes file attrs byte-identical to Go 0.1.0 (``exit`` instead of ``ext``, §3.4).
    The secret key is never shown by ``repr``/``str`` or in error messages.
    """

    def __init__(
        self,
        pid: int,
        secret_key: str,
        endpoint: str,
        *,
        protocol: str = "current",
        sign_version: int | None = None,
        legacy_file_attrs: bool | None = None,
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
        if protocol not in PROTOCOLS:
            raise ValueError(f"'protocol' must be one of {PROTOCOLS}, got {protocol!r}")
        legacy = protocol == "0.1.0"
        if sign_version is None:
            sign_version = 1 if legacy else 2
        if legacy_file_attrs is None:
            legacy_file_attrs = legacy
        if type(sign_version) is not int or sign_version not in (1, 2):
            raise ValueError(f"'sign_version' must be 1 or 2, got {sign_version!r}")
        if not isinstance(legacy_file_attrs, bool):
            raise TypeError(
                f"'legacy_file_attrs' must be a bool, got {type(legacy_file_attrs).__name__}"
            )
        self._pid = int(pid)
        self._protocol = protocol
        self._endpoint = endpoint
        self._signer = Signer(self._pid, secret_key, sign_version)
        self._legacy_file_attrs = legacy_file_attrs
        self._mids = MidGenerator()
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

    @property
    def sign_version(self) -> int:
        return self._signer.version

    def _auth_params(self, method: str) -> dict[str, Any]:
        """``{"pid", "sign", "salt"}`` (+ ``"ts"`` with sign_version 2) for one quest."""
        return self._signer.auth_params(method)

    def set_monitor(self, monitor: RTMServerMonitor | None) -> None:
        """Install (or remove, with ``None``) the receiver of server pushes."""
        if monitor is not None and not isinstance(monitor, RTMServerMonitor):
            raise TypeError(
                f"'monitor' must be an RTMServerMonitor or None, got {type(monitor).__name__}"
            )
        self._monitor = monitor
        self._pushes.monitor = monitor

    def _listen_restore_call(self) -> Call[None] | None:
        """The ``setlisten`` quest re-applying the cached listen state on a new connection,
        or ``None`` if no listen quest ever succeeded.

        When the "all" flags are on this is ``setlisten(all=True)``, chained (``then``) with
        ``removelisten(p2p=True)`` if P2P listening was removed afterwards; otherwise one
        ``setlisten`` with the cached lists and ``p2p`` (no ``all`` key).
        """
        state = self._listen.snapshot()
        if not state.touched:
            return None
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
