"""The conversation engine, through the real callback, with a small sign-up flow declared here."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine

from bot.app import create_app
from data import audit
from data.clock import utcnow
from flows import registry
from flows.engine import Flow, Step
from flows.errors import Ambiguous, Invalid
from flows.parsers import find_date, find_phone, parse_date, parse_number, parse_phone
from handlers import build_dispatcher
from handlers.feature import Feature
from tests.conversation import converse
from tests.wechat_peer import WeChatPeer

ACTIVITIES = ("秧歌队", "书法班", "秦腔", "剪纸班")


def _activity(text, ctx, values):
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(ACTIVITIES):
        return ACTIVITIES[int(text) - 1]
    hits = [a for a in ACTIVITIES if a in text or (len(text) >= 1 and text in a)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise Ambiguous("您说的是哪个？", [(a, a) for a in hits])
    raise Invalid("没有这个活动。")


def _extract_activity(text, ctx, values):
    for activity in ACTIVITIES:
        if activity in text:
            return activity, text.replace(activity, " ").strip()
    return None


def _extract_count(text, ctx, values):
    match = re.search(r"(\d+)\s*(?:个)?人", text)
    return (int(match.group(1)), text[: match.start()] + text[match.end():]) if match else None


def _count(text, ctx, values):
    number = parse_number(text.replace("人", "").replace("个", ""))
    if not 1 <= number <= 20:
        raise Invalid("人数请在1到20之间。")
    return number


def _save(ctx, values):
    audit.record(ctx.db, ctx.now, ctx.openid, "signup", "test-signup", values)
    return f"报名成功：{values['activity']} {values['count']}人。"


SIGNUP = Flow(
    name="test_signup",
    title="活动报名",
    triggers=("报名",),
    steps=(
        Step("activity", "活动", ask="报哪个活动？\n1. 秧歌队\n2. 书法班\n3. 秦腔\n4. 剪纸班", parse=_activity,
             extract=_extract_activity),
        Step("date", "日期", ask="哪天参加？", show=str,
             parse=lambda t, c, v: parse_date(t, c.today, prefer="future").isoformat(),
             extract=lambda t, c, v: (lambda f: (f[0].isoformat(), f[1]) if f else None)(
                 find_date(t, c.today, prefer="future"))),
        Step("count", "人数", ask="几个人参加？", parse=_count, extract=_extract_count),
        Step("phone", "电话", ask="留个电话吧", parse=lambda t, c, v: parse_phone(t),
             extract=lambda t, c, v: find_phone(t), optional=True),
    ),
    save=_save,
    brief=lambda values: f"{values['activity']}报名" if values.get("activity") else "活动报名",
)
SIGNUP_FEATURE = Feature("test_signup")
SIGNUP_FEATURE.flow(SIGNUP)


@pytest.fixture
def extra_features():
    return (SIGNUP_FEATURE,)


def _saved(db):
    return [row for row in db["audit"].rows_where("action = 'signup'")]


def test_one_message_fills_every_step_and_is_confirmed_in_one_summary(wechat, db):
    converse(wechat, "p1", [
        ("报名 秧歌队 明天 3人 13809511234", ["请核对活动报名", "活动：秧歌队", "人数：3", "电话：13809511234",
                                          "1.确认保存"]),
        ("1", "报名成功：秧歌队 3人"),
    ])
    assert len(_saved(db)) == 1


def test_step_by_step_asks_only_for_what_is_missing(wechat, db):
    converse(wechat, "p2", [
        ("报名 书法班", "哪天参加"),
        ("后天 2人", "留个电话"),  # one answer filled two steps
        ("跳过", ["请核对", "书法班", "电话：无"]),
        ("是", "报名成功：书法班 2人"),
    ])


def test_invalid_answer_says_why_and_asks_again(wechat, db):
    converse(wechat, "p3", [
        ("报名", "报哪个活动"),
        ("游泳", ["没有这个活动", "报哪个活动"]),
        ("3", "哪天参加"),
        ("明天", "几个人"),
        ("50", ["1到20之间", "几个人"]),
        ("五", "留个电话"),
    ])


def test_ambiguous_answer_offers_numbered_choices(wechat, db):
    converse(wechat, "p4", [
        ("报名", "报哪个活动"),
        ("班", ["哪个", "1. 书法班", "2. 剪纸班", "请回编号"]),
        ("2", "哪天参加"),
    ])


def test_cancel_midway_saves_nothing(wechat, db):
    converse(wechat, "p5", [("报名 秦腔", "哪天"), ("取消", ["已取消", "没有保存", "继续"]), ("1", "是指什么")])
    assert _saved(db) == []
    assert db.execute("SELECT COUNT(*) FROM conversations WHERE step != '__saved'").fetchone()[0] == 0


def test_back_returns_to_the_previous_step(wechat, db):
    converse(wechat, "p6", [
        ("报名", "报哪个活动"),
        ("1", "哪天参加"),
        ("明天", "几个人"),
        ("返回", ["上一步", "哪天参加"]),
        ("返回", ["上一步", "报哪个活动"]),
        ("返回", ["第一步", "报哪个活动"]),
        ("2", "哪天参加"),
        ("明天", "几个人"),
        ("4", "电话"),
        ("跳过", "活动：书法班"),
    ])


def test_help_at_a_step_explains_and_keeps_the_entry(wechat, db):
    converse(wechat, "p7", [
        ("报名 秦腔", "哪天"),
        ("帮助", ["活动报名", "哪天参加", "取消", "返回"]),
        ("明天", "几个人"),
    ])


def test_edit_one_field_from_the_summary(wechat, db):
    converse(wechat, "p8", [
        ("报名 秦腔 明天 2人 13809511234", "请核对"),
        ("2", ["要改哪一项", "1. 活动", "3. 人数"]),
        ("3", "几个人"),
        ("4", ["请核对", "人数：4"]),
        ("改 活动", "报哪个活动"),
        ("剪纸班", "活动：剪纸班"),
        ("确认", "报名成功：剪纸班 4人"),
    ])


def test_idle_entry_expires_and_the_person_is_told(wechat, db):
    converse(wechat, "p9", [("报名 秦腔", "哪天")])
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        converse(wechat, "p9", [("明天", ["超过30分钟", "草稿", "继续", "秦腔报名"])])
        # A fresh start works at once, and the old entry is gone.
        converse(wechat, "p9", [("报名", "报哪个活动")])
    assert _saved(db) == []


def test_expired_entry_does_not_swallow_a_new_command(wechat, db):
    converse(wechat, "p10", [("报名 秦腔", "哪天")])
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        converse(wechat, "p10", [("帮助", ["草稿", "您可以发"])])


def test_state_survives_a_new_app_instance(settings, wechat, db):
    converse(wechat, "p11", [("报名 秦腔", "哪天"), ("明天", "几个人")])
    restarted = WeChatPeer(create_app(settings, extra_features=(SIGNUP_FEATURE,)).test_client())
    converse(restarted, "p11", [("3", "电话"), ("跳过", "秦腔"), ("1", "报名成功")])


def test_process_restart_in_the_middle_of_a_flow_resumes(runner, env):
    """Two real processes: the first starts binding and exits, the second finishes it."""
    from bot.cli import cli

    code = runner.invoke(cli, ["invite", "--role", "volunteer"]).output.strip().splitlines()[-1]
    run = [sys.executable, "-m", "bot", "chat", "--as", "restart-user"]
    first = subprocess.run(run, input="绑定\n", capture_output=True, text=True, env=env | _base_env(), timeout=60)
    assert "绑定码" in first.stdout, first.stderr
    second = subprocess.run(run, input=f"{code}\n", capture_output=True, text=True, env=env | _base_env(),
                            timeout=60)
    assert "绑定成功" in second.stdout, second.stderr


def _base_env():
    import os

    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "PYTHONPATH", "LANG")}


def test_flow_declarations_are_checked():
    flows = registry.FlowRegistry([SIGNUP])
    with pytest.raises(registry.FlowDefinitionError):
        flows.add(Flow(name="dup", title="重复", triggers=("重复",), save=_save,
                       steps=(Step("a", "A", ask="a?", parse=str), Step("a", "A", ask="a?", parse=str))))
    with pytest.raises(registry.FlowDefinitionError):
        flows.add(Flow(name="clash", title="冲突", triggers=("报名",), save=_save,
                       steps=(Step("a", "A", ask="a?", parse=str),)))
    with pytest.raises(registry.FlowDefinitionError):
        flows.add(Flow(name="empty", title="空", triggers=("空问题",), save=_save,
                       steps=(Step("a", "A", ask=" ", parse=str),)))


def test_every_registered_flow_is_well_formed():
    dispatcher = build_dispatcher()
    triggers = []
    for flow in dispatcher.flows:
        registry.validate(flow)
        triggers += list(flow.triggers)
    assert len(triggers) == len(set(triggers))
    assert {"visit", "request", "bind", "visit_undo"} <= {f.name for f in dispatcher.flows}


def test_a_command_word_declared_twice_is_refused():
    twice = Feature("twice")
    twice.command("名单")(lambda ctx, rest: "")
    with pytest.raises(ValueError, match="名单"):
        build_dispatcher(extra=(twice,))
