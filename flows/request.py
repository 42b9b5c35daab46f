"""求助: anyone describes a need in their own words; laoxiao works out the kind of help (asking when unsure),
for whom and where, confirms, gives a short number (R1203-07) and routes it to a volunteer team.

The classifier is the intent matcher the app was built with, handed over as `ctx.classify`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from data import people, sites
from data import requests as reqs
from data.categories import LABELS, URGENT_LABEL, load_categories
from data.clock import iso
from data.db import transaction
from flows import handoff
from flows import request_life as life
from flows import request_whom as whom
from flows.context import Ctx
from flows.engine import Flow, Step
from flows.errors import Abort, Ambiguous, Invalid
from flows.parsers import mask_phone
from flows.words import clean, numbered

STAFF = people.STAFF_ROLES
MAX_NEED = 500
HUMAN = ("转人工", "人工", "人工服务", "找社工", "找真人")
_NONE_OF_THESE = ("0", "都不是", "都不对", "其他", "别的", "看全部", "全部")
_CLAUSES = re.compile(r"[。；;，,、\n]|另外|还有|并且")


def to_human(ctx: Ctx) -> str:
    ticket = handoff.hand_off(ctx.db, ctx.person, "asked", ctx.now)
    return (f"好的，已请社工来回复您（编号 T{ticket['id']}），社工的回复会发到这里，请稍等。"
            "紧急情况请直接拨打120或110。")


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
    if not _understood(classify(ctx, text)):
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


def _extract_category(text: str, ctx: Ctx, values: dict) -> tuple[str, str]:
    answer = clean(text)
    # A number picks from the menu only once the menu has been shown, never from the first message.
    label = _chosen_label(answer) if "need" in values or values.get("_misses") else None
    if label:
        _alert_if_urgent(ctx, values, label, text, None, ())
        return label, ""
    if answer in _NONE_OF_THESE:
        raise Ambiguous("请从下面选一类：", full_menu())
    match = classify(ctx, answer)
    if match.urgent:
        # Suspected harm to a child alone: the mandatory-report path (a router observer) has alerted the staff
        # and told the sender what to call already.
        if not match.protection or not set(match.alerts) <= set(match.protection):
            _alert_if_urgent(ctx, values, URGENT_LABEL, answer, match.call, tuple(match.alerts))
        return URGENT_LABEL, text
    if match.category and match.band == "route":
        return match.category, text
    if match.category:
        labels = [match.category, *[a for a, _ in match.alternatives if a != match.category]][:3]
        raise Ambiguous("您是需要哪一种帮助？（都不是请回0）", [(lab, option_label(lab)) for lab in labels])
    _missed(ctx, values)
    raise Ambiguous("抱歉，没太明白是哪方面的需要。可以换个说法再说一遍，或者选一类：", full_menu())


def _parse_category(text: str, ctx: Ctx, values: dict) -> str:
    return _extract_category(text, ctx, values)[0]


def _ask_category(ctx: Ctx, values: dict) -> str:
    head = "抱歉，没太明白是哪方面的需要。" if values.get("_misses") else ""
    return f"{head}请回编号选一类：\n{numbered(o for _, o in full_menu())}\n也可以换个说法再说一遍。"


def _missed(ctx: Ctx, values: dict) -> None:
    """The second message in a row laoxiao cannot place goes to a human (staff just get the menu again)."""
    values["_misses"] = values.get("_misses", 0) + 1
    if values["_misses"] >= 2 and ctx.role not in STAFF:
        ticket = handoff.hand_off(ctx.db, ctx.person, "not_understood", ctx.now)
        raise Abort(f"抱歉，我还是没弄明白。已经请社工来帮您（编号 T{ticket['id']}），社工会在这里回复您，请稍等。")


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


# ---------------------------------------------------------------- confirm and save

def _summary(ctx: Ctx, values: dict) -> str:
    lines = [values["_urgent"]] if values.get("_urgent") else []
    lines += ["请核对您的求助：", f"需要：{values['need']}", f"类别：{values['category']}"]
    recipient = values.get("recipient")
    lines.append(f"为谁：{whom.show_recipient(recipient) if recipient else '我自己'}")
    phone = values.get("phone") or (recipient or {}).get("phone")
    if phone:
        lines.append(f"电话：{mask_phone(phone)}")
    lines.append(f"地点：{whom.known_site(values) or '未说明'}")
    return "\n".join(lines)


def _save(ctx: Ctx, values: dict) -> str:
    # Chosen by number from a menu, 紧急求助 has not alerted anyone yet.
    if not classify(ctx, values["need"]).protection:
        _alert_if_urgent(ctx, values, values["category"], values["need"], None, ())
    recipient = values.get("recipient") or {}
    site = sites.find_site(ctx.db, whom.known_site(values) or "")
    category = values["category"]
    secondary = classify(ctx, values["need"]).secondary
    secondary = secondary if secondary and secondary != category else None
    request = reqs.create(
        ctx.db, requester_id=ctx.person["id"], category=category, text=values["need"],
        site_id=site["id"] if site else None, local_day=ctx.today, now=ctx.now,
        for_whom="other" if recipient else "self", recipient_id=recipient.get("id"),
        recipient_name=recipient.get("name"), address=recipient.get("address") or None,
        contact_phone=values.get("phone") or recipient.get("phone"), secondary=secondary,
        urgent=category == URGENT_LABEL)
    where = life.route(ctx.db, request, ctx.now, ctx.person["id"])
    number = request["number"]
    lines = [values["_urgent"]] if values.get("_urgent") else []
    lines += [f"已收到您的求助，编号 {number}。", f"已转给{where}，有人接单后会通知您。"]
    if secondary:
        lines.append(f"您还提到「{option_label(secondary)}」，需要的话请再发一条说一说。")
    lines.append(f"查进度请发「进度 {number}」，看全部请发「我的求助」。")
    return "\n".join(lines)


REQUEST = Flow(
    name="request",
    title="求助",
    triggers=("求助", "我要求助"),
    steps=(
        Step("need", "需要", "请说说需要什么帮助？（可以发语音）", _parse_need, _extract_need),
        Step("category", "类别", _ask_category, _parse_category, _extract_category),
        Step("whom", "为谁", _advised("这是为谁求助？\n1. 我自己\n2. 家里老人、孩子或别人"), whom.parse_whom,
              whom.extract_whom, show=lambda w: "我自己" if w["kind"] == "self" else "家人或别人"),
        Step("recipient", "老人或孩子", _advised(whom.ask_recipient), whom.parse_recipient,
              show=whom.show_recipient, when=lambda v: v.get("whom", {}).get("kind") == "other"),
        Step("phone", "电话", _advised("方便的话留个联系电话（您的或老人的都行），志愿者好联系。"),
              whom.parse_phone_answer, whom.extract_phone, show=mask_phone, optional=True, when=whom.needs_phone),
        Step("site", "地点", _advised(whom.ask_site), whom.parse_site, whom.extract_site,
              when=lambda v: whom.known_site(v) is None or "site" in v),
    ),
    save=_save,
    summary=_summary,
    describe="求助 + 需要什么：例如「求助 我妈的降压药快吃完了」",
    brief=lambda values: f"求助（{values['need'][:12]}）" if values.get("need") else "求助",
)


def _visit_needs(ctx: Ctx, text: str) -> list[str]:
    """The kinds of help a visit note asks for, in the order written: a worker lists several needs in one
    note (「药快吃完了，屋顶也漏雨」), so each clause is read on its own as well as the whole."""
    whole = classify(ctx, text)
    found = [URGENT_LABEL] if whole.urgent else []
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
                source="visit")
            routed_to = life.route(ctx.db, request, ctx.now, ctx.person["id"])
            made.append({**reqs.get(ctx.db, request["id"]), "routed_to": routed_to})
    return made
