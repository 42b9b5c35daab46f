"""Words that work at every step, and small helpers for numbered choices."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

# Cancel words end any conversation. The weak ones are also a plain "no": where a question invites that (「有
# 需要帮忙的吗？」「留个电话？」) they answer it instead (Step.negatable).
STRONG_CANCEL = ("取消", "算了", "退出", "不弄了", "不填了", "不办了", "不记了", "不问了", "不求助了", "不报了",
                 "不搞了", "不整了", "放弃", "关闭", "结束", "不说了", "quit", "cancel", "exit")
WEAK_CANCEL = ("不用了", "不要了", "不需要了", "不用", "不要", "不用麻烦了")
CANCEL = STRONG_CANCEL + WEAK_CANCEL
CONTINUE = ("继续", "接着填", "继续填", "接着", "继续填写", "接着来")
BACK = ("返回", "上一步", "回上一步", "back")
HELP = ("帮助", "？", "?", "怎么弄", "咋弄", "help")
MENU = ("菜单", "menu", "功能", "能做什么", "主菜单")
SKIP = ("跳过", "略过", "没有", "无", "skip")
EDIT = ("改", "修改", "编辑")
MORE = ("更多", "下一页", "more")
_TRAILING = "。.!！~～ ，,"
_PARTICLES = "吧啊呀哈啦嘛哦喔了"
_POLITE = ("谢谢", "谢谢你", "谢谢你们", "谢了", "麻烦了", "好的", "好", "嗯", "哦", "那就", "还是", "先")
_TOKENS = re.compile(r"[\s,，.。!！?？~～、;；…]+")


def clean(text: str) -> str:
    return text.strip().strip(_TRAILING).strip()


def is_word(text: str, words: Iterable[str]) -> bool:
    return clean(text).lower() in _folded(tuple(words))


def cancel_kind(text: str) -> str | None:
    """'strong' or 'weak' when the message only says to stop (「算了吧」「不用了，谢谢」「算了不办了」), else None."""
    tokens = [t for t in _TOKENS.split(text.strip().lower()) if t]
    if not tokens or len(text) > 24:
        return None
    kinds = set()
    for token in tokens:
        if token in _POLITE:
            continue
        match = _cancel_pattern().fullmatch(token)
        if not match:
            return None
        words = _cancel_word().findall(token)
        kinds.add("strong" if any(w in _folded(STRONG_CANCEL) for w in words) else "weak")
    if not kinds:
        return None
    return "strong" if "strong" in kinds else "weak"


@cache
def _cancel_word() -> re.Pattern[str]:
    words = sorted(_folded(CANCEL), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@cache
def _cancel_pattern() -> re.Pattern[str]:
    return re.compile(f"(?:我|那|那就|还是|就|先)?(?:(?:{_cancel_word().pattern})[{_PARTICLES}]*)+")


@cache
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w.lower() for w in words)


def numbered(labels: Iterable[str]) -> str:
    return "\n".join(f"{i}. {label}" for i, label in enumerate(labels, 1))
