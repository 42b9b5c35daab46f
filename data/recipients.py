"""Recipients (服务对象): the elders and children that workers and directors visit.

ID card numbers are never stored: only a keyed hash (to recognise the same person on re-import) and the
last four characters (for a masked display). Who may see a recipient is decided here, in one place.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date, datetime
from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from sqlite_utils import Database

from data.clock import iso
from data.db import first

KINDS = {"elder": "老人", "child": "儿童"}
CATEGORIES = {
    "elder": ("高龄", "特困", "低保", "独居", "空巢", "留守", "失能", "重残", "计生特殊家庭"),
    "child": ("留守儿童", "困境儿童", "孤儿", "事实无人抚养儿童", "残疾儿童", "低保"),
}
_CATEGORY_ALIASES = {
    "elder": {"留守老人": "留守", "特困供养": "特困", "分散供养": "特困", "集中供养": "特困", "低保户": "低保",
              "半失能": "失能", "部分失能": "失能", "完全失能": "失能", "重度残疾": "重残",
              "计划生育特殊家庭": "计生特殊家庭", "失独": "计生特殊家庭", "空巢老人": "空巢", "独居老人": "独居"},
    "child": {"留守": "留守儿童", "困境": "困境儿童", "事实无人抚养": "事实无人抚养儿童", "残疾": "残疾儿童",
              "低保户": "低保", "低保家庭": "低保"},
}
# Visit frequency by risk: 重点 every ISO week, 一般 every calendar month, 稳定 every calendar quarter.
LEVELS = {"重点": "week", "一般": "month", "稳定": "quarter"}
DEFAULT_LEVEL = "一般"
LEVEL_ALIASES = {"每周": "重点", "高风险": "重点", "高危": "重点", "周": "重点", "每月": "一般", "月": "一般",
                 "重点关注": "重点", "关键": "一般", "每季度": "稳定", "季度": "稳定", "每季": "稳定", "低风险": "稳定"}
STAFF_WHO_SEE_A_SITE = ("worker", "director")
ID_MASK_WIDTH = 18
# The columns an update may change; identity (hash) is handled separately.
# 个人信息保护法: a child under 14's information needs the guardian's consent.
CONSENT_AGE = 14


def lacks_guardian_consent(record: dict, today: date) -> bool:
    """A child under 14 whose file has no consent recorded."""
    return (record.get("kind") == "child" and not record.get("consent") and bool(record.get("birth_date"))
            and age(record["birth_date"], today) < CONSENT_AGE)


FIELDS = ("kind", "name", "sex", "birth_date", "categories", "site_id", "responsible_id", "phone", "guardian",
          "address", "ongoing_care", "allowance", "consent", "level", "pending")
_SPLIT = re.compile(r"[、,，;；/\s]+")
_PHONE_LIKE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
_LANDLINE_LIKE = re.compile(r"(?<![0-9])(0[0-9]{2,3}-?)[0-9]{5,6}([0-9]{2})(?![0-9])")
NAME_MIN_SCORE = 75.0
NAME_CLEAR_LEAD = 8.0


class RecipientError(ValueError):
    """A recipient value that cannot be stored; the message is Chinese, for the person who typed it."""


# ---------------------------------------------------------------- categories, ID numbers, masking

def parse_categories(kind: str, raw: str | list[str] | None) -> tuple[list[str], list[str]]:
    """(known categories in canonical spelling, words not recognised) from 「高龄、独居」 or a list."""
    words = raw if isinstance(raw, list) else [w for w in _SPLIT.split(raw or "") if w]
    known, unknown = [], []
    for word in words:
        canonical = word if word in CATEGORIES[kind] else _CATEGORY_ALIASES[kind].get(word)
        if canonical is None:
            unknown.append(word)
        elif canonical not in known:
            known.append(canonical)
    return known, unknown


def normalize_id_number(raw: str) -> str:
    return re.sub(r"\s", "", str(raw)).upper()


def id_number_problem(number: str) -> str | None:
    """Why an ID card number cannot be right, or None (18 characters with a valid check digit, or 15 digits)."""
    if re.fullmatch(r"[0-9]{15}", number):
        return None
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return "身份证号应为18位（最后一位可以是X），请核对；若显示成科学计数法，请把这一列设为文本格式"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], weights, strict=True)) % 11]
    return None if number[17] == check else "身份证号校验位不对，请逐位核对"


def id_number_birth(number: str) -> str | None:
    """The birth date an 18-digit ID number carries, as YYYY-MM-DD."""
    if len(number) != 18:
        return None
    return f"{number[6:10]}-{number[10:12]}-{number[12:14]}"


def id_hash(number: str, secret_key: str) -> str:
    """Keyed so that a leaked database cannot be searched by trying every plausible number."""
    if not secret_key:
        raise RecipientError("未设置 LAOXIAO_SECRET_KEY，不能保存身份证号")
    return hmac.new(secret_key.encode(), normalize_id_number(number).encode(), hashlib.sha256).hexdigest()


def mask_id(tail: str | None) -> str:
    """「**************1234」: only the tail is kept, so nothing else could be shown."""
    return "*" * (ID_MASK_WIDTH - len(tail)) + tail if tail else ""


def mask_phones(text: str | None) -> str:
    """Phone numbers inside free text (a guardian's contact, a note) with the middle hidden."""
    if not text:
        return ""
    text = _PHONE_LIKE.sub(r"\1****\2", text)
    return _LANDLINE_LIKE.sub(lambda m: m.group(1) + "*****" + m.group(2), text)


def age(birth_date: str | None, today: date) -> int | None:
    if not birth_date:
        return None
    born = date.fromisoformat(birth_date)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def describe(recipient: dict, today: date, with_site: bool = False) -> str:
    """「王秀兰（女，86岁）」: enough to tell two people apart, nothing more."""
    bits = [recipient.get("sex") or "", ""]
    years = age(recipient.get("birth_date"), today)
    bits[1] = f"{years}岁" if years is not None else ""
    if with_site and recipient.get("site_name"):
        bits.append(recipient["site_name"])
    inner = "，".join(b for b in bits if b)
    return f"{recipient['name']}（{inner}）" if inner else recipient["name"]


def categories_of(recipient: dict) -> list[str]:
    raw = recipient.get("categories") or "[]"
    return json.loads(raw) if isinstance(raw, str) else list(raw)


# ---------------------------------------------------------------- storage

_SELECT = ("SELECT r.*, s.name AS site_name, p.name AS responsible_name FROM recipients r"
           " JOIN sites s ON s.id = r.site_id LEFT JOIN people p ON p.id = r.responsible_id")


def get_recipient(db: Database, recipient_id: int) -> dict | None:
    return first(db, f"{_SELECT} WHERE r.id = ?", [recipient_id])


def insert_recipient(db: Database, record: dict, now: datetime) -> int:
    values = _row_values(record)
    values.update(id_number_hash=record.get("id_number_hash"), id_number_tail=record.get("id_number_tail"),
                  created_at=iso(now), updated_at=iso(now))
    columns = ", ".join(values)
    cursor = db.conn.execute(f"INSERT INTO recipients ({columns}) VALUES ({', '.join('?' * len(values))})",
                             list(values.values()))
    return cursor.lastrowid


def update_recipient(db: Database, recipient_id: int, record: dict, now: datetime) -> bool:
    """Write the fields that differ; True when something changed. A closed recipient re-listed is reopened."""
    current = list(db.query("SELECT * FROM recipients WHERE id = ?", [recipient_id]))[0]
    values = {k: v for k, v in _row_values(record).items() if k in record}
    if record.get("id_number_hash"):
        values.update(id_number_hash=record["id_number_hash"], id_number_tail=record["id_number_tail"])
    values["active"] = 1
    changed = {k: v for k, v in values.items() if current.get(k) != v}
    if not changed:
        return False
    sets = ", ".join(f"{k} = ?" for k in changed)
    db.conn.execute(f"UPDATE recipients SET {sets}, closed_reason = NULL, updated_at = ? WHERE id = ?",
                    [*changed.values(), iso(now), recipient_id])
    return True


def _row_values(record: dict) -> dict:
    values = {k: record.get(k) for k in FIELDS}
    if isinstance(values["categories"], list | tuple):
        values["categories"] = json.dumps(list(values["categories"]), ensure_ascii=False)
    values["categories"] = values["categories"] or "[]"
    values["ongoing_care"] = int(bool(values["ongoing_care"]))
    values["allowance"] = int(bool(values["allowance"]))
    values["pending"] = int(bool(values["pending"]))
    if values["level"] not in LEVELS:
        values["level"] = default_level(values["ongoing_care"])
    return values


def default_level(ongoing_care: bool) -> str:
    """Ongoing-care recipients are the key ones, visited monthly; the others quarterly."""
    return DEFAULT_LEVEL if ongoing_care else "稳定"


def parse_level(text: str | None) -> str | None:
    """「重点」「一般」「稳定」, or the words people use for them (每周, 每月, 每季度, 高风险 …); None when unsaid."""
    word = (text or "").strip()
    if not word:
        return None
    if word in LEVELS:
        return word
    return LEVEL_ALIASES.get(word)


def set_level(db: Database, recipient_id: int, level: str, now: datetime) -> None:
    if level not in LEVELS:
        raise RecipientError(f"走访等级只能是：{'、'.join(LEVELS)}")
    db.conn.execute("UPDATE recipients SET level = ?, updated_at = ? WHERE id = ?", [level, iso(now), recipient_id])


def confirm_pending(db: Database, recipient_id: int, now: datetime) -> None:
    """A person found on a visit, checked by a worker, joins the roster."""
    db.conn.execute("UPDATE recipients SET pending = 0, updated_at = ? WHERE id = ?", [iso(now), recipient_id])


def close_recipient(db: Database, recipient_id: int, reason: str, now: datetime) -> None:
    db.conn.execute("UPDATE recipients SET active = 0, closed_reason = ?, updated_at = ? WHERE id = ?",
                    [reason, iso(now), recipient_id])


def identity_index(db: Database) -> tuple[dict[str, int], dict[tuple[str, str | None, int], int]]:
    """Every recipient by ID hash, and those without one by (name, birth date, site): for re-import."""
    by_hash, by_identity = {}, {}
    for row in db.query("SELECT id, name, birth_date, site_id, id_number_hash FROM recipients"):
        if row["id_number_hash"]:
            by_hash[row["id_number_hash"]] = row["id"]
        else:
            by_identity[(row["name"], row["birth_date"], row["site_id"])] = row["id"]
    return by_hash, by_identity


# ---------------------------------------------------------------- who sees whom

def may_see_any(person: dict) -> bool:
    return person.get("role") == "admin" or (person.get("role") in STAFF_WHO_SEE_A_SITE
                                             and person.get("site_id") is not None)


def can_see(person: dict, recipient: dict | None) -> bool:
    """Admins see everyone; workers and child directors the recipients of their own site; nobody else any."""
    if recipient is None or not may_see_any(person):
        return False
    return person["role"] == "admin" or recipient["site_id"] == person["site_id"]


def visible_recipients(db: Database, person: dict, include_closed: bool = False) -> list[dict]:
    """The recipients `person` may see, the ones they are responsible for first, then by name."""
    if not may_see_any(person):
        return []
    where, params = [], []
    if person["role"] != "admin":
        where.append("r.site_id = ?")
        params.append(person["site_id"])
    if not include_closed:
        where.append("r.active = 1")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return list(db.query(f"{_SELECT}{clause} ORDER BY (r.responsible_id IS NOT ?), s.id, r.kind, r.name, r.id",
                         [*params, person.get("id")]))


# ---------------------------------------------------------------- finding a person by a spoken or typed name

@lru_cache(maxsize=65536)
def _pinyin(text: str) -> str:
    return " ".join(lazy_pinyin(text))


def name_score(query: str, name: str) -> float:
    """0-100: the same name, a homophone (王秀岚 for 王秀兰), the given name alone (小明), or a close typo."""
    if not query or not name:
        return 0.0
    if query == name:
        return 100.0
    q, n = _pinyin(query), _pinyin(name)
    if q == n:
        return 96.0
    if len(query) == len(name) and _accented(q) == _accented(n):
        return 92.0  # 王秀南 for 王秀兰: what an accent does to a name in voice input
    if len(query) >= 2 and len(name) > len(query):
        if name.endswith(query):
            return 90.0
        if n.endswith(" " + q):
            return 85.0
    if len(query) == len(name) and q.split(" ")[0] != n.split(" ")[0]:
        return 0.0  # 马小明 is not a typo of 王小明: input methods get the surname's sound right
    return 0.9 * max(fuzz.ratio(query, name), fuzz.ratio(q, n))


# Sounds that local accents (and so voice recognition) merge: n/l, zh/z, ch/c, sh/s, f/h, -ng/-n.
_ACCENT = ((re.compile(r"\bl"), "n"), (re.compile(r"\b(z|c|s)h"), r"\1"), (re.compile(r"\bh(?=u)"), "f"),
           (re.compile(r"ng\b"), "n"))


@lru_cache(maxsize=65536)
def _accented(pinyin: str) -> str:
    for pattern, replacement in _ACCENT:
        pinyin = pattern.sub(replacement, pinyin)
    return pinyin


def rank_by_name(query: str, candidates: list[dict]) -> list[tuple[dict, float]]:
    """Candidates whose name fits `query` well enough, best first."""
    scored = [(c, name_score(query, c["name"])) for c in candidates]
    return sorted([s for s in scored if s[1] >= NAME_MIN_SCORE], key=lambda s: -s[1])


def best_matches(query: str, candidates: list[dict]) -> list[dict]:
    """One recipient when the name settles it; several when the person must choose; none when nobody fits."""
    ranked = rank_by_name(query, candidates)
    if not ranked:
        return []
    top = ranked[0][1]
    if top == 100.0:
        return [c for c, s in ranked if s == 100.0]
    return [c for c, s in ranked if top - s < NAME_CLEAR_LEAD]


# ---------------------------------------------------------------- export

def export_rows(db: Database, month: str, site_id: int | None = None) -> list[dict]:
    """Every recipient (closed ones too, marked), ID numbers and phones masked, with visits in `month`."""
    from data.visits import month_bounds

    first, last = month_bounds(month)
    where, params = "", [first, last]
    if site_id is not None:
        where = " WHERE r.site_id = ?"
        params.append(site_id)
    rows = db.query(
        "SELECT r.*, s.name AS site_name, p.name AS responsible_name,"
        " (SELECT MAX(visit_date) FROM visits v WHERE v.recipient_id = r.id AND v.deleted_at IS NULL) AS last_visit,"
        " (SELECT COUNT(*) FROM visits v WHERE v.recipient_id = r.id AND v.deleted_at IS NULL"
        "  AND v.visit_date BETWEEN ? AND ?) AS visits_in_month"
        f" FROM recipients r JOIN sites s ON s.id = r.site_id LEFT JOIN people p ON p.id = r.responsible_id{where}"
        " ORDER BY s.id, r.kind, r.name, r.id", params)
    return [{
        "recipient_id": row["id"], "recipient": row["name"], "kind": row["kind"], "categories": categories_of(row),
        "site": row["site_name"], "sex": row["sex"] or "", "birth_date": row["birth_date"] or "",
        "responsible": row["responsible_name"] or "", "phone": mask_phones(row["phone"]),
        "guardian": mask_phones(row["guardian"]), "address": row["address"] or "",
        "id_number": mask_id(row["id_number_tail"]), "ongoing_care": bool(row["ongoing_care"]),
        "allowance": bool(row["allowance"]), "active": bool(row["active"]), "last_visit": row["last_visit"] or "",
        "visits_in_month": row["visits_in_month"], "consent": row["consent"] or "",
    } for row in rows]


COLUMNS: list[tuple] = [
    ("recipient", "姓名"),
    ("kind", "对象类型", lambda v: KINDS.get(v, v)),
    ("categories", "类别"),
    ("site", "站点"),
    ("sex", "性别"),
    ("birth_date", "出生日期"),
    ("responsible", "负责人"),
    ("phone", "联系电话"),
    ("guardian", "监护人"),
    ("address", "地址"),
    ("id_number", "身份证号"),
    ("ongoing_care", "持续关爱"),
    ("allowance", "领取津贴"),
    ("consent", "知情同意"),
    ("active", "在册"),
    ("last_visit", "最近走访"),
    ("visits_in_month", "本月走访次数"),
    ("recipient_id", "编号"),
]
