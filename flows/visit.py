"""走访: a worker or child director records a visit, in one message, several, or a voice note.

    走访 王秀兰 今天 上门 血压有点高，降压药快吃完了
    前天去看了田家豪，娃娃挺好的么，莫得事
    马小军和杨雪梅今天都去看了，挺好

One reading of the note fills who (one or several people, or someone not on the roster yet), when, how, what came
of it (met, not at home, refused, moved, in hospital), what was found, the needs, and the allowance-verification
answers (核查) it already gives; the flow asks only for what is still missing, then confirms once and records one
visit per person. Danger in a note (carbon monoxide signs, a fall, days without food) alerts the site's worker and
the admins at once, as a family's emergency does.
"""

from __future__ import annotations

import re

from data import recipients, sites, visits
from data.clock import iso
from flows import handoff
from flows import visit_findings as found_in
from flows import visit_notes as notes
from flows.context import Ctx
from flows.engine import Flow, Several, Step
from flows.errors import Abort, Ambiguous, Invalid
from flows.parsers import format_date, parse_choice, parse_yes_no
from flows.visit_record import save, summary
from flows.words import clean

WARN_DAYS = 30
FINDINGS_MAX = 1000
_ASK_DATE = "哪天走访的？回「今天」「昨天」或「11月3日」。"
MODE_ALIASES = {"入户": "上门", "家访": "上门", "到家": "上门", "登门": "上门", "上门走访": "上门", "打电话": "电话",
                "电话回访": "电话", "通电话": "电话", "视频通话": "视频", "微信视频": "视频", "视频电话": "视频",
                "在校": "到校", "去学校": "到校", "学校": "到校", "邻里": "其他", "其它": "其他"}
SCHOOL = ("在学", "辍学", "未入学/未入园", "已毕业/工作", "其他")
_SCHOOL_ALIASES = {"上学": "在学", "在校": "在学", "上着学": "在学", "不上了": "辍学", "不上学": "辍学",
                   "没上学": "未入学/未入园", "未入园": "未入学/未入园", "未入学": "未入学/未入园",
                   "还小": "未入学/未入园", "毕业": "已毕业/工作", "打工": "已毕业/工作", "工作": "已毕业/工作"}
_NO_CHANGE = {"无", "没有", "没", "没变", "没变化", "没有变化", "无变化", "一样", "跟以前一样", "和以前一样",
              "不变", "否"}
_NO_NEEDS = {"无", "没有", "没", "没啥", "没什么", "暂无", "不需要", "不用", "都不需要", "没有需要", "否"}
_OUTCOME_WORDS = {label: key for key, label in visits.OUTCOMES.items()} | {
    "见到了": "met", "见到": "met", "不在": "not_home", "没人": "not_home", "拒绝": "refused", "搬走": "moved",
    "搬家": "moved", "住院": "hospital"}


# ---------------------------------------------------------------- who

def _value(r: dict) -> dict:
    """What the conversation keeps of a recipient: enough to ask the right questions, re-read at save."""
    return {"id": r["id"], "name": r["name"], "kind": r["kind"],
            "allowance": bool(r.get("allowance") and r["kind"] == "child")}


def _new_one(name: str, ctx: Ctx) -> dict:
    """Someone not on the roster yet (新发现): kept against a pending recipient until a worker confirms."""
    site = sites.get_site(ctx.db, ctx.person.get("site_id"))
    kind = "elder" if site and site["project"] == "elder" else "child"
    return {"id": None, "name": name, "kind": kind, "allowance": False, "new": True}


def _pool(ctx: Ctx) -> list[dict]:
    pool = recipients.visible_recipients(ctx.db, ctx.person)
    if not pool and ctx.role != "admin" and ctx.person.get("site_id") is None:
        raise Abort("您的账号还没有站点，请联系管理员。")
    return pool


def _offer_new(name: str, ctx: Ctx, also: Several | None = None) -> Ambiguous:
    new = _new_one(name, ctx)
    who = "老人" if new["kind"] == "elder" else "孩子"
    # The same words whether or not the person exists elsewhere: nothing leaks about other villages.
    return Ambiguous(f"「{name}」不在您的服务对象名单里。是新发现的{who}吗？",
                     [([new], f"是，记为新发现的{who}（先记下这次走访，社工核实后加进名单）")],
                     rest="", also=also)


def _who(reading: notes.Preamble, ctx: Ctx, also: Several | None) -> list[dict] | None:
    """The people a reading names: settled, or a question (a given name that fits several, or someone new)."""
    if reading.unknown and not reading.recipients:
        raise _offer_new(reading.unknown[0], ctx, also)
    if not reading.recipients:
        return None
    settled = [_value(group[0]) for group in reading.recipients if len(group) == 1]
    unsure = [group for group in reading.recipients if len(group) > 1]
    if not unsure:
        return settled
    admin = ctx.role == "admin"
    options = [([*settled, _value(r)], recipients.describe(r, ctx.today, with_site=admin)) for r in unsure[0][:6]]
    raise Ambiguous("您说的是哪一位？", options, rest="", also=also)


def _read_note(text: str, ctx: Ctx, values: dict) -> Several | None:
    """The one-shot reading of a whole note: who, when, how, what came of it, what was found and needed."""
    pool = _pool(ctx)
    reading = notes.read_preamble(text, pool, ctx.today)
    if not reading.recipients and not reading.unknown:
        reading.recipients = notes.names_anywhere(text, pool)
        if not reading.recipients:
            return _not_listed_first(text, ctx)
    settled = {}
    refused = ("date",) if reading.refused_day else ()
    if reading.day is not None:
        settled["date"] = reading.day.isoformat()
    if reading.mode:
        settled["mode"] = reading.mode
    body = reading.rest[:FINDINGS_MAX]
    extra: tuple[str, ...] = ()
    if reading.refused_day:
        extra = (f"「{reading.refused_day}」不是能记的走访日期（不能是将来，也要是真实的日期）。",)
    if len(body) >= 2:
        settled.update(_what_the_note_says(body, ctx, one_shot=True))
    also = Several(settled, refused=refused, notes=extra)
    people_named = _who(reading, ctx, also)
    return Several({"recipients": people_named, **settled}, refused=refused, notes=extra)


def _not_listed_first(text: str, ctx: Ctx) -> Several | None:
    """「走访 马小龙 今天 上门 …」: a name that is on nobody's list is offered as someone new."""
    token = re.match(r"\s*([\u4e00-\u9fff]{2,4})(?=[\s,，、]|$)", text)
    if token and not notes.looks_like_a_visit(token.group(1)) and token.group(1) not in ("今天", "昨天", "前天"):
        rest = text[token.end():]
        reading = notes.read_preamble(rest, [], ctx.today)
        settled = {"date": reading.day.isoformat()} if reading.day else {}
        if reading.mode:
            settled["mode"] = reading.mode
        if len(reading.rest) >= 2:
            settled.update(_what_the_note_says(reading.rest[:FINDINGS_MAX], ctx, one_shot=True))
        raise _offer_new(token.group(1), ctx, Several(settled))
    return None


def _parse_recipients(text: str, ctx: Ctx, values: dict) -> list[dict] | Several:
    found = _read_note(text, ctx, values)
    if found is None:
        raise Invalid("请回服务对象的姓名，比如「王秀兰」；几位一起走访的，写「马小军和杨雪梅」。")
    return found


def _show_people(value: list[dict]) -> str:
    return "、".join(f"{r['name']}（新发现）" if r.get("new") else r["name"] for r in value or [])


# ---------------------------------------------------------------- when, how, and what came of it

def _parse_date(text: str, ctx: Ctx, values: dict) -> str:
    from flows.parsers import parse_date

    day = parse_date(text, ctx.today, prefer="past")
    if day > ctx.today:
        raise Invalid(f"走访日期不能是将来（今天是{format_date(ctx.today, ctx.today)}），请回实际走访的日期。")
    return day.isoformat()


def _parse_mode(text: str, ctx: Ctx, values: dict) -> str:
    return parse_choice(text, list(visits.MODES), MODE_ALIASES)


def _outcome_default(ctx: Ctx, values: dict) -> str:
    return notes.read_outcome(values.get("findings") or "") or "met"


def _parse_outcome(text: str, ctx: Ctx, values: dict) -> str:
    labels = list(visits.OUTCOMES.values())
    chosen = parse_choice(text, labels, {w: visits.OUTCOMES[k] for w, k in _OUTCOME_WORDS.items()
                                         if visits.OUTCOMES[k] != w})
    return next(k for k, v in visits.OUTCOMES.items() if v == chosen)


def _show_outcome(value: str) -> str:
    return visits.OUTCOMES.get(value, value)


# ---------------------------------------------------------------- what was found, and what is needed

def _what_the_note_says(body: str, ctx: Ctx, one_shot: bool) -> dict:
    """Findings, and what they answer already: needs, verification, the outcome."""
    said: dict = {"findings": body}
    need = found_in.needs(body)
    if need or one_shot:
        said["needs"] = need
    outcome = notes.read_outcome(body)
    seen = notes.read_seen(body, outcome)
    if seen is not None:
        said["seen"] = seen
    change = notes.read_change(body)
    if change is not notes.MISSING:
        said["change"] = change
    school = notes.read_school(body)
    if school:
        said["school"] = school
    _alert_danger(body, ctx)
    return said


def _parse_findings(text: str, ctx: Ctx, values: dict) -> Several:
    text = text.strip()
    if len(re.sub(r"[\W_]", "", text)) < 2:
        raise Invalid("请简单说说看到的情况，比如「身体还好，按时吃药」。")
    if len(text) > FINDINGS_MAX:
        raise Invalid(f"内容太长了（{len(text)}字），请控制在{FINDINGS_MAX}字以内。")
    return Several(_what_the_note_says(text, ctx, one_shot=False))


def _ask_findings(ctx: Ctx, values: dict) -> str:
    people_named = values.get("recipients") or []
    if people_named and all(r["kind"] == "child" for r in people_named):
        return "孩子情况怎么样？可以按 监护、安全、就学、健康 各说一句（可以发语音）。"
    return "情况怎么样？可以说说 生活、健康、子女赡养、居家安全（水电、煤炉取暖）（可以发语音）。"


def _ask_needs(ctx: Ctx, values: dict) -> str:
    return "有需要帮忙解决的事吗？没有请回「无」；有请简单说（如：降压药快吃完了）。"


def _parse_needs(text: str, ctx: Ctx, values: dict) -> str | None:
    word = clean(text)
    if word in _NO_NEEDS:
        return None
    try:
        if parse_yes_no(word) is False:
            return None
    except Invalid:
        pass
    if len(word) < 2:
        raise Invalid("请简单说需要什么，没有请回「无」。")
    return word[:500]


def _alert_danger(note: str, ctx: Ctx) -> None:
    """Danger found on a visit takes the urgent path at once: the site's worker and the admins are alerted,
    whatever the hour (the reply to the visitor carries the advice, see `danger_advice`)."""
    words = found_in.danger(note)
    if not words:
        return
    key = f"visit:{ctx.message.key}" if ctx.message else f"visit:{ctx.openid}:{iso(ctx.now)}"
    handoff.urgent_alert(ctx.db, ctx.person, note, words[0].call, key, ctx.now)


# ---------------------------------------------------------------- allowance verification (核查)

def _verifying(values: dict) -> bool:
    return any(r.get("allowance") for r in values.get("recipients") or [])


def _parse_seen(text: str, ctx: Ctx, values: dict) -> bool:
    seen = notes.read_seen(text, notes.read_outcome(text))
    return seen if seen is not None else parse_yes_no(clean(text))


def _parse_change(text: str, ctx: Ctx, values: dict) -> str | None:
    word = clean(text)
    said = notes.read_change(word)
    if word in _NO_CHANGE or said is None:
        return None
    if len(word) < 2:
        raise Invalid("请回「无」，或简单说明变化（如：爷爷去世，现由姑姑照顾）。")
    return word[:300]


def _parse_school(text: str, ctx: Ctx, values: dict) -> str:
    return notes.read_school(text) or parse_choice(text, list(SCHOOL), _SCHOOL_ALIASES)


def _yes_no_show(value: bool | None) -> str:
    return "是" if value else "否"


def _claims(rest: str, ctx: Ctx) -> bool:
    """「走访 马小军 …」 mid-conversation starts a new visit when it names someone (on the roster or not)."""
    try:
        return _read_note(rest, ctx, {}) is not None
    except (Ambiguous, Invalid):
        return True
    except Abort:
        return False


def _brief(values: dict) -> str:
    names = "、".join(r["name"] for r in values.get("recipients") or [])
    return f"{names}的走访" if names else "走访记录"


VISIT = Flow(
    name="visit",
    title="走访记录",
    triggers=("走访", "记录", "家访", "核查"),
    roles=("worker", "director", "admin"),
    version=2,
    steps=(
        Step("recipients", "对象", ask="走访的是哪位？请回姓名（几位一起走访的，写「马小军和杨雪梅」）。",
             parse=_parse_recipients, extract=_read_note, show=_show_people),
        # Today unless the note says otherwise; a date that was said but refused is asked for again.
        Step("date", "日期", ask=_ASK_DATE, parse=_parse_date, default=lambda ctx, values: ctx.today.isoformat()),
        Step("mode", "方式", ask="怎么走访的？\n1. 上门 2. 电话 3. 视频 4. 到校 5. 其他", parse=_parse_mode),
        Step("findings", "情况", ask=_ask_findings, parse=_parse_findings),
        Step("outcome", "结果", ask="这次走访的结果：\n1. 见到本人 2. 不在家 3. 拒绝走访 4. 已搬走 5. 住院",
             parse=_parse_outcome, default=_outcome_default, show=_show_outcome),
        Step("needs", "需求", ask=_ask_needs, parse=_parse_needs, negatable=True),
        Step("seen", "见到本人", ask="【核查】这次见到孩子本人了吗？回「是」或「否」。",
             parse=_parse_seen, show=_yes_no_show, when=_verifying),
        Step("change", "变化", ask="【核查】孩子的监护人或生活情况有变化吗？没有回「无」；有请简单说明。",
             parse=_parse_change, when=_verifying, negatable=True),
        Step("school", "就学",
             ask="【核查】孩子现在的就学情况：\n1. 在学 2. 辍学 3. 未入学/未入园 4. 已毕业/工作 5. 其他",
             parse=_parse_school, when=_verifying),
    ),
    save=save,
    summary=summary,
    denied="走访记录只由社工和儿童主任填写。如果您家里需要帮助，直接说说情况就行，我们会转给社工。",
    describe="走访 姓名 今天 上门 情况：记录一次走访（也可以直接说「今天去看了王小明…」，可发语音）",
    brief=_brief,
    claims=_claims,
    extra={"after_save": "记错了回「撤销」。"},
)
