"""Work that grows with the roster: the reminders job at 100k and 1M recipients (time and peak memory), and the
monthly visits-coverage query over 1M visits (`laoxiao report` is not on main yet: this is the query a report
is built on, data.visits.COUNTS_SQL per site and month).

Each measurement runs in a child process of its own, so its peak resident memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.env import ROOT

DAY = date(2026, 11, 15)  # a reminder day


def build(path: Path, recipients: int, staff: int) -> dict:
    from bench.bench_reminders import build as build_roster
    from data import open_db

    start = time.perf_counter()
    build_roster(path, recipients, staff)
    db = open_db(path)
    visits = db.execute("SELECT COUNT(*) FROM visits").fetchone()[0]
    db.close()
    return {"recipients": recipients, "staff": staff, "visits": visits, "build_s": time.perf_counter() - start}


def measure_in_child(task: str, path: Path) -> dict:
    """Run `python -m bench.scale TASK PATH` and read its JSON line."""
    result = subprocess.run([sys.executable, "-m", "bench.scale", task, str(path)], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _reminders(path: Path) -> dict:
    from bot.config import load_settings
    from bot.jobs import reminder_messages
    from data import open_db

    settings = load_settings(env={"WECHAT_TOKEN": "bench", "LAOXIAO_DB": str(path)}, dotenv=False)
    db = open_db(path)
    start = time.perf_counter()
    messages = reminder_messages(db, DAY, settings)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "messages": len(messages), "peak_mb": _peak_mb(),
            "python_peak_mb": _python_peak(reminder_messages, db, DAY, settings)}


COVERAGE_SQL = """
SELECT r.site_id, COUNT(*) AS ongoing,
       SUM(EXISTS (SELECT 1 FROM visits v WHERE v.recipient_id = r.id AND {counts}
                   AND v.visit_date BETWEEN :first AND :last)) AS visited
FROM recipients r WHERE r.active = 1 AND r.ongoing_care = 1 GROUP BY r.site_id
"""


def _coverage(path: Path) -> dict:
    from data import open_db
    from data.visits import COUNTS_SQL, month_bounds

    db = open_db(path)
    first, last = month_bounds("2026-10")
    sql = COVERAGE_SQL.replace("{counts}", COUNTS_SQL)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        rows = db.execute(sql, {"first": first, "last": last}).fetchall()
        times.append(time.perf_counter() - start)
    visits = db.execute("SELECT COUNT(*) FROM visits").fetchone()[0]
    return {"seconds": sorted(times)[1], "sites": len(rows), "visits": visits,
            "covered": sum(r[2] for r in rows), "ongoing": sum(r[1] for r in rows), "peak_mb": _peak_mb(),
            "python_peak_mb": _python_peak(lambda: db.execute(sql, {"first": first, "last": last}).fetchall())}


def _peak_mb() -> float:
    """The process's peak resident memory: imports (pypinyin's dictionaries) and SQLite's cache included."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _python_peak(func, *args) -> float:
    """The most the computation itself held in Python objects at once (tracemalloc, a second run)."""
    import tracemalloc

    tracemalloc.start()
    try:
        func(*args)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    task, where = sys.argv[1], Path(sys.argv[2])
    print(json.dumps({"reminders": _reminders, "coverage": _coverage}[task](where)))
