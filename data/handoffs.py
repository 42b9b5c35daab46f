"""Handoff tickets (转人工, shown as T12): a conversation a worker takes over, with the person's last
messages, and every message that passed through laoxiao in either direction.

Life of a ticket: open -> answered (a worker's first reply) -> closed, by the worker (「结束 T12」) or after
24 hours without a message either way (`closed_reason` says which). A ticket whose site is not known yet waits
for the family to name it (`site_asked`) before anyone is told."""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from data.clock import iso
from data.requests import WIDE_TO_NARROW

# A ticket with no message either way for this long no longer captures what the person says.
ACTIVE_FOR = timedelta(hours=24)
_TICKET = re.compile(r"(?<![A-Za-z0-9])T\s*(\d{1,6})(?!\d)", re.IGNORECASE)


def label(ticket_id: int) -> str:
    return f"T{ticket_id}"


def find_ticket_number(text: str) -> tuple[int, str] | None:
    """The ticket id in 「T12 内容」 (also 「t12」「Ｔ１２」), and the rest of the text."""
    match = _TICKET.search(text.translate(WIDE_TO_NARROW))
    if not match:
        return None
    rest = (text[:match.start()] + " " + text[match.end():]).strip(" ，,。.:：")
    return int(match.group(1)), rest


def open_ticket(db: Database, person_id: int, site_id: int | None, reason: str, messages: list[dict],
                now: datetime) -> dict:
    """A new ticket, or the person's ticket already open (its messages refreshed): one at a time each."""
    current = active_ticket(db, person_id, now)
    payload = json.dumps(messages, ensure_ascii=False)
    if current:
        db.conn.execute("UPDATE handoffs SET last_messages = ?, updated_at = ? WHERE id = ?",
                        [payload, iso(now), current["id"]])
        return get(db, current["id"])
    ticket_id = _unused_id(db)
    db.conn.execute(
        "INSERT INTO handoffs (id, person_id, site_id, reason, last_messages, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [ticket_id, person_id, site_id, reason, payload, iso(now), iso(now)],
    )
    return get(db, ticket_id)


def _unused_id(db: Database) -> int:
    """A random five-digit ticket number: short to type, not found by counting up from one's own (T12 -> T13)."""
    while True:
        candidate = secrets.randbelow(90000) + 10000
        if not db.conn.execute("SELECT 1 FROM handoffs WHERE id = ?", [candidate]).fetchone():
            return candidate


def get(db: Database, ticket_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM handoffs WHERE id = ?", [ticket_id]))
    if not rows:
        return None
    row = rows[0]
    row["last_messages"] = json.loads(row["last_messages"])
    return row


def active_ticket(db: Database, person_id: int, now: datetime) -> dict | None:
    rows = list(db.query(
        "SELECT id FROM handoffs WHERE person_id = ? AND status = 'open' AND updated_at > ?"
        " ORDER BY id DESC LIMIT 1", [person_id, iso(now - ACTIVE_FOR)]))
    return get(db, rows[0]["id"]) if rows else None


def add_message(db: Database, ticket_id: int, sender_id: int | None, direction: str, text: str,
                now: datetime, request_id: int | None = None) -> None:
    db.conn.execute(
        "INSERT INTO handoff_messages (handoff_id, sender_id, direction, text, at, request_id)"
        " VALUES (?, ?, ?, ?, ?, ?)", [ticket_id, sender_id, direction, text, iso(now), request_id],
    )
    answered = ", answered_at = COALESCE(answered_at, ?)" if direction == "out" else ""
    db.conn.execute(f"UPDATE handoffs SET updated_at = ?{answered} WHERE id = ?",
                    [iso(now), *([iso(now)] if answered else []), ticket_id])


def messages(db: Database, ticket_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM handoff_messages WHERE handoff_id = ? ORDER BY id", [ticket_id]))


def close(db: Database, ticket_id: int, closed_by: int | None, now: datetime, reason: str = "worker") -> None:
    db.conn.execute(
        "UPDATE handoffs SET status = 'closed', closed_at = ?, closed_by = ?, closed_reason = ?, updated_at = ?"
        " WHERE id = ?", [iso(now), closed_by, reason, iso(now), ticket_id],
    )


def set_site(db: Database, ticket_id: int, site_id: int | None, now: datetime) -> None:
    """The family named their site (or said it is none of ours): the ticket can now reach someone."""
    db.conn.execute("UPDATE handoffs SET site_id = ?, site_asked = 0, updated_at = ? WHERE id = ?",
                    [site_id, iso(now), ticket_id])


def ask_site(db: Database, ticket_id: int) -> None:
    db.conn.execute("UPDATE handoffs SET site_asked = 1 WHERE id = ?", [ticket_id])


def silent_since(db: Database, now: datetime) -> list[dict]:
    """Open tickets with no message either way for ACTIVE_FOR: to be closed."""
    rows = db.query("SELECT id FROM handoffs WHERE status = 'open' AND updated_at <= ? ORDER BY id",
                    [iso(now - ACTIVE_FOR)])
    return [get(db, r["id"]) for r in rows]


def unanswered_urgent(db: Database) -> list[dict]:
    """Emergency tickets no worker has answered yet: the clock chases them."""
    rows = db.query("SELECT id FROM handoffs WHERE status = 'open' AND reason = 'urgent' AND answered_at IS NULL"
                    " ORDER BY id")
    return [get(db, r["id"]) for r in rows]


def latest_site(db: Database, person_id: int) -> int | None:
    """The site of the person's latest ticket that had one."""
    row = db.conn.execute("SELECT site_id FROM handoffs WHERE person_id = ? AND site_id IS NOT NULL"
                          " ORDER BY id DESC LIMIT 1", [person_id]).fetchone()
    return row[0] if row else None


def responders(db: Database, site_id: int | None) -> list[dict]:
    """Who answers for a site: its workers, else its child directors; with no site, every worker.
    The admins are always included when nobody else is found."""
    if site_id is not None:
        for role in ("worker", "director"):
            found = list(db.query("SELECT * FROM people WHERE role = ? AND site_id = ? AND reachable = 1"
                                  " ORDER BY id", [role, site_id]))
            if found:
                return found
    else:
        found = list(db.query("SELECT * FROM people WHERE role = 'worker' AND reachable = 1 ORDER BY id"))
        if found:
            return found
    return list(db.query("SELECT * FROM people WHERE role = 'admin' AND reachable = 1 ORDER BY id"))
