"""For whom, where and how to reach them: the steps of the request flow after the kind of help.

Each step fills its field only with what looks like that field (flows.request_details) and otherwise asks,
with an example. Details are read wherever they are given: the first message (「我妈 马桂花 怡园社区8号楼」),
an answer to another question, or a message that answers two questions at once.

Values: whom {kind self/other, staff, site, relation}; name {name, id, address, site, phone} (id set for a
recipient on file, found by staff by name); address {text, site}; phone (a number, or "none" for 「没有电话」);
site (a project site, or "" for none of them); `_requester` (the sender's own name, when they gave it).
"""

from __future__ import annotations

from data import people, recipients, sites
from data import requests as reqs
from flows import request_details as details
from flows.context import Ctx
from flows.errors import Ambiguous, Invalid
from flows.parsers import parse_choice
from flows.words import clean, numbered

STAFF = people.STAFF_ROLES
_SELF_ANSWERS = ("1", "我", "我自己", "自己", "本人", "给我自己", "为我自己", "我本人", "就我")
_OTHER_ANSWERS = ("2", "别人", "家人", "家里人", "老人", "孩子", "娃娃", "亲戚", "邻居", "家里老人", "老人家")
NONE_OF_THESE = ("都不是", "不是这些", "其他", "别的地方", "其他地方", "不在这些地方", "不知道", "不清楚")
WHOM_QUESTION = "这是为谁求助？\n1. 我自己\n2. 家里老人、孩子或别人"
PHONE_QUESTION = ("留个联系电话吧（您的或老人的都行），志愿者好联系。\n没有电话请回「没有电话」，"
                  "不想留请回「跳过」。")


def _site_names(ctx: Ctx) -> tuple[str, ...]:
    return tuple(s["name"] for s in sites.list_sites(ctx.db))


def _whom(kind: str, ctx: Ctx, relation: str | None = None) -> dict:
    staff = ctx.role in STAFF
    site = sites.get_site(ctx.db, ctx.person.get("site_id")) if staff else None
    return {"kind": kind, "staff": staff, "site": site["name"] if site else None, "relation": relation}


def _note_requester(text: str, values: dict) -> None:
    """「我叫马丽丽」 anywhere: the sender's own name, kept for the card."""
    own = details.find_self_name(details.prepare(text))
    if own and not values.get("_requester"):
        values["_requester"] = own.value


# ---------------------------------------------------------------- for whom

def extract_whom(text: str, ctx: Ctx, values: dict) -> tuple[dict, str] | None:
    text = details.prepare(text)
    _note_requester(text, values)
    kin = details.find_kin(text)
    if kin is not None:
        return _whom("other", ctx, kin.value), text
    if details.says_self(text):
        return _whom("self", ctx), text
    return None


def parse_whom(text: str, ctx: Ctx, values: dict) -> dict:
    answer = clean(details.prepare(text))
    if answer in _SELF_ANSWERS:
        return _whom("self", ctx)
    found = extract_whom(answer, ctx, values)
    if found:
        return found[0]
    if answer in _OTHER_ANSWERS or answer.startswith(("给", "帮")) and len(answer) <= 8:
        return _whom("other", ctx)
    raise Invalid("请回 1（为我自己）或 2（为家里老人、孩子或别人），也可以直接说「我妈」「隔壁的奶奶」。")


def show_whom(whom: dict) -> str:
    return "我自己" if whom["kind"] == "self" else (whom.get("relation") or "家人或别人")


# ---------------------------------------------------------------- name

def needs_name(values: dict) -> bool:
    """A name is asked only when the card would have none: the sender's own name (我叫马丽丽) is enough to
    say 「马丽丽的母亲」, and staff are known by theirs."""
    whom = values.get("whom")
    if whom is None:
        return False
    if whom["kind"] == "self":
        return not whom["staff"] and not values.get("_requester")
    return whom["staff"] or not values.get("_requester")


def _known(row: dict) -> dict:
    return {"name": row["name"], "id": row["id"], "address": row.get("address") or "", "site": row["site_name"],
            "phone": row.get("phone")}


def _from_roster(name: str, ctx: Ctx) -> dict | None:
    """Staff name someone on their list: the recipient on file (a choice when several fit)."""
    matches = recipients.best_matches(name, recipients.visible_recipients(ctx.db, ctx.person))
    if len(matches) == 1:
        return _known(matches[0])
    if len(matches) > 1:
        raise Ambiguous("是哪一位？", [(_known(r), f"{r['name']}（{r['site_name']}"
                                      f"{'，' + r['address'] if r['address'] else ''}）") for r in matches[:6]])
    return None


def extract_name(text: str, ctx: Ctx, values: dict) -> tuple[dict, str] | None:
    text = details.prepare(text)
    whom = values.get("whom") or {}
    found = None
    for kin in details.all_kin(text):  # 「我是隔壁的，对门的马奶奶…」: the name after any of them
        found = details.find_name_after(text, kin.end)
        if found:
            break
    if found is None:
        found = details.find_name(text)
        own = details.find_self_name(text)
        if found is not None and own is not None and own.start == found.start and whom.get("kind") != "self":
            found = None  # 「我叫马丽丽」 names the sender, not the elder
    if found is None:
        return None
    if whom.get("staff"):
        known = _from_roster(found.value, ctx)
        if known:
            return known, details.cut(text, found)
    return {"name": found.value, "id": None}, details.cut(text, found)


def parse_name(text: str, ctx: Ctx, values: dict) -> dict:
    answer = details.prepare(text).strip()
    if values.get("whom", {}).get("staff"):
        known = _from_roster(clean(answer), ctx)
        if known:
            return known
    if details.dont_know(answer):
        return {"name": "", "id": None}
    found = extract_name(answer, ctx, values)
    if found:
        return found[0]
    raise Invalid(f"没看出姓名。{_name_example(values)}")


def _name_example(values: dict) -> str:
    whom = values.get("whom") or {}
    if whom.get("kind") == "self":
        return "请发您的姓名，例如「马桂花」。"
    if whom.get("relation") == "邻居":
        return "请发这位邻居的姓名，或平时怎么称呼，例如「马桂花」「马奶奶」；不知道请回「不知道」。"
    return "请发姓名，例如「马桂花」；不知道请回「不知道」。"


def ask_name(ctx: Ctx, values: dict) -> str:
    whom = values.get("whom") or {}
    if whom.get("staff") and whom.get("kind") == "other":
        return "是哪位服务对象？请发姓名（名单外的请写姓名和住址）。"
    if whom.get("kind") == "self":
        return "怎么称呼您？请发您的姓名，例如「马桂花」。"
    relation = whom.get("relation")
    who = {"邻居": "这位邻居", None: "老人或孩子"}.get(relation, f"您{relation}" if relation else "")
    if "address" not in values and needs_address(values):
        return f"请告诉我{who}的姓名和住址，例如「马桂花，怡园社区8号楼2单元」。"
    return f"{who}叫什么名字？例如「马桂花」。"


def show_name(value: dict) -> str:
    return value.get("name") or "（没说姓名）"


# ---------------------------------------------------------------- address and site

def needs_address(values: dict) -> bool:
    """Everyone's address is asked, except a recipient on file (staff named them) and a staff member's own."""
    whom = values.get("whom") or {}
    if (values.get("name") or {}).get("id") is not None:
        return False
    return not (whom.get("staff") and whom.get("kind") == "self")


def extract_address(text: str, ctx: Ctx, values: dict) -> tuple[dict, str] | None:
    text = details.prepare(text)
    _note_requester(text, values)
    found = details.find_address(text, _site_names(ctx))
    if found is None:
        return None
    return _address(ctx, values, found.value), details.cut(text, found)


def _address(ctx: Ctx, values: dict, text: str) -> dict:
    site = details.site_in(text, _site_names(ctx))
    name = (values.get("name") or {}).get("name")
    if site is None and name:
        # Families are told nothing about who is on file; a unique name only saves them a question.
        known = sites.get_site(ctx.db, reqs.site_of_named_recipient(ctx.db, name))
        site = known["name"] if known else None
    return {"text": text[:100], "site": site}


def parse_address(text: str, ctx: Ctx, values: dict) -> dict:
    found = extract_address(text, ctx, values)
    if found:
        return found[0]
    raise Invalid("没看出是哪里。请写社区或村，再写楼号、单元或组，例如「怡园社区8号楼2单元」「沈闸村三组」。")


def ask_address(ctx: Ctx, values: dict) -> str:
    name = (values.get("name") or {}).get("name")
    whom = values.get("whom") or {}
    who = "您" if whom.get("kind") == "self" else (name or (f"您{whom['relation']}" if whom.get("relation")
                                                            and whom["relation"] != "邻居" else "老人"))
    return f"{who}住在哪里？请写社区或村和门牌，例如「怡园社区8号楼2单元」「沈闸村三组」「小坝镇」。"


def show_address(value: dict) -> str:
    return value.get("text") or ""


def known_site(values: dict) -> str | None:
    """The site as far as the answers tell: the recipient's, the address's, one the person chose, or a staff
    member's own. "" means the person said it is none of the project's sites."""
    name = values.get("name") or {}
    address = values.get("address") or {}
    whom = values.get("whom") or {}
    for site in (name.get("site"), address.get("site"), values.get("site")):
        if site is not None:
            return site
    return whom.get("site") if whom.get("kind") == "self" or whom.get("staff") else None


def needs_site(values: dict) -> bool:
    return known_site(values) is None and "site" not in values


def site_options(ctx: Ctx) -> list[str]:
    return [*(s["name"] for s in sites.list_sites(ctx.db)), "都不是（别的地方）"]


def ask_site(ctx: Ctx, values: dict) -> str:
    return f"这是哪个社区或村的？\n{numbered(site_options(ctx))}\n请回编号。"


def parse_site(text: str, ctx: Ctx, values: dict) -> str:
    answer = clean(details.prepare(text))
    names = list(_site_names(ctx))
    site = details.site_in(answer, tuple(names))
    if site:
        return site
    options = site_options(ctx)
    if answer in NONE_OF_THESE or details.find_address(answer) is not None:
        return ""
    chosen = parse_choice(answer, options, {details.short_site(n): n for n in names
                                            if len(details.short_site(n)) >= 2 and details.short_site(n) != n})
    return "" if chosen == options[-1] else chosen


def show_site(value: str) -> str:
    return value or "不在项目站点（由管理员安排）"


# ---------------------------------------------------------------- phone

def needs_phone(values: dict) -> bool:
    whom = values.get("whom") or {}
    return not whom.get("staff") and not (values.get("name") or {}).get("phone")


def extract_phone(text: str, ctx: Ctx, values: dict) -> tuple[str, str] | None:
    return details.find_contact(details.prepare(text))


def parse_phone_answer(text: str, ctx: Ctx, values: dict) -> str:
    from flows.parsers import parse_phone

    found = details.find_contact(details.prepare(text))
    if found:
        return found[0]
    try:
        return parse_phone(text)
    except Invalid as exc:
        raise Invalid(f"{exc}。没有电话请回「没有电话」。") from None


def show_phone(value: str | None) -> str:
    from flows.parsers import mask_phone

    return "没有电话" if value == "none" else mask_phone(value) if value else "没留"
