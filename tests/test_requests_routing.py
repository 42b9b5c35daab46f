"""Which team gets a request: capacity, sending back, transferring, and the worker when no team can."""

from __future__ import annotations

from data import requests as reqs
from data import teams
from data.clock import utcnow
from tests import requests_world as world
from tests.conversation import converse

who = world.who  # a fixture shared by the request tests


def _open_requests(db, team_name: str, count: int) -> None:
    """Requests already on a team's plate."""
    team = world.team(db, team_name)
    now = utcnow()
    for _ in range(count):
        row = reqs.create(db, requester_id=None, category="医疗健康", text="旧的求助", site_id=team_site(db),
                          local_day=now.date(), now=now)
        reqs.assign(db, row, now, None, team["id"], None)


def team_site(db) -> int:
    return db.execute("SELECT id FROM sites WHERE name = '怡园社区'").fetchone()[0]


def _ask_for_medicine(wechat, openid: str) -> str:
    replies = converse(wechat, openid, [
        ("我爸的降压药快吃完了，能不能帮着开一哈", "姓名和住址"),
        ("刘福贵，怡园社区1号楼", "联系电话"),
        ("跳过", "医疗健康"),
        ("1", "编号"),
    ])
    return replies[-1]


def test_the_least_busy_team_under_capacity_gets_it_and_a_full_one_is_skipped(wechat, db, who):
    teams.update_team(db, world.team(db, "医疗志愿队")["id"], utcnow(), capacity=1)
    _open_requests(db, "医疗志愿队", 1)   # full: 1 of 1
    _open_requests(db, "卫生院志愿队", 2)  # busier, but has room: 2 of 3
    reply = _ask_for_medicine(wechat, "fam-1")
    assert "卫生院志愿队" in reply
    assert any(world.number_in(reply) in t for t in world.pushes(db, "lead-med2"))
    assert world.pushes(db, "lead-med") == []


def test_every_team_full_goes_to_the_sites_worker(wechat, db, who):
    for name in ("医疗志愿队", "卫生院志愿队"):
        _open_requests(db, name, 3)
    reply = _ask_for_medicine(wechat, "fam-2")
    assert "社工（马丽）" in reply
    row = world.request(db, world.number_in(reply))
    assert row["team_id"] is None and row["worker_id"] == who["w-yy"]["id"]


def test_an_inactive_team_gets_nothing(wechat, db, who):
    teams.update_team(db, world.team(db, "医疗志愿队")["id"], utcnow(), active=False)
    assert "卫生院志愿队" in _ask_for_medicine(wechat, "fam-3")


def test_sent_back_requests_go_to_the_next_team_then_the_worker(wechat, db, who):
    number = world.number_in(_ask_for_medicine(wechat, "fam-4"))
    assert world.request(db, number)["team_id"] == world.team(db, "医疗志愿队")["id"]
    converse(wechat, "lead-med", [
        (f"退回 {number}", "请写上退回的原因"),
        (f"退回 {number} 这周人手不够", ["已退回", "卫生院志愿队"]),
    ])
    card = world.pushes(db, "lead-med2")[-1]
    assert number in card and "医疗志愿队退回：这周人手不够" in card
    converse(wechat, "lead-med2", [(f"退回 {number} 没有车去不了", ["已退回", "社工（马丽）"])])
    row = world.request(db, number)
    assert row["team_id"] is None and row["worker_id"] == who["w-yy"]["id"] and row["status"] == "assigned"
    assert "卫生院志愿队退回：没有车去不了" in world.pushes(db, "w-yy")[-1]
    assert world.actions(db, number) == ["created", "assigned", "rejected", "rerouted", "rejected", "rerouted"]
    rejected = [e for e in reqs.events(db, row["id"]) if e["action"] == "rejected"]
    assert [e["actor_id"] for e in rejected] == [who["lead-med"]["id"], who["lead-med2"]["id"]]
    converse(wechat, "w-yy", [
        (f"退回 {number} 太远", "没有服务队可退回"),
        (f"转派 {number} 卫生队", "没有叫「卫生队」的服务队"),
        (f"转派 {number} 卫生院志愿队", "已把"),
    ])
    assert world.request(db, number)["team_id"] == world.team(db, "卫生院志愿队")["id"]
    assert "马丽转派" in world.pushes(db, "lead-med2")[-1]
    assert world.actions(db, number)[-1] == "transferred"


def test_a_team_member_may_act_too(wechat, db, who):
    replies = converse(wechat, "fam-5", [
        ("我妈一个人住，做不了饭，能不能给送个饭", "姓名和住址"),
        ("周秀英，怡园社区8号楼", "联系电话"),
        ("跳过", "生活照料"),
        ("1", "助老服务队"),
    ])
    number = world.number_in(replies[-1])
    assert number in world.pushes(db, "lead-zl")[-1]  # the card goes to the leader
    converse(wechat, "vol-zl", [
        ("任务", [number, "待接单"]),
        (f"接单 {number}", "已接单"),
        (f"完成 {number} 送了午饭", "已记录完成"),
    ])
    assert any("助老服务队的刘芳" in t for t in world.pushes(db, "fam-5"))


def test_the_family_is_not_shown_the_teams_internal_notes(wechat, db, who):
    number = world.number_in(_ask_for_medicine(wechat, "fam-6"))
    converse(wechat, "lead-med", [(f"退回 {number} 队里闹矛盾", "已退回")])
    converse(wechat, "fam-6", [(f"进度 {number}", ["待接单", "!闹矛盾", "!退回"])])
    converse(wechat, "lead-med2", [(f"进度 {number}", ["退回", "队里闹矛盾"])])
