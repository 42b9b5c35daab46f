"""The dashboard's locks, through real HTTP requests: logging in, slowed guessing, CSRF, who sees which site, and
the bureau and evaluator never seeing a phone or an ID number."""

from __future__ import annotations

import pytest

from data import audit, web_users
from tests.dashboard_world import GUARDIAN_PHONE, ID_TAIL, PHONE, csrf_of, login, seed_dashboard
from tests.report_world import NOW


@pytest.fixture
def world(db, person, clock):
    return seed_dashboard(db, person)


def test_pages_need_a_login_and_forms_need_one_too(client, world):
    response = client.get("/admin/recipients")
    assert response.status_code == 302 and "/admin/login?next=/admin/recipients" in response.headers["Location"]
    assert client.post("/admin/protection/1/handle", data={"note": "x"}).status_code == 400


def test_pages_are_never_cached_or_framed(client, world):
    login(client, "admin")
    response = client.get(f"/admin/recipients/{world['ids']['王小明']}")
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none': no script at all


def test_login_sets_a_locked_down_cookie_and_logout_ends_the_session(client, world):
    response = login(client, "admin")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("laoxiao_admin="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert client.get("/admin/").status_code == 200
    token = csrf_of(client)
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_wrong_passwords_are_slowed_then_refused(client, world, db):
    for _ in range(5):
        response = login(client, "admin", "guess-guess")
        assert response.status_code == 401 and "用户名或密码不对" in response.get_data(as_text=True)
    refused = login(client, "admin")  # even the right password, for a while
    assert refused.status_code == 429 and "15分钟后再试" in refused.get_data(as_text=True)
    assert login(client, "mali").status_code == 302  # another account is not locked out
    assert db.execute("SELECT COUNT(*) FROM web_sessions").fetchone()[0] == 1


def test_an_unknown_user_and_a_disabled_account_cannot_log_in(client, world, db):
    assert login(client, "nobody").status_code == 401
    login(client, "mali")
    web_users.set_active(db, "mali", False, NOW)
    assert client.get("/admin/").status_code == 302  # the session ended with the account
    assert login(client, "mali").status_code == 401


def test_login_never_redirects_to_another_site(client, world):
    client.get("/admin/login")
    token = client.get_cookie("laoxiao_login", path="/admin").value
    response = client.post("/admin/login", data={"username": "admin", "password": "correct-horse-9",
                                                 "csrf_token": token, "next": "https://evil.example/admin"})
    assert response.headers["Location"] == "/admin/"


def test_a_form_without_the_right_csrf_token_is_refused_and_nothing_changes(client, world, db):
    login(client, "yangfan")
    for data in ({"note": "已处置"}, {"note": "已处置", "csrf_token": "forged"}):
        response = client.post("/admin/protection/2/handle", data=data)
        assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    assert db.execute("SELECT handled_at FROM protection_reports WHERE id = 2").fetchone()[0] is None
    token = csrf_of(client, "/admin/", "/admin/protection/2/handle")
    response = client.post("/admin/protection/2/handle", data={"note": "已报派出所", "csrf_token": token})
    assert response.status_code == 302
    handled = db.execute("SELECT handled_at, handled_by, handled_by_user, handled_note FROM protection_reports"
                         " WHERE id = 2").fetchone()
    assert handled[0] and handled[1] == world["yang"]["id"] and handled[3] == "已报派出所"


def test_a_login_form_without_its_token_is_refused(client, world):
    response = client.post("/admin/login", data={"username": "admin", "password": "correct-horse-9"})
    assert response.status_code == 400


def test_a_worker_sees_only_their_own_sites(client, world):
    login(client, "mali")  # 怡园社区
    assert client.get(f"/admin/recipients/{world['ids']['王秀兰']}").status_code == 200
    assert client.get(f"/admin/recipients/{world['ids']['王小明']}").status_code == 404  # 沈闸村
    listing = client.get("/admin/recipients").get_data(as_text=True)
    assert "王秀兰" in listing and "王小明" not in listing
    assert client.get("/admin/cases/1").status_code == 404  # 王小明's case
    token = csrf_of(client)
    assert client.post("/admin/protection/2/handle", data={"note": "x", "csrf_token": token}).status_code == 404
    assert client.get("/admin/outbox").status_code == 403
    assert client.get("/admin/reports/download?format=json&site=2").status_code == 404


def test_a_supervisor_sees_the_villages_of_the_township(client, world):
    login(client, "dudao")  # 峡口镇: 沈闸村 and 马家湾村
    listing = client.get("/admin/recipients").get_data(as_text=True)
    assert "王小明" in listing and "马小明" in listing and "王秀兰" not in listing
    assert client.get(f"/admin/recipients/{world['ids']['王秀兰']}").status_code == 404
    token = csrf_of(client, "/admin/", "/admin/protection/2/handle")
    created = client.post("/admin/cases", data={"recipient_id": world["ids"]["马小明"], "day": "2026-11-20",
                                                "note": "接案", "csrf_token": token})
    assert created.status_code == 403  # supervisors read and mark handled; they do not write records
    assert client.post("/admin/protection/2/handle", data={"note": "已核实", "csrf_token": token}).status_code == 302


@pytest.mark.parametrize("username", ["minzhengju", "pinggu"])
def test_the_bureau_and_the_evaluator_read_everything_but_phones_and_id_numbers(client, world, username):
    login(client, username)
    pages = ["/admin/", "/admin/recipients", f"/admin/recipients/{world['ids']['王小明']}", "/admin/requests",
             "/admin/cases", "/admin/cases/1", "/admin/events", "/admin/volunteers", "/admin/reports",
             "/admin/reports/download?format=md&month=2026-10", "/admin/reports/download?format=json&month=2026-10"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        text = response.get_data(as_text=True)
        for secret in (PHONE, GUARDIAN_PHONE, "1391", "1362", "5678", "1456", ID_TAIL):
            assert secret not in text, (page, secret)
    timeline = client.get(f"/admin/recipients/{world['ids']['王小明']}").get_data(as_text=True)
    assert "王德福" in timeline and "（不显示）" in timeline
    token = csrf_of(client)
    assert client.post("/admin/protection/2/handle", data={"note": "x", "csrf_token": token}).status_code == 403
    assert client.post("/admin/reports/submit", data={"project": "child", "month": "2026-10", "kind": "summary",
                                                      "csrf_token": token}).status_code == 403


def test_staff_see_the_contacts_they_must_call(client, world):
    login(client, "yangfan")
    timeline = client.get(f"/admin/recipients/{world['ids']['王小明']}").get_data(as_text=True)
    assert PHONE in timeline and GUARDIAN_PHONE in timeline and ID_TAIL in timeline
    assert "**************081X" in timeline  # never more of an ID number than its tail


def test_reading_a_timeline_is_audited(client, world, db):
    login(client, "minzhengju")
    client.get(f"/admin/recipients/{world['ids']['王小明']}")
    [entry] = audit.entries(db, f"recipient:{world['ids']['王小明']}")
    assert entry["actor"] == "web:minzhengju" and entry["action"] == "recipient_view"


def test_a_worker_records_a_case_and_a_bad_date_writes_nothing(client, world, db):
    login(client, "yangfan")
    token = csrf_of(client, "/admin/cases", "/admin/cases")
    bad = client.post("/admin/cases", data={"recipient_id": world["ids"]["马小龙"], "day": "2026-12-01",
                                            "note": "新发现", "csrf_token": token})
    assert bad.status_code == 400 and "接案日期不能晚于今天" in bad.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM cases WHERE recipient_id = ?", [world["ids"]["马小龙"]]).fetchone()[0] == 0
    made = client.post("/admin/cases", data={"recipient_id": world["ids"]["马小龙"], "day": "2026-11-20",
                                             "note": "新发现", "source": "外展发现", "csrf_token": token})
    assert made.status_code == 302
    case_id = db.execute("SELECT id FROM cases WHERE recipient_id = ?", [world["ids"]["马小龙"]]).fetchone()[0]
    note = client.post(f"/admin/cases/{case_id}/notes", data={"stage": "预估", "day": "2026-11-20",
                                                             "note": "家里只有奶奶", "csrf_token": token})
    assert note.status_code == 302
    row = db.execute("SELECT stage, person_id, user_id FROM case_notes WHERE case_id = ? ORDER BY id DESC",
                     [case_id]).fetchone()
    assert row[0] == "预估" and row[1] == world["yang"]["id"] and row[2] is not None
    page = client.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    assert "家里只有奶奶" in page and "杨帆" in page


def test_malformed_addresses_answer_400_not_500(client, world):
    login(client, "admin")
    assert client.get("/admin/?month=2026-13").status_code == 400
    assert client.get("/admin/reports/download?format=pdf").status_code == 400
    assert client.get("/admin/recipients?site=abc").status_code == 400
    assert client.get("/admin/recipients/999999").status_code == 404
    assert client.get("/admin/reports?from=2026-10-31&to=2026-10-01").status_code == 400
    assert client.get("/admin/reports?site=99").status_code == 404
    assert client.get("/admin/recipients?site=99").status_code == 404
    token = csrf_of(client, "/admin/teams", "/admin/surveys")
    assert client.post("/admin/surveys", data={"project": "adult", "csrf_token": token}).status_code == 400


def test_the_demo_prints_its_logins_and_fills_the_dashboard(runner, client, db):
    from bot.cli import cli
    from data.demo_web import PASSWORD

    result = runner.invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "/admin" in result.output and PASSWORD in result.output and "minzhengju" in result.output
    counts = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("cases", "events", "web_users")]
    assert runner.invoke(cli, ["demo", "--no-serve"]).exit_code == 0  # twice: nothing doubled
    assert [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("cases", "events", "web_users")] == counts
    assert counts == [4, 2, 6]
    for username in ("admin", "mali", "yangfan", "dudao", "minzhengju", "pinggu"):
        assert login(client, username, PASSWORD).status_code == 302, username
    assert "在办个案" in client.get("/admin/").get_data(as_text=True)  # the last login: the evaluator
    assert "冬季防煤气中毒讲座" in client.get("/admin/events").get_data(as_text=True)
    assert "快乐成长" in client.get("/admin/groups").get_data(as_text=True)


def test_accounts_from_the_command_line(runner, client, db, person):
    from bot.cli import cli

    person("w-mali", "worker", "怡园社区", "马丽")
    added = runner.invoke(cli, ["user", "add", "--web", "mali", "--role", "worker", "--person", "马丽",
                                "--password-stdin"], input="long-enough-1\n")
    assert added.exit_code == 0, added.output
    assert login(client, "mali", "long-enough-1").status_code == 302
    assert client.get("/admin/recipients").status_code == 200  # 怡园社区, from the linked WeChat identity
    for args, says in ((["--web", "mali", "--role", "bureau"], "已存在"),
                       (["--web", "yf", "--role", "worker"], "需要指定站点"),
                       (["--web", "dd", "--role", "supervisor", "--township", "火星镇"], "镇/街道"),
                       (["--web", "short", "--role", "bureau"], "至少8位")):
        refused = runner.invoke(cli, ["user", "add", *args, "--password-stdin"], input="short\n" if
                                args[1] == "short" else "long-enough-2\n")
        assert refused.exit_code != 0 and says in refused.output, args
    listing = runner.invoke(cli, ["user", "list"]).output
    assert "mali\t马丽\t社工\t怡园社区" in listing
    assert runner.invoke(cli, ["user", "passwd", "mali", "--password-stdin"], input="another-one-2\n").exit_code == 0
    assert client.get("/admin/").status_code == 302  # a new password ends the sessions
    assert login(client, "mali", "another-one-2").status_code == 302
    assert runner.invoke(cli, ["user", "disable", "mali"]).exit_code == 0
    assert client.get("/admin/").status_code == 302
    assert "（已停用）" in runner.invoke(cli, ["user", "list"]).output


def test_a_new_village_joins_its_townships_supervisor(runner, client, person):
    from bot.cli import cli

    assert runner.invoke(cli, ["site", "add", "小坝村", "--project", "child", "--township", "峡口镇"]).exit_code == 0
    assert "小坝村\t儿童项目\t峡口镇" in runner.invoke(cli, ["site", "list"]).output
    added = runner.invoke(cli, ["user", "add", "--web", "dudao", "--role", "supervisor", "--township", "峡口镇",
                                "--password-stdin"], input="long-enough-1\n")
    assert added.exit_code == 0, added.output
    assert "dudao\t" in runner.invoke(cli, ["user", "list"]).output
    assert "峡口镇：沈闸村、小坝村" in runner.invoke(cli, ["user", "list"]).output
