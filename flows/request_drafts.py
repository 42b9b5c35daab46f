"""A request left half-way is not lost: 30 minutes after the last answer, the conversation is set aside as a
draft (handlers.dispatcher does that when the person next writes) and the family is reminded once, by push,
that it has not gone out and how to finish or drop it."""

from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from data import outbox
from data import requests as reqs
from data.db import transaction

KIND = "request"


def remind(db: Database, now: datetime) -> int:
    """Push one reminder per unfinished request conversation; returns how many were new."""
    sent = 0
    for row in reqs.unfinished_requests(db, now):
        values = json.loads(row["data"]).get("values") or {}
        what = f"「{values['need'][:20]}」" if values.get("need") else ""
        body = (f"您刚才的求助{what}还没有发出去。回「继续」接着填完（一天内有效），回「取消」就不办了。"
                "有急事请直接拨打120或110。")
        with transaction(db):
            sent += outbox.enqueue(db, f"request-draft:{row['person_id']}:{row['started_at']}", row["openid"], KIND,
                                   body, now)
    return sent
