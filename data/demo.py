"""Demo data: sites, one person of every role, and what each feature adds (rosters, teams ...)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlite_utils import Database

from data import people, sites
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

# Each feature appends a seeder: (db, now, people_by_openid) -> None. They must be idempotent.
SEEDERS: list[Callable[[Database, datetime, dict[str, dict]], None]] = []


def seed_demo(db: Database, now: datetime) -> list[dict]:
    """Create (or complete) the demo data; returns the personas with a label for each."""
    _load_feature_seeders()
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
        for seeder in SEEDERS:
            seeder(db, now, by_openid)
    labelled = []
    for openid, name, role, site_name in PERSONAS:
        labelled.append({"openid": openid, "name": name,
                         "label": f"{site_name or ''}{people.ROLES[role]}（openid {openid}）"})
    return labelled


def _load_feature_seeders() -> None:
    import importlib

    for name in ("data.demo_roster", "data.demo_teams"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
