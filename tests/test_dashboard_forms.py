"""Every record form of the dashboard, posted with the token of the form itself, as a worker would fill it in:
the records land in the same tables the chat side writes, and a bad value writes nothing."""

from __future__ import annotations

import pytest

from tests.dashboard_world import csrf_of, login, seed_dashboard
from tests.report_world import NOW


@pytest.fixture
def worker(client, db, person, clock):
    world = seed_dashboard(db, person)
    login(client, "yangfan")  # 沈闸村
    return world


def post(client, page: str, action: str, data: dict):
    return client.post(action, data={**data, "csrf_token": csrf_of(client, page, action)})


def test_a_group_its_members_and_sessions(client, db, worker):
    made = post(client, "/admin/groups", "/admin/groups", {
        "name": "阳光伙伴", "type": "同伴支持", "site_id": worker["li"]["site_id"], "started_on": "2026-11-01",
        "planned_sessions": "6", "members": "王小明、李小明，马雨涵"})
    assert made.status_code == 302
    group_id = db.execute("SELECT id FROM work_groups WHERE name = '阳光伙伴'").fetchone()[0]
    page = f"/admin/groups/{group_id}"
    assert post(client, page, f"{page}/members", {"name": "丁浩然", "joined_on": "2026-11-05"}).status_code == 302
    assert post(client, page, f"{page}/sessions", {"day": "2026-11-08", "topic": "认识彼此", "attendance": "4",
                                                   "notes": "都来了"}).status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "丁浩然" in shown and "认识彼此" in shown
    assert db.execute("SELECT COUNT(*) FROM work_group_members WHERE group_id = ?", [group_id]).fetchone()[0] == 4
    bad = post(client, page, f"{page}/sessions", {"day": "2026-11-08", "topic": "再来", "attendance": "很多"})
    assert bad.status_code == 400 and "出席人数应为整数" in bad.get_data(as_text=True)
    other_site = post(client, "/admin/groups", "/admin/groups", {
        "name": "越界", "type": "增能", "site_id": worker["ma"]["site_id"], "started_on": "2026-11-01"})
    assert other_site.status_code == 404


def test_an_event_its_donations_and_volunteers(client, db, worker):
    made = post(client, "/admin/events", "/admin/events", {
        "title": "冬季安全讲座", "type": "专题讲座", "site_id": worker["li"]["site_id"], "day": "2026-11-15",
        "participants": "38", "partners": ["社区", "社工"], "summary": "讲防火"})
    assert made.status_code == 302
    event_id = db.execute("SELECT id FROM events WHERE title = '冬季安全讲座'").fetchone()[0]
    page = f"/admin/events/{event_id}"
    assert post(client, page, f"{page}/donations", {"donor": "县慈善协会", "kind": "goods", "amount": "300",
                                                    "description": "棉衣10件"}).status_code == 302
    assert post(client, page, f"{page}/hours", {"name": "刘芳", "hours": "2.5"}).status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "棉衣10件" in shown and "刘芳" in shown and "社区、社工" in shown
    row = db.execute("SELECT day, hours, site_id FROM volunteer_services WHERE event_id = ?", [event_id]).fetchone()
    assert row == ("2026-11-15", 2.5, worker["li"]["site_id"])


def test_volunteer_hours_for_a_request(client, db, worker):
    number = db.execute("SELECT number FROM requests WHERE category = '学业辅导' ORDER BY id LIMIT 1").fetchone()[0]
    saved = post(client, "/admin/volunteers", "/admin/volunteers",
                 {"name": "何老师", "day": "2026-11-19", "hours": "2", "request_number": number.lower()})
    assert saved.status_code == 302
    assert "何老师" in client.get("/admin/volunteers?month=2026-11").get_data(as_text=True)
    missing = post(client, "/admin/volunteers", "/admin/volunteers",
                   {"name": "何老师", "day": "2026-11-19", "hours": "2", "request_number": "R0101-99"})
    assert missing.status_code == 400 and "找不到求助" in missing.get_data(as_text=True)


def test_organisations_and_a_survey(client, db, worker):
    assert post(client, "/admin/teams", "/admin/organisations", {
        "name": "沈闸村妈妈互助会", "kind": "social_org", "project": "child", "site_id": worker["li"]["site_id"],
        "founded_on": "2026-11-10", "members": "12"}).status_code == 302
    assert post(client, "/admin/teams", "/admin/surveys", {
        "project": "child", "day": "2026-11-12", "method": "座谈会", "respondents": "15",
        "report_file": "座谈纪要.docx", "needs": "课后托管｜学业辅导｜4\n心理疏导"}).status_code == 302
    needs = list(db.query("SELECT need, category, target FROM survey_needs WHERE survey_id ="
                          " (SELECT id FROM needs_surveys WHERE method = '座谈会') ORDER BY id"))
    assert needs == [{"need": "课后托管", "category": "学业辅导", "target": 4},
                     {"need": "心理疏导", "category": None, "target": 1}]
    elder = post(client, "/admin/teams", "/admin/surveys", {"project": "elder", "day": "2026-11-12",
                                                             "method": "问卷", "needs": "助餐"})
    assert elder.status_code == 403  # 杨帆 works in the child project only


def test_recording_a_submission(client, db, worker):
    saved = post(client, "/admin/reports", "/admin/reports/submit", {
        "project": "child", "month": "2026-10", "kind": "summary", "submitted_on": "2026-10-30",
        "recipients": "民政局、第三方评估机构"})
    assert saved.status_code == 302
    page = client.get("/admin/reports?month=2026-10").get_data(as_text=True)
    assert "2026-10-30 交民政局、第三方评估机构" in page


def test_work_lists_close_a_ticket_and_follow_up_a_late_request(client, db, worker):
    from data import handoffs

    ticket = handoffs.open_ticket(db, worker["boss"]["id"], worker["li"]["site_id"], "asked",
                                  [{"at": "2026-11-19T02:00:00Z", "text": "想找社工"}], NOW)
    late = db.execute("SELECT id, number FROM requests WHERE status = 'accepted' AND site_id = ?",
                      [worker["li"]["site_id"]]).fetchone()
    overview = client.get("/admin/").get_data(as_text=True)
    assert f"T{ticket['id']}" in overview and late[1] in overview and "接单后超过7天未完成" in overview
    closed = post(client, "/admin/", f"/admin/tickets/{ticket['id']}/close", {})
    assert closed.status_code == 302 and "notice=closed" in closed.headers["Location"]
    assert db.execute("SELECT status, closed_by FROM handoffs WHERE id = ?", [ticket["id"]]).fetchone() == (
        "closed", worker["yang"]["id"])
    followed = post(client, "/admin/", f"/admin/requests/{late[0]}/follow-up", {"note": "电话催了何老师"})
    assert followed.status_code == 302
    after = client.get("/admin/").get_data(as_text=True)
    assert late[1] not in after and f"T{ticket['id']}" not in after
    event = db.execute("SELECT action, actor_id, note FROM request_events WHERE request_id = ? ORDER BY id DESC",
                       [late[0]]).fetchone()
    assert event == ("followed_up", worker["yang"]["id"], "电话催了何老师")
