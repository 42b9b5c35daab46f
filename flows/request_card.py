"""How a help request reads: the card a team receives, the same card shown to the family before it goes, and
the lines of the progress view. Who, where, what, how to reach them, how urgent; phones masked."""

from __future__ import annotations

from data import requests as reqs
from data.recipients import mask_phones
from flows.parsers import mask_phone

NEED_CHARS = 80


def who_text(for_whom: str, name: str | None, relation: str | None, requester: str | None) -> str:
    """「马桂花（求助人的母亲）」「马丽丽的母亲」「马丽丽本人」."""
    if for_whom == "self":
        return f"{name or requester}本人" if (name or requester) else "求助人本人"
    if name and relation:
        return f"{name}（{requester + '的' if requester else '求助人的'}{relation}）"
    if name:
        return name
    if relation:
        return f"{requester or '求助人'}的{relation}"
    return "老人或孩子（没说姓名）"


def contact_text(requester: str | None, phone: str | None, no_phone: bool, full: bool = False) -> str:
    """How the helper reaches them: a phone (masked on cards), or a note that there is none."""
    shown = (phone if full else mask_phone(phone)) if phone else None
    if shown:
        how = f"电话 {shown}"
    elif no_phone:
        how = "没有电话，请直接上门"
    else:
        how = "没留电话，请先联系社工"
    return f"{requester}，{how}" if requester else how


def urgency_text(urgency: str) -> str:
    return reqs.URGENCIES.get(urgency, "一般")


def need_text(text: str) -> str:
    text = mask_phones(text)
    return text if len(text) <= NEED_CHARS else text[:NEED_CHARS] + "…"


def body_lines(category: str, urgency: str, who: str, where: str, need: str, contact: str) -> list[str]:
    return [f"类别：{category}（{urgency_text(urgency)}）", f"为谁：{who}", f"地点：{where or '未说明'}",
            f"需要：{need_text(need)}", f"联系：{contact}"]


def request_who(request: dict) -> str:
    return who_text(request["for_whom"], request["recipient_name"], request["relation"], request["requester_name"])


def request_contact(request: dict, full: bool = False) -> str:
    return contact_text(request["requester_name"], request["contact_phone"], bool(request["no_phone"]), full)
