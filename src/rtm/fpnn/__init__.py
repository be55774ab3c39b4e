"""FPNN: the binary RPC protocol RTM speaks. Knows nothing about RTM.

``codec``, ``crypto`` and ``session`` are sans-IO (bytes and times in, messages and events
out): ``session.FPNNSession`` is the whole protocol state of one connection. ``connection``,
``client`` and ``server`` are the asyncio transport of that session, ``sync_client`` the
blocking one; both only move bytes and wake callers.
"""

from rtm.fpnn.client import FPNNClient, parse_endpoint
from rtm.fpnn.codec import Answer, FrameDecoder, Quest, encode_answer, encode_quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.errors import (
    ClientClosedError,
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNCryptoError,
    FPNNError,
    FPNNProtocolError,
    FPNNTimeoutError,
)
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.fpnn.session import FPNNSession, KeepAlive
from rtm.fpnn.sync_client import SyncFPNNClient

__all__ = [
    "Answer",
    "ClientClosedError",
    "FPNNAnswerError",
    "FPNNClient",
    "FPNNConnection",
    "FPNNConnectionError",
    "FPNNCryptoError",
    "FPNNError",
    "FPNNProtocolError",
    "FPNNServer",
    "FPNNSession",
    "FPNNTimeoutError",
    "FrameDecoder",
    "KeepAlive",
    "Quest",
    "ServerConnection",
    "SyncFPNNClient",
    "encode_answer",
    "encode_quest",
    "parse_endpoint",
]
