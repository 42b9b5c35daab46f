"""Every change of a request reaches the family in plain words, through the fake WeChat API: accepted (by
whom, how they will be contacted), sent back and given to someone else, transferred (only to a team that
serves the site and the kind of help), done, cancelled; and a request left half-way is reminded once.
Team leaders may answer a card the way they talk: 好, 接了, 搞定了, 去不了."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from data import requests as reqs
from data.clock import utcnow
from flows.escalation import housekeeping
from tests import requests_world as world
from tests.conversation import converse

env, who = world.env, world.who  # fixtures shared by the request tests


def _ask(wechat, openid: str, phone: str = "13812345678", need: str = "我爸的降压药快吃完了") -> str:
    replies = converse(wechat, openid, [(need, "姓名和住址"), ("刘福贵，怡园社区1号楼", "联系电话"),
                                        (phone, "这样发给志愿者"), ("1", "编号 R")])
    return world.number_in(replies[-1])


@pytest.mark.parametrize(("phone", "how"), [("13812345678", "打您留的电话（尾号5678）"),
                                            ("没有电话", "直接上门（怡园社区1号楼）"),
                                            ("跳过", "先通过社工联系您")])
def test_accepted_says_by_whom_and_how_they_will_get_in_touch(wechat, db, who, settings, fake, phone, how):
    number = _ask(wechat, "fam-1", phone)
    converse(wechat, "lead-med", [(f"接单 {number}", "已接单")])
    told = world.delivered(db, settings, fake, "fam-1")[-1]
    assert number in told and "医疗志愿队的马医生" in told and how in told


def test_sent_back_the_family_hears_who_has_it_now_but_not_why(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-2")
    converse(wechat, "lead-med", [(f"接单 {number}", "已接单"), (f"退回 {number} 队里闹矛盾", "已退回")])
    told = world.delivered(db, settings, fake, "fam-2")
    assert any("去不了" in t and "已改派给怡园社区卫生院志愿队" in t for t in told)
    assert not any("闹矛盾" in t for t in told)
    converse(wechat, "fam-2", [(f"进度 {number}", ["状态：待接单", "已改派给怡园社区卫生院志愿队，还在等他们接单",
                                                "!闹矛盾", "!状态：处理中"])])
    row = world.request(db, number)
    assert (row["status"], row["accepted_by"], row["team_id"]) == ("assigned", None,
                                                                    world.team(db, "卫生院志愿队")["id"])


def test_a_transfer_goes_only_to_a_team_that_serves_the_site_and_the_need(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-3")
    converse(wechat, "w-yy", [
        (f"转派 {number} 维修服务队", ["维修服务队不服务", "会被退回", "卫生院志愿队"]),
        (f"转派 {number}", ["请写上要转给哪个队", "卫生院志愿队"]),
        (f"转派 {number} 卫生院志愿队", ["已把", "已告诉求助人"]),
    ])
    assert world.request(db, number)["team_id"] == world.team(db, "卫生院志愿队")["id"]
    assert any("已转给怡园社区卫生院志愿队办理" in t for t in world.delivered(db, settings, fake, "fam-3"))
    assert any(number in t for t in world.delivered(db, settings, fake, "lead-med2"))
    assert not any(number in t for t in world.delivered(db, settings, fake, "lead-fix"))


def test_the_family_can_withdraw_and_the_team_is_told_not_to_go(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-4")
    converse(wechat, "fam-4", [(f"取消 {number} 我儿子回来了，自己去开", ["已撤回求助", number])])
    row = world.request(db, number)
    assert (row["status"], row["closed_reason"]) == ("closed", "cancelled")
    told = world.delivered(db, settings, fake, "lead-med")
    assert any("已撤回，不用再办了" in t and "我儿子回来了" in t for t in told)
    converse(wechat, "fam-4", [(f"撤回 {number}", "不用再撤回了"), ("我的求助", [number, "已撤回"])])
    converse(wechat, "lead-med", [(f"接单 {number}", "已经撤回了")])


def test_staff_cancelling_a_request_tell_the_family_why(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-5")
    converse(wechat, "w-yy", [(f"作废 {number}", "请写上原因"),
                              (f"作废 {number} 家属说卫生院已经送药上门了", "已撤回")])
    assert any("已由社工撤回：家属说卫生院已经送药上门了" in t for t in world.delivered(db, settings, fake, "fam-5"))
    converse(wechat, "fam-5", [(f"进度 {number}", "已撤回")])


def test_a_request_left_half_way_is_reminded_once_and_kept(wechat, db, who, settings, fake):
    converse(wechat, "fam-6", [("我妈的降压药快吃完了", "姓名和住址")])
    assert housekeeping(db, utcnow() + timedelta(minutes=20)).startswith("0 unfinished")
    later = utcnow() + timedelta(minutes=40)
    assert housekeeping(db, later).startswith("1 unfinished")
    assert housekeeping(db, later + timedelta(minutes=30)).startswith("0 unfinished")  # once
    reminder = [t for t in world.delivered(db, settings, fake, "fam-6", later) if "还没有发出去" in t]
    assert len(reminder) == 1 and "降压药" in reminder[0] and "继续" in reminder[0]
    with time_machine.travel(later + timedelta(minutes=5), tick=False):
        converse(wechat, "fam-6", [("继续", ["接着填", "姓名和住址"]), ("马桂花，怡园社区8号楼", "联系电话")])


def test_a_request_left_half_way_can_be_dropped(wechat, db, who):
    converse(wechat, "fam-7", [("我妈的降压药快吃完了", "姓名和住址")])
    with time_machine.travel(utcnow() + timedelta(minutes=45), tick=False):
        converse(wechat, "fam-7", [("取消", ["不办了", "没有发出去"]), ("继续", "没有没填完的")])


def test_team_leaders_answer_a_card_the_way_they_talk(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-8", need="我爸家屋顶漏雨了，下雨天拿盆接水")
    converse(wechat, "lead-fix", [("好", ["已接单", number]), ("搞定了，换了两块瓦", ["已记录完成", number])])
    row = world.request(db, number)
    assert (row["status"], row["done_note"]) == ("done", "搞定了，换了两块瓦")
    assert any("已办好：搞定了，换了两块瓦" in t for t in world.delivered(db, settings, fake, "fam-8"))
    other = _ask(wechat, "fam-9", need="我爸家屋顶漏雨了，下雨天拿盆接水")
    converse(wechat, "lead-fix", [("去不了，这周在外地干活", ["已退回", other])])
    assert "rejected" in world.actions(db, other)
    converse(wechat, "lead-fix", [("好", "好的")])  # nothing waiting: just an OK


def test_two_cards_waiting_a_leader_picks_one_by_number(wechat, db, who):
    first = _ask(wechat, "fam-10", need="我爸家屋顶漏雨了，下雨天拿盆接水")
    second = _ask(wechat, "fam-11", need="我爸家里电线老化了，插座一插就冒火花")
    converse(wechat, "lead-fix", [("接了", ["有2个", first, second]), ("2", ["已接单", second])])
    assert world.request(db, second)["status"] == "accepted"
    assert world.request(db, first)["status"] == "assigned"
    assert reqs.events(db, world.request(db, second)["id"])[-1]["action"] == "accepted"
