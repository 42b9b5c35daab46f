"""Community social organisations and volunteer teams cultivated (培育) by the project.

Only those founded or registered within the project's period count toward the indicator (an association
that existed before and registered during the project was cultivated by it; one that merely joined was not).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from data import audit
from data.clock import iso
from data.db import first, transaction
from data.record_rules import Actor, RecordError, Where, one_of, optional_day, text_of, whole_number

KINDS = {"social_org": "社区社会组织", "volunteer_team": "志愿服务队"}


def record_organisation(db: Database, project: str, *, name: str, kind: str, by: Actor, now: datetime,
                        today: date, site_id: int | None = None, founded_on: str | date | None = None,
                        registered_on: str | date | None = None, members: int | str = 0, leader: str = "",
                        team_id: int | None = None, notes: str = "") -> int:
    """Record an organisation or team (by its unique name); recording it again updates its dates and members
    and returns the same id."""
    project = one_of(project, ("elder", "child"), "项目")
    name = text_of(name, "名称", limit=60)
    kind = one_of(kind, KINDS, "类型")
    founded = optional_day(founded_on, today, "成立日期")
    registered = optional_day(registered_on, today, "备案日期")
    if not founded and not registered:
        raise RecordError("请填写成立日期或备案日期：只有项目期内培育的才计入指标")
    count = whole_number(members, "成员人数", 0, 100_000, default=0)
    leader = text_of(leader, "负责人", required=False, limit=40)
    notes = text_of(notes, "备注", required=False)
    with transaction(db):
        existing = first(db, "SELECT id FROM organisations WHERE name = ?", [name])
        values = [project, site_id, kind, founded, registered, count, leader, team_id, notes]
        if existing:
            db.conn.execute("UPDATE organisations SET project = ?, site_id = ?, kind = ?, founded_on = ?,"
                            " registered_on = ?, members = ?, leader = ?, team_id = ?, notes = ? WHERE id = ?",
                            [*values, existing["id"]])
            org_id = existing["id"]
        else:
            org_id = db.conn.execute(
                "INSERT INTO organisations (project, site_id, kind, founded_on, registered_on, members, leader,"
                " team_id, notes, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*values, name, iso(now)]).lastrowid
        audit.record(db, now, by.label, "organisation_record", f"organisation:{org_id}", {"project": project})
    return org_id


def list_organisations(db: Database, project: str | None = None, site_ids: list[int] | None = None) -> list[dict]:
    where = Where()
    if project:
        where.add("o.project = ?", project)
    if site_ids is not None:  # organisations of the whole project (no site) are everyone's
        where.add(f"(o.site_id IS NULL OR o.site_id IN ({','.join('?' * len(site_ids)) or 'NULL'}))", *site_ids)
    return list(db.query(
        "SELECT o.*, s.name AS site_name, t.name AS team_name FROM organisations o"
        " LEFT JOIN sites s ON s.id = o.site_id LEFT JOIN teams t ON t.id = o.team_id"
        f"{where} ORDER BY COALESCE(o.founded_on, o.registered_on) DESC, o.id DESC", where.params))


# An organisation is cultivated within [first, last] when founded or registered in it.
CULTIVATED_SQL = "(o.founded_on BETWEEN :first AND :last OR o.registered_on BETWEEN :first AND :last)"
