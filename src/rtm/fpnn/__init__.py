"""FPNN: the binary RPC protocol RTM speaks. Knows nothing about RTM.

``codec`` and ``crypto`` are sans-IO (bytes in, messages out); ``client``, ``server`` and
``connection`` are the asyncio transport built on them; ``sync_client`` is the blocking one.
"""

from rtm.fpnn.client import FPNNClient, parse_endpoint
from rtm.fpnn.codec import Answer, FrameDecoder, Quest, encode_answer, encode_quest
from rtm.fpnn.connection import FPNNConnection
from rtm.fpnn.errors import (
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNCryptoError,
    FPNNError,
    FPNNProtocolError,
    FPNNTimeoutError,
)
from rtm.fpnn.server import FPNNServer, ServerConnection
from rtm.fpnn.sync_client import SyncFPNNClient

__all__ = [
    "Answer",
    "FPNNAnswerError",
    "FPNNClient",
    "FPNNConnection",
    "FPNNConnectionError",
    "FPNNCryptoError",
    "FPNNError",
    "FPNNProtocolError",
    "FPNNServer",
    "FPNNTimeoutError",
    "FrameDecoder",
    "Quest",
    "ServerConnection",
    "SyncFPNNClient",
    "encode_answer",
    "encode_quest",
    "parse_endpoint",
]
