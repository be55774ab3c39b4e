"""Long-running fuzzer over the targets of tests/reliability/fuzz_targets.py.

    python fuzz/run.py [--seconds 60] [--target frames ...] [--engine auto|atheris|random]
                       [--json build/fuzz.json] [--artifacts build/fuzz]

Engines:

* ``atheris`` (coverage-guided libFuzzer, ``pip install atheris``): one child process per
  target, the ``rtm`` package instrumented. Seeds come from ``fuzz/corpus/<target>`` (never
  modified); the units it discovers go to a scratch folder; a failing input is written to
  the artifacts folder as ``<target>-crash-<sha1>`` (or ``-timeout-``, ``-oom-``), the
  slowest input as ``<target>-slow-unit-<sha1>`` (informative, not a failure).
* ``random`` (no dependency, used when atheris cannot be imported): a coverage-free mutation
  fuzzer. It takes a corpus unit (or a unit it already produced) and applies 1-4 of: bit
  flip, random byte, insert/delete/duplicate a range, splice with another unit, overwrite
  with an "interesting" integer (0, -1, 2^31-1, 2^32-1, ...), truncate. Every failing input
  is written to the artifacts folder as ``crash-<target>-<sha1>`` with its traceback.

To keep a crash as a regression test, fix it and copy the unit into fuzz/corpus/<target>/:
tests/reliability/test_fuzz_props.py replays the whole corpus in ``make test``.

Exit status 0 when no target crashed. ``--json`` writes iterations and crashes per target.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

FUZZ_DIR = Path(__file__).resolve().parent
ROOT = FUZZ_DIR.parent
CORPUS = FUZZ_DIR / "corpus"
sys.path.insert(0, str(ROOT / "tests" / "reliability"))

TARGET_NAMES = ("frames", "params", "crypto", "push")
_INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000,
                0x00800000]


def have_atheris() -> bool:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return False
    return True


# ----------------------------------------------------------------------------- random engine


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        n = len(buf)
        pos = rng.randrange(n + 1)
        if op == 0 and n:
            buf[min(pos, n - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            buf[min(pos, n - 1)] = rng.randrange(256)
        elif op == 2:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 3 and n:
            del buf[pos:pos + rng.randint(1, 32)]
        elif op == 4 and n:
            end = min(n, pos + rng.randint(1, 64))
            buf[pos:pos] = buf[pos:end]
        elif op == 5 and pool:
            other = rng.choice(pool)
            cut = rng.randrange(len(other) + 1)
            buf = buf[:pos] + bytearray(other[cut:])
        elif op == 6:
            value = rng.choice(_INTERESTING)
            packed = struct.pack("<I", value) if rng.random() < 0.5 else struct.pack(">I", value)
            buf[pos:pos + 4] = packed
        elif op == 7 and n:
            del buf[pos:]
    return bytes(buf[:65536])


def run_random(target: str, seconds: float, artifacts: Path, seed: int) -> dict[str, Any]:
    from fuzz_targets import TARGETS, close_env

    fn = TARGETS[target]
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in sorted((CORPUS / target).glob("*")) if p.is_file()]
    pool = list(seeds) or [b""]
    produced: list[bytes] = []
    iterations = crashes = 0
    kinds: set[str] = set()
    deadline = time.monotonic() + seconds
    for unit in seeds:  # the corpus itself first
        fn(unit)
        iterations += 1
    while time.monotonic() < deadline:
        base = rng.choice(produced) if produced and rng.random() < 0.3 else rng.choice(pool)
        data = mutate(rng, base, pool)
        iterations += 1
        try:
            fn(data)
        except Exception as exc:
            crashes += 1
            kind = f"{type(exc).__name__}:{traceback.extract_tb(exc.__traceback__)[-1][:2]}"
            if kind not in kinds and len(kinds) < 20:
                kinds.add(kind)
                artifacts.mkdir(parents=True, exist_ok=True)
                name = f"crash-{target}-{hashlib.sha1(data).hexdigest()}"
                (artifacts / name).write_bytes(data)
                (artifacts / (name + ".txt")).write_text(traceback.format_exc())
                print(f"[{target}] crash {kind}: {artifacts / name}", file=sys.stderr)
            continue
        if rng.random() < 0.05 and len(produced) < 2000:
            produced.append(data)
    close_env()
    return {"engine": "random", "seconds": seconds, "iterations": iterations,
            "crashes": crashes, "distinct_crashes": len(kinds), "corpus_seeds": len(seeds)}


# ----------------------------------------------------------------------------- atheris engine


def atheris_worker(target: str, seconds: float, artifacts: Path) -> None:
    """Runs in a child process: libFuzzer exits the process when done."""
    import atheris

    with atheris.instrument_imports(include=["rtm", "fuzz_targets"]):
        import fuzz_targets

    fn = fuzz_targets.TARGETS[target]
    artifacts.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=f"fuzz-{target}-")
    args = [sys.argv[0], scratch, str(CORPUS / target), f"-max_total_time={int(seconds)}",
            "-print_final_stats=1", f"-artifact_prefix={artifacts}/{target}-",
            "-timeout=20", "-rss_limit_mb=4096", "-max_len=8192"]
    atheris.Setup(args, fn)
    atheris.Fuzz()


def run_atheris(target: str, seconds: float, artifacts: Path) -> dict[str, Any]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", target,
         "--seconds", str(seconds), "--artifacts", str(artifacts)],
        capture_output=True, text=True, timeout=seconds + 300,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    log = proc.stdout + proc.stderr
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    if not runs:
        runs = re.findall(r"#(\d+)\s+(?:DONE|pulse|NEW|REDUCE|INITED)", log)
    # artifacts: <target>-crash-, -timeout-, -oom-, -leak- are failures; -slow-unit- is the
    # report of the slowest input (-print_final_stats), kept for inspection only
    written = re.findall(r"Test unit written to (\S+)", log)
    crash_files = [f for f in written if "-slow-unit-" not in f]
    slowest = re.findall(r"stat::slowest_unit_time_sec:\s*(\d+)", log)
    peak_rss = re.findall(r"stat::peak_rss_mb:\s*(\d+)", log)
    cov = re.findall(r"cov: (\d+)", log)
    result = {"engine": "atheris", "seconds": seconds, "iterations": int(runs[-1]) if runs else 0,
              "crashes": len(crash_files), "crash_files": crash_files,
              "coverage_edges": int(cov[-1]) if cov else None,
              "slowest_unit_s": int(slowest[-1]) if slowest else None,
              "peak_rss_mb": int(peak_rss[-1]) if peak_rss else None,
              "exit_code": proc.returncode, "wall_s": round(time.monotonic() - started, 1)}
    if proc.returncode != 0 and not crash_files:
        result["log_tail"] = log[-3000:]
    if crash_files or proc.returncode != 0:
        print(log[-4000:], file=sys.stderr)
    return result


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per target")
    parser.add_argument("--target", action="append", choices=TARGET_NAMES)
    parser.add_argument("--engine", choices=["auto", "atheris", "random"], default="auto")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--artifacts", type=Path, default=ROOT / "build" / "fuzz")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--worker", choices=TARGET_NAMES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        atheris_worker(args.worker, args.seconds, args.artifacts)
        return 0
    engine = args.engine
    if engine == "auto":
        engine = "atheris" if have_atheris() else "random"
    results: dict[str, Any] = {}
    for target in args.target or TARGET_NAMES:
        print(f"fuzzing {target} for {args.seconds:g} s with {engine}", flush=True)
        if engine == "atheris":
            results[target] = run_atheris(target, args.seconds, args.artifacts)
        else:
            results[target] = run_random(target, args.seconds, args.artifacts, args.seed)
        print(f"  {json.dumps(results[target])}", flush=True)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 1 if any(r["crashes"] or r.get("exit_code") for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
