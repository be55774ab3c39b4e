"""``make soak``: the reliability scenarios, long, with their figures written as JSON.

    python tests/reliability/soak.py [--out build/soak/figures.json] [--quick]
        [--fault-cycles 4] [--kills 10] [--users 1000] [--user-seconds 60]
        [--durability-kills 20] [--fuzz-seconds 40] [--only faults,kills,users,durability,fuzz]

Sections (docs/reliability.md explains each figure):

* ``faults`` - sync, callback and async calls plus a listening client through the fault
  proxy while every fault kind (delay, late answers, FIN, RST, cut mid-frame, garbled bytes,
  black hole, server SIGKILL) is injected ``--fault-cycles`` times in random order;
* ``kills`` - the same load, clients connected directly, the server SIGKILLed and restarted
  ``--kills`` times;
* ``users`` - ``--users`` end users on the client gate plus SDK load for ``--user-seconds``,
  server RSS sampled;
* ``durability`` - SIGKILL at random moments under concurrent writes, ``--durability-kills``
  times: acknowledged vs found;
* ``fuzz`` - fuzz/run.py on every target for ``--fuzz-seconds`` each (atheris when it can be
  imported, else the built-in mutation fuzzer).

Exit status 0 when every check held (zero hung calls, zero lost messages, ...). ``--quick``
shrinks every section (a smoke run of the driver itself).
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from harness import SLACK, rss_kb  # noqa: E402
from scenarios import FAULTS, durability, faults_under_load, users_under_load  # noqa: E402


def _checks_calls(fig: dict[str, Any]) -> dict[str, bool]:
    return {
        "no_hung_calls": fig["hung"] == 0,
        f"no_call_later_than_timeout_plus_{SLACK:g}s": fig["late"] == 0,
        "every_callback_exactly_once": fig["callbacks_missing"] == 0
        and fig["callbacks_twice"] == 0,
    }


def run_faults(work: Path, cycles: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    steps: list[str] = []
    for _ in range(cycles):
        cycle = list(FAULTS)
        rng.shuffle(cycle)
        steps += cycle
    rss_before = rss_kb(os.getpid())
    fig = faults_under_load(work, steps, via_proxy=True, timeout=0.8, fault_time=1.0,
                            clean_time=1.0, seed=seed)
    fig["sdk_process_rss_kb_before"] = rss_before
    fig["sdk_process_rss_kb_after"] = rss_kb(os.getpid())
    fig["checks"] = {**_checks_calls(fig),
                     "no_duplicate_monitor_delivery": fig["duplicate_deliveries"] == 0,
                     "listen_restored": fig["listen_restored"],
                     "recovered_after_every_fault": all(
                         v != float("inf") for v in fig["recovery_s"].values())}
    return fig


def run_kills(work: Path, kills: int, seed: int) -> dict[str, Any]:
    fig = faults_under_load(work, ["kill"] * kills, via_proxy=False, timeout=0.8,
                            fault_time=1.0, clean_time=1.0, seed=seed)
    fig["checks"] = {**_checks_calls(fig),
                     "no_duplicate_monitor_delivery": fig["duplicate_deliveries"] == 0,
                     "listen_restored": fig["listen_restored"],
                     "recovered_after_every_kill": all(
                         v != float("inf") for v in fig["recovery_s"].values())}
    return fig


def run_users(work: Path, users: int, seconds: float) -> dict[str, Any]:
    fig = users_under_load(work, users=users, duration=seconds,
                           sample_every=max(seconds / 12, 0.5))
    growth = fig["rss_growth_after_warmup_kb"]
    fig["checks"] = {**_checks_calls(fig),
                     "all_users_online": fig["users_online"] == users,
                     "no_user_error": fig["user_errors"] == 0,
                     "no_call_error": not fig["errors"],
                     "every_acked_message_pushed": fig["messages_pushed_to_users"]
                     == fig["messages_acked"],
                     # flat: after warm-up the server grows by less than 10 % (or 16 MiB)
                     "flat_memory": growth < max(16 * 1024, fig["rss_kb_at_quarter"] // 10)}
    return fig


def run_durability(work: Path, kills: int, seed: int) -> dict[str, Any]:
    fig = durability(work, kills=kills, writers=4, pause=0.01, seed=seed)
    fig["checks"] = {"no_acknowledged_message_lost": fig["lost_acknowledged"] == 0,
                     "no_partial_multi_send": fig["partial_multi_sends"] == 0,
                     "no_corrupt_message": fig["corrupt_messages"] == 0}
    return fig


def run_fuzz(work: Path, seconds: float) -> dict[str, Any]:
    out = work / "fuzz.json"
    proc = subprocess.run([sys.executable, str(ROOT / "fuzz" / "run.py"), "--seconds",
                           str(seconds), "--json", str(out), "--artifacts",
                           str(ROOT / "build" / "fuzz")], capture_output=True, text=True)
    targets = json.loads(out.read_text()) if out.exists() else {}
    fig: dict[str, Any] = {"targets": targets,
                           "iterations": sum(t["iterations"] for t in targets.values()),
                           "crashes": sum(t["crashes"] for t in targets.values())}
    if proc.returncode != 0:
        fig["log_tail"] = (proc.stdout + proc.stderr)[-3000:]
    fig["checks"] = {"no_fuzz_crash": proc.returncode == 0 and fig["crashes"] == 0
                     and bool(targets)}
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "soak" / "figures.json")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--fault-cycles", type=int, default=4)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--user-seconds", type=float, default=60.0)
    parser.add_argument("--durability-kills", type=int, default=20)
    parser.add_argument("--fuzz-seconds", type=float, default=40.0)
    parser.add_argument("--only", default="faults,kills,users,durability,fuzz")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    if args.quick:
        args.fault_cycles, args.kills, args.users = 1, 2, 100
        args.user_seconds, args.durability_kills, args.fuzz_seconds = 5.0, 3, 5.0
    sections = [s for s in args.only.split(",") if s]
    figures: dict[str, Any] = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "parameters": {k: v for k, v in vars(args).items() if k != "out"} | {
            "out": str(args.out)},
    }
    started = time.monotonic()
    # What the SDK and the proxy log (warnings about lost connections, mostly) goes to a file.
    args.out.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=args.out.with_suffix(".log"), filemode="w",
                        level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory(prefix="rtm-soak-") as tmp:
        work = Path(tmp)
        runners = {
            "faults": lambda: run_faults(work / "faults", args.fault_cycles, args.seed),
            "kills": lambda: run_kills(work / "kills", args.kills, args.seed),
            "users": lambda: run_users(work / "users", args.users, args.user_seconds),
            "durability": lambda: run_durability(work / "durability",
                                                 args.durability_kills, args.seed),
            "fuzz": lambda: run_fuzz(work, args.fuzz_seconds),
        }
        for name in sections:
            (work / name).mkdir(exist_ok=True)
            print(f"soak: {name} ...", flush=True)
            t0 = time.monotonic()
            figures[name] = runners[name]()
            figures[name]["wall_s"] = round(time.monotonic() - t0, 1)
            print(f"soak: {name} done in {figures[name]['wall_s']} s: "
                  f"{figures[name]['checks']}", flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    figures["wall_s"] = round(time.monotonic() - started, 1)
    failed = [f"{name}.{check}" for name in sections
              for check, ok in figures[name]["checks"].items() if not ok]
    figures["failed_checks"] = failed
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(f"soak: figures in {args.out}; {'FAILED: ' + ', '.join(failed) if failed else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
