"""Delivery bookkeeping for the outbox: claims, outcomes, retries, and WeChat's 48-hour window and quota.

A row moves through these states (data/migrations/0001 and 0004):

    pending ──claim──> sending ──> sent        (channel cs / template / subscribe / reply)
       ^                  │  └───> held        (no way to reach the person now: waits for their next message)
       │                  │  └───> failed      (unreachable, or out of attempts: listed for admins)
       └──retry/backoff───┘
    pending/held ──past expires_at──> cancelled (stale: superseded by a newer message)

Every change is one conditional UPDATE, so two senders (the scheduler and `laoxiao outbox send`) never
both take a row. A claim names its sender (claimed_by) and lasts until claim_until, a few seconds that the
sender renews while it works; the claim is checked and renewed once more right before each send, so a row
still waiting in one sender's batch is never sent by another. A sender that dies leaves 'sending' rows that
are pending again as soon as their claim lapses. The row it was sending at that moment may have reached
WeChat, which has no idempotency key: it is sent again, at most one duplicate per send in flight, the price
of never losing a message.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlite_utils import Database

from data.clock import iso, parse_iso
from data.db import transaction

WINDOW = timedelta(hours=48)
# Do not start a customer-service send in the window's last minutes: it may close while in flight.
WINDOW_MARGIN = timedelta(minutes=10)
CS_PER_MESSAGE = 5
CLAIM_LEASE = timedelta(seconds=15)
MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_CAP = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """2, 4, 8, 16, 32 minutes ... capped at an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


# The customer-service window and quota ---------------------------------------------------------------------

def window_open(last_inbound_at: str | None, now: datetime) -> bool:
    if not last_inbound_at:
        return False
    return now < parse_iso(last_inbound_at) + WINDOW - WINDOW_MARGIN


def reserve_cs(db: Database, openid: str, window_start: str, limit: int = CS_PER_MESSAGE) -> bool:
    """Take one customer-service message from the person's quota; False when the window's quota is used up."""
    cursor = db.conn.execute(
        "INSERT INTO cs_quota (openid, window_start, sent) VALUES (?, ?, 1)"
        " ON CONFLICT(openid) DO UPDATE SET"
        "  sent = CASE WHEN cs_quota.window_start = excluded.window_start THEN cs_quota.sent + 1 ELSE 1 END,"
        "  window_start = excluded.window_start"
        " WHERE cs_quota.window_start != excluded.window_start OR cs_quota.sent < ?",
        [openid, window_start, limit],
    )
    return cursor.rowcount == 1


def refund_cs(db: Database, openid: str, window_start: str) -> None:
    """A send that WeChat refused does not count against the quota."""
    db.conn.execute(
        "UPDATE cs_quota SET sent = MAX(sent - 1, 0) WHERE openid = ? AND window_start = ?", [openid, window_start]
    )


def exhaust_cs(db: Database, openid: str, window_start: str, limit: int = CS_PER_MESSAGE) -> None:
    """WeChat says the quota is used up (45047) even if our count disagrees: believe WeChat."""
    db.conn.execute(
        "INSERT INTO cs_quota (openid, window_start, sent) VALUES (?, ?, ?)"
        " ON CONFLICT(openid) DO UPDATE SET window_start = excluded.window_start, sent = excluded.sent",
        [openid, window_start, limit],
    )


def cs_used(db: Database, openid: str, window_start: str | None) -> int:
    row = db.conn.execute("SELECT window_start, sent FROM cs_quota WHERE openid = ?", [openid]).fetchone()
    return row[1] if row and window_start and row[0] == window_start else 0


# Claims -----------------------------------------------------------------------------------------------------

def reclaim_stale(db: Database, now: datetime) -> int:
    """Rows left 'sending' by a sender that stopped renewing its claim (it died): back to pending."""
    return db.conn.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, claimed_by = NULL, claim_until = NULL,"
        " last_error = 'claim lapsed: its sender stopped'"
        " WHERE status = 'sending' AND claim_until <= ?",
        [iso(now), iso(now)],
    ).rowcount


def cancel_expired(db: Database, now: datetime) -> int:
    return db.conn.execute(
        "UPDATE outbox SET status = 'cancelled', last_error = 'expired'"
        " WHERE status IN ('pending', 'held') AND expires_at IS NOT NULL AND expires_at <= ?",
        [iso(now)],
    ).rowcount


def claim_due(db: Database, now: datetime, holder: str, limit: int = 50, urgent_only: bool = False,
              lease: timedelta = CLAIM_LEASE) -> list[dict]:
    """Atomically take up to `limit` due rows, urgent first, with the person's window fields joined in."""
    urgent = " AND urgent = 1" if urgent_only else ""
    claimed = db.conn.execute(
        "UPDATE outbox SET status = 'sending', claimed_at = ?, claimed_by = ?, claim_until = ?"
        " WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?" + urgent +
        "              ORDER BY urgent DESC, next_attempt_at, id LIMIT ?)"
        " RETURNING id",
        [iso(now), holder, iso(now + lease), iso(now), limit],
    ).fetchall()
    ids = [row[0] for row in claimed]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return list(db.query(
        "SELECT o.*, p.id AS person_id, p.name AS person_name, p.role AS person_role,"
        " p.last_inbound_at, COALESCE(p.reachable, 1) AS reachable, p.id IS NOT NULL AS known"
        f" FROM outbox o LEFT JOIN people p ON p.openid = o.openid WHERE o.id IN ({marks})"
        " ORDER BY o.urgent DESC, o.next_attempt_at, o.id",
        ids,
    ))


def renew_claims(db: Database, holder: str, until: datetime) -> int:
    """Keep every row this sender still holds: its batch is being worked through."""
    return db.conn.execute(
        "UPDATE outbox SET claim_until = ? WHERE status = 'sending' AND claimed_by = ?", [iso(until), holder]
    ).rowcount


def confirm_claim(db: Database, row_id: int, holder: str, until: datetime) -> bool:
    """Right before sending: is the row still ours? Renewed to `until` if so (longer than one send takes)."""
    return db.conn.execute(
        "UPDATE outbox SET claim_until = ? WHERE id = ? AND status = 'sending' AND claimed_by = ?",
        [iso(until), row_id, holder],
    ).rowcount == 1


def _finish(db: Database, row_id: int, holder: str, sets: str, params: list) -> bool:
    """Only the claim's holder may settle it: a row reclaimed by someone else is theirs now."""
    cursor = db.conn.execute(
        f"UPDATE outbox SET {sets} WHERE id = ? AND status = 'sending' AND claimed_by = ?",
        [*params, row_id, holder],
    )
    return cursor.rowcount == 1


def mark_sent(db: Database, row_id: int, holder: str, channel: str, now: datetime) -> bool:
    return _finish(db, row_id, holder, "status = 'sent', channel = ?, sent_at = ?, last_error = NULL",
                   [channel, iso(now)])


def mark_held(db: Database, row_id: int, holder: str, reason: str, now: datetime) -> bool:
    """Nothing can reach the person now; the row goes out with their next reply."""
    return _finish(db, row_id, holder, "status = 'held', held_at = ?, last_error = ?", [iso(now), reason])


def mark_failed(db: Database, row_id: int, holder: str, error: str, now: datetime) -> bool:
    return _finish(db, row_id, holder, "status = 'failed', last_error = ?, next_attempt_at = ?",
                   [error, iso(now)])


def mark_retry(db: Database, row: dict, holder: str, error: str, now: datetime) -> str:
    """Count a failed attempt: try again after a growing pause, or give up after MAX_ATTEMPTS.
    Returns the new status."""
    attempts = row["attempts"] + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(db, row["id"], holder, "status = 'failed', attempts = ?, last_error = ?", [attempts, error])
        return "failed"
    _finish(db, row["id"], holder, "status = 'pending', attempts = ?, last_error = ?, next_attempt_at = ?",
            [attempts, error, iso(now + backoff(attempts))])
    return "pending"


def release(db: Database, row_id: int, holder: str, not_before: datetime, note: str | None = None) -> bool:
    """Give a claimed row back untried (slowing down): it does not count as an attempt."""
    return _finish(db, row_id, holder, "status = 'pending', next_attempt_at = ?, last_error = COALESCE(?, last_error)",
                   [iso(not_before), note])


# Held rows and admin actions --------------------------------------------------------------------------------

def take_held(db: Database, openid: str, now: datetime, room: int, separator: str = "\n\n") -> list[str]:
    """Texts of the person's held rows that fit in `room` bytes of their reply, oldest first, marked sent
    on channel 'reply'. Rows that do not fit go back to pending: the person's message has just reopened
    the window, so the sender can reach them directly. Call inside the transaction that stores the reply."""
    db.conn.execute(
        "UPDATE outbox SET status = 'cancelled', last_error = 'expired'"
        " WHERE openid = ? AND status = 'held' AND expires_at IS NOT NULL AND expires_at <= ?", [openid, iso(now)],
    )
    rows = list(db.query(
        "SELECT id, body FROM outbox WHERE openid = ? AND status = 'held' ORDER BY urgent DESC, id", [openid]
    ))
    texts: list[str] = []
    for row in rows:
        text = body_text(row["body"])
        cost = len((separator + text).encode())
        if cost <= room:
            room -= cost
            texts.append(text)
            db.conn.execute(
                "UPDATE outbox SET status = 'sent', channel = 'reply', sent_at = ? WHERE id = ? AND status = 'held'",
                [iso(now), row["id"]],
            )
        else:
            room = 0
            db.conn.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ? WHERE id = ? AND status = 'held'",
                [iso(now), row["id"]],
            )
    return texts


def hold_copy(db: Database, row: dict, now: datetime) -> bool:
    """After a template message (a short notice), keep the full text for the person's next reply."""
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO outbox (key, openid, kind, body, urgent, status, next_attempt_at, created_at,"
        " held_at, last_error, expires_at)"
        " VALUES (?, ?, ?, ?, ?, 'held', ?, ?, ?, 'full text of a template notice', ?)",
        [row["key"] + ":full", row["openid"], row["kind"], row["body"], row["urgent"], iso(now), iso(now), iso(now),
         row.get("expires_at")],
    )
    return cursor.rowcount == 1


def retry(db: Database, row_id: int, now: datetime) -> bool:
    """An admin asks for another try of a failed, held or cancelled row."""
    cursor = db.conn.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, expires_at = NULL,"
        " claimed_by = NULL WHERE id = ? AND status IN ('failed', 'held', 'cancelled')",
        [iso(now), row_id],
    )
    return cursor.rowcount == 1


def set_expiry(db: Database, key: str, expires_at: datetime) -> None:
    db.conn.execute("UPDATE outbox SET expires_at = ? WHERE key = ? AND status = 'pending'", [iso(expires_at), key])


def counts(db: Database) -> dict[str, int]:
    return {row[0]: row[1] for row in db.conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")}


def listing(db: Database, status: str | None = None, limit: int = 200) -> list[dict]:
    where = "WHERE o.status = ?" if status else ""
    return list(db.query(
        "SELECT o.*, p.name AS person_name, p.role AS person_role FROM outbox o"
        f" LEFT JOIN people p ON p.openid = o.openid {where} ORDER BY o.id DESC LIMIT ?",
        [status, limit] if status else [limit],
    ))


def body_text(body: str) -> str:
    """The text of a row: bodies are plain text, or JSON with a "text" (and optional "title")."""
    return _body(body).get("text", body)


def body_title(body: str) -> str:
    parsed = _body(body)
    title = parsed.get("title") or parsed.get("text", body).strip().split("\n", 1)[0]
    return title


def _body(body: str) -> dict:
    if body.startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return {"text": body}
        if isinstance(parsed, dict) and isinstance(parsed.get("text"), str):
            return parsed
    return {"text": body}


def take_undelivered(db: Database, openid: str, now: datetime, channel: str) -> list[str]:
    """Every pending or held row of one person, marked sent on `channel`: the demo's chat simulator
    plays WeChat's part and shows pushes at once."""
    with transaction(db):
        rows = list(db.query(
            "SELECT id, body FROM outbox WHERE openid = ? AND status IN ('pending', 'held') ORDER BY id", [openid]
        ))
        for row in rows:
            db.conn.execute("UPDATE outbox SET status = 'sent', channel = ?, sent_at = ? WHERE id = ?",
                            [channel, iso(now), row["id"]])
    return [body_text(row["body"]) for row in rows]
