"""Routing one incoming message: event, active flow, command keyword, flow trigger, then understanding.

`route(ctx, message)` returns the reply text, or None when WeChat should get a bare `success`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from data import conversations, pages, people, sites
from flows import engine, registry
from flows.context import Ctx
from flows.message import Message
from flows.words import HELP, MORE, clean, is_word
from handlers.commands import COMMANDS, command, find_command
from handlers.paging import paginate

# Features add handlers here: the first one that returns a reply wins.
MEDIA_HANDLERS: list[Callable[[Ctx, Message], str | None]] = []
TEXT_FALLBACKS: list[Callable[[Ctx, str], str | None]] = []
# Called with every text before it is routed (the mandatory-report check); a notice returned heads the reply.
TEXT_OBSERVERS: list[Callable[[Ctx, str], str | None]] = []
# A click on the Official Account's menu is handled as if the person had typed the text (see bot/wechat_menu.py).
CLICK_KEYS: dict[str, str] = {"MENU_ASK": "求助", "MENU_REQUESTS": "我的求助", "MENU_HELP": "帮助",
                              "MENU_HANDOFF": "转人工"}

WELCOME = "欢迎关注「老小」！这里是青铜峡市“五社联动，幸福老小”项目的服务号。"
NOT_UNDERSTOOD = "抱歉，没太明白您的意思。"
_MEDIA_REPLIES = {
    "image": "收到图片了。如需帮助，请用文字或语音说一下情况。",
    "voice": "这条语音没能转成文字，请再说一遍，或者直接打字发给我。",
    "video": "收到视频了。如需帮助，请用文字或语音说一下情况。",
    "shortvideo": "收到视频了。如需帮助，请用文字或语音说一下情况。",
    "location": "收到您的位置了。如需上门帮助，请再用文字说一下是什么事。",
    "link": "收到链接了。如需帮助，请用文字说一下情况。",
    "file": "收到文件了。如需帮助，请用文字说一下情况。",
    "unknown": "这类消息暂时看不了，请发文字或语音。",
}


def route(ctx: Ctx, msg: Message) -> str | None:
    if msg.kind == "event":
        return _on_event(ctx, msg)
    people.note_inbound(ctx.db, ctx.openid, ctx.now)
    if msg.kind == "text" or (msg.kind == "voice" and msg.has_text):
        if is_word(msg.text, MORE):
            return _next_page(ctx)
        notices = [n for n in (observe(ctx, msg.text) for observe in TEXT_OBSERVERS) if n]
        return _page(ctx, "\n\n".join([*notices, _on_text(ctx, msg.text)]))
    for handler in MEDIA_HANDLERS:
        reply = handler(ctx, msg)
        if reply:
            return reply
    return _MEDIA_REPLIES.get(msg.kind, _MEDIA_REPLIES["unknown"])


def _on_event(ctx: Ctx, msg: Message) -> str | None:
    event = (msg.event or "").lower()
    if event == "unsubscribe":
        people.set_reachable(ctx.db, ctx.openid, False, ctx.now)
        conversations.clear(ctx.db, ctx.openid)
        return None
    if event in ("subscribe", "subscribe_scan"):
        people.note_inbound(ctx.db, ctx.openid, ctx.now)
        return _page(ctx, f"{WELCOME}\n{menu_text(ctx)}")
    if event == "click":
        people.note_inbound(ctx.db, ctx.openid, ctx.now)
        text = CLICK_KEYS.get(msg.event_key or "")
        return _page(ctx, _on_text(ctx, text)) if text else None
    # VIEW, LOCATION, SCAN, TEMPLATESENDJOBFINISH and the rest need no answer.
    return None


def _on_text(ctx: Ctx, text: str) -> str:
    text = text.strip()
    state = conversations.load(ctx.db, ctx.openid)
    notice = ""
    if state is not None:
        flow = registry.FLOWS.get(state["flow"])
        if flow is not None and state["expires_at"] > ctx.now:
            lookup = find_command(clean(text))
            if lookup is not None and (lookup.anytime or not lookup.allowed(ctx.role)):
                # A look-up is answered, a command this person may not use is refused; either way the
                # conversation waits rather than taking the word as an answer.
                answer = lookup.run(ctx, "") if lookup.allowed(ctx.role) else lookup.denied
                return f"{answer}\n\n（您的「{flow.title}」还没填完。{engine.current_question(flow, state, ctx)}）"
            return "\n".join(engine.resume(flow, state, ctx, text))
        conversations.clear(ctx.db, ctx.openid)
        title = flow.title if flow else "填写"
        notice = f"您上次没填完的「{title}」超过30分钟没有回复，已作废。"
    reply = _dispatch(ctx, text)
    if reply is None:
        if notice:
            return f"{notice}需要的话请重新开始。"
        reply = _fallback(ctx, text)
    return f"{notice}\n{reply}" if notice else reply


def _dispatch(ctx: Ctx, text: str) -> str | None:
    """A command word or a flow trigger at the start of the text (with or without a space after it)."""
    word, rest = _split_keyword(text)
    if word is None:
        return None
    cmd = find_command(word)
    if cmd is not None:
        return cmd.run(ctx, rest) if cmd.allowed(ctx.role) else cmd.denied
    flow = registry.TRIGGERS[word]
    return "\n".join(engine.start(flow, ctx, rest))


def keywords() -> list[str]:
    return [w for c in COMMANDS for w in c.words] + list(registry.TRIGGERS)


def _split_keyword(text: str) -> tuple[str | None, str]:
    cleaned = clean(text)
    first, _, rest = cleaned.partition(" ")
    known, longest_first = _keyword_index()
    if first in known:
        return first, rest.strip()
    # 走访王秀兰 / 绑定K7M2Q9XP: keyword glued to what follows; longest keyword first.
    for word in longest_first:
        if cleaned.startswith(word) and len(cleaned) > len(word):
            return word, cleaned[len(word):].strip()
    fixed = _fuzzy_keyword(first)
    if fixed:
        return fixed, rest.strip()
    return None, text


_index: tuple[tuple[int, int], set[str], list[str]] | None = None


def _keyword_index() -> tuple[set[str], list[str]]:
    """Every keyword, and those of two characters or more longest first; rebuilt only when a command or flow
    is registered, not for every message."""
    global _index
    size = (len(COMMANDS), len(registry.TRIGGERS))
    if _index is None or _index[0] != size:
        words = keywords()
        _index = (size, set(words), sorted((w for w in set(words) if len(w) >= 2), key=len, reverse=True))
    return _index[1], _index[2]


def _fuzzy_keyword(token: str) -> str | None:
    """Typos in command words (走防 -> 走访): only for a short first word followed by a space or alone."""
    if not token or len(token) > 4 or re.search(r"[A-Za-z0-9]", token):
        return None
    try:
        from handlers.intent import fuzzy_command
    except ImportError:
        return None
    return fuzzy_command(token, keywords())


def _fallback(ctx: Ctx, text: str) -> str:
    for handler in TEXT_FALLBACKS:
        reply = handler(ctx, text)
        if reply:
            return reply
    return f"{NOT_UNDERSTOOD}\n{menu_text(ctx)}"


def _page(ctx: Ctx, reply: str | None) -> str | None:
    if reply is None:
        return None
    parts = paginate(reply)
    pages.keep(ctx.db, ctx.openid, parts[1:], ctx.now)
    return parts[0]


def _next_page(ctx: Ctx) -> str:
    rest = pages.take(ctx.db, ctx.openid)
    if not rest:
        return "没有更多内容了。"
    pages.keep(ctx.db, ctx.openid, rest[1:], ctx.now)
    return rest[0]


def menu_text(ctx: Ctx) -> str:
    """What this person's role can do, built from the registered commands and flows."""
    person = ctx.person
    lines = [f.describe for f in registry.FLOWS.values() if f.describe and f.allowed(ctx.role)]
    lines += [c.describe for c in COMMANDS if c.describe and c.allowed(ctx.role)]
    if ctx.role != "family":
        lines = [line for line in lines if not line.startswith("绑定")]
    site = sites.get_site(ctx.db, person.get("site_id"))
    head = "您好" + (f"，{person['name']}" if person.get("name") else "") + "！"
    if ctx.role != "family":
        head += f"您是{site['name'] if site else ''}{people.ROLES[ctx.role]}。"
    body = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    return f"{head}您可以发：\n{body}\n任何一步都可以回「取消」「返回」「帮助」。"


@command(*HELP, "菜单", "menu", "功能")
def _help(ctx: Ctx, rest: str) -> str:
    return menu_text(ctx)
