"""A feature groups the flows, commands and hooks of one part of laoxiao (visits, help requests ...).

Like a Flask blueprint or an aiogram router: a module declares its feature and decorates its functions onto
it, and nothing takes effect until the app factory composes the features into a `Dispatcher`
(handlers.build_dispatcher). Importing a module never changes what another one does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flows.context import Ctx
from flows.engine import Flow
from flows.message import Message

Runner = Callable[[Ctx, str], str]
Observer = Callable[[Ctx, str], "str | None"]
Fallback = Callable[[Ctx, str], "str | None"]
MediaHandler = Callable[[Ctx, Message], "str | None"]
DENIED = "抱歉，这项功能只对工作人员开放。发「帮助」看看您能做什么。"


@dataclass(frozen=True)
class Command:
    """A word (名单, 接单, 进度 …) and what it does.

    `anytime`: a look-up (名单, 我的求助) answered in the middle of a conversation, which then waits.
    `others`: what a person whose role may not use it gets: "deny" (a polite refusal) or "ignore" (the text is
    read as ordinary words: a resident's 「完成作业了吗」 is no command; but followed by what `glued` expects,
    「完成 R1203-01」, it runs, and the command itself must refuse: the same answer as for a wrong number).
    `glued`: a pattern the words right after the command word must match for 「进度R1203」 (no space) to count
    as the command in the middle of a conversation; without one, only a space or nothing may follow.
    `leaves_flow`: running it mid-conversation sets the conversation aside as a draft (转人工).
    """

    words: tuple[str, ...]
    run: Runner
    roles: tuple[str, ...] | None = None
    describe: str = ""
    denied: str = DENIED
    anytime: bool = False
    others: str = "deny"
    glued: re.Pattern[str] | None = None
    leaves_flow: bool = False

    def allowed(self, role: str) -> bool:
        return self.roles is None or role in self.roles


class Feature:
    """The flows, commands and hooks of one feature, registered on this object only."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.flows: list[Flow] = []
        self.commands: list[Command] = []
        self.observers: list[Observer] = []
        self.fallbacks: list[Fallback] = []
        self.media: list[MediaHandler] = []
        self.clicks: dict[str, str] = {}

    def flow(self, flow: Flow) -> Flow:
        self.flows.append(flow)
        return flow

    def command(self, *words: str, roles: tuple[str, ...] | None = None, describe: str = "",
                denied: str | None = None, anytime: bool = False, others: str = "deny",
                glued: str | None = None, leaves_flow: bool = False) -> Callable[[Runner], Runner]:
        """`@feature.command("名单", roles=STAFF, describe="名单：我负责的服务对象")`."""
        if others not in ("deny", "ignore"):
            raise ValueError(f"others must be 'deny' or 'ignore', not {others!r}")

        def wrap(run: Runner) -> Runner:
            self.commands.append(Command(
                words=words, run=run, roles=roles, describe=describe, denied=denied or DENIED, anytime=anytime,
                others=others, glued=re.compile(glued) if glued else None, leaves_flow=leaves_flow))
            return run

        return wrap

    def observer(self, fn: Observer) -> Observer:
        """Called with every text before it is routed (the mandatory-report check); a notice heads the reply."""
        self.observers.append(fn)
        return fn

    def fallback(self, fn: Fallback) -> Fallback:
        """Tried, in feature order, for text that is no command and no answer; the first reply wins."""
        self.fallbacks.append(fn)
        return fn

    def on_media(self, fn: MediaHandler) -> MediaHandler:
        self.media.append(fn)
        return fn

    def click(self, key: str, text: str) -> None:
        """A click on the Official Account's menu button `key` is handled as if the person had typed `text`."""
        self.clicks[key] = text
