"""Opening the one SQLite file laoxiao keeps, and applying numbered migrations."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
import weakref
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import sqlite_utils

try:
    import fcntl
except ImportError:  # not on Windows: writers then wait in SQLite's busy handler alone
    fcntl = None

BUSY_TIMEOUT_MS = 5000
AUTOCHECKPOINT_PAGES = 4000  # 16 MB of 4 KiB pages: SQLite's default of 1000 checkpoints on requests often
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
CACHE_KIB = 16 * 1024
CHECKPOINT_SECONDS = 30
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection in autocommit mode: writes outside `transaction()` commit at once, so no
    implicit transaction is ever left open holding the write lock.

    Settings for WAL: synchronous=NORMAL syncs at checkpoints, not at every commit (a commit survives a
    crash of the process; a power cut may lose the last ones, never the file's integrity); the WAL is
    checkpointed by the scheduler every CHECKPOINT_SECONDS (`checkpoint`), and on a request only once it
    has grown past AUTOCHECKPOINT_PAGES; journal_size_limit truncates it back after a burst."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", "foreign_keys=ON", "synchronous=NORMAL",
                   f"wal_autocheckpoint={AUTOCHECKPOINT_PAGES}", f"journal_size_limit={JOURNAL_SIZE_LIMIT}",
                   f"cache_size=-{CACHE_KIB}", "temp_store=MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    db = sqlite_utils.Database(conn)
    if str(path) != ":memory:" and fcntl is not None:
        db.writers = WriterQueue(Path(path))
        weakref.finalize(db, db.writers.close)
    return db


def checkpoint(db: sqlite_utils.Database) -> tuple[int, int, int]:
    """Copy the WAL back into the database without waiting for readers (PASSIVE): (busy, log pages,
    checkpointed pages). The scheduler calls it, so requests seldom have to."""
    return tuple(db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Connect, switch to WAL and bring the schema up to date."""
    db = connect(path)
    if str(path) != ":memory:":
        db.conn.execute("PRAGMA journal_mode=WAL")
    migrate(db)
    return db


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """All-or-nothing writes. The outermost level takes the write lock up front (BEGIN IMMEDIATE)
    so two writers never deadlock upgrading a read lock; nested levels are savepoints."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    writers = getattr(db, "writers", None)
    queued = writers.wait() if writers else False
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        else:
            db.conn.execute("COMMIT")
    finally:
        if queued:
            writers.leave()


class WriterQueue:
    """Writers of one database file wait their turn on a file lock before BEGIN IMMEDIATE.

    SQLite's own busy handler polls: a writer finding the lock taken sleeps 1, 2, 5 ... up to 100 ms between
    tries, so two web workers taking turns lost most of their time asleep after the lock was already free
    (throughput of two workers fell to that of one, and p99 to the sleeps). The kernel hands a flock to the
    next waiter as soon as it is released. A holder that dies releases it with its file descriptor; a wait
    longer than the busy timeout gives up the queue and leaves the decision to SQLite, as before."""

    def __init__(self, path: Path):
        self.fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)

    def wait(self) -> bool:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.0002
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def leave(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self.fd)


def first(db: sqlite_utils.Database, sql: str, params: list | tuple = ()) -> dict | None:
    """The first row of a query as a dict, or None."""
    return next(iter(db.query(sql, params)), None)


def available_migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every bundled migration, in order."""
    found = []
    for entry in resources.files("data.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction. Returns their names."""
    db.conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
    )
    applied = {row[0] for row in db.conn.execute("SELECT number FROM schema_migrations")}
    done = []
    for number, name, sql in available_migrations():
        if number in applied:
            continue
        with transaction(db):
            # Another process may have applied it while we waited for the lock.
            if db.conn.execute("SELECT 1 FROM schema_migrations WHERE number = ?", [number]).fetchone():
                continue
            for statement in _split_sql(sql):
                db.conn.execute(statement)
            db.conn.execute("INSERT INTO schema_migrations (number, name) VALUES (?, ?)", [number, name])
        done.append(name)
    return done


def _split_sql(sql: str) -> list[str]:
    """executescript() would commit our transaction; split on statement ends instead."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
