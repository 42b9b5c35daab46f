"""Reading the details of a help request wherever people give them, in whatever order: who the person helped is
to the sender (我妈, 我娘, 我老汉, 阿奶, 隔壁的 …), names, addresses (社区/村/组/号楼/单元/镇), a phone or
「没有电话」, and how soon help is needed.

Each `find_*` returns what it found with its span (start, end) in the text, or None; a value is returned only
when it looks like that kind of value: a name starts with a surname, an address has a place or a unit in it,
a phone has the digits of one. Pure functions over the text and the reference word lists.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from data import request_words as words
from flows.parsers import find_phone

_HAN = "\u4e00-\u9fff"
_NUM = "0-9零〇一二两三四五六七八九十百"
# Characters a given name seldom holds, but that often follow one: where a name stops (王芳今年八十 -> 王芳).
_NOT_IN_NAME = set("的了在住是说家也又要想今年岁腿脚病吃药和跟都还已不没有个号楼村社区镇组单元到去来让给被把从对"
                   "就才很太最快能会可得着过呢吗吧啊呀哦嘛啦们这那哪啥咋怎么什上下里外前后边头天早晚点多少身眼耳"
                   "手血糖心胃摔疼痛病医院药卫生轮椅饭菜屋房炕电话机号码今日月周星期老人奶爷妈爸娃孩自己一二三四"
                   "五六七八九十两几现刚才每常经等需帮忙请问麻烦谢")
_SELF_NAME = re.compile(r"(?:我叫|我的名字叫|我名字叫|名字叫|我姓名|本人叫|本人|我是|俺叫|俺是|姓名[:：]?)\s*")
_NAMED = re.compile(r"^\s*(?:叫|名叫|名字叫|姓名叫|是|[(（]|[,，:：]\s*)?\s*")
_DONT_KNOW = ("不知道", "不清楚", "不晓得", "不记得", "忘了", "没问过")
_URGENT_SOON = ("急", "尽快", "赶紧", "马上", "今天", "今晚", "明天", "快没了", "吃完了", "没了", "断了", "快完了",
                "等不了", "撑不住")
# A place name holds none of these: 「老汉在村里」「我们村」「一个村」 are no address.
_NOT_PLACE = re.compile(r"[在里的了是个人我你他她说要想不没有都也又和去来到住这那哪们啥咋怎什么一老小娃孩]")
_PLACE_PREFIX = re.compile(
    r"^(?:家住在|家住|住在|住的是|住|在|是|我们|我家|俺家|咱们|来自|老家|的|到|去|回|从|俺|咱|我)+")


@dataclass(frozen=True)
class Span:
    value: str
    start: int
    end: int


def prepare(text: str) -> str:
    """NFKC (full-width digits and letters read as their ASCII twins), one character for one."""
    return unicodedata.normalize("NFKC", text)


# ---------------------------------------------------------------- for whom

def find_kin(text: str) -> Span | None:
    """The first kinship or neighbour word, as the relation it names (母亲, 邻居 …)."""
    best: Span | None = None
    for word, relation in words.kinship():
        at = text.find(word)
        if at >= 0 and (best is None or at < best.start):
            best = Span(relation, at, at + len(word))
    return best


def all_kin(text: str) -> list[Span]:
    """Every kinship or neighbour word, in the order written (longest first where two start together)."""
    found, taken = [], set()
    for word, relation in words.kinship():
        for match in re.finditer(re.escape(word), text):
            if not taken & set(range(match.start(), match.end())):
                found.append(Span(relation, match.start(), match.end()))
                taken |= set(range(match.start(), match.end()))
    return sorted(found, key=lambda s: s.start)


def says_self(text: str) -> bool:
    return any(w in text for w in words.details()["self"])


# ---------------------------------------------------------------- names

@cache
def _titles() -> tuple[str, ...]:
    return tuple(sorted(words.details()["titles"], key=len, reverse=True))


def _name_at(text: str, start: int) -> Span | None:
    """A name starting exactly at `start`: a surname and one or two given characters, or a surname and a form
    of address (马奶奶, 王大爷), or 老 + surname (老马)."""
    rest = text[start:]
    if any(rest.startswith(w) for w, _ in words.kinship()):
        return None  # 孙女回来 is a granddaughter coming home, not 孙女回
    if len(rest) < 2 or rest[0] not in words.surnames():
        if rest[:1] == "老" and len(rest) >= 2 and rest[1] in words.surnames() and rest[1:2] != "师":
            end = start + 2
            return Span(text[start:end], start, end) if _ends_here(text, end) else None
        return None
    for title in _titles():
        if rest[1:].startswith(title):
            return Span(rest[:1 + len(title)], start, start + 1 + len(title))
    given = ""
    for ch in rest[1:3]:
        if not re.match(f"[{_HAN}]", ch) or ch in _NOT_IN_NAME:
            break
        given += ch
    if not given:
        return None
    end = start + 1 + len(given)
    if _place_follows(text, start, end):
        return None
    return Span(text[start:end], start, end)


def _ends_here(text: str, end: int) -> bool:
    return end >= len(text) or not re.match(f"[{_HAN}]", text[end]) or text[end] in _NOT_IN_NAME


def _place_follows(text: str, start: int, end: int) -> bool:
    """马家湾村, 怡园社区: a place, not a person."""
    window = text[start:end + 3]
    return bool(re.search(r"社区|小区|村|镇|乡|街道|湾|庄|堡|滩|花园|家园", window))


def find_self_name(text: str) -> Span | None:
    """「我叫马丽丽」「我是马丽丽」「本人马丽丽」: the sender's own name."""
    for match in _SELF_NAME.finditer(text):
        found = _name_at(text, match.end())
        if found:
            return found
    return None


def find_name_after(text: str, at: int) -> Span | None:
    """A name right after a kinship word: 「我妈马桂花」「我妈 马桂花」「我妈叫马桂花」「我妈（马桂花）」."""
    lead = _NAMED.match(text[at:])
    return _name_at(text, at + (lead.end() if lead else 0))


def find_name(text: str) -> Span | None:
    """A name given as an answer: the message starts with it (after a kinship word, or 叫/姓名)."""
    text_start = len(text) - len(text.lstrip(" ，,:：、"))
    kin = find_kin(text)
    if kin and kin.start <= text_start + 1:
        found = find_name_after(text, kin.end)
        if found:
            return found
    own = find_self_name(text)
    if own and own.start <= text_start + 4:
        return own
    lead = re.match(r"\s*(?:她叫|他叫|叫|姓名[:：]?|名字[:：]?|名叫)?\s*", text)
    return _name_at(text, lead.end())


def looks_like_name(text: str) -> bool:
    found = _name_at(text.strip(), 0)
    return found is not None and found.end == len(text.strip())


def dont_know(text: str) -> bool:
    return any(w in text for w in _DONT_KNOW)


# ---------------------------------------------------------------- addresses

@cache
def _unit() -> str:
    markers = sorted(words.details()["unit_markers"], key=len, reverse=True)
    return rf"[{_NUM}]+(?:{'|'.join(markers)})"


@cache
def _place_pattern() -> re.Pattern[str]:
    strong = "社区|小区|街道|家属院|新村|花园|家园|村委会|村|镇|乡"
    weak = "湾|庄|堡|滩"
    place = rf"[{_HAN}]{{1,6}}?(?:{strong})|[{_HAN}]{{1,3}}家(?:{weak})"
    units = rf"(?:[\s、,，-]?{_unit()})*"
    return re.compile(rf"(?:{place}){units}")


def find_address(text: str, site_names: tuple[str, ...] = ()) -> Span | None:
    """The first address in the text: a place (社区/村/镇 …, a known site or its short name) with the units that
    follow (8号楼2单元, 三组), or units alone (5号楼3单元). 「我们村」「村里」 are no address."""
    candidates = []
    for match in _place_pattern().finditer(text):
        head = _PLACE_PREFIX.match(match.group(0))
        start = match.start() + (head.end() if head else 0)
        value = text[start:match.end()]
        if _is_place(value):
            candidates.append(Span(value.strip(" 、,，-"), start, match.end()))
    for short in _short_names(site_names):
        for match in re.finditer(rf"{re.escape(short)}(?:[\s、,，-]?{_unit()})*", text):
            candidates.append(Span(match.group(0), match.start(), match.end()))
    for match in re.finditer(rf"(?:{_unit()}[\s、,，-]?)+", text):
        value = match.group(0).strip(" 、,，-")
        if re.search(r"号楼|栋|幢|单元|组|队|号院|排|巷|户", value) and not _inside(match.start(), candidates):
            candidates.append(Span(value, match.start(), match.start() + len(value)))
    for town in words.details()["towns"]:
        at = text.find(town)
        if at >= 0 and not _inside(at, candidates):
            candidates.append(Span(town, at, at + len(town)))
    if not candidates:
        return None
    first = min(candidates, key=lambda s: (s.start, -(s.end - s.start)))
    return _extended(text, first, candidates)


def _is_place(value: str) -> bool:
    core = re.sub(rf"(?:[\s、,，-]?{_unit()})*$", "", value)
    stem = re.sub(r"(社区|小区|街道|家属院|新村|花园|家园|村委会|村|镇|乡|湾|庄|堡|滩)$", "", core)
    return 2 <= len(stem) <= 5 and not _NOT_PLACE.search(stem)


def _inside(at: int, spans: list[Span]) -> bool:
    return any(s.start <= at < s.end for s in spans)


def _extended(text: str, first: Span, candidates: list[Span]) -> Span:
    """峡口镇沈闸村三组: a place right after the first one belongs to the same address."""
    end = first.end
    for span in sorted(candidates, key=lambda s: s.start):
        if span.start > first.start and span.start <= end + 1 and span.end > end:
            end = span.end
    return Span(text[first.start:end].strip(" 、,，-"), first.start, end)


def _short_names(site_names: tuple[str, ...]) -> list[str]:
    return [s for s in (short_site(n) for n in site_names) if len(s) >= 2]


def short_site(site_name: str) -> str:
    """「怡园」 for 怡园社区, 「沈闸」 for 沈闸村: how people name a place in passing."""
    return re.sub(r"(社区|村|镇|小区)$", "", site_name)


def site_in(text: str, site_names: tuple[str, ...]) -> str | None:
    """The project site an address names (by its full or short name), or None."""
    for name in site_names:
        short = short_site(name)
        if name in text or (len(short) >= 2 and short in text):
            return name
    return None


# ---------------------------------------------------------------- phone and urgency

def find_no_phone(text: str) -> Span | None:
    for phrase in sorted(words.details()["no_phone"], key=len, reverse=True):
        at = text.find(phrase)
        if at >= 0:
            return Span("none", at, at + len(phrase))
    return None


def find_contact(text: str) -> tuple[str, str] | None:
    """A phone number, or 「没有电话」 as the value "none"; with the rest of the text."""
    found = find_phone(text)
    if found:
        return found
    none = find_no_phone(text)
    return ("none", cut(text, none)) if none else None


def urgency_of(text: str) -> str:
    """"soon" when the words say it cannot wait long (药吃完了, 今天, 急); else "normal"."""
    return "soon" if any(w in text for w in _URGENT_SOON) else "normal"


def _remainder(text: str, site_names: tuple[str, ...]) -> tuple[str, bool]:
    """The text without the details read from it, and whether any detail was found."""
    spans: list[Span | None] = []
    own = find_self_name(text)
    if own:
        lead = _SELF_NAME.search(text[:own.start + 1])
        spans.append(Span(own.value, lead.start() if lead else own.start, own.end))
    address = find_address(text, site_names)
    if address:
        lead = re.search(r"(?:家住在|家住|住在|住|地址是?|地址在|在)\s*$", text[:address.start])
        spans.append(Span(address.value, lead.start() if lead else address.start, address.end))
    rest = cut(text, *spans)
    phone = find_contact(rest)
    if phone:
        rest = phone[1]
    rest = re.sub(r"(?:联系)?电话(?:是|号码?)?[:：]?(?=\s|[,，。]|$)", " ", rest)
    rest = re.sub(r"(?:\s*[,，、。;；]\s*)+", "，", re.sub(r"\s+", " ", rest)).strip(" ，,。")
    return rest, bool(own or address or phone)


def need_only(text: str, site_names: tuple[str, ...] = ()) -> str:
    """The need without the details read from it (「我叫马丽丽，住怡园社区8号楼2单元，电话…」), for the card;
    the words as sent when little would be left."""
    text = prepare(text)
    rest, _ = _remainder(text, site_names)
    return rest if len(re.findall(f"[{_HAN}]", rest)) >= 4 else text.strip()


def details_only(text: str, site_names: tuple[str, ...] = ()) -> bool:
    """「我叫海秀英，住在怡园社区2号楼」: details (a name, an address, a phone) and no need to read."""
    rest, found = _remainder(prepare(text), site_names)
    left = re.sub(r"你好|您好|请问|打扰了|我是|我叫|我们|家|的|了|啊|呀|吧|哦|呢", "", rest)
    return found and len(re.findall(f"[{_HAN}]", left)) < 3


def cut(text: str, *spans: Span | None) -> str:
    """The text without the spans already read (so that no other field takes them up)."""
    marks = sorted((s for s in spans if s is not None and s.end > s.start), key=lambda s: s.start, reverse=True)
    for span in marks:
        text = text[:span.start] + " " + text[span.end:]
    return text
