"""Work lists: open mandatory reports (强制报告), open handoff tickets (转人工) and overdue help requests, each with
a "handled" action that records who handled it and when.

Overdue requests (`OVERDUE_SQL`): nobody accepted within `UNACCEPTED_AFTER` of creation or of the latest
assignment, or accepted and not done within `UNFINISHED_AFTER`. A worker's follow-up (`follow_up_request`) is a
request event 'followed_up'; it takes the request off the list until its next change of state.

Every list takes `site_ids` (None: every site) and `with_unknown` (items whose site is not known; workers see
them, since such alerts reach every worker).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from data import audit, handoffs
from data.clock import iso
from data.db import first, transaction
from data.record_rules import Actor, RecordError, text_of

UNACCEPTED_AFTER = timedelta(hours=24)
UNFINISHED_AFTER = timedelta(days=7)
# The moment the request's current state began; a follow-up after it handles the request until the next change.
_STATE_SINCE = "CASE WHEN r.status = 'accepted' THEN r.accepted_at ELSE COALESCE(r.assigned_at, r.created_at) END"
OVERDUE_SQL = (f"((r.status IN ('new', 'assigned') AND COALESCE(r.assigned_at, r.created_at) <= :unaccepted)"
               f" OR (r.status = 'accepted' AND r.accepted_at <= :unfinished))"
               f" AND NOT EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id"
               f" AND e.action = 'followed_up' AND e.at >= {_STATE_SINCE})")


def _sites(column: str, site_ids: list[int] | None, with_unknown: bool) -> tuple[str, dict]:
    """A condition on `column` with named parameters :site0, :site1 ..."""
    if site_ids is None:
        return "1", {}
    params = {f"site{i}": site_id for i, site_id in enumerate(site_ids)}
    marks = ",".join(f":{name}" for name in params) or "NULL"
    unknown = f" OR {column} IS NULL" if with_unknown else ""
    return f"({column} IN ({marks}){unknown})", params


# ---------------------------------------------------------------- mandatory reports

def protection_reports(db: Database, site_ids: list[int] | None, with_unknown: bool = True,
                       open_only: bool = True, recipient_id: int | None = None) -> list[dict]:
    """Mandatory reports, newest first, with the site, the recipient (when linked) and who handled them."""
    where, params = _sites("p.site_id", site_ids, with_unknown)
    if open_only:
        where += " AND p.handled_at IS NULL"
    if recipient_id is not None:
        where += " AND p.recipient_id = :recipient_id"
        params["recipient_id"] = recipient_id
    return list(db.query(
        "SELECT p.*, s.name AS site_name, r.name AS recipient_name, w.name AS sender_name, w.role AS sender_role,"
        " COALESCE(h.name, u.display_name) AS handled_by_name FROM protection_reports p"
        " LEFT JOIN sites s ON s.id = p.site_id LEFT JOIN recipients r ON r.id = p.recipient_id"
        " LEFT JOIN people w ON w.id = p.person_id LEFT JOIN people h ON h.id = p.handled_by"
        f" LEFT JOIN web_users u ON u.id = p.handled_by_user WHERE {where} ORDER BY p.id DESC", params))


def handle_protection_report(db: Database, report_id: int, note: str, *, by: Actor, now: datetime) -> bool:
    """Mark a report handled (处置情况 in `note`: whom it was reported to, what was done). False when it was
    already handled (by anyone): the first handling stands."""
    note = text_of(note, "处置情况", limit=500)
    with transaction(db):
        report = first(db, "SELECT id, handled_at FROM protection_reports WHERE id = ?", [report_id])
        if report is None:
            raise RecordError("找不到这条强制报告")
        if report["handled_at"]:
            return False
        db.conn.execute("UPDATE protection_reports SET handled_at = ?, handled_by = ?, handled_by_user = ?,"
                        " handled_note = ? WHERE id = ? AND handled_at IS NULL",
                        [iso(now), by.person_id, by.user_id, note, report_id])
        audit.record(db, now, by.label, "protection_handled", f"protection:{report_id}", None)
    return True


# ---------------------------------------------------------------- handoff tickets

def open_tickets(db: Database, site_ids: list[int] | None, with_unknown: bool = True) -> list[dict]:
    where, params = _sites("h.site_id", site_ids, with_unknown)
    return list(db.query(
        "SELECT h.*, s.name AS site_name, p.name AS person_name,"
        " (SELECT COUNT(*) FROM handoff_messages m WHERE m.handoff_id = h.id) AS messages"
        " FROM handoffs h LEFT JOIN sites s ON s.id = h.site_id LEFT JOIN people p ON p.id = h.person_id"
        f" WHERE h.status = 'open' AND {where} ORDER BY h.updated_at DESC, h.id DESC", params))


def close_ticket(db: Database, ticket_id: int, *, by: Actor, now: datetime) -> bool:
    """Close an open ticket (handled); False when it was already closed."""
    with transaction(db):
        ticket = handoffs.get(db, ticket_id)
        if ticket is None:
            raise RecordError("找不到这个转人工会话")
        if ticket["status"] != "open":
            return False
        handoffs.close(db, ticket_id, by.person_id, now)
        db.conn.execute("UPDATE handoffs SET closed_by_user = ? WHERE id = ?", [by.user_id, ticket_id])
        audit.record(db, now, by.label, "ticket_closed", f"ticket:{ticket_id}", None)
    return True


# ---------------------------------------------------------------- overdue requests

def overdue_requests(db: Database, site_ids: list[int] | None, now: datetime, with_unknown: bool = True) -> list[dict]:
    """Requests waiting too long, the longest waiting first, each with `waiting_since` and `why`."""
    where, params = _sites("r.site_id", site_ids, with_unknown)
    params.update(unaccepted=iso(now - UNACCEPTED_AFTER), unfinished=iso(now - UNFINISHED_AFTER))
    rows = list(db.query(
        f"SELECT r.*, s.name AS site_name, t.name AS team_name, {_STATE_SINCE} AS waiting_since"
        " FROM requests r LEFT JOIN sites s ON s.id = r.site_id LEFT JOIN teams t ON t.id = r.team_id"
        f" WHERE {OVERDUE_SQL} AND {where} ORDER BY waiting_since, r.id", params))
    for row in rows:
        row["why"] = "接单后超过7天未完成" if row["status"] == "accepted" else "超过24小时没人接单"
    return rows


def follow_up_request(db: Database, request_id: int, note: str, *, by: Actor, now: datetime) -> int:
    """Record that someone followed an overdue request up (called the team, re-assigned it ...)."""
    note = text_of(note, "跟进情况", limit=500)
    with transaction(db):
        request = first(db, "SELECT id, status, team_id FROM requests WHERE id = ?", [request_id])
        if request is None:
            raise RecordError("找不到这个求助")
        event_id = db.conn.execute(
            "INSERT INTO request_events (request_id, at, actor_id, user_id, action, from_status, to_status,"
            " team_id, note) VALUES (?, ?, ?, ?, 'followed_up', ?, ?, ?, ?)",
            [request_id, iso(now), by.person_id, by.user_id, request["status"], request["status"],
             request["team_id"], note]).lastrowid
        audit.record(db, now, by.label, "request_followed_up", f"request:{request_id}", None)
    return event_id
