"""Leases and job slots: which process acts, and which scheduled slot has already run.

A lease is one row per name: its holder renews it before `expires_at`; anyone may take it once it is stale.
Every change is a single conditional statement, so two processes racing for a lease cannot both win.

A job slot is the scheduled time a job last completed. Claiming a slot is also one conditional statement:
whichever process claims a slot runs it. A slot counts as done only once its job has finished: a claim left
'running' by a holder that no longer holds the scheduler lease (it was killed) is taken over and run again, so
a crash mid-job loses nothing; jobs are idempotent (outbox keys), so the second run adds nothing twice.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlite_utils import Database

from data.clock import iso, parse_iso
from data.db import first


def make_holder(role: str = "proc") -> str:
    """A name for this process that says where it runs: host, pid and a random tail for pid reuse."""
    return f"{role}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def acquire(db: Database, name: str, holder: str, now: datetime, duration: timedelta) -> bool:
    """Take the lease or renew it; True while `holder` holds it until now + duration."""
    cursor = db.conn.execute(
        "INSERT INTO leases (name, holder, acquired_at, renewed_at, expires_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET"
        "  acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at"
        "                     ELSE excluded.acquired_at END,"
        "  holder = excluded.holder, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at"
        " WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.renewed_at",
        [name, holder, iso(now), iso(now), iso(now + duration)],
    )
    return cursor.rowcount == 1


def release(db: Database, name: str, holder: str) -> bool:
    """Give the lease up at once (a clean shutdown), so a standby need not wait for it to go stale."""
    return db.conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder]).rowcount == 1


def current(db: Database, name: str) -> dict | None:
    return first(db, "SELECT * FROM leases WHERE name = ?", [name])


def holds(db: Database, name: str, holder: str, now: datetime) -> bool:
    row = current(db, name)
    return bool(row) and row["holder"] == holder and row["expires_at"] > iso(now)


# Job slots -------------------------------------------------------------------------------------------------

def last_slot(db: Database, job_id: str) -> datetime | None:
    row = job_run(db, job_id)
    return parse_iso(row["last_slot"]) if row else None


def job_run(db: Database, job_id: str) -> dict | None:
    return first(db, "SELECT * FROM job_runs WHERE job_id = ?", [job_id])


def job_runs(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM job_runs ORDER BY job_id"))


def baseline(db: Database, job_id: str, slot: datetime) -> bool:
    """Remember `slot` as done without running it: a job seen for the first time has missed nothing."""
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO job_runs (job_id, last_slot, status) VALUES (?, ?, 'baseline')",
        [job_id, iso(slot)],
    )
    return cursor.rowcount == 1


def claim_slot(db: Database, job_id: str, slot: datetime, holder: str, now: datetime,
               lease_name: str = "scheduler") -> bool:
    """Claim `slot` for running. False when it (or a later one) is already done, or another holder is running
    it and still holds the `lease_name` lease; a claim whose holder lost that lease (it died, or stopped) is
    taken over, so its slot runs again."""
    cursor = db.conn.execute(
        "INSERT INTO job_runs (job_id, last_slot, runs, holder, started_at, status, running_slot)"
        " VALUES (?, '', 1, ?, ?, 'running', ?)"
        " ON CONFLICT(job_id) DO UPDATE SET runs = job_runs.runs + 1, holder = excluded.holder,"
        "  started_at = excluded.started_at, finished_at = NULL, status = 'running', error = NULL,"
        "  running_slot = excluded.running_slot"
        " WHERE job_runs.last_slot < excluded.running_slot"
        "  AND (job_runs.status != 'running' OR (job_runs.holder != excluded.holder AND NOT EXISTS ("
        "   SELECT 1 FROM leases l WHERE l.name = ? AND l.holder = job_runs.holder AND l.expires_at > ?)))",
        [job_id, holder, iso(now), iso(slot), lease_name, iso(now)],
    )
    return cursor.rowcount == 1


def finish_slot(db: Database, job_id: str, slot: datetime, holder: str, now: datetime,
                error: str | None = None) -> bool:
    """Record the outcome of this holder's claim. Only success moves `last_slot`: a failed slot stays to do,
    and the next start (or takeover) runs it again. Call it in the transaction that commits the job's effects
    where there is one; a crash before it means the slot runs again, which outbox keys make harmless."""
    cursor = db.conn.execute(
        "UPDATE job_runs SET finished_at = ?, status = ?, error = ?, running_slot = NULL,"
        " last_slot = CASE WHEN ? IS NULL AND last_slot < running_slot THEN running_slot ELSE last_slot END"
        " WHERE job_id = ? AND running_slot = ? AND holder = ?",
        [iso(now), "failed" if error else "ok", error, error, job_id, iso(slot), holder],
    )
    return cursor.rowcount == 1
