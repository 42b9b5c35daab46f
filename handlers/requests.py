"""Help requests from the requester's side (我的求助, 进度, 补充, 撤回, 满意/不满意, 转人工) and the understanding
of free text: a message that is no command is first read as a follow-up of the person's own requests
(handlers.followups), then, during a handoff, passed to the worker, and otherwise goes through the intent
matcher and, when it is a need, starts the request flow with the text already described."""

from __future__ import annotations

import re

from data import handoffs, people, teams
from data import requests as reqs
from data.clock import parse_iso
from data.db import transaction
from flows import engine, handoff
from flows import request as request_flow
from flows import request_card as card
from flows import request_life as life
from flows.context import Ctx
from flows.words import clean
from handlers import followups, smalltalk
from handlers.feature import Feature
from handlers.intent import normalize

STAFF = people.STAFF_ROLES
_THANKS = ("谢谢", "感谢", "多谢", "辛苦", "麻烦你们了")
_GREETINGS = ("你好", "您好", "在吗", "在不在", "有人吗", "早上好", "中午好", "晚上好", "嗨", "新年好", "新年快乐",
              "过年好", "节日快乐", "中秋快乐")
_ACKS = ("好的", "好", "嗯", "嗯嗯", "知道了", "收到", "ok", "行", "可以", "明白", "懂了", "发错了", "不好意思")
_LATIN_GREETINGS = ("hello", "hi", "hey")
# A bare "no" with nothing asked: an answer to a question long gone, never a request.
_NOTHING = ("无", "没有", "没", "没了", "不", "不是", "否", "没事", "没事了", "没啥", "没什么")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ABOUT = ("机器人", "真人", "你是谁", "谁弄的")
_NUMBER = r"\s*[Rr]\d"
_ACTIONS = {"created": "提交", "assigned": "分给", "rerouted": "改派给", "transferred": "转派给", "accepted": "接单",
            "done": "完成", "rejected": "退回", "reminded": "催办提醒", "feedback": "评价", "closed": "结束",
            "cancelled": "撤回", "withdrawn": "撤回", "note": "补充", "complaint": "反映问题",
            "recategorized": "改类"}
# What a family sees of a request's history: no internal notes, no reminders.
_FAMILY_SEES = ("created", "assigned", "rerouted", "transferred", "accepted", "done", "closed", "cancelled",
                "withdrawn", "note")

feature = Feature("requests")
feature.flow(request_flow.REQUEST)
feature.click("MENU_ASK", "求助")
feature.click("MENU_REQUESTS", "我的求助")
feature.click("MENU_HANDOFF", "转人工")


# ---------------------------------------------------------------- free text

@feature.fallback
def understand(ctx: Ctx, text: str) -> str | None:
    """Follow-ups of the person's own requests first; then, during a handoff, the worker (a new clear need
    still becomes a request); then a need starts the request flow; small talk gets a short answer. Staff
    words that are no command never start a resident's request unless they clearly name a need."""
    if clean(text) in _NOTHING:
        return "好的。有需要随时发消息给我。"
    if re.match(r"\s*(?:取消|不要了|不用了)" + _NUMBER, text):  # 「取消 R1203-04」: 取消 alone cancels a flow
        return _withdraw(ctx, re.sub(r"^\s*(?:取消|不要了|不用了)", "", text))
    match = ctx.classify(text)
    if ctx.role not in STAFF and not match.urgent:
        answer = followups.follow_up(ctx, text, match)
        if answer:
            return answer
    ticket = handoffs.active_ticket(ctx.db, ctx.person["id"], ctx.now) if ctx.role not in STAFF else None
    new_need = match.band == "route" and match.category is not None
    pleasant = smalltalk.pleasant_kind(text) is not None and not match.urgent
    if ticket and not match.urgent and (pleasant or not new_need):
        # A thank-you is kept in the thread without waking anyone; anything else goes to the worker.
        return handoff.forward(ctx.db, ticket, ctx.person, text, ctx.now, quiet=pleasant)
    if pleasant:
        return _small_talk(text)
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
    kind = smalltalk.pleasant_kind(text)
    if smalltalk.is_religious_greeting(text):
        return "愿您平安！有什么需要帮忙的，直接说就行。"
    if any(w in word for w in _THANKS) or kind in ("thanks", "praise"):
        return "不客气！有需要随时发消息给我。"
    if any(w in word for w in _ABOUT):
        return "我是「老小」，自动回复的小助手。想找社工本人，请回「转人工」。"
    if any(w in word for w in _GREETINGS) or word.lower() in _LATIN_GREETINGS:
        return "您好！我是「老小」。有什么需要帮忙的，直接用文字或语音说就行，比如「我妈的降压药快吃完了」。"
    if kind or word.lower() in _ACKS or not any("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in word):
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
    lines = [f"求助 {request['number']}（{request['category']}，{card.urgency_text(request['urgency'])}）",
             f"状态：{reqs.status_name(request)}。{life.state_sentence(ctx.db, request)}",
             f"负责：{team['name'] if team else '站点社工'}", f"为谁：{who}", f"地点：{where}",
             f"需要：{request['text'][:120]}"]
    if request["contact_phone"] or request["no_phone"] or request["requester_name"]:
        lines.append(f"联系：{card.request_contact(request, full=full)}")
    if request["flag"] and full:
        lines.append(f"请留意：{request['flag']}")
    events = reqs.events(ctx.db, request["id"])
    shown = events if full else [e for e in events if e["action"] in _FAMILY_SEES]
    lines.append("记录：")
    lines += [_event_line(ctx, e, full) for e in shown[-8:]]
    return "\n".join(lines)


def _event_line(ctx: Ctx, event: dict, full: bool) -> str:
    actor = people.get_person_by_id(ctx.db, event["actor_id"]) if event["actor_id"] else None
    team = teams.get_team(ctx.db, event["team_id"])
    action = _ACTIONS.get(event["action"], event["action"])
    if event["action"] in ("assigned", "rerouted", "transferred"):
        action += team["name"] if team else "站点社工"
    by = life.display_name(actor) if actor else "老小"
    noted = ("done", "rejected", "feedback", "note", "complaint", "recategorized") if full else ("done", "note")
    note = f"：{event['note']}" if event["note"] and event["action"] in noted else ""
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


def _own(ctx: Ctx, rest: str, verb: str) -> tuple[dict | None, str, str | None]:
    """(request, the words after its number, a refusal) for a requester's own open request."""
    found = reqs.find_request_number(rest)
    if not found:
        return None, "", f"请写上求助编号，例如「{verb} R1203-07」。不记得编号请发「我的求助」。"
    request = reqs.get_by_number(ctx.db, found[0])
    if request is None or request["requester_id"] != ctx.person["id"]:
        return None, "", f"没有找到您的求助 {found[0]}，请核对编号。"
    if request["status"] not in reqs.OPEN:
        return None, "", f"求助 {request['number']} {reqs.status_name(request)}，不用再{verb}了。"
    return request, found[1].strip(" ，,。.:："), None


@feature.command("补充", glued=_NUMBER)
def _add(ctx: Ctx, rest: str) -> str:
    request, text, refusal = _own(ctx, rest, "补充")
    if refusal:
        return refusal
    if not text:
        return f"请写上要补充的话，例如「补充 {request['number']} 下午两点以后家里有人」。"
    with transaction(ctx.db):
        return life.add_note(ctx.db, request, ctx.person, text, ctx.now)


@feature.command("撤回", "取消求助", "撤销求助", glued=_NUMBER)
def _withdraw(ctx: Ctx, rest: str) -> str:
    request, reason, refusal = _own(ctx, rest, "撤回")
    if refusal:
        return refusal
    with transaction(ctx.db):
        return life.cancel(ctx.db, request, ctx.person, reason, ctx.now)


# ---------------------------------------------------------------- talking to a human

@feature.command(*request_flow.HUMAN, describe="转人工：请社工来回复您", leaves_flow=True)
def _to_human(ctx: Ctx, rest: str) -> str:
    return request_flow.to_human(ctx, rest)

