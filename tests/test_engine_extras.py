"""Three small engine rules the help requests rely on, tried with a flow and a command declared here:
an answer that fits another question fills it, a flow names its own confirmation, a remembered list may be
answered with words (「是的」), and 「取消」 to a conversation left half-way drops it and says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from data import audit, menus
from data.clock import utcnow
from flows.engine import Flow, Step
from flows.errors import Invalid
from flows.parsers import find_phone, parse_phone
from handlers.feature import Feature
from tests.conversation import converse


def _name(text, ctx, values):
    text = text.strip()
    if not (2 <= len(text) <= 4) or any(ch.isdigit() for ch in text) or "电话" in text:
        raise Invalid("请发姓名。")
    return text


def _save(ctx, values):
    audit.record(ctx.db, ctx.now, ctx.openid, "contact", "test-contact", values)
    return f"记下了：{values['name']} {values['phone']}"


CONTACT = Flow(
    name="test_contact", title="留联系方式", triggers=("留电话",),
    steps=(
        Step("name", "姓名", "您叫什么名字？", _name),
        Step("phone", "电话", "电话多少？", lambda t, c, v: parse_phone(t), lambda t, c, v: find_phone(t)),
    ),
    save=_save, confirm_prompt="这样记可以吗？回 1 记下，2 修改，3 取消。", misplaced=True,
)
FEATURE = Feature("test_contact")
FEATURE.flow(CONTACT)


@FEATURE.command("问我")
def _ask(ctx, rest):
    menus.remember(ctx.db, ctx.person_id, [{"label": "是", "say": "留电话", "words": ["是", "是的", "对"]},
                                           {"label": "不是", "say": "菜单", "words": ["不是"]}], ctx.now)
    return "要留电话吗？\n1. 是\n2. 不是"


@pytest.fixture
def extra_features():
    return (FEATURE,)


def test_an_answer_that_fits_another_question_fills_it_and_the_question_is_asked_again(wechat, db):
    converse(wechat, "c1", [
        ("留电话", "叫什么名字"),
        ("13809511234", ["记下了：电话 13809511234", "叫什么名字", "!请发姓名"]),
        ("马丽丽", ["电话：13809511234", "这样记可以吗？回 1 记下"]),
        ("好", "记下了：马丽丽 13809511234"),
    ])


def test_an_answer_that_fits_nothing_is_refused_as_before(wechat, db):
    converse(wechat, "c2", [("留电话", "叫什么名字"), ("我不知道啊啊啊啊", ["请发姓名", "叫什么名字"])])


def test_a_remembered_list_can_be_answered_in_words(wechat, db):
    converse(wechat, "c3", [("问我", "要留电话吗"), ("是的", "叫什么名字")])
    converse(wechat, "c4", [("问我", "要留电话吗"), ("2", "您可以发")])


def test_cancelling_a_conversation_left_half_way_drops_it_and_says_so(wechat, db):
    converse(wechat, "c5", [("留电话", "叫什么名字")])
    with time_machine.travel(utcnow() + timedelta(minutes=45), tick=False):
        converse(wechat, "c5", [("取消", ["不办了", "「留联系方式」", "!现在没有正在办的事"])])
        converse(wechat, "c5", [("继续", "没有没填完的")])
