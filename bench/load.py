"""Load generators: wrk for throughput (closed loop, N connections), and an open-loop sender for latency at a
fixed rate, whose latencies count from each request's scheduled time (no coordinated omission: a stalled
server makes the requests behind it late, and that lateness is measured)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from bench.env import wrk

LUA = r"""
local reqs = {}
local idx = 0
init = function(args)
  for line in io.lines(args[1]) do
    local target, body = line:match("^([^\t]*)\t(.*)$")
    reqs[#reqs + 1] = wrk.format("POST", target, {["Content-Type"] = "text/xml"}, body)
  end
end
request = function()
  idx = idx + 1
  if idx > #reqs then idx = 1 end
  return reqs[idx]
end
done = function(summary, latency, requests)
  io.write(string.format("LAOXIAO requests=%d errors=%d status=%d p50=%d p99=%d\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Throughput:
    requests: int
    seconds: float
    errors: int
    bad_status: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def run_wrk(base: str, requests_file: Path, seconds: int, connections: int, folder: Path) -> Throughput:
    """wrk with one thread (plenty for these rates) and `connections` keep-alive connections."""
    script = folder / "requests.lua"
    script.write_text(LUA)
    result = subprocess.run(
        [wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base,
         "--", str(requests_file)], capture_output=True, text=True, check=True)
    found = re.search(r"LAOXIAO requests=(\d+) errors=(\d+) status=(\d+) p50=(\d+) p99=(\d+)", result.stdout)
    if not found:
        raise RuntimeError(f"wrk said: {result.stdout}\n{result.stderr}")
    requests, errors, status, p50, p99 = map(int, found.groups())
    return Throughput(requests, float(seconds), errors, status, p50 / 1000, p99 / 1000)


@dataclass
class FixedRate:
    rate: float
    sent: int
    errors: int
    latencies_ms: list[float]

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def fixed_rate(base: str, requests: list[tuple[str, bytes]], rate: float, seconds: float,
               connections: int = 64) -> FixedRate:
    """Send `rate` requests a second for `seconds`, each at its scheduled time, over up to `connections`
    keep-alive connections; latency = response time minus scheduled time."""
    return asyncio.run(_fixed_rate(base, requests, rate, seconds, connections))


async def _fixed_rate(base: str, requests: list[tuple[str, bytes]], rate: float, seconds: float,
                      connections: int) -> FixedRate:
    url = urlparse(base)
    total = min(int(rate * seconds), len(requests))
    queue: asyncio.Queue = asyncio.Queue()
    result = FixedRate(rate, 0, 0, [])
    start = time.perf_counter() + 0.2

    async def connection() -> None:
        reader = writer = None
        while True:
            item = await queue.get()
            if item is None:
                break
            scheduled, (target, body) = item
            raw = (f"POST {target} HTTP/1.1\r\nHost: {url.hostname}\r\nContent-Type: text/xml\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(url.hostname, url.port)
                writer.write(raw)
                await writer.drain()
                status, closing = await _read_response(reader)
                ok = status == 200
                if closing:  # gunicorn's sync workers close after each response
                    writer.close()
                    writer = None
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok, writer = False, None
            result.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
            result.errors += not ok
        if writer is not None:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(connections)]
    for index in range(total):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((scheduled, requests[index]))
        result.sent += 1
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return result


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, whether the server closes the connection)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length, closing = 0, lines[0].startswith("HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection":
            closing = value.strip().lower() == "close"
    if length:
        await reader.readexactly(length)
    return status, closing
