"""Demo volunteer teams: every need category has a team at 怡园社区 and at 沈闸村/马家湾村."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from data import people, sites, teams

ELDER = ("怡园社区",)
CHILD = ("沈闸村", "马家湾村")
ALL = ELDER + CHILD

# Leader personas beyond the shared ones: openid, name, site.
LEADERS = (
    ("demo-lead-medic", "马医生", "怡园社区"),
    ("demo-lead-heart", "田老师", "沈闸村"),
    ("demo-lead-study", "何老师", "沈闸村"),
    ("demo-lead-law", "赵律师", "怡园社区"),
    ("demo-lead-repair", "苏师傅", "怡园社区"),
    ("demo-lead-youth", "纳小军", "沈闸村"),
    ("demo-lead-goods", "金大姐", "怡园社区"),
    ("demo-lead-arts", "白阿姨", "怡园社区"),
)

# name, sites, categories, capacity, leader openids, member openids
TEAMS = (
    ("助老服务队", ELDER, ("生活照料", "代办服务"), 5, ("demo-lead",), ("demo-volunteer",)),
    ("医疗志愿队", ALL, ("医疗健康",), 5, ("demo-lead-medic",), ()),
    ("心理关爱队", ALL, ("心理慰藉",), 4, ("demo-lead-heart",), ()),
    ("学业辅导队", ALL, ("学业辅导",), 6, ("demo-lead-study",), ()),
    ("法律服务队", ALL, ("法律援助",), 4, ("demo-lead-law",), ()),
    ("维修服务队", ALL, ("居家安全",), 4, ("demo-lead-repair",), ()),
    ("青年志愿队", CHILD, ("代办服务", "生活照料"), 5, ("demo-lead-youth",), ()),
    ("爱心物资队", ALL, ("物资帮扶",), 8, ("demo-lead-goods",), ()),
    ("文体志愿队", ALL, ("文体活动",), 6, ("demo-lead-arts",), ()),
    # Policy questions, guardianship and emergencies stay with the social workers and child directors.
    ("怡园社工站", ELDER, ("政策咨询", "紧急求助", "监护支持"), 20, ("demo-worker-elder",), ()),
    ("沈闸社工站", CHILD, ("政策咨询", "紧急求助", "监护支持"), 20, ("demo-worker-child",),
     ("demo-director", "demo-director-2")),
)


def seed_teams(db: Database, now: datetime, by_openid: dict[str, dict]) -> None:
    for openid, name, site_name in LEADERS:
        person = people.ensure_person(db, openid, now)
        site = sites.find_site(db, site_name)
        people.assign_role(db, person["id"], "team_lead", site["id"] if site else None, name, now)
        by_openid[openid] = people.get_person(db, openid)
    for name, site_names, categories, capacity, leader_ids, member_ids in TEAMS:
        team = teams.find_team(db, name)
        team_id = team["id"] if team else teams.add_team(db, name, now, capacity)
        teams.set_sites(db, team_id, [sites.find_site(db, site_name)["id"] for site_name in site_names])
        teams.set_categories(db, team_id, categories)
        for openid in leader_ids:
            teams.add_member(db, team_id, by_openid[openid]["id"], "leader")
        for openid in member_ids:
            teams.add_member(db, team_id, by_openid[openid]["id"], "member")

