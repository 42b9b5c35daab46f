"""Sites: the community and the villages, each in the elder or the child project."""

from __future__ import annotations

from sqlite_utils import Database

from data.db import first

PROJECTS = {"elder": "老年项目", "child": "儿童项目"}


class SiteError(ValueError):
    """A site name or project that cannot be used."""


def add_site(db: Database, name: str, project: str, township: str | None = None) -> int:
    """A new site; `township` (镇/街道) lets a township supervisor (儿童督导员) see its villages."""
    name = name.strip()
    if not name:
        raise SiteError("站点名称不能为空")
    if project not in PROJECTS:
        raise SiteError(f"项目只能是 {' 或 '.join(PROJECTS)}")
    if find_site(db, name):
        raise SiteError(f"站点「{name}」已存在")
    cursor = db.conn.execute("INSERT INTO sites (name, project, township) VALUES (?, ?, ?)",
                             [name, project, (township or "").strip() or None])
    return cursor.lastrowid


def set_township(db: Database, site_id: int, township: str | None) -> None:
    db.conn.execute("UPDATE sites SET township = ? WHERE id = ?", [(township or "").strip() or None, site_id])


def site_ids_of_township(db: Database, township: str) -> list[int]:
    return [row["id"] for row in db.query("SELECT id FROM sites WHERE township = ? ORDER BY id", [township])]


def find_site(db: Database, name: str) -> dict | None:
    return first(db, "SELECT * FROM sites WHERE name = ?", [name.strip()])


def get_site(db: Database, site_id: int | None) -> dict | None:
    if site_id is None:
        return None
    return first(db, "SELECT * FROM sites WHERE id = ?", [site_id])


def list_sites(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM sites ORDER BY id"))
