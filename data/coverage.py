"""Who has been seen in person within the period their visit level asks for.

The rule (README, 走访覆盖): a visit counts toward 每月至少上门一次 only when it was made in person (上门 or 到校) and
the recipient was met (`data.visits.COUNTS_SQL`). Phone and video contacts, and visits that found nobody, are
kept and shown but close no period. The period is set by the recipient's level: 重点 every ISO week (Monday to
Sunday), 一般 every calendar month, 稳定 every calendar quarter.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from data.recipients import DEFAULT_LEVEL, LEVELS
from data.visits import COUNTS_SQL, IN_PERSON_MODES

LEVEL_WORDS = {"重点": "每周", "一般": "每月", "稳定": "每季度"}


def period_of(level: str | None, day: date) -> tuple[date, date]:
    """The period containing `day` within which a recipient of `level` must be seen once."""
    unit = LEVELS.get(level or DEFAULT_LEVEL, "month")
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if unit == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
        return date(day.year, first_month, 1), date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Standing:
    """One recipient on one day: seen in person this period or not, and the latest contacts."""

    recipient: dict
    period: tuple[date, date]
    seen: bool               # a counting visit (in person, met) in the current period
    last_seen: str | None    # the latest counting visit, ever
    last_contact: str | None  # the latest visit of any kind (phone, not at home ...)
    contact_mode: str | None  # how that latest contact was made
    contact_outcome: str | None

    @property
    def due(self) -> bool:
        return not self.seen


def standings(db: Database, recipients: Iterable[dict], day: date) -> list[Standing]:
    """The standing of each recipient on `day`, in the order given; one query."""
    listed = list(recipients)
    if not listed:
        return []
    ids = [r["id"] for r in listed]
    marks = ",".join("?" * len(ids))
    seen_dates: dict[int, list[str]] = {}
    for row in db.conn.execute(
            f"SELECT v.recipient_id, v.visit_date FROM visits v WHERE {COUNTS_SQL} AND v.visit_date <= ?"
            f" AND v.recipient_id IN ({marks})", [day.isoformat(), *ids]):
        seen_dates.setdefault(row[0], []).append(row[1])
    latest: dict[int, tuple[str, str, str]] = {}
    for rid, visit_date, mode, outcome in db.conn.execute(
            f"SELECT v.recipient_id, v.visit_date, v.mode, v.outcome FROM visits v WHERE v.deleted_at IS NULL"
            f" AND v.visit_date <= ? AND v.recipient_id IN ({marks}) ORDER BY v.visit_date, v.id",
            [day.isoformat(), *ids]):
        latest[rid] = (visit_date, mode, outcome)
    result = []
    for recipient in listed:
        start, end = period_of(recipient.get("level"), day)
        dates = seen_dates.get(recipient["id"], [])
        seen = any(start.isoformat() <= d <= end.isoformat() for d in dates)
        contact = latest.get(recipient["id"])
        result.append(Standing(recipient, (start, end), seen, max(dates) if dates else None,
                               contact[0] if contact else None, contact[1] if contact else None,
                               contact[2] if contact else None))
    return result


def counts(db: Database, recipient_ids: list[int], first: date, last: date) -> dict[str, int]:
    """Visits between two dates to these recipients: all, counting (in person, met), phone/video, not met."""
    if not recipient_ids:
        return {"all": 0, "counting": 0, "remote": 0, "not_met": 0, "recipients_seen": 0}
    marks = ",".join("?" * len(recipient_ids))
    modes = ",".join(f"'{m}'" for m in IN_PERSON_MODES)
    row = db.conn.execute(
        f"SELECT COUNT(*), SUM({COUNTS_SQL}), SUM(v.mode NOT IN ({modes})),"
        f" SUM(v.mode IN ({modes}) AND v.outcome != 'met'),"
        f" COUNT(DISTINCT CASE WHEN {COUNTS_SQL} THEN v.recipient_id END)"
        f" FROM visits v WHERE v.deleted_at IS NULL AND v.visit_date BETWEEN ? AND ? AND v.recipient_id IN ({marks})",
        [first.isoformat(), last.isoformat(), *recipient_ids]).fetchone()
    return {"all": row[0] or 0, "counting": row[1] or 0, "remote": row[2] or 0, "not_met": row[3] or 0,
            "recipients_seen": row[4] or 0}
