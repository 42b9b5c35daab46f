"""Logging in and out, the session cookie, and the CSRF check every form goes through.

- The session cookie holds a random token (data.web_users keeps only its hash), HttpOnly, SameSite=Lax, limited
  to /admin, Secure behind HTTPS; it lasts LAOXIAO_WEB_SESSION_HOURS.
- Every POST carries `csrf_token`: the session's token once logged in; before that (the login form) a random
  token also set as a cookie (double submit). A POST without the right token is refused with 400.
- Failed logins are slowed: after `MAX_FAILURES` for one username (or `MAX_FAILURES_PER_ADDRESS` from one address)
  within `FAILURE_WINDOW`, logins are refused with 429 until the window has passed.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot.storage import get_db
from data import audit, web_users
from data.clock import utcnow

SESSION_COOKIE = "laoxiao_admin"
LOGIN_COOKIE = "laoxiao_login"
COOKIE_PATH = "/admin"
MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 30
FAILURE_WINDOW = timedelta(minutes=15)
OPEN_ENDPOINTS = ("admin.login",)


def client_address() -> str:
    """nginx (deploy/) sets X-Real-IP; without a proxy, the peer's address."""
    return request.headers.get("X-Real-IP") or request.remote_addr or "?"


def _secure() -> bool:
    return request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"


def _same(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def load_session() -> Response | None:
    """Before every dashboard request: who is logged in, and the CSRF check of a POST."""
    g.user = None
    found = web_users.session_of(get_db(), request.cookies.get(SESSION_COOKIE), utcnow())
    if found:
        g.user, g.csrf = found
    if request.endpoint in OPEN_ENDPOINTS:
        if request.method == "POST" and not _same(request.form.get("csrf_token"), request.cookies.get(LOGIN_COOKIE)):
            return _refused()
        return None
    if g.user is None:
        if request.method == "POST":
            return _refused()
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    if request.method == "POST" and not _same(request.form.get("csrf_token"), g.csrf):
        return _refused()
    return None


def _refused() -> tuple[str, int]:
    return render_template("admin/message.html", title="请求被拒绝",
                           message="表单已过期或来源不明。请回到页面刷新后重试。"), 400


def _safe_next(target: str | None) -> str:
    """Only a path inside the dashboard: never an open redirect to another site."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith(COOKIE_PATH):
        return url_for("admin.overview")
    return target


def login() -> Response | tuple[str, int] | str:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    next_page = request.values.get("next", "")
    if request.method == "GET":
        return _login_page(token, next_page, "", 200)
    db, now = get_db(), utcnow()
    username = (request.form.get("username") or "").strip()[:64]
    address = client_address()
    by_name, by_address = web_users.failure_counts(db, username, address, now, FAILURE_WINDOW)
    if by_name >= MAX_FAILURES or by_address >= MAX_FAILURES_PER_ADDRESS:
        return _login_page(token, next_page, "尝试次数太多，请15分钟后再试。", 429)
    user = web_users.check_password(db, username, request.form.get("password") or "")
    if user is None:
        web_users.note_failure(db, username, address, now)
        return _login_page(token, next_page, "用户名或密码不对。", 401)
    web_users.clear_failures(db, username)
    hours = current_app.config["LAOXIAO"].web_session_hours
    session = web_users.start_session(db, user["id"], now, timedelta(hours=hours))
    audit.record(db, now, f"web:{user['username']}", "web_login", f"web_user:{user['id']}", None)
    response = redirect(_safe_next(next_page))
    response.set_cookie(SESSION_COOKIE, session, max_age=hours * 3600, path=COOKIE_PATH, httponly=True,
                        samesite="Lax", secure=_secure())
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    return response


def _login_page(token: str, next_page: str, error: str, status: int) -> Response:
    response = current_app.make_response(
        (render_template("admin/login.html", csrf_token=token, next_page=next_page, error=error), status))
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, path=COOKIE_PATH, httponly=True, samesite="Lax",
                        secure=_secure())
    return response


def logout() -> Response:
    web_users.end_session(get_db(), request.cookies.get(SESSION_COOKIE))
    response = redirect(url_for("admin.login"))
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


def actor():
    """The logged-in account as the author of a record or a handled mark."""
    from data.record_rules import Actor

    return Actor(person_id=g.user["person_id"], user_id=g.user["id"], label=f"web:{g.user['username']}")
