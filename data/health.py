"""What /healthz reports: the database answers, a scheduler holds its lease, the outbox is being drained, and no
urgent message is stuck waiting for its person's next reply. Each check says ok or not, with its figures."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from data import lease
from data.clock import iso, parse_iso

# The outbox job runs every 10 s by default: a due row this old means no sender is working.
BACKLOG_STALE = timedelta(minutes=5)
# An urgent row held (nobody reachable) this long needs a person: a phone call, not a chat message.
URGENT_HELD_STALE = timedelta(hours=1)


def checks(db: Database, now: datetime) -> dict[str, dict]:
    return {"database": _database(db), "scheduler": _scheduler(db, now), "outbox": _outbox(db, now),
            "held": _held(db, now)}


def _database(db: Database) -> dict:
    migrations = db.execute("SELECT COUNT(*), MAX(number) FROM schema_migrations").fetchone()
    integrity = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    return {"ok": integrity == "ok", "migrations": migrations[0], "latest_migration": migrations[1],
            "quick_check": integrity}


def _scheduler(db: Database, now: datetime) -> dict:
    row = lease.current(db, "scheduler")
    if row is None:
        return {"ok": False, "error": "no scheduler holds the lease (is `laoxiao scheduler` running?)"}
    renewed = (now - parse_iso(row["renewed_at"])).total_seconds()
    alive = row["expires_at"] > iso(now)
    return {"ok": alive, "holder": row["holder"], "seconds_since_renewal": round(renewed),
            **({} if alive else {"error": "the scheduler's lease has lapsed: it stopped renewing"})}


def _outbox(db: Database, now: datetime) -> dict:
    due, oldest = db.execute(
        "SELECT COUNT(*), MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?",
        [iso(now)]).fetchone()
    lapsed = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sending' AND claim_until <= ?",
                        [iso(now)]).fetchone()[0]
    failed = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").fetchone()[0]
    waiting = (now - parse_iso(oldest)).total_seconds() if oldest else 0
    ok = waiting <= BACKLOG_STALE.total_seconds()
    return {"ok": ok, "due": due, "oldest_due_seconds": round(waiting), "lapsed_claims": lapsed, "failed": failed,
            **({} if ok else {"error": "messages have been due for minutes: is the sender running?"})}


def _held(db: Database, now: datetime) -> dict:
    held, reminders = db.execute(
        "SELECT COUNT(*), SUM(kind = 'reminder') FROM outbox WHERE status = 'held'").fetchone()
    stuck = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'held' AND urgent = 1 AND held_at <= ?",
                       [iso(now - URGENT_HELD_STALE)]).fetchone()[0]
    return {"ok": stuck == 0, "held": held, "held_reminders": reminders or 0, "urgent_held_over_an_hour": stuck,
            **({} if stuck == 0 else {"error": "urgent messages wait for a reply that has not come: call them"})}
