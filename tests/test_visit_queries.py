"""名单, 本月 and 查 by chat: each person sees their own recipients, with this month's visits."""

from __future__ import annotations

from datetime import timedelta

from data import audit, visits
from data.clock import utcnow
from tests.conversation import converse
from tests.visit_world import add_recipient


def visit(db, recipient_id: int, visitor: dict, day: str, findings: str = "挺好", mode: str = "上门",
          needs: str | None = None) -> int:
    return visits.add_visit(db, recipient_id=recipient_id, visitor_id=visitor["id"], visit_date=day, mode=mode,
                            findings=findings, needs=needs, now=utcnow() - timedelta(days=2))


def test_roster_lists_my_recipients_with_last_visit_and_this_month(wechat, db, team):
    ids = team["ids"]
    visit(db, ids["王小明"], team["li"], "2026-11-03")
    visit(db, ids["李小明"], team["li"], "2026-10-28")
    [reply] = converse(wechat, "d-liming", [("名单", ["服务对象共3人，这一期已上门见到1人", "!马小明", "!王秀兰"])])
    lines = reply.splitlines()
    assert reply.index("李小明") < reply.index("马雨涵") < reply.index("王小明")  # in pinyin order
    assert any("✅" in line and "王小明" in line and "上次上门11月3日" in line for line in lines)
    assert any("⭕" in line and "李小明" in line and "上次上门10月28日" in line for line in lines)
    assert any("⭕" in line and "马雨涵" in line and "还没上门见过" in line for line in lines)


def test_roster_of_a_worker_without_own_recipients_shows_the_site(wechat, db, team):
    converse(wechat, "w-yangfan", [("名单", ["共3人", "王小明", "马雨涵", "!王秀兰"])])


def test_roster_all_adds_the_ones_others_are_responsible_for(wechat, db, team):
    add_recipient(db, "周俊杰", team["li"]["site_id"], responsible=team["yang"])
    converse(wechat, "d-liming", [("名单", ["共3人", "另有1人", "!周俊杰"]), ("名单 全部", ["共4人", "周俊杰"])])


def test_this_month_counts_ongoing_recipients_and_names_who_is_left(wechat, db, team):
    ids = team["ids"]
    visit(db, ids["王小明"], team["li"], "2026-11-03")
    visit(db, ids["李小明"], team["yang"], "2026-11-10")  # visited by someone else still counts
    visit(db, ids["马雨涵"], team["li"], "2026-10-30")  # last month does not
    converse(wechat, "d-liming", [("本月", ["11月您负责的服务对象3人，这一期已上门见到2人（67%）",
                                            "还没上门见到（1人）：马雨涵", "本月走访2次：上门见到2次"])])


def test_this_month_when_all_are_visited_and_undone_visits_do_not_count(wechat, db, team):
    for name in ("王秀兰", "张桂英"):
        visit(db, team["ids"][name], team["ma"], "2026-11-05")
    converse(wechat, "w-mali", [("本月", ["2人，这一期已上门见到2人（100%）", "全部上门见到了"])])
    converse(wechat, "w-mali", [("走访 王秀兰 上门 又去看了看", "请核对"), ("1", "已保存"),
                                ("撤销", "要撤销"), ("是", "已撤销")])
    visits.soft_delete(db, 1, utcnow())
    converse(wechat, "w-mali", [("本月", ["已上门见到1人（50%）", "还没上门见到（1人）：王秀兰"])])


def test_look_up_shows_the_last_three_visits_newest_first(wechat, db, team):
    ids = team["ids"]
    for day, note in (("2026-10-01", "第一次"), ("2026-10-15", "第二次"), ("2026-11-01", "第三次"),
                      ("2026-11-12", "第四次血压高")):
        visit(db, ids["王秀兰"], team["ma"], day, note, needs="降压药" if "血压" in note else None)
    db.conn.execute("UPDATE recipients SET phone = '13912345678', guardian = '儿子 马建国 13709531234'"
                    " WHERE id = ?", [ids["王秀兰"]])
    [reply] = converse(wechat, "w-mali", [("查 王秀兰", ["王秀兰（女，86岁）", "高龄", "负责人：马丽", "139****5678",
                                                          "137****1234", "最近走访", "!第一次"])])
    assert reply.index("第四次血压高；需求：降压药") < reply.index("第三次") < reply.index("第二次")
    assert "13912345678" not in reply
    assert audit.entries(db, f"recipient:{ids['王秀兰']}")[-1]["action"] == "recipient_viewed"


def test_look_up_reminds_of_a_missing_guardians_consent(wechat, db, team):
    converse(wechat, "d-liming", [("查 王小明", "未登记监护人知情同意")])
    db.conn.execute("UPDATE recipients SET consent = '奶奶（监护人）签字 2026-03-01' WHERE id = ?",
                    [team["ids"]["王小明"]])
    converse(wechat, "d-liming", [("查 王小明", ["知情同意：奶奶（监护人）签字", "!未登记"])])


def test_look_up_by_homophone_and_glued(wechat, db, team):
    converse(wechat, "w-mali", [("查询王秀岚", ["王秀兰（女", "还没有走访记录"])])


def test_look_up_ambiguous_and_unknown_and_other_villages(wechat, db, team):
    converse(wechat, "d-liming", [
        ("查 小明", ["有几位", "李小明", "王小明", "查 全名"]),
        ("查 马小明", ["您的名单里没有「马小明」", "!马家湾"]),
        ("查", "后面加姓名"),
    ])


def test_family_members_cannot_list_or_look_up(wechat, db, team):
    converse(wechat, "fam-1", [("名单", ["只对工作人员开放", "!王秀兰"]), ("查 王秀兰", "只对工作人员开放"),
                               ("本月", "只对工作人员开放")])


def test_a_staff_menu_lists_the_visit_commands(wechat, db, team):
    converse(wechat, "d-liming", [("帮助", ["走访 姓名", "名单", "本月", "查 姓名", "撤销"])])
