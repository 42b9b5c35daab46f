"""Help requests from the helpers' side: 任务, 接单, 完成, 退回, 转派, 作废, and an admin's 改类; the worker's side
of a handoff (回复 T12, 结束 T12); and what team leaders actually reply to a card (接了, 好, 搞定了, 去不了)."""

from __future__ import annotations

import re
from typing import Any

from data import handoffs, menus, people, teams
from data import requests as reqs
from data.categories import LABELS
from data.db import transaction
from flows import handoff
from flows import request_life as life
from flows.context import Ctx
from flows.errors import Ambiguous, Invalid
from flows.parsers import parse_choice
from flows.words import clean, numbered
from handlers.feature import Feature

STAFF = people.STAFF_ROLES
TEAM_ROLES = ("team_lead", "volunteer", *STAFF)
_NUMBER = r"\s*[Rr]\d"
_NOT_YOURS = "没有找到您可以处理的求助 {number}。请核对编号；只有分到这个求助的服务队和站点社工可以处理。"
# What a team leader says instead of the command words.
_TAKE = ("好", "好的", "行", "可以", "没问题", "收到", "ok", "中", "要得", "好嘞", "👌", "👍", "[强]", "[OK]")
_DONE = re.compile(r"^(?:已经|都)?(?:搞定|弄好|办好|办完|修好|送到|送过去|送去|完事|做完|弄完|好)了")
_CLOSE_TICKET = re.compile(r"^(?:结束|关闭)(?=\s*[Tt]\d)")
_CANNOT = re.compile(r"去不了|接不了|来不了|没空|没时间|忙不过来|人手不够|这次不行|干不了|弄不了|办不了|顾不上")

feature = Feature("request_team")


@feature.command("任务", "我的任务", roles=TEAM_ROLES, anytime=True,
                 describe="任务：分给我或本队的求助（接单/完成/退回/转派 + 编号）",
                 denied="抱歉，这项功能只对志愿服务队和工作人员开放。看自己的求助请发「我的求助」。")
def _tasks(ctx: Ctx, rest: str) -> str:
    rows = _mine(ctx, ("assigned", "accepted"))
    if not rows:
        return "现在没有待处理的求助。"
    lines = ["待处理的求助："]
    lines += [f"{i}. {life.status_line(ctx.db, r)}" for i, r in enumerate(rows, 1)]
    lines.append("「进度 编号」看详情；「接单 编号」「完成 编号 做了什么」「退回 编号 原因」「转派 编号 队名」。")
    return "\n".join(lines)


def _mine(ctx: Ctx, statuses: tuple[str, ...]) -> list[dict]:
    """Requests of this person's teams (and, for site staff, of their site) in these states."""
    team_ids = [t["id"] for t in teams.teams_of_person(ctx.db, ctx.person["id"])]
    rows = {r["id"]: r for r in reqs.open_of_teams(ctx.db, team_ids)}
    if ctx.role in ("worker", "director") and ctx.person["site_id"]:
        rows.update({r["id"]: r for r in reqs.open_of_site(ctx.db, ctx.person["site_id"])})
    held = ctx.db.query("SELECT * FROM requests WHERE worker_id = ? AND status IN ('assigned', 'accepted')",
                        [ctx.person["id"]])
    rows.update({r["id"]: r for r in held})
    return [r for r in rows.values() if r["status"] in statuses]


def _target(ctx: Ctx, rest: str, verb: str) -> tuple[dict | None, str, str | None]:
    """(request, the words after the number, a refusal). A number that does not exist and one that is not
    the person's to act on get the same answer: nothing leaks."""
    found = reqs.find_request_number(rest)
    if not found:
        return None, "", f"请写上求助编号，例如「{verb} R1203-07」。"
    number, after = found
    request = reqs.get_by_number(ctx.db, number)
    if request is None or not (life.can_act(ctx.db, request, ctx.person) or ctx.role == "admin"):
        return None, after, _NOT_YOURS.format(number=number)
    return request, after.strip(" ，,。.:："), None


def _resolve(ctx: Ctx, rest: str, verb: str, statuses: tuple[str, ...]) -> tuple[dict | None, str, str | None]:
    """(request, the words after its number, a reply that ends the command): whose request it is, then
    whether it is in a state to act."""
    request, words, refusal = _target(ctx, rest, verb)
    if refusal:
        return None, words, refusal
    if request["status"] not in statuses:
        return None, words, _state_refusal(request)
    return request, words, None


def _state_refusal(request: dict) -> str:
    status = request["status"]
    if status == "accepted":
        return f"{request['number']} 已经有人接单，正在处理。"
    if status in ("done", "closed"):
        return f"{request['number']} {'已经撤回了' if request['closed_reason'] in reqs.CLOSED_AS else '已经办完了'}。"
    return f"{request['number']} 现在是「{reqs.STATUSES[status]}」，不能这样操作。"


@feature.command("接单", "接了", "我接了", "我来接", "接下了", roles=TEAM_ROLES, others="ignore", glued=_NUMBER)
def _accept(ctx: Ctx, rest: str) -> str:
    if not reqs.find_request_number(rest):
        return _the_only_one(ctx, ("assigned",), "接", lambda r: life.accept(ctx.db, r, ctx.person, ctx.now))
    request, _, reply = _resolve(ctx, rest, "接单", ("assigned",))
    if reply:
        return reply
    with transaction(ctx.db):
        return life.accept(ctx.db, request, ctx.person, ctx.now)


def _with_words(ctx: Ctx, rest: str, verb: str, statuses: tuple[str, ...], example: str, act: Any) -> str:
    """A command that needs a few words after the number (what was done, why): the example when they are
    missing, else `act(request, words)` in one transaction."""
    request, words, reply = _resolve(ctx, rest, verb, statuses)
    if reply:
        return reply
    if not words:
        return example.format(number=request["number"])
    with transaction(ctx.db):
        return act(request, words)


@feature.command("完成", "办完", "已完成", roles=TEAM_ROLES, others="ignore", glued=_NUMBER)
def _finish(ctx: Ctx, rest: str) -> str:
    return _with_words(ctx, rest, "完成", ("assigned", "accepted"),
                       "请写上做了什么，例如「完成 {number} 送了药，老人状态好」。",
                       lambda r, note: life.finish(ctx.db, r, ctx.person, note[:300], ctx.now))


@feature.command("退回", roles=TEAM_ROLES, others="ignore", glued=_NUMBER)
def _reject(ctx: Ctx, rest: str) -> str:
    return _with_words(ctx, rest, "退回", ("assigned", "accepted"),
                       "请写上退回的原因，例如「退回 {number} 这周人手不够」。",
                       lambda r, reason: life.reject(ctx.db, r, ctx.person, reason[:200], ctx.now))


@feature.command("转派", "改派", roles=TEAM_ROLES, others="ignore", glued=_NUMBER)
def _transfer(ctx: Ctx, rest: str) -> str:
    request, name, reply = _resolve(ctx, rest, "转派", ("new", "assigned", "accepted"))
    if reply:
        return reply
    targets = life.transfer_targets(ctx.db, request)
    names = "、".join(t["name"] for t in targets)
    serving = f"服务{life.site_label(ctx.db, request) or '该地'}「{request['category']}」的队"
    if not name:
        return f"请写上要转给哪个队，例如「转派 {request['number']} {targets[0]['name'] if targets else '队名'}」。" \
               f"{serving}：{names or '没有别的了'}。"
    try:
        chosen = parse_choice(name, [t["name"] for t in teams.list_teams(ctx.db)])
    except (Invalid, Ambiguous):
        return f"没有叫「{name}」的服务队。{serving}：{names or '没有别的了，可以自己「接单」'}。"
    team = teams.find_team(ctx.db, chosen)
    if team["id"] == request["team_id"]:
        return f"{request['number']} 已经在{team['name']}手上了。"
    if team["id"] not in {t["id"] for t in targets}:
        return (f"{team['name']}不服务{life.site_label(ctx.db, request) or '这个地方'}的「{request['category']}」，"
                f"转过去会被退回。{serving}：{names or '没有别的了，可以自己「接单」'}。")
    with transaction(ctx.db):
        return life.transfer(ctx.db, request, ctx.person, team, ctx.now)


@feature.command("作废", roles=STAFF, others="ignore", glued=_NUMBER)
def _void(ctx: Ctx, rest: str) -> str:
    return _with_words(ctx, rest, "作废", reqs.OPEN,
                       "请写上原因（会告诉求助人），例如「作废 {number} 家属说已经自己解决了」。",
                       lambda r, reason: life.cancel(ctx.db, r, ctx.person, reason[:200], ctx.now))


@feature.command("改类", roles=("admin",), others="ignore", glued=_NUMBER)
def _recategorize(ctx: Ctx, rest: str) -> str:
    """An admin corrects the kind of help; the request's words become a phrasing the matcher learns from."""
    if ctx.role != "admin":
        return "只有管理员可以改类。觉得分错了，请告诉管理员，或「转派 编号 队名」。"
    request, label, reply = _resolve(ctx, rest, "改类", (*reqs.OPEN, "done", "closed"))
    if reply:
        return reply
    label = clean(label)
    if label not in LABELS:
        return f"请写上正确的类别，例如「改类 {request['number']} 医疗健康」。可选：{'、'.join(LABELS)}"
    if label == request["category"]:
        return f"{request['number']} 已经是「{label}」了。"
    with transaction(ctx.db):
        reqs.recategorize(ctx.db, request, label, ctx.now, ctx.person["id"])
        moved = ""
        if request["status"] in ("new", "assigned"):
            where = life.reroute(ctx.db, reqs.get(ctx.db, request["id"]), ctx.person, ctx.now)
            moved = f"，已改派给{where}"
    learned = _learn(ctx, request["text"], label)
    return f"已把 {request['number']} 改为「{label}」{moved}。{learned}"


def _learn(ctx: Ctx, text: str, label: str) -> str:
    learn = getattr(ctx.classify, "learn", None)
    if learn is None:
        return ""
    author = ctx.person.get("name") or ctx.person["openid"]
    return f"这句话已记为「{label}」的说法，以后会认得。" if learn(text, label, author) else ""


# ---------------------------------------------------------------- what team leaders really reply

@feature.fallback
def informal(ctx: Ctx, text: str) -> str | None:
    """「好」 to a card, 「搞定了」, 「去不了，这周在外地」: the one request it can be about, or a numbered choice."""
    if ctx.role not in TEAM_ROLES:
        return None
    word = clean(text)
    closing = _CLOSE_TICKET.match(word)
    if closing and ctx.role in STAFF:
        return _close_ticket(ctx, word[closing.end():])
    if _CANNOT.search(word):
        return _the_only_one(ctx, ("assigned", "accepted"), "退回",
                             lambda r: life.reject(ctx.db, r, ctx.person, word[:200], ctx.now)) \
            if _mine(ctx, ("assigned", "accepted")) else None
    if _DONE.match(word):
        if not _mine(ctx, ("accepted",)):
            return None
        return _the_only_one(ctx, ("accepted",), "完成",
                             lambda r: life.finish(ctx.db, r, ctx.person, word[:300], ctx.now))
    if word.lower() in _TAKE and ctx.role in ("team_lead", "volunteer") and _mine(ctx, ("assigned",)):
        return _the_only_one(ctx, ("assigned",), "接", lambda r: life.accept(ctx.db, r, ctx.person, ctx.now))
    return None


def _the_only_one(ctx: Ctx, statuses: tuple[str, ...], verb: str, act: Any) -> str:
    waiting = _mine(ctx, statuses)
    if not waiting:
        if verb == "接":
            return "现在没有等您接的单。发「任务」看手上的求助。"
        return "现在没有您手上的求助。发「任务」看看。"
    if len(waiting) == 1:
        with transaction(ctx.db):
            return act(waiting[0])
    say = {"接": "接单", "退回": "退回", "完成": "完成"}[verb]
    tail = f" {clean(ctx.message.text) if ctx.message else ''}" if verb != "接" else ""
    options = [{"label": life.status_line(ctx.db, r), "say": f"{say} {r['number']}{tail}"} for r in waiting[:9]]
    menus.remember(ctx.db, ctx.person_id, options, ctx.now)
    return f"您手上有{len(waiting)}个求助，是哪一个？\n{numbered(o['label'] for o in options)}\n请回编号。"


# ---------------------------------------------------------------- the worker's side of a handoff

@feature.command("回复", roles=STAFF, others="ignore", glued=r"\s*[Tt]\d")
def _worker_reply(ctx: Ctx, rest: str) -> str:
    ticket, text, refusal = _ticket(ctx, rest, "回复")
    if refusal:
        return refusal
    if not text:
        return f"请写上回复内容，例如「回复 {handoffs.label(ticket['id'])} 明天上午去您家看看」。"
    return handoff.reply(ctx.db, ticket, ctx.person, text[:500], ctx.now)


# 「结束」 and 「关闭」 alone cancel a conversation, so they cannot be command words; 「结束 T12」 outside a
# conversation is read by `informal` below.
@feature.command("结单", "结束", "结束工单", "关闭工单", roles=STAFF, others="ignore", glued=r"\s*[Tt]\d")
def _close_ticket(ctx: Ctx, rest: str) -> str:
    ticket, _, refusal = _ticket(ctx, rest, "结束")
    if refusal:
        return refusal
    if ticket["status"] == "closed":
        return f"{handoffs.label(ticket['id'])} 已经结束了。"
    return handoff.close(ctx.db, ticket, ctx.person, ctx.now)


def _ticket(ctx: Ctx, rest: str, verb: str) -> tuple[dict | None, str, str | None]:
    found = handoffs.find_ticket_number(rest)
    if not found:
        return None, "", f"请写上工单编号，例如「{verb} T12{' 明天上午去您家看看' if verb == '回复' else ''}」。"
    ticket_id, text = found
    ticket = handoffs.get(ctx.db, ticket_id)
    if ticket is None or not _may_answer(ctx.person, ticket):
        return None, "", f"没有找到您可以{verb}的工单 T{ticket_id}，请核对编号。"
    return ticket, text, None


def _may_answer(person: dict, ticket: dict[str, Any]) -> bool:
    """Admins; the workers and child directors of the resident's site; for a resident whose site is unknown, the
    workers (who were all told of it, data.handoffs.responders), never a director of some village."""
    if person["role"] == "admin":
        return True
    if ticket["site_id"] is None:
        return person["role"] == "worker"
    return person["role"] in ("worker", "director") and ticket["site_id"] == person["site_id"]
