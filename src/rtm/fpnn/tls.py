"""TLS over memory buffers, sans-IO: what lets one listening port take both plain and TLS
connections (the server looks at the first byte, 0x16 = a TLS handshake record, before it
knows which one it has).

:class:`TLSLayer` wraps :class:`ssl.SSLObject` with two :class:`ssl.MemoryBIO`: ciphertext in,
plaintext out, and the other way round; the transport writes ``data_to_send()`` after every
call. It never touches a socket. Errors are :class:`TLSError` (an FPNN protocol error: the
connection ends, as after a bad frame).
"""

from __future__ import annotations

import ssl
from typing import Final

from rtm.fpnn.errors import FPNNProtocolError

__all__ = ["TLS_HANDSHAKE_RECORD", "TLSError", "TLSLayer", "server_context"]

#: First byte of a TLS record carrying a handshake message (a ClientHello starts with it).
TLS_HANDSHAKE_RECORD: Final = 0x16
_READ_SIZE: Final = 256 * 1024


class TLSError(FPNNProtocolError):
    """A failed TLS handshake or a corrupt TLS record: the connection ends."""


def server_context(certfile: str, keyfile: str | None = None) -> ssl.SSLContext:
    """A server-side context for a PEM certificate (chain) and its private key; OSError or
    ssl.SSLError naming the file when they cannot be loaded."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        files = certfile if keyfile is None else f"{certfile} / {keyfile}"
        raise ssl.SSLError(f"cannot load the TLS certificate and key ({files}): {exc}") from exc
    return context


class TLSLayer:
    """The server side of one TLS connection over memory buffers (clients use asyncio's own
    TLS: they know from the URL that they speak it)."""

    __slots__ = ("_in", "_obj", "_out", "handshake_done", "peer_closed")

    def __init__(self, context: ssl.SSLContext) -> None:
        self._in = ssl.MemoryBIO()
        self._out = ssl.MemoryBIO()
        self._obj = context.wrap_bio(self._in, self._out, server_side=True)
        self.handshake_done = False
        #: The peer ended TLS (close_notify): the connection is over.
        self.peer_closed = False

    def _handshake(self) -> bool:
        try:
            self._obj.do_handshake()
        except ssl.SSLWantReadError:
            return False
        except (ssl.SSLError, ValueError) as exc:
            raise TLSError(f"TLS handshake failed: {exc}") from None
        self.handshake_done = True
        return True

    def receive(self, data: bytes) -> bytes:
        """Feed ciphertext read from the socket; returns the plaintext it completes (b""
        while the handshake runs). Then write ``data_to_send()``."""
        if self.peer_closed:
            return b""
        self._in.write(data)
        if not self.handshake_done and not self._handshake():
            return b""
        chunks: list[bytes] = []
        obj = self._obj
        while True:
            try:
                chunk = obj.read(_READ_SIZE)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:
                self.peer_closed = True
                break
            except (ssl.SSLError, ValueError) as exc:
                raise TLSError(f"bad TLS record: {exc}") from None
            if not chunk:
                self.peer_closed = True
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def send(self, data: bytes) -> bytes:
        """Encrypt ``data`` (after the handshake); returns the ciphertext to write."""
        if data:
            try:
                self._obj.write(data)
            except (ssl.SSLError, ValueError) as exc:
                raise TLSError(f"cannot encrypt: {exc}") from None
        return self._out.read()

    def data_to_send(self) -> bytes:
        """Ciphertext produced by the layer itself (handshake messages, alerts)."""
        return self._out.read()
