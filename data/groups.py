"""Group work (小组): a group of a site, its members, and its sessions (date, topic, attendance).

A group counts toward the 小组工作 indicator when it has at least `MIN_MEMBERS` members and `MIN_SESSIONS`
sessions held (实施方案: 组员人数不少于8人，活动不少于4次). Adding the same member or the same session (same day and
topic) twice records it once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from data import audit
from data.clock import iso
from data.db import first, transaction
from data.record_rules import Actor, RecordError, Where, day_of, one_of, text_of, whole_number

TYPES = ("心理支持", "同伴支持", "兴趣爱好", "增能")
MIN_MEMBERS = 8
MIN_SESSIONS = 4

_SELECT = ("SELECT g.*, s.name AS site_name,"
           " (SELECT COUNT(*) FROM work_group_members m WHERE m.group_id = g.id) AS members,"
           " (SELECT COUNT(*) FROM work_group_sessions x WHERE x.group_id = g.id) AS sessions,"
           " (SELECT MAX(day) FROM work_group_sessions x WHERE x.group_id = g.id) AS last_session"
           " FROM work_groups g JOIN sites s ON s.id = g.site_id")


def create_group(db: Database, site_id: int, name: str, group_type: str, *, started_on: str | date, by: Actor,
                 now: datetime, today: date, goal: str = "", planned_sessions: int | str = 4,
                 members: list[str] | None = None) -> int:
    """A new group at a site (names are unique per site); `members` may be given at once. Returns its id;
    creating the same group again (same site, name and type) returns the existing one."""
    name = text_of(name, "小组名称", limit=60)
    group_type = one_of(group_type, TYPES, "小组类型")
    started = day_of(started_on, today, "开始日期", allow_future=True)
    goal = text_of(goal, "小组目标", required=False, limit=500)
    planned = whole_number(planned_sessions, "计划活动次数", 1, 100, default=MIN_SESSIONS)
    if first(db, "SELECT id FROM sites WHERE id = ?", [site_id]) is None:
        raise RecordError("没有这个站点")
    with transaction(db):
        existing = first(db, "SELECT * FROM work_groups WHERE site_id = ? AND name = ?", [site_id, name])
        if existing and existing["type"] != group_type:
            raise RecordError(f"本站点已有小组「{name}」")
        if existing:
            group_id = existing["id"]
        else:
            group_id = db.conn.execute(
                "INSERT INTO work_groups (site_id, name, type, goal, planned_sessions, started_on, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", [site_id, name, group_type, goal, planned, started, iso(now)]
            ).lastrowid
            audit.record(db, now, by.label, "group_create", f"group:{group_id}", {"site_id": site_id})
        for member in members or []:
            add_member(db, group_id, member, joined_on=started, by=by, now=now, today=today, allow_future=True)
    return group_id


def add_member(db: Database, group_id: int, name: str, *, joined_on: str | date, by: Actor, now: datetime,
               today: date, recipient_id: int | None = None, allow_future: bool = False) -> bool:
    """Add a member by name (and recipient, when they are on the roster); False when already a member."""
    name = text_of(name, "组员姓名", limit=40)
    joined = day_of(joined_on, today, "入组日期", allow_future=allow_future)
    if get_group(db, group_id) is None:
        raise RecordError("找不到这个小组")
    cursor = db.conn.execute(
        "INSERT OR IGNORE INTO work_group_members (group_id, name, recipient_id, joined_on) VALUES (?, ?, ?, ?)",
        [group_id, name, recipient_id, joined])
    if cursor.rowcount:
        audit.record(db, now, by.label, "group_member", f"group:{group_id}", None)
    return cursor.rowcount == 1


def remove_member(db: Database, group_id: int, name: str, *, by: Actor, now: datetime) -> bool:
    cursor = db.conn.execute("DELETE FROM work_group_members WHERE group_id = ? AND name = ?",
                             [group_id, name.strip()])
    if cursor.rowcount:
        audit.record(db, now, by.label, "group_member_removed", f"group:{group_id}", None)
    return cursor.rowcount == 1


def add_session(db: Database, group_id: int, *, day: str | date, topic: str, attendance: int | str, by: Actor,
                now: datetime, today: date, place: str = "", notes: str = "") -> int:
    """Record a session held; returns its id (the same day and topic again returns the first one)."""
    day = day_of(day, today, "活动日期")
    topic = text_of(topic, "活动主题", limit=100)
    place = text_of(place, "地点", required=False, limit=100)
    notes = text_of(notes, "活动记录", required=False)
    group = get_group(db, group_id)
    if group is None:
        raise RecordError("找不到这个小组")
    attendance = whole_number(attendance, "出席人数", 0, 1000)
    if day < group["started_on"]:
        raise RecordError(f"活动日期不能早于小组开始日期{group['started_on']}")
    with transaction(db):
        existing = first(db, "SELECT id FROM work_group_sessions WHERE group_id = ? AND day = ? AND topic = ?",
                         [group_id, day, topic])
        if existing:
            return existing["id"]
        session_id = db.conn.execute(
            "INSERT INTO work_group_sessions (group_id, day, topic, place, attendance, notes, person_id, user_id,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [group_id, day, topic, place, attendance, notes, by.person_id, by.user_id, iso(now)]).lastrowid
        audit.record(db, now, by.label, "group_session", f"group:{group_id}", {"session_id": session_id})
    return session_id


def get_group(db: Database, group_id: int) -> dict | None:
    return first(db, f"{_SELECT} WHERE g.id = ?", [group_id])


def find_group(db: Database, site_id: int, name: str) -> dict | None:
    return first(db, f"{_SELECT} WHERE g.site_id = ? AND g.name = ?", [site_id, name.strip()])


def members(db: Database, group_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM work_group_members WHERE group_id = ? ORDER BY joined_on, id", [group_id]))


def sessions(db: Database, group_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM work_group_sessions WHERE group_id = ? ORDER BY day, id", [group_id]))


def list_groups(db: Database, site_ids: list[int] | None) -> list[dict]:
    """Groups at the sites (None: all), newest first, each with member and session counts and `qualifies`."""
    where = Where().sites("g.site_id", site_ids)
    rows = list(db.query(f"{_SELECT}{where} ORDER BY g.started_on DESC, g.id DESC", where.params))
    for row in rows:
        row["qualifies"] = row["members"] >= MIN_MEMBERS and row["sessions"] >= MIN_SESSIONS
    return rows
