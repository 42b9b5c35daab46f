"""The callback under load, side by side with its baselines: same server (gunicorn, 2 sync workers), same load
generator (wrk, 16 connections), safe mode, a fresh timestamp and MsgId per request. laoxiao carries real
conversations (bench/traffic.py); the baselines answer the same requests without any storage."""

from __future__ import annotations

import collections
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench import load, servers, traffic
from bench.env import bench_bin

MIX = traffic.Mix()
MAX_RATE = 8000  # requests a second a server could take: the number of distinct requests generated


@dataclass
class Row:
    name: str
    runs: list[load.Throughput]

    @property
    def result(self) -> load.Throughput:
        """The run with the median rate."""
        return sorted(self.runs, key=lambda r: r.rate)[len(self.runs) // 2]


def throughput(folder: Path, seconds: int, rounds: int = 3, connections: int = 16) -> list[Row]:
    """Every server runs at once (idle but for the one under load), and the rounds interleave them: bare Flask,
    wechatpy, WeRoBot, laoxiao, then again. Whatever else loads the machine then weighs on all of them alike,
    and the ratios are taken round by round."""
    rows = [Row(server.name, []) for server in servers.servers()]
    with ExitStack() as stack:
        bases = []
        for server in servers.servers():
            work = folder / server.app.split(":")[0]
            work.mkdir(exist_ok=True)
            if server.laoxiao:
                traffic.prepare_database(work / "laoxiao.db", MIX)
            base, _ = stack.enter_context(servers.running(server, work))
            load.run_wrk(base, traffic.write_requests(work / "warm.txt", 3000, MIX), 3, connections, work)
            bases.append((base, work))
        for _ in range(rounds):
            for row, (base, work) in zip(rows, bases, strict=True):
                requests = traffic.write_requests(work / "requests.txt", seconds * MAX_RATE // 4, MIX)
                row.runs.append(load.run_wrk(base, requests, seconds, connections, work))
            print("  " + ", ".join(f"{row.name} {row.runs[-1].rate:,.0f}" for row in rows) + " req/s", flush=True)
    return rows


def ratios(rows: list[Row], name: str, baseline: str) -> list[float]:
    """name's rate over baseline's, round by round."""
    by_name = {row.name: row for row in rows}
    return [a.rate / b.rate for a, b in zip(by_name[name].runs, by_name[baseline].runs, strict=True)]


def fixed_rates(folder: Path, rates: tuple[int, ...], seconds: int) -> dict[str, dict[int, load.FixedRate]]:
    """p50/p99 at fixed rates, for bare Flask (the floor) and laoxiao."""
    found: dict[str, dict[int, load.FixedRate]] = {}
    for server in servers.servers():
        if server.name not in ("bare Flask", "laoxiao"):
            continue
        work = folder / f"fixed-{server.app.split(':')[0]}"
        work.mkdir(exist_ok=True)
        if server.laoxiao:
            traffic.prepare_database(work / "laoxiao.db", MIX)
        with servers.running(server, work) as (base, _):
            load.fixed_rate(base, _requests(work, 1000), 100, 5)  # warm up
            for rate in rates:
                result = load.fixed_rate(base, _requests(work, rate * seconds), rate, seconds)
                found.setdefault(server.name, {})[rate] = result
                print(f"  {server.name} at {rate}/s: p50 {result.percentile(0.5):.1f} ms, "
                      f"p99 {result.percentile(0.99):.1f} ms", flush=True)
    return found


def _requests(work: Path, count: int) -> list[tuple[str, bytes]]:
    return traffic.read_requests(traffic.write_requests(work / "fixed.txt", count, MIX))


def profile(folder: Path, seconds: int = 12, top: int = 20) -> tuple[list[str], float]:
    """py-spy sampling both laoxiao workers under wrk's load: the functions where samples land (own time) and
    the main steps of a message (inclusive time), as shares of all samples. Returns (lines, req/s)."""
    server = next(s for s in servers.servers() if s.laoxiao)
    work = folder / "profile"
    work.mkdir(exist_ok=True)
    traffic.prepare_database(work / "laoxiao.db", MIX)
    raw = work / "pyspy.txt"
    with servers.running(server, work) as (base, pid):
        load.run_wrk(base, traffic.write_requests(work / "warm.txt", 3000, MIX), 3, 16, work)
        requests = traffic.write_requests(work / "requests.txt", seconds * MAX_RATE // 4, MIX)
        spy = subprocess.Popen([bench_bin("py-spy"), "record", "-p", str(pid), "--subprocesses", "-d", str(seconds),
                                "-r", "200", "-f", "raw", "-o", str(raw), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = load.run_wrk(base, requests, seconds, 16, work)
        spy.wait(timeout=seconds + 60)
    return summarize(raw.read_text(), top), result.rate


STEPS = ("callback (bot/wechat.py", "receive (handlers/inbox.py", "transaction (data/db.py", "Dispatcher.route",
         "WriterQueue.wait", "decrypt (bot/wechat_xml.py", "encrypt_reply", "parse_xml", "check_signature",
         "to_message", "_with_held_pushes", "claim (data/inbound.py", "finish (data/inbound.py",
         "ensure_person", "Flask.wsgi_app", "SyncWorker.handle_request", "Response.send_headers",
         "close_graceful", "SyncWorker.accept")


def summarize(raw: str, top: int) -> list[str]:
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        total += int(count)
        if frames:
            own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[_function(frame)] += int(count)
    lines = [f"own time (top {top} of {total:,} samples):"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    lines.append("inclusive time of the steps of one message:")
    steps = [(name, n) for name, n in inclusive.items() if name.startswith(STEPS)]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in sorted(steps, key=lambda s: -s[1])]
    return lines


def _function(frame: str) -> str:
    """'receive (handlers/inbox.py:48)' -> 'receive (handlers/inbox.py)': all lines of a function together."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name
