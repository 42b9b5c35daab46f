"""Cases (个案) and groups (小组): lists, one case or group, and the forms that record them through data.cases and
data.groups, the same functions the chat flows call."""

from __future__ import annotations

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from bot.admin import access, common
from bot.admin.auth import actor
from bot.storage import get_db
from data import cases, groups
from data.record_rules import RecordError


def _visible_recipients() -> list[dict]:
    scope = access.site_ids()
    where = "" if scope is None else f" AND r.site_id IN ({','.join(str(i) for i in scope) or 'NULL'})"
    return list(get_db().query(
        "SELECT r.id, r.name, s.name AS site_name FROM recipients r JOIN sites s ON s.id = r.site_id"
        f" WHERE r.active = 1{where} ORDER BY s.id, r.name"))


# ---------------------------------------------------------------- cases

def _cases_page(error: str = "", status_code: int = 200) -> tuple[str, int]:
    status = request.args.get("status", "open")
    rows = cases.list_cases(get_db(), access.site_ids(), common.today(),
                            status="all" if status == "overdue" else status, overdue_only=status == "overdue")
    return render_template("admin/cases.html", title="个案", rows=rows, status=status, stages=cases.STAGES,
                           sources=cases.SOURCES, recipients=_visible_recipients(), error=error,
                           form=request.form if error else None, chosen=request.values.get("recipient_id", ""),
                           today=common.today().isoformat()), status_code


def cases_page() -> tuple[str, int] | Response:
    if request.method == "GET":
        return _cases_page()
    access.require(access.can_write())
    recipient_id = common.int_arg("recipient_id")
    if recipient_id is None:
        return _cases_page("请选择服务对象", 400)
    access.recipient_or_404(recipient_id)
    try:
        case_id = cases.open_case(get_db(), recipient_id, request.form.get("note", ""), day=request.form.get("day"),
                                  by=actor(), now=common.now(), today=common.today(),
                                  source=request.form.get("source") or None,
                                  next_follow_up=request.form.get("next_follow_up") or None)
    except RecordError as exc:
        return _cases_page(str(exc), 400)
    return common.done("admin.case", "saved", case_id=case_id)


def _case_or_404(case_id: int) -> dict:
    found = cases.get_case(get_db(), case_id)
    if found is None or not access.sees_site(found["site_id"]):
        abort(404)
    return found


def case_page(case_id: int, error: str = "", status_code: int = 200) -> tuple[str, int]:
    case = _case_or_404(case_id)
    current = cases.STAGES.index(case["stage"])
    allowed = [] if case["closed_on"] else [s for s in cases.STAGES[current:current + 2]]
    if not case["closed_on"] and "结案" not in allowed:
        allowed.append("结案")
    return render_template("admin/case.html", title=f"个案 · {case['recipient_name']}", case=case,
                           notes=cases.notes(get_db(), case_id), allowed=allowed, hints=cases.STAGE_HINTS,
                           reasons=cases.CLOSE_REASONS, overdue=cases.is_overdue(case, common.today()), error=error,
                           form=request.form if error else None, today=common.today().isoformat()), status_code


def case_note(case_id: int) -> tuple[str, int] | Response:
    access.require(access.can_write())
    _case_or_404(case_id)
    try:
        cases.add_stage(get_db(), case_id, request.form.get("stage", ""), request.form.get("note", ""),
                        day=request.form.get("day"), by=actor(), now=common.now(), today=common.today(),
                        next_follow_up=request.form.get("next_follow_up") or None,
                        closed_reason=request.form.get("closed_reason") or None)
    except RecordError as exc:
        return case_page(case_id, str(exc), 400)
    return common.done("admin.case", "saved", case_id=case_id)


# ---------------------------------------------------------------- groups

def _groups_page(error: str = "", status_code: int = 200) -> tuple[str, int]:
    return render_template("admin/groups.html", title="小组", rows=groups.list_groups(get_db(), access.site_ids()),
                           types=groups.TYPES, sites=access.visible_sites(), error=error,
                           form=request.form if error else None, today=common.today().isoformat(),
                           min_members=groups.MIN_MEMBERS, min_sessions=groups.MIN_SESSIONS), status_code


def groups_page() -> tuple[str, int] | Response:
    if request.method == "GET":
        return _groups_page()
    access.require(access.can_write())
    site_id = access.site_or_404(common.int_arg("site_id"))
    typed = request.form.get("members", "").replace("，", "、").replace(",", "、")
    members = [m for m in typed.split("、") if m.strip()]
    try:
        group_id = groups.create_group(get_db(), site_id, request.form.get("name", ""), request.form.get("type", ""),
                                       started_on=request.form.get("started_on"), by=actor(), now=common.now(),
                                       today=common.today(), goal=request.form.get("goal", ""),
                                       planned_sessions=request.form.get("planned_sessions") or 4, members=members)
    except RecordError as exc:
        return _groups_page(str(exc), 400)
    return common.done("admin.group", "saved", group_id=group_id)


def _group_or_404(group_id: int) -> dict:
    found = groups.get_group(get_db(), group_id)
    if found is None or not access.sees_site(found["site_id"]):
        abort(404)
    return found


def group_page(group_id: int, error: str = "", status_code: int = 200) -> tuple[str, int]:
    group = _group_or_404(group_id)
    db = get_db()
    return render_template("admin/group.html", title=f"小组 · {group['name']}", group=group,
                           members=groups.members(db, group_id), sessions=groups.sessions(db, group_id), error=error,
                           form=request.form if error else None, today=common.today().isoformat(),
                           min_members=groups.MIN_MEMBERS, min_sessions=groups.MIN_SESSIONS), status_code


def group_member(group_id: int) -> tuple[str, int] | Response:
    access.require(access.can_write())
    _group_or_404(group_id)
    try:
        groups.add_member(get_db(), group_id, request.form.get("name", ""), joined_on=request.form.get("joined_on"),
                          by=actor(), now=common.now(), today=common.today())
    except RecordError as exc:
        return group_page(group_id, str(exc), 400)
    return common.done("admin.group", "saved", group_id=group_id)


def group_session(group_id: int) -> tuple[str, int] | Response:
    access.require(access.can_write())
    _group_or_404(group_id)
    try:
        groups.add_session(get_db(), group_id, day=request.form.get("day"), topic=request.form.get("topic", ""),
                           attendance=request.form.get("attendance"), by=actor(), now=common.now(),
                           today=common.today(), place=request.form.get("place", ""),
                           notes=request.form.get("notes", ""))
    except RecordError as exc:
        return group_page(group_id, str(exc), 400)
    return common.done("admin.group", "saved", group_id=group_id)
