"""Ticket and request references cannot be reached by counting, and a ticket is answered only by its site's staff."""

from __future__ import annotations

import re

import pytest

from data import handoffs, people
from data import requests as reqs
from data.clock import utcnow
from tests import requests_world as world
from tests.conftest import make_person
from tests.conversation import converse


@pytest.fixture
def who(db):
    return world.build(db)


def test_a_village_director_cannot_answer_a_resident_whose_site_is_unknown(wechat, db, who):
    make_person(db, "d-far", "director", "沈闸村", "李明")
    replies = converse(wechat, "fam-nosite", [("转人工", "编号 T")])
    label = world.TICKET.search(replies[-1]).group(0)
    assert handoffs.get(db, int(label[1:]))["site_id"] is None
    converse(wechat, "d-far", [(f"回复 {label} 你好，我是儿童主任", f"没有找到您可以回复的工单 {label}")])
    assert not any("我是儿童主任" in t for t in world.pushes(db, "fam-nosite"))
    converse(wechat, "w-yy", [(f"回复 {label} 您好，我是社工", "已发给对方")])  # a worker who was told may
    converse(wechat, "lead-zl", [(f"回复 {label} 我是队长", f"没有找到您可以回复的工单 {label}")])


def test_ticket_numbers_do_not_count_up(db, who):
    person = people.ensure_person(db, "fam-count", utcnow())
    ids = []
    for _ in range(20):
        ticket = handoffs.open_ticket(db, person["id"], None, "asked", [], utcnow())
        ids.append(ticket["id"])
        handoffs.close(db, ticket["id"], None, utcnow())
    assert all(10000 <= i <= 99999 for i in ids) and len(set(ids)) == 20
    assert sum(b == a + 1 for a, b in zip(ids, ids[1:], strict=False)) <= 1  # not a sequence


def test_request_numbers_carry_check_letters_and_a_guess_without_them_finds_nothing(wechat, db, who):
    asker = people.ensure_person(db, "fam-ref", utcnow())
    number = reqs.create(db, requester_id=asker["id"], category="居家安全", text="屋顶漏雨了", site_id=None,
                         local_day=utcnow().date(), now=utcnow())["number"]
    assert re.fullmatch(r"R\d{4}-\d{2}[ACDEFHJKMNPRTUVWXY]{2}", number)
    counted = number[:-2]
    assert reqs.get_by_number(db, counted) is None
    converse(wechat, "fam-ref", [(f"进度 {number.lower()}", number)])  # any case, as typed on a phone
    wide = number.translate({ord(c): ord(c) + 0xFEE0 for c in number})
    assert reqs.find_request_number(f"进度 {wide} 怎么样了") == (number, "进度 怎么样了")
    assert reqs.find_request_number(f"{number[:5]}{number[6:]}") == (number, "")


def test_numbers_issued_before_the_check_letters_still_work():
    assert reqs.find_request_number("进度 R1203-07") == ("R1203-07", "进度")
    assert reqs.find_request_number("R1203-07 ok") == ("R1203-07", "ok")
