"""Demo data: sites, one person of every role, and what each feature adds (rosters, teams ...)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from data import demo_records, demo_roster, demo_teams, demo_web, people, sites
from data.db import transaction

PERSONAS = (
    # openid, name, role, site
    ("demo-admin", "张主任", "admin", None),
    ("demo-worker-elder", "马丽", "worker", "怡园社区"),
    ("demo-worker-child", "杨帆", "worker", "沈闸村"),
    ("demo-director", "李明", "director", "沈闸村"),
    ("demo-director-2", "丁玉梅", "director", "马家湾村"),
    ("demo-lead", "王强", "team_lead", "怡园社区"),
    ("demo-volunteer", "刘芳", "volunteer", "怡园社区"),
    ("demo-family", "周大姐", "family", None),
)
EXTRA_SITES = (("马家湾村", "child"),)

# What each feature adds, in order: (db, now, people_by_openid) -> None. Each must be idempotent.
SEEDERS = (demo_roster.seed_roster, demo_teams.seed_teams)
# The dashboard's demo: records over several months and a login per role. `laoxiao demo` adds them; tests that
# share the chat world above do not, so that their counts stay their own.
DASHBOARD_SEEDERS = (demo_records.seed_records, demo_web.seed_web_users)


def seed_demo(db: Database, now: datetime, dashboard: bool = False) -> list[dict]:
    """Create (or complete) the demo data; returns every named persona (team leaders included) with a label.
    `dashboard` adds the dashboard's records and logins (data.demo_records, data.demo_web)."""
    with transaction(db):
        for name, project in EXTRA_SITES:
            if not sites.find_site(db, name):
                sites.add_site(db, name, project)
        by_openid = {}
        for openid, name, role, site_name in PERSONAS:
            person = people.ensure_person(db, openid, now)
            site = sites.find_site(db, site_name) if site_name else None
            people.assign_role(db, person["id"], role, site["id"] if site else None, name, now)
            by_openid[openid] = people.get_person(db, openid)
        for seeder in SEEDERS + (DASHBOARD_SEEDERS if dashboard else ()):
            seeder(db, now, by_openid)
    return personas(db)


def personas(db: Database) -> list[dict]:
    """Everyone in the demo one can chat as: openid, name and a label saying who they are."""
    rows = db.query(
        "SELECT p.openid, p.name, p.role, s.name AS site,"
        " (SELECT group_concat(t.name, '、') FROM team_members m JOIN teams t ON t.id = m.team_id"
        "  WHERE m.person_id = p.id AND m.role = 'leader') AS leads"
        " FROM people p LEFT JOIN sites s ON s.id = p.site_id WHERE p.name IS NOT NULL ORDER BY p.id")
    return [{"openid": r["openid"], "name": r["name"],
             "label": _label(r)} for r in rows]


def _label(row: dict) -> str:
    if row["leads"] and row["role"] == "team_lead":
        who = f"{row['site'] or ''}{row['leads']}队长"
    else:
        who = f"{row['site'] or ''}{people.ROLES[row['role']]}" + (f"，{row['leads']}队长" if row["leads"] else "")
    return f"{who}（openid {row['openid']}）"
