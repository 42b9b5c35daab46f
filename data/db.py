"""Opening the one SQLite file laoxiao keeps, and applying numbered migrations."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection in autocommit mode: writes outside `transaction()` commit at once, so no
    implicit transaction is ever left open holding the write lock."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    return sqlite_utils.Database(conn)


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
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


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
