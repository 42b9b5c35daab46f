"""Help requests (求助): short numbers, status changes with their history, feedback and the queries
the commands, the escalation job and the export need.

Life of a request: new -> assigned -> accepted -> done -> closed; it may also be closed before it is done
(cancelled by the requester or a worker, withdrawn with its visit): `closed_reason` says which. Every change
writes a row in `request_events` (who, when, from/to status, note) in the same statement group as the change
itself; callers wrap them in `transaction()`.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from data.clock import iso
from data.db import first

STATUSES = {"new": "待分派", "assigned": "待接单", "accepted": "处理中", "done": "已完成", "closed": "已结束"}
CLOSED_AS = {"cancelled": "已撤回", "withdrawn": "已撤回"}
OPEN = ("new", "assigned", "accepted")
URGENCIES = {"urgent": "紧急", "soon": "尽快", "normal": "一般"}
RATINGS = ("满意", "不满意")
# Full-width digits and letters (old phones, Chinese input methods) read as their ASCII twins.
WIDE_TO_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# The check letters are part of the number, typed straight after it (「R1203-07KM」, any case).
_NUMBER = re.compile(r"(?<![A-Za-z0-9])R?\s*(\d{4})\s*[-_－—–~]?\s*(\d{2,3})(?!\d)(?:([A-Za-z]{2})(?![A-Za-z]))?",
                     re.IGNORECASE)
# Two check letters make a number unguessable from outside (1 in 324 for a known date and sequence); no
# I/L/O/Q/S/Z/B/G, which read as digits on a phone screen.
CHECK_LETTERS = "ACDEFHJKMNPRTUVWXY"


class RequestError(ValueError):
    """A status change that does not fit the request's current state."""


def number_prefix(day: date) -> str:
    return f"R{day:%m%d}-"


def next_number(db: Database, day: date) -> str:
    """R + MMDD + '-' + sequence + two random check letters (R1203-07KM). The sequence continues across years
    on the same calendar day, so a number stays short and is never issued twice; the letters keep anyone from
    reaching a request by counting. Must run inside the caller's write transaction."""
    prefix = number_prefix(day)
    row = db.conn.execute(
        "SELECT MAX(CAST(SUBSTR(number, 7) AS INTEGER)) FROM requests WHERE number LIKE ?", [prefix + "%"]
    ).fetchone()
    check = "".join(secrets.choice(CHECK_LETTERS) for _ in range(2))
    return f"{prefix}{(row[0] or 0) + 1:02d}{check}"


def find_request_number(text: str) -> tuple[str, str] | None:
    """The request number in a message (「r1203-07km」「R1203－07KM」「R120307KM」), normalised, and the rest.
    Numbers issued before the check letters (「R1203-07」) are found as typed."""
    match = _NUMBER.search(text.translate(WIDE_TO_NARROW))  # one character for one: spans stay valid
    if not match:
        return None
    number = f"R{match.group(1)}-{match.group(2)}{(match.group(3) or '').upper()}"
    rest = re.sub(r"\s+", " ", text[:match.start()] + " " + text[match.end():]).strip(" ，,。.:：")
    return number, rest


def create(db: Database, *, requester_id: int | None, category: str, text: str, site_id: int | None,
           local_day: date, now: datetime, for_whom: str = "self", recipient_id: int | None = None,
           recipient_name: str | None = None, address: str | None = None, contact_phone: str | None = None,
           secondary: str | None = None, urgent: bool = False, visit_id: int | None = None,
           source: str = "chat", requester_name: str | None = None, relation: str | None = None,
           no_phone: bool = False, urgency: str | None = None, flag: str | None = None,
           pair_id: int | None = None) -> dict:
    number = next_number(db, local_day)
    urgency = "urgent" if urgent else (urgency or "normal")
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {tuple(URGENCIES)}")
    cursor = db.conn.execute(
        "INSERT INTO requests (number, requester_id, category, secondary, text, for_whom, recipient_id,"
        " recipient_name, address, contact_phone, site_id, status, urgent, visit_id, source, created_at,"
        " updated_at, requester_name, relation, no_phone, urgency, flag, pair_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [number, requester_id, category, secondary, text, for_whom, recipient_id, recipient_name, address,
         contact_phone, site_id, int(urgent), visit_id, source, iso(now), iso(now), requester_name, relation,
         int(no_phone), urgency, flag, pair_id],
    )
    add_event(db, cursor.lastrowid, now, requester_id, "created", None, "new")
    return get(db, cursor.lastrowid)


def get(db: Database, request_id: int) -> dict | None:
    return first(db, "SELECT * FROM requests WHERE id = ?", [request_id])


def get_by_number(db: Database, number: str) -> dict | None:
    return first(db, "SELECT * FROM requests WHERE number = ?", [number.upper()])


def add_event(db: Database, request_id: int, now: datetime, actor_id: int | None, action: str,
              from_status: str | None = None, to_status: str | None = None, team_id: int | None = None,
              note: str | None = None) -> int:
    cursor = db.conn.execute(
        "INSERT INTO request_events (request_id, at, actor_id, action, from_status, to_status, team_id, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [request_id, iso(now), actor_id, action, from_status, to_status, team_id, note],
    )
    return cursor.lastrowid


def events(db: Database, request_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM request_events WHERE request_id = ? ORDER BY id", [request_id]))


def assign(db: Database, request: dict, now: datetime, actor_id: int | None, team_id: int | None,
           worker_id: int | None, action: str = "assigned", note: str | None = None) -> int:
    """Give the request to a team (or, with team_id None, to the site's worker). Returns the event id,
    which names this assignment (its card and reminders are keyed on it)."""
    db.conn.execute(
        "UPDATE requests SET status = 'assigned', team_id = ?, worker_id = ?, assigned_at = ?,"
        " accepted_by = NULL, accepted_at = NULL, updated_at = ? WHERE id = ?",
        [team_id, worker_id, iso(now), iso(now), request["id"]],
    )
    return add_event(db, request["id"], now, actor_id, action, request["status"], "assigned", team_id, note)


def accept(db: Database, request: dict, now: datetime, actor_id: int) -> None:
    if request["status"] != "assigned":
        raise RequestError(request["status"])
    db.conn.execute(
        "UPDATE requests SET status = 'accepted', accepted_by = ?, accepted_at = ?, updated_at = ? WHERE id = ?",
        [actor_id, iso(now), iso(now), request["id"]],
    )
    add_event(db, request["id"], now, actor_id, "accepted", "assigned", "accepted", request["team_id"])


def finish(db: Database, request: dict, now: datetime, actor_id: int, note: str) -> None:
    """Done; a request done straight from 'assigned' counts as accepted by the same person at that moment."""
    if request["status"] not in ("assigned", "accepted"):
        raise RequestError(request["status"])
    db.conn.execute(
        "UPDATE requests SET status = 'done', done_note = ?, done_at = ?, updated_at = ?,"
        " accepted_by = COALESCE(accepted_by, ?), accepted_at = COALESCE(accepted_at, ?) WHERE id = ?",
        [note, iso(now), iso(now), actor_id, iso(now), request["id"]],
    )
    add_event(db, request["id"], now, actor_id, "done", request["status"], "done", request["team_id"], note)


def close(db: Database, request: dict, now: datetime, actor_id: int | None, note: str | None = None,
          reason: str = "done") -> None:
    if request["status"] != "done":
        raise RequestError(request["status"])
    _closed(db, request, now, reason)
    add_event(db, request["id"], now, actor_id, "closed", "done", "closed", request["team_id"], note)


def withdraw(db: Database, request: dict, now: datetime, actor_id: int | None, note: str) -> None:
    """Ended before anyone took it on (the visit it came from was undone): closed, with the reason kept."""
    if request["status"] not in ("new", "assigned"):
        raise RequestError(request["status"])
    _closed(db, request, now, "withdrawn")
    add_event(db, request["id"], now, actor_id, "withdrawn", request["status"], "closed", request["team_id"], note)


def cancel(db: Database, request: dict, now: datetime, actor_id: int | None, note: str) -> None:
    """Not needed any more (the requester or a worker says so) before it was done."""
    if request["status"] not in OPEN:
        raise RequestError(request["status"])
    _closed(db, request, now, "cancelled")
    add_event(db, request["id"], now, actor_id, "cancelled", request["status"], "closed", request["team_id"], note)


def _closed(db: Database, request: dict, now: datetime, reason: str) -> None:
    db.conn.execute("UPDATE requests SET status = 'closed', closed_at = ?, closed_reason = ?, updated_at = ?"
                    " WHERE id = ?", [iso(now), reason, iso(now), request["id"]])


def recategorize(db: Database, request: dict, category: str, now: datetime, actor_id: int) -> None:
    """An admin's correction of the kind of help; the request keeps its place and its history says so."""
    db.conn.execute("UPDATE requests SET category = ?, urgent = ?, urgency = CASE WHEN ? THEN 'urgent'"
                    " WHEN urgency = 'urgent' THEN 'soon' ELSE urgency END, updated_at = ? WHERE id = ?",
                    [category, int(category == "紧急求助"), int(category == "紧急求助"), iso(now), request["id"]])
    add_event(db, request["id"], now, actor_id, "recategorized", request["status"], request["status"],
              request["team_id"], f"{request['category']} -> {category}")


def pair(db: Database, first_id: int, second_id: int) -> None:
    """Two needs of one message: each request knows the other."""
    db.conn.execute("UPDATE requests SET pair_id = ? WHERE id = ?", [second_id, first_id])
    db.conn.execute("UPDATE requests SET pair_id = ? WHERE id = ?", [first_id, second_id])


def status_name(request: dict) -> str:
    """What a family reads: 待接单, 处理中 … and 已撤回 for a request closed before it was done."""
    return CLOSED_AS.get(request.get("closed_reason") or "", STATUSES[request["status"]])


def from_visit(db: Database, visit_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM requests WHERE visit_id = ? ORDER BY id", [visit_id]))


def record_feedback(db: Database, request: dict, person_id: int, rating: str, comment: str | None,
                    now: datetime) -> None:
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}")
    db.conn.execute(
        "INSERT INTO request_feedback (request_id, person_id, rating, comment, at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(request_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,"
        " at = excluded.at",
        [request["id"], person_id, rating, comment, iso(now)],
    )
    add_event(db, request["id"], now, person_id, "feedback", request["status"], request["status"],
              note=f"{rating} {comment or ''}".strip())


def feedback(db: Database, request_id: int) -> dict | None:
    return first(db, "SELECT * FROM request_feedback WHERE request_id = ?", [request_id])


def rejected_team_ids(db: Database, request_id: int) -> list[int]:
    """Teams that sent this request back: re-routing skips them."""
    return [r["team_id"] for r in db.query(
        "SELECT DISTINCT team_id FROM request_events WHERE request_id = ? AND action = 'rejected'"
        " AND team_id IS NOT NULL", [request_id])]


def of_requester(db: Database, person_id: int, limit: int = 10) -> list[dict]:
    return list(db.query(
        "SELECT * FROM requests WHERE requester_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        [person_id, limit]))


def open_of_requester(db: Database, person_id: int) -> list[dict]:
    """The requester's requests still being worked on, newest first."""
    return list(db.query(
        "SELECT * FROM requests WHERE requester_id = ? AND status IN ('new', 'assigned', 'accepted')"
        " ORDER BY created_at DESC, id DESC", [person_id]))


def recent_of_requester(db: Database, person_id: int, since: datetime) -> list[dict]:
    """Open requests, and those done or closed since `since`: what a follow-up message may be about."""
    return list(db.query(
        "SELECT * FROM requests WHERE requester_id = ? AND (status IN ('new', 'assigned', 'accepted')"
        " OR COALESCE(done_at, closed_at, updated_at) >= ?) ORDER BY created_at DESC, id DESC LIMIT 10",
        [person_id, iso(since)]))


def awaiting_feedback(db: Database, person_id: int) -> dict | None:
    """The requester's latest done request without feedback."""
    return first(db,
        "SELECT r.* FROM requests r LEFT JOIN request_feedback f ON f.request_id = r.id"
        " WHERE r.requester_id = ? AND r.status = 'done' AND f.request_id IS NULL"
        " ORDER BY r.done_at DESC, r.id DESC LIMIT 1", [person_id])


def open_of_teams(db: Database, team_ids: list[int], limit: int = 10) -> list[dict]:
    if not team_ids:
        return []
    marks = ",".join("?" * len(team_ids))
    return list(db.query(
        f"SELECT * FROM requests WHERE team_id IN ({marks}) AND status IN ('assigned', 'accepted')"
        " ORDER BY created_at, id LIMIT ?", [*team_ids, limit]))


def open_of_site(db: Database, site_id: int | None, limit: int = 10) -> list[dict]:
    return list(db.query(
        "SELECT * FROM requests WHERE site_id IS ? AND status IN ('new', 'assigned', 'accepted')"
        " ORDER BY urgent DESC, created_at, id LIMIT ?", [site_id, limit]))


def awaiting_acceptance(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM requests WHERE status = 'assigned' ORDER BY assigned_at, id"))


def done_before(db: Database, before: datetime) -> list[dict]:
    return list(db.query("SELECT * FROM requests WHERE status = 'done' AND done_at < ? ORDER BY id",
                         [iso(before)]))


EXPORT_COLUMNS = ("number", "category", "site", "status", "team", "created_at", "accepted_at", "done_at",
                  "feedback")


def export_rows(db: Database, start: datetime | None = None, end: datetime | None = None) -> list[dict[str, Any]]:
    """One row per request created in [start, end): no names, addresses or phones (exports travel)."""
    where, params = [], []
    if start is not None:
        where.append("r.created_at >= ?")
        params.append(iso(start))
    if end is not None:
        where.append("r.created_at < ?")
        params.append(iso(end))
    sql = ("SELECT r.number, r.category, s.name AS site, r.status, t.name AS team, r.created_at,"
           " r.accepted_at, r.done_at, f.rating AS feedback FROM requests r"
           " LEFT JOIN sites s ON s.id = r.site_id LEFT JOIN teams t ON t.id = r.team_id"
           " LEFT JOIN request_feedback f ON f.request_id = r.id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY r.created_at, r.id")
    return list(db.query(sql, params))


def site_of_named_recipient(db: Database, name: str) -> int | None:
    """The site of the one active recipient with exactly this name; None when nobody or several match."""
    rows = list(db.query("SELECT DISTINCT site_id FROM recipients WHERE active = 1 AND name = ? LIMIT 2", [name]))
    return rows[0]["site_id"] if len(rows) == 1 else None


def unfinished_requests(db: Database, now: datetime) -> list[dict]:
    """Request conversations left half-way: idle past their time, not yet set aside or finished."""
    return list(db.query(
        "SELECT c.person_id, c.data, c.started_at, c.updated_at, p.openid FROM conversations c"
        " JOIN people p ON p.id = c.person_id"
        " WHERE c.flow = 'request' AND c.step != '__saved' AND c.expires_at <= ? ORDER BY c.person_id",
        [iso(now)]))
