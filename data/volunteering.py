"""Volunteer service records (志愿服务记录): who served, on which day, for how many hours, and for which request,
event or need. The national volunteer-service rules keep hours per volunteer, so each record is one
volunteer's hours on one day.

A record answers a need of the needs survey when it names the need, or when it served a request whose category
is the need's category (see `ANSWERS_NEED_SQL`). The same record sent twice (same volunteer, day, hours and
request or event) is kept once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from data import audit
from data.clock import iso
from data.db import first, transaction
from data.record_rules import Actor, RecordError, Where, day_of, text_of

MAX_HOURS_A_DAY = 24.0

# A volunteer service `v` answers the survey need `n` (both aliases are the caller's).
ANSWERS_NEED_SQL = ("(v.need_id = n.id OR (v.need_id IS NULL AND n.category IS NOT NULL AND EXISTS ("
                    "SELECT 1 FROM requests q WHERE q.id = v.request_id AND q.category = n.category)))")


def hours_of(value: float | str) -> float:
    """Hours as a number: 「2」「1.5」「2小时」; at most 24 a day, rounded to a quarter hour."""
    text = str(value).strip().removesuffix("小时").removesuffix("个").strip() if isinstance(value, str) else value
    try:
        hours = float(text)
    except (TypeError, ValueError):
        raise RecordError("时长应为小时数，例如 2 或 1.5") from None
    if not 0 < hours <= MAX_HOURS_A_DAY:
        raise RecordError("时长应在0到24小时之间")
    return round(hours * 4) / 4 or 0.25


def record_hours(db: Database, *, name: str, day: str | date, hours: float | str, by: Actor, now: datetime,
                 today: date, person_id: int | None = None, request_id: int | None = None,
                 event_id: int | None = None, need_id: int | None = None, site_id: int | None = None,
                 note: str = "") -> int:
    """One volunteer's hours on one day, for a request, an event, or a service described in `note`.
    `person_id` links the volunteer's WeChat identity (so that 我的时长 finds the hours); the site comes from
    the request or event when not given. Returns the record id (an identical record again returns it)."""
    name = text_of(name, "志愿者姓名", limit=40)
    day = day_of(day, today, "服务日期")
    hours = hours_of(hours)
    note = text_of(note, "服务内容", required=False, limit=300)
    if request_id is None and event_id is None and not note:
        raise RecordError("请说明为哪个求助或哪场活动服务，或写上服务内容")
    if request_id is not None:
        request = first(db, "SELECT site_id FROM requests WHERE id = ?", [request_id])
        if request is None:
            raise RecordError("找不到这个求助")
        site_id = site_id or request["site_id"]
    if event_id is not None:
        event = first(db, "SELECT site_id FROM events WHERE id = ?", [event_id])
        if event is None:
            raise RecordError("找不到这场活动")
        site_id = site_id or event["site_id"]
    if need_id is not None and first(db, "SELECT 1 FROM survey_needs WHERE id = ?", [need_id]) is None:
        raise RecordError("找不到这项调研需求")
    with transaction(db):
        existing = first(db,
            "SELECT id FROM volunteer_services WHERE name = ? AND day = ? AND hours = ? AND request_id IS ?"
            " AND event_id IS ? AND note = ?", [name, day, hours, request_id, event_id, note])
        if existing:
            return existing["id"]
        record_id = db.conn.execute(
            "INSERT INTO volunteer_services (person_id, name, day, hours, site_id, request_id, event_id, need_id,"
            " note, recorded_by, recorded_by_user, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [person_id, name, day, hours, site_id, request_id, event_id, need_id, note, by.person_id, by.user_id,
             iso(now)]).lastrowid
        audit.record(db, now, by.label, "volunteer_hours", f"volunteer_service:{record_id}", {"hours": hours})
    return record_id


def hours_of_person(db: Database, person_id: int, first_day: str | None = None,
                    last_day: str | None = None) -> dict:
    """A volunteer's own hours (我的时长): total hours, number of services, and hours per month, newest first."""
    where = Where().add("person_id = ?", person_id).days("day", first_day, last_day)
    total = first(db, f"SELECT COALESCE(SUM(hours), 0) AS hours, COUNT(*) AS services FROM volunteer_services"
                      f"{where}", where.params)
    months = list(db.query(f"SELECT substr(day, 1, 7) AS month, SUM(hours) AS hours, COUNT(*) AS services"
                           f" FROM volunteer_services{where} GROUP BY month ORDER BY month DESC", where.params))
    return {"hours": total["hours"], "services": total["services"], "months": months}


def hours_by_volunteer(db: Database, site_ids: list[int] | None, first_day: str, last_day: str) -> list[dict]:
    """Per volunteer between two dates (most hours first): name, services, hours."""
    where = Where().days("v.day", first_day, last_day).sites("v.site_id", site_ids)
    return list(db.query(
        "SELECT v.name, COUNT(*) AS services, SUM(v.hours) AS hours FROM volunteer_services v"
        f"{where} GROUP BY v.name ORDER BY hours DESC, v.name", where.params))


def list_services(db: Database, site_ids: list[int] | None, first_day: str | None = None,
                  last_day: str | None = None, limit: int = 500, event_id: int | None = None) -> list[dict]:
    """Service records, newest first, with what they were for."""
    where = Where().sites("v.site_id", site_ids).days("v.day", first_day, last_day)
    if event_id is not None:
        where.add("v.event_id = ?", event_id)
    return list(db.query(
        "SELECT v.*, s.name AS site_name, q.number AS request_number, e.title AS event_title, n.need AS need"
        " FROM volunteer_services v LEFT JOIN sites s ON s.id = v.site_id LEFT JOIN requests q ON q.id = v.request_id"
        " LEFT JOIN events e ON e.id = v.event_id LEFT JOIN survey_needs n ON n.id = v.need_id"
        f"{where} ORDER BY v.day DESC, v.id DESC LIMIT ?", [*where.params, limit]))
