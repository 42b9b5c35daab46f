"""Monthly reminders: who hears what on which day, and nobody who is done hears anything."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.config import load_settings
from bot.jobs import enqueue_reminders, reminder_messages
from bot.scheduler import ReminderDaysTrigger
from data import outbox, reminders
from data.clock import iso, utcnow

NINGXIA = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def team(db, person):
    """李明 directs 沈闸村's children; 马丽 is 怡园社区's worker; 杨帆 is a worker with no recipients."""
    return {"li": person("d-liming", "director", "沈闸村", "李明"),
            "ma": person("w-mali", "worker", "怡园社区", "马丽"),
            "yang": person("w-yangfan", "worker", "沈闸村", "杨帆")}


def add_recipient(db, name: str, responsible: dict, kind: str = "child", ongoing: bool = True,
                  allowance: bool = False, active: bool = True) -> int:
    now = iso(utcnow())
    cursor = db.conn.execute(
        "INSERT INTO recipients (kind, name, site_id, responsible_id, ongoing_care, allowance, active,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [kind, name, responsible["site_id"], responsible["id"], int(ongoing), int(allowance), int(active), now, now],
    )
    return cursor.lastrowid


def add_visit(db, recipient_id: int, visitor: dict, day: str, verification: bool = False,
              deleted: bool = False) -> None:
    db.conn.execute(
        "INSERT INTO visits (recipient_id, visitor_id, visit_date, mode, verification, created_at, deleted_at)"
        " VALUES (?, ?, ?, '上门', ?, ?, ?)",
        [recipient_id, visitor["id"], day, '{"seen": true}' if verification else None, iso(utcnow()),
         iso(utcnow()) if deleted else None],
    )


def texts(db, settings, day: str) -> dict[str, str]:
    return {m.name: m.text for m in reminder_messages(db, date.fromisoformat(day), settings)}


def test_on_the_15th_each_person_hears_who_is_left_most_overdue_first(db, settings, team):
    li, ma = team["li"], team["ma"]
    visited = add_recipient(db, "王小明", li)
    add_visit(db, visited, li, "2026-11-03")
    long_ago = add_recipient(db, "李小红", li)
    add_visit(db, long_ago, li, "2026-10-06")
    add_recipient(db, "马小军", li)  # never visited
    elder = add_recipient(db, "王秀兰", ma, kind="elder")
    add_visit(db, elder, ma, "2026-11-10")

    sent = texts(db, settings, "2026-11-15")
    assert set(sent) == {"李明"}  # 马丽 is done and hears nothing; 杨帆 has nobody
    text = sent["李明"]
    assert "还有2位服务对象这一期没上门见到（共3位" in text
    assert text.index("马小军：还没有上门见到的记录") < text.index("李小红：40天没上门见到")
    assert "王小明" not in text
    assert len(text) < 600


def test_deleted_visits_inactive_recipients_and_unreachable_staff_do_not_count(db, settings, team, person):
    li = team["li"]
    child = add_recipient(db, "张小花", li)
    add_visit(db, child, li, "2026-11-02", deleted=True)  # 撤销: as if it never happened
    add_recipient(db, "已迁出", li, active=False)
    gone = person("d-gone", "director", "马家湾村", "丁玉梅")
    add_recipient(db, "马小宝", gone)
    db.conn.execute("UPDATE people SET reachable = 0 WHERE id = ?", [gone["id"]])

    sent = texts(db, settings, "2026-11-25")
    assert set(sent) == {"李明"}
    assert "张小花：还没有上门见到的记录" in sent["李明"] and "已迁出" not in sent["李明"]


def test_allowance_children_not_verified_this_quarter(db, settings, team):
    li = team["li"]
    checked = add_recipient(db, "孤儿甲", li, allowance=True)
    add_visit(db, checked, li, "2026-10-20", verification=True)
    last_quarter = add_recipient(db, "孤儿乙", li, allowance=True)
    add_visit(db, last_quarter, li, "2026-09-28", verification=True)
    add_visit(db, last_quarter, li, "2026-11-05")  # an ordinary visit is not a verification
    add_recipient(db, "孤儿丙", li, allowance=True, ongoing=False)

    text = texts(db, settings, "2026-11-15")["李明"]
    verify = text[text.index("【津贴核查】"):]
    assert verify.startswith("【津贴核查】本季度还有2名")
    assert "孤儿丙：还没有核查记录" in verify and "孤儿乙：上次核查在9月28日" in verify
    assert "孤儿甲" not in verify


def test_verification_period_is_a_setting(db, env, team):
    settings = load_settings(env={**env, "LAOXIAO_VERIFY_PERIOD": "month"}, dotenv=False)
    child = add_recipient(db, "孤儿甲", team["li"], allowance=True, ongoing=False)
    add_visit(db, child, team["li"], "2026-10-20", verification=True)
    assert "【津贴核查】本月还有1名" in texts(db, settings, "2026-11-15")["李明"]


def test_on_the_1st_a_short_summary_of_last_month_instead(db, settings, team):
    li, ma = team["li"], team["ma"]
    on_last_day = add_recipient(db, "王小明", li)
    add_visit(db, on_last_day, li, "2026-10-31")
    too_late = add_recipient(db, "李小红", li)
    add_visit(db, too_late, li, "2026-11-01")  # November's visit does not count for October
    elder = add_recipient(db, "王秀兰", ma, kind="elder")
    add_visit(db, elder, ma, "2026-10-12", verification=False)

    sent = texts(db, settings, "2026-11-01")
    assert sent["李明"].startswith("【上月小结】10月您负责的服务对象2位，已上门见到1位，没走访的1位：李小红。")
    assert "没走访" in sent["李明"] and "走访提醒" not in sent["李明"]
    assert "全部完成" in sent["马丽"] and "本月工作计划请在5日前提交" in sent["马丽"]
    assert "本月工作计划" in sent["杨帆"]  # workers plan even with nobody of their own
    assert "本月工作计划" not in sent["李明"]  # directors do not write the plan


def test_month_boundary_visits_count_in_their_own_month(db, settings, team):
    li = team["li"]
    child = add_recipient(db, "王小明", li)
    add_visit(db, child, li, "2026-10-31")
    text = texts(db, settings, "2026-11-15")["李明"]
    assert "王小明：15天没上门见到" in text


def test_leap_year_february(db, settings, team):
    li = team["li"]
    child = add_recipient(db, "王小明", li)
    add_visit(db, child, li, "2028-01-25")
    assert "王小明：31天没上门见到" in texts(db, settings, "2028-02-25")["李明"]
    add_visit(db, child, li, "2028-02-29")
    summary = texts(db, settings, "2028-03-01")["李明"]
    assert "2月您负责的服务对象1位，已上门见到1位，全部完成" in summary
    assert reminders.report_day(2028, 2) == date(2028, 2, 28)
    assert reminders.month_range(date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))

    trigger = ReminderDaysTrigger(settings.reminder_days, settings.reminder_time, settings.tz)
    after = datetime(2028, 2, 25, 9, 0, 1, tzinfo=settings.tz)
    fires = [trigger.get_next_fire_time(None, after)]
    fires.append(trigger.get_next_fire_time(fires[0], fires[0]))
    assert [f.date() for f in fires] == [date(2028, 2, 28), date(2028, 3, 1)]


def test_report_deadline_reminds_workers_with_the_figures_so_far(db, settings, team):
    ma = team["ma"]
    elder = add_recipient(db, "王秀兰", ma, kind="elder")
    other = add_recipient(db, "马大爷", ma, kind="elder")
    add_visit(db, elder, ma, "2026-11-03")
    add_visit(db, elder, ma, "2026-11-20")
    day = reminders.report_day(2026, 11)
    assert day == date(2026, 11, 27)  # Friday: Monday the 30th is the last working day
    sent = texts(db, settings, day.isoformat())
    assert sent["马丽"] == ("【月度总结】本月工作总结请在月底前提交。\n"
                          "本月至今：本站点走访2次（上门见到2次），您负责的服务对象已上门见到1/2位。")
    assert "马大爷" not in sent["马丽"]  # not a reminder day: only the report
    assert "本月至今：本站点走访0次" in sent["杨帆"]
    assert "李明" not in sent
    add_visit(db, other, ma, "2026-11-30")  # later than the day asked about: not counted
    assert "已上门见到1/2位" in texts(db, settings, day.isoformat())["马丽"]


def test_a_long_list_is_cut_short(db, settings, team):
    for number in range(12):
        add_recipient(db, f"孩子{number:02d}", team["li"])
    text = texts(db, settings, "2026-11-15")["李明"]
    assert "……还有4位，发「本月」看全部。" in text and len(text) < 600


def test_nothing_is_due_on_an_ordinary_day(db, settings, team):
    add_recipient(db, "王小明", team["li"])
    assert texts(db, settings, "2026-11-16") == {}


def test_reminders_are_enqueued_once_per_person_and_day_and_expire_at_the_next(db, settings, team):
    add_recipient(db, "王小明", team["li"])
    now = utcnow()
    assert enqueue_reminders(db, settings, date(2026, 11, 15), now) == 1
    assert enqueue_reminders(db, settings, date(2026, 11, 15), now) == 0
    row = outbox.rows(db)[0]
    assert row["key"] == f"reminder:2026-11-15:{team['li']['id']}" and row["kind"] == "reminder"
    assert row["expires_at"] == "2026-11-25T01:00:00Z"  # the 25th, 09:00 in Ningxia


def test_remind_dry_run_prints_without_enqueuing(db, team, runner):
    from bot.cli import cli

    add_recipient(db, "王小明", team["li"])
    result = runner.invoke(cli, ["remind", "--date", "2026-11-15", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    planned = json.loads(result.output)
    assert [p["name"] for p in planned] == ["李明"] and "王小明" in planned[0]["text"]
    assert planned[0]["openid"] == "d-liming"
    assert outbox.rows(db) == []

    readable = runner.invoke(cli, ["remind", "--date", "2026-11-15", "--dry-run"])
    assert "发给 李明" in readable.output and "王小明" in readable.output
    assert "没有要发的提醒" in runner.invoke(cli, ["remind", "--date", "2026-11-16", "--dry-run"]).output
    assert "看不懂" in runner.invoke(cli, ["remind", "--date", "11月15日"]).output


def test_remind_enqueues_todays_reminders(db, team, runner):
    from bot.cli import cli

    add_recipient(db, "王小明", team["li"])
    with time_machine.travel(datetime(2026, 11, 25, 9, 30, tzinfo=NINGXIA), tick=False):
        first = runner.invoke(cli, ["remind"])
        second = runner.invoke(cli, ["remind"])
    assert "2026-11-25" in first.output and "1 条" in first.output
    assert "0 条" in second.output
    assert len(outbox.rows(db)) == 1
