"""The overview (indicator progress, the month's figures, the coverage chart, requests by status, work lists) and
the "handled" actions of the work lists."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from werkzeug.wrappers import Response

from bot.admin import access, charts, common
from bot.admin.auth import actor
from bot.storage import get_db
from data import coverage, indicators, projects, worklists
from data import report as reports
from data import requests as reqs
from data.cases import list_cases
from data.record_rules import RecordError

TREND_MONTHS = 6


def scope_label() -> str:
    scope = access.site_ids()
    return reports.ALL_SITES if scope is None else "、".join(s["name"] for s in access.visible_sites()) or "（无站点）"


def month_report(month: str) -> dict:
    """The report for a month at the account's sites: the figures the overview shows are these."""
    first, last = projects.month_first_last(month)
    return reports.build(get_db(), first, last, current_app.config["LAOXIAO"].tz, site_ids=access.site_ids(),
                         site_label=scope_label(), month=month, today=common.today())


def _all_site_ids() -> list[int]:
    scope = access.site_ids()
    return scope if scope is not None else [s["id"] for s in get_db().query("SELECT id FROM sites")]


def coverage_trend(month: str) -> list[dict]:
    start = projects.month_first_last(projects.shift_month(month, 1 - TREND_MONTHS))[0]
    last = projects.month_first_last(month)[1]
    ongoing = indicators.ongoing_recipient_ids(get_db(), _all_site_ids())
    return [{**point, "ongoing": len(ongoing), "coverage": point["seen"] / len(ongoing) if ongoing else None}
            for point in indicators.monthly_seen(get_db(), ongoing, start, last)]


def overdue_recipients(today) -> list:
    """Active, confirmed recipients not seen in person within the current period of their level."""
    db = get_db()
    marks = ",".join(str(i) for i in _all_site_ids()) or "NULL"
    listed = list(db.query(f"SELECT * FROM recipients WHERE active = 1 AND pending = 0 AND site_id IN ({marks})"))
    return [s for s in coverage.standings(db, listed, today) if s.due]


def requests_by_status() -> dict[str, int]:
    """Every request at the account's sites by its current status (requests with no site: whole-county accounts)."""
    marks = ",".join(str(i) for i in _all_site_ids()) or "NULL"
    where = "" if access.site_ids() is None else f" WHERE site_id IN ({marks})"
    counts = dict(get_db().conn.execute(f"SELECT status, COUNT(*) FROM requests{where} GROUP BY status").fetchall())
    return {reqs.STATUSES[s]: counts.get(s, 0) for s in reqs.STATUSES}


def overview() -> str:
    month = common.month_arg()
    db, today = get_db(), common.today()
    report = month_report(month)
    scope, unknown = access.site_ids(), access.sees_unknown_sites()
    trend = coverage_trend(month)
    return render_template(
        "admin/overview.html", title="首页", month=month, report=report, scope=scope_label(),
        chart=charts.coverage_bars(trend, "每月持续关爱对象上门覆盖率"), progress_bar=charts.progress_bar,
        status_counts=requests_by_status(), overdue_recipients=len(overdue_recipients(today)),
        overdue_cases=len(list_cases(db, scope, today, overdue_only=True)),
        protection=worklists.protection_reports(db, scope, unknown), tickets=worklists.open_tickets(db, scope, unknown),
        late_requests=worklists.overdue_requests(db, scope, common.now(), unknown),
        project_names=projects.NAMES)


def _work_item(table: str, item_id: int) -> None:
    """Stop unless the account may handle this work-list item: 403 for readers, 404 for another site's."""
    access.require(access.can_handle())
    found = get_db().conn.execute(f"SELECT site_id FROM {table} WHERE id = ?", [item_id]).fetchone()
    if found is None:
        abort(404)
    if not (access.sees_unknown_sites() if found[0] is None else access.sees_site(found[0])):
        abort(404)


def _not_saved(exc: RecordError) -> tuple[str, int]:
    return render_template("admin/message.html", title="没有保存", message=str(exc)), 400


def handle_protection(report_id: int) -> Response | tuple[str, int]:
    _work_item("protection_reports", report_id)
    try:
        changed = worklists.handle_protection_report(get_db(), report_id, request.form.get("note", ""), by=actor(),
                                                     now=common.now())
    except RecordError as exc:
        return _not_saved(exc)
    return common.done("admin.overview", "handled" if changed else "already")


def close_ticket(ticket_id: int) -> Response:
    _work_item("handoffs", ticket_id)
    changed = worklists.close_ticket(get_db(), ticket_id, by=actor(), now=common.now())
    return common.done("admin.overview", "closed" if changed else "already")


def follow_up_request(request_id: int) -> Response | tuple[str, int]:
    _work_item("requests", request_id)
    try:
        worklists.follow_up_request(get_db(), request_id, request.form.get("note", ""), by=actor(), now=common.now())
    except RecordError as exc:
        return _not_saved(exc)
    return common.done("admin.overview", "followed")
