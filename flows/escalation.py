"""Requests nobody has accepted: remind the team leader, then the site's worker.

Waiting time counts daytime hours only (08:00-20:00 local by default): a request made at 19:30 has waited
30 minutes at 08:00 next morning, so nobody is reminded in the night about something nobody could do.
Each reminder has a unique outbox key per assignment, so running the job every few minutes (or twice at
once) sends each reminder once. Done requests nobody rated are closed after a week.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from data import outbox, people, teams
from data import requests as reqs
from data.clock import parse_iso
from data.db import transaction
from flows.request_life import site_label, site_workers

LEAD_AFTER = timedelta(hours=2)
WORKER_AFTER = timedelta(hours=4)
DAY_START, DAY_END = time(8, 0), time(20, 0)
CLOSE_DONE_AFTER = timedelta(days=7)


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
        waited = daytime_between(parse_iso(request["assigned_at"]), now, tz, day_start, day_end)
        with transaction(db):
            if waited >= lead_after:
                sent += _remind(db, request, now, "lead", _first_line(request, waited, db), waited)
            if waited >= worker_after:
                sent += _remind(db, request, now, "worker", _first_line(request, waited, db), waited)
    for request in reqs.done_before(db, now - close_done_after):
        with transaction(db):
            reqs.close(db, request, now, None, "一周未评价，自动结束")
    return sent


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
