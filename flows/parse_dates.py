"""Dates as people type or dictate them (「昨天」「上周三」「11月3日」「二十八号」).

Also home of the text primitives every parser shares, `normalize` and `chinese_to_int`: they live here
so that `flows.parsers` can re-export dates without an import cycle.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from flows.errors import Invalid

__all__ = [
    "WEEKDAY_NAMES", "chinese_to_int", "find_date", "format_date", "normalize", "parse_date",
    "remove_span", "weekday_name",
]

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

DATE_HELP = "没看懂日期，请回「今天」「昨天」或「11月3日」这样的写法"

# ---------------------------------------------------------------- text primitives

# Chinese sentence punctuation ，！？：；（） stays: what a find_* leaves of a message is kept as a note.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if chr(c) not in "，！？：；（）"} | {0x3000: 0x20}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\ufe0f"))
# Speech recognition ends sentences with 。; "?" is kept on purpose: 「是？」 is a question, not an answer.
_TRAILING = " 。.!！~，,、…"


def normalize(text: str) -> str:
    """Full-width digits and letters to half-width, whitespace collapsed, trailing 。！~ and spaces gone."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text.translate(_FULLWIDTH).translate(_INVISIBLE)
    return " ".join(text.split()).rstrip(_TRAILING).strip()


def remove_span(text: str, start: int, end: int) -> str:
    """`text` without `text[start:end]`; the cut is closed with one space so words do not run together."""
    left = text[:start].rstrip(" ,，、:：;；")
    right = text[end:].lstrip(" ,，、:：;；")
    return " ".join(part for part in (left, right) if part)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER_TOKEN = re.compile(r"[0-9]+|.", re.DOTALL)
# Python refuses int() of very long strings; nothing a person counts needs more than this.
_MAX_DIGITS = 15


def chinese_to_int(s: str) -> int | None:
    """「二十三」→23, 「一百零五」→105, 「三万五」→35000, 「二〇二六」→2026; None if not a number."""
    s = normalize(s).replace(" ", "")
    if not s or len(s) > 2 * _MAX_DIGITS:
        return None
    if all(c in _CN_DIGITS or "0" <= c <= "9" for c in s):
        # No units: read digit by digit, the way years and phone numbers are dictated.
        if len(s) > _MAX_DIGITS:
            return None
        return int("".join(str(_CN_DIGITS.get(c, c)) for c in s))
    return _with_units(s)


def _with_units(s: str) -> int | None:
    total = section = 0
    digit: int | None = None
    last_unit: int | None = None  # within a section units must fall: 千 > 百 > 十
    prev_unit = 0  # for the spoken shorthand 三万五 = 35000, 一百五 = 150
    after_zero = wan_seen = False
    for tok in _NUMBER_TOKEN.findall(s):
        if (tok[0].isascii() and tok.isdigit()) or tok in _CN_DIGITS:
            if digit is not None or len(tok) > _MAX_DIGITS:
                return None
            if tok in ("零", "〇"):
                after_zero = True
                continue
            digit = int(tok) if tok.isdigit() else _CN_DIGITS[tok]
        elif tok in _CN_UNITS:
            unit = _CN_UNITS[tok]
            if (last_unit is not None and unit >= last_unit) or (digit is None and unit != 10) \
                    or (digit is not None and digit > 9):
                return None
            section += (1 if digit is None else digit) * unit
            digit, last_unit, prev_unit, after_zero = None, unit, unit, False
        elif tok == "万" and not wan_seen:
            section += digit or 0
            if section == 0:
                return None
            total, section, digit, last_unit, prev_unit = section * 10000, 0, None, None, 10000
            after_zero, wan_seen = False, True
        else:
            return None
    if digit is not None:
        if prev_unit and not after_zero:
            if digit > 9:
                return None
            digit = digit * prev_unit // 10
        section += digit
    return total + section


# ---------------------------------------------------------------- dates

_CN = "零〇一二两三四五六七八九十"
_NUM = rf"(?:[0-9]{{1,2}}|[{_CN}]{{1,3}})"
_NOT_AFTER_NUMBER = rf"(?<![0-9{_CN}百千万.\-第])"
# A day number may drop its 日/号 (「11月3」) but must not be the start of something else (「3个人」).
_DAY_SUFFIX = rf"(?: ?[日号]|(?![0-9{_CN}个人次岁天周]))"
_WEEKDAY = "[一二三四五六日天1-7]"
_WEEK = "(?:周|星期|礼拜)"

_RELATIVE_DAYS = {"大前天": -3, "前天": -2, "前日": -2, "前儿": -2, "昨天": -1, "昨日": -1, "昨儿个": -1,
                  "昨儿": -1, "昨个": -1, "今天": 0, "今日": 0, "今儿个": 0, "今儿": 0, "明天": 1,
                  "明日": 1, "明儿个": 1, "明儿": 1, "大后天": 3, "后天": 2}
_RELATIVE_YEARS = {"前": -2, "去": -1, "今": 0, "明": 1}
_WEEK_SHIFT = {"上上": -2, "上": -1, "本": 0, "这": 0, "下": 1, "下下": 2}
_MONTH_SHIFT = {"上上": -2, "上": -1, "本": 0, "这": 0, "当": 0, "下": 1}
_MAX_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# A past 「12月4日」 without a year: up to a month ahead it is this year's, a slip that a visit refuses as a
# future date (said on 12月3日 it is tomorrow, never a year ago); further ahead it is last year's, a late entry
# that the visit flow confirms with an old-date warning (「12月28日」 said on 1月5日).
AHEAD_IS_A_SLIP = 31


def weekday_name(d: date) -> str:
    """「周一」…「周日」."""
    return WEEKDAY_NAMES[d.weekday()]


def format_date(d: date, today: date | None = None) -> str:
    """「11月3日（周二）」, with the year only when it is not `today`'s year."""
    year = "" if today is not None and d.year == today.year else f"{d.year}年"
    return f"{year}{d.month}月{d.day}日（{weekday_name(d)}）"


def _int(s: str) -> int:
    n = chinese_to_int(s)
    if n is None:
        raise Invalid(DATE_HELP)
    return n


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _check_month_day(month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise Invalid(f"没有{month}月。是哪一天？请回「11月3日」这样的写法")
    if not 1 <= day <= _MAX_MONTH_DAYS[month - 1]:
        raise Invalid(f"{month}月没有{day}日。是哪一天？请再核对一下日期")


def _build(year: int, month: int, day: int) -> date:
    if not 1900 <= year <= 2100:
        raise Invalid(f"{year}年看起来不对。是哪一天？请回「11月3日」这样的写法")
    _check_month_day(month, day)
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid(f"{year}年{month}月没有{day}日。是哪一天？请再核对一下日期") from None


def _year(m: re.Match, today: date) -> int | None:
    if m["rely"]:
        return today.year + _RELATIVE_YEARS[m["rely"]]
    if not m["y"]:
        return None
    year = _int(m["y"])
    return 2000 + year if year < 100 else year


def _month_day(m: re.Match, today: date, prefer: str) -> date:
    month, day = _int(m["m"]), _int(m["d"])
    year = _year(m, today)
    if year is not None:
        return _build(year, month, day)
    _check_month_day(month, day)
    year = today.year
    this = _offset(year, month, day, today)
    if prefer == "future" and (month, day) < (today.month, today.day):
        year += 1
    elif prefer == "past" and this > AHEAD_IS_A_SLIP:
        year -= 1
    return _build(year, month, day)


def _offset(year: int, month: int, day: int, today: date) -> int:
    """Days from today to year-month-day, counted even for a day the month lacks (2月30日 is 3月2日 here)."""
    return date(year, month, 1).toordinal() + day - 1 - today.toordinal()


def _nearer(other: int, this: int) -> bool:
    """A past day of the month (「28号」) is the nearer of this month's and last month's: 「4号」 said on the 3rd
    is tomorrow (which a visit refuses as a future date), not a month ago."""
    return abs(other) <= abs(this)


def _iso(m: re.Match, today: date, prefer: str) -> date:
    return _build(int(m["y"]), int(m["m"]), int(m["d"]))


def _relative_month_day(m: re.Match, today: date, prefer: str) -> date:
    year, month = _shift_month(today.year, today.month, _MONTH_SHIFT[m["rel"]])
    return _build(year, month, _int(m["d"]))


def _day_of_month(m: re.Match, today: date, prefer: str) -> date:
    day = _int(m["d"] or m["d2"])
    if not 1 <= day <= 31:
        raise Invalid(f"没有{day}号，一个月最多31天。是哪一天？")
    step = -1 if prefer == "past" else 1
    year, month = today.year, today.month
    this = _offset(year, month, day, today)
    if (prefer == "future" and this < 0) or \
            (prefer == "past" and this > 0 and _nearer(_offset(*_shift_month(year, month, -1), day, today), this)):
        year, month = _shift_month(year, month, step)
    try:
        return date(year, month, day)
    except ValueError:
        # 「31号」 on 12月2日: asking beats silently jumping back to October.
        y, mo = year, month
        while day > calendar.monthrange(y, mo)[1]:
            y, mo = _shift_month(y, mo, step)
        raise Invalid(f"{month}月没有{day}号，请连月份一起回，比如「{mo}月{day}日」") from None


def _weekday_index(s: str) -> int:
    return "一二三四五六".index(s) if s in "一二三四五六" else 6 if s in "日天" else int(s) - 1


def _week_of(m: re.Match, today: date, prefer: str) -> date:
    monday = today - timedelta(days=today.weekday())
    shift = _WEEK_SHIFT[m["rel"]]
    return monday + timedelta(weeks=shift, days=_weekday_index(m["wd"]))


def _bare_weekday(m: re.Match, today: date, prefer: str) -> date:
    wd = _weekday_index(m["wd"])
    if prefer == "past":
        return today - timedelta(days=(today.weekday() - wd) % 7)
    return today + timedelta(days=(wd - today.weekday()) % 7)


def _relative_day(m: re.Match, today: date, prefer: str) -> date:
    return today + timedelta(days=_RELATIVE_DAYS[m[0]])


def _days_ago(m: re.Match, today: date, prefer: str) -> date:
    n = _int(m["n"]) * (7 if m["unit"] != "天" else 1)
    if n > 3660:
        raise Invalid("时间隔得太久了，请直接回日期，比如「11月3日」")
    return today + timedelta(days=-n if "前" in m["dir"] else n)


_Resolver = Callable[[re.Match, date, str], date]
# (pattern, resolver, weak): inside a longer message an invalid weak match (「32号」 may be a house) is
# skipped rather than reported.
_YEAR = "(?:(?P<y>[0-9]{4}|[0-9]{2}|[零〇一二三四五六七八九]{2,4})|(?P<rely>[前去今明])) ?年 ?"
_RULES: list[tuple[re.Pattern, _Resolver, bool]] = [
    (re.compile(r"(?<![0-9.])(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
                r"(?![0-9]|\.[0-9])"), _iso, False),
    (re.compile(rf"{_NOT_AFTER_NUMBER}(?:{_YEAR})?(?P<m>{_NUM}) ?月 ?(?P<d>{_NUM}){_DAY_SUFFIX}"),
     _month_day, False),
    (re.compile(rf"(?P<rel>上上|上|本|这|当|下)一?个?月 ?(?P<d>{_NUM}){_DAY_SUFFIX}"),
     _relative_month_day, False),
    (re.compile(rf"(?P<rel>上上|上|本|这|下下|下)一?个?{_WEEK}(?P<wd>{_WEEKDAY})"), _week_of, False),
    # 「每周三」「一周一次」「周三次」 are frequencies, not days.
    (re.compile(rf"(?<![0-9{_CN}每]){_WEEK}(?P<wd>{_WEEKDAY})(?![次遍回趟])"), _bare_weekday, False),
    (re.compile("|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True))), _relative_day, False),
    (re.compile(rf"{_NOT_AFTER_NUMBER}(?P<n>[0-9]{{1,3}}|[{_CN}]{{1,3}})个?(?P<unit>天|周|星期|礼拜)"
                r"(?P<dir>以前|之前|前|以后|之后|后)"), _days_ago, False),
    # A lone Chinese 一日/两日 means "one/two days"; only 号 makes those a day of the month.
    (re.compile(rf"{_NOT_AFTER_NUMBER}(?:(?P<d>[0-9]{{1,2}}|[{_CN}]{{1,3}}) ?号"
                rf"|(?P<d2>[0-9]{{1,2}}|[{_CN}]{{2,3}}) ?日)(?![楼栋院房室门床单元车位线路机码])"),
     _day_of_month, True),
]


def _check_prefer(prefer: str) -> None:
    if prefer not in ("past", "future"):
        raise ValueError(f"prefer must be 'past' or 'future', not {prefer!r}")


def _scan(text: str, today: date, prefer: str, strict: bool) -> Iterator[tuple[int, int, date]]:
    """Date expressions left to right; where they overlap the longest one wins."""
    hits = [(m.start(), -len(m[0]), i, m) for i, (pattern, _, _) in enumerate(_RULES)
            for m in pattern.finditer(text) if m[0]]
    hits.sort(key=lambda h: h[:3])
    end = 0
    for start, _, i, m in hits:
        if start < end:
            continue
        _, resolve, weak = _RULES[i]
        try:
            found = resolve(m, today, prefer)
        except Invalid:
            if weak and not strict:
                continue
            raise
        end = m.end()
        yield start, end, found


def _as_date(today: date) -> date:
    # A datetime is a date too, but mixing them makes results datetimes.
    return today.date() if isinstance(today, datetime) else today


def find_date(text: str, today: date, prefer: str = "past") -> tuple[date, str] | None:
    """The first date in a longer message, and the message without it; None if there is none."""
    _check_prefer(prefer)
    text = normalize(text)
    for start, end, found in _scan(text, _as_date(today), prefer, strict=False):
        return found, remove_span(text, start, end)
    return None


def parse_date(text: str, today: date, prefer: str = "past") -> date:
    """The one date in `text`; `prefer` ("past"/"future") settles 「周三」「3号」「11月3日」."""
    _check_prefer(prefer)
    today = _as_date(today)
    dates = list(dict.fromkeys(found for _, _, found in _scan(normalize(text), today, prefer, strict=True)))
    if not dates:
        raise Invalid(DATE_HELP)
    if len(dates) > 1:
        named = "、".join(format_date(d, today) for d in dates[:3])
        raise Invalid(f"您提到了几个日期（{named}），请只回一个")
    return dates[0]
