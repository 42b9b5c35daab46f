"""Demo dashboard accounts, one per role, all with the same password (printed by `laoxiao demo`; demo only)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from data import sites, web_users

PASSWORD = "laoxiao-demo"
# username, role, display name, linked persona openid, sites, township
LOGINS = (
    ("admin", "admin", "张主任", "demo-admin", (), None),
    ("mali", "worker", "马丽", "demo-worker-elder", ("怡园社区",), None),
    ("yangfan", "worker", "杨帆", "demo-worker-child", ("沈闸村", "马家湾村"), None),
    ("dudao", "supervisor", "峡口镇督导员", None, (), "峡口镇"),
    ("minzhengju", "bureau", "民政局", None, (), None),
    ("pinggu", "evaluator", "第三方评估", None, (), None),
)


def seed_web_users(db: Database, now: datetime, by_openid: dict[str, dict]) -> None:
    for username, role, name, openid, site_names, township in LOGINS:
        if web_users.find_user(db, username):
            continue
        site_ids = [sites.find_site(db, s)["id"] for s in site_names]
        web_users.add_user(db, username, PASSWORD, role, now, display_name=name, site_ids=site_ids,
                           township=township, person_id=by_openid[openid]["id"] if openid else None)


def login_lines() -> list[str]:
    return [f"  {username}\t{web_users.ROLES[role]}（{name}）" for username, role, name, *_ in LOGINS]
