"""Words that work at every step, and small helpers for numbered choices."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

CANCEL = ("取消", "算了", "退出", "不弄了", "不填了", "quit", "cancel")
BACK = ("返回", "上一步", "回上一步", "back")
HELP = ("帮助", "？", "?", "怎么弄", "咋弄", "help")
SKIP = ("跳过", "略过", "没有", "无", "skip")
EDIT = ("改", "修改", "编辑")
MORE = ("更多", "下一页", "more")
_TRAILING = "。.!！~～ ，,"


def clean(text: str) -> str:
    return text.strip().strip(_TRAILING).strip()


def is_word(text: str, words: Iterable[str]) -> bool:
    return clean(text).lower() in _folded(tuple(words))


@cache
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w.lower() for w in words)


def numbered(labels: Iterable[str]) -> str:
    return "\n".join(f"{i}. {label}" for i, label in enumerate(labels, 1))
