"""Recipients: the searchable list (site, category, level, overdue) and one recipient's timeline (visits,
requests, case notes, mandatory reports, groups). Reading a timeline is written to the audit trail."""

from __future__ import annotations

import json
from datetime import datetime

from flask import current_app, render_template, request

from bot.admin import access, common
from bot.storage import get_db
from data import audit, cases, coverage, worklists
from data.recipients import CATEGORIES, KINDS, LEVELS, age, categories_of
from data.record_rules import Where
from data.requests import STATUSES
from data.visits import OUTCOMES

LIST_LIMIT = 500
STATES = {"active": "在册", "pending": "新发现待确认", "closed": "已销册"}


def recipients() -> str:
    db, today = get_db(), common.today()
    where = Where().sites("r.site_id", access.site_ids())
    site = common.int_arg("site")
    if site is not None:
        where.add("r.site_id = ?", access.site_or_404(site))
    state = request.args.get("state", "active")
    where.add({"pending": "r.active = 1 AND r.pending = 1", "closed": "r.active = 0"}.get(
        state, "r.active = 1 AND r.pending = 0"))
    query = request.args.get("q", "").strip()[:20]
    if query:
        where.add("r.name LIKE ?", f"%{query}%")
    category = request.args.get("category", "")
    if category:
        where.add("EXISTS (SELECT 1 FROM json_each(r.categories) WHERE value = ?)", category)
    level = request.args.get("level", "")
    if level in LEVELS:
        where.add("r.level = ?", level)
    rows = list(db.query(
        "SELECT r.*, s.name AS site_name, p.name AS responsible_name FROM recipients r JOIN sites s ON s.id = r.site_id"
        f" LEFT JOIN people p ON p.id = r.responsible_id{where} ORDER BY s.id, r.kind, r.name", where.params))
    standings = {s.recipient["id"]: s for s in coverage.standings(db, rows, today)}
    overdue = request.args.get("overdue") == "1"
    if overdue:
        rows = [r for r in rows if standings[r["id"]].due]
    for row in rows:
        row["categories_list"] = categories_of(row)
        row["standing"] = standings[row["id"]]
    all_categories = sorted({c for kind in CATEGORIES.values() for c in kind})
    return render_template("admin/recipients.html", title="服务对象", rows=rows[:LIST_LIMIT], total=len(rows),
                           sites=access.visible_sites(), categories=all_categories, levels=list(LEVELS),
                           states=STATES, kinds=KINDS, args=request.args, overdue=overdue)


def timeline(recipient_id: int) -> str:
    db, today = get_db(), common.today()
    person = access.recipient_or_404(recipient_id)
    audit.record(db, common.now(), f"web:{access.user()['username']}", "recipient_view", f"recipient:{recipient_id}")
    standing = coverage.standings(db, [person], today)[0]
    return render_template("admin/timeline.html", title=person["name"], person=person, standing=standing,
                           age=age(person["birth_date"], today), categories=categories_of(person), kinds=KINDS,
                           entries=entries(recipient_id), open_case=cases.open_case_of(db, recipient_id))


def _local_day(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(current_app.config["LAOXIAO"].tz).date().isoformat()


def entries(recipient_id: int) -> list[dict]:
    """Everything recorded about a recipient, newest first: {day, kind, title, body, extra}."""
    db = get_db()
    found = []
    for v in db.query("SELECT v.*, p.name AS visitor FROM visits v LEFT JOIN people p ON p.id = v.visitor_id"
                      " WHERE v.recipient_id = ? AND v.deleted_at IS NULL", [recipient_id]):
        outcome = OUTCOMES.get(v["outcome"], v["outcome"])
        found.append({"day": v["visit_date"], "kind": "走访", "order": v["id"],
                      "title": f"{v['mode']} · {outcome} · {v['visitor'] or ''}",
                      "body": v["findings"], "extra": f"需求：{v['needs']}" if v["needs"] else ""})
    for r in db.query("SELECT * FROM requests WHERE recipient_id = ?", [recipient_id]):
        found.append({"day": _local_day(r["created_at"]), "kind": "求助", "order": r["id"],
                      "title": f"{r['number']} · {r['category']} · {STATUSES[r['status']]}", "body": r["text"],
                      "extra": f"完成情况：{r['done_note']}" if r["done_note"] else ""})
    for case in cases.cases_of_recipient(db, recipient_id):
        for note in cases.notes(db, case["id"]):
            found.append({"day": note["day"], "kind": "个案", "order": note["id"],
                          "title": f"{note['stage']} · {note['by_name'] or ''}", "body": note["note"],
                          "extra": "", "link": ("admin.case", {"case_id": case["id"]})})
    for p in worklists.protection_reports(db, None, open_only=False, recipient_id=recipient_id):
        kinds = "、".join(json.loads(p["kinds"]))
        state = f"已处置（{p['handled_by_name'] or ''}：{p['handled_note'] or ''}）" if p["handled_at"] else "未处置"
        found.append({"day": _local_day(p["created_at"]), "kind": "强制报告", "order": p["id"],
                      "title": f"P{p['id']} · {kinds} · {state}", "body": p["excerpt"], "extra": ""})
    for g in db.query("SELECT g.name, g.type, m.joined_on FROM work_group_members m JOIN work_groups g"
                      " ON g.id = m.group_id WHERE m.recipient_id = ?", [recipient_id]):
        found.append({"day": g["joined_on"], "kind": "小组", "order": 0, "title": f"加入{g['type']}小组「{g['name']}」",
                      "body": "", "extra": ""})
    found.sort(key=lambda e: (e["day"], e["order"]), reverse=True)
    return found
