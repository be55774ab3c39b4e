"""Settings shared by the asyncio and the blocking FPNN clients."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar
from urllib.parse import urlsplit

from rtm.fpnn import codec
from rtm.fpnn.codec import Quest
from rtm.fpnn.crypto import ClientKeyExchange, ServerPublicKey, load_public_key
from rtm.fpnn.session import DEFAULT_MAX_WRITE_BUFFER, KeepAlive

H = TypeVar("H")

#: The URL path of FPNN over WebSocket (the RTM client SDKs' ``/service/websocket``).
WEBSOCKET_PATH: Final = "/service/websocket"
ConnectionCallback = Callable[[int], None]


def parse_endpoint(endpoint: str) -> tuple[str, int]:
    """``"host:port"`` or ``"[v6addr]:port"`` -> (host, port); ValueError naming the rule."""
    if not isinstance(endpoint, str):
        raise TypeError(f"endpoint must be a str 'host:port', got {type(endpoint).__name__}")
    host, sep, port_text = endpoint.rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise ValueError(f"endpoint must be 'host:port', got {endpoint!r}")
    port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError(f"endpoint port must be in 1..65535, got {port}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port


@dataclass(frozen=True, slots=True)
class WebSocketEndpoint:
    """Where an FPNN-over-WebSocket client connects: ``ws://host:port/path`` (``secure``:
    ``wss://``, TLS)."""

    host: str
    port: int
    path: str
    secure: bool

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.secure else 80
        return host if self.port == default else f"{host}:{self.port}"


def is_websocket_url(endpoint: object) -> bool:
    """A URL (``scheme://…``) rather than ``host:port``: parse_websocket_url() judges it."""
    return isinstance(endpoint, str) and "://" in endpoint


def parse_websocket_url(url: str) -> WebSocketEndpoint:
    """``ws://host[:port][/path]`` or ``wss://…`` -> :class:`WebSocketEndpoint` (port 80/443
    and path ``/service/websocket`` by default); ValueError naming what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad WebSocket URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"a WebSocket endpoint must be 'ws://host:port/path' or "
                         f"'wss://host:port/path', got {url!r}")
    if parts.fragment:
        raise ValueError(f"a WebSocket URL has no #fragment, got {url!r}")
    secure = scheme == "wss"
    if port is None:
        port = 443 if secure else 80
    if not 0 < port < 65536:
        raise ValueError(f"WebSocket URL port must be in 1..65535, got {port}")
    path = parts.path or WEBSOCKET_PATH
    if parts.query:
        path = f"{path}?{parts.query}"
    return WebSocketEndpoint(parts.hostname, port, path, secure)


def answer_ping(conn: Any, quest: Quest) -> dict[str, Any]:
    """``*ping`` and RTM's business ``ping`` are always answered (spec 6 and 9.4)."""
    return {}


class ClientConfig(Generic[H]):
    """Endpoint, timeouts, keep-alive, write limits, callbacks, push handlers, encryption.

    ``max_write_buffer``: bytes a connection queues for sending; a quest that does not fit
    waits for room until its timeout. ``write_timeout`` (default: ``quest_timeout``): a
    peer that takes none of the queued bytes for that long is given up, failing every
    pending quest with FPNNConnectionError.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        connect_timeout: float,
        quest_timeout: float,
        max_frame_size: int = codec.DEFAULT_MAX_FRAME_SIZE,
        keepalive: bool = False,
        keepalive_interval: float = 20.0,
        keepalive_retries: int = 3,
        max_write_buffer: int = DEFAULT_MAX_WRITE_BUFFER,
        write_timeout: float | None = None,
        logger: logging.Logger,
        on_connected: ConnectionCallback | None = None,
        on_closed: ConnectionCallback | None = None,
        ping_handler: H,
    ) -> None:
        #: Set when ``endpoint`` is a ``ws://`` / ``wss://`` URL: FPNN inside WebSocket
        #: messages (asyncio client only).
        self.websocket: WebSocketEndpoint | None = None
        if is_websocket_url(endpoint):
            self.websocket = parse_websocket_url(endpoint)
            self._host, self._port = self.websocket.host, self.websocket.port
        else:
            self._host, self._port = parse_endpoint(endpoint)
        self.endpoint = endpoint
        self.connect_timeout = connect_timeout
        self.quest_timeout = quest_timeout
        self.max_frame_size = max_frame_size
        self.keepalive = keepalive
        self.keepalive_interval = keepalive_interval
        self.keepalive_retries = keepalive_retries
        if max_write_buffer <= 0:
            raise ValueError(f"max_write_buffer must be > 0, got {max_write_buffer!r}")
        self.max_write_buffer = max_write_buffer
        self.write_timeout = write_timeout
        self.logger = logger
        self.on_connected = on_connected
        self.on_closed = on_closed
        self._handlers: dict[str, H] = {"*ping": ping_handler, "ping": ping_handler}
        self._server_key: ServerPublicKey | None = None
        self._key_bits = 256
        self._key_stream = True

    def register(self, method: str, handler: H) -> None:
        """Handle server-pushed quests named ``method``; the result dict is the answer."""
        self._handlers[method] = handler

    def enable_encryption(
        self,
        pem_key_path: str | os.PathLike[str] | None = None,
        *,
        pem_key_data: bytes | str | None = None,
        server_key: ServerPublicKey | None = None,
        bits: int = 256,
        stream: bool = True,
    ) -> None:
        """Encrypt the next connections with the server's public key (ECDH + AES-CFB)."""
        if self.websocket is not None:
            raise ValueError("FPNN encryption is not used on WebSocket: use a wss:// endpoint "
                             "for a TLS-encrypted connection")
        if bits not in (128, 256):
            raise ValueError(f"bits must be 128 or 256, got {bits!r}")
        if server_key is None:
            server_key = load_public_key(pem_key_path, pem_key_data=pem_key_data)
        self._server_key = server_key
        self._key_bits = bits
        self._key_stream = stream

    def _keepalive(self) -> KeepAlive | None:
        """Keep-alive settings for a new connection (pings wait ``quest_timeout``)."""
        if not self.keepalive:
            return None
        return KeepAlive(self.keepalive_interval, self.quest_timeout, self.keepalive_retries)

    def _write_timeout(self) -> float:
        return self.quest_timeout if self.write_timeout is None else self.write_timeout

    def _key_exchange(self) -> ClientKeyExchange | None:
        """A fresh ECDH exchange for a new connection, or None when encryption is off."""
        if self._server_key is None:
            return None
        return ClientKeyExchange(self._server_key, bits=self._key_bits, stream=self._key_stream)
