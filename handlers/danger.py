"""Is the danger a message names happening to someone now?

Urgent words (摔倒, 走失, 冒烟 …) raise an alert only for a present danger to a person. The same words also
describe a fall last week that now needs a wheelchair, a worry (怕他走丢), a habit (经常头晕), a device (一键
报警, 防走失手环), a question about money after the fact (摔伤了能报销吗) or something already over (已经送医院
了, 找到了). Those are routed by the need they describe and flagged for a worker's look instead.

A word marked hard in the reference data (救命, 不想活 …) always alerts. A word marked soft (想不开, 头晕想吐)
alerts only with a sign that it is happening now (刚才, 突然, 赶紧 …). Any other word alerts unless the message
says it is past, feared, habitual, resolved or about something else; a sign of now wins over all of these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from data.alert_words import word_pattern
from data.categories import AlertWord, acute_signs

# Signs that it is happening now; they win over the past (「昨天摔倒了，到现在还起不来」). 「现在」 alone does not:
# 「前几天摔倒了，现在腿还肿着」 is a fall to look after, not an emergency.
_NOW = re.compile(
    r"刚才|刚刚|刚摔|正在|马上|赶紧|赶快|快来|快点|救命|来人|怎么办啊|咋办啊|咋整啊|起不来|爬不起来|叫不醒"
    r"|不省人事|没气|没呼吸|止不住|动不了了|还在地上|一直没回|到现在|突然|一下子|快帮|快找|快派|立即|立刻|急死"
    r"|还没到家|还没回家|还没回来|人没回来|找不到人|找不着人"
)
_SUDDEN = re.compile(r"突然|一下子|刚才|刚刚|现在|这会儿|赶紧|快来|救命|到现在|从来没")
_PAST = re.compile(
    r"去年|前年|上个?月|上次|上回|以前|之前|那年|小时候|前几天|前两天|前些天|前些日子|前天|昨天|昨晚|上礼拜|上周"
    r"|上星期|年前|几年前|那回|当时|差点|差一点|[两三四五几好多]年了?(?:前|来)|年轻时|自从"
)
_AFTER = re.compile(r"(?:过|以后|之后|后|的话|了以后|了之后|后来|那次|了一[次回]|了两[次回])")
_RESOLVED = re.compile(
    r"送医院了|送到医院|送去医院|住院了|住着院|出院|找到了|找回来|回来了|已经好了|好多了|没事了|没大碍|抢救过来"
    r"|救过来|灭了|扑灭|处理好了|缝了|包扎了|已经报警|报警了|报了警|已经打了120|已经叫了救护车|人没事"
    r"|石膏|夹板|做了手术|手术后|术后"
)
# 「一开灯就跳闸」 is a habit, 「摸了一下水管就倒了」 an event: a habit's clause has no 了 after 就.
_WORRY = re.compile(r"怕|担心|万一|防|预防|以免|免得|避免|会不会|容易|经常|老是|总是|常常|(?<!一)动不动|如果|要是|假如"
                    r"|一旦|随时|有时候|时不时|隔三差五|一[^，,。\s]{0,4}就[^，,。\s了]*(?=[，,。\s]|$)")
_ABOUT = re.compile(
    r"报销|赔偿|补贴|保险|理赔|起诉|打官司|律师|讲座|宣传|培训|知识|新闻|听说|电视上|手环|报警器|报警按钮|一键|扶手"
    r"|防滑|安装|装个|装一|定位|手表|检查一下|复查|拍片|看病|开药|买药|轮椅|拐杖|护理|康复|医药费|药费|住院费|证明"
)
_WORRY_OF = re.compile(r"怕|担心|万一")
# Signs that have lasted a while (「最近老咳出血丝」): a need to see a doctor, unless something says now.
_CHRONIC = re.compile(r"最近|这段时间|这阵子|这些日子|好久|几个月|半年|老[咳疼吐喘晕]|想去.{0,3}医院"
                      r"|去.{0,3}医院看看|挂号")
_GAS = re.compile(r"煤烟|煤气|烟味|炉子|炭火|火炉|一氧化碳|燃气味|煤味|生着火|烧炕")
_POISONED = re.compile(r"头晕|头昏|恶心|想吐|吐了|晕了|迷糊|叫不醒|站不稳|没力气")
GAS_POISONING = AlertWord(word="煤烟中毒", call="120", hard=True)
ACUTE = AlertWord(word="急症迹象", call="120", guard=True)
_KIN = re.compile(r"妈|爸|爹|娘|奶|爷|老人|老汉|老伴|孩子|儿|女|孙|婆|公|哥|姐|弟|妹|叔|姨|舅|姑|邻居|他|她|同学|朋友")
_CLAUSE = re.compile(r"[\s,.!?;:~…、。，！？；：]+")


class DangerJudge:
    """`judge(norm, words)`: which alert words describe a present danger, and which do not. Signs of an acute
    danger that add up (「脸色发白，手心都是冷汗」) count as one more alert word, for wordings the list lacks."""

    def __init__(self, words: Iterable[AlertWord]) -> None:
        self._patterns = {w.word: word_pattern(w) for w in words}
        signs = acute_signs()
        self._signs = [(word_pattern(AlertWord(word=w), gap=4), weight, call) for w, weight, call in signs.signs]
        self._acute = signs

    def acute(self, norm: str) -> AlertWord | None:
        """The signs of an acute danger in the text, as one alert word when they add up."""
        found = [(weight, call) for pattern, weight, call in self._signs if pattern.search(norm)]
        if not found:
            return None
        score = sum(w for w, _ in found) + (self._acute.now_bonus if any(m in norm for m in self._acute.now) else 0)
        if score < self._acute.threshold:
            return None
        return AlertWord(word=ACUTE.word, call=max(found)[1], guard=True)

    def judge(self, norm: str, found: list[AlertWord]) -> tuple[list[AlertWord], list[AlertWord]]:
        """(present, not present) among the words `found` in the normalised text."""
        present, defused = [], []
        if _GAS.search(norm) and _POISONED.search(norm) and not _WORRY.search(norm):
            # Coal smoke and someone dizzy or sick, in any order and clause: gas poisoning now.
            present.append(GAS_POISONING)
        now = bool(_NOW.search(norm))
        for word in found:
            (present if self._is_present(norm, word, now) else defused).append(word)
        return present, defused

    def _is_present(self, norm: str, word: AlertWord, now: bool) -> bool:
        if word.hard:
            return True
        if word.soft:
            # 「担心我爸想不开」: a worry about suicide (a word with a hotline) is never defused, nor the sender
            # saying it of themselves (「我觉得想不开」).
            return bool(_SUDDEN.search(norm)) or bool(word.note and (_WORRY_OF.search(norm)
                                                                     or self._of_sender(norm, word)))
        if now:
            return True
        if _PAST.search(norm) or _RESOLVED.search(norm) or _ABOUT.search(norm):
            return False
        if word.word == ACUTE.word:  # signs spread over the message: read the whole of it
            if _WORRY.search(norm):
                return False
            return now or not (_PAST.search(norm) or _RESOLVED.search(norm) or _ABOUT.search(norm)
                               or _CHRONIC.search(norm))
        pattern = self._patterns.get(word.word)
        match = pattern.search(norm) if pattern else None
        if match is None:
            return True
        clause_start = max((m.end() for m in _CLAUSE.finditer(norm, 0, match.start())), default=0)
        if _WORRY.search(norm[clause_start:match.start()]) or _AFTER.match(norm, match.end()):
            return False
        return True


    def _of_sender(self, norm: str, word: AlertWord) -> bool:
        pattern = self._patterns.get(word.word)
        match = pattern.search(norm) if pattern else None
        if match is None:
            return False
        clause_start = max((m.end() for m in _CLAUSE.finditer(norm, 0, match.start())), default=0)
        before = norm[clause_start:match.start()]
        return "我" in before and not _KIN.search(before)


def flag_text(words: list[AlertWord]) -> str | None:
    """What the worker reads: 「提到「摔倒」，看来不是眼前的危险」."""
    if not words:
        return None
    named = "」「".join(dict.fromkeys(w.word.replace("*", "…") for w in words))
    return f"提到「{named}」，看来不是眼前的危险，请社工看一眼"
