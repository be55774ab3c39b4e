"""Shared benchmark plumbing: measuring loops, statistics, and the peer processes.

Every peer (the FPNN answer server, the local RTM server) runs in its own process, so the
CPU time of this process (``time.process_time``) is the client's cost alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

DEV_PID = 1_000_001
DEV_SECRET = "rtm-local-dev-secret"

# An RTM sendmsg-sized quest (spec vector quest_twoway_sendmsg).
PAYLOAD: dict[str, Any] = {
    "pid": 11000001, "sign": "0123456789ABCDEF0123456789ABCDEF", "salt": 1234567890123456789,
    "mtype": 30, "from": 100, "to": 200, "mid": 1700000000000123, "msg": "hello, world",
    "attrs": "",
}

Stats = dict[str, float]


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def summarize(latencies: list[float], wall: float, cpu: float) -> Stats:
    latencies.sort()
    n = len(latencies)
    return {
        "qps": n / wall,
        "p50_us": statistics.median(latencies) * 1e6,
        "p99_us": percentile(latencies, 0.99) * 1e6,
        "cpu_us": cpu / n * 1e6,
    }


def median_stats(runs: Sequence[Stats]) -> Stats:
    """Per-key median over repeated runs (each key independently)."""
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


async def measure_async(quest: Callable[[], Awaitable[Any]], total: int, inflight: int,
                        warmup: int = 200) -> Stats:
    """``inflight`` coroutines each send quests back to back until ``total`` are done."""
    latencies: list[float] = []
    remaining = total
    perf = time.perf_counter

    async def worker() -> None:
        nonlocal remaining
        append = latencies.append
        while remaining > 0:
            remaining -= 1
            t0 = perf()
            await quest()
            append(perf() - t0)

    for _ in range(min(warmup, total // 10)):
        await quest()
    cpu0, wall0 = time.process_time(), perf()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    cpu, wall = time.process_time() - cpu0, perf() - wall0
    return summarize(latencies, wall, cpu)


Block = tuple[list[float], float, float]  # latencies, wall seconds, CPU seconds
BlockRunner = Callable[[int], Awaitable[Block]]


def async_runner(quest: Callable[[], Awaitable[Any]], inflight: int) -> BlockRunner:
    """``runner(n)``: ``n`` quests by ``inflight`` coroutines sending back to back."""
    perf = time.perf_counter

    async def run(n: int) -> Block:
        latencies: list[float] = []
        append = latencies.append
        remaining = n

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                t0 = perf()
                await quest()
                append(perf() - t0)

        cpu0, wall0 = time.process_time(), perf()
        await asyncio.gather(*(worker() for _ in range(min(inflight, n))))
        return latencies, perf() - wall0, time.process_time() - cpu0

    return run


def blocking_runner(quest: Callable[[], Any]) -> BlockRunner:
    """``runner(n)``: ``n`` blocking calls one after another on the calling thread (the
    event loop is blocked meanwhile, which is fine: nothing else runs during a block)."""
    perf = time.perf_counter

    async def run(n: int) -> Block:
        latencies: list[float] = []
        append = latencies.append
        cpu0, wall0 = time.process_time(), perf()
        for _ in range(n):
            t0 = perf()
            quest()
            append(perf() - t0)
        return latencies, perf() - wall0, time.process_time() - cpu0

    return run


async def measure_interleaved(runners: dict[str, BlockRunner], total: int, block: int,
                              warmup: int = 200) -> dict[str, Stats]:
    """Measure several clients in alternating blocks of ``block`` quests until each did
    ``total``: they all see the same machine conditions (other jobs, CPU frequency), so
    their ratios hold even when the absolute figures drift during the run."""
    for run in runners.values():
        await run(warmup)
    names = list(runners)
    acc: dict[str, Block] = {name: ([], 0.0, 0.0) for name in names}
    for i in range(max(1, total // block)):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            lat, wall, cpu = await runners[name](block)
            pooled, wall_sum, cpu_sum = acc[name]
            pooled += lat
            acc[name] = (pooled, wall_sum + wall, cpu_sum + cpu)
    return {name: summarize(*acc[name]) for name in names}


def measure_threads(quest: Callable[[], Any], total: int, threads: int,
                    warmup: int = 200) -> Stats:
    """``threads`` threads each make ``total // threads`` blocking calls back to back."""
    for _ in range(min(warmup, total // 10)):
        quest()
    per_thread = max(1, total // threads)
    lists: list[list[float]] = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)
    perf = time.perf_counter

    def worker(out: list[float]) -> None:
        append = out.append
        barrier.wait()
        for _ in range(per_thread):
            t0 = perf()
            quest()
            append(perf() - t0)

    pool = [threading.Thread(target=worker, args=(lst,)) for lst in lists]
    for t in pool:
        t.start()
    barrier.wait()
    cpu0, wall0 = time.process_time(), perf()
    for t in pool:
        t.join()
    cpu, wall = time.process_time() - cpu0, perf() - wall0
    return summarize([x for lst in lists for x in lst], wall, cpu)


def measure_callbacks(start: Callable[[Callable[..., None]], None], total: int,
                      inflight: int) -> Stats:
    """Callback mode: keep ``inflight`` calls outstanding; each completion starts the next.

    ``start(done)`` begins one call that later invokes ``done(...)`` on some worker thread.
    """
    perf = time.perf_counter
    lock = threading.Lock()
    finished = threading.Event()
    latencies: list[float] = []
    state = {"sent": 0, "done": 0}

    def launch() -> None:
        t0 = perf()

        def done(*_args: Any) -> None:
            latencies.append(perf() - t0)
            with lock:
                state["done"] += 1
                more = state["sent"] < total
                if more:
                    state["sent"] += 1
                if state["done"] >= total:
                    finished.set()
            if more:
                launch()

        start(done)

    cpu0, wall0 = time.process_time(), perf()
    with lock:
        first = min(inflight, total)
        state["sent"] = first
    for _ in range(first):
        launch()
    if not finished.wait(120):
        raise TimeoutError(f"callback benchmark stuck at {state['done']}/{total}")
    cpu, wall = time.process_time() - cpu0, perf() - wall0
    return summarize(latencies, wall, cpu)


def rss_kib(pid: int) -> int:
    """VmRSS of a process in KiB (Linux)."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+)\s+kB", text, re.M)
    return int(match.group(1)) if match else 0


# ---------------------------------------------------------------------------- peer processes


def _wait_for_file(path: Path, proc: subprocess.Popen[Any], what: str,
                   timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            text = path.read_text()
            if text:
                return text
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        time.sleep(0.02)
    raise TimeoutError(f"{what} did not start in {timeout} s")


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def answer_server(key_raw: bytes | None = None, *args: str) -> Iterator[int]:
    """Start bench/answer_server.py in a subprocess; yield its port."""
    with answer_server_process(key_raw, *args) as (port, _pid):
        yield port


@contextlib.contextmanager
def answer_server_process(key_raw: bytes | None = None,
                          *args: str) -> Iterator[tuple[int, int]]:
    """Start bench/answer_server.py in a subprocess; yield (port, process id)."""
    with tempfile.TemporaryDirectory(prefix="rtm-bench-") as tmp:
        port_file = Path(tmp) / "port"
        cmd = [sys.executable, str(HERE / "answer_server.py"), str(port_file), *args]
        if key_raw is not None:
            key_file = Path(tmp) / "key.raw"
            key_file.write_bytes(key_raw)
            cmd += ["--key", str(key_file)]
        proc = subprocess.Popen(cmd, env=ENV)
        try:
            port = int(_wait_for_file(port_file, proc, "answer server"))
            yield port, proc.pid
        finally:
            _stop(proc)


class LocalServer:
    """The local RTM server (``python -m rtm.server``) in a subprocess."""

    def __init__(self, db: str | os.PathLike[str], *extra: str,
                 src: Path | None = None) -> None:
        """``src``: run the server from this source tree (default: ours), e.g. a ``git
        worktree`` of an earlier commit, to measure the code before a change."""
        self.db = str(db)
        self.env = ENV if src is None else {**os.environ, "PYTHONPATH": str(src)}
        self.extra = extra
        self.proc: subprocess.Popen[str] | None = None
        self.endpoint = self.client_endpoint = self.file_endpoint = ""
        self.console_url = ""  # set when the server prints one

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __enter__(self) -> LocalServer:
        cmd = [sys.executable, "-m", "rtm.server", "--port", "0", "--client-port", "0",
               "--file-port", "0", "--db", self.db, "--log-level", "WARNING", *self.extra]
        if "--console-port" not in self.extra:  # figures comparable with runs before the console
            cmd.append("--no-console")
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 60
        pattern = re.compile(r"(server|client|file) gate listening on (\S+)")
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"local server exited with status {self.proc.wait()}")
            match = pattern.search(line)
            if match:
                setattr(self, {"server": "endpoint", "client": "client_endpoint",
                               "file": "file_endpoint"}[match.group(1)], match.group(2))
            console = re.search(r"console at (\S+)", line)
            if console:
                self.console_url = console.group(1)
            if line.rstrip().split(": ", 1)[-1].startswith("database"):
                break
        if not self.endpoint:
            raise RuntimeError("local server did not print its endpoints")
        # Drain later output so the pipe never fills up and blocks the server.
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for _ in self.proc.stdout:
            pass

    def __exit__(self, *exc_info: object) -> None:
        if self.proc is not None:
            _stop(self.proc)
