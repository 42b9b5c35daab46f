"""/healthz for monitoring: the database, the scheduler's lease, the outbox backlog and stuck urgent messages."""

from __future__ import annotations

from datetime import timedelta

from data import delivery, lease, outbox, people
from data.clock import utcnow


def test_healthy_when_a_scheduler_holds_its_lease_and_nothing_waits(client, db):
    lease.acquire(db, "scheduler", "scheduler:host:1:abc", utcnow(), timedelta(seconds=60))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["checks"]["database"]["quick_check"] == "ok"
    assert body["checks"]["scheduler"]["holder"] == "scheduler:host:1:abc"
    assert body["checks"]["outbox"]["due"] == 0


def test_no_scheduler_is_unhealthy_and_says_so(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    scheduler = response.get_json()["checks"]["scheduler"]
    assert not scheduler["ok"] and "laoxiao scheduler" in scheduler["error"]


def test_a_lapsed_lease_and_an_old_backlog_are_unhealthy(client, db):
    lease.acquire(db, "scheduler", "scheduler:dead", utcnow() - timedelta(minutes=10), timedelta(seconds=60))
    for n in range(3):
        outbox.enqueue(db, f"late{n}", "o-late", "text", "等了很久", utcnow() - timedelta(minutes=20))
    checks = client.get("/healthz").get_json()["checks"]
    assert not checks["scheduler"]["ok"] and "lapsed" in checks["scheduler"]["error"]
    assert not checks["outbox"]["ok"] and checks["outbox"]["due"] == 3
    assert checks["outbox"]["oldest_due_seconds"] >= 20 * 60


def test_an_urgent_message_held_for_an_hour_is_unhealthy_ordinary_held_ones_are_not(client, db):
    lease.acquire(db, "scheduler", "scheduler:ok", utcnow(), timedelta(seconds=60))
    people.ensure_person(db, "o-held", utcnow())
    earlier = utcnow() - timedelta(hours=2)
    outbox.enqueue(db, "reminder:x", "o-held", "reminder", "提醒", earlier)
    for row in delivery.claim_due(db, earlier, "sender:t", 10):
        delivery.mark_held(db, row["id"], "sender:t", "outside the window", earlier)
    assert client.get("/healthz").status_code == 200
    held = client.get("/healthz").get_json()["checks"]["held"]
    assert held["held"] == 1 and held["held_reminders"] == 1
    outbox.enqueue(db, "protection:1:1", "o-held", "text", "【强制报告】", earlier, urgent=True)
    for row in delivery.claim_due(db, earlier, "sender:t", 10):
        delivery.mark_held(db, row["id"], "sender:t", "outside the window", earlier)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["checks"]["held"]["urgent_held_over_an_hour"] == 1
