"""Details read wherever families give them, and the card they see before it goes: the issue's examples
through the real callback, with the stored request and the card that reaches the team on the fake WeChat API."""

from __future__ import annotations

from data import people
from data import requests as reqs
from tests import requests_world as world
from tests.conversation import converse

env, who = world.env, world.with_supplies  # fixtures shared by the request tests


def _stored(db, reply: str) -> dict:
    return world.request(db, world.number_in(reply))


def test_everything_in_one_message_is_not_asked_again(wechat, db, who, settings, fake):
    replies = converse(wechat, "fam-1", [
        ("我妈腿摔了以后走不了路，想借个轮椅，我叫马丽丽，住怡园社区8号楼2单元",
         ["联系电话", "!姓名和住址", "!住在哪里", "!叫什么名字", "!120"]),
        ("没有电话", ["这样发给志愿者可以吗", "类别：物资帮扶", "为谁：马丽丽的母亲", "地点：怡园社区8号楼2单元",
                   "需要：我妈腿摔了以后走不了路，想借个轮椅", "联系：马丽丽，没有电话，请直接上门"]),
        ("1", ["编号 R", "爱心物资队"]),
    ])
    row = _stored(db, replies[-1])
    assert (row["category"], row["requester_name"], row["relation"], row["for_whom"]) == ("物资帮扶", "马丽丽", "母亲",
                                                                                         "other")
    assert (row["address"], row["no_phone"], row["contact_phone"], row["urgent"]) == ("怡园社区8号楼2单元", 1, None, 0)
    assert row["text"] == "我妈腿摔了以后走不了路，想借个轮椅"
    card = world.delivered(db, settings, fake, "lead-zl")[-1]
    assert "为谁：马丽丽的母亲" in card and "地点：怡园社区8号楼2单元" in card and "没有电话，请直接上门" in card
    assert "我叫马丽丽" not in card  # details read out of the need are not repeated in it


def test_a_name_and_an_address_first_are_kept_and_the_need_is_asked(wechat, db, who):
    replies = converse(wechat, "fam-2", [
        ("我叫海秀英，住在怡园社区2号楼", ["记下了（海秀英，怡园社区2号楼）", "需要什么帮助", "!没看懂电话号码",
                                    "!选一类"]),
        ("我的降压药快吃完了", "为谁"),
        ("1", ["联系电话", "!怎么称呼", "!住在哪里"]),
        ("13912345678", ["为谁：海秀英本人", "地点：怡园社区2号楼", "联系：电话 139****5678", "类别：医疗健康"]),
        ("发吧", "编号 R"),
    ])
    row = _stored(db, replies[-1])
    assert (row["for_whom"], row["requester_name"], row["recipient_name"]) == ("self", "海秀英", "海秀英")
    assert row["contact_phone"] == "13912345678" and row["site_id"] == who["w-yy"]["site_id"]


def test_kinship_name_and_address_in_one_answer_are_accepted_at_once(wechat, db, who):
    replies = converse(wechat, "fam-3", [
        ("求助", "需要什么帮助"),
        ("药吃完了", "为谁"),
        ("我妈 马桂花 怡园社区8号楼", ["联系电话", "!请先写姓名", "!没看出"]),
        ("跳过", ["为谁：马桂花（求助人的母亲）", "地点：怡园社区8号楼"]),
        ("1", "编号 R"),
    ])
    row = _stored(db, replies[-1])
    assert (row["recipient_name"], row["relation"], row["address"]) == ("马桂花", "母亲", "怡园社区8号楼")


def test_short_answers_families_give_are_accepted(wechat, db, who):
    replies = converse(wechat, "fam-4", [
        ("求助", "需要什么帮助"),
        ("冬天的棉被太薄了", "为谁"),
        ("我娘", "姓名和住址"),
        ("没有电话", ["记下了：电话 没有电话", "姓名和住址"]),  # answers another question: kept, asked again
        ("马桂兰", "住在哪里"),
        ("小坝镇的", ["哪个社区或村", "都不是"]),
        ("3", ["为谁：马桂兰（求助人的母亲）", "地点：小坝镇", "联系：没有电话"]),
        ("1", "编号 R"),
    ])
    row = _stored(db, replies[-1])
    assert (row["relation"], row["address"], row["site_id"], row["no_phone"]) == ("母亲", "小坝镇", None, 1)
    assert any(row["number"] in t for t in world.pushes(db, "admin-1"))  # outside our sites: the admins


def test_nothing_that_is_not_a_name_or_an_address_is_stored_as_one(wechat, db, who):
    replies = converse(wechat, "fam-5", [
        ("求助", "需要什么帮助"),
        ("想问问办残疾证要啥材料", "为谁"),
        ("就是问一下", ["请回 1", "为谁"]),  # not stored as 「为谁：就是问一下」
        ("1", "怎么称呼您"),
        ("怡园社区要啥材料", ["没看出姓名", "怎么称呼您"]),
        ("王建国", "住在哪里"),
        ("不知道咋说", ["没看出是哪里", "例如"]),
        ("怡园社区11号楼", "联系电话"),
        ("跳过", ["为谁：王建国本人", "地点：怡园社区11号楼", "!就是问一下", "!地点：怡园社区要", "!微信用户"]),
        ("1", "编号 R"),
    ])
    row = _stored(db, replies[-1])
    assert (row["requester_name"], row["address"]) == ("王建国", "怡园社区11号楼")


def test_a_neighbour_reporting_someone_else(wechat, db, who, settings, fake):
    replies = converse(wechat, "fam-6", [
        ("不好意思打扰一下，我是隔壁的，对门的马奶奶一个人住，好像好几天没正经吃饭了", ["马奶奶住在哪里", "!为谁"]),
        ("怡园社区5号楼3单元", "联系电话"),
        ("13612345678", ["为谁：马奶奶（求助人的邻居）", "地点：怡园社区5号楼3单元", "生活照料"]),
        ("1", "助老服务队"),
    ])
    row = _stored(db, replies[-1])
    assert (row["relation"], row["for_whom"], row["recipient_name"]) == ("邻居", "other", "马奶奶")
    card = world.delivered(db, settings, fake, "lead-zl")[-1]
    assert "马奶奶（求助人的邻居）" in card and "136****5678" in card
    # A neighbour who does not know the name says so, and the address is enough.
    replies = converse(wechat, "fam-6b", [
        ("楼上的邻居老太太一个人住，好几天没见她下楼买菜了，我不太放心", "姓名和住址"),
        ("不知道叫啥", "住在哪里"),
        ("怡园社区5号楼", "联系电话"),
        ("跳过", ["为谁：求助人的邻居", "地点：怡园社区5号楼"]),
        ("1", "编号 R"),
    ])
    assert _stored(db, replies[-1])["recipient_name"] is None


def test_two_needs_in_one_message_go_out_together(wechat, db, who, settings, fake):
    replies = converse(wechat, "fam-7", [
        ("我婆婆的降压药没了，家里炕也烧不热，咋整", "姓名和住址"),
        ("马翠花，怡园社区9号楼", "联系电话"),
        ("跳过", ["类别：医疗健康", "另一件事：房屋安全（居家安全），一起发出"]),
        ("1", ["医疗志愿队", "维修服务队", "两件事分开办"]),
    ])
    first, second = world.NUMBER.findall(replies[-1])[:2]
    a, b = world.request(db, first), world.request(db, second)
    assert {a["category"], b["category"]} == {"医疗健康", "居家安全"}
    assert (a["pair_id"], b["pair_id"]) == (b["id"], a["id"]) and a["relation"] == b["relation"] == "婆婆"
    assert any(first in t for t in world.delivered(db, settings, fake, "lead-med"))
    assert any(second in t for t in world.delivered(db, settings, fake, "lead-fix"))


def test_the_second_need_can_be_dropped_at_the_card(wechat, db, who):
    replies = converse(wechat, "fam-8", [
        ("我婆婆的降压药没了，家里炕也烧不热，咋整", "姓名和住址"),
        ("马翠花，怡园社区9号楼", "联系电话"),
        ("跳过", "另一件事"),
        ("修改 另一件事", "另一件事要一起发吗"),
        ("不用了", ["类别：医疗健康", "!另一件事：房屋安全"]),
        ("1", ["医疗志愿队", "!维修服务队"]),
    ])
    assert len(set(world.NUMBER.findall(replies[-1]))) == 1
    person = people.get_person(db, "fam-8")
    assert [r["category"] for r in reqs.of_requester(db, person["id"])] == ["医疗健康"]


def test_a_fall_that_is_over_is_routed_by_its_need_and_a_worker_takes_a_look(wechat, db, who, settings, fake):
    replies = converse(wechat, "fam-9", [
        ("我爸前几天在院子里摔倒了，现在腿还肿着，想请医生来家里看看", ["姓名和住址", "!120", "!已同时通知"]),
        ("刘福贵，怡园社区1号楼", "联系电话"),
        ("跳过", "类别：医疗健康"),
        ("1", "医疗志愿队"),
    ])
    row = _stored(db, replies[-1])
    assert row["urgent"] == 0 and "摔倒" in row["flag"]
    assert not [r for r in db["outbox"].rows_where("kind = 'urgent'")]
    look = [t for t in world.delivered(db, settings, fake, "w-yy") if "【请留意】" in t]
    assert look and row["number"] in look[0] and "摔倒" in look[0]
