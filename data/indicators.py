"""Indicator progress, computed from the records.

The indicators of each project and their targets are data (table `indicators`, targets from the plan's section
四); how each is counted is one function in `RULES`. Every rule returns two figures:

    actual     progress over the project period, from its start to the end of the report window
    in_period  what the report window itself added

Counted only at the sites in scope (the project's sites, or the one site asked for):

    needs_survey     surveys done with a report file and at least one need
    ongoing_visits   a monthly figure: ongoing-care (持续关爱) recipients, active and confirmed, seen in person
                     that month (data.visits.COUNTS_SQL via data.coverage). `actual` is the window's last month,
                     `in_period` the lowest month of the window
    cases            cases opened in the project period that reached 计划 (assessed and planned)
    groups           groups started in the project period once they have 8 members and 4 sessions held
    cultivated       organisations and volunteer teams founded or registered in the project period
    events           events of the counted types (文娱, 教育倡导, 健康养生, 节庆, 专题讲座)
    needs_answered   target: the needs list's planned services; actual: volunteer services answering each need,
                     each need capped at its own target
    monthly_reports  target: the months of the project period; actual: months with plan and summary submitted
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from data import coverage, projects, submissions
from data.events import COUNTED_TYPES
from data.groups import MIN_MEMBERS, MIN_SESSIONS
from data.volunteering import ANSWERS_NEED_SQL


@dataclass(frozen=True)
class Window:
    """What one computation covers: the sites, the project period, and the report window within it."""

    project: dict
    site_ids: list[int]
    first: date          # the report window
    last: date

    @property
    def start(self) -> date:
        return date.fromisoformat(self.project["start_date"])

    @property
    def cumulative_last(self) -> date:
        return min(self.last, date.fromisoformat(self.project["end_date"]))

    @property
    def sites_sql(self) -> str:
        return ",".join(str(int(i)) for i in self.site_ids) or "NULL"

    def in_project(self, day: str | None) -> bool:
        return bool(day) and self.start.isoformat() <= day <= self.project["end_date"]


def progress(db: Database, project_code: str, site_ids: list[int] | None, first: date, last: date) -> list[dict]:
    """Every indicator of a project over the window [first, last], at the project's sites (narrowed to
    `site_ids` when given), in the plan's order."""
    project = projects.get_project(db, project_code)
    own = projects.site_ids_of(db, project_code)
    scope = own if site_ids is None else [s for s in own if s in site_ids]
    window = Window(project, scope, first, last)
    result = []
    for row in db.query("SELECT * FROM indicators WHERE project = ? ORDER BY position", [project_code]):
        figures = RULES[row["code"]](db, window)
        target = figures.pop("target", row["target"])
        result.append({"project": project_code, "code": row["code"], "name": row["name"], "target": target,
                       "target_max": row["target_max"], "unit": row["unit"], **figures})
    return result


def _count(db: Database, sql: str, params: list) -> int:
    return db.conn.execute(sql, params).fetchone()[0] or 0


def _needs_survey(db: Database, w: Window) -> dict:
    sql = ("SELECT COUNT(*) FROM needs_surveys s WHERE s.project = ? AND s.report_file != ''"
           f" AND (s.site_id IS NULL OR s.site_id IN ({w.sites_sql})) AND s.day BETWEEN ? AND ?"
           " AND EXISTS (SELECT 1 FROM survey_needs n WHERE n.survey_id = s.id)")
    code = w.project["code"]
    return {"actual": _count(db, sql, [code, w.start.isoformat(), w.cumulative_last.isoformat()]),
            "in_period": _count(db, sql, [code, w.first.isoformat(), w.last.isoformat()])}


# Ongoing-care recipients (持续关爱对象, the plan's 10-15 per project): active, confirmed (not pending), flagged.
ONGOING_SQL = "r.active = 1 AND r.pending = 0 AND r.ongoing_care = 1"


def ongoing_recipient_ids(db: Database, site_ids: list[int]) -> list[int]:
    """The ongoing-care recipients at the sites."""
    marks = ",".join(str(int(i)) for i in site_ids) or "NULL"
    return [row[0] for row in db.conn.execute(
        f"SELECT r.id FROM recipients r WHERE {ONGOING_SQL} AND r.site_id IN ({marks}) ORDER BY r.id")]


def monthly_seen(db: Database, recipient_ids: list[int], first: date, last: date) -> list[dict]:
    """For each month touched by [first, last]: the recipients among `recipient_ids` seen in person."""
    months = []
    for month in projects.months_between(first, last):
        month_first, month_last = projects.month_first_last(month)
        seen = coverage.counts(db, recipient_ids, max(first, month_first), min(last, month_last))
        months.append({"month": month, "seen": seen["recipients_seen"]})
    return months


def _ongoing_visits(db: Database, w: Window) -> dict:
    ids = ongoing_recipient_ids(db, w.site_ids)
    months = monthly_seen(db, ids, w.first, w.last)
    target = _target(db, w.project["code"], "ongoing_visits")
    return {"actual": months[-1]["seen"] if months else 0,
            "in_period": min((m["seen"] for m in months), default=0),
            "months": months, "months_met": sum(1 for m in months if target and m["seen"] >= target),
            "ongoing_recipients": len(ids)}


def _target(db: Database, project: str, code: str) -> int | None:
    row = db.conn.execute("SELECT target FROM indicators WHERE project = ? AND code = ?", [project, code]).fetchone()
    return row[0] if row else None


def _cases(db: Database, w: Window) -> dict:
    # The day each case first reached 计划, for cases opened within the project period.
    rows = db.conn.execute(
        "SELECT MIN(n.day) FROM cases c JOIN case_notes n ON n.case_id = c.id AND n.stage = '计划'"
        f" WHERE c.site_id IN ({w.sites_sql}) AND c.opened_on BETWEEN ? AND ? GROUP BY c.id",
        [w.start.isoformat(), w.project["end_date"]]).fetchall()
    return _split([row[0] for row in rows], w)


def _split(days: list[str], w: Window) -> dict:
    """Things that happened on `days`: how many by the cumulative end, and how many within the window."""
    return {"actual": sum(1 for d in days if w.start.isoformat() <= d <= w.cumulative_last.isoformat()),
            "in_period": sum(1 for d in days if w.first.isoformat() <= d <= w.last.isoformat() and w.in_project(d))}


def qualified_on(member_days: list[str], session_days: list[str]) -> str | None:
    """The day a group first had MIN_MEMBERS members and MIN_SESSIONS sessions, or None."""
    if len(member_days) < MIN_MEMBERS or len(session_days) < MIN_SESSIONS:
        return None
    return max(sorted(member_days)[MIN_MEMBERS - 1], sorted(session_days)[MIN_SESSIONS - 1])


def _groups(db: Database, w: Window) -> dict:
    days = []
    for group in db.query(f"SELECT id, started_on FROM work_groups WHERE site_id IN ({w.sites_sql})"
                          " AND started_on BETWEEN ? AND ?", [w.start.isoformat(), w.project["end_date"]]):
        members = [r[0] for r in db.conn.execute("SELECT joined_on FROM work_group_members WHERE group_id = ?",
                                                 [group["id"]])]
        sessions = [r[0] for r in db.conn.execute("SELECT day FROM work_group_sessions WHERE group_id = ?",
                                                  [group["id"]])]
        day = qualified_on(members, sessions)
        if day:
            days.append(max(day, group["started_on"]))
    return _split(days, w)


def _cultivated(db: Database, w: Window) -> dict:
    days = []
    for founded, registered in db.conn.execute(
            "SELECT founded_on, registered_on FROM organisations WHERE project = ?"
            f" AND (site_id IS NULL OR site_id IN ({w.sites_sql}))", [w.project["code"]]):
        within = sorted(d for d in (founded, registered) if w.in_project(d))
        if within:
            days.append(within[0])
    return _split(days, w)


def _events(db: Database, w: Window) -> dict:
    types = ",".join(f"'{t}'" for t in COUNTED_TYPES)
    days = [r[0] for r in db.conn.execute(
        f"SELECT day FROM events WHERE site_id IN ({w.sites_sql}) AND type IN ({types}) AND day BETWEEN ? AND ?",
        [w.start.isoformat(), w.project["end_date"]])]
    return _split(days, w)


def _needs_answered(db: Database, w: Window) -> dict:
    needs = list(db.query(
        "SELECT n.id, n.target FROM survey_needs n JOIN needs_surveys s ON s.id = n.survey_id WHERE s.project = ?"
        f" AND (s.site_id IS NULL OR s.site_id IN ({w.sites_sql})) AND s.day BETWEEN ? AND ?",
        [w.project["code"], w.start.isoformat(), w.cumulative_last.isoformat()]))
    if not needs:
        return {"target": None, "actual": 0, "in_period": 0}

    def answered(until: date) -> int:
        total = 0
        for need in needs:
            served = _count(db, f"SELECT COUNT(*) FROM volunteer_services v, survey_needs n WHERE n.id = ?"
                                f" AND {ANSWERS_NEED_SQL} AND v.site_id IN ({w.sites_sql}) AND v.day BETWEEN ? AND ?",
                            [need["id"], w.start.isoformat(), until.isoformat()])
            total += min(served, need["target"])
        return total

    actual = answered(w.cumulative_last)
    before = answered(w.first - timedelta(days=1)) if w.first > w.start else 0
    return {"target": sum(n["target"] for n in needs), "actual": actual, "in_period": max(0, actual - before)}


def _monthly_reports(db: Database, w: Window) -> dict:
    code, end = w.project["code"], date.fromisoformat(w.project["end_date"])
    so_far = projects.months_between(w.start, w.cumulative_last) if w.cumulative_last >= w.start else []
    window = [m for m in projects.months_between(w.first, w.last) if m in so_far]
    return {"target": len(projects.months_between(w.start, end)),
            "actual": submissions.months_submitted(db, code, so_far),
            "in_period": submissions.months_submitted(db, code, window)}


RULES: dict[str, Callable[[Database, Window], dict]] = {
    "needs_survey": _needs_survey,
    "ongoing_visits": _ongoing_visits,
    "cases": _cases,
    "groups": _groups,
    "cultivated": _cultivated,
    "events": _events,
    "needs_answered": _needs_answered,
    "monthly_reports": _monthly_reports,
}
