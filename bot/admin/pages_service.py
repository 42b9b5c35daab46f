"""The requests board (by status) and the outbox (failed and held pushes)."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from werkzeug.wrappers import Response

from bot.admin import access, common
from bot.storage import get_db
from data import audit, delivery, worklists
from data import requests as reqs
from data.categories import LABELS
from data.record_rules import Where

BOARD_STATUSES = ("new", "assigned", "accepted", "done")
PER_COLUMN = 100


def requests_board() -> str:
    db = get_db()
    scope = access.site_ids()
    where = Where().add("r.status IN ('new', 'assigned', 'accepted', 'done')").sites("r.site_id", scope)
    category = request.args.get("category", "")
    if category in LABELS:
        where.add("r.category = ?", category)
    rows = list(db.query(
        "SELECT r.*, s.name AS site_name, t.name AS team_name, f.rating FROM requests r"
        " LEFT JOIN sites s ON s.id = r.site_id LEFT JOIN teams t ON t.id = r.team_id"
        f" LEFT JOIN request_feedback f ON f.request_id = r.id{where}"
        " ORDER BY r.urgent DESC, r.created_at DESC, r.id DESC", where.params))
    late = {r["id"] for r in worklists.overdue_requests(db, scope, common.now(), access.sees_unknown_sites())}
    tz = current_app.config["LAOXIAO"].tz
    columns = []
    for status in BOARD_STATUSES:
        items = [r for r in rows if r["status"] == status]
        for item in items:
            item["late"] = item["id"] in late
            item["created_local"] = _local(item["created_at"], tz)
        columns.append({"status": status, "name": reqs.STATUSES[status], "count": len(items),
                        "cards": items[:PER_COLUMN]})
    return render_template("admin/requests.html", title="求助", columns=columns, labels=LABELS, category=category)


def _local(stamp: str, tz) -> str:
    from data.clock import parse_iso

    return parse_iso(stamp).astimezone(tz).strftime("%m-%d %H:%M")


def outbox() -> str:
    access.require(access.user()["role"] == "admin")
    db = get_db()
    status = request.args.get("status", "failed")
    if status not in ("failed", "held"):
        abort(400)
    rows = delivery.listing(db, status)
    for row in rows:
        row["title"] = delivery.body_title(row["body"])
    return render_template("admin/outbox.html", title="发件箱", rows=rows, status=status, counts=delivery.counts(db))


def outbox_retry(row_id: int) -> Response:
    access.require(access.user()["role"] == "admin")
    db = get_db()
    if not delivery.retry(db, row_id, common.now()):
        abort(404)
    audit.record(db, common.now(), f"web:{access.user()['username']}", "outbox_retry", f"outbox:{row_id}")
    return common.done("admin.outbox", "retried")
