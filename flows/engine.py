"""The conversation engine: a flow is a list of steps; the engine asks for what is missing.

A flow reads like the form it replaces. Each step names one value, the question that asks for it, and a
parser (`str -> value`, raising `Invalid` with the sentence to show). A step may also have an extractor
that picks its value out of a longer message, so one message can fill several steps; the engine then
asks only for what is still missing and confirms everything in one short summary.

State lives in the `conversations` table, never in memory, and carries the flow's `version`: a process restart
resumes where it stopped, and a state written by a flow that has since changed ends politely
(`is_current`). Everything here runs inside the one transaction that handles a message (handlers.inbox).
What may interrupt a step (取消, another command, a menu click) is decided before any step sees the text, in
handlers.dispatcher; this module handles only answers, 返回, 帮助 and the confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from data import conversations
from data.db import transaction
from flows.context import Ctx
from flows.errors import Abort, Ambiguous, Invalid
from flows.parsers import chinese_to_int
from flows.words import BACK, EDIT, HELP, SKIP, clean, is_word, numbered

IDLE = timedelta(minutes=30)
# How long a just-finished flow is remembered, so that a double-tapped 「1」 hears 「已保存过了」.
SAVED_MEMORY = timedelta(minutes=3)
CONFIRM = "__confirm"
EDITING = "__edit"
SAVED = "__saved"
SPECIAL_STEPS = (CONFIRM, EDITING, SAVED)
DEFAULT_CONFIRM = "回复 1.确认保存 2.修改 3.取消"
CONFIRM_YES = ("1", "确认", "确认保存", "保存", "是", "是的", "对", "对的", "好", "好的", "嗯", "行", "可以", "没问题",
               "ok", "确定", "提交", "发吧", "发", "可以发")
_CONFIRM_NO = ("3", "否", "不", "不要", "不保存")
_NUMBERED = re.compile(r"(?:^|\s)1\. ")
# The second wrong answer in a row to the same question says how to get out.
TRIES_BEFORE_ESCAPE = 2

Parser = Callable[[str, Ctx, dict], Any]
Extractor = Callable[[str, Ctx, dict], "tuple[Any, str] | None"]


@dataclass(frozen=True)
class Several:
    """What an extractor returns when one reading of a message fills several steps at once (a visit note says
    who, when, how and what was found): `values` by step name, the `rest` of the text, steps whose value was said
    but refused (asked for rather than defaulted), and `notes` to show before the next question."""

    values: dict[str, Any]
    rest: str = ""
    refused: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One value of a flow. `ask` may be a callable of (ctx, values) for questions that depend on data.

    `negatable`: the question invites a plain 「不用了」 (no needs), so that word answers it instead of cancelling
    the flow; optional steps always do.
    """

    name: str
    label: str
    ask: str | Callable[[Ctx, dict], str]
    parse: Parser
    extract: Extractor | None = None
    show: Callable[[Any], str] = str
    optional: bool = False
    default: Callable[[Ctx, dict], Any] | None = None
    when: Callable[[dict], bool] | None = None
    free_text: bool = False
    negatable: bool = False
    help: str = ""

    def question(self, ctx: Ctx, values: dict) -> str:
        text = self.ask(ctx, values) if callable(self.ask) else self.ask
        if self.optional and "跳过" not in text:
            text += "（可回「跳过」）"
        return text

    def applies(self, values: dict) -> bool:
        return self.when is None or self.when(values)


@dataclass(frozen=True)
class Flow:
    """A conversation that collects values and saves them once confirmed.

    `save(ctx, values)` writes the domain rows and any outbox rows; it runs in the same transaction as the rest
    of the message, and returns the reply (`ctx.state` holds the whole state then, attachments included).
    `brief(values)` names an unfinished entry in a few words (「丁浩然的走访」) for drafts. Raise `version`
    whenever a change would misread states saved by the old declaration (a step renamed, removed or given a
    different meaning).
    """

    name: str
    title: str
    triggers: tuple[str, ...]
    steps: tuple[Step, ...]
    save: Callable[[Ctx, dict], str]
    roles: tuple[str, ...] | None = None
    confirm: bool = True
    summary: Callable[[Ctx, dict], str] | None = None
    denied: str = "抱歉，这项功能只对工作人员开放。发「帮助」看看您能做什么。"
    describe: str = ""
    version: int = 1
    brief: Callable[[dict], str] | None = None
    # A one-shot trigger mid-conversation starts this flow only when the words after it say something this
    # flow can use (「走访 马小军 …」 names someone); None: any words do.
    claims: Callable[[str, Ctx], bool] | None = None
    draftable: bool = True
    extra: dict = field(default_factory=dict)
    # What the confirmation asks (the request flow shows the card it will send: 「这样发给志愿者可以吗？」).
    confirm_prompt: str = DEFAULT_CONFIRM
    # An answer that does not fit the question asked but fits another missing step (「没有电话」 when asked
    # for a name) fills that step, and the question is asked again, instead of being refused.
    misplaced: bool = False

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def has_step(self, name: str) -> bool:
        return name in SPECIAL_STEPS or any(s.name == name for s in self.steps)

    def allowed(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    def label_of(self, values: dict) -> str:
        """「丁浩然的走访记录」: what a draft of this flow is called."""
        if self.brief:
            try:
                return self.brief(values) or self.title
            except (KeyError, TypeError, AttributeError):
                return self.title
        return self.title


def new_state() -> dict:
    """What a conversation collects: values by step, the order they were filled, a pending numbered choice,
    wrong answers per step, steps whose value was refused (so no default hides that), and attachments."""
    return {"values": {}, "filled": [], "pending": None, "tries": {}, "refused": [], "attachments": []}


def is_current(flow: Flow | None, state: dict) -> bool:
    """A saved state this declaration can still resume: same version, and its step still exists."""
    return flow is not None and state.get("version", 1) == flow.version and flow.has_step(state["step"])


def start(flow: Flow, ctx: Ctx, text: str = "") -> list[str]:
    """Begin `flow`; `text` is whatever followed the trigger word and may fill several steps at once."""
    if not flow.allowed(ctx.role):
        return [flow.denied]
    data = new_state()
    try:
        notes = _extract_all(flow, ctx, data, text) if text.strip() else []
    except Abort as exc:
        conversations.clear(ctx.db, ctx.person_id)
        return [str(exc)]
    return _advance(flow, ctx, data, notes)


def restore(flow: Flow, state: dict, ctx: Ctx) -> list[str]:
    """Make a draft the active conversation again and repeat its question."""
    data = {**new_state(), **state["data"]}
    conversations.save(ctx.db, ctx.person_id, flow.name, state["step"], flow.version, data, ctx.now, IDLE,
                       started=state.get("started_at"))
    return [question(flow, {"step": state["step"], "data": data}, ctx)]


def resume(flow: Flow, state: dict, ctx: Ctx, text: str) -> list[str]:
    """Handle one answer in an active conversation."""
    data, step_name = {**new_state(), **state["data"]}, state["step"]
    if is_word(text, HELP):
        return [_help(flow, ctx, data, step_name)]
    if is_word(text, BACK):
        return _back(flow, ctx, data, step_name)
    if step_name == CONFIRM:
        return _on_confirm(flow, ctx, data, text)
    if step_name == EDITING:
        return _on_edit_choice(flow, ctx, data, text)
    step = flow.step(step_name)
    if data.get("pending"):
        return _on_pending(flow, ctx, data, step, text)
    if is_word(text, SKIP) and step.optional:
        return _set(flow, ctx, data, step, None)
    try:
        value, rest = _answer(step, ctx, data, text)
    except Ambiguous as exc:
        data["pending"] = {"step": step.name, "options": [list(o) for o in exc.options], "question": exc.question}
        notes = _fill_several(flow, data, exc.also) if exc.also is not None else []
        _save_state(flow, ctx, step.name, data)
        return ["\n".join([*notes, _pending_question(exc.question, exc.options)])]
    except Invalid as exc:
        kept = _fits_elsewhere(flow, ctx, data, step, text) if flow.misplaced else ""
        if kept:
            _save_state(flow, ctx, step.name, data)
            return [f"{kept}\n{step.question(ctx, data['values'])}"]
        return [_wrong_answer(flow, ctx, data, step, str(exc))]
    except Abort as exc:
        conversations.clear(ctx.db, ctx.person_id)
        return [str(exc)]
    data["tries"].pop(step.name, None)
    notes: list[str] = []
    if isinstance(value, Several):
        notes += _fill_several(flow, data, value, answered=step.name)
        rest = value.rest
    else:
        _fill(data, step, value)
    notes += _extract_all(flow, ctx, data, rest) if rest.strip() else []
    return _advance(flow, ctx, data, notes)


def answer_no(flow: Flow, state: dict, ctx: Ctx) -> list[str]:
    """「不用了」 to a question that invites it: the step's own 「无」."""
    return resume(flow, state, ctx, "无")


def question(flow: Flow, state: dict, ctx: Ctx) -> str:
    """What the conversation is waiting for, to repeat after an interruption."""
    data, step_name = {**new_state(), **state["data"]}, state["step"]
    if step_name == CONFIRM:
        if flow.confirm_prompt != DEFAULT_CONFIRM:
            return flow.confirm_prompt
        return "核对无误请回 1 确认保存，2 修改，3 取消。"
    if step_name == EDITING:
        return "请回编号选择要修改的项。"
    pending = data.get("pending")
    if pending:
        return _pending_question(pending.get("question") or flow.step(pending["step"]).label,
                                 [tuple(o) for o in pending["options"]])
    return flow.step(step_name).question(ctx, data["values"])


def current_step(flow: Flow, state: dict) -> Step | None:
    return None if state["step"] in SPECIAL_STEPS else flow.step(state["step"])


def remember_saved(flow: Flow, ctx: Ctx, values: dict, outcome: str) -> None:
    """Keep, for a few minutes, that this entry was just saved or cancelled (a double tap must not repeat it)."""
    data = {"values": {}, "filled": [], "outcome": outcome, "label": flow.label_of(values)}
    conversations.save(ctx.db, ctx.person_id, flow.name, SAVED, flow.version, data, ctx.now, SAVED_MEMORY)


# ---------------------------------------------------------------- answers

def _answer(step: Step, ctx: Ctx, data: dict, text: str) -> tuple[Any, str]:
    """A direct answer; when the step can extract, extra words may fill later steps too."""
    if step.extract and not step.free_text:
        found = step.extract(text, ctx, data["values"])
        if isinstance(found, Several):
            return found, found.rest
        if found is not None:
            return found
    parsed = step.parse(text.strip(), ctx, data["values"])
    return (parsed, "") if not isinstance(parsed, Several) else (parsed, parsed.rest)


def _wrong_answer(flow: Flow, ctx: Ctx, data: dict, step: Step, why: str) -> str:
    """Say why and ask again; from the second miss on, also say how to get out. Nothing is stored."""
    tries = data["tries"][step.name] = data["tries"].get(step.name, 0) + 1
    _save_state(flow, ctx, step.name, data)
    asked = step.question(ctx, data["values"])
    if _NUMBERED.search(why) and _NUMBERED.search(asked):
        why = why.split("\n")[0]  # the question lists the choices again: once is enough
    text = f"{why}\n{asked}"
    if tries >= TRIES_BEFORE_ESCAPE:
        text += "\n" + escape_hint(ctx, step)
    return text


def escape_hint(ctx: Ctx, step: Step | None = None) -> str:
    skip = "回「跳过」先不填，" if step is not None and step.optional else ""
    if ctx.is_staff:
        return f"（{skip}回「取消」放弃这次填写，回「帮助」看说明。）"
    return f"（不好回答的话，{skip}回「转人工」请社工帮您，或回「取消」不办了。）"


def _fits_elsewhere(flow: Flow, ctx: Ctx, data: dict, asked: Step, text: str) -> str:
    """Offer an answer the asked step refused to the other missing steps (never free-text ones). Only an
    answer they take whole counts (「没有电话」, not the place in 「怡园社区要啥材料」). Returns
    「记下了：电话 没有电话。」 when one took it, else "" (and nothing is kept)."""
    before = {**data["values"]}
    steps = [s for s in flow.steps if s is not asked and s.extract and not s.free_text
             and s.name not in before and s.applies(before)]
    found_values = {}
    for step in steps:
        try:
            found = step.extract(text, ctx, {**before, **found_values})
        except (Invalid, Ambiguous):
            continue
        if found is not None:
            found_values[step.name] = found[0]
            text = found[1]
    if not found_values or len(re.sub(r"[\W_]", "", text)) > 2:
        return ""
    taken = [s for s in steps if s.name in found_values]
    for step in taken:
        _fill(data, step, found_values[step.name])
    return "记下了：" + "，".join(f"{s.label} {s.show(data['values'][s.name])}" for s in taken) + "。"


def _extract_all(flow: Flow, ctx: Ctx, data: dict, text: str) -> list[str]:
    """Offer the text to every missing step's extractor: precise ones first, free text last."""
    notes: list[str] = []
    missing = [s for s in flow.steps if s.name not in data["values"] and s.extract]
    for step in sorted(missing, key=lambda s: s.free_text):
        if not text.strip() or step.name in data["values"] or not step.applies(data["values"]):
            continue
        try:
            found = step.extract(text, ctx, data["values"])
        except Ambiguous as exc:
            if data.get("pending") is None:
                data["pending"] = {"step": step.name, "options": [list(o) for o in exc.options],
                                   "question": exc.question}
            if exc.also is not None:
                notes += _fill_several(flow, data, exc.also)
            text = exc.rest if exc.rest is not None else text
            continue
        except Invalid as exc:
            notes.append(str(exc))
            if step.name not in data["refused"]:
                data["refused"].append(step.name)
            text = exc.rest if exc.rest is not None else text
            continue
        if isinstance(found, Several):
            notes += _fill_several(flow, data, found)
            text = found.rest
        elif found is not None:
            value, text = found
            _fill(data, step, value)
    return notes


def _fill_several(flow: Flow, data: dict, found: Several, answered: str | None = None) -> list[str]:
    """Fill what one reading said, leaving alone what is known already (except the step being answered)."""
    for name, value in found.values.items():
        if name == answered or name not in data["values"]:
            _fill(data, flow.step(name), value)
    for name in found.refused:
        if name not in data["values"] and name not in data["refused"]:
            data["refused"].append(name)
    return list(found.notes)


def _advance(flow: Flow, ctx: Ctx, data: dict, notes: list[str] | None = None) -> list[str]:
    """Ask the next missing value, or confirm, or save."""
    ctx.state = data
    notes = list(notes or [])
    pending = data.get("pending")
    if pending:
        step = flow.step(pending["step"])
        _save_state(flow, ctx, step.name, data)
        options = [tuple(o) for o in pending["options"]]
        return ["\n".join([*notes, _pending_question(pending.get("question") or step.label, options)])]
    for step in flow.steps:
        values = data["values"]
        if step.name in values or not step.applies(values):
            continue
        # A default fills in silently only when nothing was said for it: a refused date is asked for again.
        if step.default is not None and step.name not in data["refused"]:
            values[step.name] = step.default(ctx, values)
            continue
        _save_state(flow, ctx, step.name, data)
        return ["\n".join([*notes, step.question(ctx, values)])]
    if flow.confirm:
        _save_state(flow, ctx, CONFIRM, data)
        return ["\n".join([*notes, summary_text(flow, ctx, data["values"]), flow.confirm_prompt])]
    return [*notes, *_finish(flow, ctx, data)] if notes else _finish(flow, ctx, data)


def summary_text(flow: Flow, ctx: Ctx, values: dict) -> str:
    if flow.summary:
        return flow.summary(ctx, values)
    lines = [f"请核对{flow.title}："]
    for step in flow.steps:
        if step.name in values and step.applies(values):
            value = values[step.name]
            lines.append(f"{step.label}：{'无' if value in (None, '') else step.show(value)}")
    return "\n".join(lines)


def _finish(flow: Flow, ctx: Ctx, data: dict) -> list[str]:
    """Save the domain rows, all or nothing (a savepoint inside the message's transaction)."""
    ctx.state = data
    try:
        with transaction(ctx.db):
            reply = flow.save(ctx, data["values"])
    except (Invalid, Abort) as exc:
        # Something changed since the values were checked (a code used meanwhile): nothing was written.
        conversations.clear(ctx.db, ctx.person_id)
        return [str(exc)]
    if flow.confirm:
        remember_saved(flow, ctx, data["values"], "saved")
    else:
        conversations.clear(ctx.db, ctx.person_id)
    return [reply]


def _on_confirm(flow: Flow, ctx: Ctx, data: dict, text: str) -> list[str]:
    word = clean(text)
    if word.lower() in CONFIRM_YES:
        return _finish(flow, ctx, data)
    if word in _CONFIRM_NO:
        remember_saved(flow, ctx, data["values"], "cancelled")
        return [f"好的，已取消，{flow.title}没有保存。"]
    edit = re.match(r"^(?:2|改|修改|编辑)\s*(.*)$", word)
    if edit or is_word(word, EDIT):
        target = edit.group(1).strip() if edit else ""
        step = _editable_by_label(flow, data, target) if target else None
        if step:
            return _reask(flow, ctx, data, step)
        return _ask_which_field(flow, ctx, data)
    if flow.confirm_prompt != DEFAULT_CONFIRM:
        return [f"{summary_text(flow, ctx, data['values'])}\n{flow.confirm_prompt}"]
    return [f"请回 1 确认保存，2 修改，3 取消。\n{summary_text(flow, ctx, data['values'])}"]


def _editable(flow: Flow, data: dict) -> list[Step]:
    return [s for s in flow.steps if s.applies(data["values"]) and s.name in data["values"]]


def _editable_by_label(flow: Flow, data: dict, label: str) -> Step | None:
    for step in _editable(flow, data):
        if label in (step.label, step.name) or label.startswith(step.label):
            return step
    return None


def _ask_which_field(flow: Flow, ctx: Ctx, data: dict) -> list[str]:
    steps = _editable(flow, data)
    _save_state(flow, ctx, EDITING, data)
    return ["要改哪一项？\n" + numbered([s.label for s in steps])]


def _on_edit_choice(flow: Flow, ctx: Ctx, data: dict, text: str) -> list[str]:
    steps = _editable(flow, data)
    index = option_index(text.strip(), [(s.name, s.label) for s in steps])
    chosen = steps[index] if index is not None else _editable_by_label(flow, data, clean(text))
    if chosen is None:
        return ["请回编号选要改的项：\n" + numbered([s.label for s in steps])]
    return _reask(flow, ctx, data, chosen)


def _reask(flow: Flow, ctx: Ctx, data: dict, step: Step) -> list[str]:
    """Forget one value and ask for it again; later values that depended on it are kept."""
    data["values"].pop(step.name, None)
    if step.name in data["filled"]:
        data["filled"].remove(step.name)
    _save_state(flow, ctx, step.name, data)
    return [step.question(ctx, data["values"])]


def _back(flow: Flow, ctx: Ctx, data: dict, step_name: str) -> list[str]:
    if step_name == EDITING:
        return _advance(flow, ctx, data)
    if data.get("pending"):
        data["pending"] = None
    if not data["filled"]:
        if step_name == CONFIRM:
            return _advance(flow, ctx, data)
        _save_state(flow, ctx, step_name, data)
        return [f"已经是第一步了。{flow.step(step_name).question(ctx, data['values'])}\n（回「取消」放弃）"]
    last = flow.step(data["filled"].pop())
    data["values"].pop(last.name, None)
    # Defaults filled after it would be stale: let them be filled again.
    for later in flow.steps[flow.steps.index(last):]:
        if later.name not in data["filled"]:
            data["values"].pop(later.name, None)
    _save_state(flow, ctx, last.name, data)
    return [f"好，回到上一步。{last.question(ctx, data['values'])}"]


def _on_pending(flow: Flow, ctx: Ctx, data: dict, step: Step, text: str) -> list[str]:
    options = [tuple(o) for o in data["pending"]["options"]]
    index = option_index(text.strip(), options)
    data["pending"] = None
    if index is None:
        # Not one of the numbers: a fresh answer to the same step.
        return resume(flow, {"data": data, "step": step.name}, ctx, text)
    return _set(flow, ctx, data, step, options[index][0])


def option_index(word: str, options: list[tuple[Any, str]]) -> int | None:
    """Which numbered option `word` picks: 「2」「第二个」「②」「二」 or the option's own words."""
    number = number_answer(word)
    if number is not None:
        return number - 1 if 1 <= number <= len(options) else None
    for index, (_, label) in enumerate(options):
        if word and word == label.split("（")[0]:
            return index
    return None


_CIRCLED = str.maketrans("①②③④⑤⑥⑦⑧⑨０１２３４５６７８９", "1234567890123456789")


def number_answer(word: str) -> int | None:
    """The number a bare answer means (「2」「２」「②」「第二个」「二」), or None when it is not just a number."""
    word = clean(word).translate(_CIRCLED)
    if word.isdecimal():
        return int(word) if len(word) <= 3 else None
    body = word.removeprefix("第").removesuffix("个").removesuffix("项").removesuffix("位").removesuffix("条")
    if not body or len(body) > 3:
        return None
    return chinese_to_int(body)


def _set(flow: Flow, ctx: Ctx, data: dict, step: Step, value: Any) -> list[str]:
    data["tries"].pop(step.name, None)
    _fill(data, step, value)
    return _advance(flow, ctx, data)


def _fill(data: dict, step: Step, value: Any) -> None:
    data["values"][step.name] = value
    if step.name not in data["filled"]:
        data["filled"].append(step.name)
    if step.name in data["refused"]:
        data["refused"].remove(step.name)


def _pending_question(question_text: str, options: list[tuple[Any, str]]) -> str:
    return f"{question_text}\n{numbered([label for _, label in options])}\n请回编号。"


def _help(flow: Flow, ctx: Ctx, data: dict, step_name: str) -> str:
    if step_name == CONFIRM:
        current = "回 1 确认保存，2 修改某一项，3 取消。"
    elif step_name == EDITING:
        current = "回编号选择要修改的项。"
    else:
        step = flow.step(step_name)
        current = step.help or question(flow, {"step": step_name, "data": data}, ctx)
    return (f"您正在填写：{flow.title}。\n{current}\n"
            "随时可回：「取消」放弃，「返回」回到上一步；发「菜单」看全部功能。")


def _save_state(flow: Flow, ctx: Ctx, step: str, data: dict) -> None:
    conversations.save(ctx.db, ctx.person_id, flow.name, step, flow.version, data, ctx.now, IDLE)
