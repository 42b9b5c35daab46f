"""The conversation engine: a flow is a list of steps; the engine asks for what is missing.

A flow reads like the form it replaces. Each step names one value, the question that asks for it, and a
parser (`str -> value`, raising `Invalid` with the sentence to show). A step may also have an extractor
that picks its value out of a longer message, so one message can fill several steps; the engine then
asks only for what is still missing and confirms everything in one short summary.

State lives in the `conversations` table, never in memory: a process restart resumes where it stopped.
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
from flows.words import BACK, CANCEL, EDIT, HELP, SKIP, clean, is_word, numbered

IDLE = timedelta(minutes=30)
CONFIRM = "__confirm"
_CONFIRM_YES = ("1", "确认", "确认保存", "保存", "是", "是的", "对", "对的", "好", "好的", "嗯", "行", "可以", "没问题")
_CONFIRM_NO = ("3", "否", "不", "不要", "不保存")
EDITING = "__edit"

Parser = Callable[[str, Ctx, dict], Any]
Extractor = Callable[[str, Ctx, dict], "tuple[Any, str] | None"]


@dataclass(frozen=True)
class Step:
    """One value of a flow. `ask` may be a callable of (ctx, values) for questions that depend on data."""

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

    `save(ctx, values)` writes the domain rows and any outbox rows; it runs in the same transaction as
    the deletion of the conversation state, and returns the reply.
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
    extra: dict = field(default_factory=dict)

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def allowed(self, role: str) -> bool:
        return self.roles is None or role in self.roles


def start(flow: Flow, ctx: Ctx, text: str = "") -> list[str]:
    """Begin `flow`; `text` is whatever followed the trigger word and may fill several steps at once."""
    if not flow.allowed(ctx.role):
        return [flow.denied]
    data = {"values": {}, "filled": [], "pending": None}
    try:
        notes = _extract_all(flow, ctx, data, text) if text.strip() else []
    except Abort as exc:
        conversations.clear(ctx.db, ctx.openid)
        return [str(exc)]
    return _advance(flow, ctx, data, notes)


def resume(flow: Flow, state: dict, ctx: Ctx, text: str) -> list[str]:
    """Handle one answer in an active conversation."""
    data, step_name = state["data"], state["step"]
    if is_word(text, CANCEL):
        conversations.clear(ctx.db, ctx.openid)
        return [f"已取消，{flow.title}没有保存。需要时随时再发。"]
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
        data["pending"] = {"step": step.name, "options": [list(o) for o in exc.options]}
        _save_state(flow, ctx, step.name, data)
        return [_pending_question(exc.question, exc.options)]
    except Invalid as exc:
        _save_state(flow, ctx, step.name, data)
        return [f"{exc}\n{step.question(ctx, data['values'])}"]
    except Abort as exc:
        conversations.clear(ctx.db, ctx.openid)
        return [str(exc)]
    _fill(data, step, value)
    notes = _extract_all(flow, ctx, data, rest) if rest.strip() else []
    return _advance(flow, ctx, data, notes)


def current_question(flow: Flow, state: dict, ctx: Ctx) -> str:
    """What the conversation is waiting for, to repeat after an interruption."""
    data, step_name = state["data"], state["step"]
    if step_name == CONFIRM:
        return "核对无误请回 1 确认保存，2 修改，3 取消。"
    if step_name == EDITING:
        return "请回编号选择要修改的项。"
    pending = data.get("pending")
    if pending:
        return _pending_question(pending.get("question", flow.step(pending["step"]).label),
                                 [tuple(o) for o in pending["options"]])
    return flow.step(step_name).question(ctx, data["values"])


def _answer(step: Step, ctx: Ctx, data: dict, text: str) -> tuple[Any, str]:
    """A direct answer; when the step can extract, extra words may fill later steps too."""
    if step.extract and not step.free_text:
        found = step.extract(text, ctx, data["values"])
        if found is not None:
            return found
    return step.parse(text.strip(), ctx, data["values"]), ""


def _extract_all(flow: Flow, ctx: Ctx, data: dict, text: str) -> list[str]:
    """Offer the text to every missing step's extractor: precise ones first, free text last."""
    notes: list[str] = []
    missing = [s for s in flow.steps if s.name not in data["values"] and s.extract]
    for step in sorted(missing, key=lambda s: s.free_text):
        if not text.strip() or not step.applies(data["values"]):
            continue
        try:
            found = step.extract(text, ctx, data["values"])
        except Ambiguous as exc:
            if data.get("pending") is None:
                data["pending"] = {"step": step.name, "options": [list(o) for o in exc.options],
                                   "question": exc.question}
            text = getattr(exc, "rest", text)
            continue
        except Invalid as exc:
            notes.append(str(exc))
            continue
        if found is not None:
            value, text = found
            _fill(data, step, value)
    return notes


def _advance(flow: Flow, ctx: Ctx, data: dict, notes: list[str] | None = None) -> list[str]:
    """Ask the next missing value, or confirm, or save."""
    notes = list(notes or [])
    pending = data.get("pending")
    if pending:
        step = flow.step(pending["step"])
        _save_state(flow, ctx, step.name, data)
        options = [tuple(o) for o in pending["options"]]
        return ["\n".join([*notes, _pending_question(pending.get("question", step.label), options)])]
    if data.get("editing_done"):
        data.pop("editing_done")
    for step in flow.steps:
        values = data["values"]
        if step.name in values or not step.applies(values):
            continue
        if step.default is not None:
            values[step.name] = step.default(ctx, values)
            continue
        _save_state(flow, ctx, step.name, data)
        return ["\n".join([*notes, step.question(ctx, values)])]
    if flow.confirm:
        _save_state(flow, ctx, CONFIRM, data)
        return ["\n".join([*notes, summary_text(flow, ctx, data["values"]),
                           "回复 1.确认保存 2.修改 3.取消"])]
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
    """Save the domain rows and drop the state in one transaction: all or nothing."""
    try:
        with transaction(ctx.db):
            reply = flow.save(ctx, data["values"])
            conversations.clear(ctx.db, ctx.openid)
    except (Invalid, Abort) as exc:
        # Something changed since the values were checked (a code used meanwhile): nothing was written.
        conversations.clear(ctx.db, ctx.openid)
        return [str(exc)]
    return [reply]


def _on_confirm(flow: Flow, ctx: Ctx, data: dict, text: str) -> list[str]:
    word = clean(text)
    if word in _CONFIRM_YES or word.lower() == "ok":
        return _finish(flow, ctx, data)
    if word in _CONFIRM_NO:
        conversations.clear(ctx.db, ctx.openid)
        return [f"已取消，{flow.title}没有保存。"]
    edit = re.match(r"^(?:2|改|修改|编辑)\s*(.*)$", word)
    if edit or is_word(word, EDIT):
        target = edit.group(1).strip() if edit else ""
        step = _editable_by_label(flow, data, target) if target else None
        if step:
            return _reask(flow, ctx, data, step)
        return _ask_which_field(flow, ctx, data)
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
    word = text.strip()
    chosen = None
    if word.isdecimal() and 1 <= int(word) <= len(steps):
        chosen = steps[int(word) - 1]
    else:
        chosen = _editable_by_label(flow, data, word)
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
        if step_name == CONFIRM or step_name not in [s.name for s in flow.steps]:
            return _advance(flow, ctx, data)
        _save_state(flow, ctx, step_name, data)
        return [f"已经是第一步了。{flow.step(step_name).question(ctx, data['values'])}\n（回「取消」放弃）"]
    last = flow.step(data["filled"].pop())
    data["values"].pop(last.name, None)
    # Defaults filled after it would be stale: let them be filled again.
    later = [s.name for s in flow.steps[flow.steps.index(last):]]
    for name in later:
        if name not in data["filled"]:
            data["values"].pop(name, None)
    _save_state(flow, ctx, last.name, data)
    return [f"好，回到上一步。{last.question(ctx, data['values'])}"]


def _on_pending(flow: Flow, ctx: Ctx, data: dict, step: Step, text: str) -> list[str]:
    options = [tuple(o) for o in data["pending"]["options"]]
    word = text.strip()
    index = _option_index(word, options)
    if index is None:
        # Not a number: treat it as a fresh answer to the same step.
        data["pending"] = None
        return resume(flow, {"data": data, "step": step.name}, ctx, text)
    data["pending"] = None
    return _set(flow, ctx, data, step, options[index][0])


def _option_index(word: str, options: list[tuple[Any, str]]) -> int | None:
    from flows.parsers import chinese_to_int

    number = int(word) if word.isdecimal() else chinese_to_int(word.lstrip("第").rstrip("个位"))
    if number is not None and 1 <= number <= len(options):
        return number - 1
    for index, (_, label) in enumerate(options):
        if word and word == label.split("（")[0]:
            return index
    return None


def _set(flow: Flow, ctx: Ctx, data: dict, step: Step, value: Any) -> list[str]:
    _fill(data, step, value)
    return _advance(flow, ctx, data)


def _fill(data: dict, step: Step, value: Any) -> None:
    data["values"][step.name] = value
    if step.name not in data["filled"]:
        data["filled"].append(step.name)


def _pending_question(question: str, options: list[tuple[Any, str]]) -> str:
    return f"{question}\n{numbered([label for _, label in options])}\n请回编号。"


def _help(flow: Flow, ctx: Ctx, data: dict, step_name: str) -> str:
    if step_name == CONFIRM:
        current = "回 1 确认保存，2 修改某一项，3 取消。"
    elif step_name == EDITING:
        current = "回编号选择要修改的项。"
    else:
        step = flow.step(step_name)
        current = step.help or step.question(ctx, data["values"])
    return (f"您正在填写：{flow.title}。\n{current}\n"
            "随时可回：「取消」放弃，「返回」回到上一步。")


def _save_state(flow: Flow, ctx: Ctx, step: str, data: dict) -> None:
    conversations.save(ctx.db, ctx.openid, flow.name, step, data, ctx.now, IDLE)
