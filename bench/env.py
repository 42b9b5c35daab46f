"""What the benchmarks need, created on first use from a fresh clone: the project's .venv (as `dev.py test`
makes it), a separate virtualenv for the baselines (WeRoBot and wechatpy echo servers, py-spy) so nothing of
theirs lands in the project's, and Debian's wrk."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_VENV = ROOT / ".venv"
BENCH_VENV = ROOT / ".venv-bench"
BENCH_PACKAGES = ("flask>=3.0", "gunicorn>=22", "wechatpy[cryptography]==1.8.18", "werobot==1.13.1", "py-spy")


def in_project_venv() -> bool:
    return Path(sys.prefix).resolve() == PROJECT_VENV.resolve()


def reexec_in_project_venv(argv: list[str]) -> None:
    """Run `python -m bench` again inside .venv, installing the project with its test tools first."""
    sys.path.insert(0, str(ROOT))
    import dev

    dev.install("[test]")
    python = PROJECT_VENV / "bin" / "python"
    os.execv(str(python), [str(python), "-m", "bench", *argv])


def bench_python() -> Path:
    """The baselines' interpreter, with gunicorn, Flask, wechatpy, WeRoBot and py-spy."""
    python = BENCH_VENV / "bin" / "python"
    stamp = BENCH_VENV / ".installed"
    digest = hashlib.sha256(" ".join(BENCH_PACKAGES).encode()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    print("安装基准测试环境 .venv-bench（WeRoBot、wechatpy、py-spy）…", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *BENCH_PACKAGES], check=True)
    stamp.write_text(digest)
    return python


def bench_bin(name: str) -> str:
    return str(bench_python().parent / name)


def wrk() -> str:
    """Debian's wrk, installed with apt-get when we can."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("安装 wrk …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian)")
    return found
