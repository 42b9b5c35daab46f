"""转人工 and two misunderstandings in a row: a ticket to the worker, who answers through laoxiao."""

from __future__ import annotations

import json

import pytest

from data import handoffs, people
from data.clock import utcnow
from tests import requests_world as world
from tests.conversation import converse


@pytest.fixture
def who(db):
    return world.build(db)


def _ticket(text: str) -> str:
    found = world.TICKET.search(text)
    assert found, f"no ticket number in «{text}»"
    return found.group(0)


def test_asking_for_a_human_and_the_worker_replying(wechat, db, who):
    replies = converse(wechat, "fam-1", [
        ("我家的事有点复杂，想跟社工当面说", lambda t: t is not None),
        ("转人工", ["已请社工来回复您", "编号 T"]),
    ])
    label = _ticket(replies[-1])
    # Nobody knows this person's site yet: every worker is told, with the last messages.
    for openid in ("w-yy", "w-sz"):
        card = world.pushes(db, openid)[-1]
        assert f"【转人工 {label}】" in card and "想跟社工当面说" in card and f"回复 {label}" in card
    ticket = handoffs.get(db, int(label[1:]))
    assert ticket["reason"] == "asked" and any("当面说" in m["text"] for m in ticket["last_messages"])

    converse(wechat, "w-yy", [
        (f"回复 {label}", "请写上回复内容"),
        (f"回复 {label} 您好，我是社工马丽，明天上午去您家", "已发给对方"),
    ])
    assert "社工马丽回复您：您好，我是社工马丽，明天上午去您家" in world.pushes(db, "fam-1")[-1]
    # What the person says next goes to the worker, not to the matcher.
    converse(wechat, "fam-1", [("好的，我在家等着", "已转给社工")])
    assert "好的，我在家等着" in world.pushes(db, "w-yy")[-1]
    directions = [m["direction"] for m in handoffs.messages(db, ticket["id"])]
    assert directions == ["out", "in"]


def test_two_misunderstandings_in_a_row_hand_over_to_a_human(wechat, db, who):
    converse(wechat, "fam-2", [
        ("嗯哼哈嘿呜", ["没太明白", "1. 做饭打扫（生活照料）", "12. 文体活动"]),
        ("呜呜哈嘿", ["还是没弄明白", "编号 T"]),
    ])
    ticket = handoffs.active_ticket(db, people.get_person(db, "fam-2")["id"], utcnow())
    assert ticket["reason"] == "not_understood"
    texts = [m["text"] for m in ticket["last_messages"]]
    assert texts[-2:] == ["嗯哼哈嘿呜", "呜呜哈嘿"]
    assert any("呜呜哈嘿" in t for t in world.pushes(db, "w-yy"))


def test_a_miss_then_a_number_from_the_menu_starts_the_request(wechat, db, who):
    converse(wechat, "fam-3", [
        ("嗯哼哈嘿呜", "没太明白"),
        ("2", "需要什么帮助"),
        ("帮我妈量量血压", "姓名和住址"),
        ("王秀兰，怡园社区3号楼", "联系电话"),
        ("跳过", "类别：医疗健康"),
    ])


def test_a_miss_then_a_clear_sentence_goes_on_normally(wechat, db, who):
    converse(wechat, "fam-4", [
        ("嗯哼哈嘿呜", "没太明白"),
        ("我奶奶的被子太薄了，有没有旧棉被", "姓名和住址"),
        ("张兰，怡园社区1号楼", "联系电话"),
        ("跳过", "类别：物资帮扶"),
    ])


def test_small_talk_is_answered_without_a_menu(wechat, db, who):
    converse(wechat, "fam-5", [
        ("你好", ["您好", "!没太明白"]),
        ("谢谢你们 上次的事办好了", "不客气"),
        ("你是机器人还是真人啊", "转人工"),
        ("[强][强]", "好的"),
        ("👍", "好的"),
        ("1", ["是指什么", "!请说说需要什么帮助"]),  # a stray number picks nothing from a menu never shown
    ])
    assert db.execute("SELECT COUNT(*) FROM conversations").fetchone()[0] == 0


def test_staff_are_not_handed_to_a_worker(wechat, db, who):
    converse(wechat, "w-yy", [
        ("嗯哼哈嘿呜", "没太明白"),
        ("呜呜哈嘿", ["没太明白", "!编号 T"]),
    ])


def test_a_ticket_is_answered_only_by_its_sites_staff(wechat, db, who):
    replies = converse(wechat, "fam-6", [
        ("我一个人住，屋顶漏雨了", "为谁"), ("1", "联系电话"), ("跳过", "哪个社区"), ("怡园社区", "居家安全"),
        ("1", "编号"),
        ("转人工", "编号 T"),
    ])
    label = _ticket(replies[-1])
    assert handoffs.get(db, int(label[1:]))["site_id"] == who["w-yy"]["site_id"]  # from the earlier request
    assert not any(label in t for t in world.pushes(db, "w-sz"))
    converse(wechat, "w-sz", [(f"回复 {label} 你好", f"没有找到您可以回复的工单 {label}")])
    converse(wechat, "admin-1", [(f"回复 {label} 你好，我是管理员", "已发给对方")])
    # A resident's 「回复 …」 is just words, never a way to speak to someone else.
    converse(wechat, "fam-7", [(f"回复 {label} 我是社工", "!已发给对方")])
    assert not any("我是社工" in t for t in world.pushes(db, "fam-6"))


def test_ticket_keeps_at_most_five_recent_messages(wechat, db, who):
    for text in ["第一句话说说", "第二句话说说", "第三句话说说", "第四句话说说", "第五句话说说", "第六句话说说"]:
        wechat.say("fam-8", f"{text}，再说一遍")
        wechat.say("fam-8", "取消")
    replies = converse(wechat, "fam-8", [("找社工", "编号 T")])
    ticket = handoffs.get(db, int(_ticket(replies[-1])[1:]))
    assert len(ticket["last_messages"]) == 5
    assert json.dumps(ticket["last_messages"], ensure_ascii=False).count("找社工") == 1
