#!/usr/bin/env python3
"""Set up and run laoxiao on a fresh machine with only Python 3.11+.

    python3 dev.py demo     # install into .venv, build the demo database, serve it with the chat simulator
    python3 dev.py test     # install into .venv (with test tools and Chromium), run ruff and the tests

Only the standard library is used here, since nothing else is installed yet.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
CHROMIUM = Path("/usr/bin/chromium")


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (this runs before anything checks requires-python)
        print("laoxiao 需要 Python 3.11 或更新版本 (Python 3.11+ required)", file=sys.stderr)
        return 2
    command = argv[0] if argv else "help"
    if command == "demo":
        install("")
        return run([str(BIN / "laoxiao"), "demo", *argv[1:]])
    if command == "test":
        install("[test]")
        ensure_chromium()
        lint = run([str(PYTHON), "-m", "ruff", "check", "."])
        security = run([str(BIN / "bandit"), "-q", "-c", "pyproject.toml", "-r", "bot", "data", "flows", "handlers",
                        "--severity-level", "medium"])
        vulnerable = audit()
        tests = run([str(PYTHON), "-m", "pytest", *argv[1:]])
        return tests or lint or security or vulnerable
    print(__doc__)
    return 0 if command == "help" else 2


def install(extra: str) -> None:
    """Create .venv and install the project, skipping the work when nothing changed since last time."""
    if not PYTHON.exists():
        print("创建虚拟环境 .venv …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extra.encode()).hexdigest()
    stamp = VENV / f".installed{extra.strip('[]') or '-base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("安装依赖 …", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "-e", f".{extra}"], cwd=ROOT, check=True)
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium (never a downloaded one); install it when we can."""
    if CHROMIUM.exists() or os.environ.get("LAOXIAO_SKIP_BROWSER"):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("安装 Chromium（浏览器测试用）…", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    else:
        print("未找到 /usr/bin/chromium：浏览器测试将跳过。请安装 Debian 的 chromium 包。", flush=True)


def audit() -> int:
    """Known vulnerabilities in what is installed (pip-audit). It asks PyPI's vulnerability data over the
    network: where that cannot be reached (a machine that sees only a package mirror), it says so and the
    tests go on, since a missing network is not a vulnerability."""
    try:
        result = subprocess.run([str(BIN / "pip-audit"), "--progress-spinner", "off", "--skip-editable"],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        print("pip-audit skipped: no answer from the vulnerability service within 5 minutes", flush=True)
        return 0
    found = [line for line in result.stdout.splitlines() if line and not line.startswith(("Name", "----"))]
    if result.returncode == 0:
        print("pip-audit: no known vulnerabilities", flush=True)
        return 0
    if any(marker in result.stdout for marker in ("PYSEC-", "GHSA-", "CVE-")):
        print("pip-audit found known vulnerabilities:\n" + "\n".join(found), flush=True)
        return 1
    print("pip-audit skipped: the vulnerability service could not be reached from this machine "
          f"({(result.stderr.strip().splitlines() or ['no answer'])[-1][:200]})", flush=True)
    return 0


def run(command: list[str]) -> int:
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
