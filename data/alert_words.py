"""Finding alert words in a message: urgent words (摔倒了起不来, 煤烟) and child- and elder-protection words (打孩子,
把老人锁在屋里). One matcher for both lists, used by the intent matcher, the mandatory-report check and visits.

A word may hold `*` for a short gap; `not_before` / `not_after` list neighbours that make it harmless
(打我妈电话). A word marked `guard` is defused by a worry or the past earlier in its clause (怕孩子被打, 去年摔过),
or by 过/的话 right after it. Which words defuse depends on the list: 经常摔倒 is no emergency now, but
经常打孩子 is still a report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from data.categories import AlertWord
from data.text import normalize

_SEPARATORS = r"[\s,.!?;:~…、。，！？；：]"
_SEP = re.compile(_SEPARATORS + "+")
_GAP = r"[^\s,.!?;:~…、。，！？；：]{0,%d}?"
WORRY_OR_PAST = tuple(
    "怕 担心 万一 防 以免 免得 避免 去年 前年 上个月 几个月 以前 之前 上次 上回 那年 小时候 差点 差一点".split())
NOT_NOW = WORRY_OR_PAST + ("容易", "经常", "老是", "会不会")
GUARD_AFTER = ("过", "的话")


def word_pattern(word: AlertWord, gap: int = 6) -> re.Pattern[str]:
    """The regular expression for one word, on normalised text."""
    body = (_GAP % gap).join(re.escape(normalize(p)) for p in word.word.split("*"))
    before = "".join(f"(?<!{re.escape(normalize(w))})" for w in word.not_after)
    after = "".join(f"(?!{re.escape(normalize(w))})" for w in word.not_before)
    return re.compile(before + body + after)


class AlertMatcher:
    """`find(text)`: the words of one list that a message contains, each once, in list order."""

    def __init__(self, words: Iterable[AlertWord], guards: tuple[str, ...]) -> None:
        self.table = [(w, word_pattern(w)) for w in words]
        self.guards = guards
        self.any = re.compile("|".join(f"(?:{p.pattern})" for _, p in self.table) or "(?!)")

    def find(self, text: str, normalized: bool = False) -> list[AlertWord]:
        norm = text if normalized else normalize(text)
        if not norm or not self.any.search(norm):
            return []
        found = []
        for word, pattern in self.table:
            for match in pattern.finditer(norm):
                if word.guard and self._defused(norm, match.start(), match.end()):
                    continue
                found.append(word)
                break
        return found

    def _defused(self, norm: str, start: int, end: int) -> bool:
        clause_start = max((m.end() for m in _SEP.finditer(norm, 0, start)), default=0)
        before = norm[clause_start:start]
        return any(g in before for g in self.guards) or norm.startswith(GUARD_AFTER, end)
