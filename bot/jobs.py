"""What the scheduler runs: reminders, escalation, the outbox drain and the nightly backup.

Every job takes (db, settings, now, slot): `slot` is the scheduled time being served, which differs from
`now` when a missed job is caught up. Reminders are keyed by the slot's date and person, so running a job
twice for the same slot enqueues nothing twice.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlite_utils import Database

from bot.config import Settings
from bot.sender import drain_once
from data import delivery, outbox, reminders, submissions
from data.db import checkpoint, transaction
from data.reminders import LAST_MONTH, REPORT, VERIFY, VISITS, Overdue, StaffStatus

log = logging.getLogger(__name__)
KIND = "reminder"
LIST_LIMIT = 8
_PERIOD_NAMES = {"month": "本月", "quarter": "本季度", "half": "本半年", "year": "今年"}
_BACKUP_NAME = re.compile(r"^laoxiao-\d{8}T\d{6}Z\.db$")


# Reminders ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outgoing:
    key: str
    openid: str
    name: str | None
    role: str
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


def reminder_messages(db: Database, day: date, settings: Settings) -> list[Outgoing]:
    """The reminders due on `day`, one message per person, computed in one pass over the data."""
    sections = reminders.sections_due(day, settings.reminder_days)
    recorded = _recorded_reports(db, day)
    messages = []
    for status in reminders.staff_status(db, day, sections, settings.verify_period):
        text = compose(status, day, sections, settings.verify_period, recorded.get(status.person_id, frozenset()))
        if text:
            messages.append(Outgoing(f"reminder:{day.isoformat()}:{status.person_id}", status.openid, status.name,
                                     status.role, text))
    return messages


def enqueue_reminders(db: Database, settings: Settings, day: date, now: datetime) -> int:
    """Queue the reminders due on `day`; returns how many were new. Each expires when the next reminder is
    due, so one held for a person who has not written since is replaced rather than delivered stale."""
    messages = reminder_messages(db, day, settings)
    next_day = reminders.next_due_day(day, settings.reminder_days)
    expires = datetime.combine(next_day, time(*settings.reminder_time), settings.tz)
    queued = 0
    with transaction(db):
        for message in messages:
            if outbox.enqueue(db, message.key, message.openid, KIND, message.text, now):
                delivery.set_expiry(db, message.key, expires)
                queued += 1
    return queued


def _recorded_reports(db: Database, day: date) -> dict[int, frozenset[str]]:
    """Per worker, which of their project's reports are recorded as submitted (`laoxiao report submit` or the
    dashboard): "plan" and "summary" of `day`'s month, "last_summary" of the month before."""
    this_month = day.strftime("%Y-%m")
    last_month = reminders.previous_month(day)[0].strftime("%Y-%m")
    found = submissions.recorded(db, [this_month, last_month])
    recorded = {}
    for person_id, project in db.conn.execute(
            "SELECT p.id, s.project FROM people p JOIN sites s ON s.id = p.site_id WHERE p.role = 'worker'"):
        kinds = {kind for kind in ("plan", "summary") if (project, this_month, kind) in found}
        if (project, last_month, "summary") in found:
            kinds.add("last_summary")
        recorded[person_id] = frozenset(kinds)
    return recorded


def compose(status: StaffStatus, day: date, sections: tuple[str, ...], period: str = "quarter",
            recorded: frozenset[str] = frozenset()) -> str:
    """One person's reminder text, or "" when nothing is due for them (done people hear nothing). `recorded`
    says which monthly reports are already submitted: those are not asked for again."""
    parts = []
    if VISITS in sections and status.not_visited:
        parts.append(_visits_text(status))
    if VERIFY in sections and status.unverified:
        parts.append(_verify_text(status, period))
    if LAST_MONTH in sections and (status.ongoing or status.role == "worker"):
        parts.append(_last_month_text(status, day, recorded))
    if REPORT in sections and status.role == "worker" and "summary" not in recorded:
        parts.append(_report_text(status))
    return "\n\n".join(parts)


def _visits_text(status: StaffStatus) -> str:
    left = len(status.not_visited)
    lines = [f"【走访提醒】还有{left}位服务对象这一期没上门见到（共{status.ongoing}位；重点每周、一般每月、"
             "稳定每季度），最久没见到的在前："]
    lines += _listed(status.not_visited,
                     lambda o: f"{o.days}天没上门见到" if o.days is not None else "还没有上门见到的记录")
    lines.append("电话、视频和没见到人的走访会记下，但不算上门。走访后发「走访 姓名 情况」就能记下。")
    return "\n".join(lines)


def _verify_text(status: StaffStatus, period: str) -> str:
    name = _PERIOD_NAMES[period]
    lines = [f"【津贴核查】{name}还有{len(status.unverified)}名领取基本生活费的儿童没核查："]
    lines += _listed(status.unverified,
                     lambda o: f"上次核查在{o.last.month}月{o.last.day}日" if o.last else "还没有核查记录")
    lines.append("入户核查后发「走访 姓名」，按提示填写核查项。")
    return "\n".join(lines)


def _last_month_text(status: StaffStatus, day: date, recorded: frozenset[str] = frozenset()) -> str:
    month = reminders.previous_month(day)[0].month
    whose = "本站点" if status.role == "worker" else ""
    visits = f"{whose}记录走访{status.visits_in_month}次（上门见到{status.in_person_in_month}次）" + (
        f"，其中核查{status.verifications_in_month}次" if status.verifications_in_month else "")
    if status.ongoing:
        missed = status.ongoing - status.visited
        head = f"【上月小结】{month}月您负责的服务对象{status.ongoing}位，已上门见到{status.visited}位"
        if missed == 0:
            head += "，全部完成，辛苦了！"
        else:
            names = "、".join(o.name for o in status.not_visited[:5])
            head += f"，没走访的{missed}位：{names}{'等' if missed > 5 else ''}。"
        lines = [head, f"上月共{visits}。"]
    else:
        lines = [f"【上月小结】{month}月共{visits}。"]
    if status.role == "worker":
        if "last_summary" not in recorded:
            lines.append(f"{month}月工作总结还没有登记提交：交给民政局和第三方后，请在管理后台「月报」页登记。")
        if "plan" not in recorded:
            lines.append(f"本月工作计划请在{submissions.PLAN_DUE_DAY}日前提交。")
    return "\n".join(lines)


def _report_text(status: StaffStatus) -> str:
    whose = "本站点" if status.role == "worker" else ""
    figures = f"本月至今：{whose}走访{status.visits_in_month}次（上门见到{status.in_person_in_month}次）"
    if status.ongoing:
        figures += f"，您负责的服务对象已上门见到{status.visited}/{status.ongoing}位"
    if status.verifications_in_month:
        figures += f"，核查{status.verifications_in_month}次"
    return f"【月度总结】本月工作总结请在月底前提交。\n{figures}。"


def _listed(items: list[Overdue], describe) -> list[str]:
    lines = [f"{i}. {item.name}：{describe(item)}" for i, item in enumerate(items[:LIST_LIMIT], 1)]
    if len(items) > LIST_LIMIT:
        lines.append(f"……还有{len(items) - LIST_LIMIT}位，发「本月」看全部。")
    return lines


# Jobs -----------------------------------------------------------------------------------------------------

def run_reminders(db: Database, settings: Settings, now: datetime, slot: datetime) -> str:
    day = slot.astimezone(settings.tz).date()
    return f"{enqueue_reminders(db, settings, day, now)} reminders queued for {day}"


def run_escalation(db: Database, settings: Settings, now: datetime, slot: datetime) -> str:
    from flows.escalation import escalate, housekeeping

    return f"{escalate(db, now, settings.tz)} escalation reminders queued; {housekeeping(db, now)}"


def run_outbox(db: Database, settings: Settings, now: datetime, slot: datetime) -> str:
    # Within its interval, so the next run is never skipped as 'still running'; a burst takes several runs.
    return str(drain_once(db, settings, now, budget=settings.sender_interval * 0.9).as_dict())


def run_checkpoint(db: Database, settings: Settings, now: datetime, slot: datetime) -> str:
    """The WAL copied back into the database here, off the web requests' path (data.db.connect)."""
    busy, pages, done = checkpoint(db)
    return f"checkpoint: {done}/{pages} pages" + (" (readers busy)" if busy else "")


def run_backup(db: Database, settings: Settings, now: datetime, slot: datetime) -> str:
    """Nightly: a backup, then old message text forgotten (backups age out after LAOXIAO_BACKUP_KEEP days)."""
    from data.retention import purge_old_messages

    path = backup_database(settings.db_path, settings.backup_dir, settings.backup_keep, now)
    purged = purge_old_messages(db, now, settings.keep_messages_days)
    return f"{path}; purged {purged}"


def backup_database(db_path: str | Path, folder: str | Path, keep: int, now: datetime) -> Path:
    """A consistent copy through SQLite's online backup (safe while others write), then keep the newest
    `keep`. Written under a temporary name and renamed, so a crash never leaves a half backup that counts."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"laoxiao-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.db"
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(str(db_path))
    copy = sqlite3.connect(str(partial))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    for old in sorted(p for p in folder.iterdir() if _BACKUP_NAME.match(p.name))[:-keep]:
        old.unlink()
    log.info("database backed up to %s", target)
    return target
