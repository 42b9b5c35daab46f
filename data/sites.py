"""Sites: the community and the villages, each in the elder or the child project."""

from __future__ import annotations

from sqlite_utils import Database

from data.db import first

PROJECTS = {"elder": "老年项目", "child": "儿童项目"}


class SiteError(ValueError):
    """A site name or project that cannot be used."""


def add_site(db: Database, name: str, project: str) -> int:
    name = name.strip()
    if not name:
        raise SiteError("站点名称不能为空")
    if project not in PROJECTS:
        raise SiteError(f"项目只能是 {' 或 '.join(PROJECTS)}")
    if find_site(db, name):
        raise SiteError(f"站点「{name}」已存在")
    cursor = db.conn.execute("INSERT INTO sites (name, project) VALUES (?, ?)", [name, project])
    return cursor.lastrowid


def find_site(db: Database, name: str) -> dict | None:
    return first(db, "SELECT * FROM sites WHERE name = ?", [name.strip()])


def get_site(db: Database, site_id: int | None) -> dict | None:
    if site_id is None:
        return None
    return first(db, "SELECT * FROM sites WHERE id = ?", [site_id])


def list_sites(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM sites ORDER BY id"))
