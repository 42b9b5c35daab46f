"""People known by their WeChat openid, with a role and (for staff) a site."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from data.clock import iso
from data.db import first

ROLES = {
    "admin": "管理员",
    "worker": "社工",
    "director": "儿童主任",
    "team_lead": "志愿服务队队长",
    "volunteer": "志愿者",
    "family": "居民/家属",
}
STAFF_ROLES = ("admin", "worker", "director")


def get_person(db: Database, openid: str) -> dict | None:
    return first(db, "SELECT * FROM people WHERE openid = ?", [openid])


def get_person_by_id(db: Database, person_id: int) -> dict | None:
    return first(db, "SELECT * FROM people WHERE id = ?", [person_id])


def ensure_person(db: Database, openid: str, now: datetime) -> dict:
    """The person behind an openid; anyone not yet known starts as family (the public)."""
    db.conn.execute(
        "INSERT OR IGNORE INTO people (openid, role, created_at, updated_at) VALUES (?, 'family', ?, ?)",
        [openid, iso(now), iso(now)],
    )
    return get_person(db, openid)


def note_inbound(db: Database, openid: str, now: datetime) -> None:
    """A message from the person reopens WeChat's 48-hour window and makes them reachable again."""
    db.conn.execute(
        "UPDATE people SET last_inbound_at = ?, reachable = 1, updated_at = ? WHERE openid = ?",
        [iso(now), iso(now), openid],
    )


def set_reachable(db: Database, openid: str, reachable: bool, now: datetime) -> None:
    db.conn.execute(
        "UPDATE people SET reachable = ?, updated_at = ? WHERE openid = ?",
        [int(reachable), iso(now), openid],
    )


def assign_role(db: Database, person_id: int, role: str, site_id: int | None, name: str | None,
                now: datetime) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    db.conn.execute(
        "UPDATE people SET role = ?, site_id = ?, name = COALESCE(?, name), updated_at = ? WHERE id = ?",
        [role, site_id, name, iso(now), person_id],
    )


def find_people(db: Database, name_or_openid: str) -> list[dict]:
    return list(db.query(
        "SELECT * FROM people WHERE openid = ? OR name = ? ORDER BY id", [name_or_openid, name_or_openid]
    ))


def staff_of_site(db: Database, site_id: int | None, roles: tuple[str, ...] = ("worker",)) -> list[dict]:
    """Reachable people with one of the roles at the site; admins have no site."""
    marks = ",".join("?" * len(roles))
    return list(db.query(
        f"SELECT * FROM people WHERE role IN ({marks}) AND (site_id = ? OR role = 'admin') "
        "AND reachable = 1 ORDER BY id",
        [*roles, site_id],
    ))


def admins(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM people WHERE role = 'admin' AND reachable = 1 ORDER BY id"))
