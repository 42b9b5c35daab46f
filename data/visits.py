"""Visits (走访): who saw whom, when, how, what was found, and the photos sent with it.

A visit is removed by its author within a day (撤销) by setting `deleted_at`; deleted visits count nowhere.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from data import outbox, people
from data.clock import iso
from data.db import first
from data.masking import mask_text

MODES = ("上门", "电话", "视频", "到校", "其他")
IN_PERSON_MODES = ("上门", "到校")
OUTCOMES = {"met": "见到本人", "not_home": "不在家", "refused": "拒绝走访", "moved": "已搬走", "hospital": "住院"}
# The one rule for what closes a visiting period (每月至少上门一次): in person, and the recipient was met.
# Phone and video contacts, and visits that found nobody, are recorded and shown but count nowhere.
COUNTS_SQL = "v.deleted_at IS NULL AND v.mode IN ('上门', '到校') AND v.outcome = 'met'"
AREAS = ("监护", "安全", "就学", "健康")
UNDO_WINDOW = timedelta(hours=24)
PHOTO_WINDOW = timedelta(minutes=30)
# Reading a visit note: which clauses sound like a need, and the four areas a child's note may name.
_NEED = re.compile(r"缺|快(?:吃|用|烧|喝)?完|(?:吃|用|烧|喝)完了|没有?[^，,。；;！!？?\s]{1,4}了"
                   r"|需要|想要|想让|想请|希望|盼着|要个|买不起|没钱|坏了|漏|帮忙|帮着|申请|办不了|不会用")
_NOT_NEED = re.compile(r"没事|没问题|不需要|不用|没什么需要|没有需要|都挺好|都好")
_CLAUSES = re.compile(r"[，,。；;！!？?\n]+")
_AREA_WORDS = {"监护": ("监护", "照顾", "看护"), "安全": ("安全",), "就学": ("就学", "上学", "学习", "学业"),
               "健康": ("健康", "身体")}


def detect_needs(findings: str | None) -> str | None:
    """The clauses of a note that sound like a need (缺、快吃完了、需要、想要、没…了), or None."""
    found = [c.strip() for c in _CLAUSES.split(findings or "")
             if c.strip() and _NEED.search(c) and not _NOT_NEED.search(c)]
    return "；".join(found) or None


def areas_from(findings: str | None) -> dict | None:
    """For children: 监护、安全、就学、健康 in a word each, when the note gives them."""
    found = {}
    for area, words in _AREA_WORDS.items():
        for word in words:
            # Only at the start of a clause or right after the child: 「奶奶身体也行」 is not the child's health.
            match = re.search(r"(?:^|[，,。；;！!？?\s]|孩子|娃娃|娃)" + re.escape(word)
                              + r"[:：\s]*([^，,。；;！!？?\s]{1,6})", findings or "")
            if match:
                found[area] = match.group(1)
                break
    return found or None


def add_visit(db: Database, *, recipient_id: int, visitor_id: int, visit_date: str, mode: str, findings: str,
              now: datetime, areas: dict | None = None, needs: str | None = None,
              verification: dict | None = None, flagged: bool = False, source_text: str | None = None) -> int:
    if mode not in MODES:
        raise ValueError(f"unknown visit mode {mode!r}")
    date.fromisoformat(visit_date)  # a malformed date must never reach the table
    cursor = db.conn.execute(
        "INSERT INTO visits (recipient_id, visitor_id, visit_date, mode, findings, areas, needs, verification,"
        " flagged, source_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [recipient_id, visitor_id, visit_date, mode, findings, _json(areas), needs or None, _json(verification),
         int(flagged), source_text, iso(now)],
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


def last_visit_dates(db: Database, recipient_ids: list[int]) -> dict[int, str]:
    """The latest visit date per recipient (those never visited are absent)."""
    if not recipient_ids:
        return {}
    marks = ",".join("?" * len(recipient_ids))
    return {row["recipient_id"]: row["last"] for row in db.query(
        f"SELECT recipient_id, MAX(visit_date) AS last FROM visits WHERE deleted_at IS NULL"
        f" AND recipient_id IN ({marks}) GROUP BY recipient_id", recipient_ids)}


def month_bounds(month: str) -> tuple[str, str]:
    """'2026-11' -> ('2026-11-01', '2026-11-30'); ValueError when it is not a month."""
    year, number = (int(x) for x in month.split("-"))
    if not 1 <= number <= 12:
        raise ValueError(f"not a month: {month!r}")
    return f"{year:04d}-{number:02d}-01", f"{year:04d}-{number:02d}-{calendar.monthrange(year, number)[1]:02d}"


def visited_in_month(db: Database, recipient_ids: list[int], month: str) -> set[int]:
    if not recipient_ids:
        return set()
    first, last = month_bounds(month)
    marks = ",".join("?" * len(recipient_ids))
    return {row["recipient_id"] for row in db.query(
        f"SELECT DISTINCT recipient_id FROM visits WHERE deleted_at IS NULL AND visit_date BETWEEN ? AND ?"
        f" AND recipient_id IN ({marks})", [first, last, *recipient_ids])}


def export_rows(db: Database, month: str | None = None, site_id: int | None = None,
                masked: bool = True) -> Iterator[dict]:
    """Visits still standing, oldest first, keyed by the stable English column names of `COLUMNS`; identifiers
    typed into the findings and needs masked unless `masked=False` (an admin's audited export)."""
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
    mask = mask_text if masked else (lambda text: text or "")
    return ({
        "visit_id": row["id"], "recipient": row["recipient"], "kind": row["kind"],
        "categories": json.loads(row["categories"] or "[]"), "site": row["site"], "visit_date": row["visit_date"],
        "mode": row["mode"], "visitor": row["visitor"] or "", "findings": mask(row["findings"]),
        "needs": mask(row["needs"]),
        "verification": json.loads(row["verification"]) if row["verification"] else None,
        "areas": json.loads(row["areas"]) if row["areas"] else None, "flagged": bool(row["flagged"]),
        "photos": row["photo_count"], "recorded_at": row["created_at"],
    } for row in rows)


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
