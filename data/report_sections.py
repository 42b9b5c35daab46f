"""The report's sections about groups, events and volunteers, its highlights and next month's plan skeleton
(see data.report for the whole)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from sqlite_utils import Database

from data import events, groups, projects, submissions, volunteering
from data.indicators import qualified_on
from data.text_masking import hide_numbers

HIGHLIGHTS = 8
EXCERPT = 60
_BEHIND_SKIPPED = ("ongoing_visits", "monthly_reports")


def _marks(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def groups_section(db: Database, site_ids: list[int], first: date, last: date) -> dict:
    """Groups started by the window's end: members and sessions by then, and sessions within the window."""
    items = []
    for group in db.query(
            "SELECT g.*, s.name AS site_name FROM work_groups g JOIN sites s ON s.id = g.site_id"
            f" WHERE g.site_id IN ({_marks(site_ids)}) AND g.started_on <= ? ORDER BY g.started_on, g.id",
            [last.isoformat()]):
        members = [r[0] for r in db.conn.execute(
            "SELECT joined_on FROM work_group_members WHERE group_id = ? AND joined_on <= ?",
            [group["id"], last.isoformat()])]
        held = list(db.query("SELECT day, attendance FROM work_group_sessions WHERE group_id = ? AND day <= ?"
                             " ORDER BY day", [group["id"], last.isoformat()]))
        in_window = [s for s in held if s["day"] >= first.isoformat()]
        items.append({"name": group["name"], "type": group["type"], "site": group["site_name"],
                      "started_on": group["started_on"], "members": len(members), "sessions": len(held),
                      "planned_sessions": group["planned_sessions"], "sessions_in_period": len(in_window),
                      "attendance_in_period": sum(s["attendance"] for s in in_window),
                      "qualifies": qualified_on(members, [s["day"] for s in held]) is not None})
    return {"count": len(items), "qualifying": sum(1 for g in items if g["qualifies"]),
            "sessions_in_period": sum(g["sessions_in_period"] for g in items), "items": items}


def events_section(db: Database, site_ids: list[int], first: date, last: date) -> dict:
    items = []
    for event in reversed(events.list_events(db, site_ids, first.isoformat(), last.isoformat())):
        items.append({"day": event["day"], "title": event["title"], "type": event["type"], "site": event["site_name"],
                      "place": event["place"], "participants": event["participants"],
                      "partners": event["partners"], "volunteers": event["volunteers"],
                      "volunteer_hours": event["volunteer_hours"], "money": event["money"],
                      "goods": event["goods"] or "", "counted": event["counted"]})
    return {"count": len(items), "counted": sum(1 for e in items if e["counted"]),
            "participants": sum(e["participants"] for e in items),
            "volunteer_hours": sum(e["volunteer_hours"] for e in items),
            "money": sum(e["money"] for e in items),
            "partners": {p: sum(1 for e in items if p in e["partners"]) for p in events.PARTNERS},
            "items": items}


def volunteers_section(db: Database, site_ids: list[int], first: date, last: date) -> dict:
    people = volunteering.hours_by_volunteer(db, site_ids, first.isoformat(), last.isoformat())
    return {"people": len(people), "services": sum(p["services"] for p in people),
            "hours": sum(p["hours"] for p in people), "by_volunteer": people}


def highlights(db: Database, site_ids: list[int], first: date, last: date) -> list[str]:
    """A few lines worth telling the bureau, from the window's records; phone and ID numbers masked."""
    window, marks = [first.isoformat(), last.isoformat()], _marks(site_ids)
    found: list[tuple[str, str]] = []
    for row in db.query(f"SELECT day, title, type, participants, summary FROM events WHERE site_id IN ({marks})"
                        " AND day BETWEEN ? AND ? ORDER BY day", window):
        tail = f"：{_cut(row['summary'])}" if row["summary"] else ""
        found.append((row["day"], f"{row['title']}（{row['type']}，{row['participants']}人参加）{tail}"))
    for row in db.query("SELECT n.day, n.stage, n.note FROM case_notes n JOIN cases c ON c.id = n.case_id"
                        f" WHERE c.site_id IN ({marks}) AND n.stage IN ('评估', '结案') AND n.day BETWEEN ? AND ?"
                        " ORDER BY n.day", window):
        found.append((row["day"], f"个案{row['stage']}：{_cut(row['note'])}"))
    for row in db.query("SELECT x.day, x.topic, x.notes, g.name FROM work_group_sessions x"
                        f" JOIN work_groups g ON g.id = x.group_id WHERE g.site_id IN ({marks}) AND x.notes != ''"
                        " AND x.day BETWEEN ? AND ? ORDER BY x.day", window):
        found.append((row["day"], f"小组「{row['name']}」{row['topic']}：{_cut(row['notes'])}"))
    found.sort(key=lambda item: item[0])
    return [f"{day[5:7]}月{int(day[8:])}日 {hide_numbers(text)}" for day, text in found[:HIGHLIGHTS]]


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def next_month(db: Database, report: dict, site_ids: list[int], last: date) -> list[str]:
    """The skeleton of next month's plan: what the records say is due or behind. Workers complete it."""
    start = last + timedelta(days=1)
    month = f"{start.year:04d}-{start.month:02d}"
    month_last = projects.month_first_last(month)[1]
    visits, cases = report["visits"], report["cases"]
    lines = [f"走访：持续关爱对象{visits['ongoing_recipients']}人，每人至少上门一次"
             + (f"；本期没有上门见到的{visits['ongoing_recipients'] - visits['ongoing_seen']}人优先。"
                if visits["ongoing_recipients"] > visits["ongoing_seen"] else "。")]
    follow = db.conn.execute(
        f"SELECT COUNT(*) FROM cases WHERE site_id IN ({_marks(site_ids)}) AND closed_on IS NULL"
        " AND next_follow_up BETWEEN ? AND ?", [start.isoformat(), month_last.isoformat()]).fetchone()[0]
    if cases["open"] or follow:
        line = f"个案：在办{cases['open']}个，其中{follow}个约定下月跟进"
        lines.append(line + (f"；{cases['overdue']}个超过30天没有记录，请尽快跟进。" if cases["overdue"] else "。"))
    for group in report["groups"]["items"]:
        if not group["qualifies"]:
            sessions, members = groups.MIN_SESSIONS - group["sessions"], groups.MIN_MEMBERS - group["members"]
            need = [f"活动{sessions}次" if sessions > 0 else "", f"组员{members}人" if members > 0 else ""]
            lines.append(f"小组「{group['name']}」还需{'、'.join(n for n in need if n)}。")
    for row in report["indicators"]:
        if row["code"] in _BEHIND_SKIPPED or not row["target"] or row["actual"] >= row["target"]:
            continue
        project = next(p for p in report["projects"] if p["code"] == row["project"])
        left = len(projects.months_between(start, date.fromisoformat(project["end_date"]))) if \
            start.isoformat() <= project["end_date"] else 0
        remaining = row["target"] - row["actual"]
        pace = f"，项目还剩{left}个月，每月约{math.ceil(remaining / left)}{row['unit']}" if left else "，项目已到期"
        lines.append(f"{projects.NAMES[row['project']]}·{row['name']}：还差{remaining}{row['unit']}{pace}。")
    due = submissions.due_date(month, "plan")
    lines.append(f"{start.month}月工作计划请在{due.month}月{due.day}日前提交，工作总结在月底前提交。")
    return lines
