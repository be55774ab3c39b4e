"""Run every benchmark, print one table, write bench/results/latest.json and the plot.

    python bench/run_all.py            # the full run (`make bench`), a few minutes
    python bench/run_all.py --quick    # smaller counts, for a smoke test (~1 min)

Every peer runs in its own process: bench/answer_server.py for the FPNN and RTM client
figures, ``python -m rtm.server`` for the local-server ones. Ratios are ours / the
reference loop (bench/reference_loop.py) measured in the same run, alternating blocks.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import console_bench
import enduser_bench
import fpnn_client
import memory_bench
import rtm_client_bench
import server_bench
import server_path_bench
from common import HERE, ROOT

import rtm

RESULTS = HERE / "results"
PLOT = ROOT / "docs" / "img" / "fpnn-qps.png"
_TRANSPORT_NAMES = {"tcp": "TCP", "ws": "WebSocket"}


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import cryptography
    import msgpack

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "event_loop": "asyncio (default selector loop)",
        "rtm": rtm.__version__,
        "msgpack": ".".join(map(str, msgpack.version)),
        "cryptography": cryptography.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


# ---------------------------------------------------------------------------- targets


def _row(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    for r in rows:
        if all(r.get(k) == v for k, v in match.items()):
            return r
    raise KeyError(match)


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    fp, rt, srv = results["fpnn"], results["rtm"], results["server"]
    out: list[dict[str, Any]] = []

    def check(name: str, value: float, limit: float, unit: str, at_least: bool) -> None:
        ok = value >= limit if at_least else value <= limit
        out.append({"target": name, "value": value, "limit": limit, "unit": unit,
                    "at_least": at_least, "met": ok})

    plain100 = _row(fp, mode="plain", inflight=100)
    check("FPNN plaintext, 100 in flight: QPS vs reference loop", plain100["qps_ratio"],
          0.75, "×", True)
    check("FPNN plaintext, 100 in flight: client CPU per quest", plain100["ours"]["cpu_us"],
          10.0, "µs", False)
    for mode in ("stream128", "stream256"):
        r = _row(fp, mode=mode, inflight=100)
        check(f"FPNN {mode}, 100 in flight: QPS vs reference loop (same encryption)",
              r["qps_ratio"], 0.7, "×", True)
    plain1 = _row(fp, mode="plain", inflight=1)
    check("one quest at a time: async client p50 vs reference loop", plain1["p50_ratio"],
          1.15, "×", False)
    check("one quest at a time: sync client p50 vs reference loop", plain1["sync_p50_ratio"],
          0.8, "×", False)
    check("one quest at a time: sync client CPU per quest vs reference loop",
          plain1["sync"]["cpu_us"] / plain1["ref"]["cpu_us"], 0.9, "×", False)
    send = _row(rt, call="send_message", client="async", level=100)
    check("RTM send_message, async client, 100 in flight: calls/s", send["qps"], 50_000,
          "/s", True)
    check("RTM send_message, async client, 100 in flight: client CPU per call",
          send["cpu_us"], 18.0, "µs", False)
    callback = _row(rt, call="send_message", client="sync callback", level=100)
    check("RTM send_message, blocking client callback= vs async client, 100 in flight: calls/s",
          callback["qps"] / send["qps"], 0.8, "×", True)
    one = _row(srv["sendmsg"], connections=1)
    check("local server: persisted sendmsg/s on one SDK connection", one["qps"], 10_000,
          "/s", True)
    check(f"local server: history p99 at {srv['history']['messages']:,} messages",
          srv["history"]["p99_ms"], 5.0, "ms", False)
    path = results.get("server_path")
    if path:
        many = _row(path["rows"], connections=1, inflight=100)
        one = _row(path["rows"], connections=1, inflight=1)
        check("local server, 1 connection x 100 in flight: server CPU per sendmsg vs answer "
              "server", many["cpu_ratio"], 8.0, "×", False)
        check("local server, one call at a time: server CPU per sendmsg vs answer server",
              one["cpu_ratio"], 2.5, "×", False)
        if "qps_vs_before" in many:
            check("local server, 1 connection x 100 in flight: sendmsg/s vs the code before "
                  f"({path['before_src']}), same run", many["qps_vs_before"], 3.0, "×", True)
    users = results.get("endusers")
    if users:
        for name, figures in users["transports"].items():
            label = _TRANSPORT_NAMES[name]
            check(f"local server: RSS per 1,000 connected end users ({users['users']:,} on "
                  f"{label})", figures["rss_mib_per_1000"], 5.0, "MiB", False)
            check(f"local server: pings of 10,000 end users every 20 s ({label})",
                  figures["pings"]["core_pct_10k_users_20s"], 3.0, "% of a core", False)
            check(f"local server: fan-out to a {users['members']:,}-member group, all online "
                  f"({label})", figures["fanout"]["pushes_per_s"], 30_000, "/s", True)
    if "console" in results:
        check("web console on with a live page: sendmsg/s slowdown",
              results["console"]["slowdown"] * 100, 10.0, "%", False)
    return out


# ---------------------------------------------------------------------------- table


def table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    m = results["machine"]
    add(f"RTM Python SDK benchmarks, {m['date']}: {m['cpu']}, {m['cores']} cores, "
        f"Python {m['python']}, {m['event_loop']}")
    add("")
    add("FPNN layer: one connection, sendmsg-sized quests, answer server in another process;")
    add("×ref = ours / reference loop, measured in alternating blocks in the same run")
    add(f"{'mode':<11} {'in flight':>9} | {'QPS':>8} {'×ref':>5} | {'p50 µs':>8} {'×ref':>5} | "
        f"{'p99 µs':>8} | {'CPU µs':>6} {'ref':>6}")
    for r in results["fpnn"]:
        o = r["ours"]
        add(f"{r['mode']:<11} {r['inflight']:>9} | {o['qps']:>8,.0f} {r['qps_ratio']:>5.2f} | "
            f"{o['p50_us']:>8.1f} {r['p50_ratio']:>5.2f} | {o['p99_us']:>8.1f} | "
            f"{o['cpu_us']:>6.2f} {r['ref']['cpu_us']:>6.2f}")
    for key, title in (("sync", "SyncFPNNClient, one calling thread"),
                       ("sync_poll", "SyncFPNNClient, one calling thread, busy_poll=200 µs")):
        add(f"{title} (same runs as the 1-in-flight rows):")
        for r in results["fpnn"]:
            if key in r:
                s = r[key]
                add(f"{r['mode']:<11} {1:>9} | {s['qps']:>8,.0f} "
                    f"{s['qps'] / r['ref']['qps']:>5.2f} | {s['p50_us']:>8.1f} "
                    f"{r[key + '_p50_ratio']:>5.2f} | {s['p99_us']:>8.1f} | "
                    f"{s['cpu_us']:>6.2f} {r['ref']['cpu_us']:>6.2f}")
    add("")
    add("RTM layer: SDK calls (validation, mid, signing, encoding, answer parsing) against the")
    add("answer server; get_group_message answers a 20-message page")
    add(f"{'call':<18} {'client':<14} {'load':>13} | {'calls/s':>8} | {'p50 µs':>8} | "
        f"{'p99 µs':>8} | {'CPU µs':>6}")
    for r in results["rtm"]:
        add(f"{r['call']:<18} {r['client']:<14} {r['load']:>13} | {r['qps']:>8,.0f} | "
            f"{r['p50_us']:>8.1f} | {r['p99_us']:>8.1f} | {r['cpu_us']:>6.2f}")
    ratios = []
    for call in dict.fromkeys(r["call"] for r in results["rtm"]):
        a = _row(results["rtm"], call=call, client="async", level=100)
        c = _row(results["rtm"], call=call, client="sync callback", level=100)
        ratios.append(f"{call} {c['qps'] / a['qps']:.2f}×")
    add("blocking client callback= vs async client, 100 in flight (calls/s): "
        + ", ".join(ratios))
    add("push handling (the answer server floods pushmsg, 100 unanswered at most):")
    add(f"{'client / monitor':<34} | {'answered/s':>10} | {'delivered/s':>11} | {'CPU µs':>6}")
    for r in results["push"]:
        add(f"{r['client']:<34} | {r['answered_per_s']:>10,.0f} | "
            f"{r['delivered_per_s']:>11,.0f} | {r['cpu_us']:>6.2f}")
    add("")
    srv = results["server"]
    add("Local server (python -m rtm.server in another process, SQLite WAL, synchronous=NORMAL)")
    for r in srv["sendmsg"]:
        add(f"persisted sendmsg, {r['connections']} SDK connection(s) x 100 in flight: "
            f"{r['qps']:>7,.0f} msg/s  (p50 {r['p50_us'] / 1000:.1f} ms, "
            f"p99 {r['p99_us'] / 1000:.1f} ms)")
    h = srv["history"]
    add(f"history, {h['messages']:,} messages stored, get_group_message num=20: "
        f"p50 {h['p50_ms']:.2f} ms, p99 {h['p99_ms']:.2f} ms ({h['queries']:,} queries)")
    mem = srv["memory"]
    add(f"memory per 1,000 logged-in end users: {mem['kib_per_1000_users'] / 1024:.2f} MiB "
        f"server RSS")
    path = results.get("server_path")
    if path:
        add("")
        add("Local server message path: persisted sendmsg through the SDK, the server's own CPU")
        add("per quest (/proc), against bench/answer_server.py in alternating blocks, same run")
        add(f"{'code':<8} {'conns':>5} {'in flight':>9} | {'msg/s':>8} {'p50 µs':>8} | "
            f"{'server CPU µs':>13} {'answer server':>13} {'×':>6}")
        lines_of = [("now", "local", "cpu_ratio", path["rows"]),
                    ("before", "before", "before_cpu_ratio",
                     [r for r in path["rows"] if "before" in r]),
                    ("now/file", "local", "cpu_ratio", path.get("file") or [])]
        for label, key, ratio, rows in lines_of:
            for r in rows:
                add(f"{label:<8} {r['connections']:>5} {r['inflight']:>9} | "
                    f"{r[key]['qps']:>8,.0f} {r[key]['p50_us']:>8.0f} | "
                    f"{r[key]['server_cpu_us']:>13.1f} {r['answer']['server_cpu_us']:>13.1f} "
                    f"{r[ratio]:>6.2f}")
        ratios = [f"{r['connections']}x{r['inflight']}: {r['qps_vs_before']:.2f}×"
                  for r in path["rows"] if "qps_vs_before" in r]
        if ratios:
            add("msg/s now / before (same alternating blocks): " + ", ".join(ratios))
        add("(--db :memory: as in issue 25; now/file: a database file, WAL, rows counted)")
        if path.get("before_src"):
            add(f"(before = the local server run from {path['before_src']})")
    users = results.get("endusers")
    if users:
        add("")
        add(f"End users (bench/enduser_bench.py): {users['users']:,} connected to one server, "
            f"minimal FPNN clients; fan-out to {users['members']:,} online group members")
        names = list(users["transports"])
        add(f"{'':<44}" + "".join(f"{_TRANSPORT_NAMES[n]:>14}" for n in names))
        rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
            ("logins/s", lambda f: f"{f['logins_per_s']:,.0f}"),
            ("server CPU per login, µs", lambda f: f"{f['server_cpu_us_per_login']:.0f}"),
            ("server RSS per 1,000 end users, MiB", lambda f: f"{f['rss_mib_per_1000']:.2f}"),
            ("server CPU per gate ping, µs",
             lambda f: f"{f['pings']['server_cpu_us_per_ping']:.1f}"),
            ("pings of 10,000 users every 20 s, % core",
             lambda f: f"{f['pings']['core_pct_10k_users_20s']:.2f}"),
        ]
        for label, key in (("1 message at a time", "fanout_one_at_a_time"),
                           ("10 in flight", "fanout")):
            rows += [
                (f"fan-out pushes/s, {label}", lambda f, k=key: f"{f[k]['pushes_per_s']:,.0f}"),
                ("  server CPU per push, µs",
                 lambda f, k=key: f"{f[k]['server_cpu_us_per_push']:.1f}"),
                ("  push latency p50 / p99, ms",
                 lambda f, k=key: f"{f[k]['latency_p50_ms']:.0f} / {f[k]['latency_p99_ms']:.0f}"),
            ]
        for label, cell in rows:
            add(f"{label:<44}" + "".join(f"{cell(users['transports'][n]):>14}" for n in names))
        add("(every push of every message received exactly once: checked; pings measured over "
            f"one {users['ping_interval_s']:g} s interval)")
    p = srv["push_e2e"]
    add(f"push end to end (listener + sender connections): {p['delivered_per_s']:,.0f} "
        f"monitor deliveries/s")
    if "console" in results:
        add("")
        add("Web console (bench/console_bench.py)")
        for line in console_bench.describe(results["console"]):
            add(line)
    add("")
    add(f"Memory per pending quest, {results['memory']['quests']:,} in flight on one connection")
    for name, value in results["memory"]["bytes"].items():
        add(f"    {name:<26} {value:>6,.0f} bytes")
    add("")
    add("Targets")
    for t in results["targets"]:
        sign = "≥" if t["at_least"] else "≤"
        unit = t["unit"]
        fmt = ",.0f" if unit == "/s" else ".2f"
        value = f"{t['value']:{fmt}}{'' if unit == '×' else ' '}{unit}"
        limit = f"{t['limit']:{fmt}}{'' if unit == '×' else ' '}{unit}"
        add(f"  [{'met' if t['met'] else 'MISSED':>6}] {t['target']}: {value} ({sign} {limit})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- plot


SERVER_PLOT = ROOT / "docs" / "img" / "server-path.png"


def plot_server(results: dict[str, Any], path: Path) -> bool:
    """Server CPU per persisted sendmsg: now, before (if measured), the answer server."""
    data = results.get("server_path")
    if not data:
        return False
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = data["rows"]
    before = {(r["connections"], r["inflight"]): {"local": r["before"]}
              for r in rows if "before" in r}
    labels = [f"{r['connections']} conn x {r['inflight']}" for r in rows]
    series = [("local server now", [r["local"]["server_cpu_us"] for r in rows], "C0")]
    if before:
        series.append(("local server before",
                       [before[(r["connections"], r["inflight"])]["local"]["server_cpu_us"]
                        for r in rows], "C3"))
    series.append(("answer server", [r["answer"]["server_cpu_us"] for r in rows], "C7"))
    fig, (ax, qx) = plt.subplots(1, 2, figsize=(11, 4.0), dpi=100)
    width = 0.8 / len(series)
    for i, (name, values, color) in enumerate(series):
        xs = [x + i * width for x in range(len(rows))]
        ax.bar(xs, values, width, label=name, color=color)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(rows))], labels)
    ax.set_ylabel("server CPU µs per sendmsg")
    ax.set_title("server CPU per persisted sendmsg (lower is better)")
    ax.legend(fontsize=8)
    qps = [("now", [r["local"]["qps"] for r in rows], "C0")]
    if before:
        qps.append(("before", [before[(r["connections"], r["inflight"])]["local"]["qps"]
                               for r in rows], "C3"))
    width = 0.8 / len(qps)
    for i, (name, values, color) in enumerate(qps):
        qx.bar([x + i * width for x in range(len(rows))], values, width, label=name,
               color=color)
    qx.set_xticks([x + width * (len(qps) - 1) / 2 for x in range(len(rows))], labels)
    qx.set_ylabel("persisted sendmsg per second")
    qx.set_title("throughput through the SDK (--db :memory:)")
    qx.legend(fontsize=8)
    m = results["machine"]
    fig.suptitle(f"local server message path: {m['cpu']}, {m['cores']} cores, "
                 f"Python {m['python']}, {m['date']}", fontsize=8, y=0.995)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


def plot(results: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install -e '.[bench]'): no plot", flush=True)
        return False
    fig, (ax, rx) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=100,
                                 gridspec_kw={"width_ratios": [3, 2]})
    colors = {"plain": "C0", "stream128": "C1", "stream256": "C2", "package128": "C3"}
    for mode, color in colors.items():
        rows = [r for r in results["fpnn"] if r["mode"] == mode]
        if not rows:
            continue
        x = [r["inflight"] for r in rows]
        ax.plot(x, [r["ours"]["qps"] for r in rows], "-o", color=color,
                label=f"{mode}: rtm FPNNClient")
        ax.plot(x, [r["ref"]["qps"] for r in rows], "--", marker="x", color=color, alpha=0.7,
                label=f"{mode}: reference loop")
        rx.plot(x, [r["qps_ratio"] for r in rows], "-o", color=color, label=mode)
    for axis in (ax, rx):
        axis.set_xscale("log")
        axis.set_xticks([1, 10, 100, 1000], ["1", "10", "100", "1000"])
        axis.set_xlabel("quests in flight on one connection")
        axis.grid(True, which="both", alpha=0.3)
    ax.set_ylabel("quests per second")
    ax.set_title("QPS: rtm FPNNClient vs reference asyncio loop")
    ax.legend(fontsize=7, ncol=2)
    rx.axhline(1.0, color="grey", lw=1)
    rx.axhline(0.75, color="grey", lw=1, ls=":")
    rx.set_ylim(0, max(1.5, *(r["qps_ratio"] + 0.1 for r in results["fpnn"])))
    rx.set_ylabel("QPS ratio (ours / reference, same run)")
    rx.set_title("ratio (dotted: 0.75 target at 100 in flight)")
    rx.legend(fontsize=7)
    m = results["machine"]
    fig.suptitle(f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['date']}",
                 fontsize=8, y=0.995)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


# ---------------------------------------------------------------------------- docs

DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin (written by bench/run_all.py) -->", "<!-- bench:end -->"


CONSOLE_DOC = ROOT / "docs" / "console.md"
CONSOLE_MARKERS = ("<!-- console-bench:begin (written by bench/run_all.py) -->",
                   "<!-- console-bench:end -->")


def update_doc(text: str, path: Path = DOC, markers: tuple[str, str] = (BEGIN, END)) -> bool:
    """Put ``text`` between the markers of ``path`` (if they are there)."""
    begin, end = markers
    try:
        doc = path.read_text()
    except OSError:
        return False
    start, stop = doc.find(begin), doc.find(end)
    if start < 0 or stop < start:
        return False
    block = f"{begin}\n```text\n{text}\n```\n"
    path.write_text(doc[:start] + block + doc[stop:])
    return True


# ---------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (smoke test)")
    parser.add_argument("--output", type=Path, default=None,
                        help="default bench/results/latest.json (--quick: quick.json)")
    parser.add_argument("--baseline-src", type=Path, default=None,
                        help="also measure the local server's message path run from this "
                             "source tree (e.g. a git worktree of the commit before a change)")
    parser.add_argument("--plot", type=Path, default=None,
                        help=f"default {PLOT.relative_to(ROOT)} (--quick: bench/results/quick.png)")
    args = parser.parse_args()
    q = args.quick
    if args.output is None:
        args.output = RESULTS / ("quick.json" if q else "latest.json")
    if args.plot is None:
        args.plot = RESULTS / "quick.png" if q else PLOT
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine()}

    print("== FPNN layer", flush=True)
    results["fpnn"] = fpnn_client.run(quests=10000 if q else 40000, block=2000)
    print("\n== RTM layer", flush=True)
    rows = rtm_client_bench.run(calls=4000 if q else 10000, rounds=1 if q else 3,
                                pushes=5000 if q else 20000)
    results["rtm"] = [r for r in rows if r["layer"] == "rtm"]
    results["push"] = [r for r in rows if r["layer"] == "push"]
    print("\n== Local server", flush=True)
    results["server"] = server_bench.run(
        sends=5000 if q else 20000, rounds=1 if q else 3,
        history_messages=100_000 if q else 1_000_000, history_queries=100 if q else 400,
        users=200 if q else 1000, pushes=2000 if q else 10000)
    print("\n== Local server message path", flush=True)
    sends = 5000 if q else 20000
    results["server_path"] = {"rows": server_path_bench.run(
        sends, db=":memory:", baseline=args.baseline_src)}
    if args.baseline_src is not None:
        results["server_path"]["before_src"] = str(args.baseline_src)
    print("-- the same with a database file (WAL, synchronous=NORMAL)", flush=True)
    results["server_path"]["file"] = server_path_bench.run(sends, loads=((1, 1), (1, 100)))
    print("\n== End users", flush=True)
    results["endusers"] = enduser_bench.run(users=2000 if q else 10_000, members=1000,
                                            messages=20 if q else 60,
                                            ping_interval=2.0 if q else 20.0)
    print("\n== Web console", flush=True)
    results["console"] = console_bench.run(sends=5000 if q else 20000, rounds=1 if q else 3)
    print("\n== Memory", flush=True)
    quests = 2000 if q else 10000
    results["memory"] = {"quests": quests,
                         "bytes": memory_bench.run(quests, rounds=1 if q else 3)}
    results["targets"] = targets(results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["quick"] = q

    text = table(results)
    print("\n" + "=" * 100)
    print(text)
    print("=" * 100)
    if not q and update_doc(text):
        print(f"table written to {DOC.relative_to(ROOT)}")
    if not q and update_doc("\n".join(console_bench.describe(results["console"])),
                            CONSOLE_DOC, CONSOLE_MARKERS):
        print(f"console figures written to {CONSOLE_DOC.relative_to(ROOT)}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"results: {args.output}", end="")
    if plot(results, args.plot):
        print(f", plot: {args.plot}", end="")
    server_plot = RESULTS / "quick-server.png" if q else SERVER_PLOT
    if plot_server(results, server_plot):
        print(f", {server_plot}", end="")
    print(f" ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
