"""The outbox: every message laoxiao sends on its own, stored first and sent by the sender.

A row's key is unique, so enqueuing the same message twice never sends it twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from data.clock import iso


def enqueue(db: Database, key: str, openid: str, kind: str, body: str | dict[str, Any], now: datetime,
            urgent: bool = False, not_before: datetime | None = None) -> bool:
    """True when the row is new; False when a message with this key was already queued."""
    payload = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO outbox (key, openid, kind, body, urgent, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [key, openid, kind, payload, int(urgent), iso(not_before or now), iso(now)],
    )
    return cursor.rowcount == 1


def rows(db: Database, status: str | None = None, openid: str | None = None) -> list[dict]:
    where, params = [], []
    if status:
        where.append("status = ?")
        params.append(status)
    if openid:
        where.append("openid = ?")
        params.append(openid)
    sql = "SELECT * FROM outbox" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    return list(db.query(sql, params))
