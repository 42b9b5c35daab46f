"""Command keywords (帮助, 名单, 接单 ...): a word, who may use it, and what it does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flows.context import Ctx

Runner = Callable[[Ctx, str], str]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    run: Runner
    roles: tuple[str, ...] | None = None
    describe: str = ""
    denied: str = "抱歉，这项功能只对工作人员开放。发「帮助」看看您能做什么。"
    # A look-up that may be asked in the middle of a conversation without losing it (名单, 我的求助).
    anytime: bool = False

    def allowed(self, role: str) -> bool:
        return self.roles is None or role in self.roles


COMMANDS: list[Command] = []


def command(*words: str, roles: tuple[str, ...] | None = None, describe: str = "",
            denied: str | None = None, anytime: bool = False) -> Callable[[Runner], Runner]:
    """Register a command: `@command("名单", roles=STAFF, describe="名单：我负责的服务对象")`."""

    def wrap(run: Runner) -> Runner:
        taken = {w for c in COMMANDS for w in c.words}
        clash = taken.intersection(words)
        if clash:
            raise ValueError(f"command words already taken: {clash}")
        extra = {"denied": denied} if denied else {}
        COMMANDS.append(Command(words=words, run=run, roles=roles, describe=describe, anytime=anytime, **extra))
        return run

    return wrap


def find_command(word: str) -> Command | None:
    for cmd in COMMANDS:
        if word in cmd.words:
            return cmd
    return None
