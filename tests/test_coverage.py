"""Coverage tells the truth: only an in-person visit where the person was met closes their period, and the period
follows their level (重点 a week, 一般 a month, 稳定 a quarter). 名单, 本月 and the reminders agree.

Today is Friday 20 November 2026: this week is 16-22 November, this quarter October to December.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.jobs import reminder_messages
from data import coverage, visits
from data.clock import utcnow
from tests.conversation import converse
from tests.visit_world import add_recipient

# name, level, visits as (date, mode, outcome)
MONTH = (
    ("甲乐乐", "一般", [("2026-11-05", "上门", "met")]),                  # seen this month
    ("乙乐乐", "一般", [("2026-11-10", "电话", "met")]),                  # only called
    ("丙乐乐", "一般", [("2026-11-12", "上门", "not_home")]),             # went, nobody home
    ("丁乐乐", "重点", [("2026-11-10", "上门", "met")]),                  # weekly: that was last week
    ("戊乐乐", "重点", [("2026-11-17", "到校", "met")]),                  # weekly: seen this week, at school
    ("己乐乐", "稳定", [("2026-10-02", "上门", "met")]),                  # quarterly: seen this quarter
    ("庚乐乐", "稳定", [("2026-09-20", "上门", "met")]),                  # quarterly: last quarter
    ("辛乐乐", "一般", [("2026-11-06", "视频", "met"), ("2026-11-08", "上门", "refused")]),
)
SEEN = {"甲乐乐", "戊乐乐", "己乐乐"}


@pytest.fixture
def month(db, person, clock):
    li = person("d-li", "director", "沈闸村", "李明")
    ding = person("d-ding2", "director", "沈闸村", "丁玉梅")
    yang = person("w-yang", "worker", "沈闸村", "杨帆")
    ids = {}
    for name, level, done in MONTH:
        ids[name] = add_recipient(db, name, li["site_id"], responsible=li)
        db.conn.execute("UPDATE recipients SET level = ? WHERE id = ?", [level, ids[name]])
        for day, mode, outcome in done:
            visits.add_visit(db, recipient_id=ids[name], visitor_id=li["id"], visit_date=day, mode=mode,
                             findings="情况", outcome=outcome, now=utcnow() - timedelta(days=1))
    other = add_recipient(db, "壬乐乐", li["site_id"], responsible=ding)
    visits.add_visit(db, recipient_id=other, visitor_id=ding["id"], visit_date="2026-11-11", mode="上门",
                     findings="好", now=utcnow())
    return {"li": li, "ding": ding, "yang": yang, "ids": ids}


def test_standings_follow_the_rule_and_the_level(db, month):
    rows = [dict(r) for r in db.query("SELECT * FROM recipients WHERE name LIKE '%乐乐' ORDER BY id")]
    standings = {s.recipient["name"]: s for s in coverage.standings(db, rows, date(2026, 11, 20))}
    assert {name for name, s in standings.items() if s.seen} == SEEN | {"壬乐乐"}
    assert standings["丁乐乐"].period == (date(2026, 11, 16), date(2026, 11, 22))
    assert standings["庚乐乐"].period == (date(2026, 10, 1), date(2026, 12, 31))
    assert standings["乙乐乐"].contact_mode == "电话" and standings["乙乐乐"].last_seen is None


def test_the_roster_marks_each_person_by_what_really_happened(wechat, db, month):
    [reply] = converse(wechat, "d-li", [("名单", "这一期已上门见到3人")])
    line = {name: next(x for x in reply.splitlines() if name in x) for name, _, _ in MONTH}
    for name in SEEN:
        assert "✅" in line[name], line[name]
    assert "☎" in line["乙乐乐"] and "电话联系过" in line["乙乐乐"]
    assert "🚪" in line["丙乐乐"] and "不在家" in line["丙乐乐"]
    assert "🚪" in line["辛乐乐"] and "拒绝" in line["辛乐乐"]
    assert "⭕" in line["丁乐乐"] and "重点·每周" in line["丁乐乐"]
    assert "⭕" in line["庚乐乐"] and "稳定·每季" in line["庚乐乐"]


def test_this_month_for_a_director_and_for_the_sites_worker(wechat, db, month):
    [mine] = converse(wechat, "d-li", [("本月", "您负责的服务对象8人，这一期已上门见到3人（38%）")])
    assert "本月走访7次：上门见到3次，电话/视频2次，去了没见到2次" in mine
    assert "壬乐乐" not in mine
    [site] = converse(wechat, "w-yang", [("本月", "本站点服务对象9人，这一期已上门见到4人（44%）")])
    assert "李明：3/8人已上门见到" in site and "丁玉梅：1/1人已上门见到" in site
    assert "本月走访8次" in site  # the directors' visits are the site's


def test_reminders_list_who_is_due_and_count_the_sites_visits_for_the_worker(db, settings, month):
    sent = {m.name: m.text for m in reminder_messages(db, date(2026, 11, 25), settings)}
    due = sent["李明"]
    for name in ("乙乐乐", "丙乐乐", "丁乐乐", "庚乐乐", "辛乐乐", "戊乐乐"):  # 戊: seen last week, due again
        assert name in due, name
    for name in ("甲乐乐", "己乐乐"):
        assert name not in due, name
    report = {m.name: m.text for m in reminder_messages(db, date(2026, 11, 27), settings)}["杨帆"]
    assert "本站点走访8次（上门见到4次）" in report
