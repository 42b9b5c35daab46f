"""The audit trail: who changed or read what, and when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from data.clock import iso


def record(db: Database, now: datetime, actor: str | None, action: str, subject: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    db.conn.execute(
        "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        [iso(now), actor, action, subject, json.dumps(detail, ensure_ascii=False) if detail else None],
    )


def entries(db: Database, subject: str) -> list[dict]:
    return list(db.query("SELECT * FROM audit WHERE subject = ? ORDER BY id", [subject]))
