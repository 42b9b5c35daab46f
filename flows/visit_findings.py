"""What a visit note found: the areas a visit must cover, the needs, and danger.

Children's four areas (监护, 安全, 就学, 健康) and elders' four (生活, 健康, 赡养, 居家安全, after the local rules for
visiting elders in special difficulty, 探访关爱) are read clause by clause; each area keeps the clause that speaks
of it, so nothing is reduced to one word. A clause may say something of several areas.
"""

from __future__ import annotations

import re
from functools import cache

from data.alert_words import NOT_NOW, AlertMatcher
from data.categories import AlertWord, urgent_words
from data.text import normalize as fold
from flows import handoff
from flows.visit_notes import clauses

CHILD_AREAS = {
    "监护": ("监护", "照顾", "看护", "管孩子", "没人管", "带着", "带孩子", "奶奶带", "爷爷带", "外婆带", "姑姑带",
           "父母",
           "爸妈", "爸爸", "妈妈", "打工", "回来", "联系", "电话"),
    "安全": ("安全", "危险", "受伤", "伤", "打架", "欺负", "火", "电线", "水渠", "河边", "一个人在家", "锁"),
    "就学": ("就学", "上学", "学习", "学校", "成绩", "作业", "老师", "辍学", "考试", "功课", "在校", "读书", "念书",
           "幼儿园", "文具", "书包"),
    "健康": ("健康", "身体", "感冒", "发烧", "生病", "病", "咳嗽", "吃药", "药", "卫生院", "医院", "瘦", "营养", "疼",
           "精神", "牙", "眼睛"),
}
ELDER_AREAS = {
    "生活": ("生活", "吃饭", "做饭", "饭", "起居", "洗澡", "打扫", "卫生", "买菜", "衣服", "棉衣", "被子", "穿", "吃的",
           "米", "面", "油", "自理"),
    "健康": ("健康", "身体", "血压", "血糖", "药", "病", "疼", "腿", "头晕", "医院", "卫生院", "精神", "摔", "咳",
           "睡眠", "耳朵", "眼睛"),
    "赡养": ("赡养", "儿子", "女儿", "子女", "孙子", "孙女", "老伴", "侄子", "家属", "回来看", "没人管", "照顾",
           "生活费",
           "养老"),
    "居家安全": ("居家安全", "炉子", "煤", "烟筒", "烟囱", "暖气", "取暖", "炕", "电线", "线路", "水管", "漏", "屋顶",
              "门窗", "燃气", "煤气", "扶手", "滑", "房子", "火"),
}
AREA_MAX = 40
_ABOUT_AN_ADULT = re.compile(r"(?:他|她)?(?:的|家)?(?:奶奶|爷爷|外婆|外公|姥姥|姥爷|姑姑|舅舅|叔叔|伯伯|伯父|妈妈|爸爸|"
                            r"母亲|父亲|老人|大人)")
_EVALUATION = re.compile(r"[：:\s]|好|一般|正常|还行|还好|差|不|良|没|无|较|很|挺|都|也|尚")

# A need: something is short, wanted or broken, or nobody looks after someone.
_RESOURCES = ("衣", "被", "褥", "煤", "炭", "柴", "米", "面", "油", "钱", "药", "吃的", "喝的", "书", "本子", "文具",
              "书包", "鞋", "暖气", "电", "水", "轮椅", "拐杖", "眼镜", "助听器", "奶粉", "尿不湿", "菜", "粮")
_WANT = re.compile(r"想申请|申请|需要|想要|想让|想请|想找|找个人|找人|希望|盼着|要个|买不起|没钱|办不了|不会用"
                   r"|帮忙|帮着|能不能|咋办")
_BROKEN = re.compile(r"坏了|坏掉|漏(?:雨|水|风|烟)?|塌|裂|该换|得换|要换|该修|得修|要修|需修")
_SHORT = re.compile(r"缺|不够|快(?:吃|用|烧|喝)?完|(?:吃|用|烧|喝)完了|没有了|也没有|都没有"
                    r"|没有(?!事|问题|变化|啥|什么|大碍|发烧"
                    r"|生病|不舒服|异常)")
_NOBODY = re.compile(r"没人管|没人照顾|没人带|没人看|无人照顾|无人看管")
_FINE = re.compile(r"没事|没问题|不需要|不用|没什么需要|没有需要|都挺好|都好|没有事|没啥|好着呢|没有变化|没变化")


def areas(note: str, kind: str) -> dict[str, str]:
    """Each area the note speaks of, with the clause (or clauses) that say it."""
    table = CHILD_AREAS if kind == "child" else ELDER_AREAS
    found: dict[str, list[str]] = {}
    for clause in clauses(note):
        folded = fold(clause)
        for area, words in table.items():
            if kind == "child" and area != "监护" and _ABOUT_AN_ADULT.match(folded):
                continue  # 「奶奶身体也行」: the grandmother's health is not the child's
            if folded.startswith(area) and _EVALUATION.match(folded[len(area):]):
                # 「监护好」「健康一般」: the words after the area's own name say it (not 「监护人没变化」)
                found.setdefault(area, []).append(clause[len(area):].lstrip("：: ") or clause)
            elif any(w in folded for w in words):
                found.setdefault(area, []).append(clause)
    return {area: "；".join(said)[:AREA_MAX] for area, said in found.items()}


def needs(note: str) -> str | None:
    """The clauses of a note that ask for something: 「冬天的棉衣不够」「冬天的棉衣也莫得」「想申请低保」「没人管」."""
    found = [c for c in clauses(note) if _is_need(c)]
    return "；".join(found) or None


def _is_need(clause: str) -> bool:
    folded = fold(clause)
    if _NOBODY.search(folded) or _WANT.search(folded) or _BROKEN.search(folded):
        return not _FINE.fullmatch(folded)
    if _FINE.search(folded) and not any(r in folded for r in _RESOURCES):
        return False
    return bool(_SHORT.search(folded)) and any(r in folded for r in _RESOURCES)


# ---------------------------------------------------------------- danger

# On a visit, nobody answering the door is what a visit finds out, not an emergency by itself.
_NOT_DANGER_ON_A_VISIT = {"敲门*没人", "门敲*没人", "喊*没人应", "叫门*没人", "找不到人", "找不着人", "找不见人",
                          "报警", "人不见了"}


@cache
def _urgent() -> AlertMatcher:
    """The request matcher's urgent words (one source), less those a visit note uses in passing."""
    return AlertMatcher([w for w in urgent_words() if w.word not in _NOT_DANGER_ON_A_VISIT], NOT_NOW)


def danger(note: str) -> list[AlertWord]:
    """Urgent words in a visit note: carbon monoxide signs, a fall, days without food or heating, self-harm."""
    return _urgent().find(note)


def danger_advice(note: str) -> str:
    """What the visitor should do now, first: the number to call, and for coal smoke, air and get out."""
    words = danger(note)
    if not words:
        return ""
    advice = handoff.advice(words[0].call, tuple(w.word for w in words))
    if any(w in note for w in ("烟", "煤", "炉", "头晕", "恶心")):
        advice = "⚠️ 可能是煤烟（一氧化碳）中毒：请马上开窗通风、把人带到屋外、熄灭炉火。" + advice.removeprefix("⚠️ ")
    return advice
