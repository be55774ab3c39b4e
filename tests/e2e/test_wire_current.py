"""Wire test of the current profile: every case of ``wire_cases`` puts on the wire what Go SDK
0.9.20 sent for the same call (``go-latest-full-wire.jsonl``): method, key set and msgpack type
family of every value, through the blocking client, the asyncio client and the callback form.
Signed quests carry the ts/cmd signature of spec §1.2.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from wire_cases import (
    AREA_OF,
    FILE_GATE_METHODS,
    Case,
    all_answers,
    all_cases,
    family,
    golden_lines,
    golden_shape,
)
from wire_cases.uncovered import UNCOVERED

from rtm import AsyncRTMServerClient, RTMServerClient
from rtm.api.signing import sign_v2
from rtm.fpnn.codec import Quest
from rtm.fpnn.server import FPNNServer, ServerConnection

PID, SECRET = 80000071, "wire-test-secret"
GOLDEN = golden_lines()
CASES = all_cases()
ANSWERS = all_answers()


class Recorder:
    """An FPNN server that records every quest and answers each with a valid answer."""

    def __init__(self) -> None:
        self.server = FPNNServer()
        self.quests: list[Quest] = []
        for method in AREA_OF:
            self.server.register(method, self._handle)

    def _handle(self, conn: ServerConnection, quest: Quest) -> dict[str, Any]:
        self.quests.append(quest)
        if quest.method == "filetoken":
            return {"token": "file-token", "endpoint": self.server.endpoint}
        factory = ANSWERS.get(quest.method)
        return factory() if factory is not None else {}

    def take(self) -> list[Quest]:
        quests, self.quests = self.quests, []
        return quests


def expected(case: Case) -> list[tuple[str, dict[str, str]]]:
    lines = [GOLDEN[case.line]]
    if lines[0]["method"] == "filetoken":
        lines.append(GOLDEN[case.line + 1])
    return [golden_shape(line) for line in lines]


def compare(case: Case, quests: list[Quest]) -> None:
    want = expected(case)
    got = [(q.method, {k: family(v) for k, v in q.payload.items()}) for q in quests]
    assert [m for m, _ in got] == [m for m, _ in want], case
    for (method, params), (_, gparams) in zip(got, want, strict=True):
        for key, fam in params.items():
            # an empty container has no element type; the golden file names one
            if fam in ("array<>", "map<,>") and gparams.get(key, "")[:4] == fam[:4]:
                params[key] = gparams[key]
        assert params == gparams, f"{case}: {method} {params} != golden {gparams}"
    for quest in quests:
        p = quest.payload
        if quest.method in FILE_GATE_METHODS:
            assert p["token"] == "file-token" and "sign" not in p
        else:
            assert p["pid"] == PID
            assert p["sign"] == sign_v2(PID, SECRET, p["salt"], quest.method, p["ts"])


def case_id(case: Case) -> str:
    return f"{case.line}-{case.method}"


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> Recorder:
        rec = Recorder()
        await rec.server.start()
        return rec

    rec = asyncio.run_coroutine_threadsafe(start(), loop).result(5)
    yield rec
    asyncio.run_coroutine_threadsafe(rec.server.close(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


@pytest.fixture(scope="module")
def sync_client(recorder: Recorder) -> Iterator[RTMServerClient]:
    with RTMServerClient(PID, SECRET, recorder.server.endpoint) as client:
        yield client


def test_cases_cover_every_golden_line() -> None:
    covered = {(c.line, GOLDEN[c.line]["method"]) for c in CASES}
    for case in CASES:
        assert GOLDEN[case.line]["method"] not in FILE_GATE_METHODS, (
            f"{case}: name the filetoken line of a file send")
    every = {(i, r["method"]) for i, r in enumerate(GOLDEN)
             if r["method"] not in FILE_GATE_METHODS}
    assert covered & UNCOVERED == set(), "covered lines still listed in uncovered.py"
    assert every - covered == UNCOVERED


def test_every_wire_command_has_an_area() -> None:
    assert {r["method"] for r in GOLDEN} <= set(AREA_OF)
    assert len(AREA_OF) == 112


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_sync(case: Case, recorder: Recorder, sync_client: RTMServerClient) -> None:
    recorder.take()
    getattr(sync_client, case.method)(*case.args, **case.kwargs)
    compare(case, recorder.take())


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_callback(case: Case, recorder: Recorder, sync_client: RTMServerClient) -> None:
    recorder.take()
    done = threading.Event()
    outcome: list[tuple[Any, ...]] = []

    def callback(*args: Any) -> None:
        outcome.append(args)
        done.set()

    getattr(sync_client, case.method)(*case.args, callback=callback, **case.kwargs)
    assert done.wait(5)
    assert outcome[0][-2:] == (0, ""), outcome
    compare(case, recorder.take())


async def test_async_client_sends_every_case(recorder: Recorder) -> None:
    async with AsyncRTMServerClient(PID, SECRET, recorder.server.endpoint) as client:
        for case in CASES:
            recorder.take()
            await getattr(client, case.method)(*case.args, **case.kwargs)
            compare(case, recorder.take())
