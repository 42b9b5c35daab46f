"""Handing a person to a human: 转人工, a second message laoxiao could not understand, or an emergency.

A ticket (T12) carries the person's last messages to the workers of the person's site, who answer through
laoxiao with 「回复 T12 内容」 and close it with 「结束 T12」; 24 hours without a message either way close it
too. When the site is not known, the family is asked first, so that no other site's worker is bothered
(an emergency never waits: every worker and the admins are alerted at once). While a ticket is open, what
the person says goes to the worker, except a new clear need, which becomes a request (the worker sees it in
the thread), and pleasantries, which are kept in the thread without waking anyone.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlite_utils import Database

from data import handoffs, inbound, menus, outbox, people, sites
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
NONE_OF_OURS = "都不是"


def person_site(db: Database, person: dict) -> int | None:
    """Staff have a site; for the public, the site of their latest request or ticket, if any."""
    if person.get("site_id"):
        return person["site_id"]
    latest = reqs.of_requester(db, person["id"], limit=1)
    if latest and latest[0]["site_id"]:
        return latest[0]["site_id"]
    return handoffs.latest_site(db, person["id"])


def _who(db: Database, person: dict, site_id: int | None) -> str:
    site = sites.get_site(db, site_id)
    name = person.get("name") or _requester_name(db, person) or "一位微信用户"
    return f"{name}（{site['name'] if site else '站点未知'}）"


def _requester_name(db: Database, person: dict) -> str | None:
    row = db.conn.execute("SELECT requester_name FROM requests WHERE requester_id = ? AND requester_name IS NOT"
                          " NULL ORDER BY id DESC LIMIT 1", [person["id"]]).fetchone()
    return row[0] if row else None


def _responders(db: Database, ticket: dict) -> list[dict]:
    """Who hears a ticket: the workers who already answered it, else its site's; admins for no site."""
    answered = [people.get_person_by_id(db, m["sender_id"]) for m in handoffs.messages(db, ticket["id"])
                if m["direction"] == "out" and m["sender_id"]]
    chosen = {p["id"]: p for p in answered if p and p["reachable"]}
    if chosen:
        return list(chosen.values())
    if ticket["site_id"] is None:
        return people.admins(db) or handoffs.responders(db, None)
    return handoffs.responders(db, ticket["site_id"])


def to_human(db: Database, person: dict, now: datetime, site_text: str = "", reason: str = "asked") -> str:
    """Open (or reuse) the person's ticket and tell their site's workers; ask the site first when unknown."""
    site_id, said = _site_said(db, site_text)
    if not said:
        site_id = person_site(db, person)
    ticket = handoffs.active_ticket(db, person["id"], now)
    label = handoffs.label(ticket["id"]) if ticket else ""
    if site_id is None and not said:
        ticket = hand_off(db, person, reason, now, notify=False)
        handoffs.ask_site(db, ticket["id"])
        _remember_site_menu(db, person, now)
        head = "抱歉，我还是没弄明白。" if reason == "not_understood" else "好的。"
        return (f"{head}为了请负责您那里的社工来回复（编号 {handoffs.label(ticket['id'])}），请问您家在哪个社区或村？\n"
                f"{_site_menu_text(db)}\n请回编号。紧急情况请直接拨打120或110。")
    answering = bool(ticket and ticket["site_asked"])
    if answering:
        handoffs.set_site(db, ticket["id"], site_id, now)
        reason = ticket["reason"]
    # The answer to 「哪个社区或村？」 is no message for the worker: the ticket keeps the ones that led to it.
    ticket = hand_off(db, person, reason, now, site_id=site_id, refresh=not answering)
    label = handoffs.label(ticket["id"])
    menus.forget(db, person["id"])
    site = sites.get_site(db, site_id)
    where = f"{site['name']}的社工" if site else "社工"
    head = "抱歉，我还是没弄明白，已经" if reason == "not_understood" and not answering else "好的，已"
    return f"{head}请{where}来回复您（编号 {label}），社工的回复会发到这里，请稍等。紧急情况请直接拨打120或110。"


def _site_said(db: Database, text: str) -> tuple[int | None, bool]:
    """(site id, whether the person named one): 「转人工 怡园社区」, or 「转人工 都不是」 for none of ours."""
    text = text.strip()
    if not text:
        return None, False
    if NONE_OF_OURS in text or "别的" in text:
        return None, True
    for site in sites.list_sites(db):
        short = site["name"].removesuffix("社区").removesuffix("村")
        if site["name"] in text or (len(short) >= 2 and short in text):
            return site["id"], True
    return None, False


def _site_menu_text(db: Database) -> str:
    names = [s["name"] for s in sites.list_sites(db)]
    return "\n".join(f"{i}. {n}" for i, n in enumerate([*names, f"{NONE_OF_OURS}（别的地方）"], 1))


def _remember_site_menu(db: Database, person: dict, now: datetime) -> None:
    options = [{"label": s["name"], "say": f"转人工 {s['name']}",
                "words": [s["name"], s["name"].removesuffix("社区").removesuffix("村")]}
               for s in sites.list_sites(db)]
    options.append({"label": NONE_OF_OURS, "say": f"转人工 {NONE_OF_OURS}", "words": [NONE_OF_OURS, "别的地方"]})
    menus.remember(db, person["id"], options, now)


def hand_off(db: Database, person: dict, reason: str, now: datetime, notify: bool = True,
             site_id: int | None = None, refresh: bool = True) -> dict:
    """Open (or refresh) the person's ticket and tell its workers. Returns the ticket."""
    site_id = site_id if site_id is not None else person_site(db, person)
    current = handoffs.active_ticket(db, person["id"], now)
    if current is not None and not refresh:
        messages = current["last_messages"]
    else:
        recent = inbound.recent_texts(db, person["openid"], limit=5)
        messages = [{"at": r["received_at"], "text": r["content"][:100]} for r in recent]
    with transaction(db):
        ticket = handoffs.open_ticket(db, person["id"], site_id, reason, messages, now)
        if site_id is not None and ticket["site_id"] is None:
            handoffs.set_site(db, ticket["id"], site_id, now)
            ticket = handoffs.get(db, ticket["id"])
        label = handoffs.label(ticket["id"])
        lines = [f"【转人工 {label}】{_who(db, person, ticket['site_id'])}需要人工回复。", "最近的消息："]
        lines += [f"· {m['text']}" for m in messages] or ["（没有文字消息）"]
        lines.append(f"回复对方请发「回复 {label} 内容」，谈完请发「结束 {label}」。")
        for worker in _responders(db, ticket) if notify else ():
            outbox.enqueue(db, f"handoff:{label}:{reason}:{now.isoformat()}:{worker['id']}", worker["openid"],
                           KIND, "\n".join(lines), now)
    return ticket


def forward(db: Database, ticket: dict, person: dict, text: str, now: datetime, quiet: bool = False) -> str:
    """A message from a person whose ticket is open goes to the worker(s) instead of the matcher. `quiet`
    (a thank-you, an OK) keeps it in the thread without pushing it to anyone. Returns the reply."""
    label = handoffs.label(ticket["id"])
    count = len(handoffs.messages(db, ticket["id"]))
    with transaction(db):
        handoffs.add_message(db, ticket["id"], person["id"], "in", text, now)
        if ticket["site_asked"]:
            return f"收到。请先告诉我您家在哪个社区或村，好请那里的社工来回复（{label}）：\n{_site_menu_text(db)}"
        if quiet:
            return "不客气！社工看到会回复您。"
        body = (f"【{label}】{_who(db, person, ticket['site_id'])}说：{text[:300]}\n"
                f"回复请发「回复 {label} 内容」，谈完请发「结束 {label}」。")
        for worker in _responders(db, ticket):
            outbox.enqueue(db, f"handoff:{label}:in:{count}:{worker['id']}", worker["openid"], KIND, body, now)
    return f"已转给社工（{label}），请稍等回复。"


def note_requests(db: Database, person: dict, made: list[dict], now: datetime) -> None:
    """A request made while a ticket is open shows in the ticket's thread, and its worker hears of it."""
    ticket = handoffs.active_ticket(db, person["id"], now)
    if ticket is None:
        return
    label = handoffs.label(ticket["id"])
    for request in made:
        text = f"新求助 {request['number']}（{request['category']}）：{request['text'][:100]}"
        count = len(handoffs.messages(db, ticket["id"]))
        handoffs.add_message(db, ticket["id"], person["id"], "in", text, now, request_id=request["id"])
        if ticket["site_asked"]:
            continue
        for worker in _responders(db, ticket):
            outbox.enqueue(db, f"handoff:{label}:in:{count}:{worker['id']}", worker["openid"], KIND,
                           f"【{label}】{_who(db, person, ticket['site_id'])}提了{text}\n已按求助派出，"
                           f"进度发「进度 {request['number']}」。", now)


def reply(db: Database, ticket: dict, worker: dict, text: str, now: datetime) -> str:
    """A worker's answer, pushed to the person; returns the confirmation for the worker."""
    label = handoffs.label(ticket["id"])
    person = people.get_person_by_id(db, ticket["person_id"])
    count = len(handoffs.messages(db, ticket["id"]))
    with transaction(db):
        handoffs.add_message(db, ticket["id"], worker["id"], "out", text, now)
        outbox.enqueue(db, f"handoff:{label}:out:{count}", person["openid"], KIND,
                       f"社工{worker.get('name') or ''}回复您：{text}", now)
    return f"已发给对方（{label}）。对方再发的消息会转给您；谈完请发「结束 {label}」。"


def close(db: Database, ticket: dict, worker: dict | None, now: datetime, reason: str = "worker") -> str:
    """The conversation is over: the person is told, and their messages go to laoxiao again."""
    label = handoffs.label(ticket["id"])
    person = people.get_person_by_id(db, ticket["person_id"])
    with transaction(db):
        handoffs.close(db, ticket["id"], worker["id"] if worker else None, now, reason)
        ended = "一天没有新消息，已结束" if reason == "silence" else "社工已结束这次对话"
        outbox.enqueue(db, f"handoff:{label}:closed", person["openid"], KIND,
                       f"{ended}（{label}）。以后有需要，直接发消息就行；想再找社工请回「转人工」。", now)
    return f"已结束 {label}，已告诉对方。"


def close_silent(db: Database, now: datetime) -> int:
    """Tickets with no message either way for 24 hours are closed (the scheduler runs this)."""
    closed = 0
    for ticket in handoffs.silent_since(db, now):
        close(db, ticket, None, now, "silence")
        closed += 1
    return closed


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
    """Alert the site's worker(s) and the admins at once (every worker when the site is not known: an
    emergency never waits for a question); a ticket lets them answer the person."""
    ticket = hand_off(db, person, "urgent", now, notify=False)
    site_id = ticket["site_id"]
    label = handoffs.label(ticket["id"])
    told = f"已让对方拨打{call}。" if call else "已提醒对方需要时拨打120/110/119。"
    body = (f"【紧急求助】{_who(db, person, site_id)}：「{text[:200]}」\n{told}请马上联系处理。"
            f"回复对方请发「回复 {label} 内容」。")
    workers = handoffs.responders(db, site_id)  # with no site: every worker
    targets = {p["id"]: p for p in [*workers, *people.admins(db)]}
    with transaction(db):
        for target in targets.values():
            outbox.enqueue(db, f"urgent:{key}:{target['id']}", target["openid"], "urgent", body, now, urgent=True)
    return ticket
