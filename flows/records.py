"""A worker's records by chat, one-shot like visits: a case note (个案), a community event (活动) and a group
session (小组). Each writes through the same data functions as the dashboard and the command line, so the monthly
report reads them unchanged.

    个案 王秀兰 预估 独居，儿子在外地，情绪低落
    活动 重阳节敬老活动 节庆 今天 40人 社区、社区志愿者
    小组 老年合唱团 今天 练习《我和我的祖国》 12人
"""

from __future__ import annotations

import re
from datetime import date

from data import cases, events, groups, recipients
from data.record_rules import Actor, RecordError
from flows.context import Ctx
from flows.engine import Flow, Several, Step
from flows.errors import Ambiguous, Invalid
from flows.parsers import find_date, format_date, parse_choice, parse_date
from flows.visit_notes import name_at_start

WORKERS = ("worker", "admin")
_COUNT = re.compile(r"(\d{1,5})\s*(?:个)?(?:人|名|位)")
_SEPARATORS = " ,，、。;；:："


def actor(ctx: Ctx) -> Actor:
    return Actor(person_id=ctx.person["id"], label=ctx.openid)


def _recorded(write, *args, **kwargs):
    """A data function's refusal (RecordError) is a polite sentence the person reads; nothing was written."""
    try:
        return write(*args, **kwargs)
    except RecordError as exc:
        raise Invalid(str(exc)) from None


def _day(text: str, ctx: Ctx) -> tuple[str | None, str]:
    """A date anywhere in the words (today when none), and the words without it."""
    try:
        found = find_date(text, ctx.today)
    except Invalid:
        found = None
    if not found:
        return None, text
    if found[0] > ctx.today:
        raise Invalid(f"日期不能是将来（今天是{format_date(ctx.today, ctx.today)}），请写实际的日期。")
    return found[0].isoformat(), found[1]


def _parse_day(text: str, ctx: Ctx, values: dict) -> str:
    day = parse_date(text, ctx.today, prefer="past")
    if day > ctx.today:
        raise Invalid(f"日期不能是将来（今天是{format_date(ctx.today, ctx.today)}）。")
    return day.isoformat()


def _count(text: str, ctx: Ctx, values: dict) -> int:
    found = _COUNT.search(text + "人")
    if not found:
        raise Invalid("请回人数，如「12」。")
    return int(found.group(1))


def _note(text: str, ctx: Ctx, values: dict) -> str:
    if len(text.strip()) < 2:
        raise Invalid("请简单写几句记录。")
    return text.strip()[:2000]


def _show_day(value: str) -> str:
    return f"{date.fromisoformat(value).month}月{date.fromisoformat(value).day}日"


# ---------------------------------------------------------------- 个案

def _pool(ctx: Ctx) -> list[dict]:
    return [r for r in recipients.visible_recipients(ctx.db, ctx.person) if not r["pending"]]


def _read_case(text: str, ctx: Ctx, values: dict) -> Several | None:
    text = text.strip(_SEPARATORS)
    named = name_at_start(text, _pool(ctx), 75.0)
    if named is None:
        return None
    people, length = named
    if len(people) > 1:
        raise Ambiguous("是哪一位？", [(_who(r), recipients.describe(r, ctx.today)) for r in people[:6]])
    rest = text[length:].strip(_SEPARATORS)
    found: dict = {"recipient": _who(people[0])}
    stage = next((s for s in cases.STAGES if rest.startswith(s)), None)
    if stage:
        found["stage"] = stage
        rest = rest[len(stage):].strip(_SEPARATORS)
        reason = next((r for r in cases.CLOSE_REASONS if rest.startswith(r)), None)
        if stage == "结案" and reason:
            found["reason"] = reason
            rest = rest[len(reason):].strip(_SEPARATORS)
    if len(rest) >= 2:
        found["note"] = rest[:2000]
    return Several(found)


def _who(r: dict) -> dict:
    return {"id": r["id"], "name": r["name"]}


def _parse_case_person(text: str, ctx: Ctx, values: dict) -> Several:
    found = _read_case(text, ctx, values)
    if found is None:
        raise Invalid("请回服务对象的姓名，比如「王秀兰」。")
    return found


def _next_stage(ctx: Ctx, values: dict) -> str:
    current = cases.open_case_of(ctx.db, values["recipient"]["id"])
    if current is None:
        return "接案"
    index = cases.STAGES.index(current["stage"])
    return cases.STAGES[min(index + 1, len(cases.STAGES) - 1)]


def _ask_note(ctx: Ctx, values: dict) -> str:
    stage = values.get("stage", "接案")
    return f"{stage}记录：请说说{cases.STAGE_HINTS.get(stage, '情况')}（可以发语音）。"


def _save_case(ctx: Ctx, values: dict) -> str:
    who, stage, note = values["recipient"], values["stage"], values["note"]
    current = cases.open_case_of(ctx.db, who["id"])
    if current is None:
        if stage != "接案":
            raise Invalid(f"{who['name']}还没有开个案。先发「个案 {who['name']} 接案 来源和基本情况」。")
        _recorded(cases.open_case, ctx.db, who["id"], note, day=ctx.today, by=actor(ctx), now=ctx.now,
                  today=ctx.today)
        return f"✅ 已为{who['name']}开个案（接案）。下一步发「个案 {who['name']} 预估 …」。"
    _recorded(cases.add_stage, ctx.db, current["id"], stage, note, day=ctx.today, by=actor(ctx), now=ctx.now,
              today=ctx.today, closed_reason=values.get("reason"))
    if stage == "结案":
        return f"✅ {who['name']}的个案已结案（{values.get('reason')}）。"
    return f"✅ 已记下{who['name']}个案的「{stage}」。"


CASE = Flow(
    name="case", title="个案记录", triggers=("个案", "个案记录"), roles=WORKERS,
    steps=(
        Step("recipient", "对象", ask="是哪位服务对象的个案？请回姓名。", parse=_parse_case_person,
             extract=_read_case, show=lambda v: v["name"]),
        Step("stage", "阶段", ask="记录哪个阶段？\n1. 接案 2. 预估 3. 计划 4. 介入 5. 评估 6. 结案",
             parse=lambda t, c, v: parse_choice(t, list(cases.STAGES)), default=_next_stage),
        Step("reason", "结案原因", ask="结案原因：\n1. 达成 2. 转介 3. 拒绝 4. 迁出 5. 死亡",
             parse=lambda t, c, v: parse_choice(t, list(cases.CLOSE_REASONS)),
             when=lambda v: v.get("stage") == "结案"),
        Step("note", "记录", ask=_ask_note, parse=_note),
    ),
    save=_save_case,
    describe="个案 姓名 阶段 记录：记一次个案进展（接案、预估、计划、介入、评估、结案）",
    brief=lambda v: f"{v['recipient']['name']}的个案" if v.get("recipient") else "个案记录",
    claims=lambda rest, ctx: _read_case(rest, ctx, {}) is not None,
)


# ---------------------------------------------------------------- 活动

def _read_event(text: str, ctx: Ctx, values: dict) -> Several | None:
    text = text.strip(_SEPARATORS)
    if len(text) < 2:
        return None
    found: dict = {}
    day, text = _day(text, ctx)
    if day:
        found["day"] = day
    kind = next((t for t in events.TYPES if t in text), None)
    if kind:
        found["type"] = kind
        text = text.replace(kind, " ", 1)
    count = _COUNT.search(text)
    if count:
        found["participants"] = int(count.group(1))
        text = text[:count.start()] + " " + text[count.end():]
    partners = []
    for partner in sorted(events.PARTNERS, key=len, reverse=True):  # 社区志愿者 before 社区
        if partner in text:
            partners.append(partner)
            text = text.replace(partner, " ")
    if partners:
        found["partners"] = [p for p in events.PARTNERS if p in partners]
    title = " ".join(text.replace("、", " ").split()).strip(_SEPARATORS)
    if len(title) >= 2:
        found["title"] = title[:100]
    return Several(found) if found else None


def _save_event(ctx: Ctx, values: dict) -> str:
    site_id = ctx.person.get("site_id")
    if site_id is None:
        raise Invalid("您的账号没有站点，活动请在网页后台记录。")
    _recorded(events.record_event, ctx.db, site_id, title=values["title"], event_type=values["type"],
              day=values["day"], by=actor(ctx), now=ctx.now, today=ctx.today,
              participants=values.get("participants") or 0, partners=values.get("partners") or ["社工"])
    return f"✅ 已记下活动「{values['title']}」（{values['type']}，{_show_day(values['day'])}）。"


EVENT = Flow(
    name="event", title="社区活动", triggers=("活动", "记活动"), roles=WORKERS,
    steps=(
        Step("title", "名称", ask="活动叫什么？（如：重阳节敬老活动）", parse=lambda t, c, v: t.strip()[:100],
             extract=_read_event),
        Step("type", "类型", ask="活动类型：\n1. 文娱 2. 教育倡导 3. 健康养生 4. 节庆 5. 专题讲座 6. 公益服务",
             parse=lambda t, c, v: parse_choice(t, list(events.TYPES))),
        Step("day", "日期", ask="哪天办的？", parse=_parse_day, default=lambda c, v: c.today.isoformat(),
             show=_show_day),
        Step("participants", "人数", ask="大概多少人参加？", parse=_count),
        Step("partners", "合作方", ask="有哪些方面参与？（社区、社会组织、社工、社区志愿者、慈善资源，可多选）",
             parse=lambda t, c, v: _read_event(t, c, v).values.get("partners") or ["社工"], optional=True,
             show=lambda v: "、".join(v or [])),
    ),
    save=_save_event,
    describe="活动 名称 类型 日期 人数：记一场社区活动或讲座",
    brief=lambda v: f"活动「{v['title']}」" if v.get("title") else "社区活动",
)


# ---------------------------------------------------------------- 小组

def _read_session(text: str, ctx: Ctx, values: dict) -> Several | None:
    site_id = ctx.person.get("site_id")
    if site_id is None:
        return None
    listed = groups.list_groups(ctx.db, [site_id])
    text = text.strip(_SEPARATORS)
    chosen = next((g for g in sorted(listed, key=lambda g: -len(g["name"])) if text.startswith(g["name"])), None)
    if chosen is None:
        if len(text) >= 2:
            names = "、".join(g["name"] for g in listed) or "还没有小组"
            raise Invalid(f"没有这个小组。本站点的小组：{names}（新小组请在网页后台建立）。")
        return None
    rest = text[len(chosen["name"]):].strip(_SEPARATORS)
    found: dict = {"group": {"id": chosen["id"], "name": chosen["name"]}}
    day, rest = _day(rest, ctx)
    if day:
        found["day"] = day
    count = _COUNT.search(rest)
    if count:
        found["attendance"] = int(count.group(1))
        rest = (rest[:count.start()] + rest[count.end():]).strip(_SEPARATORS)
    if len(rest) >= 2:
        found["topic"] = rest[:100]
    return Several(found)


def _parse_group(text: str, ctx: Ctx, values: dict) -> Several:
    found = _read_session(text, ctx, values)
    if found is None:
        raise Invalid("请回小组名称。")
    return found


def _save_session(ctx: Ctx, values: dict) -> str:
    group = values["group"]
    _recorded(groups.add_session, ctx.db, group["id"], day=values["day"], topic=values["topic"],
              attendance=values["attendance"], by=actor(ctx), now=ctx.now, today=ctx.today)
    when = _show_day(values["day"])
    return f"✅ 已记下「{group['name']}」{when}的活动：{values['topic']}，{values['attendance']}人。"


SESSION = Flow(
    name="group_session", title="小组活动", triggers=("小组", "小组活动"), roles=WORKERS,
    steps=(
        Step("group", "小组", ask="是哪个小组？请回小组名称。", parse=_parse_group, extract=_read_session,
             show=lambda v: v["name"]),
        Step("day", "日期", ask="哪天的活动？", parse=_parse_day, default=lambda c, v: c.today.isoformat(),
             show=_show_day),
        Step("topic", "主题", ask="这次活动的主题是什么？", parse=lambda t, c, v: t.strip()[:100]),
        Step("attendance", "出席", ask="几个人参加？", parse=_count),
    ),
    save=_save_session,
    describe="小组 名称 主题 人数：记一次小组活动",
    brief=lambda v: f"「{v['group']['name']}」的活动" if v.get("group") else "小组活动",
)
