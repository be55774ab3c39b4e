"""The session hooks the WebSocket transport and the server's ping sweep use: pings without
deadlines, frames one by one, a server session that refuses ``*key``."""

from __future__ import annotations

import pytest

from rtm.fpnn import errors as ec
from rtm.fpnn.codec import FrameDecoder, Quest, encode_answer, encode_error_answer, encode_quest
from rtm.fpnn.crypto import ClientKeyExchange, generate_private_key
from rtm.fpnn.session import Closed, FPNNSession


def test_ping_answers_are_recorded_and_pings_never_expire() -> None:
    s: FPNNSession[str] = FPNNSession(set(), now=0.0, server=True)
    s.receive_data(encode_quest("auth", {}, 1), now=0.0)  # (answered 20004: not handled)
    s.data_to_send()
    s.send_ping("ping", now=1.0)
    s.send_ping("ping", now=2.0)
    [first, second] = FrameDecoder().feed(s.data_to_send())
    assert isinstance(first, Quest) and first.method == "ping" and first.payload == {}
    assert not first.oneway and first.seq != second.seq
    assert s.pending_count == 2 and s.next_deadline() is None  # no deadline, no timer
    assert s.tick(now=1e12) == [] and s.pending_count == 2
    assert s.receive_data(encode_answer(first.seq, {}), now=3.0) == []  # nothing to report
    assert s.ping_answered_at == 3.0
    error = encode_error_answer(second.seq, ec.CORE_UNKNOWN_METHOD, "Unknow method:ping")
    assert s.receive_data(error, now=4.0) == []  # an error answer proves life too
    assert s.ping_answered_at == 4.0 and s.pending_count == 0
    s.send_ping("ping", now=5.0)
    assert s.close() == []  # a pending ping fails nobody


def test_frames_to_send_one_by_one() -> None:
    s: FPNNSession[str] = FPNNSession(set(), now=0.0)
    s.send_quest("a", {"x": 1}, "A", 5.0, now=0.0)
    s.send_oneway("b", {})
    assert s.frames_to_send() == [encode_quest("a", {"x": 1}, 1),
                                  encode_quest("b", {}, oneway=True)]
    assert s.frames_to_send() == [] and s.output_size == 0
    encrypted: FPNNSession[str] = FPNNSession(set(), now=0.0)
    encrypted.start_handshake(ClientKeyExchange(generate_private_key().public_key()), "K",
                              5.0, now=0.0)
    with pytest.raises(RuntimeError, match="plaintext"):
        encrypted.frames_to_send()


def test_refuse_encryption_closes_on_key_exchange() -> None:
    key = generate_private_key()
    s: FPNNSession[str] = FPNNSession(set(), now=0.0, server=True, private_key=key)
    s.refuse_encryption()
    kx = ClientKeyExchange(key.public_key())
    events = s.receive_data(encode_quest("*key", kx.key_quest_payload(), 1), now=0.0)
    assert [type(e) for e in events] == [Closed] and s.closed
