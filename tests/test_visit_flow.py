"""Recording a visit by chat (走访), end to end through the WeChat callback, on a fixed day:
Friday 20 November 2026, 10:00 in Ningxia."""

from __future__ import annotations

import importlib.util
import json
from datetime import timedelta

import pytest

from data import outbox
from tests.conversation import converse


def saved(db, name: str | None = None) -> list[dict]:
    sql = ("SELECT v.*, r.name FROM visits v JOIN recipients r ON r.id = v.recipient_id WHERE v.deleted_at IS NULL"
           + (" AND r.name = ?" if name else "") + " ORDER BY v.id")
    return list(db.query(sql, [name] if name else []))


def no_conversation(db, openid: str) -> bool:
    """Nothing waiting for an answer (a just-finished entry is remembered only to catch a double tap)."""
    return db.conn.execute("SELECT 1 FROM conversations c JOIN people p ON p.id = c.person_id"
                           " WHERE p.openid = ? AND c.step != '__saved'", [openid]).fetchone() is None


# ---------------------------------------------------------------- one message, and the forms of it

def test_one_shot_visit_needs_only_a_confirmation(wechat, db, team):
    converse(wechat, "w-mali", [
        ("走访 王秀兰 今天 上门 血压有点高，降压药快吃完了",
         ["对象：王秀兰", "日期：11月20日（周五） 今天", "方式：上门", "情况：血压有点高，降压药快吃完了",
          "需求：降压药快吃完了", "1.确认保存"]),
        ("1", ["已保存", "王秀兰", "撤销"]),
    ])
    [visit] = saved(db)
    assert (visit["name"], visit["visit_date"], visit["mode"]) == ("王秀兰", "2026-11-20", "上门")
    assert visit["findings"] == "血压有点高，降压药快吃完了"
    assert visit["needs"] == "降压药快吃完了"
    assert "走访 王秀兰 今天 上门" in visit["source_text"]
    assert no_conversation(db, "w-mali")


@pytest.mark.skipif(importlib.util.find_spec("flows.request") is None, reason="help requests not built yet")
def test_a_need_found_on_a_visit_becomes_a_linked_help_request(wechat, db, team):
    replies = converse(wechat, "w-mali", [("走访 王秀兰 今天 上门 降压药快吃完了", "需求：降压药快吃完了"),
                                          ("1", "已保存")])
    [visit] = saved(db)
    linked = list(db.query("SELECT * FROM requests WHERE visit_id = ?", [visit["id"]]))
    assert linked and linked[0]["recipient_id"] == team["ids"]["王秀兰"]
    assert linked[0]["number"] in replies[-1]


def test_record_and_home_visit_words_and_a_note_without_needs(wechat, db, team):
    converse(wechat, "w-mali", [("家访 张桂英 昨天 电话 精神挺好", ["对象：张桂英", "11月19日", "电话", "需求：无"]),
                                ("确认", "已保存")])
    assert saved(db, "张桂英")[0]["needs"] is None
    assert saved(db, "张桂英")[0]["visit_date"] == "2026-11-19"


def test_ambiguous_given_name_offers_a_numbered_choice(wechat, db, team):
    converse(wechat, "d-liming", [
        ("记录 小明 昨天 电话 学习正常", ["哪一位", "1. 李小明（男，12岁）", "2. 王小明（男，9岁）"]),
        ("2", ["对象：王小明", "11月19日", "电话", "情况：学习正常", "四项：就学：学习正常"]),
        ("1", "已保存"),
    ])
    [visit] = saved(db)
    assert visit["name"] == "王小明" and json.loads(visit["areas"]) == {"就学": "学习正常"}


def test_ambiguous_choice_by_full_name(wechat, db, team):
    converse(wechat, "d-liming", [("走访 小明", "哪一位"), ("李小明", "怎么走访的")])


@pytest.mark.parametrize("said", ["王秀岚", "王绣兰", "王秀南", "秀兰"])
def test_homophones_typos_and_given_names_find_the_person(wechat, db, team, said):
    converse(wechat, "w-mali", [(f"走访 {said} 今天 上门 挺好的", ["对象：王秀兰", "情况：挺好的"])])


def test_name_glued_to_the_rest_as_voice_input_gives_it(wechat, db, team):
    converse(wechat, "w-mali", [("走访王秀岚今天上门血压有点高", ["对象：王秀兰", "方式：上门", "情况：血压有点高"])])


def test_a_spoken_description_of_the_visit(wechat, db, team):
    converse(wechat, "w-mali", [("走访 昨天去了王秀兰家，血压有点高，降压药快吃完了",
                                 ["对象：王秀兰", "日期：11月19日", "方式：上门", "情况：血压有点高，降压药快吃完了",
                                  "需求：降压药快吃完了"])])


# ---------------------------------------------------------------- step by step

def test_step_by_step_asks_only_what_is_missing_and_edits_before_saving(wechat, db, team):
    converse(wechat, "w-mali", [
        ("走访", "走访的是哪位"),
        ("王秀兰", ["怎么走访的", "1. 上门"]),
        ("1", "情况怎么样"),
        # The need is in the note: it is read, not asked for again.
        ("精神挺好，就是家里的煤快烧完了", ["请核对走访记录", "日期：11月20日", "需求：就是家里的煤快烧完了"]),
        ("改 日期", "哪天走访的"),
        ("前天", ["请核对", "日期：11月18日"]),
        ("2", "要改哪一项"),
        ("方式", "怎么走访的"),
        ("视频", ["方式：视频"]),
        ("1", "已保存"),
    ])
    [visit] = saved(db)
    assert (visit["visit_date"], visit["mode"]) == ("2026-11-18", "视频")
    assert visit["findings"] == "精神挺好，就是家里的煤快烧完了"


def test_step_by_step_with_no_need(wechat, db, team):
    converse(wechat, "w-mali", [("走访 张桂英", "怎么走访的"), ("电话", "情况怎么样"),
                                ("挺好", "有需要帮忙解决的事吗"), ("无", "需求：无"), ("1", "已保存")])
    assert saved(db)[0]["needs"] is None


def test_children_are_asked_about_the_four_areas(wechat, db, team):
    converse(wechat, "d-liming", [("走访 王小明 上门", ["监护、安全、就学、健康"]),
                                  ("监护好 安全好 上学正常 健康一般", "有需要帮忙"),
                                  ("无", ["四项：监护：好｜安全：好｜就学：上学正常｜健康：一般"])])


def test_cancel_midway_saves_nothing(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰", "怎么走访的"), ("上门", "情况怎么样"), ("取消", "已取消")])
    assert saved(db) == [] and no_conversation(db, "w-mali")


def test_cancel_at_the_summary(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 上门 挺好", "请核对"), ("3", "已取消")])
    assert saved(db) == []


def test_odd_numerals_when_choosing_are_answered_politely(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 上门 挺好", "请核对"), ("2", "要改哪一项"), ("⑨", "请回编号"),
                                ("①", "走访的是哪位"), ("１", "姓名")])
    converse(wechat, "d-liming", [("走访 小明", "哪一位"), ("②", "怎么走访")])


def test_back_and_help_work_in_the_middle(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰", "怎么走访的"), ("帮助", ["走访记录", "取消"]),
                                ("1", "情况怎么样"), ("返回", "怎么走访的"), ("电话", "情况怎么样")])


# ---------------------------------------------------------------- dates

def test_future_date_is_refused_and_asked_again(wechat, db, team):
    converse(wechat, "w-mali", [
        ("走访 王秀兰 明天 上门 挺好", ["不能是将来", "哪天走访的"]),
        ("后天", "不能是将来"),
        ("昨天", ["日期：11月19日", "情况：挺好", "!明天"]),
        ("1", "已保存"),
    ])
    assert saved(db)[0]["visit_date"] == "2026-11-19"


def test_old_dates_are_kept_with_a_warning(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 9月1日 上门 挺好", ["日期：9月1日", "80天前", "请核对日期"]),
                                ("1", "已保存")])
    assert saved(db)[0]["visit_date"] == "2026-09-01"


@pytest.mark.parametrize(("said", "day"), [
    ("11月3号", "2026-11-03"), ("上周三", "2026-11-11"), ("2026-11-15", "2026-11-15"), ("3天前", "2026-11-17"),
    ("十一月十九日", "2026-11-19"), ("12月25日", "2025-12-25"),
])
def test_date_forms(wechat, db, team, said, day):
    converse(wechat, "w-mali", [(f"走访 王秀兰 {said} 上门 挺好", "请核对"), ("1", "已保存")])
    assert saved(db)[0]["visit_date"] == day


def test_a_date_later_in_the_note_is_not_the_visit_date(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 上门 降压药上周三就吃完了",
                                 ["日期：11月20日", "情况：降压药上周三就吃完了"])])


def test_an_impossible_date_gets_a_polite_answer(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 上门 挺好", "请核对"), ("改 日期", "哪天"), ("2月30日", "2月没有30日")])


# ---------------------------------------------------------------- voice and photos

def test_voice_with_recognition_counts_as_text(wechat, db, team):
    reply = wechat.voice("w-mali", "走访王秀兰今天上门，血压有点高。")
    assert "对象：王秀兰" in reply.text and "情况：血压有点高" in reply.text
    converse(wechat, "w-mali", [("1", "已保存")])


def test_voice_without_recognition_asks_for_text_and_keeps_the_visit_open(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 上门", "情况怎么样")])
    assert "打字" in wechat.voice("w-mali", None).text
    converse(wechat, "w-mali", [("挺好", "有需要帮忙"), ("无", "请核对"), ("1", "已保存")])


def test_photos_within_30_minutes_attach_to_the_visit(wechat, db, team, clock):
    converse(wechat, "w-mali", [("走访 王秀兰 上门 挺好", "请核对"), ("1", "已保存")])
    reply = wechat.message("w-mali", "image", PicUrl="http://mmbiz.example/1.jpg", MediaId="media-1")
    assert "照片已附到王秀兰" in reply.text and "共1张" in reply.text
    clock.shift(timedelta(minutes=29))
    assert "共2张" in wechat.message("w-mali", "image", PicUrl="http://mmbiz.example/2.jpg", MediaId="media-2").text
    clock.shift(timedelta(minutes=2))
    late = wechat.message("w-mali", "image", PicUrl="http://mmbiz.example/3.jpg", MediaId="media-3")
    assert "30分钟内" in late.text and "已附到" not in late.text
    photos = list(db.query("SELECT * FROM visit_photos ORDER BY id"))
    assert [(p["media_id"], p["pic_url"]) for p in photos] == [
        ("media-1", "http://mmbiz.example/1.jpg"), ("media-2", "http://mmbiz.example/2.jpg")]
    assert {p["visit_id"] for p in photos} == {saved(db)[0]["id"]}


def test_a_photo_sent_while_recording_is_attached_on_save(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 上门", "情况怎么样")])
    assert "保存走访记录时一起附上" in wechat.message("w-mali", "image", PicUrl="http://p/1.jpg", MediaId="m1").text
    converse(wechat, "w-mali", [("挺好", "有需要"), ("无", "照片：1张"), ("1", "已保存")])
    assert db.conn.execute("SELECT visit_id FROM visit_photos").fetchone()[0] == saved(db)[0]["id"]


def test_a_family_members_photo_is_not_a_visit_photo(wechat, db, team):
    assert "收到图片" in wechat.message("fam-1", "image", PicUrl="http://p/1.jpg", MediaId="m1").text
    assert db.conn.execute("SELECT COUNT(*) FROM visit_photos").fetchone()[0] == 0


# ---------------------------------------------------------------- undo

def test_undo_removes_ones_own_last_visit_after_confirmation(wechat, db, team):
    converse(wechat, "w-mali", [
        ("走访 张桂英 上门 挺好", "请核对"), ("1", "已保存"),
        ("走访 王秀兰 上门 血压高", "请核对"), ("1", "已保存"),
        ("撤销", ["要撤销这条走访记录吗", "王秀兰", "血压高"]),
        ("否", "记录保留"),
        ("撤销", "王秀兰"), ("是", ["已撤销", "王秀兰"]),
    ])
    assert [v["name"] for v in saved(db)] == ["张桂英"]
    deleted = db.conn.execute("SELECT deleted_at FROM visits WHERE recipient_id = ?", [team["ids"]["王秀兰"]])
    assert deleted.fetchone()[0] is not None


def test_undo_withdraws_the_requests_the_visit_made_unless_someone_took_them_on(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 上门 降压药快吃完了", "请核对"), ("1", "已保存")])
    first = db.conn.execute("SELECT number FROM requests ORDER BY id DESC").fetchone()[0]
    converse(wechat, "w-mali", [("撤销", "王秀兰"), ("是", ["已撤销", f"求助 {first} 已一并撤回"])])
    row = db.conn.execute("SELECT status FROM requests WHERE number = ?", [first]).fetchone()
    assert row[0] == "closed"
    cards = [r for r in outbox.rows(db) if r["key"].startswith(f"request:{first}:card:")]
    assert cards and all(r["status"] == "cancelled" for r in cards)  # the card never went out

    converse(wechat, "w-mali", [("走访 张桂英 上门 轮椅坏了需要修", "请核对"), ("1", "已保存")])
    second = db.conn.execute("SELECT number FROM requests ORDER BY id DESC").fetchone()[0]
    converse(wechat, "w-mali", [(f"接单 {second}", "已接单"), ("撤销", "张桂英"),
                                ("是", ["已撤销", f"求助 {second} 已有人在办，没有撤回"])])
    assert db.conn.execute("SELECT status FROM requests WHERE number = ?", [second]).fetchone()[0] == "accepted"


def test_whoever_already_got_the_card_is_told_the_request_was_withdrawn(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王秀兰 上门 降压药快吃完了", "请核对"), ("1", "已保存")])
    number = db.conn.execute("SELECT number FROM requests ORDER BY id DESC").fetchone()[0]
    db.conn.execute("UPDATE outbox SET status = 'sent' WHERE key LIKE ?", [f"request:{number}:card:%"])
    converse(wechat, "w-mali", [("撤销", "王秀兰"), ("是", "已一并撤回")])
    notices = [r for r in outbox.rows(db) if r["key"].startswith(f"request:{number}:withdrawn:")]
    assert notices and "不用再办" in notices[0]["body"]


def test_undo_only_within_24_hours_and_only_ones_own(wechat, db, team, clock):
    converse(wechat, "w-mali", [("走访 王秀兰 上门 挺好", "请核对"), ("1", "已保存")])
    converse(wechat, "a-zhang", [("撤销", "没有可撤销")])
    clock.shift(timedelta(hours=25))
    converse(wechat, "w-mali", [("撤销", "没有可撤销")])
    assert len(saved(db)) == 1


# ---------------------------------------------------------------- who may record for whom

def test_a_director_cannot_record_for_another_villages_child(wechat, db, team):
    converse(wechat, "d-liming", [
        ("走访 马小明 今天 上门 学习正常", ["「马小明」不在您的服务对象名单里", "!马家湾", "新发现"]),
        ("马小明", ["不在您的服务对象名单里", "!马家湾"]),
        ("取消", "已取消"),
    ])
    assert saved(db) == []
    # 丁玉梅, whose village it is, can.
    converse(wechat, "d-ding", [("记录 小明 今天 到校 学习正常", "对象：马小明"), ("1", "已保存")])


def test_a_worker_sees_only_her_sites_recipients(wechat, db, team):
    converse(wechat, "w-mali", [("走访 王小明 上门 挺好", "不在您的服务对象名单里"), ("取消", "已取消")])


def test_a_family_member_is_refused_politely(wechat, db, team):
    converse(wechat, "fam-1", [("走访 王秀兰 今天 上门 挺好", ["只由社工和儿童主任填写", "直接说说情况"])])
    assert saved(db) == [] and no_conversation(db, "fam-1")


def test_an_admin_may_record_for_anyone_and_sees_the_site_in_choices(wechat, db, team):
    converse(wechat, "a-zhang", [("走访 小明 上门 挺好", ["哪一位", "沈闸村", "马家湾村"])])


# ---------------------------------------------------------------- allowance verification (核查)

def test_allowance_verification_with_a_change_is_flagged_to_the_worker(wechat, db, team):
    converse(wechat, "d-liming", [
        ("核查 马雨涵 今天 上门 孩子精神好，作业都写完了", "见到孩子本人了吗"),
        ("是", "监护人或生活情况有变化吗"),
        # 「作业都写完了」 in the note already says the child is at school: not asked again.
        ("姑姑外出打工了，现在跟奶奶住",
         ["核查：见到本人：是；监护或生活变化：姑姑外出打工了，现在跟奶奶住；就学：在学", "核查有变化"]),
        ("1", ["已保存", "已提醒社工跟进"]),
    ])
    [visit] = saved(db)
    assert visit["flagged"] == 1
    assert json.loads(visit["verification"]) == {"seen": True, "change": "姑姑外出打工了，现在跟奶奶住",
                                                 "school": "在学"}
    [alert] = outbox.rows(db, openid="w-yangfan")
    assert "马雨涵" in alert["body"] and "姑姑外出打工了" in alert["body"]
    assert outbox.rows(db, openid="d-liming") == []


def test_allowance_verification_without_change_is_not_flagged(wechat, db, team):
    converse(wechat, "d-liming", [("走访 马雨涵 上门 挺好", "见到孩子本人"), ("见到了", "有变化吗"),
                                  ("没有变化", "就学"), ("在学", ["核查：", "!核查有变化"]), ("1", "已保存")])
    assert saved(db)[0]["flagged"] == 0 and outbox.rows(db) == []


# ---------------------------------------------------------------- the demo

def test_in_the_demo_a_director_can_record_a_visit_at_once(runner, db):
    from bot.cli import cli

    assert runner.invoke(cli, ["demo", "--no-serve"]).exit_code == 0
    assert runner.invoke(cli, ["demo", "--no-serve"]).exit_code == 0  # seeding twice adds nothing
    result = runner.invoke(cli, ["chat", "--as", "李明"], input="记录 小明 今天 上门 学习正常\n1\n1\n名单\n")
    assert "哪一位" in result.output and "已保存：李小明" in result.output
    assert "服务对象共10人" in result.output and "马雨涵" in result.output
    counts = dict(db.conn.execute("SELECT s.name, COUNT(*) FROM recipients r JOIN sites s ON s.id = r.site_id"
                                  " GROUP BY s.name").fetchall())
    assert counts == {"怡园社区": 10, "沈闸村": 10, "马家湾村": 3}
    allowance = [r[0] for r in db.conn.execute("SELECT name FROM recipients WHERE allowance = 1")]
    assert sorted(allowance) == ["丁浩然", "马雨涵"]


@pytest.mark.parametrize(("note", "areas"), [
    ("监护好，安全好，上学正常，健康一般", {"监护": "好", "安全": "好", "就学": "上学正常", "健康": "一般"}),
    ("娃身体好 学习跟得上", {"健康": "娃身体好", "就学": "学习跟得上"}),
    ("孩子挺好，奶奶身体也行", {}),  # grandma's health is not the child's
    ("监护人没变化，奶奶带着", {"监护": "监护人没变化；奶奶带着"}),
])
def test_the_four_areas_are_read_only_when_they_are_about_the_child(note, areas):
    from flows.visit_findings import areas as read_areas

    assert read_areas(note, "child") == areas


@pytest.mark.parametrize(("note", "areas"), [
    ("吃饭正常，血压有点高，儿子一周打一次电话，炉子烟筒该换了",
     {"生活": "吃饭正常", "健康": "血压有点高", "赡养": "儿子一周打一次电话", "居家安全": "炉子烟筒该换了"}),
])
def test_elders_four_areas_follow_the_local_visiting_rules(note, areas):
    from flows.visit_findings import areas as read_areas

    assert read_areas(note, "elder") == areas
