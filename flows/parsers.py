"""Parsers for the answers people send: dates, yes/no, numbers, phones and numbered choices.

Each `parse_*` takes the raw message and returns a clean value, or raises `Invalid` whose message is the
polite sentence to show. Each `find_*` picks one value out of a longer message and returns it with the
rest of the text, or None. Input comes from old phones and speech recognition: full-width digits,
Chinese numerals, stray 。 and spaces are all expected, and no string makes these functions crash.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

from data.masking import mask_text
from flows.errors import Ambiguous, Invalid
from flows.parse_dates import (
    DATE_HELP,
    WEEKDAY_NAMES,
    chinese_to_int,
    find_date,
    format_date,
    normalize,
    parse_date,
    remove_span,
    weekday_name,
)

__all__ = [
    "DATE_HELP", "WEEKDAY_NAMES", "chinese_to_int", "find_date", "find_number", "find_phone", "format_date",
    "mask_phone", "normalize", "parse_choice", "parse_date", "parse_number", "parse_phone", "parse_yes_no",
    "weekday_name",
]

# ---------------------------------------------------------------- yes / no

YES_NO_HELP = "请回「是」或「否」"

_YES = frozenset({
    "是", "是的", "对", "对的", "好", "好的", "嗯", "嗯嗯", "恩", "恩恩", "行", "行的", "可以", "确认",
    "确定", "没问题", "没有问题", "没错", "要", "要的", "需要", "有", "有的", "1", "y", "yes", "ok", "okay",
    "好嘞", "好滴", "嗯呢", "👍", "👌", "[强]", "[ok]", "/:strong", "/:ok", "√", "✓", "✔",
})
# 「没有」「无」 answer "有没有…？" questions. The engine sees some words first: 「算了」 cancels the flow
# (flows.words.CANCEL) and 「没有」「无」 skip an optional step (flows.words.SKIP).
_NO = frozenset({
    "不是", "否", "不", "不对", "不要", "不用", "不需要", "没有", "没", "无", "算了", "不行", "不可以",
    "不了", "错", "2", "n", "no", "[弱]", "/:weak", "×", "✗", "✘",
})
# Politeness around the answer, e.g. 「好的，谢谢」.
_FILLER = frozenset({"谢谢", "谢谢你", "谢谢您", "感谢", "多谢", "麻烦了", "麻烦你了", "麻烦您了", "辛苦了"})
_PARTICLES = "啊呀呢吧哈啦哦喔噢嘛了的"
_REPEATED = re.compile(r"(.+?)\1+")
_ANSWER_SPLIT = re.compile(r"[\s,，、。.!！~～;；]+")
_WECHAT_CODE = re.compile(r"(\[[^\[\]\s]{1,4}\]|/:[a-z]+)")


def _yes_no_word(token: str) -> str | None:
    """'yes', 'no', 'filler' or None for one word of an answer."""
    word = token.lower()
    if len(word) > 20:  # no answer is that long; also keeps the repeat regex cheap
        return None
    for _ in range(4):
        if not word:
            return None
        if word in _YES:
            return "yes"
        if word in _NO:
            return "no"
        if word in _FILLER:
            return "filler"
        repeated = _REPEATED.fullmatch(word)  # 「是是是」「好的好的」
        stripped = word.rstrip(_PARTICLES)  # 「是啊」「好吧」「没有了」
        word = repeated[1] if repeated else stripped
    # Any other emoji or WeChat sticker code is decoration, 「好的[玫瑰]」.
    if _WECHAT_CODE.fullmatch(token) or all(unicodedata.category(c)[0] == "S" for c in token):
        return "filler"
    return None


def parse_yes_no(text: str) -> bool:
    """True for 是/好的/嗯/👍…, False for 不是/不用/没有…; anything unsure or contradictory is Invalid."""
    s = _WECHAT_CODE.sub(r" \1 ", normalize(text))
    # Emoji glued to words (「好的👍」) become words of their own.
    s = "".join(f" {c} " if unicodedata.category(c) in ("So", "Sk", "Sm") else c for c in s)
    kinds = {_yes_no_word(t) for t in _ANSWER_SPLIT.split(s) if t} - {"filler"}
    if kinds == {"yes"}:
        return True
    if kinds == {"no"}:
        return False
    raise Invalid(YES_NO_HELP)


# ---------------------------------------------------------------- numbers

NUMBER_HELP = "没看懂数字，请回一个数字，比如「3」或「十二」"

_APPROX_PREFIXES = ("差不多", "大概", "大约", "一共", "总共", "约", "共")
_MEASURES = "个人位名次岁户口家件条天块元"
_NUMBER_RUN = re.compile(r"(?<![0-9.])(?:[0-9]+\.[0-9]+|[0-9零〇一二两三四五六七八九十百千万]+)")


def parse_number(text: str) -> int:
    """A whole number: 「12」「１２」「十二」「一百零五」「两千」「大概5个人」."""
    s = normalize(text).replace(" ", "")
    if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", s):
        s = s.replace(",", "")
    for prefix in _APPROX_PREFIXES:
        if s.startswith(prefix) and len(s) > len(prefix):
            s = s[len(prefix):]
            break
    s = s.removesuffix("左右").rstrip(_MEASURES)
    if re.search(r"[0-9零〇一二两三四五六七八九十百千万][多几来余]|[多几来余]$", s):
        raise Invalid("请回一个确切的数字，比如「12」")
    if re.fullmatch("[零〇一二两三四五六七八九]{2,}", s):
        raise Invalid("请回一个确切的数字，比如「12」")  # 「三四个」 is "three or four", not 34
    if re.fullmatch(r"[0-9]+\.[0-9]+", s):
        raise Invalid("请回整数，比如「3」")
    number = chinese_to_int(s) if s else None
    if number is None:
        raise Invalid(NUMBER_HELP)
    return number


def find_number(text: str) -> tuple[int, str] | None:
    """The first whole number in a longer message, and the message without it (and its 个/岁/人)."""
    s = normalize(text)
    for m in _NUMBER_RUN.finditer(s):
        run, end = m[0], m.end()
        after = s[end:end + 1]
        if "." in run or re.fullmatch("[零〇一二两三四五六七八九]{2,}", run):
            continue  # 血压 140.5 is not a count, 三四个 is a guess
        # A lone Chinese numeral is mostly a word (一起, 万一, 十分) unless a measure word follows.
        if not re.search("[0-9]", run) and len(run) == 1 and not (after and after in _MEASURES) \
                and s != run:
            continue
        number = chinese_to_int(run)
        if number is None:
            continue
        while end < len(s) and end - m.end() < 2 and s[end] in _MEASURES:
            end += 1
        return number, remove_span(s, m.start(), end)
    return None


# ---------------------------------------------------------------- phones

PHONE_HELP = "没看懂电话号码，请回11位手机号，或带区号的座机号，比如「0953-1234567」"

_PHONE_DIGITS = str.maketrans("零〇一二三四五六七八九幺两", "0012345678912")
_DIGIT = "[0-9零〇一二三四五六七八九幺两]"
_PHONE_RUN = re.compile(rf"{_DIGIT}(?:[ \-–—()（）]{{0,3}}{_DIGIT})*")
_MOBILE = re.compile(r"(?:0086|86)?(1[3-9][0-9]{9})")


def _as_phone(digits: str) -> str | None:
    mobile = _MOBILE.fullmatch(digits)
    if mobile:
        return mobile[1]
    if len(digits) < 10 or digits[0] != "0" or digits[1] == "0":
        return None
    # 010 and 02x are the only three-digit area codes; Ningxia's are 0951-0955.
    area = digits[:3] if digits[1] in "12" else digits[:4]
    local = digits[len(area):]
    if len(local) in (7, 8) and local[0] != "0":
        return f"{area}-{local}"
    return None


def find_phone(text: str) -> tuple[str, str] | None:
    """The first phone number in a longer message (normalised as `parse_phone` does), and the rest."""
    s = normalize(text)
    for run in _PHONE_RUN.finditer(s):
        # A run may join several numbers ("80 138 0951 1234"): try consecutive groups from each one.
        groups = [(g.start(), g.end(), g[0].translate(_PHONE_DIGITS))
                  for g in re.finditer(f"{_DIGIT}+", run[0])]
        for i, (first, _, _) in enumerate(groups):
            digits = ""
            for _, last, part in groups[i:]:
                digits += part
                if len(digits) > 14:
                    break
                phone = _as_phone(digits)
                if phone:
                    start = run.start() + first
                    while start and s[start - 1] in "+(（":
                        start -= 1
                    return phone, remove_span(s, start, run.start() + last)
    return None


def parse_phone(text: str) -> str:
    """「13809511234」 for mobiles, 「0953-1234567」 for landlines; Invalid says what looks wrong."""
    found = find_phone(text)
    if found:
        return found[0]
    runs = [re.sub("[^0-9]", "", r[0].translate(_PHONE_DIGITS)) for r in _PHONE_RUN.finditer(normalize(text))]
    longest = max(runs, key=len, default="")
    if longest.startswith("1") and len(longest) == 11:
        raise Invalid("手机号应该是13到19开头，请再核对一下")
    if longest.startswith("1") and 9 <= len(longest) <= 13:
        raise Invalid(f"手机号是11位，您发的是{len(longest)}位，请再核对一下")
    if len(longest) in (7, 8) and longest[0] not in "01":
        raise Invalid("座机号请带上区号，比如「0953-1234567」")
    raise Invalid(PHONE_HELP)


def mask_phone(phone: str) -> str:
    """A phone field shown masked, normalised first (「09531234567」 -> 「0953-*****67」) and masked by
    data.masking; unrecognised, it still never shows more than the last two digits."""
    try:
        return mask_text(parse_phone(phone))
    except Invalid:
        digits = re.sub("[^0-9]", "", normalize(phone))
        return "*" * max(len(digits) - 2, 4) + digits[-2:] if len(digits) > 4 else "****"


# ---------------------------------------------------------------- choices

_CIRCLED = str.maketrans({c: str(i) for i, c in enumerate("①②③④⑤⑥⑦⑧⑨", 1)})
_CHOICE_NUMBER = re.compile(r"(?:选择?|要)?第?[(（]?([0-9]{1,3}|[零〇一二两三四五六七八九十]{1,3})[)）]?"
                            r"(?:个|项|条|种|号|\.|、)?")
_FUZZY_MIN = 70


def _key(s: str) -> str:
    return normalize(s).replace(" ", "").lower()


def _pinyin(s: str) -> str:
    return "".join(lazy_pinyin(s))


def _menu(options: list[str]) -> str:
    return "\n".join(f"{i}. {option}" for i, option in enumerate(options, 1))


def parse_choice(text: str, options: list[str], aliases: dict[str, str] | None = None) -> str:
    """One of `options`: by number (「2」「第二个」「②」), label, alias or close typo (「低报」→「低保」)."""
    if not options:
        raise ValueError("parse_choice needs at least one option")
    names = {_key(o): o for o in options}
    for alias, target in (aliases or {}).items():
        if target not in options:
            raise ValueError(f"alias {alias!r} points to {target!r}, which is not an option")
        names.setdefault(_key(alias), target)
    key = _key(text).translate(_CIRCLED)
    if key in names:
        return names[key]
    number = _CHOICE_NUMBER.fullmatch(key)
    if number:
        n = chinese_to_int(number[1])
        if n is not None and 1 <= n <= len(options):
            return options[n - 1]
        raise Invalid(f"没有这一项，请回前面的数字：\n{_menu(options)}")
    if not key or len(key) > 100:
        raise Invalid(f"请回前面的数字：\n{_menu(options)}")
    # The answer inside a label (「低保」 for 「低保户」) or a label inside the answer (「我选低保」, but
    # not 「不是低保」).
    hits = {o for k, o in names.items() if (len(key) >= 2 and key in k)
            or (len(k) >= 2 and k in key and not re.search(f"[不没非]是?{re.escape(k)}", key))}
    if len(hits) == 1:
        return hits.pop()
    if len(hits) > 1:
        ordered = [o for o in options if o in hits]
        raise Ambiguous("您选的是哪一个？", [(o, o) for o in ordered])
    if len(key) >= 2:
        spoken = _pinyin(key)
        # Same sound, different character is the commonest typo of IME and voice input: compare pinyin too.
        scores: dict[str, float] = {}
        for k, option in names.items():
            score = fuzz.ratio(key, k)
            # Only a one-for-one swap, else 「不是」 would sound like 「是」; or pinyin typed as such.
            if len(k) == len(key) or key.isascii():
                score = max(score, fuzz.ratio(spoken, _pinyin(k)))
            scores[option] = max(scores.get(option, 0), score)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, score = ranked[0]
        if score >= _FUZZY_MIN and (len(ranked) == 1 or score - ranked[1][1] >= 10):
            return best
        close = [o for o, sc in ranked if sc >= _FUZZY_MIN]
        if len(close) > 1:
            raise Ambiguous("您选的是哪一个？", [(o, o) for o in close])
    raise Invalid(f"没看懂您的选择，请回前面的数字：\n{_menu(options)}")
