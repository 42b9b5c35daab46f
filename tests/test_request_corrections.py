"""An admin corrects a routing in one message, 「改类 R1203-04 医疗健康」: the request moves to the right team,
whoever had it and the family are told, and its words become a phrasing for the matcher, with its author."""

from __future__ import annotations

from pathlib import Path

from data.categories import read_corpus
from handlers.classifier import Classifier
from tests import requests_world as world
from tests.conversation import converse

env, who = world.env, world.who  # fixtures shared by the request tests

NEED = "我妈最近老是忘事，出门找不着回家的路，想带她去查查"


def test_an_admins_correction_reroutes_and_teaches_the_matcher(wechat, db, who, env, settings, fake):
    # The family picks the wrong kind at the card: a routing to correct.
    replies = converse(wechat, "fam-1", [
        (NEED, "姓名和住址"), ("马桂花，怡园社区8号楼", "联系电话"), ("跳过", "类别："),
        ("修改 类别", "请回编号选一类"), ("10", "类别：物资帮扶"), ("1", "编号 R"),
    ])
    number = world.number_in(replies[-1])
    assert world.request(db, number)["category"] == "物资帮扶"

    converse(wechat, "w-yy", [(f"改类 {number} 医疗健康", "只有管理员可以改类")])
    converse(wechat, "admin-1", [
        (f"改类 {number} 看病", ["请写上正确的类别", "医疗健康"]),
        (f"改类 {number} 医疗健康", ["已把", "医疗健康", "已改派给怡园社区医疗志愿队", "以后会认得"]),
        (f"改类 {number} 医疗健康", "已经是「医疗健康」了"),
    ])
    row = world.request(db, number)
    assert (row["category"], row["team_id"]) == ("医疗健康", world.team(db, "医疗志愿队")["id"])
    assert world.actions(db, number)[-2:] == ["recategorized", "rerouted"]
    assert any(number in t and "医疗健康" in t for t in world.delivered(db, settings, fake, "lead-med"))
    assert any(number in t and "已转给怡园社区医疗志愿队" in t for t in world.delivered(db, settings, fake, "fam-1"))
    learned = read_corpus(Path(env["LAOXIAO_PHRASES"]))
    assert (row["text"], "医疗健康", "张主任") in learned
    # The running service reads the phrasing file again: the same words now route without asking.
    assert Classifier(env["LAOXIAO_PHRASES"])(row["text"]).category == "医疗健康"


def test_a_phrasing_is_learned_once_with_its_author(tmp_path):
    path = tmp_path / "phrasings.tsv"
    classifier = Classifier(path)
    assert classifier.learn("家里的羊丢了\t", "物资帮扶", "张主任")
    assert not classifier.learn("家里的羊丢了", "物资帮扶", "李四")
    assert not classifier.learn("家里的羊丢了", "不是类别", "张主任")
    assert read_corpus(path) == [("家里的羊丢了", "物资帮扶", "张主任")]
    assert Classifier(None).learn("随便", "物资帮扶", "张主任") is False  # no file configured: nothing kept
