"""The inbound log. A message's key is claimed in the same transaction as its work, so a WeChat retry of the
same message is recognised and answered with the stored reply instead of being handled again."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from data.clock import iso
from data.db import first


def claim(db: Database, key: str, openid: str, channel: str, msg_type: str, event: str | None,
          content: str | None, now: datetime) -> dict | None:
    """None when this call is the first to handle the key and so must do the work; else the row already there.

    Called inside the message's transaction, so the claim commits with the work or not at all. A row still
    'processing' was left by a version that claimed outside the work's transaction and died: it is taken over.
    """
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO inbound (key, openid, channel, msg_type, event, content, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [key, openid, channel, msg_type, event, content, iso(now)],
    )
    if cursor.rowcount == 1:
        return None
    row = get(db, key)
    return None if row is None or row["status"] == "processing" else row


def get(db: Database, key: str) -> dict | None:
    return first(db, "SELECT * FROM inbound WHERE key = ?", [key])


def finish(db: Database, key: str, reply: str | None, now: datetime, status: str = "done") -> None:
    db.conn.execute(
        "UPDATE inbound SET status = ?, reply = ?, replied_at = ? WHERE key = ?",
        [status, reply, iso(now), key],
    )


def recent_texts(db: Database, openid: str, limit: int = 5) -> list[dict]:
    """The person's last messages with text, newest last (for a handoff ticket)."""
    rows = list(db.query(
        "SELECT received_at, content FROM inbound WHERE openid = ? AND content IS NOT NULL AND content != ''"
        " ORDER BY received_at DESC, rowid DESC LIMIT ?",
        [openid, limit],
    ))
    return rows[::-1]
