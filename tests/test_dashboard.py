"""The dashboard in real headless Chromium, on the seeded October 2026 (tests/dashboard_world.py)."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from data import report as reports
from data import visits
from tests.dashboard_world import GUARDIAN_PHONE, ID_TAIL, PASSWORD, PHONE, seed_dashboard
from tests.report_world import MONTH, NOW

WAIT = 10_000


@pytest.fixture
def world(db, person, clock):
    return seed_dashboard(db, person)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)  # a phone
    opened = context.new_page()
    opened.set_default_timeout(WAIT)
    yield opened
    context.close()


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/")
    assert "/admin/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/admin/")


def test_overview_figures_are_the_reports(page, live_server, world, db):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/?month={MONTH}")
    report = json.loads(json.dumps(reports.build(db, tz=ZoneInfo("Asia/Shanghai"),
                                                 **reports.window(db, month=MONTH))))

    def shown(key: str) -> str:
        return page.locator(f"#figures [data-key='{key}']").inner_text().strip()

    assert shown("visits.total") == str(report["visits"]["total"]) == "9"
    assert shown("visits.in_person") == str(report["visits"]["in_person"]) == "6"
    assert shown("visits.coverage") == "67%" and report["visits"]["coverage"] == 0.667
    assert shown("requests.total") == "4" and shown("requests.done") == "2"
    assert shown("cases.open") == str(report["cases"]["open"])
    assert shown("events.count") == str(report["events"]["count"])
    assert shown("volunteers.hours") == "12.5"
    assert shown("protection.open") == str(report["protection"]["open"])
    for row in report["indicators"]:
        cell = page.locator(f"#indicators tr[data-code='{row['project']}.{row['code']}'] [data-key='actual']")
        assert cell.inner_text() == str(row["actual"])
    assert page.locator("svg.chart rect.bar").count() >= 2  # the coverage chart, drawn on the server
    page.screenshot(path=str(_out(db) / "dashboard-overview.png"), full_page=True)


def test_filter_overdue_recipients_and_open_a_timeline(page, live_server, world, db):
    # Seen in person this month: 王小明 is no longer overdue; 李小明 (seen only in October) is.
    visits.add_visit(db, recipient_id=world["ids"]["王小明"], visitor_id=world["li"]["id"], visit_date="2026-11-18",
                     mode="上门", findings="在家写作业", now=NOW)
    log_in(page, live_server, "yangfan")
    page.click("nav >> text=服务对象")
    table = page.locator("#recipient-list")
    assert "王小明" in table.inner_text() and "李小明" in table.inner_text()
    page.check("input[name=overdue]")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**overdue=1**")
    assert "李小明" in table.inner_text() and "王小明" not in table.inner_text()
    assert "马雨涵" in table.inner_text()  # a video call closes no period
    page.uncheck("input[name=overdue]")
    page.click("#filters button[type=submit]")
    page.click("#recipient-list >> text=王小明")
    timeline = page.locator("#timeline")
    timeline.wait_for()
    text = timeline.inner_text()
    assert "在家写作业" in text and "介入" in text and "P2" in text  # a visit, a case note, the mandatory report
    assert page.locator("#details").inner_text().count(PHONE) == 1  # a worker sees the number to call
    page.screenshot(path=str(_out(db) / "dashboard-timeline.png"), full_page=True)


def test_mark_a_protection_report_handled(page, live_server, world, db):
    log_in(page, live_server, "yangfan")
    item = page.locator("#protection [data-id='2']")
    item.locator("input[name=note]").fill("已报告派出所，已上门核实")
    item.locator("button[type=submit]").click()
    page.locator(".notice").wait_for()
    assert "已标记为已处置" in page.locator(".notice").inner_text()
    assert page.locator("#protection [data-id='2']").count() == 0
    row = db.execute("SELECT handled_by, handled_note FROM protection_reports WHERE id = 2").fetchone()
    assert row == (world["yang"]["id"], "已报告派出所，已上门核实")


def test_download_a_report(page, live_server, world, db, tmp_path):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/reports?month={MONTH}")
    assert "月度工作总结 2026年10月" in page.locator("#report h2").inner_text()
    with page.expect_download() as download:
        page.click("#downloads a[data-format=xlsx]")
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames[:2] == ["指标进度", "走访覆盖"]
    assert list(book["走访覆盖"].values)[-1] == ("合计", 9, 6, 6, 4, "67%")
    page.screenshot(path=str(_out(db) / "dashboard-report.png"), full_page=True)


def test_a_worker_cannot_open_another_sites_recipient_by_changing_the_id(page, live_server, world):
    log_in(page, live_server, "mali")  # 怡园社区
    page.goto(f"{live_server}/admin/recipients/{world['ids']['王秀兰']}")
    assert "王秀兰" in page.locator("h1").inner_text()
    response = page.goto(f"{live_server}/admin/recipients/{world['ids']['王小明']}")  # 沈闸村
    assert response.status == 404
    assert "找不到" in page.locator("h1").inner_text() and "王小明" not in page.content()


def test_the_bureau_sees_no_phone_or_id_number(page, live_server, world):
    log_in(page, live_server, "minzhengju")
    for path in ("/admin/", "/admin/recipients", f"/admin/recipients/{world['ids']['王小明']}", "/admin/requests",
                 f"/admin/reports?month={MONTH}"):
        page.goto(live_server + path)
        text = page.content()
        for secret in (PHONE, GUARDIAN_PHONE, ID_TAIL, "1391", "1362"):
            assert secret not in text, (path, secret)
    page.goto(f"{live_server}/admin/recipients/{world['ids']['王小明']}")
    details = page.locator("#details").inner_text()
    assert "王德福" in details and "（不显示）" in details  # the guardian's name, not the number


def test_a_form_without_the_csrf_token_is_refused(page, live_server, world, db):
    log_in(page, live_server, "yangfan")
    item = page.locator("#protection [data-id='2']")
    item.locator("input[name=note]").fill("伪造的提交")
    item.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    item.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "表单已过期" in page.content()
    assert db.execute("SELECT handled_at FROM protection_reports WHERE id = 2").fetchone()[0] is None


def test_logout(page, live_server, world):
    log_in(page, live_server, "admin")
    page.click("text=退出登录")
    page.wait_for_url("**/admin/login")
    page.goto(live_server + "/admin/recipients")
    assert "/admin/login" in page.url and page.locator("input[name=password]").count() == 1


def _out(db):
    from pathlib import Path

    return Path(db.execute("PRAGMA database_list").fetchone()[2]).parent
