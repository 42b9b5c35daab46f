"""How long the monthly report takes at county scale.

    python bench/bench_report.py                                  # 100,000 recipients, ~1,000,000 visits
    python bench/bench_report.py --recipients 20000 --visits 200000 --runs 3

Builds a throw-away SQLite file (three sites, a year of visits, requests, cases, groups, events, volunteer
hours), then measures medians over --runs of data.report.build for one month, for the whole service and for one
site, and of the three renderings. The baseline, measured in the same run, is the one query any monthly report
must make: the month's visits counted by the in-person rule (data.visits.COUNTS_SQL), joined to their recipients.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_reminders import timed  # noqa: E402  (this folder is first on the path when run as a script)

from data import open_db  # noqa: E402
from data import report as reports  # noqa: E402
from data.db import transaction  # noqa: E402
from data.report_render import to_json, to_markdown, write_xlsx  # noqa: E402
from data.visits import COUNTS_SQL  # noqa: E402

MONTH = "2026-11"
TZ = ZoneInfo("Asia/Shanghai")
STAMP = "2026-11-01T00:00:00Z"


def build(path: Path, recipients: int, visits: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    db = open_db(path)
    with transaction(db):
        db.conn.execute("INSERT INTO sites (name, project, township) VALUES ('马家湾村', 'child', '峡口镇')")
        db.conn.execute("UPDATE projects SET start_date = '2026-06-01', end_date = '2027-05-31'")
        db.conn.executemany(
            "INSERT INTO people (id, openid, name, role, site_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(i, f"staff-{i}", f"员工{i}", "worker", 1 + i % 3, STAMP, STAMP) for i in range(1, 301)])
        db.conn.executemany(
            "INSERT INTO recipients (id, kind, name, site_id, responsible_id, ongoing_care, level, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, "elder" if i % 3 == 1 else "child", f"对象{i}", 1 + i % 3, 1 + i % 300, int(rng.random() < 0.3),
              "一般", STAMP, STAMP) for i in range(1, recipients + 1)])
        start = date(2026, 6, 1)

        def visit() -> tuple:
            mode, outcome = rng.choices((("上门", "met"), ("电话", "met"), ("上门", "not_home")), (8, 1, 1))[0]
            day = (start + timedelta(days=rng.randint(0, 182))).isoformat()
            return rng.randint(1, recipients), rng.randint(1, 300), day, mode, outcome, STAMP

        db.conn.executemany("INSERT INTO visits (recipient_id, visitor_id, visit_date, mode, outcome, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?)", (visit() for _ in range(visits)))
        categories = ("生活照料", "医疗健康", "学业辅导", "居家安全")
        for i in range(visits // 50):
            made = date(2026, 6, 1) + timedelta(days=rng.randint(0, 182))
            db.conn.execute(
                "INSERT INTO requests (number, category, text, site_id, status, created_at, accepted_at, done_at,"
                " updated_at) VALUES (?, ?, '需要帮忙', ?, 'done', ?, ?, ?, ?)",
                [f"R{i}", rng.choice(categories), 1 + i % 3, f"{made}T02:00:00Z", f"{made}T04:00:00Z",
                 f"{made}T09:00:00Z", STAMP])
        for i in range(1, recipients // 200 + 1):
            opened = (start + timedelta(days=rng.randint(0, 150))).isoformat()
            case_id = db.conn.execute(
                "INSERT INTO cases (recipient_id, site_id, stage, opened_on, last_note_on, created_at, updated_at)"
                " VALUES (?, ?, '计划', ?, ?, ?, ?)", [i, 1 + i % 3, opened, opened, STAMP, STAMP]).lastrowid
            for stage in ("接案", "预估", "计划"):
                db.conn.execute("INSERT INTO case_notes (case_id, stage, day, note, created_at) VALUES (?, ?, ?, ?, ?)",
                                [case_id, stage, opened, "记录", STAMP])
        for i in range(1, 61):
            day = (start + timedelta(days=rng.randint(0, 182))).isoformat()
            event_id = db.conn.execute(
                "INSERT INTO events (site_id, title, type, day, participants, created_at)"
                " VALUES (?, ?, '专题讲座', ?, 40, ?)",
                [1 + i % 3, f"讲座{i}", day, STAMP]).lastrowid
            for v in range(5):
                db.conn.execute("INSERT INTO volunteer_services (name, day, hours, site_id, event_id, created_at)"
                                " VALUES (?, ?, 2, ?, ?, ?)", [f"志愿者{v}", day, 1 + i % 3, event_id, STAMP])
    db.conn.execute("ANALYZE")
    db.close()


def median_seconds(action, runs: int) -> float:
    return timed(runs, action)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        build(path, args.recipients, args.visits)
        print(f"built {args.recipients:,} recipients, {args.visits:,} visits in {time.perf_counter() - started:.1f} s")
        db = open_db(path)
        window = reports.window(db, month=MONTH)
        one_site = reports.window(db, month=MONTH, site="沈闸村")
        baseline_sql = (f"SELECT COUNT(*), SUM({COUNTS_SQL}), COUNT(DISTINCT v.recipient_id) FROM visits v"
                        " JOIN recipients r ON r.id = v.recipient_id WHERE v.deleted_at IS NULL"
                        " AND v.visit_date BETWEEN ? AND ?")
        bounds = [window["first"].isoformat(), window["last"].isoformat()]
        baseline = median_seconds(lambda: db.conn.execute(baseline_sql, bounds).fetchone(), args.runs)
        built = reports.build(db, tz=TZ, **window)
        rows = [("baseline: the month's visits, one query", baseline),
                ("report, whole service", median_seconds(lambda: reports.build(db, tz=TZ, **window), args.runs)),
                ("report, one site", median_seconds(lambda: reports.build(db, tz=TZ, **one_site), args.runs)),
                ("render md", median_seconds(lambda: to_markdown(built), args.runs)),
                ("render json", median_seconds(lambda: to_json(built), args.runs)),
                ("render xlsx", median_seconds(lambda: write_xlsx(built, io.BytesIO()), args.runs))]
        print(f"month {MONTH}: {built['visits']['total']:,} visits, coverage {built['visits']['coverage']}")
        print(f"{'':42}{'median':>10}{'x baseline':>12}")
        for name, seconds in rows:
            print(f"{name:42}{seconds * 1000:>8.1f}ms{seconds / baseline:>11.1f}x")


if __name__ == "__main__":
    main()
