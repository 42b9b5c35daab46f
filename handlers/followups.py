"""Free text from someone who already asked for help is usually about that help, not a new request:
- a progress question (「轮椅的事咋样了」) is answered with the request's state;
- a complaint (「饭是凉的，老人吃了不舒服」) is recorded as 不满意 with the text, and the team leader and the site
  worker are told;
- thanks or praise after the request is done (「挺好的，谢谢你们了」) is recorded as 满意;
- a second message about the same need is added to the open request, or, when unsure, laoxiao asks
  「是 R1203-04 这件事吗？」;
- pleasantries (好的, 谢谢, 辛苦了, 嗯嗯, 👍, 色俩目) never open a request or a ticket.
A follow-up concerns a request still open, or done or closed in the last two weeks.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from data import menus, outbox, teams
from data import requests as reqs
from data.clock import parse_iso
from data.db import transaction
from data.text import normalize
from flows import request_life as life
from flows.context import Ctx
from flows.words import numbered
from handlers.smalltalk import has, is_complaint, is_progress, is_strong_complaint, pleasant_kind

LIFE = timedelta(days=14)
NUDGE_AFTER = timedelta(hours=1)
_PUNCT = re.compile(r"[\s,，.。!！?？~～、;；:：…\-—'\"“”‘’()（）]+")
_STOP_BIGRAMS = {"我妈", "我爸", "老人", "能不", "不能", "可以", "帮忙", "一下", "什么", "怎么", "还是", "这个", "那个",
                 "的事", "事咋", "咋样", "样了", "怎么样", "么样", "谢谢", "麻烦", "孩子"}


def _bigrams(text: str) -> set[str]:
    flat = _PUNCT.sub("", normalize(text))
    return {flat[i:i + 2] for i in range(len(flat) - 1)} - _STOP_BIGRAMS


def _about(requests: list[dict], match: Any, text: str) -> list[dict]:
    """The requests a message may be about, best first: same kind of help, then shared words."""
    def score(r: dict) -> tuple:
        same = match.category is not None and match.category == r["category"]
        return (same, len(_bigrams(text) & _bigrams(r["text"])), r["id"])
    return sorted(requests, key=score, reverse=True)


# ---------------------------------------------------------------- the answer

def follow_up(ctx: Ctx, text: str, match: Any) -> str | None:
    """The reply when `text` is about the person's own recent requests (or pure pleasantry); None otherwise."""
    mine = reqs.recent_of_requester(ctx.db, ctx.person["id"], ctx.now - LIFE)
    pleasant = pleasant_kind(text)
    rated = [r for r in mine if r["status"] == "done" and reqs.feedback(ctx.db, r["id"]) is None]
    if pleasant is not None:
        if pleasant in ("thanks", "praise") and rated:
            with transaction(ctx.db):
                return life.give_feedback(ctx.db, rated[0], ctx.person, "满意", text.strip()[:300], ctx.now)
        return None
    if not mine:
        return None
    new_need = match.band == "route" and match.category is not None
    if is_complaint(text):
        done = [r for r in mine if r["status"] in ("done", "closed") or r["status"] == "accepted"]
        targets = [r for r in _about(done, match, text)
                   if not new_need or r["category"] == match.category or is_strong_complaint(text)]
        if targets and not (is_progress(text) and targets[0]["status"] in reqs.OPEN):
            with transaction(ctx.db):
                return life.complaint(ctx.db, targets[0], ctx.person, text.strip(), ctx.now)
    if is_progress(text):
        return _progress(ctx, mine, match, text)
    if rated and has("praise", text) and not new_need:
        with transaction(ctx.db):
            return life.give_feedback(ctx.db, rated[0], ctx.person, "满意", text.strip()[:300], ctx.now)
    if new_need:
        return _same_need(ctx, [r for r in mine if r["status"] in reqs.OPEN], match, text)
    return None


def _progress(ctx: Ctx, mine: list[dict], match: Any, text: str) -> str:
    open_ = [r for r in mine if r["status"] in reqs.OPEN]
    ranked = _about(open_ or mine, match, text)
    best = ranked[0]
    clear = len(ranked) == 1 or (match.category == best["category"] and match.category != ranked[1]["category"]) \
        or len(_bigrams(text) & _bigrams(best["text"])) > len(_bigrams(text) & _bigrams(ranked[1]["text"]))
    if not clear:
        lines = ["您有这几个求助："]
        lines += [f"{i}. {r['number']}（{r['category']}）：{life.state_sentence(ctx.db, r)}"
                  for i, r in enumerate(ranked[:5], 1)]
        lines.append("发「进度 编号」看详情。")
        return "\n".join(lines)
    _nudge(ctx, best)
    return f"您的求助 {best['number']}（{best['category']}）：{life.state_sentence(ctx.db, best)}\n" \
           f"发「进度 {best['number']}」看详情。"


def _nudge(ctx: Ctx, request: dict) -> None:
    """A family asking after a request nobody has taken for an hour: whoever holds it hears (once a day)."""
    if request["status"] != "assigned" or not request["assigned_at"]:
        return
    if ctx.now - parse_iso(request["assigned_at"]) < NUDGE_AFTER:
        return
    team = teams.get_team(ctx.db, request["team_id"])
    holders = life.holders(ctx.db, request) or life.site_workers(ctx.db, request["site_id"])
    for person in holders:
        outbox.enqueue(ctx.db, f"request:{request['number']}:asked:{ctx.today}:{person['id']}", person["openid"],
                       "escalation", f"求助人在问 {request['number']}（{request['category']}）的进度，还没人接单"
                       f"（{team['name'] if team else '社工'}）。能接请回「接单 {request['number']}」。", ctx.now)


def _same_need(ctx: Ctx, open_: list[dict], match: Any, text: str) -> str | None:
    """A need like one still open: added to it when the words say so, else asked."""
    alike = [r for r in _about(open_, match, text) if r["category"] == match.category]
    if not alike or match.urgent:
        return None
    request = alike[0]
    shared = len(_bigrams(text) & _bigrams(request["text"]))
    if shared >= 2 or has("same_need", text):
        with transaction(ctx.db):
            return life.add_note(ctx.db, request, ctx.person, text.strip(), ctx.now)
    options = [
        {"label": f"是，补充到 {request['number']}", "say": f"补充 {request['number']} {text.strip()[:300]}",
         "words": ["是", "是的", "对", "对的", "嗯", "就是", "是这件", "是这个"]},
        {"label": "不是，这是一件新的事", "flow": "request", "text": text.strip(),
         "words": ["不是", "不对", "新的", "是新的", "另一件", "另外的"]},
    ]
    menus.remember(ctx.db, ctx.person["id"], options, ctx.now)
    return (f"您还有一个没办完的求助 {request['number']}（{request['category']}：{request['text'][:20]}）。"
            f"是这件事吗？\n{numbered(o['label'] for o in options)}\n请回编号。")
