"""Whatever anyone sends, in whatever order, the answer is polite: never an error, never a 500."""

from __future__ import annotations

import random

import pytest

from data.clock import utcnow
from data.demo import PERSONAS, seed_demo
from handlers.inbox import SORRY

PIECES = [
    "走访", "记录", "核查", "求助", "绑定", "撤销", "名单", "本月", "查", "我的求助", "进度", "接单", "完成", "退回",
    "转派", "转人工", "回复", "满意", "不满意", "任务", "帮助", "取消", "返回", "跳过", "改", "更多", "1", "2", "3",
    "0", "99", "①", "是", "否", "无", "王秀兰", "王小明", "小明", "马雨涵", "今天", "昨天", "明天", "上周三",
    "2月30日", "上门", "电话", "血压有点高", "降压药快吃完了", "我妈摔倒了", "娃娃被打了", "R1130-01", "T1",
    "13809511234", "64038119800101123X", "]]>", "<xml>", "&amp;", "😀", "[强]", "　", "a" * 300,
    "助老服务队", "怡园社区", "沈闸村", "改 日期", "改 情况", "走防", "帮组",
]


@pytest.mark.parametrize("openid", [p[0] for p in PERSONAS] + ["stranger"])
def test_random_conversations_never_fail(wechat, db, openid):
    seed_demo(db, utcnow())
    rng = random.Random(f"laoxiao-{openid}")
    for _ in range(40):
        text = " ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))
        reply = wechat.say(openid, text)
        assert reply.status == 200, text
        assert reply.text is None or SORRY not in reply.text, f"«{text}» failed"
        assert reply.text is None or len(reply.text.encode()) <= 2048
