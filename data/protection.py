"""Mandatory reports (强制报告, 未成年人保护法 Art. 11): words in a message that suggest harm to a child or an
elder alert the site's social workers and the admins at once, and the report is kept.

The words are data (data/reference/protection_words.json, read through data.categories). A word may hold
`*` for a short gap; `not_before` / `not_after` list neighbours that mean something harmless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlite_utils import Database

from data import audit, outbox, people, sites
from data.alert_words import WORRY_OR_PAST, AlertMatcher
from data.categories import AlertWord, protection_words
from data.clock import iso
from data.recipients import mask_phones

KIND = "text"
EXCERPT_CHARS = 200
KIND_NAMES = {"abuse": "殴打虐待", "sexual": "性侵害", "neglect": "忽视", "abandonment": "遗弃"}

SENDER_NOTICE = ("⚠️ 您说的情况可能涉及人身安全。我们已立即通知社工和管理员，他们会尽快与您联系、上门核实。"
                 "如果有生命危险，请马上拨打110（报警）或120（急救）。")
STAFF_NOTICE = ("⚠️ 这条记录可能涉及侵害，已按强制报告要求立即通知本站点社工和管理员。"
                "请同时按规定向公安、民政或教育部门报告；有生命危险请立即拨打110或120。")


@cache
def matcher() -> AlertMatcher:
    """Protection words are defused only by a worry or the past: habitual harm (经常打孩子) is still harm."""
    return AlertMatcher(protection_words(), WORRY_OR_PAST)


def find_words(text: str) -> list[AlertWord]:
    """The protection words `text` contains, each once, in list order."""
    return matcher().find(text)


@dataclass(frozen=True)
class Report:
    id: int
    notified: int


def raise_report(db: Database, now: datetime, sender: dict, text: str, words: list[AlertWord],
                 site_id: int | None, recipient_id: int | None = None) -> Report:
    """Keep the report and queue an alert to each worker of the site and each admin (never the sender).

    With no known site every social worker is alerted: a report must reach someone.
    """
    excerpt = mask_phones(" ".join(text.split()))[:EXCERPT_CHARS]
    kinds = list(dict.fromkeys(w.kind for w in words if w.kind))
    cursor = db.conn.execute(
        "INSERT INTO protection_reports (person_id, site_id, words, kinds, excerpt, created_at, recipient_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [sender.get("id"), site_id, json.dumps([w.word for w in words], ensure_ascii=False),
         json.dumps(kinds), excerpt, iso(now), recipient_id])
    report_id = cursor.lastrowid
    body = alert_text(db, report_id, sender, excerpt, kinds, site_id)
    notified = 0
    for person in _alerted(db, site_id):
        if person["id"] == sender.get("id"):
            continue
        if outbox.enqueue(db, f"protection:{report_id}:{person['id']}", person["openid"], KIND, body, now,
                          urgent=True):
            notified += 1
    db.conn.execute("UPDATE protection_reports SET notified = ? WHERE id = ?", [notified, report_id])
    # The audit keeps who and what kind, not the words of the message.
    audit.record(db, now, sender.get("openid"), "protection_report", f"protection:{report_id}",
                 {"site_id": site_id, "kinds": kinds, "notified": notified})
    return Report(report_id, notified)


def _alerted(db: Database, site_id: int | None) -> list[dict]:
    if site_id is None:
        workers = list(db.query("SELECT * FROM people WHERE role = 'worker' AND reachable = 1 ORDER BY id"))
    else:
        workers = people.staff_of_site(db, site_id, ("worker",))
    chosen = {p["id"]: p for p in [*workers, *people.admins(db)]}
    return list(chosen.values())


def alert_text(db: Database, report_id: int, sender: dict, excerpt: str, kinds: list[str],
               site_id: int | None) -> str:
    site = sites.get_site(db, site_id)
    who = sender.get("name") or "一位居民"
    role = people.ROLES.get(sender.get("role") or "family", "")
    what = "、".join(KIND_NAMES.get(k, k) for k in kinds) or "人身安全"
    where = f"（{site['name']}）" if site else ""
    return (f"【强制报告 P{report_id}】{who}（{role}）{where}发来的消息疑似涉及{what}：\n「{excerpt}」\n"
            "请立即核实处置：有生命危险请拨打110/120；按《未成年人保护法》第十一条向公安、民政或教育部门报告。")


def open_reports(db: Database, site_id: int | None = None) -> list[dict]:
    if site_id is None:
        return list(db.query("SELECT * FROM protection_reports WHERE handled_at IS NULL ORDER BY id"))
    return list(db.query("SELECT * FROM protection_reports WHERE handled_at IS NULL AND site_id = ? ORDER BY id",
                         [site_id]))
