"""kill -9 of `laoxiao scheduler` while the reminders job runs: the slot is not counted as done, the restarted
scheduler (or the standby) runs it again, and every reminder due is queued and sent exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

from bot.config import load_settings
from bot.jobs import reminder_messages
from bot.scheduler import job_specs, latest_slot
from data import delivery, lease, open_db, outbox
from data.clock import utcnow
from tests.conftest import make_person
from tests.stress.conftest import scaled
from tests.test_lease import _wait_for
from tests.visit_world import add_recipient

STAFF = scaled(60, 400)
PER_STAFF = scaled(40, 60)
KILLS = scaled(1, 3)


def _roster(db) -> None:
    for n in range(STAFF):
        director = make_person(db, f"sched-{n}", "director", "沈闸村", f"主任{n}")
        for m in range(PER_STAFF):
            add_recipient(db, f"孩子{n}-{m}", director["site_id"], responsible=director)
        from data import people

        people.note_inbound(db, director["openid"], utcnow())


def _start(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot", "scheduler"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _wait(check, seconds: float = 60):
    return _wait_for(check, seconds, every=0.01)  # often enough to catch the job while it runs


def test_a_scheduler_killed_mid_reminders_loses_none_and_sends_each_once(stress_env, fake):
    # Reminders every day, so that the latest slot is today's (or yesterday's) 09:00 and was missed.
    stress_env = {**stress_env, "WECHAT_API_BASE": fake.base_url, "LAOXIAO_SCHEDULER_LEASE": "2",
                  "LAOXIAO_SENDER_INTERVAL": "1",
                  "LAOXIAO_REMINDER_DAYS": ",".join(str(d) for d in range(1, 29))}
    env = {**os.environ, **stress_env}
    settings = load_settings(env=stress_env, dotenv=False)
    db = open_db(settings.db_path)
    _roster(db)
    reminders_spec = next(s for s in job_specs(settings) if s.id == "reminders")
    slot = latest_slot(reminders_spec.trigger, utcnow(), None)
    # A slot missed while the service was down: the scheduler runs it as soon as it takes the lease.
    lease.baseline(db, "reminders", slot.replace(year=slot.year - 1))
    expected = {m.key for m in reminder_messages(db, slot.astimezone(settings.tz).date(), settings)}
    assert len(expected) >= STAFF * 0.9

    killed_running = 0
    for _ in range(KILLS):
        scheduler = _start(env)
        _wait(lambda: (lease.job_run(db, "reminders") or {}).get("status") in ("running", "ok"))
        if lease.job_run(db, "reminders")["status"] == "running":
            killed_running += 1
        scheduler.send_signal(signal.SIGKILL)
        scheduler.wait(timeout=30)
        if lease.job_run(db, "reminders")["status"] == "ok":
            break
        assert outbox.rows(db) == []  # killed mid-run: nothing half-queued
    survivor = _start(env)
    try:
        _wait(lambda: lease.job_run(db, "reminders")["status"] == "ok", 90)
        _wait(lambda: delivery.counts(db).get("sent", 0) >= len(expected), 90)
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.wait(timeout=30)
    assert killed_running >= 1, "the kill never landed while the job ran: make the roster bigger"
    assert {r["key"] for r in outbox.rows(db)} == expected  # none lost, none invented
    assert delivery.counts(db) == {"sent": len(expected)}
    received = Counter(m["openid"] for m in fake.sent)
    assert all(times == 1 for times in received.values()) and len(received) == len(expected)
