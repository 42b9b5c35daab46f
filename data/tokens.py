"""The WeChat access token, shared through SQLite by every process that sends.

WeChat keeps one valid token per AppID: each fetch invalidates the previous one (after a short grace).
So tokens are fetched in one place (under the lease named by `refresh_lease`) and read by everyone here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from data.clock import iso, parse_iso

# Refresh a little before WeChat's expiry, so a token is never used in its last minutes.
EARLY = timedelta(minutes=5)


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime
    fetched_at: datetime

    def usable(self, now: datetime) -> bool:
        return now < self.expires_at - EARLY


def refresh_lease(appid: str) -> str:
    return f"wechat-token:{appid}"


def get(db: Database, appid: str) -> Token | None:
    rows = list(db.query("SELECT * FROM wechat_tokens WHERE appid = ?", [appid]))
    if not rows:
        return None
    row = rows[0]
    return Token(row["access_token"], parse_iso(row["expires_at"]), parse_iso(row["fetched_at"]))


def save(db: Database, appid: str, value: str, expires_in: int, now: datetime, holder: str | None) -> Token:
    expires_at = now + timedelta(seconds=int(expires_in))
    db.conn.execute(
        "INSERT INTO wechat_tokens (appid, access_token, expires_at, fetched_at, fetched_by) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(appid) DO UPDATE SET access_token = excluded.access_token,"
        "  expires_at = excluded.expires_at, fetched_at = excluded.fetched_at, fetched_by = excluded.fetched_by",
        [appid, value, iso(expires_at), iso(now), holder],
    )
    return Token(value, parse_iso(iso(expires_at)), parse_iso(iso(now)))


def discard(db: Database, appid: str, value: str) -> None:
    """Forget a token WeChat rejected, unless another process has already replaced it."""
    db.conn.execute("DELETE FROM wechat_tokens WHERE appid = ? AND access_token = ?", [appid, value])
