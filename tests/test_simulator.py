"""The demo's chat simulator, in a real browser."""

from __future__ import annotations

from data.clock import utcnow
from data.demo import seed_demo


def test_simulator_chats_as_a_demo_persona(browser, live_server, db):
    seed_demo(db, utcnow())
    page = browser.new_page()
    try:
        page.goto(live_server + "/")
        page.select_option("#persona", "demo-director")
        page.fill("#text", "帮助")
        page.press("#text", "Enter")
        reply = page.locator(".msg.bot").first
        reply.wait_for(timeout=10_000)
        assert "李明" in reply.inner_text() and "儿童主任" in reply.inner_text()
        page.fill("#text", "绑定")
        page.click("button[type=submit]")
        page.locator(".msg.bot").nth(1).wait_for(timeout=10_000)
        page.screenshot(path=str(db_path_dir(db) / "simulator.png"))
    finally:
        page.close()


def db_path_dir(db):
    from pathlib import Path

    return Path(db.execute("PRAGMA database_list").fetchone()[2]).parent


def test_simulator_is_not_served_outside_the_demo(settings):
    from bot.app import create_app

    client = create_app(settings).test_client()
    assert client.get("/simulator").status_code == 404
    assert client.post("/simulator/send", json={"openid": "demo-admin", "text": "帮助"}).status_code == 404


def test_simulator_refuses_bad_input(client):
    assert client.post("/simulator/send", json={"text": "帮助"}).status_code == 400
    assert client.post("/simulator/send", data="not json").status_code == 400
    assert client.post("/simulator/send", json={"openid": "x", "text": "长" * 3000}).status_code == 400


def test_a_request_in_the_simulator_reaches_the_team_lead_as_a_push(browser, live_server, db):
    seed_demo(db, utcnow())
    page = browser.new_page()
    try:
        page.goto(live_server + "/")
        page.select_option("#persona", "demo-family")
        for text in ("我妈一个人在家，饭都吃不上热的，能不能有人给送个饭", "张秀英，怡园社区5号楼3单元", "跳过", "1"):
            count = page.locator(".msg.bot").count()
            page.fill("#text", text)
            page.press("#text", "Enter")
            page.locator(".msg.bot").nth(count).wait_for(timeout=10_000)
        assert "已收到您的求助" in page.locator(".msg.bot").last.inner_text()
        page.select_option("#persona", "demo-lead")
        push = page.locator(".msg.push").first
        push.wait_for(timeout=10_000)
        assert "新求助" in push.inner_text() and "生活照料" in push.inner_text()
        page.screenshot(path=str(db_path_dir(db) / "simulator-push.png"))
    finally:
        page.close()
