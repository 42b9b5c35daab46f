"""Help-request commands (我的求助, 进度, 接单, 完成, 退回, 转派, 满意/不满意, 转人工, 回复 T12) and the
understanding of free text: a message that is no command goes through the intent matcher and, when it is a
need, starts the request flow with the text already described."""

from __future__ import annotations

import re
from typing import Any

from data import handoffs, menus, people, teams
from data import requests as reqs
from data.clock import parse_iso
from data.db import transaction
from flows import engine, handoff
from flows import request as request_flow
from flows import request_life as life
from flows.context import Ctx
from flows.errors import Ambiguous, Invalid
from flows.parsers import mask_phone, parse_choice
from flows.words import clean, numbered
from handlers.feature import Feature
from handlers.intent import normalize

STAFF = people.STAFF_ROLES
TEAM_ROLES = ("team_lead", "volunteer", *STAFF)
_THANKS = ("谢谢", "感谢", "多谢", "辛苦", "麻烦你们了")
_GREETINGS = ("你好", "您好", "在吗", "在不在", "有人吗", "早上好", "中午好", "晚上好", "嗨", "新年好", "新年快乐",
              "过年好", "节日快乐", "中秋快乐")
_ACKS = ("好的", "好", "嗯", "嗯嗯", "知道了", "收到", "ok", "行", "可以", "明白", "懂了", "发错了", "不好意思")
_LATIN_GREETINGS = ("hello", "hi", "hey")
# A bare "no" with nothing asked: an answer to a question long gone, never a request.
_NOTHING = ("无", "没有", "没", "没了", "不", "不是", "否", "没事", "没事了", "没啥", "没什么")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ABOUT = ("机器人", "真人", "你是谁", "谁弄的")
_NOT_YOURS = "没有找到您可以处理的求助 {number}。请核对编号；只有分到这个求助的服务队和站点社工可以处理。"
_ACTIONS = {"created": "提交", "assigned": "分给", "rerouted": "改派给", "transferred": "转派给", "accepted": "接单",
            "done": "完成", "rejected": "退回", "reminded": "催办提醒", "feedback": "评价", "closed": "结束"}


feature = Feature("requests")
feature.flow(request_flow.REQUEST)
feature.click("MENU_ASK", "求助")
feature.click("MENU_REQUESTS", "我的求助")
feature.click("MENU_HANDOFF", "转人工")
_NUMBER = r"\s*[Rr]\d"


# ---------------------------------------------------------------- free text

@feature.fallback
def understand(ctx: Ctx, text: str) -> str | None:
    """A need starts the request flow; small talk gets a short answer; anything else gets the menu of
    needs (the flow counts it, and a second miss in a row goes to a human). Staff words that are no command
    never start a resident's request unless they clearly name a need."""
    if clean(text) in _NOTHING:
        return "好的。有需要随时发消息给我。"
    match = ctx.classify(text)
    ticket = handoffs.active_ticket(ctx.db, ctx.person["id"], ctx.now) if ctx.role not in STAFF else None
    if ticket and not match.urgent:
        handoff.forward(ctx.db, ticket, ctx.person, text, ctx.now)
        return f"已转给社工（{handoffs.label(ticket['id'])}），请稍等回复。"
    # Staff state their needs in sentences; a staff word we do not know (月报, 指标) is no resident's request.
    staff_sure = match.band == "route" and len(_HAN.findall(text)) > 4
    if match.urgent or (match.category and (ctx.role not in STAFF or staff_sure)):
        return "\n".join(engine.start(request_flow.REQUEST, ctx, text))
    small = _small_talk(text)
    if small or ctx.role in STAFF or not _HAN.search(text):
        return small  # None: the general answer, 没太明白 and what this person can do
    return "\n".join(engine.start(request_flow.REQUEST, ctx, text))


def _small_talk(text: str) -> str | None:
    word = clean(normalize(text))  # WeChat stickers like [强] and emoji are dropped here
    if any(w in word for w in _THANKS):
        return "不客气！有需要随时发消息给我。"
    if any(w in word for w in _ABOUT):
        return "我是「老小」，自动回复的小助手。想找社工本人，请回「转人工」。"
    if any(w in word for w in _GREETINGS) or word.lower() in _LATIN_GREETINGS:
        return "您好！我是「老小」。有什么需要帮忙的，直接用文字或语音说就行，比如「我妈的降压药快吃完了」。"
    if word.lower() in _ACKS or not any("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in word):
        return "好的。有需要随时发消息给我。"
    return None



# ---------------------------------------------------------------- what a requester can do

@feature.command("我的求助", "我的请求", anytime=True, describe="我的求助：看我提过的求助和进度")
def _mine(ctx: Ctx, rest: str) -> str:
    rows = reqs.of_requester(ctx.db, ctx.person["id"])
    if not rows:
        return "您还没有提过求助。有需要直接说就行，比如「我妈的降压药快吃完了」。"
    lines = [f"您的求助（最近{len(rows)}条）："]
    lines += [f"{i}. {life.status_line(ctx.db, r)} {_local(ctx, r['created_at'])[:5]}" for i, r in enumerate(rows, 1)]
    lines.append("发「进度 编号」看详情。")
    return "\n".join(lines)


@feature.command("进度", "查进度", "查询进度", describe="进度 编号：看一个求助办到哪了", glued=_NUMBER)
def _progress(ctx: Ctx, rest: str) -> str:
    found = reqs.find_request_number(rest)
    if not found:
        return "请写上求助编号，例如「进度 R1203-07」。不记得编号请发「我的求助」。"
    number = found[0]
    request = reqs.get_by_number(ctx.db, number)
    if request is None or not life.can_view(ctx.db, request, ctx.person):
        return f"没有找到您的求助 {number}，请核对编号。发「我的求助」可以看全部。"
    return _detail(ctx, request, full=life.can_act(ctx.db, request, ctx.person) or ctx.role == "admin")


def _detail(ctx: Ctx, request: dict, full: bool) -> str:
    team = teams.get_team(ctx.db, request["team_id"])
    who, where = life.who_and_where(ctx.db, request)
    lines = [f"求助 {request['number']}（{request['category']}）", f"状态：{reqs.STATUSES[request['status']]}",
             f"负责：{team['name'] if team else '站点社工'}", f"为谁：{who}，{where}", f"需要：{request['text'][:120]}"]
    if request["contact_phone"]:
        lines.append(f"电话：{request['contact_phone'] if full else mask_phone(request['contact_phone'])}")
    if request["done_note"]:
        lines.append(f"办理结果：{request['done_note']}")
    events = reqs.events(ctx.db, request["id"])
    shown = events if full else [e for e in events if e["action"] in ("created", "accepted", "done", "closed")]
    lines.append("记录：")
    lines += [_event_line(ctx, e) for e in shown[-8:]]
    return "\n".join(lines)


def _event_line(ctx: Ctx, event: dict) -> str:
    actor = people.get_person_by_id(ctx.db, event["actor_id"]) if event["actor_id"] else None
    team = teams.get_team(ctx.db, event["team_id"])
    action = _ACTIONS.get(event["action"], event["action"])
    if event["action"] in ("assigned", "rerouted", "transferred"):
        action += team["name"] if team else "站点社工"
    by = life.display_name(actor) if actor else "老小"
    note = f"：{event['note']}" if event["note"] and event["action"] in ("done", "rejected", "feedback") else ""
    return f"{_local(ctx, event['at'])} {by}{action}{note}"


def _local(ctx: Ctx, stamp: str) -> str:
    return parse_iso(stamp).astimezone(ctx.tz).strftime("%m-%d %H:%M")


@feature.command("满意", "很满意", "非常满意")
def _happy(ctx: Ctx, rest: str) -> str:
    return _rate(ctx, rest, "满意")


@feature.command("不满意", "不太满意")
def _unhappy(ctx: Ctx, rest: str) -> str:
    return _rate(ctx, rest, "不满意")


def _rate(ctx: Ctx, rest: str, rating: str) -> str:
    found = reqs.find_request_number(rest)
    comment = (found[1] if found else rest).strip(" ，,。.!！") or None
    request = reqs.get_by_number(ctx.db, found[0]) if found else reqs.awaiting_feedback(ctx.db, ctx.person["id"])
    if request is None or request["requester_id"] != ctx.person["id"] or request["status"] not in ("done", "closed"):
        if rating == "满意":
            return "谢谢您！有需要随时发消息给我。"
        return "抱歉让您不满意。可以说说是哪里不好，或回「转人工」请社工来处理。"
    with transaction(ctx.db):
        return life.give_feedback(ctx.db, request, ctx.person, rating, comment, ctx.now)


# ---------------------------------------------------------------- what a team or a worker can do

@feature.command("任务", "我的任务", roles=TEAM_ROLES, anytime=True,
         describe="任务：分给我或本队的求助（接单/完成/退回/转派 + 编号）",
         denied="抱歉，这项功能只对志愿服务队和工作人员开放。看自己的求助请发「我的求助」。")
def _tasks(ctx: Ctx, rest: str) -> str:
    team_ids = [t["id"] for t in teams.teams_of_person(ctx.db, ctx.person["id"])]
    rows = {r["id"]: r for r in reqs.open_of_teams(ctx.db, team_ids)}
    if ctx.role in ("worker", "director") and ctx.person["site_id"]:
        rows.update({r["id"]: r for r in reqs.open_of_site(ctx.db, ctx.person["site_id"])})
    if not rows:
        return "现在没有待处理的求助。"
    lines = ["待处理的求助："]
    lines += [f"{i}. {life.status_line(ctx.db, r)}" for i, r in enumerate(rows.values(), 1)]
    lines.append("「进度 编号」看详情；「接单 编号」「完成 编号 做了什么」「退回 编号 原因」「转派 编号 队名」。")
    return "\n".join(lines)


def _target(ctx: Ctx, rest: str, verb: str) -> tuple[dict | None, str, str | None]:
    """(request, the words after the number, a refusal). A number that does not exist and one that is not
    the person's to act on get the same answer: nothing leaks."""
    found = reqs.find_request_number(rest)
    if not found:
        return None, "", f"请写上求助编号，例如「{verb} R1203-07」。"
    number, after = found
    request = reqs.get_by_number(ctx.db, number)
    if request is None or not life.can_act(ctx.db, request, ctx.person):
        return None, after, _NOT_YOURS.format(number=number)
    return request, after.strip(" ，,。.:："), None


def _resolve(ctx: Ctx, rest: str, verb: str, statuses: tuple[str, ...]) -> tuple[dict | None, str, str | None]:
    """(request, the words after its number, a reply that ends the command): what every action on a
    request checks first, in order: is it a command at all, whose request is it, is it in a state to act."""
    request, words, refusal = _target(ctx, rest, verb)
    if refusal:
        return None, words, refusal
    if request["status"] not in statuses:
        return None, words, _state_refusal(request)
    return request, words, None


@feature.command("接单", "接了", "我接了", "我来接", "接下了", roles=TEAM_ROLES, others="ignore", glued=_NUMBER)
def _accept(ctx: Ctx, rest: str) -> str:
    if not reqs.find_request_number(rest):
        return _accept_the_only_one(ctx)
    request, _, reply = _resolve(ctx, rest, "接单", ("assigned",))
    if reply:
        return reply
    with transaction(ctx.db):
        return life.accept(ctx.db, request, ctx.person, ctx.now)


@feature.command("完成", "办完", "已完成", roles=TEAM_ROLES, others="ignore", glued=_NUMBER)
def _finish(ctx: Ctx, rest: str) -> str:
    request, note, reply = _resolve(ctx, rest, "完成", ("assigned", "accepted"))
    if reply:
        return reply
    if not note:
        return f"请写上做了什么，例如「完成 {request['number']} 送了药，老人状态好」。"
    with transaction(ctx.db):
        return life.finish(ctx.db, request, ctx.person, note[:300], ctx.now)


@feature.command("退回", roles=TEAM_ROLES, others="ignore", glued=_NUMBER)
def _reject(ctx: Ctx, rest: str) -> str:
    request, reason, reply = _resolve(ctx, rest, "退回", ("assigned", "accepted"))
    if reply:
        return reply
    if not reason:
        return f"请写上退回的原因，例如「退回 {request['number']} 这周人手不够」。"
    with transaction(ctx.db):
        return life.reject(ctx.db, request, ctx.person, reason[:200], ctx.now)


@feature.command("转派", "改派", roles=TEAM_ROLES, others="ignore", glued=_NUMBER)
def _transfer(ctx: Ctx, rest: str) -> str:
    request, name, reply = _resolve(ctx, rest, "转派", ("new", "assigned", "accepted"))
    if reply:
        return reply
    active = [t for t in teams.list_teams(ctx.db) if t["active"]]
    if not name:
        return f"请写上要转给哪个队，例如「转派 {request['number']} {active[0]['name'] if active else '助老服务队'}」。"
    try:
        chosen = parse_choice(name, [t["name"] for t in active])
    except (Invalid, Ambiguous):
        return f"没有叫「{name}」的服务队。现有：{'、'.join(t['name'] for t in active) or '（还没有服务队）'}"
    team = teams.find_team(ctx.db, chosen)
    if team["id"] == request["team_id"]:
        return f"{request['number']} 已经在{team['name']}手上了。"
    with transaction(ctx.db):
        return life.transfer(ctx.db, request, ctx.person, team, ctx.now)


def _accept_the_only_one(ctx: Ctx) -> str:
    """「接了」 with no number: the one request waiting for this person's team, or a numbered choice."""
    team_ids = [t["id"] for t in teams.teams_of_person(ctx.db, ctx.person["id"])]
    waiting = [r for r in reqs.open_of_teams(ctx.db, team_ids) if r["status"] == "assigned"]
    if not waiting:
        return "现在没有等您接的单。发「任务」看手上的求助。"
    if len(waiting) == 1:
        with transaction(ctx.db):
            return life.accept(ctx.db, waiting[0], ctx.person, ctx.now)
    options = [{"label": life.status_line(ctx.db, r), "say": f"接单 {r['number']}"} for r in waiting[:9]]
    menus.remember(ctx.db, ctx.person_id, options, ctx.now)
    return f"有{len(waiting)}个求助等接单，接哪一个？\n{numbered(o['label'] for o in options)}\n请回编号。"


def _state_refusal(request: dict) -> str:
    status = request["status"]
    if status == "accepted":
        return f"{request['number']} 已经有人接单，正在处理。"
    if status in ("done", "closed"):
        return f"{request['number']} 已经办完了。"
    return f"{request['number']} 现在是「{reqs.STATUSES[status]}」，不能这样操作。"


# ---------------------------------------------------------------- talking to a human

@feature.command(*request_flow.HUMAN, describe="转人工：请社工来回复您", leaves_flow=True)
def _to_human(ctx: Ctx, rest: str) -> str:
    return request_flow.to_human(ctx)


@feature.command("回复", roles=STAFF, others="ignore", glued=r"\s*[Tt]\d")
def _worker_reply(ctx: Ctx, rest: str) -> str:
    found = handoffs.find_ticket_number(rest)
    if not found:
        return "请写上工单编号和内容，例如「回复 T12 明天上午去您家看看」。"
    ticket_id, text = found
    ticket = handoffs.get(ctx.db, ticket_id)
    if ticket is None or not _may_answer(ctx.person, ticket):
        return f"没有找到您可以回复的工单 T{ticket_id}，请核对编号。"
    if not text:
        return f"请写上回复内容，例如「回复 T{ticket_id} 明天上午去您家看看」。"
    return handoff.reply(ctx.db, ticket, ctx.person, text[:500], ctx.now)


def _may_answer(person: dict, ticket: dict[str, Any]) -> bool:
    """Admins; the workers and child directors of the resident's site; for a resident whose site is unknown, the
    workers (who were all told of it, data.handoffs.responders), never a director of some village."""
    if person["role"] == "admin":
        return True
    if ticket["site_id"] is None:
        return person["role"] == "worker"
    return person["role"] in ("worker", "director") and ticket["site_id"] == person["site_id"]
