"""Mandatory reports (强制报告): words that suggest harm alert the site's workers and the admins at once,
and the sender is told what happens next and to call 110/120."""

from __future__ import annotations

import json

import pytest

from data import audit, outbox, protection
from tests.conversation import converse


def alerted(db) -> set[str]:
    return {row["openid"] for row in outbox.rows(db) if row["key"].startswith("protection:")}


def reports(db) -> list[dict]:
    return list(db.query("SELECT * FROM protection_reports ORDER BY id"))


def test_a_residents_report_alerts_every_worker_and_admin_and_tells_the_sender_what_next(wechat, db, team):
    [reply] = converse(wechat, "fam-1", [("隔壁那家后妈打孩子，打得身上青一块紫一块的", ["已立即通知", "110", "120"])])
    assert alerted(db) == {"w-mali", "w-yangfan", "a-zhang"}
    alert = outbox.rows(db, openid="a-zhang")[0]
    assert alert["urgent"] == 1 and "强制报告" in alert["body"] and "后妈打孩子" in alert["body"]
    [report] = reports(db)
    assert "abuse" in json.loads(report["kinds"]) and report["notified"] == 3
    # The audit trail says that a report was made, not what it said.
    [entry] = audit.entries(db, f"protection:{report['id']}")
    assert "后妈" not in (entry["detail"] or "")


def test_harm_to_an_elder_is_reported_too(wechat, db, team):
    converse(wechat, "fam-5", [("楼下的老人被儿媳虐待，经常不给饭吃", ["已立即通知", "110"])])
    assert {"w-mali", "a-zhang"} <= alerted(db)


def test_a_visit_note_alerts_the_childs_site_and_the_visit_goes_on(wechat, db, team):
    converse(wechat, "d-liming", [
        ("走访 王小明 今天 上门 孩子身上好几处伤，说是被他爸打得不敢回家",
         ["强制报告", "110", "请核对走访记录", "对象：王小明"]),
        ("1", "已保存"),
    ])
    # 沈闸村's worker and the admin; not 马丽 at 怡园社区, and not the director who wrote it.
    assert alerted(db) == {"w-yangfan", "a-zhang"}
    assert reports(db)[0]["site_id"] == team["li"]["site_id"]


def test_an_answer_inside_a_visit_is_checked_too(wechat, db, team):
    converse(wechat, "d-liming", [("走访 王小明 上门", "情况怎么样"),
                                  ("奶奶说他爸喝醉了就打他，还不给饭吃", ["强制报告", "有需要帮忙"])])
    assert alerted(db) == {"w-yangfan", "a-zhang"}
    assert set(json.loads(reports(db)[0]["kinds"])) == {"abuse", "neglect"}


def test_phone_numbers_in_the_message_are_masked_in_the_alert(wechat, db, team):
    converse(wechat, "fam-2", [("有人虐待孩子，我电话13812345678", "110")])
    body = outbox.rows(db, openid="a-zhang")[0]["body"]
    assert "13812345678" not in body and "138****5678" in body
    assert "13812345678" not in reports(db)[0]["excerpt"]


def test_a_repeated_message_raises_one_report(wechat, db, team):
    first = wechat.say("fam-3", "孩子被打了，浑身是伤", msg_id=424242)
    again = wechat.say("fam-3", "孩子被打了，浑身是伤", msg_id=424242)
    assert first.text == again.text and "110" in first.text
    assert len(reports(db)) == 1


@pytest.mark.parametrize("text", [
    "孩子爸爸打电话说下周回来", "给娃打针了，有点发烧", "今天去了王家，娃挺好，爷爷血压高", "孩子打球摔了一跤",
])
def test_ordinary_words_raise_nothing(wechat, db, team, text):
    converse(wechat, "fam-4", [(text, lambda reply: "强制报告" not in reply and "已立即通知" not in reply)])
    assert reports(db) == [] and alerted(db) == set()


@pytest.mark.parametrize(("text", "kind"), [
    ("他后爸拿棍子打他", "abuse"), ("娃娃被打得不敢回家", "abuse"), ("把孩子锁在屋里不让出门", "abuse"),
    ("爹妈把孩子扔给邻居就走了", "abandonment"), ("他爸不让孩子上学，逼着去打工", "neglect"),
])
def test_words_with_gaps_and_dialect_are_found(text, kind):
    assert kind in {w.kind for w in protection.find_words(text)}


@pytest.mark.parametrize(("text", "reported"), [
    ("儿子喝了酒就打我妈", True),
    ("儿媳把老人锁在屋里出去打麻将", True),
    ("他们把老人赶出家门了", True),
    ("我打我妈电话一直没人接", False),
    ("给我爸打针的护士来了吗", False),
    ("我老汉打电话说腰疼", False),
])
def test_harm_to_elders_in_everyday_words(text, reported):
    assert bool(protection.find_words(text)) is reported


def test_one_word_matcher_serves_the_report_check_and_the_intent_matcher():
    """The mandatory-report observer and the request matcher read protection words the same way."""
    from data import protection
    from handlers.classifier import Classifier

    classify = Classifier()
    for text in ("邻居家碎娃被打了，身上青一块", "他爸喝醉了就打娃", "怕孩子被打，想问问咋办", "给娃打电话没人接"):
        assert [w.word for w in protection.find_words(text)] == list(classify(text).protection), text


def test_local_words_for_children_are_read_as_children():
    from data import protection

    assert protection.find_words("隔壁碎娃被打了")
    assert not protection.find_words("隔壁碎娃在打球")
