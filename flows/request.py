"""求助: anyone describes a need in their own words; laoxiao works out the kind of help (asking when unsure),
for whom, where and how to reach them (reading whatever details were given, flows.request_whom), shows the
card it will send (「这样发给志愿者可以吗？」), gives a short number (R1203-07) and routes it to a volunteer
team. Two needs in one message become two requests, sent together.

The classifier is the intent matcher the app was built with, handed over as `ctx.classify`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from data import handoffs, people, sites
from data import requests as reqs
from data.alert_words import NOT_NOW, AlertMatcher
from data.categories import LABELS, URGENT_LABEL, load_categories, urgent_words
from data.clock import iso
from data.db import transaction
from flows import handoff
from flows import request_card as card
from flows import request_details as details
from flows import request_life as life
from flows import request_whom as whom
from flows.context import Ctx
from flows.engine import Flow, Step
from flows.errors import Abort, Ambiguous, Invalid
from flows.words import clean, numbered

STAFF = people.STAFF_ROLES
MAX_NEED = 500
HUMAN = ("转人工", "人工", "人工服务", "找社工", "找真人")
_NONE_OF_THESE = ("0", "都不是", "都不对", "其他", "别的", "看全部", "全部")
_CLAUSES = re.compile(r"[。；;，,、\n]|另外|还有|并且")
CONFIRM_PROMPT = "这样发给志愿者可以吗？回 1 发送，2 修改，3 取消。"


def to_human(ctx: Ctx, site: str = "") -> str:
    """转人工: the person's site decides which worker answers; when it is not known, ask first."""
    return handoff.to_human(ctx.db, ctx.person, ctx.now, site)


def classify(ctx: Ctx, text: str) -> Any:
    """A match with category, band, alternatives, urgent, call, alerts, secondary (handlers.intent.Match)."""
    if ctx.classify is None:
        raise RuntimeError("this context has no classifier: build it with Dispatcher.context")
    return ctx.classify(text)


@cache
def _menus() -> dict[str, str]:
    return {c.label: c.menu for c in load_categories()}


def option_label(label: str) -> str:
    menu = _menus().get(label, "")
    return f"{menu}（{label}）" if menu and menu != label else label


def full_menu() -> list[tuple[str, str]]:
    return [(label, option_label(label)) for label in LABELS]


def _understood(match: Any) -> bool:
    return bool(match.category) or bool(match.urgent)


# ---------------------------------------------------------------- need and category

def _extract_need(text: str, ctx: Ctx, values: dict) -> tuple[str, str] | None:
    if not _understood(classify(ctx, text)) or _details_only(ctx, text):
        return None
    # The whole text stays for the next steps: kind of help, for whom and where come from the same words.
    return _checked_need(text), text


def _parse_need(text: str, ctx: Ctx, values: dict) -> str:
    need = _checked_need(text)
    if not _understood(classify(ctx, need)):
        values["_misses"] = values.get("_misses", 0) + 1
    return need


def _checked_need(text: str) -> str:
    need = text.strip()
    if not need:
        raise Invalid("请说说需要什么帮助。")
    if len(need) > MAX_NEED:
        raise Invalid(f"太长了，请用几句话说说需要什么帮助（{MAX_NEED}字以内）。")
    return need


def _ask_need(ctx: Ctx, values: dict) -> str:
    """Details already given are acknowledged, so nobody wonders whether they were read."""
    got = [values.get("_requester"), (values.get("address") or {}).get("text")]
    phone = values.get("phone")
    got.append(whom.show_phone(phone) if phone else None)
    known = "，".join(g for g in got if g)
    head = f"好的，记下了（{known}）。" if known else ""
    return f"{head}请说说需要什么帮助？（可以发语音）"


def _chosen_label(answer: str) -> str | None:
    number = answer.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if number.isdigit():
        return LABELS[int(number) - 1] if 1 <= int(number) <= len(LABELS) else None
    if answer in LABELS:
        return answer
    for label, menu in _menus().items():
        if answer == menu and label in LABELS:
            return label
    return None


def _extract_category(text: str, ctx: Ctx, values: dict) -> tuple[str, str] | None:
    if "need" not in values and not values.get("_misses") and _details_only(ctx, text):
        return None  # details alone (「我叫海秀英，住在怡园社区2号楼」): the need is asked first
    answer = clean(text)
    # A number picks from the menu only once the menu has been shown, never from the first message.
    label = _chosen_label(answer) if "need" in values or values.get("_misses") else None
    if label:
        _alert_if_urgent(ctx, values, label, text, None, ())
        return label, ""
    if answer in _NONE_OF_THESE:
        raise Ambiguous("请从下面选一类：", full_menu())
    match = classify(ctx, answer)
    if match.flag and not values.get("_flag"):
        values["_flag"] = match.flag
    if match.urgent:
        # Suspected harm to a child alone: the mandatory-report path (a router observer) has alerted the staff
        # and told the sender what to call already.
        if not match.protection or not set(match.alerts) <= set(match.protection):
            _alert_if_urgent(ctx, values, URGENT_LABEL, answer, match.call, tuple(match.alerts))
        _note_also(values, match, URGENT_LABEL)
        return URGENT_LABEL, text
    if match.category and match.band == "route":
        _note_also(values, match, match.category)
        return match.category, text
    if match.category:
        labels = [match.category, *[a for a, _ in match.alternatives if a != match.category]][:3]
        raise Ambiguous("您是需要哪一种帮助？（都不是请回0）", [(lab, option_label(lab)) for lab in labels])
    _missed(ctx, values)
    raise Ambiguous("抱歉，没太明白是哪方面的需要。可以换个说法再说一遍，或者选一类：", full_menu())


def _details_only(ctx: Ctx, text: str) -> bool:
    """「我叫海秀英，住在怡园社区2号楼」: who and where, but no need yet."""
    return details.details_only(text, tuple(s["name"] for s in sites.list_sites(ctx.db)))


def _note_also(values: dict, match: Any, primary: str) -> None:
    """A second need in the same message goes out with the first (and can be dropped at the card)."""
    if match.secondary and match.secondary != primary and "also" not in values:
        values["also"] = match.secondary


def _parse_category(text: str, ctx: Ctx, values: dict) -> str:
    values.setdefault("_misses", 0)
    found = _extract_category(text, ctx, {**values, "need": values.get("need", "")})
    return found[0]


def _ask_category(ctx: Ctx, values: dict) -> str:
    head = "抱歉，没太明白是哪方面的需要。" if values.get("_misses") else ""
    return f"{head}请回编号选一类：\n{numbered(o for _, o in full_menu())}\n也可以换个说法再说一遍。"


def _parse_also(text: str, ctx: Ctx, values: dict) -> str | None:
    label = _chosen_label(clean(text))
    if label and label != values.get("category"):
        return label
    if clean(text) in ("无", "没有", "不用", "不要", "不发", "只发一件", "一件就行"):
        return None
    raise Invalid("另一件事要一起发吗？回类别编号（比如10），不用请回「不用」。\n"
                  + numbered(o for _, o in full_menu()))


def _missed(ctx: Ctx, values: dict) -> None:
    """The second message in a row laoxiao cannot place goes to a human (staff just get the menu again)."""
    values["_misses"] = values.get("_misses", 0) + 1
    if values["_misses"] >= 2 and ctx.role not in STAFF:
        raise Abort(handoff.to_human(ctx.db, ctx.person, ctx.now, reason="not_understood"))


def _alert_if_urgent(ctx: Ctx, values: dict, label: str, text: str, call: str | None,
                     alerts: tuple[str, ...]) -> None:
    """An emergency cannot wait for the confirmation: staff are alerted the moment it is recognised."""
    if label != URGENT_LABEL or values.get("_urgent"):
        return
    key = ctx.message.key if ctx.message else f"{ctx.openid}:{iso(ctx.now)}"
    handoff.urgent_alert(ctx.db, ctx.person, text, call, key, ctx.now)
    values["_urgent"] = handoff.advice(call, alerts)


def _advised(question: str | Callable[[Ctx, dict], str]) -> Callable[[Ctx, dict], str]:
    """In an emergency every question starts with what to call."""

    def ask(ctx: Ctx, values: dict) -> str:
        text = question(ctx, values) if callable(question) else question
        return f"{values['_urgent']}\n{text}" if values.get("_urgent") else text

    return ask


# ---------------------------------------------------------------- the card, and sending it

def _fields(ctx: Ctx, values: dict) -> dict:
    """What the stored request holds, from the answers."""
    kind = values["whom"]["kind"]
    named = values.get("name") or {}
    own = values.get("_requester") or (named.get("name") if kind == "self" else None)
    if kind == "self" and ctx.role in STAFF:
        own = ctx.person.get("name")
    site = sites.find_site(ctx.db, whom.known_site(values) or "")
    phone = values.get("phone") or named.get("phone")
    address = named.get("address") or (values.get("address") or {}).get("text")
    return {"for_whom": kind, "recipient_id": named.get("id"),
            "recipient_name": (named.get("name") or None) if kind == "other" else own,
            "requester_name": own, "relation": values["whom"].get("relation") if kind == "other" else None,
            "address": address or None, "site_id": site["id"] if site else None,
            "contact_phone": None if phone == "none" else phone, "no_phone": phone == "none",
            "urgency": details.urgency_of(values["need"]), "flag": values.get("_flag")}


def _need(ctx: Ctx, values: dict) -> str:
    return details.need_only(values["need"], tuple(s["name"] for s in sites.list_sites(ctx.db)))


def _summary(ctx: Ctx, values: dict) -> str:
    f = _fields(ctx, values)
    urgency = "urgent" if values["category"] == URGENT_LABEL else f["urgency"]
    who = card.who_text(f["for_whom"], f["recipient_name"], f["relation"], f["requester_name"])
    site = whom.known_site(values)
    where = f["address"] or ""
    if site and site not in where:
        where = f"{site}{('，' + where) if where else ''}"
    elif site == "" and not where:
        where = whom.show_site("")
    contact = card.contact_text(f["requester_name"] if f["for_whom"] == "other" else None, f["contact_phone"],
                                f["no_phone"])
    lines = [values["_urgent"]] if values.get("_urgent") else []
    lines.append("请核对要发给志愿者的求助：")
    lines += card.body_lines(values["category"], urgency, who, where, _need(ctx, values), contact)
    if values.get("also"):
        lines.append(f"另一件事：{option_label(values['also'])}，一起发出（不用的话回 2 修改）")
    return "\n".join(lines)


def _save(ctx: Ctx, values: dict) -> str:
    # Chosen by number from a menu, 紧急求助 has not alerted anyone yet.
    if not classify(ctx, values["need"]).protection:
        _alert_if_urgent(ctx, values, values["category"], values["need"], None, ())
    fields = _fields(ctx, values)
    labels = [values["category"], *([values["also"]] if values.get("also") else [])]
    made = []
    for label in labels:
        urgent = label == URGENT_LABEL
        made.append(reqs.create(
            ctx.db, requester_id=ctx.person["id"], category=label, text=_need(ctx, values), local_day=ctx.today,
            now=ctx.now, urgent=urgent, secondary=None if len(labels) == 1 else labels[1 - len(made)],
            **{**fields, "urgency": "urgent" if urgent else fields["urgency"]}))
    if len(made) == 2:
        reqs.pair(ctx.db, made[0]["id"], made[1]["id"])
    lines = [values["_urgent"]] if values.get("_urgent") else []
    for request in made:
        where = life.route(ctx.db, reqs.get(ctx.db, request["id"]), ctx.now, ctx.person["id"])
        lines.append(f"已收到您的求助，编号 {request['number']}（{request['category']}），已转给{where}。")
        if request["flag"]:
            life.flag_for_worker(ctx.db, reqs.get(ctx.db, request["id"]), ctx.now)
    handoff.note_requests(ctx.db, ctx.person, made, ctx.now)
    numbers = "、".join(r["number"] for r in made)
    lines.append(f"有人接单后会通知您。查进度请发「进度 {made[0]['number']}」，看全部请发「我的求助」。")
    if len(made) == 2:
        lines.append(f"两件事分开办，编号 {numbers}。")
    return "\n".join(lines)


REQUEST = Flow(
    name="request",
    title="求助",
    triggers=("求助", "我要求助"),
    steps=(
        Step("need", "需要", _ask_need, _parse_need, _extract_need),
        Step("category", "类别", _ask_category, _parse_category, _extract_category),
        Step("also", "另一件事", "另一件事要一起发吗？回类别编号，不用请回「不用」。", _parse_also,
             show=lambda v: option_label(v) if v else "不用", when=lambda v: "also" in v, negatable=True),
        Step("whom", "为谁", _advised(whom.WHOM_QUESTION), whom.parse_whom, whom.extract_whom, show=whom.show_whom),
        Step("name", "姓名", _advised(whom.ask_name), whom.parse_name, whom.extract_name, show=whom.show_name,
             when=whom.needs_name),
        Step("address", "住址", _advised(whom.ask_address), whom.parse_address, whom.extract_address,
             show=whom.show_address, when=whom.needs_address),
        Step("phone", "电话", _advised(whom.PHONE_QUESTION), whom.parse_phone_answer, whom.extract_phone,
             show=whom.show_phone, optional=True, when=whom.needs_phone),
        Step("site", "地点", _advised(whom.ask_site), whom.parse_site, when=whom.needs_site, show=whom.show_site),
    ),
    save=_save,
    summary=_summary,
    confirm_prompt=CONFIRM_PROMPT,
    misplaced=True,
    describe="求助 + 需要什么：例如「求助 我妈的降压药快吃完了」",
    brief=lambda values: f"求助（{values['need'][:12]}）" if values.get("need") else "求助",
    version=2,
)


@cache
def _seen_on_a_visit() -> AlertMatcher:
    return AlertMatcher(urgent_words(), NOT_NOW)


def _visit_needs(ctx: Ctx, text: str) -> list[str]:
    """The kinds of help a visit note asks for, in the order written: a worker lists several needs in one
    note (「药快吃完了，屋顶也漏雨」), so each clause is read on its own as well as the whole. A worker reports
    what is in front of them: an urgent word in the note is a danger now (no sign of now is needed)."""
    whole = classify(ctx, text)
    found = [URGENT_LABEL] if whole.urgent or _seen_on_a_visit().find(text) else []
    for clause in _CLAUSES.split(text):
        match = classify(ctx, clause) if len(clause.strip()) >= 2 else None
        if match and match.category and match.band == "route":
            found.append(match.category)
    if whole.category:
        found.append(whole.category)
    if whole.secondary:
        found.append(whole.secondary)
    return list(dict.fromkeys(found))[:3]


def open_request_from_visit(ctx: Ctx, visit_id: int, recipient: dict, needs_text: str) -> list[dict]:
    """Requests for the needs a worker found during a visit: the main need, and a second one when the note
    clearly names two. Runs inside the visit's save transaction (nested); returns the routed requests,
    each with `routed_to` (team or worker)."""
    text = (needs_text or "").strip()
    if not text:
        return []
    labels = _visit_needs(ctx, text)
    made = []
    with transaction(ctx.db):
        for label in labels:
            request = reqs.create(
                ctx.db, requester_id=ctx.person["id"], category=label, text=text[:MAX_NEED],
                site_id=recipient.get("site_id"), local_day=ctx.today, now=ctx.now, for_whom="other",
                recipient_id=recipient.get("id"), recipient_name=recipient.get("name"),
                address=recipient.get("address"), urgent=label == URGENT_LABEL, visit_id=visit_id,
                source="visit", requester_name=ctx.person.get("name"), urgency=details.urgency_of(text))
            routed_to = life.route(ctx.db, request, ctx.now, ctx.person["id"])
            made.append({**reqs.get(ctx.db, request["id"]), "routed_to": routed_to})
    return made


def open_tickets(ctx: Ctx) -> dict | None:
    return handoffs.active_ticket(ctx.db, ctx.person["id"], ctx.now)
