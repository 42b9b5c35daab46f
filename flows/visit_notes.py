"""Reading a visit note as people write or dictate it, not as a form.

    前天去看了田家豪，娃娃挺好的么，莫得事
    记一下今天去了马晓燕家娃娃感冒了奶奶带着去卫生院了
    走访 杨欣怡 和 王小明 今天 电话 都挺好

The opening of a note (fillers, the date, who went where and how) is its preamble; what follows is what was
found. Each function here reads one thing and never guesses beyond the words: what a note does not say is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from data.recipients import rank_by_name
from data.text import normalize as fold
from flows.errors import Invalid
from flows.parsers import find_date

# ---------------------------------------------------------------- the preamble

_SEPARATORS = " ,，、。.;；:：!！?？…~～\n"
_FILLERS = ("帮我记一下", "记录一下", "记一下", "记个走访", "汇报一下", "说一下", "报一下", "那个", "就是", "然后",
            "嗯", "呃", "啊", "哦", "喂", "刚才", "刚刚", "一早", "上午", "下午", "中午", "晚上", "早上", "傍晚",
            "我们", "我", "俺", "咱", "一趟", "一下", "一次", "去的", "走访", "家访", "给", "跟", "和")
# 「今天都去看了」: an adverb before the visit verb is part of the preamble, not of the findings.
_ADVERB_BEFORE_VERB = re.compile(r"(?:都|也|又|还|一起)(?=去|到|打|上门|看|视频|见)")
_HOME = ("家里", "家中", "家")
# 「给王小明爷爷打了个电话」: the guardian right after the name, when a call or a video follows.
_KIN_THEN_CALL = re.compile(r"(?:的)?(?:他|她)?(?:的)?(?:爷爷|奶奶|外公|外婆|姥姥|姥爷|姑姑|舅舅|叔叔|伯伯|家长|"
                            r"监护人|妈妈|爸爸|妈|爸|母亲|父亲|家人|老伴|儿子|女儿)(?=打|通|视频|电话|微信)")
# Words that say how the visit was made; each maps to a mode. Longest first when matched.
MODE_CUES = {
    "上门": ("去看了", "去看望了", "去看望", "看望了", "看望", "去看", "去瞧了", "去了", "去", "到了", "到", "上门",
             "入户", "家访", "登门"),
    "电话": ("打了个电话", "打了电话", "打电话问了", "打电话", "电话问了", "电话联系了", "电话里", "通了电话",
             "打过电话", "电话"),
    "视频": ("视频通话", "视频了", "微信视频", "视频"),
    "到校": ("去学校", "到学校", "在学校", "学校里", "学校", "到校", "在校"),
}
_VISIT_VERBS = re.compile(r"去看|看望|去了|到了|去.{1,5}家|到.{1,5}家|上门|入户|家访|走访|见了|见到|打了?个?电话|"
                          r"电话(?:问|联系|里)|视频|去学校|到学校|记一下|记录一下|今天到|去瞧")
_CONNECTORS = ("和", "跟", "与", "还有", "以及", "、", "及")
_COUNT = re.compile(r"([两俩仨三四2-4])个?(?:娃娃|娃|孩子|小孩|老人)")
_COUNTS = {"两": 2, "俩": 2, "2": 2, "仨": 3, "三": 3, "3": 3, "四": 4, "4": 4}
NEW_MARK = re.compile(r"[（(]\s*新发现\s*[)）]|新发现的?")


@dataclass
class Preamble:
    """What the opening of a note says, and where the findings begin. `recipients` holds each mention's
    candidates: one person, or several when a given name (小明) fits more than one."""

    recipients: list[list[dict]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    day: date | None = None
    refused_day: str = ""
    mode: str | None = None
    rest: str = ""
    new: bool = False


def looks_like_a_visit(text: str) -> bool:
    """A note says someone went, called or saw: 去看了, 去了…家, 打电话问了, 记一下, 今天到…家里."""
    return bool(_VISIT_VERBS.search(text))


def read_preamble(text: str, pool: list[dict], today: date) -> Preamble:
    """Consume fillers, dates, names, connectors, 家 and mode words from the start of the note."""
    found = Preamble(new=bool(NEW_MARK.search(text)))
    rest = NEW_MARK.sub(" ", text).strip()
    while True:
        rest = rest.lstrip(_SEPARATORS)
        step = _one_piece(rest, pool, today, found)
        if step is None:
            break
        rest = step
    found.rest = rest.strip(_SEPARATORS)
    siblings_wanted = _COUNT.search(text)
    if siblings_wanted and found.recipients and all(len(g) == 1 for g in found.recipients):
        named = [g[0] for g in found.recipients]
        found.recipients = [[r] for r in _with_siblings(named, pool, _COUNTS[siblings_wanted.group(1)])]
    return found


def _one_piece(rest: str, pool: list[dict], today: date, found: Preamble) -> str | None:
    """The text after one recognised piece of preamble, or None when the findings begin."""
    if not rest:
        return None
    for filler in _FILLERS:
        if rest.startswith(filler):
            return rest[len(filler):]
    if rest.startswith(("了", "的")) and not rest.startswith(("了解", "的确")):
        return rest[1:]
    adverb = _ADVERB_BEFORE_VERB.match(rest)
    if adverb:
        return rest[adverb.end():]
    dated = _date_at_start(rest, today)
    if dated is not None:
        day, after, said = dated
        if day is None:
            found.refused_day = said
        elif found.day is None:
            found.day = day
        return after
    for cue, mode in _MODE_CUES_SORTED:
        if rest.startswith(cue):
            # Once the way is said, the same words later belong to the findings (「上门 又去看了看」), unless a
            # name follows them (「今日到校看望王思雨」).
            if found.mode is None or (found.mode == "上门" and mode == "到校"):
                found.mode = mode
            elif name_at_start(rest[len(cue):], pool) is None:
                break
            return rest[len(cue):]
    for connector in _CONNECTORS:
        if found.recipients and rest.startswith(connector):
            return rest[len(connector):]
    # A name standing on its own (「走访 王秀南 今天」) may be a weaker match than one run into the next words.
    named = name_at_start(rest, pool, 75.0 if re.match(r"[\u4e00-\u9fff]{2,4}(?:[\s,，、]|家|$)", rest) else 85.0)
    if named is not None:
        people, length = named
        if people not in found.recipients:
            found.recipients.append(people)
        return _after_home(rest[length:], found)
    token = re.match(r"[\u4e00-\u9fff]{2,4}", rest)
    if token and (found.new or _followed_by_home(rest, token.end())) and not found.recipients and not found.unknown:
        name = _strip_home(token.group(0))
        found.unknown.append(name)
        return _after_home(rest[len(name):], found)
    return None


def _after_home(rest: str, found: Preamble) -> str:
    """「丁浩然家（里）」: the home right after a name says the visit was made there."""
    kin = _KIN_THEN_CALL.match(rest)
    if kin:
        return rest[kin.end():]
    for home in _HOME:
        if rest.startswith(home):
            found.mode = found.mode or "上门"
            return rest[len(home):]
    return rest


# Every cue of every mode, longest first: 「到校」 before 「到」.
_MODE_CUES_SORTED = sorted(((cue, mode) for mode, cues in MODE_CUES.items() for cue in cues), key=lambda c: -len(c[0]))


def _followed_by_home(text: str, end: int) -> bool:
    return text[end:end + 1] == "家" or text[end - 1:end] == "家"


def _strip_home(name: str) -> str:
    return name[:-1] if name.endswith("家") and len(name) > 2 else name


def _date_at_start(text: str, today: date) -> tuple[date | None, str, str] | None:
    """(date, text after it, the words) when the text starts with a date; date None when it is not a real or
    allowed one (a future date, 2月30日): the words are still taken off, so they never become findings."""
    longest = None
    for end in range(2, min(len(text), 14) + 1):
        try:
            hit = find_date(text[:end], today)
        except Invalid:
            if re.fullmatch(r"\d{1,2}月\d{1,2}[日号]?|\d{4}-\d{1,2}-\d{1,2}", text[:end]):
                longest = (end, None)
            continue
        if hit and not hit[1].strip():
            longest = (end, hit[0])
    if longest is None:
        return None
    end, day = longest
    if day is not None and day > today:
        day = None
    return day, text[end:], text[:end]


def name_at_start(text: str, pool: list[dict], min_score: float = 85.0) -> tuple[list[dict], int] | None:
    """The roster names the text starts with (full name, given name, homophone or one-letter typo), and how many
    characters they take. Several people with that name come back together: the flow then asks which."""
    written = [r for r in pool if r["name"] and text.startswith(r["name"])]
    if written:
        longest = max(len(r["name"]) for r in written)
        return [r for r in written if len(r["name"]) == longest], longest
    best: tuple[list[dict], int, float] | None = None
    for length in (4, 3, 2):
        token = text[:length]
        if len(token) < length or not re.fullmatch(r"[\u4e00-\u9fff]+", token):
            continue
        exact = [r for r in pool if r["name"] == token]
        if exact:
            return exact, length
        ranked = rank_by_name(token, pool)
        if ranked and (best is None or ranked[0][1] > best[2]):
            top = ranked[0][1]
            best = ([r for r, s in ranked if top - s < 8.0], length, top)
    if best is None or best[2] < min_score:
        return None
    return best[0], best[1]


def names_anywhere(text: str, pool: list[dict]) -> list[list[dict]]:
    """Roster people written out in full anywhere in the note (「今天去看了，王秀兰挺好」), one mention each."""
    found = sorted((text.find(r["name"]), r["name"]) for r in pool if len(r["name"]) >= 2 and r["name"] in text)
    names = list(dict.fromkeys(name for _, name in found))
    return [[r for r in pool if r["name"] == name] for name in names][:6]


def _with_siblings(named: list[dict], pool: list[dict], wanted: int) -> list[dict]:
    """「马小军家两个娃娃都好」: the named child and those sharing their address or guardian on the roster."""
    if len(named) >= wanted:
        return named
    home = {(r.get("address") or "", r.get("guardian") or "") for r in named}
    siblings = [r for r in pool if r not in named and any(
        (a and r.get("address") == a) or (g and r.get("guardian") == g) for a, g in home)]
    return named + siblings[: wanted - len(named)] if len(named) + len(siblings) >= wanted else named


# ---------------------------------------------------------------- what happened

OUTCOME_CUES = (
    ("hospital", ("住院", "在医院住", "住进医院", "住进了医院", "在医院里")),
    # 「家里没人管娃娃」 says who looks after the child, not that nobody was home.
    ("moved", ("搬走", "搬家了", "搬到", "迁走", "迁出", "去外地了", "跟着父母走了", "跟父母去", "跟他爸妈去",
               "接走了", "不在这住了", "不在村里住了")),
    ("refused", ("不让进", "不开门", "不让看", "拒绝", "不配合", "不愿意见", "不想见", "不让我们进", "赶出来",
                 "不让我进")),
    ("not_home", ("不在家", "没在家", "没人在家", "家里没人(?!管|照顾|看|带)", "门锁着", "锁着门", "锁门了",
                  "大门锁", "没见到", "没见着", "没碰上", "没遇到", "扑了个空", "白跑", "敲门没人", "没打通", "打不通",
                  "没人接",
                  "关机", "停机", "没见上", "出去了没回来", "上学去了没见")),
)
_MET_OVERRIDES = re.compile(r"(?<![没不])(?:见到了|见到本人|孩子在家|人在家|见着了|见到孩子|见到老人)")


def read_outcome(text: str) -> str | None:
    """met / not_home / refused / moved / hospital when the note says; None when it does not."""
    folded = fold(text)
    for outcome, cues in OUTCOME_CUES:
        if any(re.search(c, folded) for c in cues):
            if outcome == "not_home" and _MET_OVERRIDES.search(folded):
                continue
            return outcome
    return None


# ---------------------------------------------------------------- verification (核查) answers

_SEEN = ("见到了", "见到本人", "见到孩子", "孩子在家", "人在家", "见着了", "看到孩子", "当面", "见了孩子", "孩子本人")
_NO_CHANGE = re.compile(r"(?:监护|照顾|抚养|带孩子|家庭|家里|生活)?(?:人|情况)?(?:都)?(?:没有?|无|未)(?:啥|什么)?"
                        r"(?:变化|变|改变)|(?:一切|都)(?:照旧|照常|和以前一样|跟以前一样)|还是(?:奶奶|爷爷|外婆|外公|姑姑|"
                        r"姥姥|姥爷|舅舅|叔叔|伯伯|妈妈|爸爸)(?:带|管|照顾)")
_CHANGE = re.compile(r"(?:换成|改成|交给|现在由|现在跟|现在是)(?:了)?[^，,。；;]{1,8}(?:带|照顾|管|抚养|监护|住)|"
                     r"(?:去世|过世|走了|没了|改嫁|离婚|出狱|入狱|坐牢|回来了|外出打工|出去打工|不管了)")
SCHOOL_CUES = (
    ("辍学", ("辍学", "不上学了", "不上了", "没去上学", "不念了", "不读了", "没上学了", "退学")),
    ("已毕业/工作", ("毕业了", "出去打工了", "上班了", "工作了")),
    ("未入学/未入园", ("还没上学", "没上幼儿园", "还没上幼儿园", "还小没上学")),
    ("在学", ("在上学", "上学正常", "正常上学", "按时上学", "在读", "上着学", "在校", "在学", "上学了", "读书正常",
             "学习正常", "学习还行", "学习挺好", "学习好", "成绩", "作业")),
)


def read_seen(text: str, outcome: str | None) -> bool | None:
    if outcome in ("not_home", "refused", "moved"):
        return False
    return True if any(c in fold(text) for c in _SEEN) else None


MISSING = object()


def read_change(text: str) -> object:
    """None for 「监护人没变化」, the clause for a change, MISSING when the note does not say."""
    for clause in clauses(text):
        folded = fold(clause)
        if _NO_CHANGE.search(folded):
            return None
        if _CHANGE.search(folded):
            return clause[:300]
    return MISSING


def read_school(text: str) -> str | None:
    folded = fold(text)
    for value, cues in SCHOOL_CUES:
        if any(c in folded for c in cues):
            return value
    return None


def clauses(text: str) -> list[str]:
    """A note cut where people pause: punctuation, or the spaces of 「监护好 安全好 上学正常」."""
    return [c.strip() for c in re.split(r"[，,。；;！!？?\n…~～\s]+", text or "") if c.strip()]
