"""Needs found during a visit enter the same path: open_request_from_visit, as the visit flow calls it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from data import people, recipients, visits
from data import requests as reqs
from data.clock import utcnow
from data.db import transaction
from flows.context import Ctx
from flows.request import open_request_from_visit
from handlers.classifier import Classifier
from tests import requests_world as world


@pytest.fixture
def who(db):
    return world.build(db)


def _visit(db, who, needs: str) -> tuple[Ctx, int, dict]:
    now = utcnow()
    worker = who["w-yy"]
    recipient_id = recipients.insert_recipient(db, {"kind": "elder", "name": "王秀兰", "site_id": worker["site_id"],
                                                    "address": "怡园社区3号楼"}, now)
    visit_id = visits.add_visit(db, recipient_id=recipient_id, visitor_id=worker["id"], mode="上门",
                                visit_date=now.date().isoformat(), findings="血压偏高", needs=needs, now=now)
    ctx = Ctx(db=db, person=people.get_person(db, "w-yy"), now=now, tz=ZoneInfo("Asia/Shanghai"),
              classify=Classifier())
    return ctx, visit_id, recipients.get_recipient(db, recipient_id)


def test_a_need_found_on_a_visit_is_routed_like_any_other(db, who):
    ctx, visit_id, elder = _visit(db, who, "降压药快吃完了，需要人帮着去卫生院开药")
    with transaction(db):  # the visit's own save transaction
        made = open_request_from_visit(ctx, visit_id, elder, "降压药快吃完了，需要人帮着去卫生院开药")
    assert len(made) == 1
    request = made[0]
    assert request["category"] == "医疗健康" and request["visit_id"] == visit_id and request["source"] == "visit"
    assert request["recipient_id"] == elder["id"] and request["site_id"] == elder["site_id"]
    assert request["routed_to"] == "怡园社区医疗志愿队" and request["status"] == "assigned"
    assert request["number"] in world.pushes(db, "lead-med")[-1]


def test_two_needs_in_one_note_make_two_requests(db, who):
    note = "药快吃完了，另外屋顶漏雨了也得修一修"
    ctx, visit_id, elder = _visit(db, who, note)
    with transaction(db):
        made = open_request_from_visit(ctx, visit_id, elder, note)
    assert {r["category"] for r in made} == {"医疗健康", "居家安全"}
    assert len({r["number"] for r in made}) == 2


def test_no_need_makes_no_request(db, who):
    ctx, visit_id, elder = _visit(db, who, "")
    assert open_request_from_visit(ctx, visit_id, elder, "") == []
    assert open_request_from_visit(ctx, visit_id, elder, "谢谢，挺好的") == []


def test_a_failed_visit_save_leaves_no_request_behind(db, who):
    ctx, visit_id, elder = _visit(db, who, "药快吃完了")
    with pytest.raises(RuntimeError), transaction(db):
        open_request_from_visit(ctx, visit_id, elder, "药快吃完了")
        raise RuntimeError("the visit could not be saved")
    assert reqs.of_requester(db, who["w-yy"]["id"]) == []
    assert world.pushes(db, "lead-med") == []
