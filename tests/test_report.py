"""The monthly report on October 2026 (tests/report_world.py), every figure against a count made by hand.

The hand counts, for the whole service:
  visits      王秀兰 10-03 上门 met, 10-20 电话; 张桂英 10-10 上门 not home; 王小明 10-05 到校;
              李小明 10-06 and 10-25 上门; 马雨涵 10-07 视频 (and a 10-09 visit withdrawn); 马小明 10-08 上门;
              the pending 马小龙 10-12 上门;
              王小明 09-28 is September. -> 9 visits, 6 in person and met, 2 by phone/video, 1 nobody home;
              seen in person: 王秀兰, 王小明, 李小明, 马小明, 马小龙 = 5.
              Ongoing care (active, confirmed, 持续关爱): 王秀兰, 张桂英, 王小明, 李小明, 马雨涵, 马小明 = 6
              (苏奶奶 is not ongoing, 马小龙 is pending); seen 4 -> 4/6.
  requests    R 10-10 学业辅导 accepted in 2 h, done in 24 h, 满意; R 10-12 学业辅导 accepted in 4 h; R 10-15 生活照料
              accepted in 1 h, done in 5 h, 不满意; R 10-01 01:00 local 医疗健康 new; R 11-01 01:00 local not October.
              -> 4 requests, 2 done, median to accept 2 h (1, 2, 4), to finish 14.5 h (5, 24).
  cases       at 31 October: 王小明 介入, 李小明 预估, 马雨涵 计划 (last note 08-10: overdue), 王秀兰 结案 10-28;
              张桂英 opened in November. -> 3 open, 2 opened, 1 closed, 1 overdue; notes in October 2 + 2 + 6 = 10.
  groups      快乐成长 9 members, sessions 09-10, 09-24, 10-08, 10-22 (qualifies 10-22); 隔代教育 5 members, 1 session;
              健康同行 8 members, 2 sessions. -> 3 groups, 1 qualifying, 5 sessions in October.
  events      讲座 45 people, 节庆 60, 公益服务 15 (not counted); the 09-15 文艺汇演 is September.
  volunteers  刘芳 2 h + 4 h, 马强 3 h, 何老师 1.5 h, 王强 2 h (刘芳's September hour excluded)
              -> 4 people, 5 services, 12.5 h.
  protection  raised 10-05 (handled 10-06) and 10-20 (open); one of September handled 10-02; one of November.
              -> raised 2, handled 2, open at the end 1.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import cli
from data import report as reports
from data.report_render import to_json, to_markdown, write_xlsx
from tests.report_world import MONTH, seed_october

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def october(db, person):
    return seed_october(db, person)


def build(db, **window) -> dict:
    return reports.build(db, tz=TZ, **reports.window(db, **window))


def indicator(report: dict, project: str, code: str) -> dict:
    return next(i for i in report["indicators"] if i["project"] == project and i["code"] == code)


def test_visits_and_coverage(db, october):
    visits = build(db, month=MONTH)["visits"]
    assert {k: visits[k] for k in ("total", "in_person", "remote", "not_met", "recipients_visited",
                                   "ongoing_recipients", "ongoing_seen", "coverage")} == {
        "total": 9, "in_person": 6, "remote": 2, "not_met": 1, "recipients_visited": 5,
        "ongoing_recipients": 6, "ongoing_seen": 4, "coverage": 0.667}
    assert visits["monthly"] == [{"month": "2026-10", "seen": 4, "ongoing": 6, "coverage": 0.667}]
    by_site = {s["site"]: (s["visits"], s["in_person"], s["ongoing_recipients"], s["ongoing_seen"])
               for s in visits["by_site"]}
    assert by_site == {"怡园社区": (3, 1, 2, 1), "沈闸村": (5, 4, 3, 2), "马家湾村": (1, 1, 1, 1)}


def test_one_site_counts_only_that_site(db, october):
    report = build(db, month=MONTH, site="沈闸村")
    assert report["site"] == "沈闸村"
    assert (report["visits"]["total"], report["visits"]["in_person"], report["visits"]["ongoing_seen"]) == (5, 4, 2)
    assert (report["requests"]["total"], report["requests"]["done"]) == (2, 1)
    assert report["requests"]["median_hours_to_accept"] == 3.0
    assert report["cases"]["by_stage"]["结案"] == 0 and report["cases"]["open"] == 3
    assert [g["name"] for g in report["groups"]["items"]] == ["快乐成长", "隔代教育家长小组"]
    assert report["volunteers"]["hours"] == 6.5  # 刘芳 2, 马强 3, 何老师 1.5
    assert report["protection"] == {"raised": 2, "handled": 1, "open": 1}
    assert {i["project"] for i in report["indicators"]} == {"child"}


def test_requests_by_category_time_to_accept_and_feedback(db, october):
    requests = build(db, month=MONTH)["requests"]
    assert (requests["total"], requests["done"], requests["open"]) == (4, 2, 2)
    assert (requests["median_hours_to_accept"], requests["median_hours_to_finish"]) == (2.0, 14.5)
    assert requests["feedback"] == {"satisfied": 1, "unsatisfied": 1}
    rows = {c["category"]: (c["total"], c["done"], c["median_hours_to_accept"], c["median_hours_to_finish"])
            for c in requests["by_category"]}
    assert rows == {"学业辅导": (2, 1, 3.0, 24.0), "生活照料": (1, 1, 1.0, 5.0), "医疗健康": (1, 0, None, None)}


def test_cases_by_stage_at_the_end_of_the_month(db, october):
    cases = build(db, month=MONTH)["cases"]
    assert {k: cases[k] for k in ("open", "opened", "closed", "overdue", "notes")} == {
        "open": 3, "opened": 2, "closed": 1, "overdue": 1, "notes": 10}
    assert cases["by_stage"] == {"接案": 0, "预估": 1, "计划": 1, "介入": 1, "评估": 0, "结案": 1}


def test_groups_events_volunteers_protection(db, october):
    report = build(db, month=MONTH)
    groups = report["groups"]
    assert (groups["count"], groups["qualifying"], groups["sessions_in_period"]) == (3, 1, 5)
    happy = groups["items"][0]
    assert (happy["name"], happy["members"], happy["sessions"], happy["attendance_in_period"]) == ("快乐成长", 9, 4, 17)
    events = report["events"]
    assert [e["title"] for e in events["items"]] == ["防溺水安全教育讲座", "义务理发", "重阳节敬老活动"]
    assert (events["count"], events["counted"], events["participants"]) == (3, 2, 120)
    assert (events["volunteer_hours"], events["money"]) == (9, 2000)
    assert events["partners"] == {"社区": 2, "社会组织": 1, "社工": 2, "社区志愿者": 2, "慈善资源": 1}
    assert events["items"][0]["goods"] == "书包30个"
    volunteers = report["volunteers"]
    assert (volunteers["people"], volunteers["services"], volunteers["hours"]) == (4, 5, 12.5)
    assert [(v["name"], v["hours"]) for v in volunteers["by_volunteer"]] == [
        ("刘芳", 6), ("马强", 3), ("王强", 2), ("何老师", 1.5)]
    assert report["protection"] == {"raised": 2, "handled": 2, "open": 1}


@pytest.mark.parametrize(("project", "code", "target", "actual", "in_period"), [
    ("child", "needs_survey", 1, 1, 0),          # July's survey, with a report and two needs
    ("child", "ongoing_visits", 10, 3, 3),       # 王小明, 李小明, 马小明 of 4 (马雨涵 only by video)
    ("child", "cases", 5, 2, 1),                 # 马雨涵 reached 计划 in August, 王小明 on 10-02
    ("child", "groups", 4, 1, 1),                # 快乐成长, its 4th session on 10-22
    ("child", "cultivated", 5, 2, 1),            # founded 07-01; 读书会 founded 2025 but registered 10-15
    ("child", "events", 10, 2, 1),               # 讲座 in October, 文艺汇演 in September
    ("child", "needs_answered", 5, 2, 2),        # 学业辅导 target 3 answered once, 安全教育 target 2 once
    ("child", "monthly_reports", 12, 1, 0),      # September's plan and summary; October's summary not yet
    ("elder", "needs_survey", 1, 0, 0),
    ("elder", "ongoing_visits", 10, 1, 1),       # 王秀兰 (张桂英 was not at home)
    ("elder", "cases", 5, 1, 1),
    ("elder", "groups", 4, 0, 0),                # 健康同行 has 8 members but 2 sessions
    ("elder", "cultivated", 10, 0, 0),           # the choir was founded in 2020
    ("elder", "events", 10, 1, 1),               # 义务理发 is 公益服务: not counted
    ("elder", "needs_answered", None, 0, 0),     # no survey yet: the target waits for it
])
def test_indicator_progress(db, october, project, code, target, actual, in_period):
    row = indicator(build(db, month=MONTH), project, code)
    assert (row["target"], row["actual"], row["in_period"]) == (target, actual, in_period)


def test_a_range_for_the_mid_term_evaluation(db, october):
    report = build(db, first="2026-06-01", last="2026-10-31")
    assert report["month"] is None and report["from"] == "2026-06-01"
    assert report["visits"]["total"] == 10  # September's visit too
    cases = indicator(report, "child", "cases")
    assert (cases["actual"], cases["in_period"]) == (2, 2)
    visits = indicator(report, "child", "ongoing_visits")
    assert visits["actual"] == 3 and visits["in_period"] == 0  # the lowest month: no visits in June
    assert [m["month"] for m in visits["months"]] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert [m["seen"] for m in report["visits"]["monthly"]][-2:] == [1, 4]


def test_json_keys_are_stable(db, october):
    data = json.loads(to_json(build(db, month=MONTH)))
    assert data["month"] == "2026-10" and data["site"] == "全部站点"
    assert {"name", "target", "actual"} <= set(data["indicators"][0])
    assert {"total", "in_person", "recipients_visited", "ongoing_recipients", "coverage"} <= set(data["visits"])
    assert {"total", "done", "median_hours_to_accept"} <= set(data["requests"])
    assert {"cases", "groups", "events", "volunteers", "protection", "highlights", "next_month"} <= set(data)


def test_markdown_has_every_section_and_the_figures(db, october):
    text = to_markdown(build(db, month=MONTH))
    assert text.startswith("# 月度工作总结 2026年10月（全部站点）")
    for heading in ("一、指标进度", "二、走访覆盖", "三、个案", "四、小组", "五、社区活动", "六、求助服务",
                    "七、志愿服务", "八、强制报告", "九、工作亮点", "十、下月计划"):
        assert f"## {heading}" in text
    assert "走访记录 9 次：上门见到本人 6 次" in text and "覆盖率 67%" in text
    assert "接单用时中位数 2 小时，完成用时中位数 14.5 小时" in text
    assert "| 快乐成长 | 兴趣爱好 | 沈闸村 | 2026-09-01 | 9 | 4 | 2 | 17 | 是 |" in text
    assert "有人打孩子" not in text  # mandatory reports: counts only
    assert "小组「隔代教育家长小组」还需活动3次、组员3人。" in text
    assert "11月工作计划请在11月5日前提交" in text


def test_highlights_never_carry_a_phone_or_id_number(db, october):
    from datetime import date, datetime

    from data import events
    from data.record_rules import Actor

    events.record_event(db, october["li"]["site_id"], title="家长会", event_type="教育倡导", day="2026-10-30",
                        by=Actor(label="test"), now=datetime.fromisoformat("2026-11-20T02:00:00+00:00"),
                        today=date(2026, 11, 20), summary="联系人13912345678，身份证640381201001011234")
    text = to_markdown(build(db, month=MONTH))
    assert "家长会" in text and "13912345678" not in text and "5678" not in text and "1234" not in text


def test_xlsx_has_a_sheet_per_section_with_chinese_headers(db, october, tmp_path):
    path = tmp_path / "月报.xlsx"
    write_xlsx(build(db, month=MONTH), path)
    book = load_workbook(path)
    assert book.sheetnames == ["指标进度", "走访覆盖", "个案", "小组", "社区活动", "求助服务", "志愿服务", "强制报告",
                               "工作亮点", "下月计划"]
    rows = list(book["走访覆盖"].values)
    assert rows[0] == ("站点", "走访次数", "上门见到本人", "持续关爱对象", "本期上门见到", "覆盖率")
    assert rows[-1] == ("合计", 9, 6, 6, 4, "67%")
    assert list(book["志愿服务"].values)[-1] == ("合计", 5, 12.5)
    indicators = list(book["指标进度"].values)
    assert indicators[0][:4] == ("项目", "指标", "目标", "累计完成")
    assert ("儿童项目", "个案服务（已预估并制定计划）", "5", 2, 1, "个", "40%") in indicators


def test_a_title_starting_with_equals_stays_text_in_excel(db, october, tmp_path):
    from datetime import date, datetime

    from data import events
    from data.record_rules import Actor

    events.record_event(db, october["li"]["site_id"], title="=HYPERLINK(\"x\")", event_type="文娱", day="2026-10-30",
                        by=Actor(label="test"), now=datetime.fromisoformat("2026-11-20T02:00:00+00:00"),
                        today=date(2026, 11, 20))
    path = tmp_path / "r.xlsx"
    write_xlsx(build(db, month=MONTH), path)
    cells = [c for row in load_workbook(path)["社区活动"].iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert cells and cells[0].data_type == "s"


# ---------------------------------------------------------------- the command line

def test_cli_report_to_stdout_and_files(runner, db, october, tmp_path):
    md = runner.invoke(cli, ["report", "--month", MONTH])
    assert md.exit_code == 0, md.output
    assert "# 月度工作总结 2026年10月（全部站点）" in md.output
    out = runner.invoke(cli, ["report", "--month", MONTH, "--site", "沈闸村", "--format", "json"])
    assert json.loads(out.output)["visits"]["total"] == 5
    refused = runner.invoke(cli, ["report", "--month", MONTH, "--format", "xlsx"])
    assert refused.exit_code != 0 and "--out" in refused.output
    saved = runner.invoke(cli, ["report", "--month", MONTH, "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")])
    assert saved.exit_code == 0 and load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "指标进度"
    ranged = runner.invoke(cli, ["report", "--from", "2026-06-01", "--to", "2026-10-31", "--format", "json"])
    assert json.loads(ranged.output)["visits"]["total"] == 10


@pytest.mark.parametrize(("args", "says"), [
    (["--month", "2026-13"], "月份"),
    (["--month", "十月"], "月份"),
    (["--month", MONTH, "--site", "火星村"], "没有站点「火星村」"),
    (["--from", "2026-10-31", "--to", "2026-10-01"], "结束日期不能早于开始日期"),
    (["--from", "2000-01-01", "--to", "2026-10-31"], "最长36个月"),
    ([], "请写月份"),
])
def test_cli_report_refuses_bad_input_politely(runner, args, says):
    result = runner.invoke(cli, ["report", *args])
    assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output


def test_cli_submit_records_when_and_to_whom_once(runner, db, october, clock):
    first = runner.invoke(cli, ["report", "submit", "--month", MONTH, "--project", "child", "--date", "2026-10-31"])
    again = runner.invoke(cli, ["report", "submit", "--month", MONTH, "--project", "child", "--date", "2026-10-31"])
    assert first.exit_code == again.exit_code == 0
    assert "2026-10-31提交给民政局、第三方评估机构" in first.output
    rows = list(db.query("SELECT * FROM report_submissions WHERE month = ? AND kind = 'summary'", [MONTH]))
    assert len(rows) == 1
    status = runner.invoke(cli, ["report", "status", "--project", "child"]).output
    assert "2026-10  月工作计划：2026-10-04  月工作总结：2026-10-31" in status
    assert "2026-11  月工作计划：未提交" in status
    late = runner.invoke(cli, ["report", "submit", "--month", "2026-08", "--project", "child", "--kind", "plan",
                               "--date", "2026-08-09", "--to", "民政局"])
    assert late.exit_code == 0
    assert "2026-08  月工作计划：2026-08-09（逾期）" in runner.invoke(cli, ["report", "status"]).output
    future = runner.invoke(cli, ["report", "submit", "--month", MONTH, "--project", "child", "--date", "2099-01-01"])
    assert future.exit_code != 0 and "不能晚于今天" in future.output


def test_cli_project_period_and_budget(runner):
    result = runner.invoke(cli, ["project", "set", "child", "--start", "2026-06-01", "--end", "2027-05-31",
                                 "--budget", "80000"])
    assert result.exit_code == 0 and "2026-06-01 至 2027-05-31" in result.output
    assert "2026-06-01 至 2027-05-31" in runner.invoke(cli, ["project", "list"]).output
    wrong = runner.invoke(cli, ["project", "set", "child", "--end", "2020-01-01"])
    assert wrong.exit_code != 0 and "结束日期要晚于开始日期" in wrong.output
