"""转人工 and its life: the family's site first, the worker answers through laoxiao, a new need still becomes a
request, pleasantries wake nobody, and the ticket ends with 「结束 T1」 or a day of silence."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from data import handoffs, people
from data import requests as reqs
from data.clock import utcnow
from flows.escalation import housekeeping
from tests import requests_world as world
from tests.conversation import converse

env, who = world.env, world.who  # fixtures shared by the request tests

TZ = ZoneInfo("Asia/Shanghai")


def _ticket(db, label: str) -> dict:
    return handoffs.get(db, int(label[1:]))


def test_the_family_names_their_site_then_only_that_sites_worker_is_asked(wechat, db, who, settings, fake):
    replies = converse(wechat, "fam-1", [
        ("我家的事有点复杂，想跟社工当面说", lambda t: t is not None),
        ("转人工", ["哪个社区或村", "1. 怡园社区", "2. 沈闸村", "都不是", "编号 T"]),
    ])
    label = world.last_ticket(replies[-1])
    assert world.pushes(db, "w-yy") == world.pushes(db, "w-sz") == []  # nobody is bothered before the answer
    converse(wechat, "fam-1", [("1", ["已请怡园社区的社工来回复您", label])])
    card = world.delivered(db, settings, fake, "w-yy")[-1]
    assert f"【转人工 {label}】" in card and "想跟社工当面说" in card and f"回复 {label}" in card
    assert f"结束 {label}" in card
    assert world.delivered(db, settings, fake, "w-sz") == []
    ticket = _ticket(db, label)
    assert ticket["reason"] == "asked" and ticket["site_id"] == who["w-yy"]["site_id"]

    converse(wechat, "w-yy", [
        (f"回复 {label}", "请写上回复内容"),
        (f"回复 {label} 您好，我是社工马丽，明天上午去您家", ["已发给对方", f"结束 {label}"]),
    ])
    assert "社工马丽回复您：您好，我是社工马丽，明天上午去您家" in world.delivered(db, settings, fake, "fam-1")[-1]
    assert _ticket(db, label)["answered_at"] is not None
    # What the person says next goes to the worker, not to the matcher.
    converse(wechat, "fam-1", [("好的，我在家等着", "已转给社工")])
    assert "好的，我在家等着" in world.delivered(db, settings, fake, "w-yy")[-1]

    converse(wechat, "w-sz", [(f"结束 {label}", f"没有找到您可以结束的工单 {label}")])  # another site's worker
    converse(wechat, "w-yy", [(f"结束 {label}", f"已结束 {label}"), (f"结束 {label}", "已经结束了")])
    ticket = _ticket(db, label)
    assert (ticket["status"], ticket["closed_reason"], ticket["closed_by"]) == ("closed", "worker", who["w-yy"]["id"])
    assert "社工已结束这次对话" in world.delivered(db, settings, fake, "fam-1")[-1]
    # Over: the next message is read by laoxiao again.
    converse(wechat, "fam-1", [("谢谢你们", ["不客气", "!已转给社工"])])
    assert [m["direction"] for m in handoffs.messages(db, ticket["id"])] == ["out", "in"]


def test_typing_the_site_answers_the_question_too(wechat, db, who):
    converse(wechat, "fam-2", [
        ("找社工", "哪个社区或村"),
        ("沈闸", ["已请沈闸村的社工来回复您"]),
    ])
    assert any("【转人工" in t for t in world.pushes(db, "w-sz")) and world.pushes(db, "w-yy") == []


def test_none_of_our_sites_goes_to_the_admins(wechat, db, who):
    converse(wechat, "fam-3", [("转人工", "哪个社区或村"), ("3", "已请社工来回复您")])
    assert any("【转人工" in t for t in world.pushes(db, "admin-1"))
    assert world.pushes(db, "w-yy") == world.pushes(db, "w-sz") == []


def test_a_known_site_is_not_asked_again(wechat, db, who):
    replies = converse(wechat, "fam-4", [
        ("我一个人住，屋顶漏雨了", "怎么称呼您"), ("张兰英", "住在哪里"), ("怡园社区1号楼", "联系电话"),
        ("跳过", "居家安全"), ("1", "编号"),
        ("转人工", ["已请怡园社区的社工来回复您", "!哪个社区"]),
    ])
    label = world.last_ticket(replies[-1])
    assert _ticket(db, label)["site_id"] == who["w-yy"]["site_id"]  # from the earlier request
    assert not any(label in t for t in world.pushes(db, "w-sz"))
    converse(wechat, "w-sz", [(f"回复 {label} 你好", f"没有找到您可以回复的工单 {label}")])
    converse(wechat, "admin-1", [(f"回复 {label} 你好，我是管理员", "已发给对方")])
    # A resident's 「回复 …」 or 「结束 …」 is just words, never a way to speak to someone else.
    converse(wechat, "fam-7", [(f"回复 {label} 我是社工", "!已发给对方"), (f"结束 {label}", "!已结束")])
    assert not any("我是社工" in t for t in world.pushes(db, "fam-4"))
    assert _ticket(db, label)["status"] == "open"


def _handed_over(wechat, db, openid: str) -> dict:
    replies = converse(wechat, openid, [("转人工", "哪个社区或村"), ("1", "已请怡园社区的社工")])
    return _ticket(db, world.last_ticket(replies[-1]))


def test_pleasantries_are_kept_in_the_thread_without_waking_anyone(wechat, db, who):
    ticket = _handed_over(wechat, db, "fam-5")
    before = len(world.pushes(db, "w-yy"))
    night = datetime(2026, 12, 4, 0, 43, tzinfo=TZ)
    with time_machine.travel(night, tick=False):
        for text in ("辛苦了", "好的谢谢", "👍", "嗯嗯"):
            converse(wechat, "fam-5", [(text, ["!已转给社工", "!编号 R"])])
    assert len(world.pushes(db, "w-yy")) == before
    assert [m["text"] for m in handoffs.messages(db, ticket["id"])] == ["辛苦了", "好的谢谢", "👍", "嗯嗯"]
    assert reqs.of_requester(db, people.get_person(db, "fam-5")["id"]) == []
    assert db.execute("SELECT COUNT(*) FROM handoffs").fetchone()[0] == 1  # no new ticket either


def test_a_new_clear_need_during_a_handoff_becomes_a_request_the_worker_sees(wechat, db, who, settings, fake):
    ticket = _handed_over(wechat, db, "fam-6")
    replies = converse(wechat, "fam-6", [
        ("我爸腿疼下不了床，降压药也没了", ["姓名和住址", "!已转给社工"]),
        ("刘福贵，怡园社区1号楼", "联系电话"),
        ("没有电话", "医疗健康"),
        ("1", "编号 R"),
    ])
    numbers = world.NUMBER.findall(replies[-1])
    thread = handoffs.messages(db, ticket["id"])
    assert [m["request_id"] for m in thread if m["request_id"]]  # the request shows in the ticket's thread
    seen = world.delivered(db, settings, fake, "w-yy")
    assert any(f"【T{ticket['id']}】" in t and numbers[0] in t and "新求助" in t for t in seen)
    # What is not a need still goes to the worker.
    converse(wechat, "fam-6", [("明天上午家里有人", "已转给社工")])


def test_a_ticket_closes_after_a_day_of_silence(wechat, db, who, settings, fake):
    ticket = _handed_over(wechat, db, "fam-7b")
    assert housekeeping(db, utcnow() + timedelta(hours=23)).endswith("0 silent tickets closed")
    assert housekeeping(db, utcnow() + timedelta(hours=25)).endswith("1 silent tickets closed")
    closed = handoffs.get(db, ticket["id"])
    assert (closed["status"], closed["closed_reason"]) == ("closed", "silence")
    assert "一天没有新消息，已结束" in world.pushes(db, "fam-7b")[-1]


def test_two_misunderstandings_in_a_row_hand_over_to_a_human(wechat, db, who):
    replies = converse(wechat, "fam-8", [
        ("嗯哼哈嘿呜", ["没太明白", "1. 做饭打扫（生活照料）", "12. 文体活动"]),
        ("呜呜哈嘿", ["还是没弄明白", "哪个社区或村", "编号 T"]),
        ("2", "已请沈闸村的社工"),
    ])
    ticket = handoffs.active_ticket(db, people.get_person(db, "fam-8")["id"], utcnow())
    assert ticket["reason"] == "not_understood" and world.last_ticket(replies[1]) == f"T{ticket['id']}"
    texts = [m["text"] for m in ticket["last_messages"]]
    assert texts[-2:] == ["嗯哼哈嘿呜", "呜呜哈嘿"]
    assert any("呜呜哈嘿" in t for t in world.pushes(db, "w-sz"))


def test_a_miss_then_a_number_from_the_menu_starts_the_request(wechat, db, who):
    converse(wechat, "fam-9", [
        ("嗯哼哈嘿呜", "没太明白"),
        ("2", "需要什么帮助"),
        ("帮我妈量量血压", "姓名和住址"),
        ("王秀兰，怡园社区3号楼", "联系电话"),
        ("跳过", "类别：医疗健康"),
    ])


def test_a_miss_then_a_clear_sentence_goes_on_normally(wechat, db, who):
    converse(wechat, "fam-10", [
        ("嗯哼哈嘿呜", "没太明白"),
        ("我奶奶的被子太薄了，有没有旧棉被", "姓名和住址"),
        ("张兰，怡园社区1号楼", "联系电话"),
        ("跳过", "类别：物资帮扶"),
    ])


def test_small_talk_is_answered_without_a_menu(wechat, db, who):
    converse(wechat, "fam-11", [
        ("你好", ["您好", "!没太明白"]),
        ("谢谢你们 上次的事办好了", "不客气"),
        ("你是机器人还是真人啊", "转人工"),
        ("[强][强]", "好的"),
        ("👍", "好的"),
        ("色俩目", "平安"),
        ("1", ["是指什么", "!请说说需要什么帮助"]),  # a stray number picks nothing from a menu never shown
    ])
    assert db.execute("SELECT COUNT(*) FROM conversations").fetchone()[0] == 0


def test_staff_are_not_handed_to_a_worker(wechat, db, who):
    converse(wechat, "w-yy", [
        ("嗯哼哈嘿呜", "没太明白"),
        ("呜呜哈嘿", ["没太明白", "!编号 T"]),
    ])


def test_ticket_keeps_at_most_five_recent_messages(wechat, db, who):
    for text in ["第一句话说说", "第二句话说说", "第三句话说说", "第四句话说说", "第五句话说说", "第六句话说说"]:
        wechat.say("fam-12", f"{text}，再说一遍")
        wechat.say("fam-12", "取消")
    replies = converse(wechat, "fam-12", [("找社工", "编号 T")])
    ticket = _ticket(db, world.last_ticket(replies[-1]))
    assert len(ticket["last_messages"]) == 5
    assert json.dumps(ticket["last_messages"], ensure_ascii=False).count("找社工") == 1
