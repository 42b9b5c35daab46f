"""October 2026 (tests/report_world.py) with a dashboard account for every role, and contact details that must
never reach the bureau or the evaluator."""

from __future__ import annotations

import re

from data import sites, web_users
from tests.report_world import NOW, seed_october

PASSWORD = "correct-horse-9"
PHONE, GUARDIAN_PHONE, ID_TAIL = "13912345678", "13629531456", "081X"


def seed_dashboard(db, person) -> dict:
    team = seed_october(db, person)
    ids = team["ids"]
    db.conn.execute("UPDATE recipients SET phone = ?, guardian = ?, id_number_tail = ? WHERE id = ?",
                    [PHONE, f"爷爷 王德福 {GUARDIAN_PHONE}", ID_TAIL, ids["王小明"]])
    db.conn.execute("UPDATE protection_reports SET recipient_id = ? WHERE id = 2", [ids["王小明"]])
    shenzha, yiyuan = sites.find_site(db, "沈闸村")["id"], sites.find_site(db, "怡园社区")["id"]
    for username, role, extra in (
            ("admin", "admin", {"person_id": team["boss"]["id"]}),
            ("yangfan", "worker", {"site_ids": [shenzha], "person_id": team["yang"]["id"]}),
            ("mali", "worker", {"site_ids": [yiyuan], "person_id": team["ma"]["id"]}),
            ("dudao", "supervisor", {"township": "峡口镇"}),
            ("minzhengju", "bureau", {}), ("pinggu", "evaluator", {})):
        web_users.add_user(db, username, PASSWORD, role, NOW, **extra)
    return team


def login(client, username: str, password: str = PASSWORD):
    """Log a Flask test client in through the real form; returns the response to the POST."""
    page = client.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token})


def csrf_of(client, path: str = "/admin/", action: str | None = None) -> str:
    """The CSRF token of the form posting to `action` on the page at `path` (any form when not given)."""
    html = client.get(path).get_data(as_text=True)
    start = html.index(f'action="{action}"') if action else 0
    return re.search(r'name="csrf_token" value="([^"]+)"', html[start:]).group(1)
