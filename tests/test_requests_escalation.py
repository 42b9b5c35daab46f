"""Nobody accepts: the team leader is reminded after 2 daytime hours, the site's worker after 4. The clock is
controlled with time-machine; the escalation job is called the way the scheduler calls it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from data import people
from flows.escalation import daytime_between, escalate
from tests import requests_world as world
from tests.conversation import converse

who = world.who  # a fixture shared by the request tests

TZ = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def _request_at(wechat, moment: datetime, openid: str = "fam-1") -> str:
    with time_machine.travel(moment, tick=False):
        replies = converse(wechat, openid, [
            ("我爸的降压药快吃完了", "姓名和住址"),
            ("刘福贵，怡园社区1号楼", "联系电话"),
            ("跳过", "医疗健康"),
            ("1", "医疗志愿队"),
        ])
    return world.number_in(replies[-1])


def _reminders(db, openid: str, number: str) -> list[str]:
    return [t for t in world.pushes(db, openid) if t.startswith("【提醒】") and number in t]


def test_leader_then_worker_are_reminded_once_each(wechat, db, who):
    number = _request_at(wechat, local(3, 9))
    assert escalate(db, local(3, 10, 59), TZ) == 0
    assert escalate(db, local(3, 11), TZ) == 1
    assert escalate(db, local(3, 11, 5), TZ) == 0  # run every few minutes: sent once
    lead = _reminders(db, "lead-med", number)
    assert len(lead) == 1 and "2个多小时" in lead[0] and f"接单 {number}" in lead[0]
    assert _reminders(db, "w-yy", number) == []
    assert escalate(db, local(3, 13), TZ) == 1
    worker = _reminders(db, "w-yy", number)
    assert len(worker) == 1 and "医疗志愿队" in worker[0] and f"转派 {number}" in worker[0]
    assert escalate(db, local(3, 15), TZ) == 0
    assert world.actions(db, number).count("reminded") == 2
    rows = list(db.query("SELECT kind FROM outbox WHERE key LIKE 'escalation:%'"))
    assert {r["kind"] for r in rows} == {"escalation"}


def test_night_hours_do_not_count(wechat, db, who):
    number = _request_at(wechat, local(3, 19, 30))
    assert escalate(db, local(4, 8, 30), TZ) == 0  # 30 minutes last evening + 30 this morning
    assert escalate(db, local(4, 9, 29), TZ) == 0
    assert escalate(db, local(4, 9, 30), TZ) == 1
    assert len(_reminders(db, "lead-med", number)) == 1


def test_an_accepted_request_is_left_alone(wechat, db, who):
    number = _request_at(wechat, local(3, 9))
    with time_machine.travel(local(3, 10), tick=False):
        converse(wechat, "lead-med", [(f"接单 {number}", "已接单")])
    assert escalate(db, local(3, 16), TZ) == 0


def test_a_new_team_gets_its_own_two_hours(wechat, db, who):
    number = _request_at(wechat, local(3, 9))
    assert escalate(db, local(3, 11), TZ) == 1
    with time_machine.travel(local(3, 11, 30), tick=False):
        converse(wechat, "lead-med", [(f"退回 {number} 人手不够", "卫生院志愿队")])
    assert escalate(db, local(3, 13, 29), TZ) == 0  # 4 hours since the first card, but 2 since the new one
    assert escalate(db, local(3, 13, 30), TZ) == 1
    assert len(_reminders(db, "lead-med2", number)) == 1
    assert _reminders(db, "w-yy", number) == []


def test_thresholds_and_daytime_are_settings(wechat, db, who):
    number = _request_at(wechat, local(3, 9))
    sent = escalate(db, local(3, 9, 30), TZ, lead_after=timedelta(minutes=30), worker_after=timedelta(hours=1))
    assert sent == 1 and len(_reminders(db, "lead-med", number)) == 1
    assert daytime_between(local(3, 6), local(3, 10), TZ) == timedelta(hours=2)
    assert daytime_between(local(3, 6), local(3, 10), TZ, day_start=time(7)) == timedelta(hours=3)
    assert daytime_between(local(3, 18), local(5, 9), TZ) == timedelta(hours=2 + 12 + 1)


def test_done_requests_nobody_rated_close_after_a_week(wechat, db, who):
    number = _request_at(wechat, local(3, 9))
    with time_machine.travel(local(3, 10), tick=False):
        converse(wechat, "lead-med", [(f"完成 {number} 送了药", "已记录完成")])
    escalate(db, local(9, 10), TZ)
    assert world.request(db, number)["status"] == "done"
    escalate(db, local(10, 11), TZ)
    assert world.request(db, number)["status"] == "closed"
    assert world.actions(db, number)[-1] == "closed"


def test_the_scheduler_job_runs_escalation(db, settings, who, wechat):
    from bot.jobs import run_escalation

    _request_at(wechat, local(3, 9))
    assert run_escalation(db, settings, local(3, 12), local(3, 12)).startswith("1 ")


# -- urgent ones: by the clock, day and night ------------------------------------------------------

def _urgent_at(wechat, moment: datetime, openid: str = "fam-9") -> str:
    with time_machine.travel(moment, tick=False):
        replies = converse(wechat, openid, [
            ("救命 我妈在院子里摔倒了起不来", "120"),
            ("周桂芳，怡园社区2号楼", "联系电话"),
            ("13612345678", "紧急求助"),
            ("1", "编号 R"),
        ])
    return world.number_in(replies[-1])


def _chases(db, openid: str, what: str) -> list[dict]:
    return [r for r in db["outbox"].rows_where("openid = ? AND key LIKE 'urgent-chase:%'", [openid])
            if what in r["body"]]


def test_an_urgent_request_at_night_is_chased_after_15_and_30_minutes(wechat, db, who):
    number = _urgent_at(wechat, local(3, 0, 45))
    assert escalate(db, local(3, 0, 59), TZ) == 0
    assert escalate(db, local(3, 1, 0), TZ) == 2  # the site's worker and an admin
    assert escalate(db, local(3, 1, 5), TZ) == 0
    assert escalate(db, local(3, 1, 15), TZ) == 2
    assert escalate(db, local(3, 3, 0), TZ) == 0  # two chases, then people are on it
    for openid in ("w-yy", "admin-1"):
        rows = _chases(db, openid, number)
        assert [("第1次" in r["body"], "第2次" in r["body"]) for r in rows] == [(True, False), (False, True)]
        assert all(r["kind"] == "urgent" and r["urgent"] == 1 for r in rows)  # the phone-visible channel
    assert _chases(db, "w-sz", number) == [] and _reminders(db, "lead-med", number) == []
    assert world.actions(db, number).count("reminded") == 2


def test_urgent_chases_go_out_in_quiet_hours_and_ordinary_reminders_wait(wechat, db, who, fake, env):
    from bot.config import load_settings
    from bot.sender import drain_once

    quiet = load_settings(env={**env, "WECHAT_API_BASE": fake.base_url, "LAOXIAO_QUIET_HOURS": "21:00-08:00"},
                          dotenv=False)
    number = _urgent_at(wechat, local(3, 0, 45))
    for person in ("w-yy", "admin-1"):
        people.note_inbound(db, person, local(3, 0, 40))
    escalate(db, local(3, 1, 0), TZ)
    drain_once(db, quiet, local(3, 1, 1))
    assert any("紧急" in t and number in t for t in fake.texts_to("w-yy"))
    assert any("紧急" in t and number in t for t in fake.texts_to("admin-1"))


def test_an_accepted_urgent_request_is_not_chased(wechat, db, who):
    number = _urgent_at(wechat, local(3, 0, 45))
    with time_machine.travel(local(3, 0, 50), tick=False):
        converse(wechat, "w-yy", [(f"接单 {number}", "已接单")])
    assert escalate(db, local(3, 1, 30), TZ) == 0


def test_an_alert_nobody_answered_is_chased_too(wechat, db, who):
    with time_machine.travel(local(3, 2, 0), tick=False):
        converse(wechat, "fam-10", [("我爸晕倒了叫不醒", "120"), ("取消", "已取消")])  # no request made
    assert escalate(db, local(3, 2, 14), TZ) == 0
    assert escalate(db, local(3, 2, 15), TZ) >= 2
    body = [r["body"] for r in db["outbox"].rows_where("key LIKE 'urgent-chase:T%'")]
    assert body and "晕倒了叫不醒" in body[0] and "回复 T" in body[0]
    with time_machine.travel(local(3, 2, 20), tick=False):
        ticket = world.TICKET.search(body[0]).group(0)
        converse(wechat, "w-yy", [(f"回复 {ticket} 我马上过去", "已发给对方")])
    before = db.execute("SELECT COUNT(*) FROM outbox WHERE key LIKE 'urgent-chase:%'").fetchone()[0]
    escalate(db, local(3, 2, 31), TZ)
    assert db.execute("SELECT COUNT(*) FROM outbox WHERE key LIKE 'urgent-chase:%'").fetchone()[0] == before
