"""Routing one message: events, the active conversation and what may interrupt it, commands, menus, then
understanding of free text.

The interrupt rule, decided here in one place before any step of a flow reads the text (docs/conversations.md):
1. A cancel word ends the conversation (取消, 算了, 不弄了 …; 不用了/不要了 only where the question does not
   invite a plain "no"). The entry is kept as a draft for 30 minutes, in case the word was a slip.
2. 继续 resumes a draft; 帮助 explains the current step; 菜单 shows the menu and repeats the question.
3. A command or flow trigger the person may use, or a menu click, is never taken as an answer:
   - a look-up or one-shot command (名单, 我的求助, 接单 R…) is answered and the question is repeated;
   - a new flow (a one-shot 「走访 马小军 …」, 「求助 …」) starts at once; the unfinished one is kept as a draft
     for 30 minutes and the person is told to reply 「继续」 to get back to it.
   Mid-conversation a word counts as a command only when it stands alone, is followed by a space, or by what that
   command or flow can use (a request number, a name on the roster): 「查了一下血压」 is an answer.
4. A bare number answers the numbered list last shown: the conversation's own question, or else the menu.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from data import conversations, menus, pages, people
from flows import engine
from flows.context import Ctx
from flows.engine import Flow
from flows.message import Message
from flows.registry import FlowRegistry
from flows.words import BACK, CANCEL, CONTINUE, HELP, MENU, MORE, cancel_kind, clean, is_word, numbered
from handlers import replies
from handlers.feature import Command, Feature
from handlers.paging import paginate

DRAFT_KEEP = engine.IDLE
EXPIRED_DRAFT_KEEP = engine.IDLE * 48


@dataclass(frozen=True)
class Hit:
    """A command word or flow trigger found at the start of a message."""

    word: str
    rest: str
    command: Command | None = None
    flow: Flow | None = None


class Dispatcher:
    """The composed features of one app. Built once by the app factory; `route` handles one message."""

    def __init__(self, features: Sequence[Feature], classify: Callable[[str], Any] | None = None,
                 fuzzy: Callable[[str, list[str]], str | None] | None = None) -> None:
        self.features = tuple(features)
        self.classify = classify
        self.fuzzy = fuzzy
        self.flows = FlowRegistry(f for feature in self.features for f in feature.flows)
        self.commands: dict[str, Command] = {}
        answers = {*engine.CONFIRM_YES, *CONTINUE, *BACK}
        for feature in self.features:
            for cmd in feature.commands:
                for word in cmd.words:
                    if word in self.commands or word in self.flows.by_trigger:
                        raise ValueError(f"command word {word!r} is declared twice")
                    # A cancel word alone always cancels; as a command it must take an argument (结束 T12).
                    if word in answers or (word in CANCEL and cmd.glued is None):
                        raise ValueError(f"command word {word!r} is also an answer (确认, 取消 …): pick another")
                    self.commands[word] = cmd
        menu = Command(words=(*HELP, *MENU), run=lambda ctx, rest: self.menu(ctx), anytime=True)
        for word in menu.words:
            self.commands.setdefault(word, menu)
        self.observers = [o for f in self.features for o in f.observers]
        self.fallbacks = [h for f in self.features for h in f.fallbacks]
        self.media = [h for f in self.features for h in f.media]
        self.clicks = {k: v for f in self.features for k, v in f.clicks.items()}
        words = [*self.commands, *self.flows.by_trigger]
        self._words = set(words)
        self._glued = sorted((w for w in self._words if len(w) >= 2), key=len, reverse=True)
        self._vocabulary = tuple(sorted(self._words))

    def context(self, db: Any, person: dict, now: Any, tz: Any, message: Message | None = None) -> Ctx:
        return Ctx(db=db, person=person, now=now, tz=tz, message=message, classify=self.classify)

    def warm(self, msg: Message | None = None) -> None:
        """Work worth doing before a message's transaction takes the write lock: the matcher built, and the
        message's text classified (answered from the classifier's cache inside, while others wait)."""
        if hasattr(self.classify, "warm"):
            self.classify.warm()
        if msg is not None and self.classify is not None and msg.has_text and len(msg.text) <= 500:
            self.classify(msg.text.strip())

    def park(self, ctx: Ctx) -> str:
        """After a failed message: set the person's unfinished conversation aside, so the next one starts clean."""
        state = conversations.load(ctx.db, ctx.person_id)
        if state is None or state["step"] == engine.SAVED:
            conversations.clear(ctx.db, ctx.person_id)
            return ""
        return self._set_aside(ctx, self.flows.get(state["flow"]), state, "failed", DRAFT_KEEP,
                               replies.FAILED_DRAFT)

    # ------------------------------------------------------------ one message

    def route(self, ctx: Ctx, msg: Message) -> str | None:
        """The reply to one message, or None when WeChat should get a bare `success`."""
        if msg.kind == "event":
            return self._on_event(ctx, msg)
        people.note_inbound(ctx.db, ctx.openid, ctx.now)
        if msg.kind == "text" or (msg.kind == "voice" and msg.has_text):
            if is_word(msg.text, MORE):
                return self._next_page(ctx)
            notices = [n for n in (observe(ctx, msg.text) for observe in self.observers) if n]
            return self._page(ctx, "\n\n".join([*notices, self.on_text(ctx, msg.text)]))
        for handler in self.media:
            reply = handler(ctx, msg)
            if reply:
                return reply
        return replies.MEDIA.get(msg.kind, replies.MEDIA["unknown"])

    def _on_event(self, ctx: Ctx, msg: Message) -> str | None:
        event = (msg.event or "").lower()
        if event == "unsubscribe":
            people.set_reachable(ctx.db, ctx.openid, False, ctx.now)
            conversations.clear(ctx.db, ctx.person_id)
            return None
        if event in ("subscribe", "subscribe_scan"):
            people.note_inbound(ctx.db, ctx.openid, ctx.now)
            return self._page(ctx, f"{replies.WELCOME}\n{self.menu(ctx)}")
        if event == "click":
            people.note_inbound(ctx.db, ctx.openid, ctx.now)
            text = self.clicks.get(msg.event_key or "")
            return self._page(ctx, self.on_text(ctx, text, clicked=True)) if text else None
        # VIEW, LOCATION, SCAN, TEMPLATESENDJOBFINISH and the rest need no answer.
        return None

    def on_text(self, ctx: Ctx, text: str, clicked: bool = False) -> str:
        before = conversations.load(ctx.db, ctx.person_id)
        reply = self._handle_text(ctx, text, clicked, loaded=(before,))
        was_active = before is not None and before["step"] != engine.SAVED
        if "回「继续」" in reply:  # the reply already says what is waiting
            return reply
        return reply + self._draft_reminder(ctx, was_active)

    def _handle_text(self, ctx: Ctx, text: str, clicked: bool = False, loaded: tuple = ()) -> str:
        text = text.strip()
        state = loaded[0] if loaded else conversations.load(ctx.db, ctx.person_id)
        notices: list[str] = []
        if state is not None:
            flow = self.flows.get(state["flow"])
            if state["step"] == engine.SAVED:
                if state["expires_at"] > ctx.now:
                    again = self._repeat_of_last(flow, state, text)
                    if again:
                        return again
                conversations.clear(ctx.db, ctx.person_id)
                state = None
            elif not engine.is_current(flow, state):
                conversations.clear(ctx.db, ctx.person_id)
                notices.append(replies.STALE)
                state = None
            elif state["expires_at"] <= ctx.now:
                # Kept as a draft for a while after it lapsed; much later it is simply gone.
                keep = state["expires_at"] + EXPIRED_DRAFT_KEEP - ctx.now
                if cancel_kind(text) and keep.total_seconds() > 0:
                    # 「取消」 answering the reminder that it was left half-way: dropped, and said so.
                    conversations.clear(ctx.db, ctx.person_id)
                    return f"好的，「{flow.label_of(state['data']['values'])}」不办了，没有发出去。"
                if keep.total_seconds() > 0:
                    notices.append(self._set_aside(ctx, flow, state, "expired", keep, replies.EXPIRED_DRAFT,
                                                   replies.EXPIRED))
                else:
                    conversations.clear(ctx.db, ctx.person_id)
                    notices.append(replies.EXPIRED.format(label=flow.label_of(state["data"]["values"])))
                state = None
        if state is not None:
            reply = self._mid_flow(ctx, self.flows.get(state["flow"]), state, text, clicked)
        else:
            reply = self._no_flow(ctx, text, clicked, stale=replies.STALE in notices)
        return "\n".join([*notices, reply]) if reply else "\n".join(notices)

    # ------------------------------------------------------------ in a conversation

    def _mid_flow(self, ctx: Ctx, flow: Flow, state: dict, text: str, clicked: bool) -> str:
        step = engine.current_step(flow, state)
        kind = cancel_kind(text)
        if kind == "weak" and step is not None and (step.negatable or step.optional):
            return _joined(engine.answer_no(flow, state, ctx))
        if kind or (state["step"] == engine.CONFIRM and clean(text) in ("3", "否", "不保存")):
            return self._cancel(ctx, flow, state)
        if is_word(text, CONTINUE):
            others = conversations.drafts(ctx.db, ctx.person_id, ctx.now)
            later = f"\n（另有没填完的「{others[0]['label']}」，这条填完或取消后再回「继续」。）" if others else ""
            return (f"您正在填写「{flow.label_of(state['data']['values'])}」。\n"
                    f"{engine.question(flow, state, ctx)}{later}")
        if is_word(text, HELP) and not clicked:
            return _joined(engine.resume(flow, state, ctx, text))
        if is_word(text, MENU) or (clicked and is_word(text, HELP)):
            return f"{self.menu(ctx, remember=False)}\n\n{self._waiting(ctx, flow, state)}"
        hit = self.find_keyword(ctx, text, mid_flow=not clicked)
        if hit is not None and hit.command is not None:
            cmd = hit.command
            if not cmd.allowed(ctx.role):
                return f"{cmd.denied}\n\n{self._waiting(ctx, flow, state)}"
            if cmd.leaves_flow:
                note = self._set_aside(ctx, flow, state, "interrupted", DRAFT_KEEP, replies.DRAFT_KEPT)
                return f"{cmd.run(ctx, hit.rest)}\n{note}".strip()
            answer = cmd.run(ctx, hit.rest)
            # A command may have ended the conversation itself (撤销 of a visit being recorded).
            now_state = conversations.load(ctx.db, ctx.person_id)
            if now_state is None or now_state["step"] == engine.SAVED:
                return answer
            return f"{answer}\n\n{self._waiting(ctx, flow, now_state)}"
        if hit is not None and hit.flow is not None:
            new = hit.flow
            if not new.allowed(ctx.role):
                return f"{new.denied}\n\n{self._waiting(ctx, flow, state)}"
            if new is flow and not hit.rest:
                return f"您正在填写「{flow.label_of(state['data']['values'])}」。\n{engine.question(flow, state, ctx)}"
            note = self._set_aside(ctx, flow, state, "interrupted", DRAFT_KEEP, replies.DRAFT_KEPT)
            menus.forget(ctx.db, ctx.person_id)
            return "\n".join([*engine.start(new, ctx, hit.rest), note]).strip()
        return _joined(engine.resume(flow, state, ctx, text))

    def _waiting(self, ctx: Ctx, flow: Flow, state: dict) -> str:
        label = flow.label_of(state["data"]["values"])
        return f"（您的「{label}」还没填完。{engine.question(flow, state, ctx)}）"

    def _cancel(self, ctx: Ctx, flow: Flow, state: dict) -> str:
        values = state["data"]["values"]
        label = flow.label_of(values)
        kept = self._set_aside(ctx, flow, state, "cancelled", DRAFT_KEEP, replies.CANCELLED_DRAFT) if values else ""
        engine.remember_saved(flow, ctx, values, "cancelled")
        return f"好的，已取消，「{label}」没有保存。{kept}"

    def _set_aside(self, ctx: Ctx, flow: Flow | None, state: dict, reason: str, keep: Any, kept: str,
                   dropped: str = "") -> str:
        """Keep an unfinished entry as a draft (when there is anything in it); the sentence that says so."""
        values = state["data"].get("values") or {}
        conversations.clear(ctx.db, ctx.person_id)
        if flow is None:
            return ""
        label = flow.label_of(values)
        if not values or not flow.draftable:
            return dropped.format(label=label)
        conversations.stash(ctx.db, ctx.person_id, state, label, reason, ctx.now, keep)
        return kept.format(label=label)

    def _draft_reminder(self, ctx: Ctx, was_active: bool) -> str:
        """When a conversation ends, remind of one set aside for it (「上一条丁浩然的走访还没保存」)."""
        after = conversations.load(ctx.db, ctx.person_id)
        if after is not None and after["step"] != engine.SAVED:
            return ""
        if not was_active and after is None:
            return ""
        waiting = conversations.drafts(ctx.db, ctx.person_id, ctx.now, reasons=("interrupted",))
        if not waiting:
            return ""
        return "\n" + replies.DRAFT_REMINDER.format(label=waiting[0]["label"])

    # ------------------------------------------------------------ no conversation

    def _no_flow(self, ctx: Ctx, text: str, clicked: bool, stale: bool = False) -> str:
        if not text:
            return self.menu(ctx)
        if cancel_kind(text):
            return replies.NOTHING_TO_CANCEL
        if is_word(text, CONTINUE):
            return self._continue(ctx)
        picked = self._menu_word(ctx, text) if not clicked else None
        if picked is not None:
            return self._menu_choice(ctx, picked, text)
        number = engine.number_answer(text)
        if number is not None and not clicked:
            return self._menu_choice(ctx, number, text)
        hit = self.find_keyword(ctx, text, mid_flow=False)
        if hit is not None:
            if hit.command is not None:
                cmd = hit.command
                return cmd.run(ctx, hit.rest) if cmd.allowed(ctx.role) else cmd.denied
            menus.forget(ctx.db, ctx.person_id)
            return _joined(engine.start(hit.flow, ctx, hit.rest))
        if stale:
            # It answered a question that no longer exists: not to be read as something new.
            return self.menu(ctx)
        for handler in self.fallbacks:
            reply = handler(ctx, text)
            if reply:
                return reply
        return f"{replies.NOT_UNDERSTOOD}\n{self.menu(ctx)}"

    def start_flow(self, ctx: Ctx, name: str, text: str = "") -> str:
        """Start a flow by name (a fallback that recognised what the text is)."""
        menus.forget(ctx.db, ctx.person_id)
        return _joined(engine.start(self.flows.get(name), ctx, text))

    def _continue(self, ctx: Ctx) -> str:
        waiting = conversations.drafts(ctx.db, ctx.person_id, ctx.now)
        if not waiting:
            return replies.NO_DRAFT
        if len(waiting) == 1:
            return self._restore(ctx, waiting[0]["id"])
        options = [{"label": d["label"], "draft": d["id"]} for d in waiting]
        menus.remember(ctx.db, ctx.person_id, options, ctx.now)
        return f"有{len(options)}条没填完的，接着填哪一条？\n{numbered(o['label'] for o in options)}\n请回编号。"

    def _restore(self, ctx: Ctx, draft_id: int) -> str:
        draft = conversations.take_draft(ctx.db, ctx.person_id, draft_id)
        flow = self.flows.get(draft["flow"]) if draft else None
        if draft is None or not engine.is_current(flow, draft):
            return replies.STALE
        menus.forget(ctx.db, ctx.person_id)
        return f"好，接着填「{draft['label']}」。\n" + _joined(engine.restore(flow, draft, ctx))

    def _menu_word(self, ctx: Ctx, text: str) -> int | None:
        """An option of the remembered list may name words that pick it (「是的」 for 「1. 是，补充到 R…」)."""
        word = clean(text).lower()
        for index, option in enumerate(menus.recall(ctx.db, ctx.person_id, ctx.now) or (), 1):
            if word in (w.lower() for w in option.get("words", ())):
                return index
        return None

    def _menu_choice(self, ctx: Ctx, number: int, text: str) -> str:
        options = menus.recall(ctx.db, ctx.person_id, ctx.now)
        if not options:
            return f"请问「{clean(text)}」是指什么？\n{self.menu(ctx)}"
        if not 1 <= number <= len(options):
            return f"没有第{number}项，请回1到{len(options)}之间的数字。"
        chosen = options[number - 1]
        if "draft" in chosen:
            return self._restore(ctx, chosen["draft"])
        if "flow" in chosen:
            return self.start_flow(ctx, chosen["flow"], chosen.get("text", ""))
        return self._handle_text(ctx, chosen["say"], clicked=True)

    # ------------------------------------------------------------ words

    def find_keyword(self, ctx: Ctx, text: str, mid_flow: bool) -> Hit | None:
        """The command or trigger a message starts with, if this person could mean it as one."""
        cleaned = clean(text)
        found = self._split(cleaned)
        if found is None:
            return None
        word, rest, how = found
        cmd, flow = self.commands.get(word), self.flows.by_trigger.get(word)
        if cmd is not None and not cmd.allowed(ctx.role) and cmd.others == "ignore":
            # 「完成作业了吗」 from a resident is no command; 「完成 R1203-01」 is, and the command refuses it.
            if not (cmd.glued is not None and cmd.glued.match(rest)):
                return None
            return Hit(word, rest, Command(**{**cmd.__dict__, "roles": None}), None)
        hit = Hit(word, rest, cmd, flow)
        if not mid_flow or how == "exact":
            return hit
        if cmd is not None:
            if how == "spaced" and not cmd.glued:
                return hit
            return hit if cmd.glued is not None and cmd.glued.match(rest) else None
        if how == "fuzzy" and not rest:
            return hit
        return hit if flow.claims is None or flow.claims(rest, ctx) else None

    def _split(self, cleaned: str) -> tuple[str, str, str] | None:
        first, _, rest = cleaned.partition(" ")
        if cleaned in self._words:
            return cleaned, "", "exact"
        if first in self._words:
            return first, rest.strip(), "spaced"
        # 走访王秀兰 / 绑定K7M2Q9XP: a keyword glued to what follows; longest keyword first.
        for word in self._glued:
            if cleaned.startswith(word) and len(cleaned) > len(word):
                return word, cleaned[len(word):].strip(" ，,：:"), "glued"
        if self.fuzzy and first and len(first) <= 4 and not re.search(r"[A-Za-z0-9]", first):
            fixed = self.fuzzy(first, self._vocabulary)
            if fixed:
                return fixed, rest.strip(), "fuzzy"
        return None

    # ------------------------------------------------------------ menu and pages

    def menu(self, ctx: Ctx, remember: bool = True) -> str:
        """What this person's role can do, numbered; a bare number then picks an item."""
        items = self.menu_items(ctx)
        if remember:
            menus.remember(ctx.db, ctx.person_id, [{"label": d, "say": w} for w, d in items], ctx.now)
        return replies.menu_text(ctx, [d for _, d in items])

    def menu_items(self, ctx: Ctx) -> list[tuple[str, str]]:
        """(word to say, description) for every flow and command this person may use, residents' first."""
        items = [(f.triggers[0], f.describe) for f in self.flows if f.describe and f.allowed(ctx.role)]
        items += [(c.words[0], c.describe) for f in self.features for c in f.commands
                  if c.describe and c.allowed(ctx.role)]
        if ctx.role != "family":
            return [i for i in items if not i[0].startswith("绑定")]
        return sorted(items, key=lambda item: item[0].startswith("绑定"))

    def _repeat_of_last(self, flow: Flow | None, state: dict, text: str) -> str | None:
        """A second 「1」 (a double tap) right after a save, or a second 「取消」: said again, done once."""
        data = state["data"]
        word = clean(text).lower()
        label = data.get("label") or "这条记录"
        if data.get("outcome") == "saved":
            if word in engine.CONFIRM_YES:
                return f"「{label}」已经保存过了，不会重复记录。"
            if cancel_kind(text):
                undo = (flow.extra.get("after_save") if flow else None) or replies.AFTER_SAVE
                return f"「{label}」刚才已经保存了。{undo}"
        if data.get("outcome") == "cancelled" and (cancel_kind(text) or word in ("3", "否")):
            return f"「{label}」已经取消了。"
        return None

    def _page(self, ctx: Ctx, reply: str | None) -> str | None:
        if reply is None:
            return None
        parts = paginate(reply)
        pages.keep(ctx.db, ctx.openid, parts[1:], ctx.now)
        return parts[0]

    def _next_page(self, ctx: Ctx) -> str:
        rest = pages.take(ctx.db, ctx.openid)
        if not rest:
            return "没有更多内容了。"
        pages.keep(ctx.db, ctx.openid, rest[1:], ctx.now)
        return rest[0]


def _joined(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line)
