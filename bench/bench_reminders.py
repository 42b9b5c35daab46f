"""How long computing the monthly reminders takes at county scale, and how many queries it costs.

    python bench/bench_reminders.py                       # 100,000 recipients, 5,000 staff, ~3 visits each
    python bench/bench_reminders.py --recipients 20000 --staff 1000 --runs 3

Builds a throw-away SQLite file, then measures (medians over --runs) for a reminder day (the 15th), the 1st
(last month's summary) and a report day: the set-based computation used by the job (data.reminders), the
whole message building (bot.jobs.reminder_messages) and, for the ratio, a per-person baseline that asks one
query per staff member. Both must find the same people due. Queries are counted with SQLite's trace hook.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.jobs import reminder_messages  # noqa: E402
from data import coverage, open_db, reminders  # noqa: E402
from data.db import transaction  # noqa: E402

DAYS = {"reminder day": date(2026, 11, 15), "the 1st": date(2026, 12, 1), "report day": date(2026, 11, 27)}
_BASELINE_SQL = """
SELECT r.id, r.level,
       (SELECT MAX(visit_date) FROM visits v WHERE v.recipient_id = r.id AND v.deleted_at IS NULL
          AND v.mode IN ('上门', '到校') AND v.outcome = 'met' AND v.visit_date <= :as_of)
FROM recipients r WHERE r.responsible_id = :person AND r.active = 1 AND r.pending = 0
"""


def build(path: Path, recipients: int, staff: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    db = open_db(path)
    stamp = "2026-11-01T00:00:00Z"
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO people (id, openid, name, role, site_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(i, f"staff-{i}", f"员工{i}", "worker" if i % 4 == 0 else "director", 1 + i % 2, stamp, stamp)
             for i in range(1, staff + 1)])
        rows, visits = [], []
        for rid in range(1, recipients + 1):
            child = rng.random() < 0.5
            level = rng.choices(("重点", "一般", "稳定"), (1, 6, 3))[0]
            rows.append((rid, "child" if child else "elder", f"对象{rid}", 1 + rid % 2, rng.randint(1, staff),
                         int(level != "稳定"), int(child and rng.random() < 0.1), level, stamp, stamp))
            for _ in range(rng.randint(0, 6)):
                day = date(2026, 6, 1) + timedelta(days=rng.randint(0, 180))
                verification = '{"seen": true}' if child and rng.random() < 0.2 else None
                mode, outcome = rng.choices((("上门", "met"), ("电话", "met"), ("上门", "not_home")), (8, 1, 1))[0]
                visits.append((rid, rng.randint(1, staff), day.isoformat(), verification,
                               stamp if rng.random() < 0.02 else None, mode, outcome))
        db.conn.executemany(
            "INSERT INTO recipients (id, kind, name, site_id, responsible_id, ongoing_care, allowance, level,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.conn.executemany(
            "INSERT INTO visits (recipient_id, visitor_id, visit_date, verification, created_at, deleted_at, mode,"
            " outcome) VALUES (?, ?, ?, ?, '2026-11-01T00:00:00Z', ?, ?, ?)", visits)
    db.conn.execute("ANALYZE")
    print(f"built {recipients:,} recipients, {staff:,} staff, {len(visits):,} visits")
    db.close()


class QueryCounter:
    def __init__(self, db) -> None:
        self.db, self.count = db, 0

    def __enter__(self) -> QueryCounter:
        self.db.conn.set_trace_callback(self._seen)
        return self

    def _seen(self, statement: str) -> None:
        self.count += 1

    def __exit__(self, *exc) -> None:
        self.db.conn.set_trace_callback(None)


def per_person(db, day: date, sections: tuple[str, ...], period: str) -> dict[int, set[int]]:
    """The naive way: one query per staff member. Returns who is due: person -> recipients not visited."""
    summary = reminders.LAST_MONTH in sections
    month_start, month_end = reminders.previous_month(day) if summary else (day.replace(day=1), day)
    period_start, period_end = reminders.period_range(day, period)
    due = {}
    for (person_id,) in db.conn.execute("SELECT id FROM people WHERE role IN ('worker', 'director')"
                                        " AND reachable = 1").fetchall():
        params = {"person": person_id, "as_of": (month_end if summary else day).isoformat(),
                  "month_start": month_start.isoformat(), "month_end": month_end.isoformat(),
                  "period_start": period_start.isoformat(), "period_end": min(period_end, day).isoformat()}
        rows = db.conn.execute(_BASELINE_SQL, params).fetchall()
        left = {rid for rid, level, seen in rows
                if not seen or seen < coverage.period_of(level, month_end)[0].isoformat()}
        if left:
            due[person_id] = left
    return due


def timed(runs: int, func, *args) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build(path, args.recipients, args.staff)
        settings = load_settings(env={"WECHAT_TOKEN": "bench", "LAOXIAO_DB": str(path)}, dotenv=False)
        db = open_db(path)
        print(f"{'day':<14}{'set-based s':>12}{'queries':>9}{'messages s':>12}{'sent to':>9}"
              f"{'per-person s':>14}{'queries':>9}{'ratio':>8}")
        for label, day in DAYS.items():
            sections = reminders.sections_due(day, settings.reminder_days)
            period = settings.verify_period
            with QueryCounter(db) as counted:
                reminders.staff_status(db, day, sections, period)
            fast, statuses = timed(args.runs, reminders.staff_status, db, day, sections, period)
            whole, messages = timed(args.runs, reminder_messages, db, day, settings)
            with QueryCounter(db) as naive_counted:
                per_person(db, day, sections, period)
            slow, naive = timed(max(1, args.runs // 2), per_person, db, day, sections, period)
            fast_due = {s.person_id: {o.recipient_id for o in s.not_visited} for s in statuses if s.not_visited}
            assert fast_due == naive, "the set-based and per-person computations disagree"
            print(f"{label:<14}{fast:>12.3f}{counted.count:>9}{whole:>12.3f}{len(messages):>9}"
                  f"{slow:>14.3f}{naive_counted.count:>9}{slow / fast:>7.1f}x")
        db.close()


if __name__ == "__main__":
    main()
