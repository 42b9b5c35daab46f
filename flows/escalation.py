"""Requests nobody has accepted: remind the team leader, then the site's worker; and the housekeeping of
conversations left half-way.

An ordinary request counts daytime hours only (08:00-20:00 local by default): one made at 19:30 has waited
30 minutes at 08:00 next morning, so nobody is reminded in the night about something nobody could do.
An urgent one is chased by the clock, day and night: 15 and 30 minutes after it was sent (or given to
someone new) with nobody taking it, the site's workers and the admins get an alert on their phone-visible
channel (urgent outbox rows: a template alert outside the 48-hour window, sent in quiet hours too). An
emergency alert (ticket) no worker has answered is chased the same way.
Each reminder has a unique outbox key per assignment, so running the job every few minutes (or twice at
once) sends each reminder once. Done requests nobody rated are closed after a week.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from data import handoffs, outbox, people, teams
from data import requests as reqs
from data.clock import parse_iso
from data.db import transaction
from flows.request_life import site_label, site_workers

LEAD_AFTER = timedelta(hours=2)
WORKER_AFTER = timedelta(hours=4)
DAY_START, DAY_END = time(8, 0), time(20, 0)
CLOSE_DONE_AFTER = timedelta(days=7)
URGENT_CHASES = (timedelta(minutes=15), timedelta(minutes=30))


def daytime_between(start: datetime, end: datetime, tz: ZoneInfo, day_start: time = DAY_START,
                    day_end: time = DAY_END) -> timedelta:
    """How much of [start, end) falls within the daily window, in local time."""
    total = timedelta()
    if end <= start:
        return total
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        opens = datetime.combine(day, day_start, tz)
        closes = datetime.combine(day, day_end, tz)
        overlap = min(end, closes) - max(start, opens)
        if overlap > timedelta():
            total += overlap
        day += timedelta(days=1)
    return total


def escalate(db: Database, now: datetime, tz: ZoneInfo, lead_after: timedelta = LEAD_AFTER,
             worker_after: timedelta = WORKER_AFTER, day_start: time = DAY_START, day_end: time = DAY_END,
             close_done_after: timedelta = CLOSE_DONE_AFTER) -> int:
    """Enqueue the reminders now due; returns how many were enqueued (0 when all were sent before)."""
    sent = 0
    for request in reqs.awaiting_acceptance(db):
        if not request["assigned_at"]:
            continue
        if request["urgent"]:
            with transaction(db):
                sent += _chase_urgent(db, request, now)
            continue
        waited = daytime_between(parse_iso(request["assigned_at"]), now, tz, day_start, day_end)
        with transaction(db):
            if waited >= lead_after:
                sent += _remind(db, request, now, "lead", _first_line(request, waited, db), waited)
            if waited >= worker_after:
                sent += _remind(db, request, now, "worker", _first_line(request, waited, db), waited)
    for ticket in handoffs.unanswered_urgent(db):
        with transaction(db):
            sent += _chase_ticket(db, ticket, now)
    for request in reqs.done_before(db, now - close_done_after):
        with transaction(db):
            reqs.close(db, request, now, None, "一周未评价，自动结束", reason="unrated")
    return sent


def _chase_targets(db: Database, site_id: int | None) -> list[dict]:
    """An emergency nobody took: the site's workers (every worker when the site is unknown) and the admins."""
    return list({p["id"]: p for p in [*handoffs.responders(db, site_id), *people.admins(db)]}.values())


def _chase_urgent(db: Database, request: dict, now: datetime) -> int:
    waited = now - parse_iso(request["assigned_at"])
    due = [i for i, after in enumerate(URGENT_CHASES, 1) if waited >= after]
    if not due:
        return 0
    level = due[-1]
    minutes = int(waited.total_seconds() // 60)
    number = request["number"]
    body = (f"【紧急·第{level}次催办】求助 {number}（{site_label(db, request) or '站点未知'}）已过{minutes}分钟，"
            f"还没人接。请马上打电话或上门，接手请回「接单 {number}」，详情发「进度 {number}」。")
    count = 0
    for person in _chase_targets(db, request["site_id"]):
        key = f"urgent-chase:{number}:{request['assigned_at']}:{level}:{person['id']}"
        count += outbox.enqueue(db, key, person["openid"], "urgent", body, now, urgent=True)
    if count:
        reqs.add_event(db, request["id"], now, None, "reminded", request["status"], request["status"],
                       request["team_id"], f"紧急催办第{level}次（已等{minutes}分钟）")
    return count


def _chase_ticket(db: Database, ticket: dict, now: datetime) -> int:
    """An emergency alert nobody answered, when no urgent request came of it (that one is chased itself)."""
    made = db.conn.execute("SELECT 1 FROM requests WHERE requester_id = ? AND urgent = 1 AND created_at >= ?",
                           [ticket["person_id"], ticket["created_at"]]).fetchone()
    waited = now - parse_iso(ticket["created_at"])
    due = [i for i, after in enumerate(URGENT_CHASES, 1) if waited >= after]
    if made or not due:
        return 0
    label, minutes = handoffs.label(ticket["id"]), int(waited.total_seconds() // 60)
    said = (ticket["last_messages"][-1]["text"] if ticket["last_messages"] else "")[:60]
    body = (f"【紧急·第{due[-1]}次催办】紧急求助 {label} 已过{minutes}分钟，还没有社工回复：「{said}」\n"
            f"请马上联系，回复对方请发「回复 {label} 内容」。")
    return sum(outbox.enqueue(db, f"urgent-chase:{label}:{due[-1]}:{p['id']}", p["openid"], "urgent", body, now,
                              urgent=True) for p in _chase_targets(db, ticket["site_id"]))


def _first_line(request: dict, waited: timedelta, db: Database) -> str:
    hours = int(waited.total_seconds() // 3600)
    return (f"【提醒】求助 {request['number']}（{request['category']}，{site_label(db, request)}）"
            f"已等了{hours}个多小时，还没人接单。")


def _remind(db: Database, request: dict, now: datetime, level: str, head: str, waited: timedelta) -> int:
    number = request["number"]
    team = teams.get_team(db, request["team_id"])
    if level == "lead":
        # The first reminder goes to whoever holds it: the team's leader, or the worker holding it.
        if team:
            targets = teams.leaders(db, team["id"]) or teams.members(db, team["id"])
        else:
            holder = people.get_person_by_id(db, request["worker_id"]) if request["worker_id"] else None
            targets = [holder] if holder else []
        body = f"{head}\n能接请回「接单 {number}」，接不了请回「退回 {number} 原因」。"
    else:
        # Then one level up: the site's worker for a team's request, the admins for the worker's own.
        targets = site_workers(db, request["site_id"]) if team else people.admins(db)
        holder = team["name"] if team else "社工"
        body = (f"{head}目前在{holder}手上。\n请跟进：可打电话催一下，"
                f"或「转派 {number} 队名」，或自己「接单 {number}」。")
    count = 0
    for person in targets:
        key = f"escalation:{number}:{level}:{request['assigned_at']}:{person['id']}"
        if outbox.enqueue(db, key, person["openid"], "escalation", body, now):
            count += 1
    if count:
        whom = "队长" if level == "lead" else "上级"
        reqs.add_event(db, request["id"], now, None, "reminded", request["status"], request["status"],
                       request["team_id"], f"提醒{whom}（已等{int(waited.total_seconds() // 3600)}小时）")
    return count


def housekeeping(db: Database, now: datetime) -> str:
    """Run with escalation: remind once of a request left half-way, and close tickets silent for a day."""
    from flows import handoff, request_drafts

    reminded = request_drafts.remind(db, now)
    closed = handoff.close_silent(db, now)
    return f"{reminded} unfinished requests reminded, {closed} silent tickets closed"
