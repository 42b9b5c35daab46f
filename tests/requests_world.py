"""A small world for the help-request tests: sites, workers, an admin and volunteer teams with leaders; and
what reached whom, in the outbox or through the fake WeChat API."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from data import outbox, people, sites, teams
from data import requests as reqs
from data.clock import utcnow
from tests.conftest import make_person

NUMBER = re.compile(r"R\d{4}-\d{2,3}[A-Z]{0,2}")
TICKET = re.compile(r"T\d+")

PEOPLE = (
    # key/openid, role, site, name
    ("w-yy", "worker", "怡园社区", "马丽"),
    ("w-sz", "worker", "沈闸村", "杨帆"),
    ("admin-1", "admin", None, "张主任"),
    ("lead-zl", "team_lead", "怡园社区", "王强"),
    ("vol-zl", "volunteer", "怡园社区", "刘芳"),
    ("lead-med", "team_lead", "怡园社区", "马医生"),
    ("lead-med2", "team_lead", "怡园社区", "苏护士"),
    ("lead-fix", "team_lead", "怡园社区", "苏师傅"),
)
# name, sites, categories, capacity, leaders, members
TEAMS = (
    ("助老服务队", ("怡园社区",), ("生活照料", "代办服务"), 3, ("lead-zl",), ("vol-zl",)),
    ("医疗志愿队", ("怡园社区", "沈闸村"), ("医疗健康",), 3, ("lead-med",), ()),
    ("卫生院志愿队", ("怡园社区",), ("医疗健康",), 3, ("lead-med2",), ()),
    ("维修服务队", ("怡园社区",), ("居家安全",), 3, ("lead-fix",), ()),
)


@pytest.fixture
def env(env, fake):
    """Settings that send pushes to the fake WeChat API, so that `delivered` sees what reached whom. A test
    module takes it (and `who`) with `from tests.requests_world import env, who`."""
    return {**env, "WECHAT_API_BASE": fake.base_url}


@pytest.fixture
def who(db):
    return build(db)


@pytest.fixture
def with_supplies(db):
    """The world, and a team that lends wheelchairs and gives quilts in 怡园社区 (led by 王强)."""
    found = build(db)
    add_team(db, "爱心物资队", ("怡园社区",), ("物资帮扶",), 3, [found["lead-zl"]])
    return found


def build(db, now: datetime | None = None) -> dict[str, dict]:
    """People by openid; teams are looked up by name with `team(db, name)`."""
    now = now or utcnow()
    who = {openid: make_person(db, openid, role, site, name, now) for openid, role, site, name in PEOPLE}
    for openid in who:  # they have written to the account lately: pushes reach them as chat messages
        people.note_inbound(db, openid, now)
    for name, site_names, categories, capacity, leaders, members in TEAMS:
        add_team(db, name, site_names, categories, capacity, [who[o] for o in leaders],
                 [who[o] for o in members], now)
    return who


def add_team(db, name, site_names, categories, capacity, leaders=(), members=(), now=None) -> int:
    team_id = teams.add_team(db, name, now or utcnow(), capacity)
    teams.set_sites(db, team_id, [sites.find_site(db, s)["id"] for s in site_names])
    teams.set_categories(db, team_id, categories)
    for person in leaders:
        teams.add_member(db, team_id, person["id"], "leader")
    for person in members:
        teams.add_member(db, team_id, person["id"], "member")
    return team_id


def team(db, name: str) -> dict:
    return teams.find_team(db, name)


def number_in(text: str) -> str:
    found = NUMBER.search(text or "")
    assert found, f"no request number in «{text}»"
    return found.group(0)


def pushes(db, openid: str) -> list[str]:
    """What laoxiao queued for this person, oldest first."""
    return [row["body"] for row in outbox.rows(db, openid=openid)]


def request(db, number: str) -> dict:
    return reqs.get_by_number(db, number)


def actions(db, number: str) -> list[str]:
    return [e["action"] for e in reqs.events(db, request(db, number)["id"])]


def delivered(db, settings, fake, openid: str, now: datetime | None = None) -> list[str]:
    """Run the outbox sender once against the fake WeChat API; everything that reached `openid` so far."""
    from bot.sender import drain_once

    drain_once(db, settings, now)
    return fake.texts_to(openid)


def last_ticket(text: str) -> str:
    found = TICKET.search(text or "")
    assert found, f"no ticket number in «{text}»"
    return found.group(0)
