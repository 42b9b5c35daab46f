"""One reading of people's text for every matcher: NFKC, lower case, WeChat emoji codes dropped, and local and
colloquial forms folded to one spelling (哪达->哪里, 莫得->没有, 碎娃/娃娃/娃->孩子, 咋->怎么 ...)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_EMOJI_CODE = re.compile(r"\[[^\[\]\s]{1,4}\]")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
# In order: a longer form before the shorter one it contains (碎娃 before 娃).
DIALECT = tuple(
    tuple(pair.split("="))
    for pair in "哪达=哪里 哪搭=哪里 阿达=哪里 那达=那里 一哈=一下 莫得=没有 没得=没有 莫有=没有 莫人=没人 莫回=没回 "
    "碎娃=孩子 娃娃=孩子 娃=孩子 "
    "咋=怎么 啥=什么 俺=我 老汉=老人 颇烦=烦 得很=很 谝闲传=谝 瞅=看 晓得=知道 在么=在吗".split()
)


@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    # Cached per process: every matcher reads the same message again (about 20 calls a message).
    t = unicodedata.normalize("NFKC", text).lower()
    t = _EMOJI.sub(" ", _EMOJI_CODE.sub(" ", t))
    for a, b in DIALECT:
        t = t.replace(a, b)
    return t.strip()
