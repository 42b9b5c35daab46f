"""A look-up asked in the middle of a conversation is answered, and the conversation waits."""

from __future__ import annotations

from data.clock import utcnow
from data.demo import seed_demo
from tests.conversation import converse


def test_roster_lookup_mid_visit_keeps_the_visit(wechat, db):
    seed_demo(db, utcnow())
    converse(wechat, "demo-director", [
        ("走访 王小明", "怎么走访"),
        ("名单", ["王小明", "李小明", "还没填完", "怎么走访"]),
        ("2", "情况怎么样"),
    ])


def test_my_requests_mid_request_keeps_the_request(wechat, db):
    seed_demo(db, utcnow())
    converse(wechat, "demo-family", [
        ("我妈一个人在家，饭都吃不上热的，能不能有人给送个饭", "姓名和住址"),
        ("我的求助", ["还没填完", "姓名和住址"]),
        ("张秀英，怡园社区5号楼3单元", "电话"),
    ])


def test_a_staff_word_from_a_resident_mid_request_is_refused_and_the_request_waits(wechat, db):
    seed_demo(db, utcnow())
    converse(wechat, "demo-family", [
        ("我妈的降压药快吃完了", "姓名和住址"),
        ("名单", ["只对工作人员开放", "还没填完", "姓名和住址", "!李小明", "!高龄"]),
        ("张秀英，怡园社区5号楼3单元", "电话"),
    ])
