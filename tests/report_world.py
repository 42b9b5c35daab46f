"""October 2026, recorded in full: the month the report tests count by hand (see test_report.py for the sums).

Built on tests.visit_world.make_team (马丽 at 怡园社区, 李明 and 杨帆 at 沈闸村, 丁玉梅 at 马家湾村, 张主任), with both
projects running 2026-06-01 to 2027-05-31. Everything goes through the same data functions the chat flows and
the dashboard call.
"""

from __future__ import annotations

from datetime import date, datetime

from data import cases, cultivation, events, groups, projects, submissions, surveys, visits, volunteering
from data import requests as reqs
from data.record_rules import Actor
from tests.visit_world import add_recipient, make_team

TODAY = date(2026, 11, 20)
NOW = datetime.fromisoformat("2026-11-20T02:00:00+00:00")
MONTH = "2026-10"


def seed_october(db, person) -> dict:
    team = make_team(db, person)
    ids = team["ids"]
    yiyuan, shenzha, majiawan = (team[k]["site_id"] for k in ("ma", "li", "ding"))
    for code in ("elder", "child"):
        projects.set_project(db, code, NOW, start="2026-06-01", end="2027-05-31")
    db.conn.execute("UPDATE sites SET township = '峡口镇' WHERE id = ?", [majiawan])
    ids["苏奶奶"] = add_recipient(db, "苏奶奶", yiyuan, "elder", team["ma"], "1944-01-01", "女", ongoing=False)
    ids["马小龙"] = add_recipient(db, "马小龙", shenzha, responsible=team["li"])
    db.conn.execute("UPDATE recipients SET pending = 1 WHERE id = ?", [ids["马小龙"]])
    by_ma, by_yang = Actor(team["ma"]["id"], label="w-mali"), Actor(team["yang"]["id"], label="w-yangfan")

    def visit(name: str, day: str, mode: str, outcome: str = "met", who: str = "li") -> int:
        return visits.add_visit(db, recipient_id=ids[name], visitor_id=team[who]["id"], visit_date=day, mode=mode,
                                findings="情况稳定", now=NOW, outcome=outcome)

    visit("王秀兰", "2026-10-03", "上门", who="ma")
    visit("王秀兰", "2026-10-20", "电话", who="ma")
    visit("张桂英", "2026-10-10", "上门", "not_home", who="ma")
    visit("王小明", "2026-10-05", "到校")
    visit("李小明", "2026-10-06", "上门")
    visit("李小明", "2026-10-25", "上门")
    visit("马雨涵", "2026-10-07", "视频")
    visit("马小明", "2026-10-08", "上门", who="ding")
    visit("王小明", "2026-09-28", "上门")
    visits.soft_delete(db, visit("马雨涵", "2026-10-09", "上门"), NOW)
    visit("马小龙", "2026-10-12", "上门")

    def request(site: int, category: str, created: str, accepted: str | None = None, done: str | None = None,
                rating: str | None = None) -> dict:
        made = reqs.create(db, requester_id=team["boss"]["id"], category=category, text="需要帮忙", site_id=site,
                           local_day=date.fromisoformat(created[:10]), now=NOW)
        status = "done" if done else "accepted" if accepted else "new"
        db.conn.execute("UPDATE requests SET created_at = ?, accepted_at = ?, done_at = ?, status = ? WHERE id = ?",
                        [created, accepted, done, status, made["id"]])
        if rating:
            reqs.record_feedback(db, reqs.get(db, made["id"]), team["boss"]["id"], rating, None, NOW)
        return made

    r1 = request(shenzha, "学业辅导", "2026-10-10T01:00:00Z", "2026-10-10T03:00:00Z", "2026-10-11T01:00:00Z", "满意")
    request(shenzha, "学业辅导", "2026-10-12T02:00:00Z", "2026-10-12T06:00:00Z")
    request(yiyuan, "生活照料", "2026-10-15T00:00:00Z", "2026-10-15T01:00:00Z", "2026-10-15T05:00:00Z", "不满意")
    request(yiyuan, "医疗健康", "2026-10-31T17:00:00Z")   # 1 November in Ningxia
    request(yiyuan, "医疗健康", "2026-09-30T17:00:00Z")   # 1 October in Ningxia

    def case(name: str, notes: list[tuple[str, str]], reason: str | None = None, by: Actor = by_yang) -> int:
        case_id = cases.open_case(db, ids[name], "外展发现，家里情况复杂", day=notes[0][1], by=by, now=NOW, today=TODAY)
        for stage, day in notes[1:]:
            cases.add_stage(db, case_id, stage, f"{stage}：按计划推进", day=day, by=by, now=NOW, today=TODAY,
                            closed_reason=reason if stage == "结案" else None)
        return case_id

    case("王小明", [("接案", "2026-09-20"), ("预估", "2026-09-25"), ("计划", "2026-10-02"), ("介入", "2026-10-15")])
    case("李小明", [("接案", "2026-10-05"), ("预估", "2026-10-08")])
    case("马雨涵", [("接案", "2026-08-01"), ("预估", "2026-08-05"), ("计划", "2026-08-10")])
    case("王秀兰", [("接案", "2026-10-01"), ("预估", "2026-10-03"), ("计划", "2026-10-05"), ("介入", "2026-10-10"),
                 ("评估", "2026-10-20"), ("结案", "2026-10-28")], reason="达成", by=by_ma)
    case("张桂英", [("接案", "2026-11-02")], by=by_ma)

    g1 = groups.create_group(db, shenzha, "快乐成长", "兴趣爱好", started_on="2026-09-01", by=by_yang, now=NOW,
                             today=TODAY, members=[f"孩子{i}" for i in range(1, 10)])
    for day, attendance in (("2026-09-10", 9), ("2026-09-24", 7), ("2026-10-08", 8), ("2026-10-22", 9)):
        groups.add_session(db, g1, day=day, topic=f"{day}活动", attendance=attendance, by=by_yang, now=NOW,
                           today=TODAY, notes="孩子们很投入" if day == "2026-10-22" else "")
    g2 = groups.create_group(db, shenzha, "隔代教育家长小组", "增能", started_on="2026-10-01", by=by_yang, now=NOW,
                             today=TODAY, members=[f"家长{i}" for i in range(1, 6)])
    groups.add_session(db, g2, day="2026-10-15", topic="怎样和孙辈说话", attendance=5, by=by_yang, now=NOW, today=TODAY)
    g3 = groups.create_group(db, yiyuan, "健康同行", "同伴支持", started_on="2026-10-01", by=by_ma, now=NOW,
                             today=TODAY, members=[f"老人{i}" for i in range(1, 9)])
    for day in ("2026-10-09", "2026-10-23"):
        groups.add_session(db, g3, day=day, topic="慢病自我管理", attendance=8, by=by_ma, now=NOW, today=TODAY)

    e1 = events.record_event(db, shenzha, title="防溺水安全教育讲座", event_type="专题讲座", day="2026-10-12",
                             by=by_yang, now=NOW, today=TODAY, place="村委会", participants=45,
                             partners=["社区", "社工", "社区志愿者"], summary="讲解防溺水知识")
    events.add_donation(db, e1, donor="县慈善协会", kind="goods", description="书包30个", by=by_yang, now=NOW)
    e2 = events.record_event(db, yiyuan, title="重阳节敬老活动", event_type="节庆", day="2026-10-29", by=by_ma,
                             now=NOW, today=TODAY, participants=60,
                             partners="社区、社会组织、社工、社区志愿者、慈善资源")
    events.add_donation(db, e2, donor="爱心企业", kind="money", amount=2000, by=by_ma, now=NOW)
    events.record_event(db, yiyuan, title="义务理发", event_type="公益服务", day="2026-10-20", by=by_ma, now=NOW,
                        today=TODAY, participants=15)
    events.record_event(db, shenzha, title="开学季文艺汇演", event_type="文娱", day="2026-09-15", by=by_yang, now=NOW,
                        today=TODAY, participants=80)

    survey = surveys.record_survey(db, "child", day="2026-07-10", method="入户访谈", by=by_yang, now=NOW, today=TODAY,
                                   site_id=shenzha, respondents=40, report_file="沈闸村儿童需求调研报告.docx",
                                   needs=[{"need": "学业辅导", "category": "学业辅导", "target": 3},
                                          {"need": "安全教育", "target": 2}])
    safety = db.conn.execute("SELECT id FROM survey_needs WHERE survey_id = ? AND need = '安全教育'",
                             [survey]).fetchone()[0]

    def hours(name: str, day: str, amount: float, **kwargs) -> int:
        return volunteering.record_hours(db, name=name, day=day, hours=amount, by=by_yang, now=NOW, today=TODAY,
                                         **kwargs)

    hours("刘芳", "2026-10-12", 2, event_id=e1)
    hours("马强", "2026-10-12", 3, event_id=e1, need_id=safety)
    hours("刘芳", "2026-10-29", 4, event_id=e2)
    hours("何老师", "2026-10-10", 1.5, request_id=r1["id"])
    hours("王强", "2026-10-18", 2, site_id=yiyuan, note="陪老人散步")
    hours("刘芳", "2026-09-20", 1, site_id=yiyuan, note="打扫楼道")

    cultivation.record_organisation(db, "child", name="沈闸村儿童之家志愿队", kind="volunteer_team", by=by_yang,
                                    now=NOW, today=TODAY, site_id=shenzha, founded_on="2026-07-01", members=12)
    cultivation.record_organisation(db, "child", name="马家湾读书会", kind="social_org", by=by_yang, now=NOW,
                                     today=TODAY, site_id=majiawan, founded_on="2025-01-01",
                                     registered_on="2026-10-15", members=20)
    cultivation.record_organisation(db, "elder", name="怡园老年合唱团", kind="social_org", by=by_ma, now=NOW,
                                    today=TODAY, site_id=yiyuan, founded_on="2020-05-01", members=25)

    for site, created, handled in ((shenzha, "2026-10-05T02:00:00Z", "2026-10-06T02:00:00Z"),
                                   (shenzha, "2026-10-20T02:00:00Z", None),
                                   (yiyuan, "2026-09-10T02:00:00Z", "2026-10-02T02:00:00Z"),
                                   (shenzha, "2026-11-05T02:00:00Z", None)):
        db.conn.execute("INSERT INTO protection_reports (person_id, site_id, words, kinds, excerpt, created_at,"
                        " handled_at) VALUES (?, ?, '[\"打孩子\"]', '[\"abuse\"]', '有人打孩子', ?, ?)",
                        [team["li"]["id"], site, created, handled])

    for month, kind, day in (("2026-09", "plan", "2026-09-03"), ("2026-09", "summary", "2026-09-29"),
                             ("2026-10", "plan", "2026-10-04")):
        submissions.record_submission(db, "child", month, kind, by=by_yang, now=NOW, today=TODAY, submitted_on=day)
    return team
