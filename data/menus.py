"""The numbered list a person was last shown outside a conversation (the help menu, a choice between drafts,
「1. 记一次走访 2. 提一个求助」), so that a bare number answers it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlite_utils import Database

from data.clock import iso
from data.db import first

KEEP = timedelta(minutes=30)


def remember(db: Database, person_id: int, options: list[dict], now: datetime) -> None:
    db.conn.execute(
        "INSERT INTO menus (person_id, options, shown_at, expires_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(person_id) DO UPDATE SET options = excluded.options, shown_at = excluded.shown_at,"
        " expires_at = excluded.expires_at",
        [person_id, json.dumps(options, ensure_ascii=False), iso(now), iso(now + KEEP)])


def recall(db: Database, person_id: int, now: datetime) -> list[dict] | None:
    row = first(db, "SELECT options FROM menus WHERE person_id = ? AND expires_at > ?", [person_id, iso(now)])
    return json.loads(row["options"]) if row else None


def forget(db: Database, person_id: int) -> None:
    db.conn.execute("DELETE FROM menus WHERE person_id = ?", [person_id])
