"""Visits (走访): who saw whom, when, how, what was found, and the photos sent with it.

A visit is removed by its author within a day (撤销) by setting `deleted_at`; deleted visits count nowhere.
"""

from __future__ import annotations

import calendar
import json
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from data import outbox, people
from data.clock import iso
from data.db import first

MODES = ("上门", "电话", "视频", "到校", "其他")
IN_PERSON_MODES = ("上门", "到校")
OUTCOMES = {"met": "见到本人", "not_home": "不在家", "refused": "拒绝走访", "moved": "已搬走", "hospital": "住院"}
# The one rule for what closes a visiting period (每月至少上门一次): in person, and the recipient was met.
# Phone and video contacts, and visits that found nobody, are recorded and shown but count nowhere.
COUNTS_SQL = "v.deleted_at IS NULL AND v.mode IN ('上门', '到校') AND v.outcome = 'met'"
AREAS = ("监护", "安全", "就学", "健康")
UNDO_WINDOW = timedelta(hours=24)
PHOTO_WINDOW = timedelta(minutes=30)
def add_visit(db: Database, *, recipient_id: int, visitor_id: int, visit_date: str, mode: str, findings: str,
              now: datetime, areas: dict | None = None, needs: str | None = None,
              verification: dict | None = None, flagged: bool = False, source_text: str | None = None,
              outcome: str = "met", batch: str | None = None) -> int:
    if mode not in MODES:
        raise ValueError(f"unknown visit mode {mode!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown visit outcome {outcome!r}")
    date.fromisoformat(visit_date)  # a malformed date must never reach the table
    cursor = db.conn.execute(
        "INSERT INTO visits (recipient_id, visitor_id, visit_date, mode, findings, areas, needs, verification,"
        " flagged, source_text, created_at, outcome, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [recipient_id, visitor_id, visit_date, mode, findings, _json(areas), needs or None, _json(verification),
         int(flagged), source_text, iso(now), outcome, batch],
    )
    return cursor.lastrowid


def _json(value: dict | None) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def get_visit(db: Database, visit_id: int) -> dict | None:
    return first(db,
        "SELECT v.*, r.name AS recipient_name, r.site_id FROM visits v JOIN recipients r ON r.id = v.recipient_id"
        " WHERE v.id = ?", [visit_id])


def last_visit_by(db: Database, visitor_id: int, since: datetime) -> dict | None:
    """The visitor's newest visit still standing that was recorded after `since`."""
    return first(db,
        "SELECT v.*, r.name AS recipient_name FROM visits v JOIN recipients r ON r.id = v.recipient_id"
        " WHERE v.visitor_id = ? AND v.deleted_at IS NULL AND v.created_at >= ? ORDER BY v.created_at DESC, v.id DESC"
        " LIMIT 1", [visitor_id, iso(since)])


def undoable_visit(db: Database, visitor_id: int, now: datetime) -> dict | None:
    return last_visit_by(db, visitor_id, now - UNDO_WINDOW)


def saved_together(db: Database, visit: dict) -> list[dict]:
    """The visits recorded with this one in one confirmation (「马小军和杨雪梅」: one visit each)."""
    if not visit.get("batch"):
        return [visit]
    return list(db.query(
        "SELECT v.*, r.name AS recipient_name FROM visits v JOIN recipients r ON r.id = v.recipient_id"
        " WHERE v.batch = ? AND v.deleted_at IS NULL ORDER BY v.id", [visit["batch"]]))


def soft_delete(db: Database, visit_id: int, now: datetime) -> bool:
    cursor = db.conn.execute("UPDATE visits SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                             [iso(now), visit_id])
    return cursor.rowcount == 1


def add_photo(db: Database, visit_id: int, media_id: str | None, pic_url: str | None, now: datetime) -> int:
    cursor = db.conn.execute("INSERT INTO visit_photos (visit_id, media_id, pic_url, received_at) VALUES (?, ?, ?, ?)",
                             [visit_id, media_id, pic_url, iso(now)])
    return cursor.lastrowid


def photos(db: Database, visit_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM visit_photos WHERE visit_id = ? ORDER BY id", [visit_id]))


def recent_for_recipient(db: Database, recipient_id: int, limit: int = 3) -> list[dict]:
    return list(db.query(
        "SELECT v.*, p.name AS visitor_name, (SELECT COUNT(*) FROM visit_photos f WHERE f.visit_id = v.id) AS photos"
        " FROM visits v LEFT JOIN people p ON p.id = v.visitor_id"
        " WHERE v.recipient_id = ? AND v.deleted_at IS NULL ORDER BY v.visit_date DESC, v.id DESC LIMIT ?",
        [recipient_id, limit]))


def month_bounds(month: str) -> tuple[str, str]:
    """'2026-11' -> ('2026-11-01', '2026-11-30'); ValueError when it is not a month."""
    year, number = (int(x) for x in month.split("-"))
    if not 1 <= number <= 12:
        raise ValueError(f"not a month: {month!r}")
    return f"{year:04d}-{number:02d}-01", f"{year:04d}-{number:02d}-{calendar.monthrange(year, number)[1]:02d}"


def export_rows(db: Database, month: str | None = None, site_id: int | None = None) -> list[dict]:
    """Visits still standing, oldest first, keyed by the stable English column names of `COLUMNS`."""
    where, params = ["v.deleted_at IS NULL"], []
    if month:
        where.append("v.visit_date BETWEEN ? AND ?")
        params.extend(month_bounds(month))
    if site_id is not None:
        where.append("r.site_id = ?")
        params.append(site_id)
    rows = db.query(
        "SELECT v.*, r.name AS recipient, r.kind, r.categories, s.name AS site, p.name AS visitor,"
        " (SELECT COUNT(*) FROM visit_photos f WHERE f.visit_id = v.id) AS photo_count"
        " FROM visits v JOIN recipients r ON r.id = v.recipient_id JOIN sites s ON s.id = r.site_id"
        f" LEFT JOIN people p ON p.id = v.visitor_id WHERE {' AND '.join(where)} ORDER BY v.visit_date, v.id",
        params)
    return [{
        "visit_id": row["id"], "recipient": row["recipient"], "kind": row["kind"],
        "categories": json.loads(row["categories"] or "[]"), "site": row["site"], "visit_date": row["visit_date"],
        "mode": row["mode"], "visitor": row["visitor"] or "", "findings": row["findings"],
        "needs": row["needs"] or "", "verification": json.loads(row["verification"]) if row["verification"] else None,
        "outcome": row["outcome"], "counts": _counts(row),
        "areas": json.loads(row["areas"]) if row["areas"] else None, "flagged": bool(row["flagged"]),
        "photos": row["photo_count"], "recorded_at": row["created_at"],
    } for row in rows]


def _counts(row: dict) -> bool:
    """The COUNTS_SQL rule, for one row already read."""
    return row["deleted_at"] is None and row["mode"] in IN_PERSON_MODES and row["outcome"] == "met"


def flag_to_workers(db: Database, recipient: dict, visit_id: int, reasons: list[str], visitor: dict,
                    now: datetime) -> int:
    """Tell the recipient's site workers (else the admins) what a verification visit found; returns how many."""
    workers = people.staff_of_site(db, recipient["site_id"], ("worker",)) or people.admins(db)
    who = visitor.get("name") or people.ROLES.get(visitor.get("role"), "")
    body = (f"【核查提示】{who}核查{recipient['name']}（{recipient['site_name']}）时发现："
            f"{'；'.join(reasons)}。请跟进核实，必要时调整补贴或监护安排。")
    sent = 0
    for worker in workers:
        if worker["id"] != visitor["id"]:
            sent += outbox.enqueue(db, f"visit-flag:{visit_id}:{worker['id']}", worker["openid"], "text", body, now)
    return sent


VERIFICATION_NAMES = {"seen": "见到本人", "change": "监护或生活变化", "school": "就学"}


def verification_text(verification: dict | None) -> str:
    """「见到本人：是；监护或生活变化：无；就学：在学」"""
    if not verification:
        return ""
    parts = []
    for key, label in VERIFICATION_NAMES.items():
        if key in verification:
            value = verification[key]
            shown = "是" if value is True else "否" if value is False else (value or "无")
            parts.append(f"{label}：{shown}")
    return "；".join(parts)


COLUMNS: list[tuple] = [
    ("recipient", "服务对象"),
    ("kind", "对象类型", lambda v: {"elder": "老人", "child": "儿童"}.get(v, v)),
    ("categories", "类别"),
    ("site", "站点"),
    ("visit_date", "走访日期"),
    ("mode", "方式"),
    ("visitor", "走访人"),
    ("findings", "情况"),
    ("needs", "需求"),
    ("verification", "核查", verification_text),
    ("outcome", "结果", lambda v: OUTCOMES.get(v, v)),
    ("counts", "计入上门覆盖"),
    ("areas", "四项", lambda v: "；".join(f"{k}：{w}" for k, w in (v or {}).items())),
    ("flagged", "需跟进"),
    ("photos", "照片数"),
    ("visit_id", "记录编号"),
    ("recorded_at", "录入时间"),
]


def texts_since(db: Database, openid: str, since: str | None, exclude_key: str | None = None) -> str | None:
    """The person's messages since `since` (when their conversation began): a visit keeps its original words."""
    if since is None:
        return None
    rows = db.conn.execute(
        "SELECT content FROM inbound WHERE openid = ? AND received_at >= ? AND key != ?"
        " AND content IS NOT NULL AND content != '' ORDER BY received_at, rowid",
        [openid, since, exclude_key or ""]).fetchall()
    return "\n".join(row[0] for row in rows) or None
