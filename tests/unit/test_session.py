"""FPNNSession on its own: bytes and times in, events and bytes out (no socket, no clock).

Tokens are plain strings here; a transport uses futures or locks.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtm.fpnn import codec
from rtm.fpnn import errors as ec
from rtm.fpnn.codec import FrameDecoder, Quest, encode_answer, encode_error_answer, encode_quest
from rtm.fpnn.crypto import ClientKeyExchange, generate_private_key
from rtm.fpnn.errors import (
    FPNNAnswerError,
    FPNNConnectionError,
    FPNNError,
    FPNNProtocolError,
    FPNNTimeoutError,
)
from rtm.fpnn.session import (
    Answered,
    Closed,
    Failed,
    FPNNSession,
    KeepAlive,
    WriteBufferFull,
)


def session(handlers: tuple[str, ...] = (), **options: Any) -> FPNNSession[str]:
    return FPNNSession(set(handlers), now=0.0, **options)


def decode(data: bytes) -> list[codec.Message]:
    return FrameDecoder().feed(data)


# ----------------------------------------------------------------------------- quests


def test_a_quest_and_its_answer() -> None:
    s = session()
    assert s.send_quest("echo", {"a": 1}, "T", 5.0, now=0.0) == 1
    assert s.pending_count == 1 and s.has_output
    assert s.data_to_send() == encode_quest("echo", {"a": 1}, 1)
    assert not s.has_output and s.data_to_send() == b""
    assert s.receive_data(encode_answer(1, {"b": 2}), now=0.1) == [Answered("T", {"b": 2})]
    assert s.pending_count == 0 and s.last_received == 0.1


def test_frames_go_out_in_order_in_one_write() -> None:
    s = session()
    for i in range(3):
        s.send_quest("q", {"i": i}, f"T{i}", 5.0, now=0.0)
    s.send_oneway("note", {"n": 1})
    out = decode(s.data_to_send())
    assert [(m.method, m.seq, m.oneway) for m in out if isinstance(m, Quest)] == [
        ("q", 1, False), ("q", 2, False), ("q", 3, False), ("note", 0, True)]


def test_exception_answers_and_unknown_seqs() -> None:
    s = session()
    s.send_quest("x", None, "T", 5.0, now=0.0)
    events = s.receive_data(encode_error_answer(1, 20004, "Unknow method:x", raiser="gate")
                            + encode_answer(99, {}), now=0.0)  # seq 99 was never sent
    assert len(events) == 1 and isinstance(events[0], Failed) and events[0].token == "T"
    error = events[0].error
    assert isinstance(error, FPNNAnswerError)
    assert (error.code, error.message, error.raiser) == (20004, "Unknow method:x", "gate")


def test_bad_payloads_fail_before_anything_is_queued() -> None:
    s = session()
    with pytest.raises(FPNNError) as info:
        s.send_quest("x", {"bad": object()}, "T", 5.0, now=0.0)
    assert info.value.code == ec.CORE_ENCODING
    with pytest.raises(ValueError, match="method name"):
        s.send_quest("", {}, "T", 5.0, now=0.0)
    assert s.pending_count == 0 and not s.has_output


def test_sequence_numbers_wrap_and_skip_pending() -> None:
    s = session()
    s._seq = 2**32 - 3  # as if 4 billion quests had been sent
    s._pending[2] = ("parked", float("inf"), "parked", 1.0)  # still in flight
    seqs = [s.send_quest("q", None, f"T{i}", 5.0, now=0.0) for i in range(4)]
    assert seqs == [2**32 - 2, 2**32 - 1, 1, 3]


# ----------------------------------------------------------------------------- time


def test_deadlines() -> None:
    s = session()
    assert s.next_deadline() is None
    s.send_quest("slow", None, "A", 1.0, now=10.0)
    s.send_quest("slower", None, "B", 2.0, now=10.0)
    s.data_to_send()  # both written: they wait for answers now
    assert s.next_deadline() == 11.0
    assert s.tick(10.5) == []
    events = s.tick(11.0)
    assert len(events) == 1 and events[0] == Failed("A", events[0].error)  # type: ignore[union-attr]
    error = events[0].error  # type: ignore[union-attr]
    assert isinstance(error, FPNNTimeoutError) and error.code == ec.CORE_TIMEOUT
    assert error.message == "quest 'slow' timed out after 1 s"
    assert s.next_deadline() == 12.0
    assert s.receive_data(encode_answer(1, {}), now=11.5) == []  # late: dropped
    assert [type(e) for e in s.tick(12.0)] == [Failed]
    assert s.next_deadline() is None


def test_an_answered_quest_leaves_at_most_an_early_wake_up() -> None:
    s = session()
    s.send_quest("q", None, "A", 1.0, now=0.0)
    s.receive_data(encode_answer(1, {}), now=0.1)
    # the deadline may still be reported (a lower bound): ticking then is harmless
    assert s.next_deadline() in (None, 1.0)
    assert s.tick(1.0) == [] and s.next_deadline() is None


def test_a_caller_that_stops_waiting_expires_its_quest() -> None:
    s = session()
    seq = s.send_quest("q", None, "A", 1.0, now=0.0)
    failed = s.expire(seq)
    assert failed is not None and failed.token == "A"
    assert isinstance(failed.error, FPNNTimeoutError)
    assert "could not be sent" in failed.error.message  # its frame never left the session
    assert not s.has_output and s.expire(seq) is None
    assert s.receive_data(encode_answer(seq, {}), now=0.5) == []


# ----------------------------------------------------------------------------- quests received


def test_quests_from_the_peer() -> None:
    s = session(("push",))
    events = s.receive_data(encode_quest("push", {"n": 1}, 7)
                            + encode_quest("nosuch", {}, 8)
                            + encode_quest("nosuch_oneway", {}, oneway=True), now=0.0)
    assert len(events) == 1 and isinstance(events[0], Quest)
    push = events[0]
    assert (push.method, push.seq, push.payload) == ("push", 7, {"n": 1})
    # the session answered the unknown twoway quest itself (spec 9.4), not the oneway one
    (unknown,) = decode(s.data_to_send())
    assert isinstance(unknown, codec.Answer) and unknown.seq == 8 and unknown.is_error
    assert (unknown.error_code, unknown.error_message) == (20004, "Unknow method:nosuch")
    assert s.answer(push, {"ok": True}) == []
    assert decode(s.data_to_send()) == [codec.Answer(7, {"ok": True})]


@pytest.mark.parametrize(
    ("result", "status", "payload"),
    [
        (None, 0, {}),
        ({"k": 1}, 0, {"k": 1}),
        (["not", "a", "map"], 1, {"code": 20001}),
        ("text", 1, {"code": 20001}),
        ({"bad": object()}, 1, {"code": 20005}),
    ],
    ids=["none", "map", "list", "str", "unencodable"],
)
def test_the_answer_rules(result: object, status: int, payload: dict[str, Any]) -> None:
    """One rule for every transport (fault 9: a non-map result was 20005 on asyncio)."""
    s = session(("push",))
    (quest,) = s.receive_data(encode_quest("push", {}, 3), now=0.0)
    assert isinstance(quest, Quest)
    s.answer(quest, result)
    (answer,) = decode(s.data_to_send())
    assert isinstance(answer, codec.Answer) and answer.status == status
    assert {k: answer.payload[k] for k in payload} == payload


def test_a_coroutine_result_is_closed_and_answered_20001() -> None:
    async def handler() -> dict[str, Any]:
        return {}

    s = session(("push",))
    (quest,) = s.receive_data(encode_quest("push", {}, 3), now=0.0)
    assert isinstance(quest, Quest)
    coro = handler()
    s.answer(quest, coro)
    assert coro.cr_frame is None  # closed: no "never awaited" warning
    (answer,) = decode(s.data_to_send())
    assert isinstance(answer, codec.Answer) and answer.error_code == ec.CORE_UNKNOWN_ERROR


def test_handler_exceptions() -> None:
    s = session(("push",))
    q1, q2, q3 = s.receive_data(encode_quest("push", {}, 1) + encode_quest("push", {}, 2)
                                + encode_quest("push", {}, oneway=True), now=0.0)
    assert isinstance(q1, Quest) and isinstance(q2, Quest) and isinstance(q3, Quest)
    s.answer_error(q1, FPNNError("refused", 300123))
    s.answer_error(q2, ValueError("bad value"))
    s.answer_error(q3, FPNNError("never answered", 1))
    s.answer(q3, {"never": "answered"})
    a1, a2 = decode(s.data_to_send())
    assert isinstance(a1, codec.Answer) and isinstance(a2, codec.Answer)
    assert (a1.error_code, a1.error_message) == (300123, "refused")
    assert (a2.error_code, a2.error_message) == (20001, "ValueError: bad value")


def test_answers_copy_version_and_flag() -> None:
    s = session(("push",))
    frame = bytearray(encode_quest("push", {"v": 0}, 5))
    frame[4] = 0  # the official Python SDK sends version 0
    (quest,) = s.receive_data(bytes(frame), now=0.0)
    assert isinstance(quest, Quest)
    s.answer(quest, quest.payload)
    assert decode(s.data_to_send()) == [codec.Answer(5, {"v": 0}, version=0)]


# ----------------------------------------------------------------------------- keep-alive


def test_keepalive_pings_when_idle_and_gives_a_silent_peer_up() -> None:
    s = session(keepalive=KeepAlive(interval=1.0, ping_timeout=0.5, retries=2))
    s.send_quest("q", None, "A", 100.0, now=0.0)
    s.data_to_send()
    assert s.next_deadline() == 1.0
    assert s.tick(0.9) == [] and not s.has_output
    assert s.tick(1.0) == []
    (ping,) = decode(s.data_to_send())
    assert isinstance(ping, Quest) and ping.method == "*ping" and not ping.oneway
    assert s.next_deadline() == 1.5  # the next ping, once this one has timed out
    assert s.tick(1.5) == []  # it timed out quietly: ping again
    (again,) = decode(s.data_to_send())
    assert isinstance(again, Quest) and again.method == "*ping"
    # lost after interval + ping_timeout * retries = 2 s of silence
    assert s.next_deadline() == 2.0
    events = s.tick(2.0)
    assert [type(e) for e in events] == [Failed, Closed]
    failed, closed = events
    assert isinstance(failed, Failed) and failed.token == "A"
    assert isinstance(failed.error, FPNNConnectionError) and "keep-alive" in failed.error.message
    assert isinstance(closed, Closed) and closed.error.code == ec.CORE_INVALID_CONNECTION
    assert s.closed and s.next_deadline() is None


def test_keepalive_answers_and_traffic_keep_a_connection() -> None:
    s = session(keepalive=KeepAlive(interval=1.0, ping_timeout=0.5, retries=1))
    now = 0.0
    for _ in range(20):  # 20 idle intervals, each ping answered
        while not s.has_output:  # an early wake-up (a stale deadline) is harmless
            now = s.next_deadline() or 0.0
            assert s.tick(now) == []
        (ping,) = decode(s.data_to_send())
        assert isinstance(ping, Quest)
        s.receive_data(encode_answer(ping.seq, {"ts": 1}), now=now + 0.01)
    assert not s.closed and s.pending_count == 0
    s.receive_data(encode_quest("unknown", {}, oneway=True), now=now + 0.5)  # traffic
    assert s.tick(now + 1.2) == [] and not s.has_output  # not idle for a whole interval


# ----------------------------------------------------------------------------- write limits


def test_quests_wait_for_room_in_the_write_buffer() -> None:
    s = session(max_write_buffer=1000)
    big = {"b": b"x" * 1500}
    s.send_quest("big", big, "A", 5.0, now=0.0)  # an empty buffer takes any frame
    with pytest.raises(WriteBufferFull):
        s.send_quest("small", {}, "B", 5.0, now=0.0)
    with pytest.raises(WriteBufferFull):
        s.send_oneway("note", {})
    s.data_to_send()  # taken by the transport...
    s.transport_buffered = 990  # ...which still holds most of it
    with pytest.raises(WriteBufferFull):
        s.send_quest("small", {"p": "y" * 20}, "B", 5.0, now=0.0)
    s.transport_buffered = 0
    s.send_quest("small", {}, "B", 5.0, now=0.0)
    assert s.pending_count == 2
    error = s.write_buffer_full_error("small", 5.0)
    assert isinstance(error, FPNNTimeoutError) and "max_write_buffer=1000" in error.message


def test_a_quest_never_sent_by_its_deadline_is_dropped() -> None:
    s = session()
    s.send_quest("q1", None, "A", 1.0, now=0.0)
    s.send_quest("q2", None, "B", 5.0, now=0.0)
    before = s.output_size
    (failed,) = s.tick(1.0)
    assert isinstance(failed, Failed) and failed.token == "A"
    assert "write buffer is full" in failed.error.message
    assert s.output_size < before
    out = decode(s.data_to_send())
    assert [m.method for m in out if isinstance(m, Quest)] == ["q2"]


def test_a_peer_that_takes_nothing_is_given_up() -> None:
    s = session(write_timeout=2.0)
    s.send_quest("q", None, "A", 100.0, now=0.0)
    s.write_blocked(10.0)
    s.write_blocked(10.5)  # still the same stall
    assert s.next_deadline() == 12.0
    s.write_progress(11.0, blocked=True)  # some bytes left: the clock restarts
    assert s.next_deadline() == 13.0
    assert s.tick(12.9) == []
    events = s.tick(13.0)
    assert [type(e) for e in events] == [Failed, Closed]
    assert "does not read" in events[1].error.message  # type: ignore[union-attr]
    s2 = session(write_timeout=2.0)
    s2.write_blocked(0.0)
    s2.write_progress(1.0, blocked=False)
    assert s2.next_deadline() is None


def test_answers_to_a_peer_that_reads_nothing_are_bounded() -> None:
    s = session(("push",), max_write_buffer=100)
    events: list[Any] = []
    for seq in range(1, 50):
        (quest,) = s.receive_data(encode_quest("push", {}, seq), now=0.0)
        assert isinstance(quest, Quest)
        events += s.answer(quest, {"blob": "z" * 20})
        if events:
            break
    assert [type(e) for e in events] == [Closed] and s.closed
    assert s.output_size <= 2 * 100


# ----------------------------------------------------------------------------- closing


def test_close_fails_pending_quests_once() -> None:
    s = session()
    s.send_quest("q", None, "A", 5.0, now=0.0)
    (failed,) = s.close(FPNNConnectionError("bye"))
    assert isinstance(failed, Failed) and failed.token == "A"
    assert failed.error.code == ec.CORE_CONNECTION_CLOSED
    assert failed.error.message == "connection is closed: bye"
    assert s.close() == [] and s.receive_data(encode_answer(1, {}), now=1.0) == []
    with pytest.raises(FPNNConnectionError, match="closed: bye"):
        s.send_quest("q", None, "B", 5.0, now=0.0)
    assert s.tick(100.0) == [] and s.next_deadline() is None


@pytest.mark.parametrize("garbage", [b"HTTP/1.1 200 OK\r\n\r\n", b"FPNN" + bytes(8)],
                         ids=["magic", "flag"])
def test_a_framing_error_closes(garbage: bytes) -> None:
    s = session()
    s.send_quest("q", None, "A", 5.0, now=0.0)
    events = s.receive_data(garbage, now=0.0)
    assert [type(e) for e in events] == [Failed, Closed]
    assert isinstance(events[1], Closed) and isinstance(events[1].error, FPNNProtocolError)
    assert s.closed


# ----------------------------------------------------------------------------- handshake


@pytest.mark.parametrize("bits", [128, 256])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "package"])
def test_handshake_between_two_sessions(bits: int, stream: bool) -> None:
    key = generate_private_key("secp256k1")
    server: FPNNSession[str] = FPNNSession({"echo"}, now=0.0, server=True, private_key=key)
    client = session()
    kx = ClientKeyExchange(key.public_key(), bits=bits, stream=stream)
    client.start_handshake(kx, "K", 5.0, now=0.0)
    assert client.handshake_pending and client.encrypted
    client.send_quest("echo", {"n": 1}, "Q", 5.0, now=0.0)  # pipelined right behind *key
    wire = client.data_to_send()
    key_frame = encode_quest("*key", kx.key_quest_payload(), 1)
    assert wire.startswith(key_frame)  # the *key quest is plaintext, the rest is not
    assert b"echo" not in wire[len(key_frame):]
    (quest,) = server.receive_data(wire, now=0.0)
    assert isinstance(quest, Quest) and quest.payload == {"n": 1} and server.encrypted
    server.answer(quest, quest.payload)
    back = server.data_to_send()
    # one byte at a time: the decryptor and decoder keep their state between chunks
    events = [e for i in range(len(back)) for e in client.receive_data(back[i:i + 1], 0.0)]
    assert events == [Answered("K", {}), Answered("Q", {"n": 1})]
    assert not client.handshake_pending


def test_the_server_closes_on_a_key_it_cannot_use() -> None:
    kx = ClientKeyExchange(generate_private_key().public_key())
    no_key: FPNNSession[str] = FPNNSession({"echo"}, now=0.0, server=True)
    events = no_key.receive_data(encode_quest("*key", kx.key_quest_payload(), 1), now=0.0)
    assert [type(e) for e in events] == [Closed] and no_key.closed
    later: FPNNSession[str] = FPNNSession({"echo"}, now=0.0, server=True,
                                          private_key=generate_private_key())
    events = later.receive_data(encode_quest("echo", {}, 1)
                                + encode_quest("*key", kx.key_quest_payload(), 2), now=0.0)
    assert [type(e) for e in events] == [Quest, Closed]  # *key is only valid first


def test_the_key_quest_must_be_first() -> None:
    s = session()
    s.send_quest("q", None, "A", 5.0, now=0.0)
    kx = ClientKeyExchange(generate_private_key().public_key())
    with pytest.raises(RuntimeError, match="first"):
        s.start_handshake(kx, "K", 5.0, now=0.0)


# ----------------------------------------------------------------------------- fuzzing


def _peer_bytes(n_quests: int, answers: list[int], pushes: int) -> bytes:
    out = [encode_answer(seq, {"seq": seq}) for seq in answers]
    out += [encode_quest("push", {"i": i}, 1000 + i) for i in range(pushes)]
    out.insert(len(out) // 2, encode_error_answer(n_quests, 300, "no"))
    return b"".join(out)


def _summary(events: list[Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for e in events:
        if isinstance(e, Answered):
            out.append(("answered", e.token))
        elif isinstance(e, Failed):
            out.append(("failed", (e.token, e.error.code)))
        elif isinstance(e, Quest):
            out.append(("quest", e.seq))
        else:
            out.append(("closed", e.error.code))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 30), data=st.data())
def test_any_chunking_gives_the_same_events(n: int, data: st.DataObject) -> None:
    answers = data.draw(st.lists(st.integers(1, n - 1) if n > 1 else st.just(1),
                                 unique=True, max_size=n))
    wire = _peer_bytes(n, answers, data.draw(st.integers(0, 5)))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=12)))

    def run(chunks: list[bytes]) -> list[tuple[str, Any]]:
        s = session(("push",))
        for i in range(n):
            s.send_quest("q", None, i + 1, 5.0, now=0.0)
        events: list[Any] = []
        for chunk in chunks:
            events += s.receive_data(chunk, now=0.0)
        return _summary(events)

    pieces = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]
    assert run(pieces) == run([wire])


@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(st.binary(max_size=64), max_size=8), server=st.booleans(),
       prefix=st.booleans())
def test_any_bytes_give_only_events(chunks: list[bytes], server: bool, prefix: bool) -> None:
    """Whatever arrives: no exception, only events; a Closed event is the last one, once,
    and the session is closed after it (every pending quest failed before it)."""
    s: FPNNSession[str] = FPNNSession({"push"}, now=0.0, server=server,
                                      max_frame_size=1 << 12)
    s.send_quest("q", None, "A", 5.0, now=0.0)
    if prefix:  # a valid frame first, so that garbage lands mid-stream too
        chunks = [encode_quest("push", {}, 9), *chunks]
    events: list[Any] = []
    for chunk in chunks:
        events += s.receive_data(chunk, now=0.0)
        if s.closed:
            break
    kinds = [type(e) for e in events]
    assert set(kinds) <= {Answered, Failed, Quest, Closed}
    if Closed in kinds:
        assert kinds.count(Closed) == 1 and kinds[-1] is Closed and s.closed
        assert Failed in kinds  # the pending quest failed with the close
        assert s.receive_data(encode_answer(1, {}), now=1.0) == []
    else:
        assert not s.closed


def test_no_event_loop_and_no_clock_are_needed() -> None:
    """Sans-IO: the session works outside any event loop, with made-up times."""
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    s = session()
    s.send_quest("q", None, "A", 1.0, now=1e9)
    assert s.next_deadline() == 1e9 + 1.0


def test_the_key_quest_stays_first_even_when_it_times_out_unsent() -> None:
    # Dropping it would send what follows as plaintext-looking garbage: it always goes first.
    s = session()
    kx = ClientKeyExchange(generate_private_key().public_key())
    seq = s.start_handshake(kx, "K", 1.0, now=0.0)
    s.send_quest("q", {"secret": 1}, "Q", 5.0, now=0.0)
    failed = s.expire(seq)
    assert failed is not None and failed.token == "K"
    wire = s.data_to_send()
    key_frame = encode_quest("*key", kx.key_quest_payload(), seq)
    assert wire.startswith(key_frame) and b"secret" not in wire[len(key_frame):]
