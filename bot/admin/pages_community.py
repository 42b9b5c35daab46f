"""Community work: events (with donations and volunteers' hours), volunteer hours, teams, organisations cultivated
and needs surveys. Forms record through data.events, data.volunteering, data.cultivation and data.surveys."""

from __future__ import annotations

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from bot.admin import access, common
from bot.admin.auth import actor
from bot.storage import get_db
from data import cultivation, events, projects, surveys, teams, volunteering
from data import requests as reqs
from data.categories import LABELS
from data.record_rules import RecordError


def _form(error: str) -> dict | None:
    return request.form if error else None


# ---------------------------------------------------------------- events

def _events_page(error: str = "", status_code: int = 200) -> tuple[str, int]:
    return render_template("admin/events.html", title="社区活动", rows=events.list_events(get_db(), access.site_ids()),
                           types=events.TYPES, partners=events.PARTNERS, sites=access.visible_sites(),
                           counted=events.COUNTED_TYPES, error=error, form=_form(error),
                           today=common.today().isoformat()), status_code


def events_page() -> tuple[str, int] | Response:
    if request.method == "GET":
        return _events_page()
    access.require(access.can_write())
    site_id = access.site_or_404(common.int_arg("site_id"))
    try:
        event_id = events.record_event(
            get_db(), site_id, title=request.form.get("title", ""), event_type=request.form.get("type", ""),
            day=request.form.get("day"), by=actor(), now=common.now(), today=common.today(),
            place=request.form.get("place", ""), participants=request.form.get("participants") or 0,
            participant_groups=request.form.get("participant_groups", ""),
            partners=request.form.getlist("partners"), summary=request.form.get("summary", ""))
    except RecordError as exc:
        return _events_page(str(exc), 400)
    return common.done("admin.event", "saved", event_id=event_id)


def _event_or_404(event_id: int) -> dict:
    found = events.get_event(get_db(), event_id)
    if found is None or not access.sees_site(found["site_id"]):
        abort(404)
    return found


def event_page(event_id: int, error: str = "", status_code: int = 200) -> tuple[str, int]:
    event = _event_or_404(event_id)
    db = get_db()
    return render_template("admin/event.html", title=event["title"], event=event,
                           donations=events.donations(db, event_id), kinds=events.DONATION_KINDS,
                           volunteers=volunteering.list_services(db, None, event_id=event_id),
                           error=error, form=_form(error), today=event["day"]), status_code


def event_donation(event_id: int) -> tuple[str, int] | Response:
    access.require(access.can_write())
    _event_or_404(event_id)
    try:
        events.add_donation(get_db(), event_id, donor=request.form.get("donor", ""), kind=request.form.get("kind", ""),
                            by=actor(), now=common.now(), amount=request.form.get("amount") or 0,
                            description=request.form.get("description", ""))
    except RecordError as exc:
        return event_page(event_id, str(exc), 400)
    return common.done("admin.event", "saved", event_id=event_id)


def event_hours(event_id: int) -> tuple[str, int] | Response:
    access.require(access.can_write())
    event = _event_or_404(event_id)
    try:
        volunteering.record_hours(get_db(), name=request.form.get("name", ""), day=event["day"],
                                  hours=request.form.get("hours", ""), by=actor(), now=common.now(),
                                  today=common.today(), event_id=event_id)
    except RecordError as exc:
        return event_page(event_id, str(exc), 400)
    return common.done("admin.event", "saved", event_id=event_id)


# ---------------------------------------------------------------- volunteer hours

def _volunteers_page(error: str = "", status_code: int = 200) -> tuple[str, int]:
    month = common.month_arg()
    first, last = projects.month_first_last(month)
    db, scope = get_db(), access.site_ids()
    return render_template("admin/volunteers.html", title="志愿服务", month=month,
                           people=volunteering.hours_by_volunteer(db, scope, first.isoformat(), last.isoformat()),
                           services=volunteering.list_services(db, scope, first.isoformat(), last.isoformat()),
                           sites=access.visible_sites(), error=error, form=_form(error),
                           today=common.today().isoformat()), status_code


def volunteers_page() -> tuple[str, int] | Response:
    if request.method == "GET":
        return _volunteers_page()
    access.require(access.can_write())
    db = get_db()
    number = request.form.get("request_number", "").strip()
    request_id = None
    if number:
        found = reqs.find_request_number(number)
        row = reqs.get_by_number(db, found[0]) if found else None
        if row is None or not access.sees_site(row["site_id"]):
            return _volunteers_page(f"找不到求助「{number}」", 400)
        request_id = row["id"]
    site_id = common.int_arg("site_id")
    if site_id is not None:
        access.site_or_404(site_id)
    try:
        volunteering.record_hours(db, name=request.form.get("name", ""), day=request.form.get("day"),
                                  hours=request.form.get("hours", ""), by=actor(), now=common.now(),
                                  today=common.today(), request_id=request_id, site_id=site_id,
                                  note=request.form.get("note", ""))
    except RecordError as exc:
        return _volunteers_page(str(exc), 400)
    return common.done("admin.volunteers", "saved")


# ---------------------------------------------------------------- teams, organisations, surveys

def _teams_page(error: str = "", status_code: int = 200) -> tuple[str, int]:
    db = get_db()
    visible = {s["name"] for s in access.visible_sites()}
    codes = access.visible_projects()
    return render_template(
        "admin/teams.html", title="队伍与调研",
        teams=[t for t in teams.list_teams(db) if access.site_ids() is None or set(t["sites"]) & visible],
        organisations=[o for c in codes for o in cultivation.list_organisations(db, c, access.site_ids())],
        surveys=[s for c in codes for s in surveys.list_surveys(db, c)],
        projects=[(c, projects.NAMES[c]) for c in codes],
        kinds=cultivation.KINDS, sites=access.visible_sites(), labels=LABELS, error=error, form=_form(error),
        today=common.today().isoformat()), status_code


def teams_page() -> tuple[str, int]:
    return _teams_page()


def _project_and_site() -> tuple[str, int | None]:
    """The project (one of the account's) and the optional site (one of its sites) a form names."""
    code = access.project_or_abort(request.form.get("project", ""))
    site_id = common.int_arg("site_id")
    if site_id is not None:
        access.site_or_404(site_id)
    return code, site_id


def organisation_form() -> tuple[str, int] | Response:
    access.require(access.can_write())
    code, site_id = _project_and_site()
    try:
        cultivation.record_organisation(
            get_db(), code, name=request.form.get("name", ""), kind=request.form.get("kind", ""), by=actor(),
            now=common.now(), today=common.today(), site_id=site_id, founded_on=request.form.get("founded_on"),
            registered_on=request.form.get("registered_on"), members=request.form.get("members") or 0,
            leader=request.form.get("leader", ""), notes=request.form.get("notes", ""))
    except RecordError as exc:
        return _teams_page(str(exc), 400)
    return common.done("admin.teams", "saved")


def parse_needs(text: str) -> list[dict]:
    """One need a line: 「需求」, 「需求｜类别」 or 「需求｜类别｜计划回应次数」."""
    needs = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("|", "｜").split("｜")]
        if parts and parts[0]:
            needs.append({"need": parts[0], "category": parts[1] if len(parts) > 1 else None,
                          "target": parts[2] if len(parts) > 2 else None})
    return needs


def survey_form() -> tuple[str, int] | Response:
    access.require(access.can_write())
    code, site_id = _project_and_site()
    try:
        surveys.record_survey(get_db(), code, day=request.form.get("day"), method=request.form.get("method", ""),
                              needs=parse_needs(request.form.get("needs", "")), by=actor(), now=common.now(),
                              today=common.today(), site_id=site_id, respondents=request.form.get("respondents") or 0,
                              report_file=request.form.get("report_file", ""), summary=request.form.get("summary", ""))
    except RecordError as exc:
        return _teams_page(str(exc), 400)
    return common.done("admin.teams", "saved")
