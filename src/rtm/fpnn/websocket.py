"""FPNN over WebSocket, sans-IO: the layer between the wire and an FPNN session's byte stream.

:class:`WebSocketAdapter` takes the bytes read from a socket and gives back the FPNN stream
bytes they carry (the payloads of binary messages, in order: FPNN frames may span or share
messages, the session reassembles them); it turns the session's outbound frames into one
binary message each. The handshake and the framing are wsproto's (h11's family); this module
only decides what FPNN allows:

* the URL path is :data:`WEBSOCKET_PATH` (any other path: HTTP 404, then the connection ends);
* only binary messages carry FPNN: a text message, a message over ``max_message_size`` bytes
  or a malformed frame ends the connection (a close frame 1003/1009/1002 is queued first);
* WebSocket pings are answered with pongs; a close from the peer is answered and ends it.

Errors are :class:`WebSocketError` (an :class:`FPNNProtocolError`), raised after whatever the
peer should still get (an HTTP error, a close frame) is queued in ``data_to_send()``. The
transport writes those bytes, then closes. Like the session it never touches a socket.

wsproto is imported here only: the SDK's core does not need it, and importing this module
without it raises ImportError naming the extra to install. A client must not send frames before the
server's handshake answer (RFC 6455 §4.1); a server-side adapter drops bytes sent that early.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Final

from rtm.fpnn.client_config import WEBSOCKET_PATH
from rtm.fpnn.errors import FPNNProtocolError

try:
    from wsproto.connection import Connection, ConnectionState, ConnectionType
    from wsproto.events import (
        AcceptConnection,
        BytesMessage,
        CloseConnection,
        Event,
        Ping,
        RejectConnection,
        Request,
        TextMessage,
    )
    from wsproto.handshake import H11Handshake
    from wsproto.utilities import LocalProtocolError, RemoteProtocolError
except ImportError as _exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "FPNN over WebSocket needs the wsproto package: pip install 'rtm-server-sdk[websocket]' "
        "(or pip install wsproto)") from _exc

__all__ = [
    "WEBSOCKET_PATH",
    "WebSocketAdapter",
    "WebSocketError",
]



# Close codes of RFC 6455 §7.4.1.
CLOSE_NORMAL: Final = 1000
CLOSE_PROTOCOL_ERROR: Final = 1002
CLOSE_UNSUPPORTED_DATA: Final = 1003
CLOSE_TOO_BIG: Final = 1009


class WebSocketError(FPNNProtocolError):
    """The peer broke the WebSocket rules FPNN uses (bad handshake, wrong path, a text or
    oversized message, a malformed frame) or refused the handshake: the connection ends."""


class WebSocketAdapter:
    """One WebSocket connection's framing for FPNN (see the module doc).

    Server side (``client=False``): waits for the HTTP upgrade request and accepts it when
    its path is ``path``. Client side: :meth:`start` gives the request to send; :attr:`open`
    turns true when the server accepted it. ``max_message_size``: the largest message payload
    accepted (the gate's max FPNN frame size).
    """

    __slots__ = ("_conn", "_hs", "_msg_size", "_out", "client", "close_code", "closed",
                 "max_message_size", "opened", "path")

    def __init__(self, *, client: bool = False, max_message_size: int,
                 path: str = WEBSOCKET_PATH) -> None:
        if max_message_size <= 0:
            raise ValueError(f"max_message_size must be > 0, got {max_message_size!r}")
        self.client = client
        self.max_message_size = max_message_size
        self.path = path
        # The HTTP handshake, then the frames: the handshake (h11 and its buffers) is dropped
        # once the connection is open, a few KB less per connection.
        self._hs: H11Handshake | None = H11Handshake(
            ConnectionType.CLIENT if client else ConnectionType.SERVER)
        self._conn: Connection | None = None
        self._out: list[bytes] = []
        self._msg_size = 0  # payload bytes of the binary message being received
        #: The handshake completed (in this direction's view): frames may be exchanged.
        self.opened = False
        #: The peer closed the WebSocket (its close frame is answered in data_to_send()).
        self.closed = False
        self.close_code: int | None = None

    @property
    def open(self) -> bool:
        """Messages can be sent: the handshake is done and nobody closed yet."""
        conn = self._conn
        return conn is not None and not self.closed and conn.state is ConnectionState.OPEN

    # ------------------------------------------------------------------ handshake

    def start(self, host: str) -> bytes:
        """Client side: the HTTP upgrade request for ``host`` (the Host header) and ``path``."""
        if not self.client or self._hs is None:
            raise RuntimeError("start() is for a client side that has not started")
        return self._hs.send(Request(host=host, target=self.path))

    def _opened(self, hs: H11Handshake) -> None:
        self._conn = hs.connection
        self._hs = None
        self.opened = True

    # ------------------------------------------------------------------ receiving

    def receive_data(self, data: bytes) -> bytes:
        """Feed bytes read from the socket; returns the FPNN stream bytes they complete.

        Raises :class:`WebSocketError` when the connection must end (see the module doc).
        After a clean close by the peer, :attr:`closed` is true and nothing is returned.
        """
        if self.closed or not data:  # wsproto takes b"" for the end of the stream
            return b""
        conn = self._conn
        if conn is not None:
            try:
                conn.receive_data(data)
            except LocalProtocolError as exc:  # data after the close: the peer keeps talking
                raise WebSocketError(f"WebSocket data after close: {exc}") from None
            return self._process(conn.events())
        hs = self._hs
        if hs is None:  # refused: nothing more is read
            return b""
        try:
            hs.receive_data(data)
        except RemoteProtocolError as exc:  # a bad request, or a bad 101 answer
            self._reject(hs, exc.event_hint)
            raise WebSocketError(f"bad WebSocket handshake: {exc}") from None
        out = self._process(hs.events())
        conn = self._conn
        if conn is not None and self.client and not self.closed:
            out += self._process(conn.events())  # frames that came with the 101 answer
        return out

    def _process(self, events: Iterable[Event]) -> bytes:
        chunks: list[bytes] = []
        for event in events:
            kind = type(event)
            if kind is BytesMessage:
                assert isinstance(event, BytesMessage)
                self._msg_size += len(event.data)
                if self._msg_size > self.max_message_size:
                    self._fail(CLOSE_TOO_BIG, f"message over {self.max_message_size} bytes")
                chunks.append(bytes(event.data))
                if event.message_finished:
                    self._msg_size = 0
            elif kind is Request:
                assert isinstance(event, Request)
                self._accept(event)
            elif kind is AcceptConnection:
                assert self._hs is not None
                self._opened(self._hs)
            elif kind is TextMessage:
                self._fail(CLOSE_UNSUPPORTED_DATA, "text message (FPNN needs binary ones)")
            elif kind is Ping:
                assert isinstance(event, Ping) and self._conn is not None
                self._out.append(self._conn.send(event.response()))
            elif kind is CloseConnection:
                assert isinstance(event, CloseConnection)
                self._peer_closed(event)
                break
            elif kind is RejectConnection:
                assert isinstance(event, RejectConnection)
                self._hs = None
                raise WebSocketError(
                    f"the server refused the WebSocket upgrade: HTTP {event.status_code}")
            # RejectData (the body of a refusal: its status said it all) and Pong (we never
            # send WebSocket pings; FPNN has its own): nothing to do
        return b"".join(chunks)

    def _accept(self, request: Request) -> None:
        hs = self._hs
        assert hs is not None
        target = request.target.split("?", 1)[0]
        if target != self.path:
            self._out.append(hs.send(RejectConnection(status_code=404)))
            self._hs = None
            raise WebSocketError(f"no WebSocket service at {target!r} (only {self.path})")
        self._out.append(hs.send(AcceptConnection()))
        self._opened(hs)

    def _reject(self, hs: H11Handshake, hint: object) -> None:
        """Answer a bad upgrade request with wsproto's HTTP error (400, 426...) if it can."""
        self._hs = None
        if not self.client and isinstance(hint, RejectConnection):
            with contextlib.suppress(LocalProtocolError):  # past answering: just close
                self._out.append(hs.send(hint))

    def _peer_closed(self, event: CloseConnection) -> None:
        conn = self._conn
        assert conn is not None
        if conn.state is ConnectionState.REMOTE_CLOSING:  # a close frame from the peer
            self.closed = True
            self.close_code = event.code
            self._out.append(conn.send(event.response()))
            return
        if conn.state is ConnectionState.CLOSED:  # the answer to our own close
            self.closed = True
            self.close_code = event.code
            return
        # wsproto reports a frame it cannot parse as a close of its own making
        self._fail(event.code, f"malformed WebSocket frame: {event.reason}")

    def _fail(self, code: int, reason: str) -> None:
        self._queue_close(code, reason)
        raise WebSocketError(reason)

    def _queue_close(self, code: int, reason: str) -> None:
        conn = self._conn
        if conn is not None and conn.state in (ConnectionState.OPEN,
                                               ConnectionState.REMOTE_CLOSING):
            self._out.append(conn.send(CloseConnection(code=code, reason=reason)))

    # ------------------------------------------------------------------ sending

    def send_frames(self, frames: Iterable[bytes]) -> bytes:
        """One binary message per FPNN frame, in wire form (b"" once closed)."""
        conn = self._conn
        if conn is None or self.closed or conn.state is not ConnectionState.OPEN:
            return b""
        send = conn.send
        return b"".join([send(BytesMessage(data=frame)) for frame in frames])

    def close(self, code: int = CLOSE_NORMAL, reason: str = "") -> bytes:
        """Start a clean close: the close frame to send (b"" when not open)."""
        conn = self._conn
        if conn is None or not self.open:
            return b""
        return bytes(conn.send(CloseConnection(code=code, reason=reason or None)))

    def data_to_send(self) -> bytes:
        """Bytes the adapter produced itself (handshake answer, pongs, close frames)."""
        out = self._out
        if not out:
            return b""
        data = b"".join(out)
        out.clear()
        return data
