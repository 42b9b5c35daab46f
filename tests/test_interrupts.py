"""Conversations that never trap anyone (docs/conversations.md): cancel words, a new command in the middle, menu
clicks, numbers after a menu, a second binding, double taps. Each script goes through the real callback and
checks what was stored, so that no sentence lands in the wrong field."""

from __future__ import annotations

import json

import pytest

from bot.cli import cli
from data import requests as reqs
from data.demo import seed_demo
from tests.conversation import converse
from tests.visit_world import add_recipient


@pytest.fixture
def demo_db(db, clock):
    from data.clock import utcnow

    seed_demo(db, utcnow())
    return db


def visits_of(db, name: str) -> list[dict]:
    return list(db.query(
        "SELECT v.* FROM visits v JOIN recipients r ON r.id = v.recipient_id"
        " WHERE r.name = ? AND v.deleted_at IS NULL ORDER BY v.id", [name]))


def active_state(db, openid: str) -> dict | None:
    row = next(db.query(
        "SELECT c.* FROM conversations c JOIN people p ON p.id = c.person_id"
        " WHERE p.openid = ? AND c.step != '__saved'", [openid]), None)
    return row


def requests_of(db, openid: str) -> list[dict]:
    person = next(db["people"].rows_where("openid = ?", [openid]))
    return reqs.of_requester(db, person["id"])


# ---------------------------------------------------------------- a new one-shot command in the middle

def test_a_new_one_shot_visit_mid_visit_starts_at_once_and_keeps_the_first_as_a_draft(wechat, demo_db):
    db = demo_db
    converse(wechat, "demo-director", [
        ("走访 丁浩然 今天 上门 孩子挺好", "见到孩子本人"),
        ("是", "监护人或生活情况有变化吗"),
        # The example: this must not become the answer to the 核查 question.
        ("走访 王小明 今天 上门 都挺好", ["请核对走访记录", "王小明", "情况：都挺好", "丁浩然的走访", "继续"]),
        ("1", ["已保存：王小明", "上一条「丁浩然的走访」还没保存", "继续"]),
        ("继续", ["接着填「丁浩然的走访」", "监护人或生活情况有变化吗"]),
        ("没有变化", "就学情况"),
        ("1", ["请核对走访记录", "丁浩然", "监护或生活变化：无"]),
        ("1", "已保存：丁浩然"),
    ])
    [wang] = visits_of(db, "王小明")
    [ding] = visits_of(db, "丁浩然")
    assert wang["findings"] == "都挺好" and wang["mode"] == "上门"
    assert ding["findings"] == "孩子挺好"
    assert '"change": null' in ding["verification"] and not ding["flagged"]  # nothing flagged to the worker
    assert "走访" not in ding["findings"] + (ding["needs"] or "")


def test_a_one_shot_visit_after_an_answer_that_asked_a_choice(wechat, demo_db):
    converse(wechat, "demo-director", [
        ("走访 小明", ["哪一位", "王小明", "李小明"]),
        ("走访 杨欣怡 昨天 电话 学习正常", ["请核对", "杨欣怡", "电话", "学习正常"]),
        ("1", "已保存：杨欣怡"),
    ])
    [visit] = visits_of(demo_db, "杨欣怡")[-1:]
    assert visit["mode"] == "电话" and visit["findings"] == "学习正常"


def test_a_word_that_only_starts_like_a_command_is_an_answer(wechat, demo_db):
    """「查了一下血压」 begins with the command word 查; mid-conversation it is the answer it looks like."""
    converse(wechat, "demo-worker-elder", [
        ("走访 王秀兰 今天 上门", "情况怎么样"),
        ("查了一下血压，有点高", "需要帮忙"),
        ("无", ["请核对", "情况：查了一下血压，有点高"]),
        ("1", "已保存"),
    ])
    assert visits_of(demo_db, "王秀兰")[-1]["findings"] == "查了一下血压，有点高"


# ---------------------------------------------------------------- cancel words

@pytest.mark.parametrize("word", ["取消", "算了", "不用了", "不要了", "退出", "不弄了", "算了吧", "不用了，谢谢",
                                  "我不要了", "关闭"])
def test_every_cancel_word_ends_a_request_and_saves_nothing(wechat, demo_db, word):
    converse(wechat, "demo-family", [
        ("我妈一个人在家，饭都吃不上热的", "姓名和住址"),
        (word, ["已取消", "没有保存"]),
    ])
    assert requests_of(demo_db, "demo-family") == []
    assert active_state(demo_db, "demo-family") is None


@pytest.mark.parametrize("word", ["取消", "算了", "不用了", "退出"])
def test_a_cancel_word_with_nothing_open_starts_nothing(wechat, demo_db, word):
    converse(wechat, "demo-director", [
        (word, ["没有正在办的事", "!为谁", "!需要什么帮助"]),
        # The example: the next message was taken as the answer of a request nobody asked for.
        ("走访 王小明 今天 上门 精神不错", ["请核对走访记录", "王小明", "精神不错"]),
        ("1", "已保存"),
    ])
    assert requests_of(demo_db, "demo-director") == []
    assert visits_of(demo_db, "王小明")[-1]["findings"] == "精神不错"


def test_not_needed_answers_a_question_that_invites_it_instead_of_cancelling(wechat, demo_db):
    converse(wechat, "demo-worker-elder", [
        ("走访 王秀兰 今天 上门", "情况怎么样"),
        ("身体还行", "需要帮忙"),
        ("不用了", ["请核对", "需求：无"]),
        ("1", "已保存"),
    ])
    converse(wechat, "demo-family", [
        ("我妈的降压药快吃完了", "姓名和住址"),
        ("马桂花，怡园社区8号楼", "联系电话"),
        ("不用了", ["请核对", "马桂花"]),
    ])


def test_a_cancelled_entry_can_be_taken_up_again_within_30_minutes(wechat, demo_db):
    converse(wechat, "demo-worker-elder", [
        ("走访 王秀兰 今天 上门", "情况怎么样"),
        ("算了", ["已取消", "继续"]),
        ("继续", ["王秀兰的走访", "情况怎么样"]),
        ("血压正常", "需要帮忙"),
    ])


# ---------------------------------------------------------------- staff words in a resident's flow

def test_a_team_leaders_words_mid_request_are_commands_not_answers(wechat, demo_db):
    # A family's request reaches 王强's team first, then 王强 starts a request of his own and says 接了.
    converse(wechat, "demo-family", [
        ("我爸一个人在家，想找人每天中午送个饭", "姓名和住址"),
        ("周长林，怡园社区6号楼", "联系电话"), ("跳过", "请核对"), ("1", "编号"),
    ])
    [card] = requests_of(demo_db, "demo-family")
    assert card["status"] == "assigned"
    converse(wechat, "demo-lead", [
        ("我妈腿摔了以后走不了路，想借个轮椅", "姓名和住址"),
        ("接了", [card["number"], "还没填完", "姓名和住址"]),
        ("任务", [card["number"], "还没填完", "姓名和住址"]),
        ("王桂兰，怡园社区2号楼", "联系电话"),
    ])
    assert reqs.get(demo_db, card["id"])["status"] == "accepted"
    state = active_state(demo_db, "demo-lead")
    assert "接了" not in state["data"] and "任务" not in state["data"]


def test_a_workers_look_up_mid_request_is_answered_and_the_request_waits(wechat, demo_db):
    converse(wechat, "demo-worker-elder", [
        ("求助 王秀兰的降压药快吃完了", "为谁"),
        ("名单", ["王秀兰", "还没填完", "为谁"]),
        ("本月", ["这一期已上门见到", "还没填完"]),
        ("2", "哪位服务对象"),
        ("王秀兰", "请核对"),
    ])


def test_a_directors_words_that_are_no_command_never_open_a_residents_request(wechat, demo_db):
    converse(wechat, "demo-director", [
        ("无", ["!为谁", "!需要什么帮助"]),
        ("嗯", ["!为谁", "!需要什么帮助"]),
    ])
    assert requests_of(demo_db, "demo-director") == []


# ---------------------------------------------------------------- menu clicks and numbers

def test_menu_clicks_mid_visit_are_never_answers(wechat, demo_db):
    converse(wechat, "demo-director", [("走访 王小明 今天 上门", "情况怎么样")])
    mine = wechat.event("demo-director", "CLICK", EventKey="MENU_REQUESTS").text
    assert "还没有提过求助" in mine and "还没填完" in mine and "情况怎么样" in mine
    menu = wechat.event("demo-director", "CLICK", EventKey="MENU_HELP").text
    assert "您可以发" in menu and "还没填完" in menu
    asked = wechat.event("demo-director", "CLICK", EventKey="MENU_ASK").text
    assert "需要什么帮助" in asked and "王小明的走访" in asked and "继续" in asked
    converse(wechat, "demo-director", [
        ("取消", "已取消"),  # the request the button started, still empty: nothing to keep
        ("继续", ["接着填", "王小明的走访", "情况怎么样"]),
        ("精神头好", "需要帮忙"), ("无", ["请核对", "情况：精神头好"]), ("1", "已保存"),
    ])
    assert [v["findings"] for v in visits_of(demo_db, "王小明")][-1] == "精神头好"


def test_my_requests_button_mid_request_answers_and_the_request_waits(wechat, demo_db):
    converse(wechat, "demo-family", [("我妈的降压药快吃完了", "姓名和住址")])
    reply = wechat.event("demo-family", "CLICK", EventKey="MENU_REQUESTS").text
    assert "还没有提过求助" in reply and "姓名和住址" in reply and "请说说需要什么帮助" not in reply
    converse(wechat, "demo-family", [("马桂花，怡园社区8号楼", "联系电话")])


@pytest.mark.parametrize(("number", "expected"), [("1", "需要什么帮助"), ("2", "还没有提过求助"),
                                                   ("4", "哪个社区或村")])  # 转人工: the site first
def test_numbers_answer_the_help_menu_just_shown(wechat, demo_db, number, expected):
    converse(wechat, "demo-family", [("帮助", ["1. 求助", "2. 我的求助"]), (number, [expected, "!没太明白"])])


def test_numbers_answer_a_staff_menu_and_out_of_range_is_explained(wechat, demo_db):
    replies = converse(wechat, "demo-director", [("菜单", "您可以发")])
    lines = [line for line in replies[0].splitlines() if line[:2].rstrip(".").isdigit()]
    roster = next(line for line in lines if "名单" in line).split(".")[0]
    converse(wechat, "demo-director", [(roster, ["王小明", "这一期已上门见到"]), ("菜单", "您可以发"),
                                       ("99", "没有第99项")])


def test_a_stray_number_with_no_menu_shown_is_asked_about(wechat, demo_db):
    converse(wechat, "demo-family", [("5", ["是指什么", "您可以发", "!为谁"])])
    assert requests_of(demo_db, "demo-family") == []


# ---------------------------------------------------------------- binding twice

def test_binding_twice_does_not_trap_the_person(runner, wechat, db, clock):
    code = runner.invoke(cli, ["invite", "--role", "director", "--site", "沈闸村", "--name", "李明"]).output
    code = code.strip().splitlines()[-1]
    converse(wechat, "new-director", [
        (f"绑定 {code}", "绑定成功"),
        (f"绑定 {code}", ["已经用这个绑定码绑定好了", "儿童主任"]),
    ])
    assert active_state(db, "new-director") is None
    person = next(db["people"].rows_where("openid = 'new-director'"))
    add_recipient(db, "王小明", person["site_id"], responsible=person)
    converse(wechat, "new-director", [("走访 王小明 今天 上门 挺好", ["请核对走访记录", "王小明", "!绑定码"])])


def test_bind_then_visit_without_a_code_is_not_taken_for_a_code(runner, wechat, db, clock):
    code = runner.invoke(cli, ["invite", "--role", "director", "--site", "沈闸村", "--name", "李明"]).output
    code = code.strip().splitlines()[-1]
    converse(wechat, "d2", [("绑定", "绑定码"), (f"{code}", "绑定成功"), ("绑定", "绑定码"),
                            ("名单", ["名单里还没有服务对象", "!请发送8位绑定码"])])


# ---------------------------------------------------------------- double taps and repeated answers

def test_a_second_confirmation_finds_the_entry_saved(wechat, demo_db):
    converse(wechat, "demo-worker-elder", [
        ("走访 王秀兰 今天 上门 精神好", "请核对"),
        ("1", "已保存"),
        ("1", ["已经保存过了", "不会重复"]),
        ("确认", "已经保存过了"),
        ("取消", ["已经保存了", "撤销"]),
    ])
    assert len(visits_of(demo_db, "王秀兰")) == 1


def test_a_wrong_answer_twice_offers_a_way_out_and_stores_nothing(wechat, demo_db):
    converse(wechat, "demo-family", [
        ("我妈的降压药快吃完了", "姓名和住址"),
        ("马桂花，怡园社区8号楼", "联系电话"),
        ("她腿脚不好下不了楼", ["没看懂电话号码", "联系电话", "!转人工"]),
        ("你们快点来吧", ["没看懂电话号码", "转人工", "取消"]),
        ("13809511234", ["请核对", "138****1234"]),
    ])
    values = json.loads(active_state(demo_db, "demo-family")["data"])["values"]
    assert values["phone"] == "13809511234" and "下不了楼" not in json.dumps(values, ensure_ascii=False)
    converse(wechat, "demo-director", [
        ("走访 王小明", "怎么走访"),
        ("孩子挺好的", ["没看懂", "怎么走访"]),
        ("还是挺好的", ["怎么走访", "取消"]),
    ])
    assert "mode" not in json.loads(active_state(demo_db, "demo-director")["data"])["values"]


def test_a_workers_report_words_never_open_a_residents_request(wechat, demo_db):
    converse(wechat, "demo-worker-elder", [("月报", "!为谁"), ("指标", "!为谁"), ("关闭", "没有正在办的事")])
    assert requests_of(demo_db, "demo-worker-elder") == []


def test_a_worker_closes_a_ticket_with_the_word_that_alone_cancels(wechat, demo_db):
    replies = converse(wechat, "demo-family", [("转人工", "社工")])
    number = next(w for w in replies[0].replace("（", " ").replace("）", " ").split() if w.startswith("T"))
    converse(wechat, "demo-worker-elder", [
        ("走访 王秀兰 今天 上门", "情况怎么样"),
        (f"结束 {number}", [number, "还没填完", "情况怎么样"]),  # a command mid-visit, not the answer
        ("结束", ["已取消", "王秀兰的走访"]),  # alone, the word still cancels
    ])
