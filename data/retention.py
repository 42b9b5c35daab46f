"""Keeping people's words no longer than needed: old message text is dropped, the keys that dedupe stay."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from data.clock import iso
from data.db import transaction


def purge_old_messages(db: Database, now: datetime, keep_days: int) -> dict[str, int]:
    """Forget the text of messages (and our replies) older than `keep_days`; drop stale pages and failed
    binding attempts. Records made from messages (visits, requests, reports) are kept: they are the work."""
    cutoff = iso(now - timedelta(days=keep_days))
    with transaction(db):
        messages = db.conn.execute(
            "UPDATE inbound SET content = NULL, reply = NULL WHERE received_at < ?"
            " AND (content IS NOT NULL OR reply IS NOT NULL)", [cutoff],
        ).rowcount
        pages = db.conn.execute("DELETE FROM pending_pages WHERE created_at < ?",
                                [iso(now - timedelta(days=1))]).rowcount
        attempts = db.conn.execute("DELETE FROM attempts WHERE at < ?", [iso(now - timedelta(days=7))]).rowcount
        # Unfinished entries hold people's words too: gone a day after they lapsed.
        lapsed = iso(now - timedelta(days=1))
        drafts = db.conn.execute("DELETE FROM conversations WHERE expires_at < ?", [lapsed]).rowcount
        drafts += db.conn.execute("DELETE FROM drafts WHERE expires_at < ?", [lapsed]).rowcount
        db.conn.execute("DELETE FROM menus WHERE expires_at < ?", [lapsed])
    return {"messages": messages, "pages": pages, "attempts": attempts, "drafts": drafts}
