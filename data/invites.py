"""One-time binding codes that give a person a role. Only a hash of each code is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from data.clock import iso, parse_iso
from data.db import first

INVITE_DAYS = 7
# No 0/O, 1/I/L: codes are read aloud and typed on old phones.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_FAILURES_PER_HOUR = 5
# Across every OpenID: 200 new OpenIDs guessing 5 codes each is still only this many guesses a minute
# (28,800 a day against 31^8 possible codes), and an admin hears of it.
GLOBAL_FAILURES_PER_MINUTE = 20


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def create_invite(db: Database, role: str, site_id: int | None, name: str | None, now: datetime) -> str:
    code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    db.conn.execute(
        "INSERT INTO invites (code_hash, role, site_id, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        [_hash(code), role, site_id, name, iso(now), iso(now + timedelta(days=INVITE_DAYS))],
    )
    return code


def find_invite(db: Database, code: str) -> dict | None:
    return first(db, "SELECT * FROM invites WHERE code_hash = ?", [_hash(code)])


def invite_state(invite: dict | None, now: datetime) -> str:
    """'unknown', 'used', 'expired' or 'valid'."""
    if invite is None:
        return "unknown"
    if invite["used_at"]:
        return "used"
    if parse_iso(invite["expires_at"]) <= now:
        return "expired"
    return "valid"


def mark_used(db: Database, invite_id: int, person_id: int, now: datetime) -> bool:
    """False when someone else used it first."""
    cursor = db.conn.execute(
        "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
        [iso(now), person_id, invite_id],
    )
    return cursor.rowcount == 1


def record_failure(db: Database, openid: str, action: str, now: datetime) -> None:
    db.conn.execute("INSERT INTO attempts (openid, action, at) VALUES (?, ?, ?)", [openid, action, iso(now)])


def recent_failures(db: Database, openid: str, action: str, now: datetime) -> int:
    since = iso(now - timedelta(hours=1))
    row = db.conn.execute(
        "SELECT COUNT(*) FROM attempts WHERE openid = ? AND action = ? AND at > ?", [openid, action, since]
    ).fetchone()
    return row[0]


def recent_failures_everyone(db: Database, action: str, now: datetime) -> int:
    row = db.conn.execute("SELECT COUNT(*) FROM attempts WHERE action = ? AND at > ?",
                          [action, iso(now - timedelta(minutes=1))]).fetchone()
    return row[0]


def alert_admins_of_guessing(db: Database, now: datetime) -> int:
    """Tell the admins that binding codes are being guessed, once per minute of it; returns how many were told."""
    from data import outbox, people

    minute = now.strftime("%Y%m%dT%H%M")
    text = (f"【安全提醒】最近一分钟有{GLOBAL_FAILURES_PER_MINUTE}次以上绑定码错误，可能有人在猜绑定码。"
            "绑定已暂停一分钟后自动恢复；如持续出现，请检查是否有绑定码外泄。")
    return sum(outbox.enqueue(db, f"alert:bind-guessing:{minute}:{admin['id']}", admin["openid"], "alert", text, now)
               for admin in people.admins(db))
