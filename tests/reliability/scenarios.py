"""The reliability scenarios, parameterised: the suite runs them short and asserts, ``make
soak`` runs them long and records their figures. Each returns a JSON-able dict of figures;
none asserts (the caller checks the figures, so a soak run reports everything it saw).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from faultproxy import FaultProxy
from harness import (
    PID,
    SECRET,
    SLACK,
    CallLedger,
    CountingMonitor,
    LoadGenerator,
    ServerProcess,
    count_raw_pushes,
    p2p_history,
    running,
)

from rtm import AsyncRTMServerClient, FPNNError, RTMServerClient
from rtm.enduser import AsyncEndUserClient

FAULTS = ("delay", "slow", "drop", "reset", "cut", "corrupt", "black_hole", "kill")


# ----------------------------------------------------------------------------- 1. SDK faults


class _Heartbeat:
    """Keeps a listen-only client calling (as an app's health check would): the SDK
    reconnects on the next call, so this is what brings a listener back."""

    def __init__(self, client: RTMServerClient, ledger: CallLedger, timeout: float) -> None:
        self.client, self.ledger, self.timeout = client, ledger, timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="listener-heartbeat",
                                        daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rec = self.ledger.begin("listener", "isfriend", self.timeout)
            try:
                self.client.is_friend(1, 2, timeout=self.timeout)
            except FPNNError as exc:
                self.ledger.end(rec, exc)
            else:
                self.ledger.end(rec, None)
            self._stop.wait(0.05)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(self.timeout + 5)


def _await_listen(listener: RTMServerClient, sender: RTMServerClient, monitor: CountingMonitor,
                  mid_base: int, count: int, timeout: float = 8.0) -> dict[str, Any]:
    """Listen restored? Probe until one fresh message reaches the monitor, then send ``count``
    more and count how many arrive."""
    deadline = time.monotonic() + timeout
    probe = mid_base
    while True:
        with contextlib.suppress(FPNNError):
            sender.send_message(1, 9, 30, "probe", mid=probe, timeout=2)
        wait_end = time.monotonic() + 0.3
        while time.monotonic() < wait_end and not monitor.seen("p2p", 1, 9, probe):
            time.sleep(0.01)
        if monitor.seen("p2p", 1, 9, probe):
            break
        if time.monotonic() > deadline:
            return {"listen_restored": False, "fresh_sent": 0, "fresh_delivered": 0}
        probe += 1
    mids = [mid_base + 1000 + i for i in range(count)]
    for mid in mids:
        sender.send_message(1, 9, 30, "fresh", mid=mid, timeout=5)
    end = time.monotonic() + 5
    while time.monotonic() < end and not all(monitor.seen("p2p", 1, 9, m) for m in mids):
        time.sleep(0.01)
    delivered = sum(monitor.seen("p2p", 1, 9, m) for m in mids)
    return {"listen_restored": delivered == count, "fresh_sent": count,
            "fresh_delivered": delivered}


def _recoveries(ledger: CallLedger, back_times: list[tuple[str, float]]) -> dict[str, float]:
    """Per fault kind, the worst time from "fault over" to the first successful call of
    every call kind (sync, callbacks, async, listener)."""
    worst: dict[str, float] = {}
    records = list(ledger.records)
    kinds = {r.kind for r in records}
    for fault, back in back_times:
        for kind in kinds:
            ends = [r.ended for r in records if r.kind == kind and r.outcome == "ok"
                    and r.ended is not None and r.ended >= back]
            if ends:
                worst[fault] = max(worst.get(fault, 0.0), min(ends) - back)
            else:
                worst[fault] = float("inf")
    return {k: round(v, 3) for k, v in worst.items()}


def faults_under_load(workdir: Path, steps: Sequence[str], *, via_proxy: bool = True,
                      timeout: float = 0.8, fault_time: float = 1.0, clean_time: float = 1.0,
                      keepalive_interval: float = 0.3, sync_threads: int = 2,
                      async_tasks: int = 4, seed: int = 1) -> dict[str, Any]:
    """Steady load of sync, callback and async calls (plus a listening client) while
    ``steps`` are injected one after the other; then the figures.

    With ``via_proxy`` every client goes through a :class:`FaultProxy`; ``"kill"`` SIGKILLs
    the server process and restarts it on the same ports and database."""
    rng = random.Random(seed)
    server = ServerProcess(workdir / "faults.db", workdir / "faults-server.log",
                           args=("--push-timeout", str(timeout / 2), "--push-retry")).start()
    proxy = FaultProxy(server.endpoint).start() if via_proxy else None
    endpoint = proxy.endpoint if proxy is not None else server.endpoint
    ledger = CallLedger()
    options = {"quest_timeout": timeout, "connect_timeout": 1.0, "keepalive": True,
               "keepalive_interval": keepalive_interval}
    listener = RTMServerClient(PID, SECRET, endpoint, **options)
    monitor = CountingMonitor()
    listener.set_monitor(monitor)
    raw = count_raw_pushes(listener)
    listener.set_listen([], [], True, [])
    load = LoadGenerator(endpoint, ledger, timeout=timeout, sync_threads=sync_threads,
                         async_tasks=async_tasks, keepalive=True,
                         client_options={"keepalive_interval": keepalive_interval})
    injected: dict[str, int] = {}
    back_times: list[tuple[str, float]] = []
    started = time.monotonic()
    try:
        with running(load), _Heartbeat(listener, ledger, timeout):
            time.sleep(clean_time)
            for step in steps:
                injected[step] = injected.get(step, 0) + 1
                if step == "kill":
                    server.kill()
                    time.sleep(rng.uniform(0.1, 0.5))
                    server.start()
                elif proxy is None:
                    raise ValueError(f"fault {step!r} needs the proxy")
                elif step in ("delay", "slow"):
                    # slower but in time / answers and push answers come too late
                    delay = timeout * (0.3 if step == "delay" else 1.5)
                    proxy.set_delay(delay)
                    time.sleep(fault_time)
                    proxy.set_delay(0)
                    time.sleep(delay)  # what was queued meanwhile is still delivered late
                elif step == "drop":
                    proxy.drop()
                elif step == "reset":
                    proxy.reset()
                elif step == "cut":
                    proxy.cut_mid_frame()
                    time.sleep(fault_time / 2)
                elif step == "corrupt":
                    proxy.corrupt()
                    time.sleep(fault_time / 2)
                elif step == "black_hole":
                    proxy.black_hole()
                    # the keep-alive gives up after interval + 3 pings of `timeout`
                    time.sleep(min(fault_time, keepalive_interval + 3 * timeout))
                else:
                    raise ValueError(f"unknown fault {step!r}")
                back_times.append((step, time.monotonic()))
                time.sleep(clean_time)
                if step == "black_hole":  # recovery takes the keep-alive's detection time
                    time.sleep(keepalive_interval + 3 * timeout)
        duration = time.monotonic() - started
        sender = RTMServerClient(PID, SECRET, server.endpoint, quest_timeout=5)
        with sender, _Heartbeat(listener, CallLedger(), timeout):
            listen = _await_listen(listener, sender, monitor, 9_000_000, 20)
    finally:
        listener.close()
        if proxy is not None:
            proxy.stop()
        server.stop()
    summary = ledger.summary()
    acked = load.acked_mids()
    faults = dict(injected)
    if proxy is not None:
        faults["connections_hit"] = sum(v for k, v in proxy.stats.items()
                                        if k in ("drop", "reset", "cut_mid_frame", "corrupt",
                                                 "black_hole"))
    return {
        "duration_s": round(duration, 1),
        "via_proxy": via_proxy,
        "timeout_s": timeout,
        "faults_injected": faults,
        "server_kills": server.kills,
        **summary.as_dict(),
        "acked_messages": len(acked),
        "recovery_s": _recoveries(ledger, back_times),
        "pushes_on_wire": sum(raw.values()),
        "monitor_deliveries": monitor.total(),
        "duplicate_deliveries": len(monitor.duplicates()),
        "duplicates_filtered": sum(raw.values()) - monitor.total(),
        **listen,
    }


# ----------------------------------------------------------------------------- 2. end users


async def _user_session(endpoint: str, pid: int, uid: int, token: str,
                        received: dict[int, set[int]], errors: list[str],
                        stop: asyncio.Event) -> None:
    user = AsyncEndUserClient(endpoint, pid, uid, token, quest_timeout=10)
    try:
        if not await user.login():
            errors.append(f"uid {uid}: login refused")
            return
        while not stop.is_set():
            try:
                push = await user.next_push(timeout=0.5)
            except (TimeoutError, asyncio.TimeoutError):
                continue
            if push.method == "pushmsg":
                received.setdefault(uid, set()).add(int(push.params["mid"]))
        # drain what is still queued
        while not user.pushes.empty():
            push = user.pushes.get_nowait()
            if push.method == "pushmsg":
                received.setdefault(uid, set()).add(int(push.params["mid"]))
    except Exception as exc:
        errors.append(f"uid {uid}: {type(exc).__name__}: {exc}")
    finally:
        await user.close()


def users_under_load(workdir: Path, *, users: int = 1000, duration: float = 60.0,
                     sample_every: float = 5.0, sync_threads: int = 2,
                     async_tasks: int = 4) -> dict[str, Any]:
    """``users`` end users logged in on the client gate, receiving the P2P messages an SDK
    load sends them, for ``duration`` seconds; server RSS sampled along the way."""
    server = ServerProcess(workdir / "users.db", workdir / "users-server.log").start()
    ledger = CallLedger()
    first_uid = 100_000
    uids = list(range(first_uid, first_uid + users))
    admin = RTMServerClient(PID, SECRET, server.endpoint, quest_timeout=10)
    tokens = {uid: admin.get_token(uid) for uid in uids}
    received: dict[int, set[int]] = {}
    errors: list[str] = []
    rss: list[tuple[float, int]] = []
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def login_all() -> None:
        for i in range(0, users, 100):  # the gate's listen backlog is 100
            batch = uids[i:i + 100]
            tasks.extend(loop.create_task(
                _user_session(server.client_endpoint, PID, u, tokens[u], received, errors,
                              stop)) for u in batch)
            await asyncio.sleep(0.05)

    def user_loop() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(login_all())
        loop.run_until_complete(asyncio.gather(*tasks))

    thread = threading.Thread(target=user_loop, name="end-users", daemon=True)
    thread.start()
    online = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        online = sum(len(admin.get_online_users(uids[i:i + 200])) for i in range(0, users, 200))
        if online == users or errors:
            break
        time.sleep(0.2)
    rss_before = server.rss_kb()
    load = LoadGenerator(server.endpoint, ledger, timeout=5.0, sync_threads=sync_threads,
                         async_tasks=async_tasks, pause=0.005)
    load.TO = tuple(uids)  # type: ignore[misc]
    started = time.monotonic()
    with running(load):
        while time.monotonic() - started < duration:
            rss.append((round(time.monotonic() - started, 1), server.rss_kb()))
            time.sleep(min(sample_every, duration - (time.monotonic() - started)) or 0.01)
    rss.append((round(time.monotonic() - started, 1), server.rss_kb()))
    acked = load.acked_mids()

    def delivered_now() -> set[int]:
        return set().union(*list(received.values()))

    drain_until = time.monotonic() + 10  # pushes still in flight
    while not acked <= delivered_now() and time.monotonic() < drain_until:
        time.sleep(0.1)
    loop.call_soon_threadsafe(stop.set)
    thread.join(30)
    rss_after = server.rss_kb()
    delivered = delivered_now()
    admin.close()
    server.stop()
    summary = ledger.summary()
    mid_rss = rss[len(rss) // 4][1] if rss else rss_before
    return {
        "users": users,
        "users_online": online,
        "duration_s": round(duration, 1),
        **summary.as_dict(),
        "user_errors": len(errors),
        "user_error_samples": errors[:5],
        "messages_acked": len(acked),
        "messages_pushed_to_users": len(delivered & acked),
        "rss_kb_before_load": rss_before,
        "rss_kb_at_quarter": mid_rss,
        "rss_kb_after": rss_after,
        "rss_growth_after_warmup_kb": rss_after - mid_rss,
        "rss_samples_kb": rss,
    }


# ----------------------------------------------------------------------------- 4. durability


def _body(mid: int) -> str:
    """Message text that proves itself whole: its own checksum."""
    digest = hashlib.sha256(str(mid).encode()).hexdigest()
    return f"{mid}:{digest * 8}"


def _check_body(mid: int, msg: Any) -> bool:
    return msg == _body(mid)


def durability(workdir: Path, *, kills: int = 3, writers: int = 4, min_up: float = 0.3,
               max_up: float = 1.2, pause: float = 0.0, seed: int = 7) -> dict[str, Any]:
    """Concurrent writers (P2P sends and 3-recipient multi-sends) while the server is
    SIGKILLed at random moments ``kills`` times; after each restart every acknowledged
    message must be in history, whole, and every multi-send all-or-nothing."""
    rng = random.Random(seed)
    server = ServerProcess(workdir / "durability.db", workdir / "durability-server.log").start()
    acked: dict[int, set[int]] = {}  # to-uid -> acknowledged mids (single sends)
    acked_multi: set[int] = set()
    attempted = 0
    rounds: list[dict[str, Any]] = []
    lost_total = partial_total = corrupt_total = 0
    next_mid = [1]
    multi_tos = (201, 202, 203)

    async def writer(i: int, stop_at: float) -> None:
        nonlocal attempted
        client = AsyncRTMServerClient(PID, SECRET, server.endpoint, quest_timeout=3,
                                      connect_timeout=1)
        to = 100 + i
        try:
            while time.monotonic() < stop_at:
                batch = []
                for _ in range(8):
                    mid = next_mid[0]
                    next_mid[0] += 1
                    attempted += 1
                    if mid % 5 == 0:
                        coro = client.send_messages(1, list(multi_tos), 30, _body(mid), mid=mid)
                    else:
                        coro = client.send_message(1, to, 30, _body(mid), mid=mid)
                    batch.append((mid, coro))
                results = await asyncio.gather(*(c for _, c in batch), return_exceptions=True)
                failed = False
                for (mid, _), result in zip(batch, results, strict=True):
                    if isinstance(result, BaseException):
                        failed = True
                    elif mid % 5 == 0:
                        acked_multi.add(mid)
                    else:
                        acked.setdefault(to, set()).add(mid)
                if failed:
                    return  # the server is gone
                if pause:
                    await asyncio.sleep(pause)
        finally:
            await client.close()

    def verify() -> dict[str, Any]:
        nonlocal lost_total, partial_total, corrupt_total
        lost = corrupt = partial = found_total = 0
        with RTMServerClient(PID, SECRET, server.endpoint, quest_timeout=10) as reader:
            for i in range(writers):
                to = 100 + i
                msgs = p2p_history(reader, 1, to)
                found_total += len(msgs)
                found = {m.mid for m in msgs}
                corrupt += sum(1 for m in msgs if not _check_body(m.mid, m.message))
                lost += len(acked.get(to, set()) - found)
            per_to = {}
            for to in multi_tos:
                msgs = p2p_history(reader, 1, to)
                corrupt += sum(1 for m in msgs if not _check_body(m.mid, m.message))
                per_to[to] = {m.mid for m in msgs}
            union = set().union(*per_to.values())
            common = set.intersection(*per_to.values())
            partial = len(union - common)
            lost += len(acked_multi - common)
            found_total += len(union)
        lost_total += lost
        partial_total += partial
        corrupt_total += corrupt
        return {"lost": lost, "partial_multi_sends": partial, "corrupt": corrupt,
                "found": found_total}

    try:
        for _ in range(kills):
            up = rng.uniform(min_up, max_up)
            killer = threading.Timer(up, server.kill)
            killer.start()
            stop_at = time.monotonic() + up + 5

            async def run_round(stop_at: float) -> None:
                await asyncio.gather(*(writer(i, stop_at) for i in range(writers)))

            asyncio.run(run_round(stop_at))
            killer.join()
            server.start()
            acked_now = sum(len(v) for v in acked.values()) + len(acked_multi)
            rounds.append({"kill_after_s": round(up, 2), "acked_so_far": acked_now,
                           **verify()})
    finally:
        server.stop()
    acked_total = sum(len(v) for v in acked.values()) + len(acked_multi)
    return {
        "kills": kills,
        "writers": writers,
        "attempted": attempted,
        "acknowledged": acked_total,
        "found_after_restarts": rounds[-1]["found"] if rounds else 0,
        "lost_acknowledged": lost_total,
        "partial_multi_sends": partial_total,
        "corrupt_messages": corrupt_total,
        "rounds": rounds,
        "slack_s": SLACK,
    }
