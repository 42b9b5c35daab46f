"""Volunteer teams (志愿服务队): the sites they serve, the need categories they take, leaders and members,
and how many open requests they can carry at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from data.clock import iso
from data.db import first

OPEN_STATUSES = ("assigned", "accepted")
MEMBER_ROLES = {"leader": "队长", "member": "队员"}


class TeamError(ValueError):
    """A team name, site, category or member that cannot be used; the message is shown as is."""


def add_team(db: Database, name: str, now: datetime, capacity: int = 5) -> int:
    name = name.strip()
    if not name:
        raise TeamError("服务队名称不能为空")
    if capacity < 0:
        raise TeamError("容量不能是负数")
    if find_team(db, name):
        raise TeamError(f"服务队「{name}」已存在")
    cursor = db.conn.execute(
        "INSERT INTO teams (name, capacity, active, created_at, updated_at) VALUES (?, ?, 1, ?, ?)",
        [name, capacity, iso(now), iso(now)],
    )
    return cursor.lastrowid


def update_team(db: Database, team_id: int, now: datetime, name: str | None = None,
                capacity: int | None = None, active: bool | None = None) -> None:
    if name is not None:
        name = name.strip()
        other = find_team(db, name)
        if not name or (other and other["id"] != team_id):
            raise TeamError(f"服务队名称「{name}」不能用（为空或已存在）")
    if capacity is not None and capacity < 0:
        raise TeamError("容量不能是负数")
    db.conn.execute(
        "UPDATE teams SET name = COALESCE(?, name), capacity = COALESCE(?, capacity),"
        " active = COALESCE(?, active), updated_at = ? WHERE id = ?",
        [name, capacity, None if active is None else int(active), iso(now), team_id],
    )


def find_team(db: Database, name: str) -> dict | None:
    return first(db, "SELECT * FROM teams WHERE name = ?", [name.strip()])


def get_team(db: Database, team_id: int | None) -> dict | None:
    if team_id is None:
        return None
    return first(db, "SELECT * FROM teams WHERE id = ?", [team_id])


def set_sites(db: Database, team_id: int, site_ids: Iterable[int], replace: bool = False) -> None:
    if replace:
        db.conn.execute("DELETE FROM team_sites WHERE team_id = ?", [team_id])
    for site_id in site_ids:
        db.conn.execute("INSERT OR IGNORE INTO team_sites (team_id, site_id) VALUES (?, ?)", [team_id, site_id])


def remove_sites(db: Database, team_id: int, site_ids: Iterable[int]) -> None:
    for site_id in site_ids:
        db.conn.execute("DELETE FROM team_sites WHERE team_id = ? AND site_id = ?", [team_id, site_id])


def set_categories(db: Database, team_id: int, categories: Iterable[str], replace: bool = False) -> None:
    if replace:
        db.conn.execute("DELETE FROM team_categories WHERE team_id = ?", [team_id])
    for category in categories:
        db.conn.execute("INSERT OR IGNORE INTO team_categories (team_id, category) VALUES (?, ?)",
                        [team_id, category])


def remove_categories(db: Database, team_id: int, categories: Iterable[str]) -> None:
    for category in categories:
        db.conn.execute("DELETE FROM team_categories WHERE team_id = ? AND category = ?", [team_id, category])


def add_member(db: Database, team_id: int, person_id: int, role: str = "member") -> None:
    """Adds the person, or changes their role when already in the team."""
    if role not in MEMBER_ROLES:
        raise TeamError(f"队内角色只能是 {'、'.join(MEMBER_ROLES)}")
    db.conn.execute(
        "INSERT INTO team_members (team_id, person_id, role) VALUES (?, ?, ?)"
        " ON CONFLICT(team_id, person_id) DO UPDATE SET role = excluded.role",
        [team_id, person_id, role],
    )


def remove_member(db: Database, team_id: int, person_id: int) -> None:
    db.conn.execute("DELETE FROM team_members WHERE team_id = ? AND person_id = ?", [team_id, person_id])


def members(db: Database, team_id: int, role: str | None = None) -> list[dict]:
    """People of the team (leaders first), each with `team_role`."""
    sql = ("SELECT p.*, m.role AS team_role FROM team_members m JOIN people p ON p.id = m.person_id"
           " WHERE m.team_id = ?")
    params: list = [team_id]
    if role:
        sql += " AND m.role = ?"
        params.append(role)
    return list(db.query(sql + " ORDER BY m.role = 'member', p.id", params))


def leaders(db: Database, team_id: int) -> list[dict]:
    return members(db, team_id, "leader")


def is_member(db: Database, team_id: int | None, person_id: int) -> bool:
    if team_id is None:
        return False
    row = db.conn.execute("SELECT 1 FROM team_members WHERE team_id = ? AND person_id = ?",
                          [team_id, person_id]).fetchone()
    return row is not None


def teams_of_person(db: Database, person_id: int) -> list[dict]:
    return list(db.query(
        "SELECT t.*, m.role AS team_role FROM team_members m JOIN teams t ON t.id = m.team_id"
        " WHERE m.person_id = ? ORDER BY t.id", [person_id]))


def open_count(db: Database, team_id: int) -> int:
    marks = ",".join("?" * len(OPEN_STATUSES))
    return db.conn.execute(f"SELECT COUNT(*) FROM requests WHERE team_id = ? AND status IN ({marks})",
                           [team_id, *OPEN_STATUSES]).fetchone()[0]


def eligible_teams(db: Database, category: str, site_id: int | None,
                   exclude: Iterable[int] = ()) -> list[dict]:
    """Active teams serving the category at the site, each with `open_count`, least busy first."""
    excluded = list(exclude)
    marks = ",".join("?" * len(OPEN_STATUSES))
    not_in = f" AND t.id NOT IN ({','.join('?' * len(excluded))})" if excluded else ""
    return list(db.query(
        f"SELECT t.*, (SELECT COUNT(*) FROM requests r WHERE r.team_id = t.id AND r.status IN ({marks}))"
        " AS open_count FROM teams t"
        " JOIN team_categories c ON c.team_id = t.id AND c.category = ?"
        " JOIN team_sites s ON s.team_id = t.id AND s.site_id = ?"
        f" WHERE t.active = 1{not_in} ORDER BY open_count, t.id",
        [*OPEN_STATUSES, category, site_id, *excluded],
    ))


def pick_team(db: Database, category: str, site_id: int | None, exclude: Iterable[int] = ()) -> dict | None:
    """The eligible team with the fewest open requests that is still under capacity, or None."""
    for team in eligible_teams(db, category, site_id, exclude):
        if team["open_count"] < team["capacity"]:
            return team
    return None


def list_teams(db: Database) -> list[dict]:
    """Every team with its site names, categories, leaders, member count and open requests."""
    teams = list(db.query("SELECT * FROM teams ORDER BY active DESC, id"))
    for team in teams:
        team["sites"] = [r["name"] for r in db.query(
            "SELECT s.name FROM team_sites ts JOIN sites s ON s.id = ts.site_id WHERE ts.team_id = ?"
            " ORDER BY s.id", [team["id"]])]
        team["categories"] = [r["category"] for r in db.query(
            "SELECT category FROM team_categories WHERE team_id = ? ORDER BY rowid", [team["id"]])]
        people_ = members(db, team["id"])
        team["leaders"] = [p["name"] or p["openid"] for p in people_ if p["team_role"] == "leader"]
        team["member_names"] = [p["name"] or p["openid"] for p in people_ if p["team_role"] == "member"]
        team["open_count"] = open_count(db, team["id"])
    return teams
