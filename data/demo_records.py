"""Demo records for the dashboard and the reports: a project period around today, visits in earlier months (for
the coverage chart), cases, groups, events with donations and volunteers, a needs survey, organisations
cultivated, a mandatory report and last month's report submissions. Written once: a database that already
has cases is left as it is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlite_utils import Database

from data import cases, cultivation, events, groups, projects, protection, submissions, surveys, visits, volunteering
from data.record_rules import Actor

# Earlier months' in-person visits: (months back, recipients seen), so that coverage varies month by month.
EARLIER_MONTHS = ((3, ("王秀兰", "马占福", "张桂英", "王小明", "李小明", "马雨涵", "马小明")),
                  (2, ("王秀兰", "马占福", "张桂英", "李长贵", "杨玉梅", "丁守仁", "王小明", "李小明", "马雨涵",
                       "丁浩然", "杨欣怡", "马小明", "马晓燕")),
                  (1, ("王秀兰", "马占福", "张桂英", "李长贵", "丁守仁", "苏凤兰", "王小明", "李小明", "马雨涵",
                       "丁浩然", "杨欣怡", "苏子轩", "马小明", "马晓燕", "杨子涵")))


def _day(today: date, days_back: int) -> str:
    """A day this month, `days_back` before today when the month is long enough so far."""
    return (today - timedelta(days=min(days_back, today.day - 1))).isoformat()


def _month_day(today: date, months_back: int, day: int) -> str:
    month = projects.shift_month(today.strftime("%Y-%m"), -months_back)
    return f"{month}-{day:02d}"


def seed_records(db: Database, now: datetime, by_openid: dict[str, dict]) -> None:
    today = now.date()
    _cover_today(db, now, today)
    if db.conn.execute("SELECT 1 FROM cases LIMIT 1").fetchone():
        return
    ids = {row["name"]: row for row in db.query("SELECT id, name, site_id, responsible_id FROM recipients")}
    sites = {row["name"]: row["id"] for row in db.query("SELECT id, name FROM sites")}
    ma = Actor(by_openid["demo-worker-elder"]["id"], label="demo")
    yang = Actor(by_openid["demo-worker-child"]["id"], label="demo")
    for months_back, names in EARLIER_MONTHS:
        for index, name in enumerate(names):
            visit_day = _month_day(today, months_back, 3 + index)
            visits.add_visit(db, recipient_id=ids[name]["id"], visitor_id=ids[name]["responsible_id"],
                             visit_date=visit_day, mode="上门", findings="近况平稳", now=now)
    stage_days = ((cases.STAGES[0], 40), (cases.STAGES[1], 33), (cases.STAGES[2], 26), (cases.STAGES[3], 12))
    for name, actor, reached in (("王秀兰", ma, 4), ("张桂英", ma, 2), ("丁浩然", yang, 3), ("马雨涵", yang, 4)):
        notes = [(stage, (today - timedelta(days=back)).isoformat()) for stage, back in stage_days[:reached]]
        case_id = cases.open_case(db, ids[name]["id"], "外展走访发现，需要持续跟进", day=notes[0][1], by=actor, now=now,
                                  today=today, source="外展发现")
        for stage, day in notes[1:]:
            cases.add_stage(db, case_id, stage, f"{stage}：和家人一起商量了下一步", day=day, by=actor, now=now,
                            today=today, next_follow_up=(today + timedelta(days=7)).isoformat())
    children = ["王小明", "李小明", "杨欣怡", "苏子轩", "王思雨", "周俊杰", "海梓萱", "田佳豪"]
    group = groups.create_group(db, sites["沈闸村"], "快乐成长", "兴趣爱好", started_on=_month_day(today, 2, 1),
                                by=yang, now=now, today=today, goal="留守儿童结伴学画画、做手工", members=children)
    for months_back, day in ((2, 10), (1, 8), (1, 22), (0, 1)):
        session_day = _month_day(today, months_back, day) if months_back else _day(today, 2)
        groups.add_session(db, group, day=session_day, topic="绘画和手工", attendance=8, by=yang, now=now, today=today,
                           place="儿童之家", notes="孩子们互相帮忙，比上次更愿意说话")
    groups.create_group(db, sites["怡园社区"], "健康同行", "同伴支持", started_on=_day(today, 10), by=ma, now=now,
                        today=today, members=["马占福", "丁守仁", "杨玉梅", "周淑芳", "海福贵"])
    lecture = events.record_event(db, sites["怡园社区"], title="冬季防煤气中毒讲座", event_type="专题讲座",
                                  day=_day(today, 5), by=ma, now=now, today=today, place="社区活动室", participants=42,
                                  participant_groups="老人35人、家属7人", partners=["社区", "社工", "社区志愿者"],
                                  summary="讲解煤炉、火炕的安全使用，发放一氧化碳报警器")
    events.add_donation(db, lecture, donor="爱心企业", kind="goods", amount=1200, description="一氧化碳报警器30个",
                        by=ma, now=now)
    volunteering.record_hours(db, name="刘芳", person_id=by_openid["demo-volunteer"]["id"], day=_day(today, 5), hours=3,
                              event_id=lecture, by=ma, now=now, today=today)
    volunteering.record_hours(db, name="王强", person_id=by_openid["demo-lead"]["id"], day=_day(today, 5), hours=2,
                              event_id=lecture, by=ma, now=now, today=today)
    events.record_event(db, sites["沈闸村"], title="防溺水安全教育", event_type="专题讲座",
                        day=_month_day(today, 1, 15), by=yang, now=now, today=today, place="沈闸村小学",
                        participants=60, partners="社工、社区、慈善资源")
    surveys.record_survey(db, "elder", day=_month_day(today, 4, 20), method="入户问卷", by=ma, now=now,
                                   today=today, site_id=sites["怡园社区"], respondents=86,
                                   report_file="怡园社区老年人需求调研报告.docx",
                                   needs=[{"need": "助餐送餐", "category": "生活照料", "target": 10},
                                          {"need": "冬季居家安全", "category": "居家安全", "target": 5}])
    cultivation.record_organisation(db, "elder", name="怡园银龄志愿服务队", kind="volunteer_team", by=ma, now=now,
                                    today=today, site_id=sites["怡园社区"], founded_on=_month_day(today, 3, 12),
                                    members=15, leader="王强")
    cultivation.record_organisation(db, "child", name="沈闸村儿童之家志愿队", kind="volunteer_team", by=yang, now=now,
                                    today=today, site_id=sites["沈闸村"], founded_on=_month_day(today, 2, 5), members=9)
    text = "走访时孩子说他爸喝醉了就打他，身上有伤"
    protection.raise_report(db, now, by_openid["demo-director"], text, protection.find_words(text), sites["沈闸村"],
                            recipient_id=ids["王小明"]["id"])
    last_month = projects.shift_month(today.strftime("%Y-%m"), -1)
    for code, actor in (("elder", ma), ("child", yang)):
        submissions.record_submission(db, code, last_month, "plan", by=actor, now=now, today=today,
                                      submitted_on=f"{last_month}-03")
        submissions.record_submission(db, code, last_month, "summary", by=actor, now=now, today=today,
                                      submitted_on=projects.month_first_last(last_month)[1].isoformat())


def _cover_today(db: Database, now: datetime, today: date) -> None:
    """The plan's period is June 2023 - May 2024; the demo runs a year around today instead."""
    for row in projects.list_projects(db):
        if not row["start_date"] <= today.isoformat() <= row["end_date"]:
            start = projects.month_first_last(projects.shift_month(today.strftime("%Y-%m"), -5))[0]
            end = projects.month_first_last(projects.shift_month(start.strftime("%Y-%m"), 11))[1]
            projects.set_project(db, row["code"], now, start=start.isoformat(), end=end.isoformat(), actor="demo")
    db.conn.execute("UPDATE sites SET township = '峡口镇' WHERE name = '马家湾村' AND township IS NULL")
