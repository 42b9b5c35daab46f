"""Dashboard accounts, their sessions and failed logins.

Passwords are kept as werkzeug's salted scrypt hashes. A session cookie carries a random token whose SHA-256
alone is stored, with the session's CSRF token, so sessions work across processes and logging out ends them.

Who sees which sites (`visible_site_ids`): admin, bureau and evaluator every site; a worker the sites given
to the account (or the site of the WeChat identity it is linked to); a supervisor (儿童督导员) the sites of
their township.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from data.clock import iso
from data.db import first, transaction
from data.record_rules import RecordError
from data.sites import site_ids_of_township

ROLES = {"admin": "管理员", "bureau": "民政局", "evaluator": "第三方评估", "worker": "社工",
         "supervisor": "儿童督导员"}
ALL_SITES_ROLES = ("admin", "bureau", "evaluator")
MIN_PASSWORD = 8
_USERNAME = re.compile(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}")


@cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so that a wrong name takes as long as a wrong password."""
    return generate_password_hash("not-a-password")


def _password_hash(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise RecordError(f"密码至少{MIN_PASSWORD}位")
    return generate_password_hash(password)


def add_user(db: Database, username: str, password: str, role: str, now: datetime, *, display_name: str = "",
             site_ids: list[int] = (), township: str | None = None, person_id: int | None = None) -> int:
    """A new account. A worker needs at least one site (or a linked person with one); a supervisor a township
    with sites."""
    username = (username or "").strip()
    if not _USERNAME.fullmatch(username):
        raise RecordError("用户名为2-32位字母、数字或汉字")
    if role not in ROLES:
        raise RecordError(f"角色只能是：{'、'.join(ROLES)}")
    if find_user(db, username):
        raise RecordError(f"用户名「{username}」已存在")
    person = first(db, "SELECT * FROM people WHERE id = ?", [person_id]) if person_id else None
    if role == "worker" and not site_ids and not (person and person["site_id"]):
        raise RecordError("社工账号需要指定站点")
    if role == "supervisor" and not (township and site_ids_of_township(db, township)):
        raise RecordError("督导员账号需要指定有站点的镇/街道")
    hashed = _password_hash(password)
    name = (display_name or "").strip() or (person["name"] if person and person["name"] else username)
    with transaction(db):
        user_id = db.conn.execute(
            "INSERT INTO web_users (username, display_name, password_hash, role, township, person_id, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [username, name, hashed, role, township if role == "supervisor" else None, person_id, iso(now),
             iso(now)]).lastrowid
        for site_id in site_ids:
            db.conn.execute("INSERT OR IGNORE INTO web_user_sites (user_id, site_id) VALUES (?, ?)", [user_id, site_id])
    return user_id


def set_password(db: Database, username: str, password: str, now: datetime) -> None:
    hashed = _password_hash(password)
    if db.conn.execute("UPDATE web_users SET password_hash = ?, updated_at = ? WHERE username = ?",
                       [hashed, iso(now), username]).rowcount != 1:
        raise RecordError(f"没有用户「{username}」")
    end_sessions(db, find_user(db, username)["id"])


def set_active(db: Database, username: str, active: bool, now: datetime) -> None:
    user = find_user(db, username)
    if user is None:
        raise RecordError(f"没有用户「{username}」")
    db.conn.execute("UPDATE web_users SET active = ?, updated_at = ? WHERE id = ?", [int(active), iso(now), user["id"]])
    if not active:
        end_sessions(db, user["id"])


def find_user(db: Database, username: str) -> dict | None:
    return first(db, "SELECT * FROM web_users WHERE username = ?", [(username or "").strip()])


def get_user(db: Database, user_id: int) -> dict | None:
    return first(db, "SELECT * FROM web_users WHERE id = ?", [user_id])


def list_users(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM web_users ORDER BY id"))


def check_password(db: Database, username: str, password: str) -> dict | None:
    """The active account with this name and password, or None."""
    user = find_user(db, username)
    if user is None or not user["active"]:
        check_password_hash(_dummy_hash(), password or "")
        return None
    return user if check_password_hash(user["password_hash"], password or "") else None


def visible_site_ids(db: Database, user: dict) -> list[int] | None:
    """The sites the account may see; None means every site."""
    if user["role"] in ALL_SITES_ROLES:
        return None
    if user["role"] == "supervisor":
        return site_ids_of_township(db, user["township"] or "")
    own = [r[0] for r in db.conn.execute("SELECT site_id FROM web_user_sites WHERE user_id = ? ORDER BY site_id",
                                         [user["id"]])]
    if not own and user["person_id"]:
        person = first(db, "SELECT site_id FROM people WHERE id = ?", [user["person_id"]])
        own = [person["site_id"]] if person and person["site_id"] else []
    return own


# ---------------------------------------------------------------- sessions

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Database, user_id: int, now: datetime, lifetime: timedelta) -> str:
    """A new session; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with transaction(db):
        db.conn.execute("DELETE FROM web_sessions WHERE expires_at <= ?", [iso(now)])
        db.conn.execute("INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [_digest(token), user_id, secrets.token_urlsafe(32), iso(now), iso(now + lifetime)])
        db.conn.execute("UPDATE web_users SET last_login_at = ? WHERE id = ?", [iso(now), user_id])
    return token


def session_of(db: Database, token: str | None, now: datetime) -> tuple[dict, str] | None:
    """(account, CSRF token) of a live session of an active account, or None."""
    if not token:
        return None
    row = first(db, "SELECT s.csrf_token, s.user_id FROM web_sessions s JOIN web_users u ON u.id = s.user_id"
                    " WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1", [_digest(token), iso(now)])
    return (get_user(db, row["user_id"]), row["csrf_token"]) if row else None


def end_session(db: Database, token: str | None) -> None:
    if token:
        db.conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", [_digest(token)])


def end_sessions(db: Database, user_id: int) -> None:
    db.conn.execute("DELETE FROM web_sessions WHERE user_id = ?", [user_id])


# ---------------------------------------------------------------- failed logins

def note_failure(db: Database, username: str, ip: str, now: datetime) -> None:
    db.conn.execute("INSERT INTO web_login_failures (username, ip, at) VALUES (?, ?, ?)",
                    [(username or "")[:64], ip, iso(now)])


def failure_counts(db: Database, username: str, ip: str, now: datetime, window: timedelta) -> tuple[int, int]:
    """Failed logins within the window: (for this username, from this address)."""
    since = iso(now - window)
    by_name = db.conn.execute("SELECT COUNT(*) FROM web_login_failures WHERE username = ? AND at > ?",
                              [(username or "")[:64], since]).fetchone()[0]
    by_ip = db.conn.execute("SELECT COUNT(*) FROM web_login_failures WHERE ip = ? AND at > ?",
                            [ip, since]).fetchone()[0]
    return by_name, by_ip


def clear_failures(db: Database, username: str) -> None:
    """After a successful login; failures counted by address stay, so one good account cannot reset them."""
    db.conn.execute("DELETE FROM web_login_failures WHERE username = ?", [username])
