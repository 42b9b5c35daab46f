"""Importing a roster of recipients from .xlsx or .csv with Chinese headers.

Every row is checked before anything is written, and every problem is reported by row and column. With any
error nothing is written, unless `skip_bad` asks to write the good rows. Importing the same file again
updates the rows it wrote before (matched on the ID number, else on name + birth date + site).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from data import audit, recipients
from data.db import transaction

# (header, key, required)
HEADERS: tuple[tuple[str, str, bool], ...] = (
    ("姓名", "name", True), ("对象类型", "kind", True), ("类别", "categories", True), ("性别", "sex", True),
    ("出生日期", "birth_date", True), ("站点", "site", True), ("负责人", "responsible", False),
    ("联系电话", "phone", False), ("监护人", "guardian", False), ("地址", "address", False),
    ("身份证号", "id_number", False), ("持续关爱", "ongoing_care", False), ("领取津贴", "allowance", False),
    ("知情同意", "consent", False), ("走访等级", "level", False),
)

_KINDS = {"老人": "elder", "老年人": "elder", "老": "elder", "elder": "elder",
          "儿童": "child", "孩子": "child", "未成年人": "child", "child": "child"}
_SEXES = {"男": "男", "男性": "男", "m": "男", "女": "女", "女性": "女", "f": "女"}
_TRUE = {"是", "y", "yes", "1", "√", "✓", "true", "有", "领取"}
_FALSE = {"否", "n", "no", "0", "×", "false", "无", "不", "未领取"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^(0[0-9]{2,3})-?([2-9][0-9]{6,7})$")
_EXCEL_EPOCH = date(1899, 12, 30)
ELDER_MIN_AGE, CHILD_MAX_AGE = 60, 18


class RosterError(ValueError):
    """The file as a whole cannot be read (format, headers, missing key); the message is Chinese."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number as the spreadsheet shows it, {key: raw value})
    ignored_headers: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.errors})


# ---------------------------------------------------------------- reading

def read_table(path: str | Path) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw_rows = _xlsx_rows(path)
    elif suffix == ".csv":
        raw_rows = _csv_rows(path)
    else:
        raise RosterError(f"只支持 .xlsx 和 .csv 文件，「{path.name}」不是")
    header_row = next(raw_rows, None)
    if header_row is None:
        raise RosterError("文件是空的")
    headers = [_header(h) for h in header_row[1]]
    known = {h: key for h, key, _ in HEADERS}
    missing = [h for h, _, required in HEADERS if required and h not in headers]
    if missing:
        raise RosterError(f"第1行缺少必填列：{'、'.join(missing)}。请用 laoxiao template recipients 生成模板")
    rows = []
    for number, values in raw_rows:
        if all(_blank(v) for v in values):
            continue
        rows.append((number, {known[h]: v for h, v in zip(headers, values, strict=False) if h in known}))
    return Table(headers, rows, [h for h in headers if h and h not in known])


def _header(value: Any) -> str:
    # Templates mark required columns with *, or 「（必填）」.
    return re.sub(r"[*＊\s]|（必填）|\(必填\)", "", str(value or ""))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _xlsx_rows(path: Path):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged or mislabelled file
        raise RosterError(f"打不开这个Excel文件（{type(exc).__name__}），请另存为 .xlsx 再试") from None
    sheet = book["服务对象"] if "服务对象" in book.sheetnames else book.worksheets[0]
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(values)
    finally:
        book.close()


def _csv_rows(path: Path):
    data = path.read_bytes()
    # Excel in China saves CSV as GBK; everything else writes UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError("看不懂这个CSV文件的编码，请另存为 UTF-8 的 CSV 或 .xlsx")
    yield from enumerate(csv.reader(text.splitlines()), 1)


# ---------------------------------------------------------------- checking one row

@dataclass
class _Lookups:
    sites: dict[str, dict]
    staff: dict[str, list[dict]]
    secret_key: str
    today: date


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _echo(text: str) -> str:
    """A cell shown back in a message: an ID or phone number typed into the wrong column stays masked."""
    return re.sub(r"[0-9Xx]{11,}", lambda m: "*" * (len(m[0]) - 4) + m[0][-4:], text)[:30]


def _birth_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if 19000101 <= number <= 21001231:
            return _birth_date(str(number))
        if 1 <= number < 80000:  # a date cell read as Excel's day count
            return _EXCEL_EPOCH + timedelta(days=number)
        raise ValueError
    text = _text(value)
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if not match:
        raise ValueError
    return date(*(int(g) for g in match.groups()))


def _flag(value: Any) -> bool | None:
    text = _text(value).lower()
    if not text:
        return False
    return True if text in _TRUE else False if text in _FALSE else None


def _phone(text: str) -> str | None:
    digits = re.sub(r"[\s()（）]", "", text)
    if _MOBILE.match(digits.replace("-", "")):
        return digits.replace("-", "")
    match = _LANDLINE.match(digits)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def check_row(number: int, raw: dict[str, Any], look: _Lookups) -> tuple[dict, list[Problem], list[Problem]]:
    """The record to store, the errors and the warnings of one row."""
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def error(column: str, message: str) -> None:
        errors.append(Problem(number, column, message))

    record: dict[str, Any] = {}
    name = re.sub(r"\s+", "", _text(raw.get("name")))
    if not name:
        error("姓名", "不能为空")
    elif len(name) > 20:
        error("姓名", "太长了（最多20个字）")
    record["name"] = name

    kind_text = _text(raw.get("kind"))
    kind = _KINDS.get(kind_text.lower())
    if not kind:
        error("对象类型", f"应为「老人」或「儿童」，现在是「{_echo(kind_text)}」" if kind_text
              else "不能为空，填「老人」或「儿童」")
    record["kind"] = kind

    categories_text = _text(raw.get("categories"))
    if not categories_text:
        error("类别", "不能为空，例如「高龄、独居」或「留守儿童」")
    elif kind:
        known, unknown = recipients.parse_categories(kind, categories_text)
        if unknown:
            error("类别", f"不认识「{'、'.join(unknown)}」，{recipients.KINDS[kind]}可填："
                          f"{'、'.join(recipients.CATEGORIES[kind])}（多个用、分隔）")
        record["categories"] = known

    sex_text = _text(raw.get("sex"))
    record["sex"] = _SEXES.get(sex_text.lower())
    if not record["sex"]:
        error("性别", f"应为「男」或「女」，现在是「{_echo(sex_text)}」" if sex_text else "不能为空，填「男」或「女」")

    record["birth_date"] = None
    if _blank(raw.get("birth_date")):
        error("出生日期", "不能为空，例如 1940-03-05")
    else:
        try:
            born = _birth_date(raw["birth_date"])
        except ValueError:
            error("出生日期", f"看不懂「{_echo(_text(raw['birth_date']))}」，请写成 1940-03-05")
        else:
            record["birth_date"] = born.isoformat()
            years = recipients.age(born.isoformat(), look.today)
            if born > look.today:
                error("出生日期", "不能晚于今天")
            elif kind == "elder" and years < ELDER_MIN_AGE:
                error("出生日期", f"老人应年满{ELDER_MIN_AGE}岁，按此日期是{years}岁，请核对对象类型或出生日期")
            elif kind == "child" and years >= CHILD_MAX_AGE:
                error("出生日期", f"儿童应未满{CHILD_MAX_AGE}岁，按此日期是{years}岁，请核对对象类型或出生日期")

    site_name = _text(raw.get("site"))
    site = look.sites.get(site_name)
    if site is None:
        error("站点", f"没有站点「{_echo(site_name)}」，已有：{'、'.join(look.sites)}" if site_name else "不能为空")
    record["site_id"] = site["id"] if site else None

    record["responsible_id"] = None
    responsible = _text(raw.get("responsible"))
    if responsible:
        found = look.staff.get(responsible, [])
        at_site = [p for p in found if site and p["site_id"] == site["id"]] or found
        if len(at_site) == 1:
            record["responsible_id"] = at_site[0]["id"]
        else:
            why = "有重名" if at_site else "还没有在公众号绑定身份"
            warnings.append(Problem(number, "负责人", f"「{responsible}」{why}，先留空，绑定后重新导入即可"))

    phone_text = _text(raw.get("phone"))
    record["phone"] = _phone(phone_text) if phone_text else None
    if phone_text and not record["phone"]:
        error("联系电话", "应为11位手机号，或带区号的座机号（如 0953-1234567）")

    record["guardian"] = _text(raw.get("guardian")) or None
    record["address"] = _text(raw.get("address")) or None
    record["consent"] = _text(raw.get("consent"))[:100] or None
    if recipients.lacks_guardian_consent({**record, "kind": kind}, look.today):
        warnings.append(Problem(number, "知情同意",
                                "未满14岁的儿童需要监护人同意才能建档，请补填（如「监护人签字 2026-03-01」）"))

    id_text = recipients.normalize_id_number(_text(raw.get("id_number")))
    if id_text:
        problem = recipients.id_number_problem(id_text)
        if problem:
            error("身份证号", problem)
        else:
            record["id_number_hash"] = recipients.id_hash(id_text, look.secret_key)
            record["id_number_tail"] = id_text[-4:]
            carried = recipients.id_number_birth(id_text)
            if carried and record["birth_date"] and carried != record["birth_date"]:
                warnings.append(Problem(number, "身份证号", "号码里的出生日期与「出生日期」不一致，请核对"))

    for key, column in (("ongoing_care", "持续关爱"), ("allowance", "领取津贴")):
        value = _flag(raw.get(key))
        if value is None:
            error(column, f"请填「是」或「否」，现在是「{_echo(_text(raw.get(key)))}」")
        record[key] = bool(value)
    if record["allowance"] and kind == "elder":
        error("领取津贴", "只有儿童（孤儿、事实无人抚养儿童）领取基本生活费，老人请填「否」")
    level_text = _text(raw.get("level"))
    level = recipients.parse_level(level_text)
    if level_text and level is None:
        error("走访等级", f"请填「重点」（每周）、「一般」（每月）或「稳定」（每季度），现在是「{_echo(level_text)}」")
    record["level"] = level or recipients.default_level(record["ongoing_care"])
    return record, errors, warnings


# ---------------------------------------------------------------- the whole file

def import_table(db: Database, table: Table, secret_key: str, now: datetime, today: date,
                 skip_bad: bool = False, progress: Callable[[int], None] | None = None,
                 actor: str | None = None) -> ImportResult:
    """Check every row, then write all of them in one transaction (or none when any is bad, unless skip_bad)."""
    if not secret_key and any(_text(raw.get("id_number")) for _, raw in table.rows):
        raise RosterError("文件里有身份证号，但没有设置 LAOXIAO_SECRET_KEY（用于加密保存身份证号）。请先设置再导入")
    step = progress or (lambda n: None)
    look = _lookups(db, secret_key, today)
    result = ImportResult(total=len(table.rows))
    result.warnings.extend(Problem(1, h, "不认识这一列，已忽略") for h in table.ignored_headers)
    by_hash, by_identity = recipients.identity_index(db)
    seen: dict[Any, int] = {}
    good: list[tuple[dict, int | None]] = []
    for number, raw in table.rows:
        record, errors, warnings = check_row(number, raw, look)
        result.warnings.extend(warnings)
        key = record.get("id_number_hash") or (record["name"], record["birth_date"], record["site_id"])
        if not errors and key in seen:
            same = "身份证号相同" if record.get("id_number_hash") else "姓名、出生日期、站点都相同"
            errors.append(Problem(number, "姓名", f"与第{seen[key]}行是同一个人（{same}）"))
        seen.setdefault(key, number)
        result.errors.extend(errors)
        if not errors:
            existing = by_hash.get(record.get("id_number_hash")) if record.get("id_number_hash") else None
            existing = existing or by_identity.get((record["name"], record["birth_date"], record["site_id"]))
            good.append((record, existing))
        step(1)
    if result.errors and not skip_bad:
        return result
    with transaction(db):
        for record, existing in good:
            if existing is None:
                recipients.insert_recipient(db, record, now)
                result.created += 1
            elif recipients.update_recipient(db, existing, record, now):
                result.updated += 1
            else:
                result.unchanged += 1
        audit.record(db, now, actor, "import_recipients", None,
                     {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                      "skipped": len(result.bad_rows)})
    result.written = True
    return result


def _lookups(db: Database, secret_key: str, today: date) -> _Lookups:
    sites = {row["name"]: row for row in db.query("SELECT * FROM sites")}
    staff: dict[str, list[dict]] = {}
    for person in db.query("SELECT * FROM people WHERE role IN ('worker', 'director', 'admin') AND name IS NOT NULL"):
        staff.setdefault(person["name"], []).append(person)
    return _Lookups(sites, staff, secret_key, today)


# ---------------------------------------------------------------- the empty template

TEMPLATE_NOTES = (
    "填写说明（导入时只读「服务对象」这一页）：",
    "1. 带 * 的前六列必填：姓名、对象类型（老人/儿童）、类别、性别（男/女）、出生日期（如 1940-03-05）、站点。",
    "2. 类别可填多个，用、或逗号分隔。老人：" + "、".join(recipients.CATEGORIES["elder"]) + "。",
    "   儿童：" + "、".join(recipients.CATEGORIES["child"]) + "。",
    "3. 站点要与系统里的站点名称一致（laoxiao site list 可查看）。",
    "4. 负责人填已在公众号绑定的社工或儿童主任的姓名；还没绑定的先留空。",
    "5. 持续关爱、领取津贴填「是」或「否」（领取津贴：领取孤儿/事实无人抚养儿童基本生活费，需核查走访）。",
    "6. 身份证号请把单元格设为文本格式；系统只保存带密钥的散列和末4位，任何界面和导出都不会显示全号。",
    "7. 同一文件可以反复导入：有身份证号的按身份证号对应，没有的按「姓名+出生日期+站点」对应，只更新不重复。",
    "8. 知情同意：写明谁在何时同意建档，如「监护人签字 2026-03-01」；未满14岁的儿童须由监护人同意。",
    "9. 走访等级：重点（每周上门）、一般（每月上门）、稳定（每季度上门）；不填时持续关爱的为「一般」，其余为「稳定」。",
)


def write_template(out: str | Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "服务对象"
    sheet.append([f"*{h}" if required else h for h, _, required in HEADERS])
    for index, cell in enumerate(sheet[1], 1):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 22 if index in (10, 11) else 14
    choices = (("B", "老人,儿童"), ("D", "男,女"), ("L", "是,否"), ("M", "是,否"), ("O", "重点,一般,稳定"))
    for column, options in choices:
        check = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        check.add(f"{column}2:{column}5000")
        sheet.add_data_validation(check)
    for column in ("E", "H", "K"):  # dates, phones and ID numbers as text, so Excel does not mangle them
        for row in range(2, 501):
            sheet[f"{column}{row}"].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    for line in TEMPLATE_NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
