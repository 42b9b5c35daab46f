"""Who may see and do what on the dashboard, decided here in one place.

    admin        every site; records, work lists, reports, the outbox
    worker       their own sites; records, work lists, reports
    supervisor   the villages of their township (儿童督导员); reads, and marks work-list items handled
    bureau       every site, read only, never a phone or an ID number (民政局)
    evaluator    the same as the bureau (第三方评估)

A record outside the account's sites answers 404, as if it did not exist: changing the id in the address
reveals nothing.
"""

from __future__ import annotations

from flask import abort, g

from bot.storage import get_db
from data import recipients, web_users

WRITERS = ("admin", "worker")
HANDLERS = ("admin", "worker", "supervisor")
SEE_CONTACTS = ("admin", "worker", "supervisor")


def user() -> dict:
    return g.user


def site_ids() -> list[int] | None:
    """The account's sites; None means every site."""
    if "site_ids" not in g:
        g.site_ids = web_users.visible_site_ids(get_db(), g.user)
    return g.site_ids


def sees_site(site_id: int | None) -> bool:
    scope = site_ids()
    return scope is None or site_id in scope


def sees_unknown_sites() -> bool:
    """Items with no known site (an alert from an unknown resident) reach every worker, so workers see them."""
    return g.user["role"] != "supervisor"


def can_write() -> bool:
    return g.user["role"] in WRITERS


def can_handle() -> bool:
    return g.user["role"] in HANDLERS


def sees_contacts() -> bool:
    return g.user["role"] in SEE_CONTACTS


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def recipient_or_404(recipient_id: int) -> dict:
    found = recipients.get_recipient(get_db(), recipient_id)
    if found is None or not sees_site(found["site_id"]):
        abort(404)
    return found


def site_or_404(site_id: int | None) -> int:
    if site_id is None or not sees_site(site_id) or get_db().conn.execute(
            "SELECT 1 FROM sites WHERE id = ?", [site_id]).fetchone() is None:
        abort(404)
    return site_id


def project_or_abort(code: str) -> str:
    """A project the account works in: 400 when it is no project, 403 when it is another's."""
    from data.projects import NAMES

    if code not in NAMES:
        abort(400)
    if code not in visible_projects():
        abort(403)
    return code


def visible_sites() -> list[dict]:
    scope = site_ids()
    return [s for s in get_db().query("SELECT * FROM sites ORDER BY id") if scope is None or s["id"] in scope]


def visible_projects() -> list[str]:
    from data import projects

    return projects.projects_of_sites(get_db(), site_ids())
