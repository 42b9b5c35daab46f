"""October 2026 (tests/report_world.py) with a dashboard account for every role, and contact details that must
never reach the bureau or the evaluator."""

from __future__ import annotations

import re
from functools import cache

from werkzeug.security import generate_password_hash

from data import sites
from data.clock import iso
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
    for username, role, person, site_id, township in (
            ("admin", "admin", team["boss"]["id"], None, None),
            ("yangfan", "worker", team["yang"]["id"], shenzha, None),
            ("mali", "worker", team["ma"]["id"], yiyuan, None),
            ("dudao", "supervisor", None, None, "峡口镇"),
            ("minzhengju", "bureau", None, None, None), ("pinggu", "evaluator", None, None, None)):
        # Written directly with one hash made per session: scrypt takes a fifth of a second each time, and
        # data.web_users.add_user itself is tested through `laoxiao user add`.
        user_id = db.conn.execute(
            "INSERT INTO web_users (username, display_name, password_hash, role, township, person_id, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [username, username, _password_hash(), role, township, person, iso(NOW), iso(NOW)]).lastrowid
        if site_id:
            db.conn.execute("INSERT INTO web_user_sites (user_id, site_id) VALUES (?, ?)", [user_id, site_id])
    return team


@cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD)


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
