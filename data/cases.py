"""Casework (个案): a recipient's case moves 接案 -> 预估 -> 计划 -> 介入 -> 评估 -> 结案, each step a dated note.

Rules, the same by chat, on the dashboard and on the command line:
- one open case per recipient at a time;
- a note is at the case's current stage (介入 is a service log: as many notes as needed) or the next one; 结案 may
  follow any stage, with a reason (达成/转介/拒绝/迁出/死亡);
- dates are local, never in the future, never before the case was opened;
- a case with no note for 30 days is overdue (`OVERDUE_AFTER`); a follow-up date (下次跟进) may be set at any note.
Sending the same note twice (a retried message, a double click) records it once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlite_utils import Database

from data import audit
from data.clock import iso
from data.db import first, transaction
from data.record_rules import Actor, RecordError, Where, day_of, one_of, optional_day, text_of

STAGES = ("接案", "预估", "计划", "介入", "评估", "结案")
STAGE_HINTS = {"接案": "来源和基本情况", "预估": "个人、家庭、社会支持的情况，优势和风险",
               "计划": "目标、行动和时间", "介入": "这次提供了什么服务", "评估": "目标达成情况",
               "结案": "结案原因和后续安排"}
SOURCES = ("主动求助", "外展发现", "转介")
CLOSE_REASONS = ("达成", "转介", "拒绝", "迁出", "死亡")
OVERDUE_AFTER = timedelta(days=30)
# Counted toward the 个案 indicator once assessed and planned (实施方案: 评估、制定方案、协助解决问题).
COUNTED_FROM = "计划"

_SELECT = ("SELECT c.*, r.name AS recipient_name, r.kind AS recipient_kind, s.name AS site_name,"
           " p.name AS worker_name FROM cases c JOIN recipients r ON r.id = c.recipient_id"
           " JOIN sites s ON s.id = c.site_id LEFT JOIN people p ON p.id = c.worker_id")


def open_case(db: Database, recipient_id: int, note: str, *, day: str | date, by: Actor, now: datetime,
              today: date, source: str | None = None, worker_id: int | None = None,
              next_follow_up: str | date | None = None) -> int:
    """Open a case (接案) for a recipient with its first note; returns the case id.

    `worker_id` is the social worker in charge (defaults to `by.person_id`). Refused when the recipient
    already has an open case, unless it is this very case sent again."""
    note = text_of(note, "接案情况")
    opened = day_of(day, today, "接案日期")
    follow = optional_day(next_follow_up, today, "下次跟进日期", allow_future=True)
    if source is not None and source != "":
        source = one_of(source, SOURCES, "个案来源")
    recipient = first(db, "SELECT id, name, site_id, active FROM recipients WHERE id = ?", [recipient_id])
    if recipient is None or not recipient["active"]:
        raise RecordError("找不到这位服务对象（或已不在册）")
    with transaction(db):
        current = open_case_of(db, recipient_id)
        if current:
            opening = first(db, "SELECT note FROM case_notes WHERE case_id = ? ORDER BY id LIMIT 1", [current["id"]])
            if current["opened_on"] == opened and opening and opening["note"] == note:
                return current["id"]
            raise RecordError(f"{recipient['name']}已有在办个案（{current['stage']}阶段），请在那个个案里继续记录")
        cursor = db.conn.execute(
            "INSERT INTO cases (recipient_id, site_id, worker_id, source, stage, opened_on, last_note_on,"
            " next_follow_up, created_at, updated_at) VALUES (?, ?, ?, ?, '接案', ?, ?, ?, ?, ?)",
            [recipient_id, recipient["site_id"], worker_id or by.person_id, source or None, opened, opened,
             follow, iso(now), iso(now)])
        case_id = cursor.lastrowid
        _insert_note(db, case_id, "接案", opened, note, by, now)
        audit.record(db, now, by.label, "case_open", f"case:{case_id}", {"recipient_id": recipient_id})
    return case_id


def add_stage(db: Database, case_id: int, stage: str, note: str, *, day: str | date, by: Actor, now: datetime,
              today: date, next_follow_up: str | date | None = None, closed_reason: str | None = None) -> int:
    """Record a note at `stage` (the current one or the next; 结案 from any stage, with `closed_reason`).
    Returns the note id; the same note sent again returns the first one's id."""
    stage = one_of(stage, STAGES, "阶段")
    note = text_of(note, f"{stage}情况")
    day = day_of(day, today, "日期")
    follow = optional_day(next_follow_up, today, "下次跟进日期", allow_future=True)
    with transaction(db):
        case = get_case(db, case_id)
        if case is None:
            raise RecordError("找不到这个个案")
        latest = first(db, "SELECT * FROM case_notes WHERE case_id = ? ORDER BY id DESC LIMIT 1", [case_id])
        if latest and (latest["stage"], latest["day"], latest["note"]) == (stage, day, note):
            return latest["id"]
        _check_step(case, stage, day, closed_reason)
        if stage == "结案":
            closed_reason = one_of(closed_reason, CLOSE_REASONS, "结案原因")
        note_id = _insert_note(db, case_id, stage, day, note, by, now)
        db.conn.execute(
            "UPDATE cases SET stage = ?, last_note_on = MAX(last_note_on, ?),"
            " next_follow_up = CASE WHEN ? = '结案' THEN NULL ELSE COALESCE(?, next_follow_up) END,"
            " closed_on = CASE WHEN ? = '结案' THEN ? ELSE NULL END, closed_reason = ?, updated_at = ?"
            " WHERE id = ?",
            [stage, day, stage, follow, stage, day, closed_reason if stage == "结案" else None, iso(now), case_id])
        audit.record(db, now, by.label, "case_note", f"case:{case_id}", {"stage": stage})
    return note_id


def _check_step(case: dict, stage: str, day: str, closed_reason: str | None) -> None:
    if case["closed_on"]:
        raise RecordError(f"这个个案已于{case['closed_on']}结案")
    if day < case["opened_on"]:
        raise RecordError(f"日期不能早于接案日期{case['opened_on']}")
    current, wanted = STAGES.index(case["stage"]), STAGES.index(stage)
    if stage == "结案":
        return
    if wanted < current:
        raise RecordError(f"个案已在「{case['stage']}」阶段，不能回到「{stage}」")
    if wanted > current + 1:
        raise RecordError(f"个案现在是「{case['stage']}」阶段，请先记录「{STAGES[current + 1]}」")


def _insert_note(db: Database, case_id: int, stage: str, day: str, note: str, by: Actor, now: datetime) -> int:
    cursor = db.conn.execute(
        "INSERT INTO case_notes (case_id, stage, day, note, person_id, user_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)", [case_id, stage, day, note, by.person_id, by.user_id, iso(now)])
    return cursor.lastrowid


def set_follow_up(db: Database, case_id: int, day: str | date, *, by: Actor, now: datetime, today: date) -> None:
    """Set the next follow-up date (下次跟进) of an open case; it may be in the future."""
    follow = day_of(day, today, "下次跟进日期", allow_future=True)
    case = get_case(db, case_id)
    if case is None or case["closed_on"]:
        raise RecordError("找不到这个在办个案")
    db.conn.execute("UPDATE cases SET next_follow_up = ?, updated_at = ? WHERE id = ?", [follow, iso(now), case_id])
    audit.record(db, now, by.label, "case_follow_up", f"case:{case_id}", {"day": follow})


def get_case(db: Database, case_id: int) -> dict | None:
    return first(db, f"{_SELECT} WHERE c.id = ?", [case_id])


def open_case_of(db: Database, recipient_id: int) -> dict | None:
    """The recipient's open case, if any (there is at most one)."""
    return first(db, f"{_SELECT} WHERE c.recipient_id = ? AND c.closed_on IS NULL", [recipient_id])


def cases_of_recipient(db: Database, recipient_id: int) -> list[dict]:
    return list(db.query(f"{_SELECT} WHERE c.recipient_id = ? ORDER BY c.opened_on, c.id", [recipient_id]))


def notes(db: Database, case_id: int) -> list[dict]:
    return list(db.query(
        "SELECT n.*, COALESCE(p.name, u.display_name) AS by_name FROM case_notes n"
        " LEFT JOIN people p ON p.id = n.person_id LEFT JOIN web_users u ON u.id = n.user_id"
        " WHERE n.case_id = ? ORDER BY n.day, n.id", [case_id]))


def is_overdue(case: dict, today: date) -> bool:
    """Open, and no note for 30 days (OVERDUE_AFTER)."""
    return not case["closed_on"] and date.fromisoformat(case["last_note_on"]) <= today - OVERDUE_AFTER


def list_cases(db: Database, site_ids: list[int] | None, today: date, status: str = "open",
               overdue_only: bool = False) -> list[dict]:
    """Cases at the sites (None: every site), `status` open / closed / all, each marked overdue or not."""
    where = Where().sites("c.site_id", site_ids)
    if status == "open":
        where.add("c.closed_on IS NULL")
    elif status == "closed":
        where.add("c.closed_on IS NOT NULL")
    if overdue_only:
        where.add("c.closed_on IS NULL AND c.last_note_on <= ?", (today - OVERDUE_AFTER).isoformat())
    rows = list(db.query(f"{_SELECT}{where} ORDER BY c.closed_on IS NOT NULL, c.last_note_on, c.id", where.params))
    for row in rows:
        row["overdue"] = is_overdue(row, today)
        row["follow_up_due"] = bool(row["next_follow_up"] and row["next_follow_up"] <= today.isoformat())
    return rows
