"""Who is due for a reminder on a given day, computed in one pass of set-based SQL.

The calendar (which reminders fall on which day) is here too, so the scheduler's trigger, the job and
`laoxiao remind --dry-run` all agree on it:

    the 1st                 last month's summary (and, for workers, the monthly plan due by the 5th)
    reminder days (15, 25)  recipients not seen in person within their level's period (重点 this week,
                            一般 this month, 稳定 this quarter; data.coverage); allowance children not verified
                            this period (month / quarter / half / year)
    the month's second-to-last working day   the monthly summary report, with the figures so far
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlite_utils import Database

from data.coverage import period_of
from data.visits import COUNTS_SQL

PERIODS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
LAST_MONTH, VISITS, VERIFY, REPORT = "last_month", "visits", "verify", "report"
STAFF = ("worker", "director")


# The calendar ---------------------------------------------------------------------------------------------

def month_range(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month(day: date) -> tuple[date, date]:
    return month_range(day.replace(day=1) - timedelta(days=1))


def period_range(day: date, period: str = "quarter") -> tuple[date, date]:
    """The verification period containing `day`: calendar months, quarters, halves or years."""
    months = PERIODS[period]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    last = date(day.year, first_month + months - 1, 1)
    return start, month_range(last)[1]


def report_day(year: int, month: int) -> date:
    """The second-to-last working day (Mon-Fri): the summary is due on the last ones."""
    day = date(year, month, calendar.monthrange(year, month)[1])
    found = 0
    while True:
        if day.weekday() < 5:
            found += 1
            if found == 2:
                return day
        day -= timedelta(days=1)


def sections_due(day: date, reminder_days: Iterable[int] = (15, 25)) -> tuple[str, ...]:
    """What is sent on `day`. On the 1st the summary replaces the visit reminder."""
    sections: list[str] = []
    if day.day == 1:
        sections.append(LAST_MONTH)
    elif day.day in set(reminder_days):
        sections += [VISITS, VERIFY]
    if day == report_day(day.year, day.month):
        sections.append(REPORT)
    return tuple(sections)


def next_due_day(day: date, reminder_days: Iterable[int] = (15, 25)) -> date:
    """The next day after `day` with something due (at most a month ahead: the 1st always is)."""
    days = tuple(reminder_days)
    candidate = day + timedelta(days=1)
    while not sections_due(candidate, days):
        candidate += timedelta(days=1)
    return candidate


# Who is due -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overdue:
    """A recipient still to be visited (or verified); `last` is None when never."""

    recipient_id: int
    name: str
    last: date | None
    days: int | None


@dataclass
class StaffStatus:
    person_id: int
    openid: str
    name: str | None
    role: str
    ongoing: int = 0
    visited: int = 0
    not_visited: list[Overdue] = field(default_factory=list)
    allowance: int = 0
    unverified: list[Overdue] = field(default_factory=list)
    visits_in_month: int = 0
    verifications_in_month: int = 0
    in_person_in_month: int = 0
    site_id: int | None = None


# One scan of the recipients in id order, each joined to its visits through the (recipient_id, visit_date)
# index and aggregated on the spot: nothing is materialised or sorted, whatever the number of people.
# `last_seen` is the latest visit that counts (COUNTS_SQL: in person, met); the level's period is applied in
# Python, since it differs per recipient.
_STATUS_SQL = f"""
SELECT p.id AS person_id, p.openid, p.name AS person_name, p.role,
       r.id AS recipient_id, r.name, r.level, (r.allowance = 1 AND r.kind = 'child') AS allowance,
       MAX(CASE WHEN {COUNTS_SQL} THEN v.visit_date END) AS last_seen,
       MAX(CASE WHEN v.verification IS NOT NULL THEN v.visit_date END) AS last_verified,
       COALESCE(MAX(v.verification IS NOT NULL AND v.visit_date BETWEEN :period_start AND :period_end), 0)
           AS in_period
FROM recipients r
JOIN people p ON p.id = r.responsible_id
LEFT JOIN visits v ON v.recipient_id = r.id AND v.deleted_at IS NULL AND v.visit_date <= :as_of
WHERE r.active = 1 AND r.pending = 0 AND p.reachable = 1 AND p.role IN ('worker', 'director')
GROUP BY r.id
"""

# The month's visits by visitor and by site: a worker's figures are the site's, directors' visits included.
_FIGURES_SQL = f"""
SELECT v.visitor_id, r.site_id, COUNT(*) AS visits, SUM(v.verification IS NOT NULL) AS verifications,
       SUM({COUNTS_SQL}) AS in_person
FROM visits v JOIN recipients r ON r.id = v.recipient_id
WHERE v.deleted_at IS NULL AND v.visit_date BETWEEN :month_start AND :as_of
GROUP BY v.visitor_id, r.site_id
"""


def staff_status(db: Database, day: date, sections: Iterable[str], period: str = "quarter") -> list[StaffStatus]:
    """Every worker's and director's standing on `day`, for the sections due: a constant number of queries
    (one over recipients and visits, plus one for the figures when a report is due), never one per person."""
    sections = set(sections)
    if not sections:
        return []
    summary = LAST_MONTH in sections
    month_start, month_end = previous_month(day) if summary else (day.replace(day=1), day)
    period_start, period_end = period_range(day, period)
    params = {"as_of": month_end.isoformat(), "month_start": month_start.isoformat(),
              "period_start": period_start.isoformat(), "period_end": min(period_end, day).isoformat()}
    staff: dict[int, StaffStatus] = {}
    periods: dict[str, str] = {}
    for row in db.conn.execute(_STATUS_SQL, params):
        (person_id, openid, person_name, role, recipient_id, name, level, allowance,
         last_seen, last_verified, in_period) = row
        status = staff.get(person_id)
        if status is None:
            status = staff[person_id] = StaffStatus(person_id, openid, person_name, role)
        if level not in periods:
            periods[level] = period_of(level, month_end)[0].isoformat()
        status.ongoing += 1
        if last_seen and last_seen >= periods[level]:
            status.visited += 1
        else:
            status.not_visited.append(_overdue(recipient_id, name, last_seen, day))
        if allowance:
            status.allowance += 1
            if not in_period:
                status.unverified.append(_overdue(recipient_id, name, last_verified, day))
    if REPORT in sections or summary:
        _add_workers_and_figures(db, staff, params)
    for status in staff.values():
        status.not_visited.sort(key=_most_overdue_first)
        status.unverified.sort(key=_most_overdue_first)
    return sorted(staff.values(), key=lambda s: s.person_id)


def _add_workers_and_figures(db: Database, staff: dict[int, StaffStatus], params: dict) -> None:
    """Workers write the reports even with no recipients of their own, with their site's figures (the child
    directors' visits included); a director's figures are their own visits."""
    for person_id, openid, name, role, site_id in db.conn.execute(
        "SELECT id, openid, name, role, site_id FROM people WHERE role IN ('worker', 'director') AND reachable = 1"
    ).fetchall():
        if role == "worker":
            staff.setdefault(person_id, StaffStatus(person_id, openid, name, role))
        if person_id in staff:
            staff[person_id].site_id = site_id
    by_site: dict[int, list[int]] = {}
    for visitor_id, site_id, visits, verifications, in_person in db.conn.execute(_FIGURES_SQL, params).fetchall():
        figures = (visits, verifications or 0, in_person or 0)
        if visitor_id in staff and staff[visitor_id].role != "worker":
            _add(staff[visitor_id], figures)
        totals = by_site.setdefault(site_id, [0, 0, 0])
        for index, value in enumerate(figures):
            totals[index] += value
    for status in staff.values():
        if status.role == "worker" and status.site_id in by_site:
            _add(status, by_site[status.site_id])


def _add(status: StaffStatus, figures: tuple[int, int, int] | list[int]) -> None:
    status.visits_in_month += figures[0]
    status.verifications_in_month += figures[1]
    status.in_person_in_month += figures[2]


def _overdue(recipient_id: int, name: str, last: str | None, day: date) -> Overdue:
    last_date = date.fromisoformat(last) if last else None
    return Overdue(recipient_id, name, last_date, (day - last_date).days if last_date else None)


def _most_overdue_first(item: Overdue) -> tuple:
    return (item.last is not None, item.last or date.min, item.name)
