"""One long-lived database connection per worker thread, opened on its first request and kept.

A connection per request made SQLite checkpoint and delete the WAL whenever the last connection closed
(922 unlinks and 2,245 fdatasyncs for 1,649 messages, a third of a worker's time). A thread's connection
lives as long as the thread: gunicorn's sync workers and waitress keep theirs for the life of the process,
and all of them are closed at shutdown. Each app keeps its own connections (tests build many apps).
"""

from __future__ import annotations

import atexit
import threading
import weakref

from flask import Flask, current_app
from sqlite_utils import Database

from data import connect

_EXTENSION = "laoxiao.connections"


class Connections:
    """The connections of one app, one per thread that served a request."""

    def __init__(self, path: str):
        self.path = path
        self.local = threading.local()
        self.lock = threading.Lock()
        self.opened: weakref.WeakSet = weakref.WeakSet()

    def get(self) -> Database:
        db = getattr(self.local, "db", None)
        if db is None:
            db = self.local.db = connect(self.path)
            with self.lock:
                self.opened.add(db)
        return db

    def close_all(self) -> None:
        with self.lock:
            databases = list(self.opened)
            self.opened.clear()
        for db in databases:
            try:
                db.close()
            except Exception:  # noqa: BLE001,S110 (a connection busy in another thread at exit: the OS closes it)
                pass


_every_app: weakref.WeakSet = weakref.WeakSet()


def init_app(app: Flask) -> None:
    connections = Connections(str(app.config["LAOXIAO"].db_path))
    app.extensions[_EXTENSION] = connections
    _every_app.add(connections)
    app.teardown_appcontext(_end_request)


def get_db() -> Database:
    return current_app.extensions[_EXTENSION].get()


def _end_request(_exc: BaseException | None = None) -> None:
    """The connection stays open; a transaction an error left open must not."""
    db = getattr(current_app.extensions[_EXTENSION].local, "db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


@atexit.register
def close_all() -> None:
    for connections in list(_every_app):
        connections.close_all()
