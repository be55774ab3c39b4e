"""Building blocks of the reliability suite and of ``make soak``.

* :class:`ServerProcess` - ``python -m rtm.server`` on fixed free ports (so a restart keeps
  its endpoints), SIGKILL-able, with its log in a file and its RSS readable;
* :class:`CallLedger` - every call of the load: when it started, its timeout, how it ended,
  how many times its callback ran;
* :class:`LoadGenerator` - a steady load of sync, async and callback calls;
* :class:`CountingMonitor` - counts monitor deliveries per message, for the duplicate check;
* small helpers: free ports, a raw signed quest, RSS of a pid, history of a conversation.

Nothing here asserts: the scenarios (``scenarios.py``) and the tests decide.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rtm import AsyncRTMServerClient, FPNNError, RTMServerClient, RTMServerMonitor

# tests/ holds the helpers shared by every suite (also when make soak runs this as a script)
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers import wait_until as wait_until  # re-exported for the scenarios and tests

PID = 31000001
SECRET = "reliability-secret-Zq8w"  # distinctive, so a leak is easy to spot

SLACK = 1.0  # the bound: a call ends within its timeout + 1 s


# ----------------------------------------------------------------------------- small helpers


def free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (bound, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def rss_kb(pid: int) -> int:
    """Resident set size of a process, in KiB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def sign_v1(pid: int, secret: str, salt: int) -> str:
    return hashlib.md5(f"{pid}:{secret}:{salt}".encode()).hexdigest().upper()


def sign_v2(pid: int, secret: str, salt: int, cmd: str, ts: int) -> str:
    return hashlib.md5(f"{pid}:{secret}:{salt}:{cmd}:{ts}".encode()).hexdigest().upper()


_salts = itertools.count(time.time_ns())


def signed(params: dict[str, Any], pid: int = PID, secret: str = SECRET, *,
           cmd: str | None = None, ts: int | None = None) -> dict[str, Any]:
    """``params`` plus pid/salt/sign (v1, or v2 for ``cmd`` when ``ts`` is given)."""
    salt = next(_salts)
    out = {**params, "pid": pid, "salt": salt}
    if ts is None:
        out["sign"] = sign_v1(pid, secret, salt)
    else:
        assert cmd is not None
        out["ts"] = ts
        out["sign"] = sign_v2(pid, secret, salt, cmd, ts)
    return out


def p2p_history(client: RTMServerClient, uid: int, ouid: int) -> list[Any]:
    """Every message of the (uid, ouid) conversation, oldest first."""
    out: list[Any] = []
    begin = end = lastid = 0
    while True:
        page = client.get_p2p_message(uid, ouid, False, 20, begin, end, lastid, timeout=10)
        if page.num == 0:
            return out
        out.extend(page.messages)
        begin, end, lastid = page.begin, page.end, page.lastid


# ----------------------------------------------------------------------------- server process


class ServerProcess:
    """The local server as a child process on fixed ports: ``start()``, ``kill()`` (SIGKILL),
    ``stop()`` (SIGTERM), ``start()`` again on the same ports and database."""

    def __init__(self, db: str | os.PathLike[str], log_path: str | os.PathLike[str], *,
                 args: tuple[str, ...] = (), log_level: str = "WARNING",
                 projects: dict[int, str] | None = None) -> None:
        self.db = str(db)
        self.log_path = Path(log_path)
        self.args = args
        self.log_level = log_level
        self.projects = projects or {PID: SECRET}
        self.port, self.client_port, self.file_port = free_ports(3)
        self.proc: subprocess.Popen[str] | None = None
        self.starts = 0
        self.kills = 0

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def client_endpoint(self) -> str:
        return f"127.0.0.1:{self.client_port}"

    @property
    def file_endpoint(self) -> str:
        return f"127.0.0.1:{self.file_port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 30.0) -> ServerProcess:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        cmd = [sys.executable, "-m", "rtm.server", "--port", str(self.port),
               "--client-port", str(self.client_port), "--file-port", str(self.file_port),
               "--db", self.db, "--log-level", self.log_level, *self.args]
        for pid, secret in self.projects.items():
            cmd += ["--project", f"{pid}:{secret}"]
        log = open(self.log_path, "a")  # noqa: SIM115 - the child owns it from here
        try:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
        finally:
            log.close()
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"server exited during start: {lines} "
                                   f"{self.log_path.read_text()[-2000:]}")
            lines.append(line)
            if line.startswith("rtm-server: database"):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
        self.starts += 1
        return self

    def kill(self) -> None:
        """SIGKILL, then reap."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(20)
        self.kills += 1

    def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc is not None else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(20)
        return self.proc.returncode

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_kb(self) -> int:
        return rss_kb(self.pid)

    def log_text(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


# ----------------------------------------------------------------------------- call ledger


@dataclass(slots=True)
class CallRecord:
    kind: str
    method: str
    started: float
    timeout: float
    ended: float | None = None
    outcome: str | None = None  # "ok" or the error code as text
    callbacks: int = 0


@dataclass
class LedgerSummary:
    calls: int = 0
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    hung: int = 0  # never ended
    late: int = 0  # ended after timeout + SLACK
    callbacks_missing: int = 0
    callbacks_twice: int = 0
    max_overrun: float = 0.0  # max(duration - timeout), seconds
    late_calls: list[str] = field(default_factory=list)  # the first few, to tell which

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls, "ok": self.ok, "errors": dict(sorted(self.errors.items())),
            "by_kind": dict(sorted(self.by_kind.items())), "hung": self.hung,
            "late": self.late, "callbacks_missing": self.callbacks_missing,
            "callbacks_twice": self.callbacks_twice,
            "max_overrun_s": round(self.max_overrun, 3), "late_calls": self.late_calls,
        }


class CallLedger:
    """Thread-safe record of every call. Callback calls end at their first callback; a
    second callback is counted as a failure."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.records: list[CallRecord] = []

    def begin(self, kind: str, method: str, timeout: float) -> CallRecord:
        rec = CallRecord(kind, method, time.monotonic(), timeout)
        with self._lock:
            self.records.append(rec)
        return rec

    def end(self, rec: CallRecord, error: BaseException | int | None) -> None:
        now = time.monotonic()
        with self._lock:
            if rec.ended is None:
                rec.ended = now
                rec.outcome = _outcome(error)

    def callback(self, rec: CallRecord, error: BaseException | int | None) -> None:
        now = time.monotonic()
        with self._lock:
            rec.callbacks += 1
            if rec.ended is None:
                rec.ended = now
                rec.outcome = _outcome(error)

    def outstanding(self) -> int:
        with self._lock:
            return sum(1 for r in self.records if r.ended is None)

    def wait_settled(self, timeout: float) -> None:
        """Wait until every call ended, or ``timeout`` (the rest count as hung)."""
        deadline = time.monotonic() + timeout
        while self.outstanding() and time.monotonic() < deadline:
            time.sleep(0.02)

    def summary(self) -> LedgerSummary:
        s = LedgerSummary()
        errors: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        with self._lock:
            records = list(self.records)
        for r in records:
            s.calls += 1
            kinds[r.kind] += 1
            if r.kind.endswith("callback"):
                if r.callbacks == 0:
                    s.callbacks_missing += 1
                elif r.callbacks > 1:
                    s.callbacks_twice += 1
            if r.ended is None:
                s.hung += 1
                continue
            if r.outcome == "ok":
                s.ok += 1
            else:
                errors[r.outcome or "?"] += 1
            overrun = r.ended - r.started - r.timeout
            s.max_overrun = max(s.max_overrun, overrun)
            if overrun > SLACK:
                s.late += 1
                if len(s.late_calls) < 5:
                    s.late_calls.append(f"{r.kind} {r.method} {r.outcome} at "
                                        f"+{r.started - records[0].started:.2f} s, "
                                        f"{overrun:.2f} s over")
        s.errors = dict(errors)
        s.by_kind = dict(kinds)
        return s

    def ok_since(self, since: float) -> Counter[str]:
        """Successful calls per kind that started after ``since`` (monotonic)."""
        with self._lock:
            return Counter(r.kind for r in self.records
                           if r.started >= since and r.outcome == "ok")


def _outcome(error: BaseException | int | None) -> str:
    if error is None or error == 0:
        return "ok"
    if isinstance(error, int):
        return str(error)
    if isinstance(error, FPNNError):
        return str(error.code)
    return type(error).__name__


# ----------------------------------------------------------------------------- monitor


class CountingMonitor(RTMServerMonitor):
    """Counts deliveries per (kind, from, target, mid)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[tuple[str, int, int, int]] = Counter()
        self.events = 0

    def _add(self, kind: str, from_uid: int, target: int, mid: int) -> None:
        with self._lock:
            self.counts[(kind, from_uid, target, mid)] += 1

    def p2p_message(self, from_uid: int, to_uid: int, mtype: int, mid: int,
                    message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self._add("p2p", from_uid, to_uid, mid)

    def group_message(self, from_uid: int, group_id: int, mtype: int, mid: int,
                      message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self._add("group", from_uid, group_id, mid)

    def room_message(self, from_uid: int, room_id: int, mtype: int, mid: int,
                     message: str | bytes, attrs: str | bytes, mtime: int) -> None:
        self._add("room", from_uid, room_id, mid)

    def event(self, pid: int, event: str, uid: int, time: int, endpoint: str,
              data: str) -> None:
        with self._lock:
            self.events += 1

    def seen(self, kind: str, from_uid: int, target: int, mid: int) -> bool:
        with self._lock:
            return (kind, from_uid, target, mid) in self.counts

    def duplicates(self) -> list[tuple[str, int, int, int]]:
        with self._lock:
            return [k for k, n in self.counts.items() if n > 1]

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())


def count_raw_pushes(client: RTMServerClient | AsyncRTMServerClient) -> Counter[str]:
    """Wrap the client's push handlers to count every push that arrives on the wire
    (before the duplicate filter). Returns the live counter."""
    counter: Counter[str] = Counter()
    fpnn = client._fpnn
    for method in ("pushmsg", "pushgroupmsg", "pushroommsg"):
        original = fpnn._handlers[method]

        def counting(conn: Any, quest: Any, _orig: Any = original, _m: str = method) -> Any:
            counter[_m] += 1
            return _orig(conn, quest)

        fpnn.register(method, counting)
    return counter


# ----------------------------------------------------------------------------- load


class _MidSource:
    """Unique mids across every load client (so history and monitor keys never collide)."""

    def __init__(self, start: int) -> None:
        self._it = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._it)


class LoadGenerator:
    """A steady load on one project: ``sync_threads`` threads of blocking calls, one thread of
    callback-mode calls, and ``async_tasks`` coroutines (half of them callback-mode) on an
    asyncio client in its own loop thread. Every call goes through ``ledger``.

    Messages go from uid ``FROM`` to uids ``TO``; ``acked`` holds the mids the server
    answered with success (message sends only)."""

    FROM = 1
    TO = (2, 3, 4)

    def __init__(self, endpoint: str, ledger: CallLedger, *, pid: int = PID,
                 secret: str = SECRET, timeout: float = 1.0, connect_timeout: float = 1.0,
                 sync_threads: int = 2, async_tasks: int = 4, pause: float = 0.01,
                 mid_start: int = 1_000_000, keepalive: bool = False,
                 client_options: dict[str, Any] | None = None) -> None:
        self.endpoint = endpoint
        self.ledger = ledger
        self.pid, self.secret = pid, secret
        self.timeout = timeout
        self.pause = pause
        self.options: dict[str, Any] = {"quest_timeout": timeout,
                                        "connect_timeout": connect_timeout,
                                        "keepalive": keepalive, **(client_options or {})}
        self.sync_threads = sync_threads
        self.async_tasks = async_tasks
        self.mids = _MidSource(mid_start)
        self.acked: set[int] = set()
        self._acked_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.sync_client: RTMServerClient | None = None
        self.async_client: AsyncRTMServerClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.rng = random.Random(1234)

    # ---------------------------------------------------------------- one call of each kind

    def _pick(self) -> tuple[int, int]:
        """(to, mid) of the next message."""
        mid = self.mids.next()
        return self.TO[mid % len(self.TO)], mid

    def _ack(self, mid: int) -> None:
        with self._acked_lock:
            self.acked.add(mid)

    def _sync_call(self, client: RTMServerClient, n: int) -> None:
        if n % 5 == 4:
            rec = self.ledger.begin("sync", "getfriends", self.timeout)
            try:
                client.get_friends(self.FROM, timeout=self.timeout)
            except FPNNError as exc:
                self.ledger.end(rec, exc)
            else:
                self.ledger.end(rec, None)
            return
        to, mid = self._pick()
        rec = self.ledger.begin("sync", "sendmsg", self.timeout)
        try:
            client.send_message(self.FROM, to, 30, f"m{mid}", mid=mid, timeout=self.timeout)
        except FPNNError as exc:
            self.ledger.end(rec, exc)
        else:
            self.ledger.end(rec, None)
            self._ack(mid)

    def _callback_call(self, client: RTMServerClient, n: int) -> None:
        rec = self.ledger.begin("sync-callback", "sendmsg", self.timeout)
        to, mid = self._pick()
        ledger = self.ledger

        def done(result: int, code: int, info: str) -> None:
            ledger.callback(rec, code)
            if code == 0:
                self._ack(mid)

        try:
            client.send_message(self.FROM, to, 30, f"m{mid}", mid=mid, timeout=self.timeout,
                                callback=done)
        except Exception as exc:  # a raise instead of a callback is a failure too
            ledger.end(rec, exc)

    async def _async_call(self, client: AsyncRTMServerClient, n: int, callback: bool) -> None:
        to, mid = self._pick()
        if callback:
            rec = self.ledger.begin("async-callback", "sendmsg", self.timeout)
            ledger = self.ledger

            def done(result: int, code: int, info: str) -> None:
                ledger.callback(rec, code)
                if code == 0:
                    self._ack(mid)

            try:
                await client.send_message(self.FROM, to, 30, f"m{mid}", mid=mid,
                                          timeout=self.timeout, callback=done)
            except Exception as exc:
                ledger.end(rec, exc)
            return
        rec = self.ledger.begin("async", "sendmsg", self.timeout)
        try:
            await client.send_message(self.FROM, to, 30, f"m{mid}", mid=mid,
                                      timeout=self.timeout)
        except FPNNError as exc:
            self.ledger.end(rec, exc)
        else:
            self.ledger.end(rec, None)
            self._ack(mid)

    # ---------------------------------------------------------------- workers

    def _sync_worker(self, client: RTMServerClient) -> None:
        n = 0
        while not self._stop.is_set():
            self._sync_call(client, n)
            n += 1
            self._stop.wait(self.pause)

    def _callback_worker(self, client: RTMServerClient) -> None:
        n = 0
        while not self._stop.is_set():
            self._callback_call(client, n)
            n += 1
            self._stop.wait(self.pause * 2)

    def _async_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        client = AsyncRTMServerClient(self.pid, self.secret, self.endpoint, **self.options)
        self.async_client = client

        async def worker(i: int) -> None:
            n = 0
            while not self._stop.is_set():
                await self._async_call(client, n, callback=i % 2 == 1)
                n += 1
                await asyncio.sleep(self.pause * 2)

        async def main() -> None:
            try:
                await asyncio.gather(*(worker(i) for i in range(self.async_tasks)))
                # let callback-mode calls still in flight finish (bounded by their timeout)
                deadline = time.monotonic() + self.timeout + SLACK
                while client._tasks and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
            finally:
                await client.close()

        try:
            loop.run_until_complete(main())
        finally:
            loop.close()

    def start(self) -> LoadGenerator:
        client = RTMServerClient(self.pid, self.secret, self.endpoint, **self.options)
        self.sync_client = client
        for i in range(self.sync_threads):
            self._threads.append(threading.Thread(target=self._sync_worker, args=(client,),
                                                  name=f"load-sync-{i}", daemon=True))
        self._threads.append(threading.Thread(target=self._callback_worker, args=(client,),
                                              name="load-callback", daemon=True))
        if self.async_tasks:
            self._threads.append(threading.Thread(target=self._async_main, name="load-async",
                                                  daemon=True))
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        """Stop issuing calls, wait for the workers, let callbacks arrive, close."""
        self._stop.set()
        for t in self._threads:
            t.join(self.timeout * 4 + 10)
        self.ledger.wait_settled(self.timeout + SLACK + 0.5)
        if self.sync_client is not None:
            self.sync_client.close()

    def acked_mids(self) -> set[int]:
        with self._acked_lock:
            return set(self.acked)


@contextlib.contextmanager
def running(load: LoadGenerator) -> Iterator[LoadGenerator]:
    load.start()
    try:
        yield load
    finally:
        load.stop()


def log_lines_matching(text: str, pattern: str) -> list[str]:
    return [ln for ln in text.splitlines() if re.search(pattern, ln)]


# ----------------------------------------------------------------------------- raw connections


class RawConn:
    """A blocking raw TCP connection speaking just enough FPNN to misbehave on purpose."""

    def __init__(self, endpoint: str, *, rcvbuf: int | None = None) -> None:
        host, _, port = endpoint.rpartition(":")
        self.sock = socket.socket()
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect((host, int(port)))
        self.sock.settimeout(5)
        from rtm.fpnn.codec import FrameDecoder

        self.decoder = FrameDecoder()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answers(self, n: int, timeout: float = 5.0) -> list[Any]:
        """The next ``n`` messages from the server."""
        out: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(out) < n:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError(f"closed after {len(out)} messages")
            out += self.decoder.feed(data)
        return out

    def closed_by_server(self, timeout: float = 3.0) -> bool:
        """True once the server closed (FIN or RST); everything else it sends is ignored."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                if not self.sock.recv(65536):
                    return True
            except (ConnectionResetError, BrokenPipeError):
                return True
            except TimeoutError:
                return False
        return False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
