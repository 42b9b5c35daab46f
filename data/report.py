"""The monthly work summary (月度工作总结), and the same figures over any window (mid-term, final evaluation).

`build()` returns plain data with stable English keys; data.report_render writes it as Markdown, JSON or Excel,
and the dashboard shows the same dict, so every screen and file agrees. Sections:

    indicators   progress of each project's indicators (data.indicators)
    visits       visits in the window; in-person coverage of ongoing-care recipients (data.visits.COUNTS_SQL)
    requests     requests made in the window: by category, time to accept and to finish, feedback
    cases        cases open at the window's end by stage, opened, closed, overdue (no note for 30 days)
    groups       each group: members, sessions in total and in the window, whether it counts
    events       each event: type, participants, partners among the five, volunteer hours, donations
    volunteers   volunteer service hours per volunteer
    protection   mandatory reports raised, handled, still open (counts only)
    highlights   a few lines from the window's evaluations, closings, events and sessions
    next_month   the skeleton of next month's plan
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from data import indicators, projects
from data import requests as reqs
from data.cases import OVERDUE_AFTER, STAGES
from data.report_sections import events_section, groups_section, highlights, next_month, volunteers_section
from data.visits import COUNTS_SQL, IN_PERSON_MODES

ALL_SITES = "全部站点"
MAX_MONTHS = 36  # a project runs a year; three leave room for a renewal, and bound the work one request asks for


def window(db: Database, *, month: str | None = None, first: str | None = None, last: str | None = None,
           site: str | None = None) -> dict:
    """What a report covers, from what a person typed: a month (2026-11) or two dates, and a site name.
    Returns the keyword arguments of `build` except the time zone; RecordError with a Chinese message."""
    from data import sites
    from data.record_rules import RecordError, day_of

    if month and (first or last):
        raise RecordError("请只写月份，或只写起止日期")
    if month:
        first_day, last_day = projects.month_first_last(month)
    elif first and last:
        far = date(9999, 12, 31)
        first_day = date.fromisoformat(day_of(first, far, "开始日期"))
        last_day = date.fromisoformat(day_of(last, far, "结束日期"))
        if last_day < first_day:
            raise RecordError("结束日期不能早于开始日期")
        if len(projects.months_between(first_day, last_day)) > MAX_MONTHS:
            raise RecordError(f"统计时段最长{MAX_MONTHS}个月")
    else:
        raise RecordError("请写月份（如 2026-11），或同时写开始和结束日期")
    found = sites.find_site(db, site) if site else None
    if site and found is None:
        known = "、".join(s["name"] for s in sites.list_sites(db))
        raise RecordError(f"没有站点「{site}」。已有：{known}")
    return {"first": first_day, "last": last_day, "site_ids": [found["id"]] if found else None,
            "site_label": found["name"] if found else ALL_SITES, "month": month}


def build(db: Database, first: date, last: date, tz: ZoneInfo, site_ids: list[int] | None = None,
          site_label: str = ALL_SITES, month: str | None = None, today: date | None = None) -> dict:
    """Every section over [first, last] (local dates) at the sites (None: every site). A window that has not
    ended yet is judged as of `today` where that matters (which cases are overdue)."""
    scope = site_ids if site_ids is not None else [s["id"] for s in db.query("SELECT id FROM sites")]
    codes = projects.projects_of_sites(db, site_ids)
    report = {
        "month": month, "from": first.isoformat(), "to": last.isoformat(), "site": site_label,
        "projects": [{**projects.get_project(db, c), "label": projects.NAMES[c]} for c in codes],
        "indicators": [row for code in codes for row in indicators.progress(db, code, site_ids, first, last)],
        "visits": visits_section(db, scope, first, last),
        "requests": requests_section(db, site_ids, first, last, tz),
        "cases": cases_section(db, scope, first, min(last, today or last)),
        "groups": groups_section(db, scope, first, last),
        "events": events_section(db, scope, first, last),
        "volunteers": volunteers_section(db, scope, first, last),
        "protection": protection_section(db, site_ids, first, last, tz),
    }
    report["highlights"] = highlights(db, scope, first, last)
    report["next_month"] = next_month(db, report, scope, last)
    return report


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _utc_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[str, str]:
    """Stored timestamps are UTC: the window's local days as a half-open UTC interval."""
    start = datetime.combine(first, time(0), tz).astimezone(ZoneInfo("UTC"))
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(ZoneInfo("UTC"))
    return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")


def _marks(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def _site_clause(column: str, site_ids: list[int] | None) -> str:
    """Requests and reports may have no site: they belong to the whole-service report only."""
    return "1" if site_ids is None else f"{column} IN ({_marks(site_ids)})"


# ---------------------------------------------------------------- visits

# Per site, in one pass over the window's visits (a recipient belongs to one site, so sites add up):
# all visits, counting ones (in person and met), phone/video, in person but not met, recipients seen in person,
# ongoing-care recipients seen in person.
_VISITS_BY_SITE = f"""
SELECT r.site_id, COUNT(*), SUM({COUNTS_SQL}), SUM(v.mode NOT IN ({{modes}})),
       SUM(v.mode IN ({{modes}}) AND v.outcome != 'met'),
       COUNT(DISTINCT CASE WHEN {COUNTS_SQL} THEN v.recipient_id END),
       COUNT(DISTINCT CASE WHEN {COUNTS_SQL} AND {indicators.ONGOING_SQL} THEN v.recipient_id END)
FROM visits v JOIN recipients r ON r.id = v.recipient_id
WHERE v.deleted_at IS NULL AND v.visit_date BETWEEN ? AND ? AND r.site_id IN ({{sites}})
GROUP BY r.site_id
"""
_FIGURES = ("visits", "in_person", "remote", "not_met", "recipients_visited", "ongoing_seen")


def visits_section(db: Database, site_ids: list[int], first: date, last: date) -> dict:
    modes = ",".join(f"'{m}'" for m in IN_PERSON_MODES)
    found = {row[0]: dict(zip(_FIGURES, (n or 0 for n in row[1:]), strict=True)) for row in db.conn.execute(
        _VISITS_BY_SITE.format(modes=modes, sites=_marks(site_ids)), [first.isoformat(), last.isoformat()])}
    ongoing_at = dict(db.conn.execute(
        f"SELECT r.site_id, COUNT(*) FROM recipients r WHERE {indicators.ONGOING_SQL}"
        f" AND r.site_id IN ({_marks(site_ids)}) GROUP BY r.site_id").fetchall())
    by_site = []
    for site in db.query(f"SELECT id, name FROM sites WHERE id IN ({_marks(site_ids)}) ORDER BY id"):
        figures = found.get(site["id"], dict.fromkeys(_FIGURES, 0))
        ongoing = ongoing_at.get(site["id"], 0)
        by_site.append({"site": site["name"], "visits": figures["visits"], "in_person": figures["in_person"],
                        "ongoing_recipients": ongoing, "ongoing_seen": figures["ongoing_seen"],
                        "coverage": _ratio(figures["ongoing_seen"], ongoing)})
    total = {key: sum(figures[key] for figures in found.values()) for key in _FIGURES}
    ongoing = sum(ongoing_at.values())
    months = projects.months_between(first, last)
    if len(months) == 1:  # the window's own figure: no second pass over the visits
        seen_by_month = [{"month": months[0], "seen": total["ongoing_seen"]}]
    else:
        seen_by_month = indicators.monthly_seen(db, indicators.ongoing_recipient_ids(db, site_ids), first, last)
    monthly = [{**m, "ongoing": ongoing, "coverage": _ratio(m["seen"], ongoing)} for m in seen_by_month]
    return {"total": total["visits"], "in_person": total["in_person"], "remote": total["remote"],
            "not_met": total["not_met"], "recipients_visited": total["recipients_visited"],
            "ongoing_recipients": ongoing, "ongoing_seen": total["ongoing_seen"],
            "coverage": _ratio(total["ongoing_seen"], ongoing), "monthly": monthly, "by_site": by_site}


# ---------------------------------------------------------------- requests

def _hours(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (datetime.fromisoformat(end.replace("Z", "+00:00"))
            - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds() / 3600


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _request_figures(rows: list[dict]) -> dict:
    accept = [h for h in (_hours(r["created_at"], r["accepted_at"]) for r in rows) if h is not None]
    finish = [h for h in (_hours(r["created_at"], r["done_at"]) for r in rows) if h is not None]
    return {"total": len(rows), "done": sum(1 for r in rows if r["done_at"]),
            "open": sum(1 for r in rows if r["status"] in reqs.OPEN),
            "median_hours_to_accept": _median(accept), "median_hours_to_finish": _median(finish)}


def requests_section(db: Database, site_ids: list[int] | None, first: date, last: date, tz: ZoneInfo) -> dict:
    start, end = _utc_bounds(first, last, tz)
    rows = list(db.query(
        "SELECT r.id, r.category, r.status, r.created_at, r.accepted_at, r.done_at, f.rating FROM requests r"
        " LEFT JOIN request_feedback f ON f.request_id = r.id"
        f" WHERE r.created_at >= ? AND r.created_at < ? AND {_site_clause('r.site_id', site_ids)}", [start, end]))
    by_category = []
    for category in sorted({r["category"] for r in rows}, key=lambda c: (-sum(r["category"] == c for r in rows), c)):
        by_category.append({"category": category, **_request_figures([r for r in rows if r["category"] == category])})
    return {**_request_figures(rows), "by_category": by_category,
            "by_status": {s: sum(1 for r in rows if r["status"] == s) for s in reqs.STATUSES},
            "feedback": {"satisfied": sum(1 for r in rows if r["rating"] == "满意"),
                         "unsatisfied": sum(1 for r in rows if r["rating"] == "不满意")}}


# ---------------------------------------------------------------- cases

def cases_section(db: Database, site_ids: list[int], first: date, last: date) -> dict:
    """Stages as they stood at the end of the window, or today when it has not ended (later notes are not
    seen)."""
    state: dict[int, dict] = {}
    for row in db.query(
            "SELECT c.id, c.opened_on, c.closed_on, n.stage, n.day FROM cases c JOIN case_notes n ON n.case_id = c.id"
            f" WHERE c.site_id IN ({_marks(site_ids)}) AND n.day <= ? ORDER BY n.day, n.id", [last.isoformat()]):
        state[row["id"]] = {"opened_on": row["opened_on"], "closed_on": row["closed_on"], "stage": row["stage"],
                            "last_note": row["day"]}
    within = (first.isoformat(), last.isoformat())
    open_cases = [c for c in state.values() if c["stage"] != "结案"]
    overdue_before = (last - OVERDUE_AFTER).isoformat()
    notes = db.conn.execute(
        f"SELECT COUNT(*) FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.site_id IN ({_marks(site_ids)})"
        " AND n.day BETWEEN ? AND ?", list(within)).fetchone()[0]
    return {"open": len(open_cases),
            "opened": sum(1 for c in state.values() if within[0] <= c["opened_on"] <= within[1]),
            "closed": sum(1 for c in state.values() if c["closed_on"] and within[0] <= c["closed_on"] <= within[1]),
            "overdue": sum(1 for c in open_cases if c["last_note"] <= overdue_before),
            "notes": notes,
            "by_stage": {stage: sum(1 for c in state.values() if c["stage"] == stage) for stage in STAGES}}


# ---------------------------------------------------------------- mandatory reports

def protection_section(db: Database, site_ids: list[int] | None, first: date, last: date, tz: ZoneInfo) -> dict:
    """Counts only: a report's words never leave the work list."""
    start, end = _utc_bounds(first, last, tz)
    where = _site_clause("site_id", site_ids)
    row = db.conn.execute(
        "SELECT SUM(created_at >= :start AND created_at < :end),"
        " SUM(handled_at >= :start AND handled_at < :end),"
        " SUM(created_at < :end AND (handled_at IS NULL OR handled_at >= :end))"
        f" FROM protection_reports WHERE {where}", {"start": start, "end": end}).fetchone()
    return {"raised": row[0] or 0, "handled": row[1] or 0, "open": row[2] or 0}
