"""走访: a worker or child director records a home visit, in one message or step by step.

    走访 王秀兰 今天 上门 血压有点高，降压药快吃完了

fills who, when, how, what was found and the need in one go; the flow asks only for what is missing and
confirms everything in one summary. Children who receive the orphan / de-facto-unsupported allowance get
three verification questions (核查) as well; a change there is flagged to the site's social workers.
"""

from __future__ import annotations

import re
from datetime import date

from data import audit, conversations, recipients, visits
from flows.context import Ctx
from flows.engine import Flow, Step
from flows.errors import Abort, Ambiguous, Invalid
from flows.parse_dates import remove_span
from flows.parsers import find_date, format_date, normalize, parse_choice, parse_yes_no
from flows.request import open_request_from_visit
from flows.words import clean

WARN_DAYS = 30
_ASK_DATE = "哪天走访的？回「今天」「昨天」或「11月3日」。"
FINDINGS_MAX = 1000
MODE_ALIASES = {"入户": "上门", "家访": "上门", "到家": "上门", "登门": "上门", "上门走访": "上门", "打电话": "电话",
                "电话回访": "电话", "通电话": "电话", "视频通话": "视频", "微信视频": "视频", "视频电话": "视频",
                "在校": "到校", "去学校": "到校", "学校": "到校", "邻里": "其他", "其它": "其他"}
_MODE_WORDS = sorted([*visits.MODES, *MODE_ALIASES], key=len, reverse=True)
SCHOOL = ("在学", "辍学", "未入学/未入园", "已毕业/工作", "其他")
_SCHOOL_ALIASES = {"上学": "在学", "在校": "在学", "上着学": "在学", "不上了": "辍学", "不上学": "辍学",
                   "没上学": "未入学/未入园", "未入园": "未入学/未入园", "未入学": "未入学/未入园",
                   "还小": "未入学/未入园", "毕业": "已毕业/工作", "打工": "已毕业/工作", "工作": "已毕业/工作"}
_TOKENS = re.compile(r"[\s,，、。;；:：!！?？]+")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_NOT_NAMES = {"一下", "一个", "情况", "今天", "昨天", "前天", "这次", "刚才", "刚刚", "上午", "下午", "晚上"}
_NO_CHANGE = {"无", "没有", "没", "没变", "没变化", "没有变化", "无变化", "一样", "跟以前一样", "和以前一样",
              "不变", "否"}
_AT_HOME = re.compile(r"(?:的)?家(?:里|中)?")
_GONE = re.compile(r"^(?:去了|到了|去|到)\s*")
_SEEN = {"见到了", "见到", "见着了", "看到了", "看到", "见了", "当面见了", "见到本人"}
_NOT_SEEN = {"没见到", "没见着", "没看到", "没见", "不在家", "没在家", "没有见到"}
_NO_NEEDS = {"无", "没有", "没", "没啥", "没什么", "暂无", "不需要", "不用", "都不需要", "没有需要", "否"}


# ---------------------------------------------------------------- who

def _value(recipient: dict) -> dict:
    """What the conversation keeps of a recipient: enough to ask the right questions, re-read at save."""
    return {"id": recipient["id"], "name": recipient["name"], "kind": recipient["kind"],
            "allowance": bool(recipient["allowance"] and recipient["kind"] == "child")}


def _not_listed(name: str) -> Invalid:
    # The same words whether or not the person exists elsewhere: nothing leaks about other villages.
    return Invalid(f"「{name}」不在您的服务对象名单里，不能为其记录走访。发「名单」查看您负责的人。")


def _pool(ctx: Ctx) -> list[dict]:
    pool = recipients.visible_recipients(ctx.db, ctx.person)
    if not pool:
        raise Abort("您的名单里还没有服务对象，请联系管理员导入名单后再记录走访。")
    return pool


def _choose(found: list[dict], rest: str, ctx: Ctx) -> tuple[dict, str]:
    if len(found) == 1:
        return _value(found[0]), rest
    admin = ctx.role == "admin"
    options = [(_value(r), recipients.describe(r, ctx.today, with_site=admin)) for r in found[:6]]
    # The engine goes on filling the other steps from the rest of the message.
    raise Ambiguous("您说的是哪一位？", options, rest=rest)


def _is_date_or_mode(token: str, ctx: Ctx) -> bool:
    if token in _MODE_WORDS:
        return True
    try:
        found = find_date(token, ctx.today)
    except Invalid:
        return True  # 「2月30日」: a date, if a wrong one
    return found is not None and not found[1].strip()


def _name_like(token: str, ctx: Ctx) -> bool:
    return bool(_HAN_NAME.fullmatch(token)) and token not in _NOT_NAMES and not _is_date_or_mode(token, ctx)


def _extract_recipient(text: str, ctx: Ctx, values: dict) -> tuple[dict, str] | None:
    """The recipient named in `text`: written out in full, or a homophone, typo or given name (小明)."""
    pool = _pool(ctx)
    norm = normalize(text)
    written = sorted((norm.find(r["name"]), -len(r["name"]), r["name"]) for r in pool
                     if len(r["name"]) >= 2 and r["name"] in norm)
    if written:
        start, negative_length, name = written[0]
        return _choose([r for r in pool if r["name"] == name], _cut_name(norm, start, start - negative_length), ctx)
    tokens = [t for t in _TOKENS.split(norm) if t]
    best: tuple[float, int, str, list[dict]] | None = None
    for token in [t for t in tokens[:3] if not _is_date_or_mode(t, ctx)][:1]:
        for query in [token] if len(token) <= 4 else [token[:4], token[:3], token[:2]]:
            ranked = recipients.rank_by_name(query, pool)
            if ranked and (best is None or (ranked[0][1], len(query)) > best[:2]):
                best = (ranked[0][1], len(query), query, recipients.best_matches(query, pool))
        if best:
            start = norm.find(best[2])
            return _choose(best[3], _cut_name(norm, start, start + len(best[2])), ctx)
        if _name_like(token, ctx):
            raise _not_listed(token)
    return None


def _cut_name(text: str, start: int, end: int) -> str:
    """The text without the name; 「去了王秀兰家」 also says how the visit was made, so 上门 takes its place."""
    home = _AT_HOME.match(text, end)
    if home:
        return f"{remove_span(text, start, home.end())} 上门".strip() if start == 0 else \
            f"{text[:start].rstrip()} 上门 {text[home.end():].lstrip(' ,，、')}".strip()
    return remove_span(text, start, end)


def _parse_recipient(text: str, ctx: Ctx, values: dict) -> dict:
    found = _extract_recipient(text, ctx, values)
    if found is None:
        raise Invalid("请回服务对象的姓名，比如「王秀兰」。")
    return found[0]


# ---------------------------------------------------------------- when and how

def _check_date(day: date, ctx: Ctx) -> str:
    if day > ctx.today:
        raise Invalid(f"走访日期不能是将来（今天是{format_date(ctx.today, ctx.today)}），请回实际走访的日期。")
    return day.isoformat()


def _date_at_start(text: str, ctx: Ctx) -> tuple[date, str] | None:
    """A date only where the message starts with one: 「上周三就吃完了」 later on is not the visit date."""
    text = normalize(text)
    longest = None
    for end in range(1, min(len(text), 14) + 1):
        try:
            found = find_date(text[:end], ctx.today)
        except Invalid:
            continue
        if found and not found[1].strip():
            longest = (end, found[0])
    if longest is None:
        return None
    whole = find_date(text, ctx.today)  # 「3号楼」: the prefix alone looked like a date
    if whole is None or whole[0] != longest[1]:
        return None
    return longest[1], text[longest[0]:].lstrip(" ,，、:：;；")


def _unknown_name_first(text: str, ctx: Ctx, values: dict) -> tuple[str, str]:
    """(a name the recipient step refused, the text after it): the date still follows that name."""
    if "recipient" not in values:
        parts = _TOKENS.split(text.strip(), maxsplit=1)
        if len(parts) == 2 and _name_like(parts[0], ctx):
            return parts[0], parts[1]
    return "", text


def _extract_date(text: str, ctx: Ctx, values: dict) -> tuple[str, str] | None:
    head, body = _unknown_name_first(text, ctx, values)
    found = _date_at_start(body, ctx)
    if not found:
        return None
    rest = f"{head} {found[1]}".strip()
    try:
        return _check_date(found[0], ctx), rest
    except Invalid as exc:
        raise Invalid(str(exc), rest=rest) from None


def _parse_date(text: str, ctx: Ctx, values: dict) -> str:
    from flows.parsers import parse_date

    return _check_date(parse_date(text, ctx.today, prefer="past"), ctx)


def _mode_at_start(text: str) -> tuple[str, str] | None:
    text = text.strip()
    for word in _MODE_WORDS:
        if text.startswith(word):
            return MODE_ALIASES.get(word, word), text[len(word):].lstrip(" ,，、:：;；")
    return None


def _extract_mode(text: str, ctx: Ctx, values: dict) -> tuple[str, str] | None:
    found = _mode_at_start(text)
    if found:
        return found
    tokens = text.split()
    for index, token in enumerate(tokens[:3]):
        if token in _MODE_WORDS:
            return MODE_ALIASES.get(token, token), " ".join(tokens[:index] + tokens[index + 1:])
    return None


def _parse_mode(text: str, ctx: Ctx, values: dict) -> str:
    return parse_choice(text, list(visits.MODES), MODE_ALIASES)


# ---------------------------------------------------------------- what was found, and what is needed

def _strip_preamble(text: str, ctx: Ctx, values: dict) -> str:
    """What is left once a refused date, a way of visiting or an unknown name were taken off the front."""
    text = _unknown_name_first(text, ctx, values)[1]
    try:
        found = _date_at_start(text, ctx)
    except Invalid:
        found = None
    text = found[1] if found else text
    mode = _mode_at_start(text)
    text = _GONE.sub("", mode[1] if mode else text)
    return text.strip(" ,，、:：;；")


def _extract_findings(text: str, ctx: Ctx, values: dict) -> tuple[str, str] | None:
    rest = _strip_preamble(text, ctx, values)
    if len(rest) < 2:
        return None
    # The need clauses (or 无) are handed to the needs step, so a one-shot message needs no extra question.
    return rest[:FINDINGS_MAX], visits.detect_needs(rest) or "无"


def _parse_findings(text: str, ctx: Ctx, values: dict) -> str:
    text = text.strip()
    if len(re.sub(r"[\W_]", "", text)) < 2:
        raise Invalid("请简单说说看到的情况，比如「身体还好，按时吃药」。")
    if len(text) > FINDINGS_MAX:
        raise Invalid(f"内容太长了（{len(text)}字），请控制在{FINDINGS_MAX}字以内。")
    return text


def _ask_findings(ctx: Ctx, values: dict) -> str:
    if values.get("recipient", {}).get("kind") == "child":
        return "孩子情况怎么样？可以按 监护、安全、就学、健康 各说一句（可以发语音）。"
    return "情况怎么样？说说看到的情况（可以发语音）。"


def _ask_needs(ctx: Ctx, values: dict) -> str:
    guess = visits.detect_needs(values.get("findings"))
    if guess:
        return f"听起来需要帮忙：「{guess}」。\n回「是」就这样记；不需要回「无」；也可以直接说需要什么。"
    return "有需要帮忙解决的事吗？没有请回「无」；有请简单说（如：降压药快吃完了）。"


def _parse_needs(text: str, ctx: Ctx, values: dict) -> str | None:
    word = clean(text)
    if word in _NO_NEEDS:
        return None
    try:
        yes = parse_yes_no(word)
    except Invalid:
        yes = None
    if yes is False:
        return None
    if yes is True:
        guess = visits.detect_needs(values.get("findings"))
        if guess:
            return guess
        raise Invalid("请直接说需要什么，没有请回「无」。")
    if len(word) < 2:
        raise Invalid("请简单说需要什么，没有请回「无」。")
    return word[:500]


def _extract_needs(text: str, ctx: Ctx, values: dict) -> tuple[str | None, str] | None:
    if "findings" not in values:
        return None  # only the need clauses handed over by the findings step
    return (None if clean(text) in _NO_NEEDS else text.strip()[:500]), ""


# ---------------------------------------------------------------- allowance verification (核查)

def _verifying(values: dict) -> bool:
    return bool(values.get("recipient", {}).get("allowance"))


def _parse_seen(text: str, ctx: Ctx, values: dict) -> bool:
    word = clean(text)
    if word in _SEEN or word in _NOT_SEEN:
        return word in _SEEN
    return parse_yes_no(word)


def _parse_change(text: str, ctx: Ctx, values: dict) -> str | None:
    word = clean(text)
    if word in _NO_CHANGE:
        return None
    if len(word) < 2:
        raise Invalid("请回「无」，或简单说明变化（如：爷爷去世，现由姑姑照顾）。")
    return word[:300]


def _parse_school(text: str, ctx: Ctx, values: dict) -> str:
    return parse_choice(text, list(SCHOOL), _SCHOOL_ALIASES)


def verification_of(values: dict) -> dict | None:
    if not _verifying(values):
        return None
    return {"seen": values.get("seen"), "change": values.get("change"), "school": values.get("school")}


def flag_reasons(verification: dict | None) -> list[str]:
    if not verification:
        return []
    reasons = []
    if verification.get("change"):
        reasons.append(f"监护或生活有变化：{verification['change']}")
    if verification.get("seen") is False:
        reasons.append("没有见到孩子本人")
    if verification.get("school") == "辍学":
        reasons.append("孩子辍学")
    return reasons


# ---------------------------------------------------------------- summary and save

def visit_date(values: dict) -> str:
    return values["date"]


def _show_date(iso_date: str, ctx: Ctx) -> str:
    day = date.fromisoformat(iso_date)
    shown = format_date(day, ctx.today)
    days = (ctx.today - day).days
    if days == 0:
        return shown + " 今天"
    if days == 1:
        return shown + " 昨天"
    if days > WARN_DAYS:
        return shown + f" ⚠️已是{days}天前，请核对日期"
    return shown


def _summary(ctx: Ctx, values: dict) -> str:
    who = values["recipient"]
    findings = values["findings"]
    lines = ["请核对走访记录：", f"对象：{who['name']}（{recipients.KINDS[who['kind']]}）",
             f"日期：{_show_date(visit_date(values), ctx)}", f"方式：{values['mode']}",
             f"情况：{findings if len(findings) <= 150 else findings[:150] + '…'}"]
    areas = visits.areas_from(findings) if who["kind"] == "child" else None
    if areas:
        lines.append("四项：" + "｜".join(f"{k} {v}" for k, v in areas.items()))
    lines.append(f"需求：{values['needs']}（保存后转给社工/志愿者跟进）" if values.get("needs") else "需求：无")
    verification = verification_of(values)
    if verification:
        lines.append("核查：" + visits.verification_text(verification))
        if flag_reasons(verification):
            lines.append("⚠️ 核查有变化，保存后会提醒社工跟进。")
    photos = (ctx.state or {}).get("attachments") or []
    if photos:
        lines.append(f"照片：{len(photos)}张")
    lines.append("要改某项可回「改 日期」「改 情况」这样。")
    return "\n".join(lines)


def _save(ctx: Ctx, values: dict) -> str:
    recipient = recipients.get_recipient(ctx.db, values["recipient"]["id"])
    if not recipients.can_see(ctx.person, recipient) or not recipient["active"]:
        raise Invalid("这位服务对象已不在您的名单里，走访没有保存。")
    verification = verification_of(values)
    reasons = flag_reasons(verification)
    findings = values["findings"]
    visit_id = visits.add_visit(
        ctx.db, recipient_id=recipient["id"], visitor_id=ctx.person["id"], visit_date=visit_date(values),
        mode=values["mode"], findings=findings, now=ctx.now,
        areas=visits.areas_from(findings) if recipient["kind"] == "child" else None, needs=values.get("needs"),
        verification=verification, flagged=bool(reasons),
        source_text=visits.texts_since(ctx.db, ctx.openid, conversations.started_at(ctx.db, ctx.person_id),
                                       ctx.message.key if ctx.message else None))
    for photo in (ctx.state or {}).get("attachments") or []:
        visits.add_photo(ctx.db, visit_id, photo.get("media_id"), photo.get("pic_url"), ctx.now)
    audit.record(ctx.db, ctx.now, ctx.openid, "visit_recorded", f"recipient:{recipient['id']}",
                 {"visit": visit_id, "flagged": bool(reasons)})
    day = format_date(date.fromisoformat(visit_date(values)), ctx.today)
    lines = [f"✅ 已保存：{recipient['name']} {day} {values['mode']}走访。"]
    if values.get("needs"):
        lines.append(_hand_over_needs(ctx, visit_id, recipient, values["needs"]))
    if reasons:
        visits.flag_to_workers(ctx.db, recipient, visit_id, reasons, ctx.person, ctx.now)
        lines.append("核查有变化，已提醒社工跟进。")
    lines.append("30分钟内发来的现场照片会附到这条记录；记错了回「撤销」。")
    return "\n".join(lines)


def _hand_over_needs(ctx: Ctx, visit_id: int, recipient: dict, needs: str) -> str:
    """Each need becomes a help request routed like any other."""
    made = open_request_from_visit(ctx, visit_id, recipient, needs)
    if not made:
        return f"需求已记在这次走访里：{needs}"
    return "\n".join(f"需求已转为求助 {r.get('number', '')}（{r.get('category', '')}），"
                     f"交给{r.get('routed_to') or '社工'}跟进。" for r in made)


def _yes_no_show(value: bool | None) -> str:
    return "是" if value else "否"


VISIT = Flow(
    name="visit",
    title="走访记录",
    triggers=("走访", "记录", "家访", "核查"),
    roles=("worker", "director", "admin"),
    steps=(
        Step("recipient", "对象", ask="走访的是哪位？请回姓名。", parse=_parse_recipient, extract=_extract_recipient,
             show=lambda v: v["name"]),
        # Today unless the message says otherwise; a date that was said but refused is asked for again.
        Step("date", "日期", ask=_ASK_DATE, parse=_parse_date, extract=_extract_date,
             default=lambda ctx, values: ctx.today.isoformat()),
        Step("mode", "方式", ask="怎么走访的？\n1. 上门 2. 电话 3. 视频 4. 到校 5. 其他", parse=_parse_mode,
             extract=_extract_mode),
        Step("findings", "情况", ask=_ask_findings, parse=_parse_findings, extract=_extract_findings,
             free_text=True),
        Step("needs", "需求", ask=_ask_needs, parse=_parse_needs, extract=_extract_needs, free_text=True,
             negatable=True),
        Step("seen", "见到本人", ask="【核查】这次见到孩子本人了吗？回「是」或「否」。",
             parse=_parse_seen, show=_yes_no_show, when=_verifying),
        Step("change", "变化", ask="【核查】孩子的监护人或生活情况有变化吗？没有回「无」；有请简单说明。",
             parse=_parse_change, when=_verifying, free_text=True),
        Step("school", "就学",
             ask="【核查】孩子现在的就学情况：\n1. 在学 2. 辍学 3. 未入学/未入园 4. 已毕业/工作 5. 其他",
             parse=_parse_school, when=_verifying),
    ),
    save=_save,
    summary=_summary,
    denied="走访记录只由社工和儿童主任填写。如果您家里需要帮助，直接说说情况就行，我们会转给社工。",
    describe="走访 姓名 今天 上门 情况：记录一次走访（可发语音）",
    brief=lambda values: f"{values['recipient']['name']}的走访" if values.get("recipient") else "走访记录",
    claims=lambda rest, ctx: _names_someone(rest, ctx),
    extra={"after_save": "记错了回「撤销」。"},
)


def _names_someone(text: str, ctx: Ctx) -> bool:
    """「走访 马小军 …」 mid-conversation starts a new visit only when it names someone on the roster."""
    try:
        return _extract_recipient(text, ctx, {}) is not None
    except (Ambiguous, Invalid):
        return True  # several fit, or a name that is on nobody's list: the new visit will say so
    except Abort:
        return False
