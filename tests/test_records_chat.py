"""The project's record by chat (个案, 活动, 小组, 时长) lands in the same tables the monthly report reads: a record
made by chat appears in `laoxiao report`. Today is Friday 20 November 2026."""

from __future__ import annotations

import json

import pytest

from bot.cli import cli
from data import groups, volunteering
from data import requests as reqs
from data.clock import utcnow
from data.record_rules import Actor
from tests.conversation import converse
from tests.visit_world import TODAY


@pytest.fixture
def report_json(runner):
    def run(site: str = "怡园社区") -> dict:
        result = runner.invoke(cli, ["report", "--month", "2026-11", "--site", site, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return run


def test_a_case_goes_stage_by_stage_by_chat_and_shows_in_the_report(wechat, db, team, report_json):
    before = report_json()["cases"]
    converse(wechat, "w-mali", [
        ("个案 王秀兰 接案 主动求助，独居，儿子在银川，最近情绪低落", ["请核对个案记录", "对象：王秀兰", "阶段：接案"]),
        ("1", "已为王秀兰开个案"),
        ("个案 王秀兰 计划 每周上门一次，联系心理关爱队", ["阶段：计划"]),
        ("1", ["请先记录「预估」", "!已记下"]),
        ("个案 王秀兰 预估 独居，子女支持弱，有抑郁风险", ["阶段：预估"]), ("1", "已记下王秀兰个案的「预估」"),
        ("个案 王秀兰", "计划记录"),  # the next stage is the default; the note is asked for
        ("每周上门一次，联系心理关爱队", "请核对"), ("1", "已记下王秀兰个案的「计划」"),
    ])
    after = report_json()["cases"]
    assert after["open"] == before["open"] + 1 and after["by_stage"]["计划"] == before["by_stage"]["计划"] + 1


def test_a_community_event_in_one_message(wechat, db, team, report_json):
    converse(wechat, "w-mali", [
        ("活动 重阳节敬老活动 节庆 昨天 40人 社区、社区志愿者",
         ["请核对社区活动", "名称：重阳节敬老活动", "类型：节庆", "11月19日", "人数：40", "社区、社区志愿者"]),
        ("1", "已记下活动「重阳节敬老活动」"),
    ])
    events = report_json()["events"]["items"]
    assert [(e["title"], e["participants"], e["day"]) for e in events] == [("重阳节敬老活动", 40, "2026-11-19")]


def test_a_group_session_and_a_group_that_does_not_exist(wechat, db, team, report_json):
    groups.create_group(db, team["ma"]["site_id"], "老年合唱团", "兴趣爱好", started_on="2026-11-01",
                        by=Actor(label="test"), now=utcnow(), today=TODAY.date())
    converse(wechat, "w-mali", [
        ("小组 广场舞队 今天 练习 10人", ["没有这个小组", "老年合唱团", "是哪个小组"]),
        ("老年合唱团", "主题"), ("练习《我和我的祖国》", "几个人"), ("12个", "请核对"),
        ("1", "已记下「老年合唱团」11月20日的活动"),
    ])
    assert report_json()["groups"]["sessions_in_period"] == 1


def test_volunteer_hours_for_a_request_and_my_hours(wechat, db, team, person):
    lead = person("lead-x", "team_lead", "怡园社区", "苏师傅")
    made = reqs.create(db, requester_id=team["ma"]["id"], category="居家安全", text="屋顶漏雨",
                       site_id=team["ma"]["site_id"], local_day=TODAY.date(), now=utcnow())
    converse(wechat, "lead-x", [
        ("我的时长", "还没有您的志愿服务时长记录"),
        (f"时长 {made['number']} 3小时", ["已记下", "累计志愿服务3小时"]),
        (f"时长 {made['number']} 三天", ["时长", "例如"]),
        ("我的时长", ["累计3小时", "2026-11：3小时"]),
    ])
    assert volunteering.hours_of_person(db, lead["id"])["hours"] == 3
    converse(wechat, "fam-1", [("我的时长", "只对")])


def test_month_and_indicators_by_chat_agree_with_the_report(wechat, db, team, report_json):
    converse(wechat, "w-mali", [("走访 王秀兰 今天 上门 挺好", "请核对"), ("1", "已保存")])
    built = report_json()
    [reply] = converse(wechat, "w-mali", [("月报", ["11月工作小结", "laoxiao report --month 2026-11"])])
    assert f"走访{built['visits']['total']}次，上门见到{built['visits']['in_person']}次" in reply
    [progress] = converse(wechat, "w-mali", [("指标", "指标进度")])
    first = built["indicators"][0]
    assert f"{first['name']}：{first['actual']}/" in progress
    converse(wechat, "fam-1", [("月报", "只对工作人员开放")])
