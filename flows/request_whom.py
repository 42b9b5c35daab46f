"""For whom and where: the parts of the request flow that find the elder or child a need is for (a known
recipient by name when the sender is staff), the phone to call and the site that will serve it."""

from __future__ import annotations

import re

from data import people, recipients, sites
from data import requests as reqs
from flows.context import Ctx
from flows.errors import Ambiguous, Invalid
from flows.parsers import find_phone, parse_choice, parse_phone
from flows.words import clean, numbered

STAFF = people.STAFF_ROLES
# Who a need is usually for when the sender is family: elders and children, named by kinship. (Not 儿子 or
# 他: 「我儿子不给赡养费」 is an elder asking for themselves.)
_OTHER_WORDS = ("妈", "爸", "爹", "奶奶", "爷爷", "姥姥", "姥爷", "外婆", "外公", "老人", "老汉", "老伴", "孩子", "娃",
                "孙子", "孙女", "外孙", "公公", "婆婆", "大大", "舅", "姑", "姨", "叔", "邻居", "隔壁")
_SELF_ANSWERS = ("1", "我", "我自己", "自己", "本人", "给我自己", "为我自己")
_OTHER_ANSWERS = ("2", "别人", "家人", "家里人", "老人", "孩子", "娃娃", "亲戚", "邻居")
_NAME_SPLIT = re.compile(r"[\s,，、;；:：。]+|(?:家)?住在|家住|住")
_KIN_PREFIX = re.compile(r"^(?:我|俺|我们|俺们)?(?:家)?(?:的)?(?:妈妈?|爸爸?|爹|娘|奶奶|爷爷|姥姥|姥爷|外婆|外公|老人|"
                         r"老汉|老伴|孩子|娃娃?|孙子|孙女|外孙女?|儿子|女儿|闺女|公公|婆婆|大大)?(?:叫|名叫|名字叫|是)?")


def _whom(kind: str, ctx: Ctx) -> dict:
    staff = ctx.role in STAFF
    site = sites.get_site(ctx.db, ctx.person.get("site_id")) if staff else None
    return {"kind": kind, "staff": staff, "site": site["name"] if site else None}


def parse_whom(text: str, ctx: Ctx, values: dict) -> dict:
    answer = clean(text)
    if answer in _SELF_ANSWERS:
        return _whom("self", ctx)
    if answer in _OTHER_ANSWERS or any(w in answer for w in _OTHER_WORDS):
        return _whom("other", ctx)
    raise Invalid("请回 1（我自己）或 2（家里老人、孩子或别人）。")


def extract_whom(text: str, ctx: Ctx, values: dict) -> tuple[dict, str] | None:
    if "我自己" in text or "本人" in text:
        return _whom("self", ctx), text
    if any(w in text for w in _OTHER_WORDS):
        return _whom("other", ctx), text
    return None


def ask_recipient(ctx: Ctx, values: dict) -> str:
    if ctx.role in STAFF:
        return "是哪位服务对象？请发姓名（名单外的请写姓名和住址）。"
    return "请告诉我老人或孩子的姓名和住址，例如「王秀兰，怡园社区3号楼2单元」。"


def parse_recipient(text: str, ctx: Ctx, values: dict) -> dict:
    found = find_phone(text)
    phone, rest = found if found else (None, text)
    parts = [p for p in _NAME_SPLIT.split(rest.strip()) if p]
    name = _KIN_PREFIX.sub("", parts[0]) if parts else ""
    address = "".join(parts[1:]) if len(parts) > 1 else ""
    if ctx.role in STAFF and name:
        matches = recipients.best_matches(name, recipients.visible_recipients(ctx.db, ctx.person))
        if len(matches) == 1:
            return _known_recipient(matches[0], phone)
        if len(matches) > 1:
            raise Ambiguous("是哪一位？", [(_known_recipient(r, phone), f"{r['name']}（{r['site_name']}"
                                          f"{'，' + r['address'] if r['address'] else ''}）") for r in matches[:6]])
    if not re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", name or ""):
        raise Invalid("请先写姓名，再写住址，例如「王秀兰，怡园社区3号楼2单元」。")
    if not address:
        raise Invalid(f"{name}住在哪里？请把姓名和住址一起发，例如「{name}，怡园社区3号楼2单元」。")
    site = _site_in(ctx, address)
    if site is None:
        # Families are told nothing about who is on file; a unique name only saves them a question.
        known = sites.get_site(ctx.db, reqs.site_of_named_recipient(ctx.db, name))
        site = known["name"] if known else None
    return {"id": None, "name": name, "address": address[:100], "site": site, "phone": phone}


def _known_recipient(row: dict, phone: str | None) -> dict:
    return {"id": row["id"], "name": row["name"], "address": row.get("address") or "", "site": row["site_name"],
            "phone": phone}


def show_recipient(value: dict) -> str:
    where = value.get("address") or value.get("site") or ""
    return f"{value['name']}（{where}）" if where else value["name"]


# ---------------------------------------------------------------- phone and site

def extract_phone(text: str, ctx: Ctx, values: dict) -> tuple[str, str] | None:
    return find_phone(text)


def parse_phone_answer(text: str, ctx: Ctx, values: dict) -> str:
    return parse_phone(text)


def _short(site_name: str) -> str:
    """「怡园」 for 怡园社区, 「沈闸」 for 沈闸村: how people name a place in passing."""
    return re.sub(r"(社区|村|镇|小区)$", "", site_name)


def _site_in(ctx: Ctx, text: str) -> str | None:
    for site in sites.list_sites(ctx.db):
        short = _short(site["name"])
        if site["name"] in text or (len(short) >= 2 and short in text):
            return site["name"]
    return None


def extract_site(text: str, ctx: Ctx, values: dict) -> tuple[str, str] | None:
    site = _site_in(ctx, text)
    return (site, text) if site else None


def ask_site(ctx: Ctx, values: dict) -> str:
    names = [s["name"] for s in sites.list_sites(ctx.db)]
    return f"请问是在哪个社区或村？\n{numbered(names)}\n请回编号。"


def parse_site(text: str, ctx: Ctx, values: dict) -> str:
    names = [s["name"] for s in sites.list_sites(ctx.db)]
    aliases = {_short(n): n for n in names}
    return parse_choice(text, names, {a: n for a, n in aliases.items() if len(a) >= 2 and a != n})


def known_site(values: dict) -> str | None:
    """The site as far as the answers tell: the recipient's, one the person named, or a staff member's own."""
    recipient = values.get("recipient") or {}
    whom = values.get("whom") or {}
    return recipient.get("site") or values.get("site") or (whom.get("site") if whom.get("kind") == "self" else None)


def needs_phone(values: dict) -> bool:
    whom = values.get("whom") or {}
    return not whom.get("staff") and not (values.get("recipient") or {}).get("phone")
