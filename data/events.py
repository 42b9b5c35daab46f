"""Community events (社区活动, 专题讲座): title, type, date, place, participants, which of the five partners (五社)
took part, donations in money or in kind, and photos. Volunteers' hours at an event are volunteer service
records (data.volunteering) pointing at the event.

Recording the same event again (same site, date and title) returns the first one, so a retry adds nothing.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlite_utils import Database

from data import audit
from data.clock import iso
from data.db import first, transaction
from data.record_rules import Actor, RecordError, Where, day_of, one_of, text_of, whole_number

# 实施方案 四(一)6 / (二)6: 文娱、教育倡导、健康养生、节庆类活动，或专题讲座 count as events; 公益服务
# (volunteer service days) are recorded the same way but count toward nothing but volunteer hours.
TYPES = ("文娱", "教育倡导", "健康养生", "节庆", "专题讲座", "公益服务")
COUNTED_TYPES = ("文娱", "教育倡导", "健康养生", "节庆", "专题讲座")
PARTNERS = ("社区", "社会组织", "社工", "社区志愿者", "慈善资源")
DONATION_KINDS = {"money": "资金", "goods": "物资"}

_SELECT = ("SELECT e.*, s.name AS site_name,"
           " (SELECT COALESCE(SUM(hours), 0) FROM volunteer_services v WHERE v.event_id = e.id) AS volunteer_hours,"
           " (SELECT COUNT(DISTINCT name) FROM volunteer_services v WHERE v.event_id = e.id) AS volunteers,"
           " (SELECT COALESCE(SUM(amount), 0) FROM event_donations d WHERE d.event_id = e.id AND d.kind = 'money')"
           "  AS money,"
           " (SELECT group_concat(d.description, '、') FROM event_donations d WHERE d.event_id = e.id"
           "  AND d.kind = 'goods') AS goods,"
           " (SELECT COUNT(*) FROM event_photos f WHERE f.event_id = e.id) AS photos"
           " FROM events e JOIN sites s ON s.id = e.site_id")


def partners_of(value: list[str] | str | None) -> list[str]:
    """The partners among the five, in their usual order, from a list or 「社区、社工」."""
    words = value if isinstance(value, list) else [w for w in
                                                    (value or "").replace("，", "、").replace(",", "、").split("、")]
    words = [w.strip() for w in words if w and w.strip()]
    unknown = [w for w in words if w not in PARTNERS]
    if unknown:
        raise RecordError(f"「{'、'.join(unknown)}」不是五社之一（{'、'.join(PARTNERS)}）")
    return [p for p in PARTNERS if p in words]


def record_event(db: Database, site_id: int, *, title: str, event_type: str, day: str | date, by: Actor,
                 now: datetime, today: date, place: str = "", participants: int | str = 0,
                 participant_groups: str = "", partners: list[str] | str | None = None, summary: str = "") -> int:
    """Record an event held; returns its id (the same site, date and title again returns the first id)."""
    title = text_of(title, "活动名称", limit=100)
    event_type = one_of(event_type, TYPES, "活动类型")
    day = day_of(day, today, "活动日期")
    place = text_of(place, "地点", required=False, limit=100)
    count = whole_number(participants, "参与人数", 0, 100_000, default=0)
    groups = text_of(participant_groups, "参与人群", required=False, limit=200)
    chosen = partners_of(partners)
    summary = text_of(summary, "活动简介", required=False)
    if first(db, "SELECT id FROM sites WHERE id = ?", [site_id]) is None:
        raise RecordError("没有这个站点")
    with transaction(db):
        existing = first(db, "SELECT id FROM events WHERE site_id = ? AND day = ? AND title = ?",
                         [site_id, day, title])
        if existing:
            return existing["id"]
        event_id = db.conn.execute(
            "INSERT INTO events (site_id, title, type, day, place, participants, participant_groups, partners,"
            " summary, person_id, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [site_id, title, event_type, day, place, count, groups, json.dumps(chosen, ensure_ascii=False),
             summary, by.person_id, by.user_id, iso(now)]).lastrowid
        audit.record(db, now, by.label, "event_record", f"event:{event_id}", {"site_id": site_id})
    return event_id


def add_donation(db: Database, event_id: int, *, donor: str, kind: str, by: Actor, now: datetime,
                 amount: float | str = 0, description: str = "") -> int:
    """Money (amount in yuan) or goods (a description, and an estimated value when known)."""
    donor = text_of(donor, "捐赠方", limit=100)
    kind = one_of(kind, DONATION_KINDS, "捐赠类型")
    description = text_of(description, "物资说明", required=kind == "goods", limit=200)
    try:
        value = float(amount or 0)
    except ValueError:
        raise RecordError("金额应为数字") from None
    if value < 0 or value > 10_000_000:
        raise RecordError("金额不对")
    if kind == "money" and value <= 0:
        raise RecordError("请填写捐赠金额")
    if get_event(db, event_id) is None:
        raise RecordError("找不到这场活动")
    with transaction(db):
        existing = first(db, "SELECT id FROM event_donations WHERE event_id = ? AND donor = ? AND kind = ?"
                         " AND amount = ? AND description = ?", [event_id, donor, kind, value, description])
        if existing:
            return existing["id"]
        donation_id = db.conn.execute(
            "INSERT INTO event_donations (event_id, donor, kind, amount, description) VALUES (?, ?, ?, ?, ?)",
            [event_id, donor, kind, value, description]).lastrowid
        audit.record(db, now, by.label, "event_donation", f"event:{event_id}", {"kind": kind})
    return donation_id


def add_photo(db: Database, event_id: int, *, now: datetime, media_id: str | None = None,
              pic_url: str | None = None) -> int:
    """A photo sent by chat (WeChat media id and URL), kept with the event."""
    if not media_id and not pic_url:
        raise RecordError("没有收到图片")
    if get_event(db, event_id) is None:
        raise RecordError("找不到这场活动")
    return db.conn.execute("INSERT INTO event_photos (event_id, media_id, pic_url, received_at) VALUES (?, ?, ?, ?)",
                           [event_id, media_id, pic_url, iso(now)]).lastrowid


def get_event(db: Database, event_id: int) -> dict | None:
    return _decoded(first(db, f"{_SELECT} WHERE e.id = ?", [event_id]))


def donations(db: Database, event_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM event_donations WHERE event_id = ? ORDER BY id", [event_id]))


def list_events(db: Database, site_ids: list[int] | None, first_day: str | None = None,
                last_day: str | None = None) -> list[dict]:
    """Events at the sites (None: all), between two dates when given, newest first."""
    where = Where().sites("e.site_id", site_ids).days("e.day", first_day, last_day)
    return [_decoded(row) for row in db.query(f"{_SELECT}{where} ORDER BY e.day DESC, e.id DESC", where.params)]


def _decoded(row: dict | None) -> dict | None:
    if row is not None:
        row["partners"] = json.loads(row["partners"] or "[]")
        row["counted"] = row["type"] in COUNTED_TYPES
    return row
