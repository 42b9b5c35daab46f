"""What families write after asking: progress questions, more about the same need, thanks and complaints,
and pleasantries. None of it opens a new request or a ticket; what it says is stored, and who must know is
told through the fake WeChat API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from data import people
from data import requests as reqs
from data.clock import utcnow
from tests import requests_world as world
from tests.conversation import converse

env, who = world.env, world.with_supplies  # fixtures shared by the request tests


def _ask(wechat, openid: str, need: str, name: str = "马桂花，怡园社区8号楼") -> str:
    replies = converse(wechat, openid, [(need, "姓名和住址"), (name, "联系电话"), ("13812345678", "这样发给志愿者"),
                                        ("1", "编号 R")])
    return world.number_in(replies[-1])


def _requests_of(db, openid: str) -> list[dict]:
    return reqs.of_requester(db, people.get_person(db, openid)["id"])


def _nothing_opened(db) -> None:
    assert db.execute("SELECT COUNT(*) FROM handoffs").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM conversations WHERE step NOT LIKE '\\_\\_%' ESCAPE '\\'").fetchone()[0] == 0


def test_a_progress_question_answers_with_the_state_and_opens_nothing(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-1", "我妈腿不好想借个轮椅")
    converse(wechat, "fam-1", [("轮椅的事咋样了", [number, "还在等他们接单", "!为谁", "!姓名和住址"])])
    assert len(_requests_of(db, "fam-1")) == 1
    _nothing_opened(db)
    converse(wechat, "lead-zl", [(f"接单 {number}", "已接单")])
    converse(wechat, "fam-1", [("轮椅啥时候能送来", [number, "王强已接单", "尾号5678"])])
    # An hour on with nobody taking a request, asking after it nudges whoever holds it (once a day).
    other = _ask(wechat, "fam-1", "我妈的降压药快吃完了")
    later = utcnow() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        converse(wechat, "fam-1", [("降压药的事咋还没人管", [other, "还在等"])])
        converse(wechat, "fam-1", [("药的事怎么样了", other)])
    nudges = [t for t in world.delivered(db, settings, fake, "lead-med", later) if "求助人在问" in t]
    assert len(nudges) == 1 and other in nudges[0]


def test_a_question_about_one_of_several_requests_is_answered_for_that_one(wechat, db, who):
    wheel = _ask(wechat, "fam-2", "我妈腿不好想借个轮椅")
    pills = _ask(wechat, "fam-2", "我妈的降压药快吃完了")
    converse(wechat, "fam-2", [
        ("降压药咋样了", [pills, "!" + wheel]),
        ("我的事办得怎么样了", ["您有这几个求助", wheel, pills]),
    ])


def test_more_about_the_same_need_is_added_to_it_and_its_helper_is_told(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-3", "我妈的降压药快吃完了")
    converse(wechat, "fam-3", [("降压药最好今天就能送过来，她只剩一顿的了", ["已补充到求助 " + number, "!姓名和住址"])])
    assert len(_requests_of(db, "fam-3")) == 1
    assert world.actions(db, number)[-1] == "note"
    told = world.delivered(db, settings, fake, "lead-med")
    assert any("求助人补充" in t and "只剩一顿" in t for t in told)


def test_an_unsure_second_message_asks_whether_it_is_the_same_request(wechat, db, who):
    number = _ask(wechat, "fam-4", "我妈的降压药快吃完了")
    converse(wechat, "fam-4", [
        ("我妈这两天头晕得厉害，能不能请医生来家里看看", [f"{number}", "是这件事吗", "1. 是", "2. 不是"]),
        ("是的", f"已补充到求助 {number}"),
    ])
    assert len(_requests_of(db, "fam-4")) == 1
    converse(wechat, "fam-4", [
        ("我妈牙疼得吃不下饭，想找个牙医看看", "是这件事吗"),
        ("不是", "姓名和住址"),  # a new request, asked for like any other
    ])


def test_thanks_after_the_help_are_recorded_as_satisfied(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-5", "我妈腿不好想借个轮椅")
    converse(wechat, "lead-zl", [(f"接单 {number}", "已接单"), (f"完成 {number} 轮椅送到家了", "已记录完成")])
    converse(wechat, "fam-5", [("挺好的，谢谢你们了", ["谢谢您的评价", number, "!不客气"])])
    row = world.request(db, number)
    feedback = reqs.feedback(db, row["id"])
    assert (feedback["rating"], feedback["comment"], row["status"]) == ("满意", "挺好的，谢谢你们了", "closed")
    assert any("很满意" in t and number in t for t in world.delivered(db, settings, fake, "lead-zl"))
    converse(wechat, "fam-5", [("辛苦了", ["不客气", "!编号"])])  # once rated, thanks are thanks again
    _nothing_opened(db)


def test_a_complaint_after_the_help_is_unsatisfied_and_the_leader_and_worker_are_told(wechat, db, who, settings,
                                                                                    fake):
    number = _ask(wechat, "fam-6", "我妈一个人做不了饭，能不能每天中午给送个饭")
    converse(wechat, "lead-zl", [(f"接单 {number}", "已接单"), (f"完成 {number} 送了午饭", "已记录完成")])
    converse(wechat, "fam-6", [("饭是凉的，老人吃了不舒服", ["抱歉让您不满意", "队长和社工", "!为谁", "!姓名和住址"])])
    row = world.request(db, number)
    feedback = reqs.feedback(db, row["id"])
    assert (feedback["rating"], feedback["comment"]) == ("不满意", "饭是凉的，老人吃了不舒服")
    assert len(_requests_of(db, "fam-6")) == 1
    for openid in ("lead-zl", "w-yy"):
        told = world.delivered(db, settings, fake, openid)
        assert any("不满意" in t and "饭是凉的" in t and number in t for t in told), openid


def test_a_complaint_while_it_is_being_done_reaches_them_too(wechat, db, who, settings, fake):
    number = _ask(wechat, "fam-7", "我妈一个人做不了饭，能不能每天中午给送个饭")
    converse(wechat, "lead-zl", [(f"接单 {number}", "已接单")])
    converse(wechat, "fam-7", [("送饭的态度太差了，放下就走", "队长和社工")])
    assert world.actions(db, number)[-1] == "complaint"
    assert reqs.feedback(db, world.request(db, number)["id"]) is None  # not done: no rating yet
    assert any("态度太差" in t for t in world.delivered(db, settings, fake, "w-yy"))


@pytest.mark.parametrize("text", ["好的", "谢谢", "辛苦了", "嗯嗯", "👍", "好着呢好着呢 谢谢社工娃娃", "色俩目",
                                  "托靠主，谢谢你们"])
def test_pleasantries_never_open_a_request_or_a_ticket(wechat, db, who, text):
    converse(wechat, "fam-8", [(text, ["!需要什么帮助", "!为谁", "!编号", "!没太明白"])])
    _nothing_opened(db)
    assert _requests_of(db, "fam-8") == []


def test_thanks_before_it_is_done_are_not_a_rating(wechat, db, who):
    number = _ask(wechat, "fam-9", "我妈腿不好想借个轮椅")
    converse(wechat, "fam-9", [("辛苦了，谢谢你们", "不客气")])
    assert reqs.feedback(db, world.request(db, number)["id"]) is None
