"""Reports: the month's summary on screen, downloads (md, xlsx, json; the same files as `laoxiao report`), and
the submission status of each month's plan and summary, with the form that records a submission."""

from __future__ import annotations

import io
from datetime import date

from flask import abort, current_app, render_template, request, send_file
from werkzeug.wrappers import Response

from bot.admin import access, common
from bot.admin.auth import actor
from bot.admin.pages_overview import scope_label
from bot.storage import get_db
from data import projects, submissions
from data import report as reports
from data.record_rules import RecordError
from data.report_render import tables, title, to_json, to_markdown, write_xlsx

MIMETYPES = {"md": "text/markdown; charset=utf-8", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _built() -> dict:
    """The report the address asks for: a month (or from/to), at one visible site or all the account's sites."""
    site_id = common.int_arg("site")
    first, last = request.args.get("from"), request.args.get("to")
    try:
        if first or last:
            window = reports.window(get_db(), first=first, last=last)
        else:
            window = reports.window(get_db(), month=common.month_arg())
    except RecordError:
        abort(400)
    if site_id is not None:
        access.site_or_404(site_id)
        window.update(site_ids=[site_id], site_label=next(s["name"] for s in access.visible_sites()
                                                          if s["id"] == site_id))
    else:
        window.update(site_ids=access.site_ids(), site_label=scope_label())
    return reports.build(get_db(), tz=current_app.config["LAOXIAO"].tz, today=common.today(), **window)


def reports_page(error: str = "", status_code: int = 200) -> tuple[str, int]:
    report = _built()
    db = get_db()
    codes = access.visible_projects()
    months = []
    for code in codes:
        row = projects.get_project(db, code)
        end = min(date.fromisoformat(row["end_date"]), common.today())
        months += projects.months_between(date.fromisoformat(row["start_date"]), end)
    status = submissions.listing(db, codes, sorted(set(months), reverse=True))
    return render_template("admin/reports.html", title="月报", report=report, heading=title(report),
                           tables=tables(report), status=status, names=projects.NAMES, kinds=submissions.KINDS,
                           sites=access.visible_sites(), projects=[(c, projects.NAMES[c]) for c in codes],
                           args=request.args, month=report["month"] or "", error=error,
                           form=request.form if error else None, today=common.today().isoformat(),
                           default_recipients=submissions.DEFAULT_RECIPIENTS), status_code


def download() -> Response:
    fmt = request.args.get("format", "md")
    if fmt not in MIMETYPES:
        abort(400)
    report = _built()
    name = f"{title(report)}.{fmt}".replace(" ", "-")
    if fmt == "xlsx":
        stream = io.BytesIO()
        write_xlsx(report, stream)
        stream.seek(0)
    else:
        stream = io.BytesIO((to_json(report) if fmt == "json" else to_markdown(report)).encode())
    return send_file(stream, mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)


def submit() -> tuple[str, int] | Response:
    access.require(access.can_write())
    code = access.project_or_abort(request.form.get("project", ""))
    try:
        submissions.record_submission(get_db(), code, request.form.get("month", ""), request.form.get("kind", ""),
                                      by=actor(), now=common.now(), today=common.today(),
                                      submitted_on=request.form.get("submitted_on") or None,
                                      recipients=request.form.get("recipients", ""), note=request.form.get("note", ""))
    except RecordError as exc:
        return reports_page(str(exc), 400)
    return common.done("admin.reports", "submitted", month=request.form.get("month"))
