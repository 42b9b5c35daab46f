"""The monthly report reminders know what was submitted: a recorded summary is not asked for again, and on the
1st a worker hears that last month's summary is not yet recorded."""

from __future__ import annotations

from datetime import date, datetime

from bot.jobs import reminder_messages
from data import reminders, submissions
from data.record_rules import Actor

NOW = datetime.fromisoformat("2026-11-20T02:00:00+00:00")


def texts(db, settings, day: date) -> dict[str, str]:
    return {m.name: m.text for m in reminder_messages(db, day, settings)}


def submit(db, project: str, month: str, kind: str) -> None:
    submissions.record_submission(db, project, month, kind, by=Actor(label="test"), now=NOW, today=date(2026, 12, 31),
                                  submitted_on=f"{month}-20")


def test_a_summary_recorded_as_submitted_is_not_asked_for_again(db, settings, person):
    person("w-mali", "worker", "怡园社区", "马丽")
    person("w-yangfan", "worker", "沈闸村", "杨帆")
    day = reminders.report_day(2026, 11)
    before = texts(db, settings, day)
    assert "【月度总结】" in before["马丽"] and "【月度总结】" in before["杨帆"]
    submit(db, "elder", "2026-11", "summary")
    after = texts(db, settings, day)
    assert "马丽" not in after  # nothing else was due for her that day
    assert "【月度总结】" in after["杨帆"]  # the child project's summary is still due


def test_on_the_1st_last_months_summary_and_this_months_plan(db, settings, person):
    person("w-mali", "worker", "怡园社区", "马丽")
    person("w-yangfan", "worker", "沈闸村", "杨帆")
    person("d-liming", "director", "沈闸村", "李明")
    submit(db, "elder", "2026-11", "summary")
    submit(db, "elder", "2026-12", "plan")
    sent = texts(db, settings, date(2026, 12, 1))
    assert "11月工作总结还没有登记提交" not in sent["马丽"] and "本月工作计划请在5日前提交" not in sent["马丽"]
    assert "11月工作总结还没有登记提交" in sent["杨帆"] and "本月工作计划请在5日前提交" in sent["杨帆"]
    assert "李明" not in sent  # directors write no reports
