"""`python -m bench`: every benchmark, written to docs/benchmarks.md.

    python3 -m bench            # the full run (about 15 minutes on 2 cores)
    python3 -m bench --quick    # shorter loads, no 1M-recipient roster (about 5 minutes)

From a fresh clone it installs what it needs first: the project's .venv (as `dev.py test` does), a separate
.venv-bench for the baselines (WeRoBot, wechatpy, Flask under gunicorn) and py-spy, and Debian's wrk.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.env import ROOT, in_project_venv, reexec_in_project_venv

OUT = ROOT / "docs" / "benchmarks.md"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter loads, no 1M roster")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not in_project_venv():
        reexec_in_project_venv(argv)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from bench import callback, drain, intent, scale
    from bench.env import bench_python, wrk

    bench_python()
    wrk()
    seconds = 8 if args.quick else 15
    sections: list[str] = [_header(args.quick)]
    with tempfile.TemporaryDirectory(prefix="laoxiao-bench-") as tmp:
        folder = Path(tmp)
        print("callback throughput (wrk) …", flush=True)
        rows = callback.throughput(folder, seconds, rounds=2 if args.quick else 3)
        print("callback latency at fixed rates …", flush=True)
        fixed = callback.fixed_rates(folder, (200, 500), 10 if args.quick else 20)
        sections.append(_callback_section(rows, fixed, seconds))
        print("profile (py-spy) …", flush=True)
        lines, rate = callback.profile(folder, 8 if args.quick else 12)
        sections.append(_profile_section(lines, rate))
    print("intent matching …", flush=True)
    sections.append(_intent_section([intent.run(n) for n in (1000, 5000)]))
    print("reminders and coverage at scale …", flush=True)
    sections.append(_scale_section(_scale(scale, (100_000,) if args.quick else (100_000, 1_000_000))))
    print("outbox drain …", flush=True)
    rows_to_send = 600 if args.quick else 2000
    sections.append(_drain_section([drain.measure(rows_to_send, workers, api_ms)
                                    for api_ms in (40, 0) for workers in (1, 4)]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


def _header(quick: bool) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip() or "?"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"# Benchmarks\n\nWritten by `python -m bench{' --quick' if quick else ''}` on "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, load average at start {load}. Figures from one run; machines "
            "are noisy (other work shares these 2 cores), so compare the ratios measured side by side, not the "
            "absolute numbers across runs.\n\n"
            "# 基准测试\n\n由 `python -m bench` 生成。同一次运行里并排测得的比值才可比较；绝对数字随机器负载变化。")


def _callback_section(rows, fixed, seconds: int) -> str:
    from bench.callback import ratios

    rounds = len(rows[0].runs)
    lines = ["## The callback: laoxiao against its baselines",
             "",
             f"gunicorn, 2 sync workers each; wrk, 1 thread, 16 connections, {seconds} s per run after a 3 s "
             f"warm-up, {rounds} rounds interleaving the four servers (the ratios are taken round by round, and "
             "their median is shown); safe mode (signature, AES decrypt and encrypt); a fresh timestamp and MsgId "
             "per request. laoxiao runs real conversations round-robin over 100 people: 40 directors recording "
             "visits step by step (走访 → name → 上门 → findings → 无 → 1), 40 families asking for help (need → "
             "name and address → 跳过 → 1 → 我的求助) and 20 unbound strangers greeting (你好, 帮助), on the demo "
             "database. The baselines answer the same requests with no storage at all.",
             "",
             "| server | req/s (median run) | every run | × bare Flask (median of rounds) | p50 ms | p99 ms | errors |",
             "|---|---:|---|---:|---:|---:|---:|"]
    for row in rows:
        r = row.result
        every = ", ".join(f"{run.rate:,.0f}" for run in row.runs)
        share = statistics.median(ratios(rows, row.name, "bare Flask"))
        lines.append(f"| {row.name} | {r.rate:,.0f} | {every} | {share:.2f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
                     f"| {sum(x.errors + x.bad_status for x in row.runs)} |")
    to_bare = ratios(rows, "laoxiao", "bare Flask")
    to_werobot = ratios(rows, "laoxiao", "WeRoBot echo")
    lines += ["", f"laoxiao / bare Flask = **{statistics.median(to_bare):.2f}x** "
                  f"(rounds: {', '.join(f'{x:.2f}' for x in to_bare)}; target ≥ 0.25x); "
                  f"laoxiao / WeRoBot echo = **{statistics.median(to_werobot):.2f}x** "
                  f"(rounds: {', '.join(f'{x:.2f}' for x in to_werobot)}; target ≥ 2.5x)."]
    lines += ["", "### Latency at fixed rates", "",
              "An open-loop sender (bench/load.py): each request leaves at its scheduled time, whatever the "
              "server is doing, and its latency counts from that time (no coordinated omission).", "",
              "| server | rate msg/s | sent | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|"]
    for name, by_rate in fixed.items():
        for rate, r in by_rate.items():
            lines.append(f"| {name} | {rate} | {r.sent:,} | {r.percentile(0.5):.1f} | {r.percentile(0.99):.1f} "
                         f"| {r.errors} |")
    p99 = fixed.get("laoxiao", {}).get(500)
    if p99:
        lines += ["", f"laoxiao p99 at 500 msg/s: **{p99.percentile(0.99):.1f} ms** (target ≤ 25 ms)."]
    return "\n".join(lines)


def _profile_section(lines: list[str], rate: float) -> str:
    return "\n".join(["## Where a message's time goes (py-spy)", "",
                      f"Both laoxiao workers sampled at 200 Hz under the same wrk load ({rate:,.0f} req/s while "
                      "sampled). Shares are of all samples of the two workers.", "", "```", *lines, "```"])


def _intent_section(results: list[dict]) -> str:
    lines = ["## Intent matching", "",
             "The matcher over the bundled phrasings padded to 1,000 and 5,000 (bench/bench_classify.py); time "
             "per message over the held-out set, each message's best of 3 runs.", "",
             "| phrasings | build s | median ms | p99 ms | p99 ms (all runs) | top-1 (held-out) |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['phrasings']:,} | {r['build_s']:.2f} | {r['median']:.2f} | {r['p99']:.2f} | "
                     f"{r['p99_raw']:.2f} | {r['acc']:.1%} |")
    return "\n".join(lines)


def _scale(scale, sizes: tuple[int, ...]) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="laoxiao-scale-") as tmp:
        for recipients in sizes:
            path = Path(tmp) / f"roster-{recipients}.db"
            built = scale.build(path, recipients, max(recipients // 20, 100))
            results.append({**built, "reminders": scale.measure_in_child("reminders", path),
                            "coverage": scale.measure_in_child("coverage", path)})
            path.unlink()
    return results


def _scale_section(results: list[dict]) -> str:
    lines = ["## Reminders and the visits-coverage query at scale", "",
             "A synthetic roster (bench/bench_reminders.py): one staff member per 20 recipients, 0-6 visits "
             "each over six months. Each measurement in a process of its own: peak RSS includes the imports "
             "(pypinyin's dictionaries, about 140 MB) and SQLite's cache; 'Python peak' is what the computation "
             "itself held (tracemalloc, a second run).", "",
             "| recipients | staff | visits | reminders s | messages | peak RSS MB | Python peak MB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        m = r["reminders"]
        lines.append(f"| {r['recipients']:,} | {r['staff']:,} | {r['visits']:,} | {m['seconds']:.2f} | "
                     f"{m['messages']:,} | {m['peak_mb']:.0f} | {m['python_peak_mb']:.0f} |")
    lines += ["", "`laoxiao report` is not on main yet, so the report figure is the query a monthly report is "
                  "built on: in-person visits that count (data.visits.COUNTS_SQL) per site for one month, over "
                  "every ongoing-care recipient (median of 3).", "",
              "| visits | recipients | coverage query s | sites | visited / ongoing |", "|---:|---:|---:|---:|---:|"]
    for r in results:
        c = r["coverage"]
        lines.append(f"| {c['visits']:,} | {r['recipients']:,} | {c['seconds']:.2f} | {c['sites']} | "
                     f"{c['covered']:,} / {c['ongoing']:,} |")
    return "\n".join(lines)


def _drain_section(results) -> str:
    lines = ["## Outbox drain rate", "",
             "A burst of rows to 500 people (at most five each, as WeChat's customer-service quota allows; one "
             "in fifty urgent) drained by one `drain_once`, through the fake WeChat API on 127.0.0.1 answering "
             "after a delay that stands in for the real API's round trip. Before issue 13 the sender took at "
             "most 50 rows per 30-second round: 1.7 rows/s, 100 a minute.", "",
             "| API delay ms | sending threads | rows | seconds | rows/s | rows/min |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.api_ms:.0f} | {r.workers} | {r.sent:,} | {r.seconds:.1f} | {r.rate:,.0f} | "
                     f"{r.rate * 60:,.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    started = time.monotonic()
    code = main(sys.argv[1:])
    print(f"benchmarks took {time.monotonic() - started:.0f} s")
    sys.exit(code)
