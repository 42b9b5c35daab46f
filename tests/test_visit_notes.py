"""Visits as people say them (issue 9's examples), through the real callback, with the rows they leave.

The day is Friday 20 November 2026 (tests.visit_world.TODAY). 李明 directs 沈闸村; 马丽 works with 怡园社区's
elders; 杨帆 is 沈闸村's worker; 张主任 is an admin.
"""

from __future__ import annotations

import json

import pytest

from data import outbox, protection
from data import requests as reqs
from tests.conversation import converse
from tests.visit_world import add_recipient


@pytest.fixture
def world(db, person, clock):
    li = person("d-li", "director", "沈闸村", "李明")
    ma = person("w-ma", "worker", "怡园社区", "马丽")
    yang = person("w-yang", "worker", "沈闸村", "杨帆")
    boss = person("a-boss", "admin", None, "张主任")
    site = li["site_id"]
    ids = {name: add_recipient(db, name, site, responsible=li, **extra) for name, extra in (
        ("田佳豪", {}), ("马晓燕", {"sex": "女"}), ("丁浩然", {"allowance": True, "categories": ("事实无人抚养儿童",)}),
        ("马小军", {}), ("杨雪梅", {"sex": "女"}), ("杨欣怡", {"sex": "女"}), ("王小明", {}))}
    db.conn.execute("UPDATE recipients SET address = '沈闸村一组5号', guardian = '奶奶 马桂兰'"
                    " WHERE name IN ('马小军', '杨雪梅')")
    ids["张桂英"] = add_recipient(db, "张桂英", ma["site_id"], "elder", ma, "1948-01-02", "女", categories=("独居",))
    return {"li": li, "ma": ma, "yang": yang, "boss": boss, "ids": ids}


def visits_of(db, name: str) -> list[dict]:
    return list(db.query("SELECT v.* FROM visits v JOIN recipients r ON r.id = v.recipient_id"
                         " WHERE r.name = ? AND v.deleted_at IS NULL ORDER BY v.id", [name]))


def test_a_note_with_no_keyword_and_a_misspelt_name_is_a_visit(wechat, db, world):
    converse(wechat, "d-li", [
        ("前天去看了田家豪，娃娃挺好的么，莫得事", ["请核对走访记录", "对象：田佳豪", "11月18日", "方式：上门",
                                            "结果：见到本人", "需求：无", "!没太明白"]),
        ("1", "已保存"),
    ])
    [visit] = visits_of(db, "田佳豪")
    assert (visit["visit_date"], visit["mode"], visit["outcome"], visit["needs"]) == ("2026-11-18", "上门", "met", None)
    assert visit["findings"] == "娃娃挺好的么，莫得事"


def test_a_voice_note_about_a_sick_child_is_a_visit_not_a_request(wechat, db, world):
    reply = wechat.voice("d-li", "记一下今天去了马晓燕家娃娃感冒了奶奶带着去卫生院了").text
    assert "请核对走访记录" in reply and "对象：马晓燕" in reply and "健康" in reply and "求助" not in reply
    converse(wechat, "d-li", [("1", "已保存")])
    [visit] = visits_of(db, "马晓燕")
    assert visit["findings"] == "娃娃感冒了奶奶带着去卫生院了" and visit["mode"] == "上门"
    assert "健康" in json.loads(visit["areas"])
    assert reqs.of_requester(db, world["li"]["id"]) == []


def test_a_child_nobody_looks_after_is_reported_and_recorded(wechat, db, world):
    reply = wechat.voice("d-li", "嗯那个今天下午我去丁浩然家了…家里没人管娃娃").text
    assert "强制报告" in reply and "见到孩子本人了吗" in reply  # 丁浩然 receives the allowance: 核查 follows
    [report] = protection.open_reports(db)
    assert report["recipient_id"] == world["ids"]["丁浩然"]
    assert any("强制报告" in row["body"] for row in outbox.rows(db, openid="w-yang"))
    summary = converse(wechat, "d-li", [("是", "有变化吗"), ("没变化", "就学"), ("在学", "请核对")])[-1]
    assert "对象：丁浩然" in summary and "需求：家里没人管娃娃" in summary
    assert "结果：见到本人" in summary  # 「家里没人管」 says who looks after the child, not that nobody was home


def test_what_the_note_already_answers_is_not_asked_again(wechat, db, world):
    reply = wechat.say("d-li", "走访 丁浩燃 今天 上门 孩子在家，监护人没变化，上学正常").text
    assert "对象：丁浩然" in reply and "核查：见到本人：是；监护或生活变化：无；就学：在学" in reply
    assert "监护 人没变化" not in reply and "监护：监护人没变化" in reply
    converse(wechat, "d-li", [("1", "已保存")])
    [visit] = visits_of(db, "丁浩然")
    assert json.loads(visit["verification"]) == {"seen": True, "change": None, "school": "在学"}
    assert not visit["flagged"]


def test_nobody_home_is_recorded_but_does_not_count(wechat, db, world):
    converse(wechat, "d-li", [
        ("走访 马小军 今天 上门 娃娃不在家，门锁着", ["结果：不在家", "只有上门或到校见到本人才算"]),
        ("1", ["已保存", "不算本期上门走访"]),
        ("名单", ["🚪", "马小军", "去了但不在家"]),
    ])
    assert visits_of(db, "马小军")[0]["outcome"] == "not_home"
    roster = wechat.say("d-li", "名单").text
    assert "🚪" in next(line for line in roster.splitlines() if "马小军" in line)
    assert "这一期已上门见到0人" in roster


def test_two_children_in_one_message_get_one_visit_each(wechat, db, world):
    converse(wechat, "d-li", [
        ("走访 杨欣怡 和 王小明 今天 电话 都挺好", ["对象：杨欣怡、王小明", "方式：电话", "为2人各记一条"]),
        ("1", ["已保存：杨欣怡、王小明"]),
    ])
    assert len(visits_of(db, "杨欣怡")) == len(visits_of(db, "王小明")) == 1
    converse(wechat, "d-li", [("马小军和杨雪梅今天都去看了，挺好", ["对象：马小军、杨雪梅", "上门"]), ("1", "已保存")])
    converse(wechat, "d-li", [("去了马小军家两个娃娃都好着呢", ["对象：马小军、杨雪梅"]), ("1", "已保存")])
    assert len(visits_of(db, "杨雪梅")) == 2


@pytest.mark.parametrize(("note", "need"), [("学习还行，就是冬天的棉衣不够", "棉衣不够"),
                                             ("冬天的棉衣也莫得", "棉衣也莫得"),
                                             ("奶奶说想给娃申请学习用品", "申请学习用品")])
def test_needs_said_in_passing_are_heard(wechat, db, world, note, need):
    converse(wechat, "d-li", [(f"走访 王小明 今天 上门 {note}", ["需求：", need]), ("1", "需求已转为求助")])
    assert need in visits_of(db, "王小明")[0]["needs"]


def test_coal_smoke_found_by_a_worker_is_an_emergency(wechat, db, world):
    reply = wechat.say("w-ma", "走访 张桂英 今天 上门 屋里炉子烟筒漏烟，老人说头晕恶心").text
    assert "开窗通风" in reply and "120" in reply and "请核对走访记录" in reply
    urgent = [r for r in outbox.rows(db) if r["urgent"]]
    assert {r["openid"] for r in urgent} >= {"a-boss"}  # the admin's phone hears at once, quiet hours or not
    converse(wechat, "w-ma", [("1", ["已保存", "紧急情况已通知"])])
    made = reqs.of_requester(db, world["ma"]["id"])
    assert any(r["category"] == "紧急求助" for r in made)


def test_a_newly_found_child_is_recorded_and_the_worker_is_asked_to_confirm(wechat, db, world):
    converse(wechat, "d-li", [
        ("走访 马小龙（新发现） 今天 上门 爸妈都在外地打工，跟爷爷住", ["马小龙", "新发现"]),
        ("1", ["请核对走访记录", "新发现：马小龙"]),
        ("1", ["已保存", "社工核实后会加入名单"]),
    ])
    row = next(db.query("SELECT * FROM recipients WHERE name = '马小龙'"))
    assert row["pending"] == 1 and row["responsible_id"] == world["li"]["id"]
    [visit] = visits_of(db, "马小龙")
    assert visit["findings"] == "爸妈都在外地打工，跟爷爷住"
    [task] = outbox.rows(db, openid="w-yang")
    assert "马小龙" in task["body"] and "核实 马小龙" in task["body"]
    converse(wechat, "w-yang", [("新发现", ["马小龙", "跟爷爷住"]), ("核实 马小龙", "加入名单")])
    assert next(db.query("SELECT pending FROM recipients WHERE name = '马小龙'"))["pending"] == 0


def test_a_name_nobody_has_is_offered_as_new_rather_than_refused(wechat, db, world):
    converse(wechat, "d-li", [
        ("走访 海小兰 今天 上门 孩子挺好", ["不在您的服务对象名单里", "新发现的孩子"]),
        ("1", ["请核对", "新发现：海小兰"]),
        ("3", "已取消"),
    ])
    assert list(db.query("SELECT * FROM recipients WHERE name = '海小兰'")) == []


def test_a_family_members_visit_words_are_never_a_visit(wechat, db, world):
    reply = wechat.say("fam-1", "今天去看了我妈马桂兰，她腿疼").text
    assert "走访记录" not in reply


def test_unsure_between_a_visit_and_a_request_asks_one_question(wechat, db, world):
    converse(wechat, "d-li", [
        ("王小明的书包坏了", ["1. 记一次走访", "2. 提一个求助"]),
        ("1", "怎么走访的"),
        ("上门", ["请核对走访记录", "王小明", "书包坏了"]),
    ])


def test_undo_withdraws_every_visit_of_one_confirmation(wechat, db, world):
    converse(wechat, "d-li", [("走访 杨欣怡 和 王小明 今天 电话 都挺好", "为2人各记一条"), ("1", "已保存"),
                              ("撤销", ["杨欣怡、王小明", "要撤销"]), ("是", "已撤销：杨欣怡、王小明")])
    assert visits_of(db, "杨欣怡") == visits_of(db, "王小明") == []
