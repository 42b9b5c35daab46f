"""The two projects (老年项目 at 怡园社区, 儿童项目 at 沈闸村 and nearby villages): period, budget and sites.

A site belongs to a project through `sites.project`; the period (start and end dates) and budget are set per
project (`laoxiao project set`), defaulting to the plan's June 2023 - May 2024.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from sqlite_utils import Database

from data import audit
from data.clock import iso
from data.db import first
from data.record_rules import RecordError, day_of, whole_number

NAMES = {"elder": "老年项目", "child": "儿童项目"}


def get_project(db: Database, code: str) -> dict | None:
    return first(db, "SELECT * FROM projects WHERE code = ?", [code])


def list_projects(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM projects ORDER BY code = 'child', code"))


def set_project(db: Database, code: str, now: datetime, *, start: str | None = None, end: str | None = None,
                budget: int | str | None = None, name: str | None = None, actor: str = "cli") -> dict:
    """Change a project's period, budget or name; the end must come after the start."""
    project = get_project(db, code)
    if project is None:
        raise RecordError(f"没有项目「{code}」，只有 {'、'.join(NAMES)}")
    far = date(9999, 12, 31)
    values = {
        "start_date": day_of(start, far, "开始日期") if start else project["start_date"],
        "end_date": day_of(end, far, "结束日期") if end else project["end_date"],
        "budget": whole_number(budget, "预算", 0, 100_000_000) if budget not in (None, "") else project["budget"],
        "name": (name or "").strip() or project["name"],
    }
    if values["end_date"] <= values["start_date"]:
        raise RecordError("结束日期要晚于开始日期")
    db.conn.execute("UPDATE projects SET start_date = ?, end_date = ?, budget = ?, name = ?, updated_at = ?"
                    " WHERE code = ?", [*values.values(), iso(now), code])
    audit.record(db, now, actor, "project_set", f"project:{code}", values)
    return get_project(db, code)


def site_ids_of(db: Database, code: str) -> list[int]:
    return [row["id"] for row in db.query("SELECT id FROM sites WHERE project = ? ORDER BY id", [code])]


def projects_of_sites(db: Database, site_ids: list[int] | None) -> list[str]:
    """The projects the sites belong to (None: every project), elder first."""
    if site_ids is None:
        return [p["code"] for p in list_projects(db)]
    if not site_ids:
        return []
    marks = ",".join("?" * len(site_ids))
    found = {row["project"] for row in db.query(f"SELECT DISTINCT project FROM sites WHERE id IN ({marks})",
                                                site_ids)}
    return [code for code in NAMES if code in found]


# ---------------------------------------------------------------- months

def month_first_last(month: str) -> tuple[date, date]:
    """'2026-11' -> (2026-11-01, 2026-11-30); RecordError when it is not a month."""
    try:
        year, number = (int(x) for x in month.split("-"))
        last_day = calendar.monthrange(year, number)[1]
    except (ValueError, calendar.IllegalMonthError):
        raise RecordError(f"月份「{month}」不对，请写成 2026-11 这样") from None
    if len(month) != 7 or not 1 <= number <= 12:
        raise RecordError(f"月份「{month}」不对，请写成 2026-11 这样")
    return date(year, number, 1), date(year, number, last_day)


def shift_month(month: str, delta: int) -> str:
    """'2026-11' shifted by `delta` months: ('2026-11', -10) -> '2026-01'."""
    first_day = month_first_last(month)[0]
    index = first_day.year * 12 + first_day.month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first_day: date, last_day: date) -> list[str]:
    """Every month touched by [first_day, last_day], as 'YYYY-MM', in order."""
    months, year, month = [], first_day.year, first_day.month
    while (year, month) <= (last_day.year, last_day.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
