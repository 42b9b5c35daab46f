"""The web app keeps one database connection per worker thread instead of opening one per request, and the
database runs with the settings WAL wants."""

from __future__ import annotations

import threading

from bot import storage
from data import connect
from data.db import checkpoint, transaction


def test_a_thread_keeps_its_connection_across_requests_and_each_thread_has_its_own(app, wechat):
    seen = []
    with app.app_context():
        seen.append(storage.get_db())
    wechat.say("conn-user", "帮助")
    with app.app_context():
        seen.append(storage.get_db())
    assert seen[0] is seen[1]

    other = []
    thread = threading.Thread(target=lambda: other.append(_db_in_context(app)))
    thread.start()
    thread.join()
    assert other[0] is not seen[0]


def _db_in_context(app):
    with app.app_context():
        return storage.get_db()


def test_a_transaction_an_error_left_open_is_rolled_back_not_kept(app):
    with app.app_context():
        db = storage.get_db()
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute("INSERT INTO audit (at, action) VALUES ('2026-11-20T00:00:00Z', 'half')")
    assert not db.conn.in_transaction
    assert db.execute("SELECT COUNT(*) FROM audit WHERE action = 'half'").fetchone() == (0,)


def test_connections_are_closed_at_shutdown(app):
    with app.app_context():
        db = storage.get_db()
    storage.close_all()
    try:
        db.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001
        assert "closed" in str(exc)
    else:
        raise AssertionError("still open")


def test_wal_settings_and_a_checkpoint_off_the_request_path(settings, app):
    db = connect(settings.db_path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    assert db.execute("PRAGMA journal_size_limit").fetchone()[0] > 0
    with transaction(db):
        db.conn.execute("INSERT INTO audit (at, action) VALUES ('2026-11-20T00:00:00Z', 'x')")
    busy, pages, done = checkpoint(db)
    assert busy == 0 and done == pages
    db.close()
