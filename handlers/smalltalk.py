"""What kind of small talk a message is, from the words alone: pleasantries and greetings (谢谢, 辛苦了, 好的,
👍, 色俩目), praise, complaints and progress questions. Pure functions over the text and the word lists in
data/reference/followup_words.json; the intent matcher reads pure pleasantries as 无 (never a request), and
handlers.followups decides what a follow-up means for the person's own requests."""

from __future__ import annotations

import re
from functools import cache

from data import request_words as words
from data.text import normalize

# Words around a thank-you that change nothing (「谢谢你们社工了」「真的太感谢大家了」).
_FILLER_WORDS = re.compile(r"社工|志愿者|大家|各位|你们|您们|哥哥|姐姐|师傅|老师|同志|领导|真的|实在|非常|特别"
                           r"|一直|再次|老人|老人家|我妈|我爸|我们|咱们")
_FILLER = set("的了啊呀哈啦嘛哦吧呢嗯你您们我都很真太也还就这那个挺又")
_PUNCT = re.compile(r"[\s,，.。!！?？~～、;；:：…\-—'\"“”‘’()（）]+")
_STICKER = re.compile(r"\[[^\[\]]{1,4}\]")


@cache
def _pattern(key: str) -> re.Pattern[str]:
    lists = words.followups()
    listed = [*lists["pleasantries"], *lists["religious_greetings"], *lists["praise"]] if key == "pleasant" \
        else lists[key]
    items = sorted({normalize(w) for w in listed if normalize(w)}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in items))


def has(key: str, text: str) -> bool:
    """Whether the text holds a word of one list (pleasantries, religious_greetings, praise, complaint …)."""
    return bool(_pattern(key).search(normalize(text)))


def pleasant_kind(text: str) -> str | None:
    """'praise', 'thanks' or 'greeting' when the message holds nothing but such words, else None."""
    if not text.strip():
        return None
    norm = _STICKER.sub(" ", normalize(text))
    if not _pattern("pleasant").search(norm) and _PUNCT.sub("", norm):
        return None
    rest = _PUNCT.sub("", _FILLER_WORDS.sub("", _pattern("pleasant").sub("", norm)))
    if any(ch not in _FILLER for ch in rest):
        return None
    flat = _PUNCT.sub("", norm)
    if has("praise", norm) and not re.fullmatch(r"(谢谢|辛苦了?|麻烦了)", flat):
        return "praise"
    if re.search("谢|感谢|辛苦|麻烦|费心|操心", norm):
        return "thanks"
    return "greeting"


def is_religious_greeting(text: str) -> bool:
    return has("religious_greetings", text)


def is_complaint(text: str) -> bool:
    norm = normalize(text)
    return has("complaint", norm) and not re.search(r"没有?(什么)?不满意|挺满意|很满意", norm)


def is_strong_complaint(text: str) -> bool:
    return is_complaint(text) and has("strong_complaint", text)


def is_progress(text: str) -> bool:
    return has("progress", text)
