"""The web dashboard at /admin: a Flask blueprint built explicitly by `blueprint()`, its routes listed in one table.

Pages are server-rendered Chinese HTML (Jinja, bot/templates/admin), work on a phone, and load nothing from the
internet: styles are inline and charts are SVG drawn on the server. Who sees what is decided in bot.admin.access,
how people's details appear in bot.admin.shown, logging in and CSRF in bot.admin.auth.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from bot.admin import (
    access,
    auth,
    common,
    pages_casework,
    pages_community,
    pages_overview,
    pages_people,
    pages_reports,
    pages_service,
    shown,
)
from data.web_users import ROLES

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")

ROUTES = (
    ("/login", "login", auth.login, BOTH),
    ("/logout", "logout", auth.logout, POST),
    ("/", "overview", pages_overview.overview, GET),
    ("/protection/<int:report_id>/handle", "handle_protection", pages_overview.handle_protection, POST),
    ("/tickets/<int:ticket_id>/close", "close_ticket", pages_overview.close_ticket, POST),
    ("/requests/<int:request_id>/follow-up", "follow_up_request", pages_overview.follow_up_request, POST),
    ("/recipients", "recipients", pages_people.recipients, GET),
    ("/recipients/<int:recipient_id>", "timeline", pages_people.timeline, GET),
    ("/requests", "requests", pages_service.requests_board, GET),
    ("/cases", "cases", pages_casework.cases_page, BOTH),
    ("/cases/<int:case_id>", "case", pages_casework.case_page, GET),
    ("/cases/<int:case_id>/notes", "case_note", pages_casework.case_note, POST),
    ("/groups", "groups", pages_casework.groups_page, BOTH),
    ("/groups/<int:group_id>", "group", pages_casework.group_page, GET),
    ("/groups/<int:group_id>/members", "group_member", pages_casework.group_member, POST),
    ("/groups/<int:group_id>/sessions", "group_session", pages_casework.group_session, POST),
    ("/events", "events", pages_community.events_page, BOTH),
    ("/events/<int:event_id>", "event", pages_community.event_page, GET),
    ("/events/<int:event_id>/donations", "event_donation", pages_community.event_donation, POST),
    ("/events/<int:event_id>/hours", "event_hours", pages_community.event_hours, POST),
    ("/volunteers", "volunteers", pages_community.volunteers_page, BOTH),
    ("/teams", "teams", pages_community.teams_page, GET),
    ("/organisations", "organisation_form", pages_community.organisation_form, POST),
    ("/surveys", "survey_form", pages_community.survey_form, POST),
    ("/outbox", "outbox", pages_service.outbox, GET),
    ("/outbox/<int:row_id>/retry", "outbox_retry", pages_service.outbox_retry, POST),
    ("/reports", "reports", pages_reports.reports_page, GET),
    ("/reports/download", "report_download", pages_reports.download, GET),
    ("/reports/submit", "report_submit", pages_reports.submit, POST),
)

NAV = (("admin.overview", "首页"), ("admin.recipients", "服务对象"), ("admin.requests", "求助"),
       ("admin.cases", "个案"), ("admin.groups", "小组"), ("admin.events", "社区活动"),
       ("admin.volunteers", "志愿服务"), ("admin.teams", "队伍与调研"), ("admin.reports", "月报"))
ADMIN_NAV = (("admin.outbox", "发件箱"),)
# The pages hold people's details and use no script: never cached, never framed, nothing loaded from elsewhere.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
                               " form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
ERRORS = {400: ("请求有误", "地址或表单内容不对，请返回重试。"), 403: ("没有权限", "您的账号不能做这件事。"),
          404: ("找不到", "没有这个页面，或您没有权限查看。")}


def blueprint() -> Blueprint:
    bp = Blueprint("admin", __name__, url_prefix="/admin")
    bp.before_request(auth.load_session)
    bp.after_request(_headers)
    for rule, endpoint, view, methods in ROUTES:
        bp.add_url_rule(rule, endpoint, view, methods=list(methods))
    bp.context_processor(_context)
    bp.add_app_template_filter(lambda first, second: zip(first, second, strict=False), "zip")
    bp.add_app_template_filter(lambda r: f"{r['name']}（{r['site_name']}）", "recipient_label")
    bp.add_app_template_filter(lambda v: "—" if v is None else f"{v:g}" if isinstance(v, float) else v, "num")
    for code in ERRORS:
        bp.register_error_handler(code, _error)
    return bp


def _headers(response):
    response.headers.update(HEADERS)
    return response


def _context() -> dict:
    user = g.get("user")
    if not user:
        return {"user": None, "role_names": ROLES, "notice": "", "shown": shown}
    nav = NAV + (ADMIN_NAV if user["role"] == "admin" else ())
    return {"user": user, "csrf_token": g.csrf, "nav": nav, "role_names": ROLES, "notice": common.notice(),
            "shown": shown, "can_write": access.can_write(), "can_handle": access.can_handle()}


def _error(exc) -> tuple[str, int]:
    title, message = ERRORS.get(exc.code, ("出错了", "请稍后重试。"))
    return render_template("admin/message.html", title=title, message=message), exc.code
