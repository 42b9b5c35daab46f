"""The servers the callback benchmark compares, each under the same gunicorn (2 sync workers, as on the
2-core machine), started and stopped here."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

from bench.env import PROJECT_VENV, ROOT, bench_bin
from bench.traffic import ENV

WORKERS = 2


@dataclass(frozen=True)
class Server:
    name: str
    gunicorn: str  # the gunicorn executable of the environment the app runs in
    app: str
    chdir: Path
    laoxiao: bool = False


def servers() -> list[Server]:
    apps = ROOT / "bench" / "apps"
    return [
        Server("bare Flask", bench_bin("gunicorn"), "bare_flask:app", apps),
        Server("Flask + wechatpy echo", bench_bin("gunicorn"), "wechatpy_echo:app", apps),
        Server("WeRoBot echo", bench_bin("gunicorn"), "werobot_echo:app", apps),
        Server("laoxiao", str(PROJECT_VENV / "bin" / "gunicorn"), "bot.wsgi:app", ROOT, laoxiao=True),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def laoxiao_env(folder: Path) -> dict[str, str]:
    return {**ENV, "LAOXIAO_DB": str(folder / "laoxiao.db"), "LAOXIAO_QUIET_HOURS": "",
            "LAOXIAO_LOG_LEVEL": "WARNING", "LAOXIAO_PHRASES": str(folder / "phrasings.tsv"),
            "LAOXIAO_SECRET_KEY": "bench"}


@contextmanager
def running(server: Server, folder: Path, extra_env: dict[str, str] | None = None):
    """The server on a free port; yields (base URL, gunicorn master pid)."""
    port = free_port()
    env = {**os.environ, **ENV, "BENCH_DIR": str(folder), **(laoxiao_env(folder) if server.laoxiao else {}),
           **(extra_env or {})}
    env.pop("PYTHONPATH", None)
    log = open(folder / f"{server.app.split(':')[0]}.log", "w")
    process = subprocess.Popen(
        [server.gunicorn, "-w", str(WORKERS), "-k", "sync", "-b", f"127.0.0.1:{port}", "--chdir", str(server.chdir),
         "--log-level", "warning", "--timeout", "60", server.app],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, process)
        yield base, process.pid
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _wait(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            urlopen(base + "/healthz", timeout=1).read()  # noqa: S310 (our own server on 127.0.0.1)
            return
        except HTTPError:
            return  # laoxiao's /healthz answers 503 without a scheduler: it is up all the same
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]
