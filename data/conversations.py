"""Per-person conversation state: which flow, which step, what has been collected."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from data.clock import iso, parse_iso


def load(db: Database, openid: str) -> dict | None:
    rows = list(db.query("SELECT * FROM conversations WHERE openid = ?", [openid]))
    if not rows:
        return None
    row = rows[0]
    row["data"] = json.loads(row["data"])
    row["expires_at"] = parse_iso(row["expires_at"])
    return row


def save(db: Database, openid: str, flow: str, step: str, data: dict[str, Any], now: datetime,
         idle: timedelta) -> None:
    db.conn.execute(
        "INSERT INTO conversations (openid, flow, step, data, started_at, updated_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(openid) DO UPDATE SET flow = excluded.flow, step = excluded.step, data = excluded.data,"
        " updated_at = excluded.updated_at, expires_at = excluded.expires_at",
        [openid, flow, step, json.dumps(data, ensure_ascii=False), iso(now), iso(now), iso(now + idle)],
    )


def clear(db: Database, openid: str) -> None:
    db.conn.execute("DELETE FROM conversations WHERE openid = ?", [openid])
