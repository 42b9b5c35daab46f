"""Handing a person to a human: 转人工, a second message laoxiao could not understand, or an emergency.

A ticket (T12) carries the person's last messages to the site's worker, who answers through laoxiao with
「回复 T12 内容」. Emergencies also tell the person at once which number to call.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlite_utils import Database

from data import handoffs, inbound, outbox, people, sites
from data import requests as reqs
from data.categories import urgent_words
from data.db import transaction

KIND = "handoff"
_CALLS = {
    "120": "请马上拨打120急救电话！",
    "110": "请马上拨打110报警！",
    "119": "请马上拨打119火警电话，先让人离开屋子！",
}
_ANY_CALL = "如有危险，请马上拨打120（急救）、110（报警）或119（火警）！"


def person_site(db: Database, person: dict) -> int | None:
    """Staff have a site; for the public, the site of their latest request, if any."""
    if person.get("site_id"):
        return person["site_id"]
    latest = reqs.of_requester(db, person["id"], limit=1)
    return latest[0]["site_id"] if latest else None


def _who(db: Database, person: dict, site_id: int | None) -> str:
    site = sites.get_site(db, site_id)
    name = person.get("name") or "一位微信用户"
    return f"{name}（{site['name'] if site else '站点未知'}）"


def hand_off(db: Database, person: dict, reason: str, now: datetime, notify: bool = True) -> dict:
    """Open (or refresh) the person's ticket and tell the site's worker(s). Returns the ticket."""
    site_id = person_site(db, person)
    recent = inbound.recent_texts(db, person["openid"], limit=5)
    messages = [{"at": r["received_at"], "text": r["content"][:100]} for r in recent]
    with transaction(db):
        ticket = handoffs.open_ticket(db, person["id"], site_id, reason, messages, now)
        label = handoffs.label(ticket["id"])
        lines = [f"【转人工 {label}】{_who(db, person, site_id)}需要人工回复。", "最近的消息："]
        lines += [f"· {m['text']}" for m in messages] or ["（没有文字消息）"]
        lines.append(f"回复对方请发「回复 {label} 内容」。")
        for worker in handoffs.responders(db, site_id) if notify else ():
            outbox.enqueue(db, f"handoff:{label}:{reason}:{now.isoformat()}:{worker['id']}", worker["openid"],
                           KIND, "\n".join(lines), now)
    return ticket


def forward(db: Database, ticket: dict, person: dict, text: str, now: datetime) -> None:
    """A message from a person whose ticket is open goes to the worker(s) instead of the matcher."""
    label = handoffs.label(ticket["id"])
    count = len(handoffs.messages(db, ticket["id"]))
    with transaction(db):
        handoffs.add_message(db, ticket["id"], person["id"], "in", text, now)
        body = f"【{label}】{_who(db, person, ticket['site_id'])}说：{text[:300]}\n回复请发「回复 {label} 内容」。"
        for worker in handoffs.responders(db, ticket["site_id"]):
            outbox.enqueue(db, f"handoff:{label}:in:{count}:{worker['id']}", worker["openid"], KIND, body, now)


def reply(db: Database, ticket: dict, worker: dict, text: str, now: datetime) -> str:
    """A worker's answer, pushed to the person; returns the confirmation for the worker."""
    label = handoffs.label(ticket["id"])
    person = people.get_person_by_id(db, ticket["person_id"])
    count = len(handoffs.messages(db, ticket["id"]))
    with transaction(db):
        handoffs.add_message(db, ticket["id"], worker["id"], "out", text, now)
        outbox.enqueue(db, f"handoff:{label}:out:{count}", person["openid"], KIND,
                       f"社工{worker.get('name') or ''}回复您：{text}", now)
    return f"已发给对方（{label}）。对方再发的消息会转给您。"


@cache
def _notes() -> dict[str, str]:
    return {w.word: w.note for w in urgent_words() if w.note}


def advice(call: str | None, alerts: tuple[str, ...] = ()) -> str:
    """What to tell someone in an emergency: the number to call first."""
    text = _CALLS.get(call or "", _ANY_CALL)
    notes = [_notes()[w] for w in alerts if w in _notes()]
    if notes:
        text += f"也可以打{notes[0]}，请让身边的人陪着。"
    return f"⚠️ {text}已同时通知社工。"


def urgent_alert(db: Database, person: dict, text: str, call: str | None, key: str, now: datetime) -> dict:
    """Alert the site's worker(s) and the admins at once; a ticket lets them answer the person."""
    ticket = hand_off(db, person, "urgent", now, notify=False)
    site_id = ticket["site_id"]
    label = handoffs.label(ticket["id"])
    told = f"已让对方拨打{call}。" if call else "已提醒对方需要时拨打120/110/119。"
    body = (f"【紧急求助】{_who(db, person, site_id)}：「{text[:200]}」\n{told}请马上联系处理。"
            f"回复对方请发「回复 {label} 内容」。")
    targets = {p["id"]: p for p in [*handoffs.responders(db, site_id), *people.admins(db)]}
    with transaction(db):
        for target in targets.values():
            outbox.enqueue(db, f"urgent:{key}:{target['id']}", target["openid"], "urgent", body, now, urgent=True)
    return ticket
