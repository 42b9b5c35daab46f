"""The record-keeping functions the chat flows, the dashboard and the command line share: what each refuses,
in words a worker understands, and that a retried record is kept once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from data import cases, cultivation, events, groups, submissions, surveys, volunteering, worklists
from data import requests as reqs
from data.record_rules import Actor, RecordError
from tests.visit_world import make_team

TODAY = date(2026, 11, 20)
NOW = datetime.fromisoformat("2026-11-20T02:00:00+00:00")
BY = Actor(label="test")


@pytest.fixture
def team(db, person):
    return make_team(db, person)


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


# ---------------------------------------------------------------- cases

def test_a_case_moves_through_its_stages_in_order(db, team):
    wang = team["ids"]["王小明"]
    case_id = cases.open_case(db, wang, "奶奶说孩子不爱说话", day="2026-11-01", by=BY, now=NOW, today=TODAY,
                              source="外展发现")
    with pytest.raises(RecordError, match="请先记录「预估」"):
        cases.add_stage(db, case_id, "介入", "陪伴", day="2026-11-02", by=BY, now=NOW, today=TODAY)
    cases.add_stage(db, case_id, "预估", "家庭支持弱", day="2026-11-02", by=BY, now=NOW, today=TODAY)
    cases.add_stage(db, case_id, "计划", "每周陪伴一次", day="2026-11-03", by=BY, now=NOW, today=TODAY,
                    next_follow_up="2026-11-27")
    with pytest.raises(RecordError, match="不能回到「预估」"):
        cases.add_stage(db, case_id, "预估", "再看看", day="2026-11-04", by=BY, now=NOW, today=TODAY)
    cases.add_stage(db, case_id, "介入", "第一次陪伴", day="2026-11-05", by=BY, now=NOW, today=TODAY)
    cases.add_stage(db, case_id, "介入", "第二次陪伴", day="2026-11-12", by=BY, now=NOW, today=TODAY)
    case = cases.get_case(db, case_id)
    assert (case["stage"], case["last_note_on"], case["next_follow_up"]) == ("介入", "2026-11-12", "2026-11-27")
    assert [n["stage"] for n in cases.notes(db, case_id)] == ["接案", "预估", "计划", "介入", "介入"]


def test_closing_needs_a_reason_and_ends_the_case(db, team):
    case_id = cases.open_case(db, team["ids"]["李小明"], "转介而来", day="2026-11-01", by=BY, now=NOW, today=TODAY)
    with pytest.raises(RecordError, match="结案原因只能是"):
        cases.add_stage(db, case_id, "结案", "家人不愿继续", day="2026-11-02", by=BY, now=NOW, today=TODAY)
    cases.add_stage(db, case_id, "结案", "家人不愿继续", day="2026-11-02", by=BY, now=NOW, today=TODAY,
                    closed_reason="拒绝")
    assert cases.get_case(db, case_id)["closed_on"] == "2026-11-02"
    with pytest.raises(RecordError, match="已于2026-11-02结案"):
        cases.add_stage(db, case_id, "预估", "又回来了", day="2026-11-03", by=BY, now=NOW, today=TODAY)
    # Closed, so a new case may be opened.
    assert cases.open_case(db, team["ids"]["李小明"], "又来求助", day="2026-11-10", by=BY, now=NOW, today=TODAY)


def test_one_open_case_per_recipient_and_retries_record_once(db, team):
    wang = team["ids"]["王小明"]
    first = cases.open_case(db, wang, "奶奶求助", day="2026-11-01", by=BY, now=NOW, today=TODAY)
    assert cases.open_case(db, wang, "奶奶求助", day="2026-11-01", by=BY, now=NOW, today=TODAY) == first
    with pytest.raises(RecordError, match="王小明已有在办个案"):
        cases.open_case(db, wang, "另一件事", day="2026-11-02", by=BY, now=NOW, today=TODAY)
    note = cases.add_stage(db, first, "预估", "家庭情况", day="2026-11-02", by=BY, now=NOW, today=TODAY)
    assert cases.add_stage(db, first, "预估", "家庭情况", day="2026-11-02", by=BY, now=NOW, today=TODAY) == note
    assert count(db, "cases") == 1 and count(db, "case_notes") == 2


@pytest.mark.parametrize(("day", "says"), [("2026-11-21", "不能晚于今天"), ("11月3日", "请写成"), ("", "请填写"),
                                           ("2026-10-01", "不能早于接案日期")])
def test_case_dates_are_checked(db, team, day, says):
    case_id = cases.open_case(db, team["ids"]["王小明"], "接案", day="2026-11-01", by=BY, now=NOW, today=TODAY)
    with pytest.raises(RecordError, match=says):
        cases.add_stage(db, case_id, "预估", "情况", day=day, by=BY, now=NOW, today=TODAY)
    assert count(db, "case_notes") == 1


def test_a_case_untouched_for_30_days_is_overdue(db, team):
    case_id = cases.open_case(db, team["ids"]["王小明"], "接案", day="2026-10-22", by=BY, now=NOW, today=TODAY)
    assert not cases.is_overdue(cases.get_case(db, case_id), TODAY)
    assert cases.is_overdue(cases.get_case(db, case_id), TODAY + timedelta(days=1))
    assert [c["id"] for c in cases.list_cases(db, None, TODAY + timedelta(days=1), overdue_only=True)] == [case_id]
    assert cases.list_cases(db, [team["ding"]["site_id"]], TODAY + timedelta(days=1)) == []


def test_control_characters_are_refused(db, team):
    with pytest.raises(RecordError, match="控制字符"):
        cases.open_case(db, team["ids"]["王小明"], "情况\x00", day="2026-11-01", by=BY, now=NOW, today=TODAY)
    assert count(db, "cases") == 0


# ---------------------------------------------------------------- groups, events, surveys, organisations

def test_a_group_counts_once_it_has_eight_members_and_four_sessions(db, team):
    site = team["li"]["site_id"]
    group = groups.create_group(db, site, "快乐成长", "兴趣爱好", started_on="2026-10-01", by=BY, now=NOW, today=TODAY,
                                members=[f"孩子{i}" for i in range(1, 8)])
    assert groups.create_group(db, site, "快乐成长", "兴趣爱好", started_on="2026-10-01", by=BY, now=NOW,
                               today=TODAY) == group
    for day in ("2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"):
        groups.add_session(db, group, day=day, topic="画画", attendance=7, by=BY, now=NOW, today=TODAY)
    groups.add_session(db, group, day="2026-10-26", topic="画画", attendance=7, by=BY, now=NOW, today=TODAY)
    assert not groups.list_groups(db, [site])[0]["qualifies"]
    assert groups.add_member(db, group, "孩子8", joined_on="2026-11-01", by=BY, now=NOW, today=TODAY)
    assert not groups.add_member(db, group, "孩子8", joined_on="2026-11-01", by=BY, now=NOW, today=TODAY)
    listed = groups.list_groups(db, [site])[0]
    assert (listed["members"], listed["sessions"], listed["qualifies"]) == (8, 4, True)
    with pytest.raises(RecordError, match="小组类型只能是"):
        groups.create_group(db, site, "别的", "唱歌", started_on="2026-10-01", by=BY, now=NOW, today=TODAY)
    with pytest.raises(RecordError, match="不能早于小组开始日期"):
        groups.add_session(db, group, day="2026-09-01", topic="早了", attendance=3, by=BY, now=NOW, today=TODAY)


def test_events_take_the_five_partners_only_and_record_once(db, team):
    site = team["ma"]["site_id"]
    with pytest.raises(RecordError, match="「居委会」不是五社之一"):
        events.record_event(db, site, title="讲座", event_type="专题讲座", day="2026-11-01", by=BY, now=NOW,
                            today=TODAY, partners="社区、居委会")
    event = events.record_event(db, site, title="讲座", event_type="专题讲座", day="2026-11-01", by=BY, now=NOW,
                                today=TODAY, partners="社工，社区", participants="30")
    assert events.record_event(db, site, title="讲座", event_type="专题讲座", day="2026-11-01", by=BY, now=NOW,
                               today=TODAY) == event
    assert events.get_event(db, event)["partners"] == ["社区", "社工"]
    with pytest.raises(RecordError, match="请填写捐赠金额"):
        events.add_donation(db, event, donor="企业", kind="money", by=BY, now=NOW)
    events.add_donation(db, event, donor="企业", kind="money", amount="500", by=BY, now=NOW)
    events.add_donation(db, event, donor="企业", kind="money", amount="500", by=BY, now=NOW)
    events.add_photo(db, event, now=NOW, media_id="m1")
    shown = events.get_event(db, event)
    assert (shown["money"], shown["photos"], count(db, "event_donations")) == (500, 1, 1)


def test_a_survey_needs_a_needs_list(db, team):
    with pytest.raises(RecordError, match="至少列出一项服务需求"):
        surveys.record_survey(db, "elder", day="2026-07-01", method="问卷", needs=[], by=BY, now=NOW, today=TODAY)
    with pytest.raises(RecordError, match="需求类别只能是"):
        surveys.record_survey(db, "elder", day="2026-07-01", method="问卷",
                              needs=[{"need": "助餐", "category": "吃饭"}], by=BY, now=NOW, today=TODAY)
    survey = surveys.record_survey(db, "elder", day="2026-07-01", method="问卷", needs=["助餐", "理发"], by=BY, now=NOW,
                                   today=TODAY)
    again = surveys.record_survey(db, "elder", day="2026-07-01", method="问卷", needs=["助餐", "陪诊"], by=BY, now=NOW,
                                  today=TODAY)
    assert again == survey and count(db, "survey_needs") == 3


def test_an_organisation_needs_a_date_to_count(db, team):
    with pytest.raises(RecordError, match="成立日期或备案日期"):
        cultivation.record_organisation(db, "child", name="读书会", kind="social_org", by=BY, now=NOW, today=TODAY)
    first = cultivation.record_organisation(db, "child", name="读书会", kind="social_org", by=BY, now=NOW, today=TODAY,
                                            founded_on="2026-08-01", members=10)
    second = cultivation.record_organisation(db, "child", name="读书会", kind="social_org", by=BY, now=NOW,
                                             today=TODAY, founded_on="2026-08-01", members=14)
    assert first == second and cultivation.list_organisations(db, "child")[0]["members"] == 14


# ---------------------------------------------------------------- volunteer hours

def test_volunteer_hours_per_person(db, team):
    volunteer = team["ma"]  # anyone with a WeChat identity
    request = reqs.create(db, requester_id=None, category="生活照料", text="送饭", site_id=team["ma"]["site_id"],
                          local_day=TODAY, now=NOW)
    volunteering.record_hours(db, name="马丽", person_id=volunteer["id"], day="2026-10-03", hours="2小时",
                              request_id=request["id"], by=BY, now=NOW, today=TODAY)
    volunteering.record_hours(db, name="马丽", person_id=volunteer["id"], day="2026-10-03", hours="2小时",
                              request_id=request["id"], by=BY, now=NOW, today=TODAY)
    volunteering.record_hours(db, name="马丽", person_id=volunteer["id"], day="2026-11-02", hours=1.5,
                              note="陪老人散步", site_id=team["ma"]["site_id"], by=BY, now=NOW, today=TODAY)
    mine = volunteering.hours_of_person(db, volunteer["id"])
    assert (mine["hours"], mine["services"]) == (3.5, 2)
    assert [(m["month"], m["hours"]) for m in mine["months"]] == [("2026-11", 1.5), ("2026-10", 2.0)]
    assert volunteering.hours_of_person(db, volunteer["id"], first_day="2026-11-01")["hours"] == 1.5
    service = volunteering.list_services(db, None)[-1]
    assert service["site_id"] == team["ma"]["site_id"]  # taken from the request


@pytest.mark.parametrize(("hours", "says"), [("0", "0到24"), ("25", "0到24"), ("两个", "小时数")])
def test_volunteer_hours_are_checked(db, team, hours, says):
    with pytest.raises(RecordError, match=says):
        volunteering.record_hours(db, name="刘芳", day="2026-11-01", hours=hours, note="帮忙", by=BY, now=NOW,
                                  today=TODAY)
    with pytest.raises(RecordError, match="为哪个求助或哪场活动"):
        volunteering.record_hours(db, name="刘芳", day="2026-11-01", hours=1, by=BY, now=NOW, today=TODAY)
    assert count(db, "volunteer_services") == 0


# ---------------------------------------------------------------- work lists and submissions

def test_a_protection_report_is_handled_once_by_whoever_was_first(db, team):
    db.conn.execute("INSERT INTO protection_reports (site_id, words, kinds, excerpt, created_at)"
                    " VALUES (?, '[]', '[\"abuse\"]', '孩子被打', '2026-11-19T02:00:00Z')", [team["li"]["site_id"]])
    assert [p["id"] for p in worklists.protection_reports(db, [team["li"]["site_id"]])] == [1]
    assert worklists.protection_reports(db, [team["ma"]["site_id"]], with_unknown=False) == []
    with pytest.raises(RecordError, match="请填写处置情况"):
        worklists.handle_protection_report(db, 1, " ", by=BY, now=NOW)
    yang = Actor(person_id=team["yang"]["id"], label="w-yangfan")
    assert worklists.handle_protection_report(db, 1, "已报派出所", by=yang, now=NOW)
    assert not worklists.handle_protection_report(db, 1, "我也处理了", by=BY, now=NOW)
    [done] = worklists.protection_reports(db, None, open_only=False)
    assert (done["handled_by_name"], done["handled_note"]) == ("杨帆", "已报派出所")
    assert worklists.protection_reports(db, None) == []


def test_overdue_requests_leave_the_list_once_followed_up(db, team):
    site = team["ma"]["site_id"]
    waiting = reqs.create(db, requester_id=None, category="生活照料", text="送饭", site_id=site, local_day=TODAY,
                          now=NOW - timedelta(hours=30))
    reqs.create(db, requester_id=None, category="生活照料", text="理发", site_id=site, local_day=TODAY,
                now=NOW - timedelta(hours=3))
    late = worklists.overdue_requests(db, [site], NOW)
    assert [r["id"] for r in late] == [waiting["id"]] and late[0]["why"] == "超过24小时没人接单"
    worklists.follow_up_request(db, waiting["id"], "电话催了队长", by=BY, now=NOW)
    assert worklists.overdue_requests(db, [site], NOW) == []
    # Accepted later and then stuck for a week: overdue again, for a new reason.
    db.conn.execute("UPDATE requests SET status = 'accepted', accepted_at = ? WHERE id = ?",
                    ["2026-11-20T03:00:00Z", waiting["id"]])
    assert waiting["id"] not in [r["id"] for r in worklists.overdue_requests(db, [site], NOW + timedelta(days=6))]
    [again] = [r for r in worklists.overdue_requests(db, [site], NOW + timedelta(days=8)) if r["id"] == waiting["id"]]
    assert again["why"] == "接单后超过7天未完成"
    assert reqs.events(db, waiting["id"])[-1]["action"] == "followed_up"


def test_submissions_are_recorded_once_with_due_dates(db, team):
    for _ in range(2):
        submissions.record_submission(db, "elder", "2026-10", "plan", by=BY, now=NOW, today=TODAY,
                                      submitted_on="2026-10-07")
    [row] = submissions.listing(db, ["elder"], ["2026-10"])
    assert row["plan"]["submitted_on"] == "2026-10-07" and row["plan_late"] and row["summary"] is None
    assert row["summary_due"] == "2026-10-31"
    with pytest.raises(RecordError, match="月份"):
        submissions.record_submission(db, "elder", "2026-13", "plan", by=BY, now=NOW, today=TODAY)
    assert count(db, "report_submissions") == 1
