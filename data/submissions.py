"""When a month's work plan (月工作计划) and summary (月工作总结) went to whom (民政局, 第三方评估机构).

Due dates, as the monthly reminders say them: the plan by the 5th of its month, the summary by the month's last
day. Recording the same submission twice (same project, month, kind, date and addressees) keeps one row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from data import audit
from data.clock import iso
from data.db import first
from data.projects import month_first_last
from data.record_rules import Actor, day_of, one_of, text_of

KINDS = {"plan": "月工作计划", "summary": "月工作总结"}
PLAN_DUE_DAY = 5
DEFAULT_RECIPIENTS = "民政局、第三方评估机构"


def due_date(month: str, kind: str) -> date:
    first_day, last_day = month_first_last(month)
    return first_day.replace(day=PLAN_DUE_DAY) if kind == "plan" else last_day


def record_submission(db: Database, project: str, month: str, kind: str, *, by: Actor, now: datetime,
                      today: date, submitted_on: str | date | None = None,
                      recipients: str = DEFAULT_RECIPIENTS, note: str = "") -> int:
    """Record that the month's plan or summary was submitted (today unless `submitted_on`); returns the row id."""
    project = one_of(project, ("elder", "child"), "项目")
    kind = one_of(kind, KINDS, "类型")
    month_first_last(month)  # refuses what is not a month
    day = day_of(submitted_on or today, today, "提交日期")
    recipients = text_of(recipients, "提交对象", limit=100)
    note = text_of(note, "备注", required=False, limit=500)
    db.conn.execute(
        "INSERT OR IGNORE INTO report_submissions (project, month, kind, submitted_on, recipients, note, person_id,"
        " user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [project, month, kind, day, recipients, note, by.person_id, by.user_id, iso(now)])
    row = first(db, "SELECT id FROM report_submissions WHERE project = ? AND month = ? AND kind = ?"
                    " AND submitted_on = ? AND recipients = ?", [project, month, kind, day, recipients])
    audit.record(db, now, by.label, "report_submitted", f"report:{project}:{month}", {"kind": kind, "day": day})
    return row["id"]


def latest(db: Database, project: str, month: str, kind: str) -> dict | None:
    """The latest submission of that month's plan or summary, or None."""
    return first(db, "SELECT * FROM report_submissions WHERE project = ? AND month = ? AND kind = ?"
                     " ORDER BY submitted_on DESC, id DESC LIMIT 1", [project, month, kind])


def listing(db: Database, projects: list[str], months: list[str]) -> list[dict]:
    """One row per project and month: the latest plan and summary submissions (None when missing), with due
    dates and whether each was late."""
    rows = []
    for project in projects:
        for month in months:
            row = {"project": project, "month": month}
            for kind in KINDS:
                found = latest(db, project, month, kind)
                due = due_date(month, kind).isoformat()
                row[kind] = found
                row[f"{kind}_due"] = due
                row[f"{kind}_late"] = bool(found and found["submitted_on"] > due)
            rows.append(row)
    return rows


def recorded(db: Database, months: list[str]) -> set[tuple[str, str, str]]:
    """(project, month, kind) of every submission recorded for these months."""
    if not months:
        return set()
    marks = ",".join("?" * len(months))
    return {tuple(row) for row in db.conn.execute(
        f"SELECT DISTINCT project, month, kind FROM report_submissions WHERE month IN ({marks})", months)}


def months_submitted(db: Database, project: str, months: list[str]) -> int:
    """How many of the months have both a plan and a summary recorded."""
    if not months:
        return 0
    marks = ",".join("?" * len(months))
    row = first(db, f"SELECT COUNT(*) AS n FROM (SELECT month FROM report_submissions WHERE project = ?"
                    f" AND month IN ({marks}) GROUP BY month HAVING COUNT(DISTINCT kind) = 2)", [project, *months])
    return row["n"]
