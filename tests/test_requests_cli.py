"""The administrator's side of help requests: teams, exports, the classifier and new phrasings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import cli
from data import teams
from data.categories import LABELS
from data.clock import utcnow
from data.demo import seed_demo
from tests import requests_world as world
from tests.conversation import converse

who = world.who  # a fixture shared by the request tests


def _invoke(runner, *args, input=None):
    return runner.invoke(cli, list(args), input=input)


def test_team_add_list_edit_and_routing_follows(runner, wechat, db, who):
    added = _invoke(runner, "team", "add", "法律服务队", "--site", "怡园社区", "--category", "法律援助",
                    "--leader", "王强", "--member", "刘芳", "--capacity", "2")
    assert added.exit_code == 0, added.output
    listing = _invoke(runner, "teams").output
    assert "法律服务队" in listing and "法律援助" in listing and "王强" in listing and "0/2" in listing
    replies = converse(wechat, "fam-1", [
        ("我儿子不给赡养费，想找个律师", "为谁"), ("1", "怎么称呼您"), ("刘占山", "住在哪里"),
        ("怡园社区4号楼", "联系电话"), ("跳过", "法律援助"),
        ("1", "法律服务队"),
    ])
    assert world.number_in(replies[-1]) in world.pushes(db, "lead-zl")[-1]

    edited = _invoke(runner, "team", "edit", "法律服务队", "--inactive", "--capacity", "4")
    assert edited.exit_code == 0, edited.output
    assert "已停用" in _invoke(runner, "teams").output
    replies = converse(wechat, "fam-2", [
        ("我的宅基地被人占了，想打官司", "为谁"), ("1", "怎么称呼您"), ("刘占山", "住在哪里"),
        ("怡园社区4号楼", "联系电话"), ("跳过", "法律援助"),
        ("1", "社工（马丽）"),
    ])


@pytest.mark.parametrize(("args", "message"), [
    (("team", "add", "助老服务队", "--site", "怡园社区", "--category", "生活照料"), "已存在"),
    (("team", "add", "新队", "--site", "月球村", "--category", "生活照料"), "没有站点「月球村」"),
    (("team", "add", "新队", "--site", "怡园社区", "--category", "做饭"), "没有类别「做饭」"),
    (("team", "add", "新队", "--site", "怡园社区", "--category", "生活照料", "--leader", "无名氏"),
     "没有找到「无名氏」"),
    (("team", "add", "新队"), "至少给出一个 --site"),
    (("team", "edit", "不存在的队", "--inactive"), "没有服务队「不存在的队」"),
])
def test_team_mistakes_are_explained_in_chinese(runner, who, args, message):
    result = _invoke(runner, *args)
    assert result.exit_code != 0 and message in result.output


def test_team_edit_changes_sites_categories_and_members(runner, db, who):
    result = _invoke(runner, "team", "edit", "助老服务队", "--rename", "怡园助老队", "--site", "沈闸村",
                     "--remove-category", "代办服务", "--remove-member", "刘芳", "--leader", "马丽")
    assert result.exit_code == 0, result.output
    team = next(t for t in teams.list_teams(db) if t["name"] == "怡园助老队")
    assert team["sites"] == ["怡园社区", "沈闸村"] and team["categories"] == ["生活照料"]
    assert set(team["leaders"]) == {"王强", "马丽"} and team["member_names"] == []


def _two_requests(wechat) -> tuple[str, str]:
    first = converse(wechat, "fam-1", [
        ("我妈的降压药快吃完了，电话13812345678", "姓名和住址"), ("王秀兰，怡园社区3号楼", "类别：医疗健康"),
        ("1", "医疗志愿队"),
    ])[-1]
    second = converse(wechat, "fam-2", [
        ("屋顶漏雨了", "为谁"), ("1", "怎么称呼您"), ("刘占山", "住在哪里"), ("怡园社区4号楼", "联系电话"),
        ("跳过", "居家安全"), ("1", "维修服务队"),
    ])[-1]
    a, b = world.number_in(first), world.number_in(second)
    converse(wechat, "lead-med", [(f"完成 {a} 送了药", "已记录完成")])
    converse(wechat, "fam-1", [("满意", "谢谢")])
    return a, b


def test_export_requests_as_csv_json_and_xlsx(runner, wechat, who, tmp_path):
    a, b = _two_requests(wechat)
    out = _invoke(runner, "export", "requests", "--format", "csv")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output.lstrip("\ufeff"))))
    assert list(rows[0]) == ["number", "category", "site", "status", "team", "created_at", "accepted_at", "done_at",
                             "feedback"]
    by_number = {r["number"]: r for r in rows}
    assert by_number[a]["status"] == "closed" and by_number[a]["feedback"] == "满意"
    assert by_number[a]["team"] == "医疗志愿队" and by_number[a]["site"] == "怡园社区" and by_number[a]["done_at"]
    assert by_number[b]["status"] == "assigned" and by_number[b]["feedback"] == ""
    assert "王秀兰" not in out.output and "13812345678" not in out.output and "降压药" not in out.output

    month = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    this_month = _invoke(runner, "export", "requests", "--format", "json", "--month", month)
    other_month = _invoke(runner, "export", "requests", "--format", "json", "--month", "2020-01")
    assert {r["number"] for r in json.loads(this_month.output)} == {a, b}
    assert json.loads(other_month.output) == []

    path = tmp_path / "求助.xlsx"
    saved = _invoke(runner, "export", "requests", "--format", "xlsx", "--out", str(path))
    assert saved.exit_code == 0 and "2 条" in saved.output
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["编号", "类别", "站点", "状态"]
    statuses = {sheet.cell(row=r, column=4).value for r in range(2, sheet.max_row + 1)}
    assert statuses == {"已结束", "待接单"}
    assert _invoke(runner, "export", "requests", "--format", "xlsx").exit_code != 0  # xlsx needs --out
    assert "月份格式" in _invoke(runner, "export", "requests", "--month", "12月").output


def test_classify_prints_one_json_object_per_line(runner):
    lines = "text\tcategory\n我妈高血压的药快吃完了\t医疗健康\n你好\t无\n\n想找人给我妈帮帮忙\n老人需要帮助\n"
    result = _invoke(runner, "classify", input=lines)
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["text"] for o in objects] == ["我妈高血压的药快吃完了", "你好", "想找人给我妈帮帮忙", "老人需要帮助"]
    assert set(objects[0]) == {"text", "category", "score", "alternatives", "band", "clarify", "urgent"}
    assert objects[0]["category"] == "医疗健康" and (objects[0]["band"], objects[0]["clarify"]) == ("route", False)
    assert objects[1]["category"] is None and objects[1]["clarify"] is False  # a greeting: nothing to ask
    assert (objects[2]["band"], objects[2]["clarify"]) == ("clarify", True) and objects[2]["category"] in LABELS
    assert all(alt[0] in LABELS for alt in objects[2]["alternatives"])
    # Too unsure even to offer a few kinds: laoxiao shows the menu, which is asking first too.
    assert (objects[3]["category"], objects[3]["band"], objects[3]["clarify"]) == (None, "menu", True)
    timed = runner.invoke(cli, ["classify", "--timing"], input=lines)
    assert "phrasings loaded: median" in timed.stderr and "p99" in timed.stderr


def test_an_admin_teaches_a_new_phrasing_without_code(runner, wechat, env, who):
    phrases = Path(env["LAOXIAO_PHRASES"])  # the file the running service was configured with
    before = json.loads(_invoke(runner, "classify", input="家里的羊丢了\n").output)
    assert before["category"] != "物资帮扶" and before["clarify"]
    assert _invoke(runner, "phrases", "add", "羊圈", "家里的羊丢了").exit_code != 0  # not a label
    added = _invoke(runner, "phrases", "add", "物资帮扶", "家里的羊丢了")
    assert added.exit_code == 0 and "已添加" in added.output
    assert phrases.read_text(encoding="utf-8").splitlines()[-1] == "家里的羊丢了\t物资帮扶\tadmin"
    after = json.loads(_invoke(runner, "classify", input="家里的羊丢了\n").output)
    assert (after["category"], after["band"]) == ("物资帮扶", "route")
    # The running service picks the file up too, without a restart.
    converse(wechat, "fam-1", [("家里的羊丢了", ["为谁", "!没太明白"])])


def test_demo_has_a_team_for_every_category_at_both_projects(db):
    seed_demo(db, utcnow())
    seed_demo(db, utcnow())  # idempotent
    listed = teams.list_teams(db)
    for label in LABELS:
        for site in ("怡园社区", "沈闸村", "马家湾村"):
            assert any(label in t["categories"] and site in t["sites"] for t in listed), (label, site)
    helpers = next(t for t in listed if t["name"] == "助老服务队")
    assert helpers["leaders"] == ["王强"] and helpers["member_names"] == ["刘芳"] and "怡园社区" in helpers["sites"]
    assert db.execute("SELECT COUNT(*) FROM teams WHERE name = '助老服务队'").fetchone()[0] == 1
    leads = [r["openid"] for r in db.query("SELECT openid FROM people WHERE openid LIKE 'demo-lead-%'")]
    assert leads and all(o.startswith("demo-lead-") for o in leads)
