"""The unsent rest of a long answer, one stack per person, served page by page on 更多."""

from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from data.clock import iso


def keep(db: Database, openid: str, pages: list[str], now: datetime) -> None:
    if not pages:
        db.conn.execute("DELETE FROM pending_pages WHERE openid = ?", [openid])
        return
    db.conn.execute(
        "INSERT INTO pending_pages (openid, pages, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT(openid) DO UPDATE SET pages = excluded.pages, created_at = excluded.created_at",
        [openid, json.dumps(pages, ensure_ascii=False), iso(now)],
    )


def take(db: Database, openid: str) -> list[str]:
    rows = list(db.query("SELECT pages FROM pending_pages WHERE openid = ?", [openid]))
    return json.loads(rows[0]["pages"]) if rows else []
