"""One database connection per request, closed when the request ends."""

from __future__ import annotations

from flask import current_app, g
from sqlite_utils import Database

from data import connect


def get_db() -> Database:
    if "db" not in g:
        g.db = connect(current_app.config["LAOXIAO"].db_path)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()
