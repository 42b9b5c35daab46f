"""Per-person conversation state (which flow, which step, what has been collected) and the drafts a person set
aside by starting something else.

Every function here runs inside the one transaction that handles a message (handlers.inbox), so a read, the step
and the write of one message can never interleave with another message from the same person.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from data.clock import iso, parse_iso
from data.db import first

MAX_DRAFTS = 3


def load(db: Database, person_id: int) -> dict | None:
    """The active state: flow, step, version, data (a dict), started_at and expires_at (datetimes)."""
    row = first(db, "SELECT * FROM conversations WHERE person_id = ?", [person_id])
    return _decoded(row) if row else None


def save(db: Database, person_id: int, flow: str, step: str, version: int, data: dict[str, Any], now: datetime,
         idle: timedelta, started: datetime | None = None) -> None:
    """Write the state; a conversation keeps the moment it started (`started` restores a draft's)."""
    db.conn.execute(
        "INSERT INTO conversations (person_id, flow, step, version, data, started_at, updated_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(person_id) DO UPDATE SET flow = excluded.flow, step = excluded.step,"
        " version = excluded.version, data = excluded.data, updated_at = excluded.updated_at,"
        " expires_at = excluded.expires_at,"
        " started_at = CASE WHEN conversations.flow = excluded.flow AND ? IS NULL THEN conversations.started_at"
        " ELSE excluded.started_at END",
        [person_id, flow, step, version, json.dumps(data, ensure_ascii=False), iso(started or now), iso(now),
         iso(now + idle), iso(started) if started else None],
    )


def clear(db: Database, person_id: int) -> None:
    db.conn.execute("DELETE FROM conversations WHERE person_id = ?", [person_id])


def started_at(db: Database, person_id: int) -> str | None:
    row = db.conn.execute("SELECT started_at FROM conversations WHERE person_id = ?", [person_id]).fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------- drafts

def stash(db: Database, person_id: int, state: dict, label: str, reason: str, now: datetime,
          keep: timedelta) -> int:
    """Set a state aside as a draft (only the newest few are kept, one per flow and label)."""
    db.conn.execute("DELETE FROM drafts WHERE person_id = ? AND flow = ? AND label = ?",
                    [person_id, state["flow"], label])
    cursor = db.conn.execute(
        "INSERT INTO drafts (person_id, flow, step, version, data, label, reason, started_at, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [person_id, state["flow"], state["step"], state.get("version", 1),
         json.dumps(state["data"], ensure_ascii=False), label, reason,
         iso(state["started_at"]) if isinstance(state.get("started_at"), datetime) else iso(now),
         iso(now), iso(now + keep)])
    db.conn.execute(
        "DELETE FROM drafts WHERE person_id = ? AND id NOT IN"
        " (SELECT id FROM drafts WHERE person_id = ? ORDER BY id DESC LIMIT ?)",
        [person_id, person_id, MAX_DRAFTS])
    return cursor.lastrowid


def drafts(db: Database, person_id: int, now: datetime, reasons: tuple[str, ...] | None = None) -> list[dict]:
    """The person's drafts still within their time, newest first."""
    rows = db.query("SELECT * FROM drafts WHERE person_id = ? AND expires_at > ? ORDER BY id DESC",
                    [person_id, iso(now)])
    return [_decoded(r) for r in rows if reasons is None or r["reason"] in reasons]


def take_draft(db: Database, person_id: int, draft_id: int) -> dict | None:
    row = first(db, "SELECT * FROM drafts WHERE id = ? AND person_id = ?", [draft_id, person_id])
    if row is None:
        return None
    db.conn.execute("DELETE FROM drafts WHERE id = ?", [draft_id])
    return _decoded(row)


def drop_expired_drafts(db: Database, now: datetime) -> int:
    return db.conn.execute("DELETE FROM drafts WHERE expires_at <= ?", [iso(now)]).rowcount


def _decoded(row: dict) -> dict:
    row = dict(row)
    row["data"] = json.loads(row["data"])
    for key in ("expires_at", "started_at"):
        if row.get(key):
            row[key] = parse_iso(row[key])
    return row
