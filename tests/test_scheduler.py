"""The scheduler: fixed jobs, catch-up of missed slots (once each), and the jobs themselves."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import jobs
from bot.scheduler import Coordinator, JobSpec, PushScheduler, job_specs, latest_slot, start_in_process
from data import lease, outbox, people
from data.clock import iso, utcnow

NINGXIA = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def env(env, fake, tmp_path):
    return {**env, "WECHAT_API_BASE": fake.base_url, "LAOXIAO_BACKUP_DIR": str(tmp_path / "backups"),
            "LAOXIAO_BACKUP_KEEP": "3"}


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def director(db, person):
    li = person("d-liming", "director", "沈闸村", "李明")
    now = iso(utcnow())
    db.conn.execute("INSERT INTO recipients (kind, name, site_id, responsible_id, ongoing_care, created_at,"
                    " updated_at) VALUES ('child', '王小明', ?, ?, 1, ?, ?)", [li["site_id"], li["id"], now, now])
    return li


def runs(db) -> dict[str, int]:
    return {row["job_id"]: row["runs"] for row in lease.job_runs(db)}


def test_jobs_have_fixed_ids_coalesce_and_a_misfire_grace(settings):
    scheduler = PushScheduler(settings)
    declared = {job.id: job for job in scheduler.scheduler.get_jobs()}
    assert set(declared) == {"reminders", "backup", "escalation", "outbox", "checkpoint", "lease"}
    for job in declared.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time and job.misfire_grace_time >= 1
    assert declared["outbox"].trigger.interval == timedelta(seconds=10)
    assert {s.id for s in job_specs(settings) if s.catch_up} == {"reminders", "backup"}


def test_a_fresh_install_has_missed_nothing(db, settings, director):
    clock = Clock(datetime(2026, 11, 15, 10, 0, tzinfo=NINGXIA))  # an hour after the 15th's reminders
    coordinator = Coordinator(settings, clock=clock)
    assert coordinator.heartbeat()
    assert runs(db) == {"reminders": 0, "backup": 0}
    assert outbox.rows(db) == []


def test_three_days_down_each_missed_job_runs_once(db, settings, director, tmp_path):
    clock = Clock(datetime(2026, 11, 13, 10, 0, tzinfo=NINGXIA))
    first = Coordinator(settings, clock=clock)
    assert first.heartbeat()
    clock.now = datetime(2026, 11, 14, 2, 59, 50, tzinfo=NINGXIA)
    assert first.heartbeat()
    clock.now = datetime(2026, 11, 14, 3, 0, 2, tzinfo=NINGXIA)
    assert first.run("backup")  # the night of the 14th, on time
    # ... and then the machine is off from the 14th to the 17th: no release, the lease just lapses.
    clock.now = datetime(2026, 11, 17, 10, 0, tzinfo=NINGXIA)
    second = Coordinator(settings, clock=clock)
    assert second.heartbeat()  # takes the stale lease and catches up
    assert runs(db) == {"reminders": 1, "backup": 2}
    assert [r["key"] for r in outbox.rows(db)] == [f"reminder:2026-11-15:{director['id']}"]
    assert len(list((tmp_path / "backups").iterdir())) == 2
    assert lease.job_run(db, "backup")["last_slot"] == "2026-11-16T19:00:00Z"  # the 17th, 03:00 local

    assert second.catch_up() == []  # nothing left to catch up
    assert runs(db) == {"reminders": 1, "backup": 2}


def test_on_time_runs_are_once_per_slot_even_with_two_acting_processes(db, settings, director):
    clock = Clock(datetime(2026, 11, 24, 12, 0, tzinfo=NINGXIA))
    one, two = Coordinator(settings, clock=clock), Coordinator(settings, clock=clock)
    assert one.heartbeat()
    clock.now = datetime(2026, 11, 25, 8, 59, 50, tzinfo=NINGXIA)
    assert one.heartbeat()
    two.leader_until = clock.now + timedelta(hours=1)  # as if it wrongly believed it led too
    clock.now = datetime(2026, 11, 25, 9, 0, 0, 5000, tzinfo=NINGXIA)
    assert one.run("reminders") is not None
    assert two.run("reminders") is None
    assert runs(db)["reminders"] == 1 and len(outbox.rows(db)) == 1


def test_a_standby_does_nothing(db, settings, director):
    clock = Clock(datetime(2026, 11, 24, 12, 0, tzinfo=NINGXIA))
    leader, standby = Coordinator(settings, clock=clock), Coordinator(settings, clock=clock)
    assert leader.heartbeat() and not standby.heartbeat()
    clock.now = datetime(2026, 11, 25, 8, 59, 50, tzinfo=NINGXIA)
    assert leader.heartbeat() and not standby.heartbeat()
    clock.now = datetime(2026, 11, 25, 9, 0, 1, tzinfo=NINGXIA)
    assert standby.run("reminders") is None and standby.run("outbox") is None
    assert runs(db)["reminders"] == 0
    assert leader.run("reminders") is not None


def test_a_failed_job_is_caught_up_at_the_next_start(db, settings):
    clock = Clock(datetime(2026, 11, 24, 12, 0, tzinfo=NINGXIA))
    calls = []

    def flaky(db, settings, now, slot):
        calls.append(slot)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return "ok"

    spec = JobSpec("flaky", flaky, job_specs(settings)[1].trigger, True, 60)
    coordinator = Coordinator(settings, specs=[spec], clock=clock)
    coordinator.heartbeat()
    clock.now = datetime(2026, 11, 25, 2, 59, 50, tzinfo=NINGXIA)
    coordinator.heartbeat()
    clock.now = datetime(2026, 11, 25, 3, 0, 1, tzinfo=NINGXIA)
    assert coordinator.run("flaky") is None
    assert lease.job_run(db, "flaky")["status"] == "failed"
    restarted = Coordinator(settings, specs=[spec], clock=clock)
    coordinator.release()
    assert restarted.heartbeat()
    assert lease.job_run(db, "flaky")["status"] == "ok" and len(calls) == 2 and calls[0] == calls[1]


def test_latest_slot_of_the_reminder_trigger(settings):
    trigger = job_specs(settings)[0].trigger
    now = datetime(2026, 12, 3, 8, 0, tzinfo=NINGXIA)
    assert latest_slot(trigger, now, None) == datetime(2026, 12, 1, 9, 0, tzinfo=NINGXIA)
    assert latest_slot(trigger, now, datetime(2026, 12, 1, 9, 0, tzinfo=NINGXIA)) is None


def test_in_process_scheduler_sends_queued_messages(db, env, person, fake):
    from bot.config import load_settings

    settings = load_settings(env={**env, "LAOXIAO_SENDER_INTERVAL": "1"}, dotenv=False)
    person("w-mali", "worker", "怡园社区", "马丽")
    people.note_inbound(db, "w-mali", utcnow())
    outbox.enqueue(db, "hello", "w-mali", "text", "进程内发送", utcnow())
    running = start_in_process(settings)
    try:
        deadline = time.monotonic() + 20
        while not fake.sent and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        running.stop()
    assert fake.texts_to("w-mali") == ["进程内发送"]
    assert lease.current(db, "scheduler") is None  # released on stop: a standby takes over at once


def test_backup_is_a_real_database_and_only_the_last_few_are_kept(db, settings, tmp_path, runner):
    from bot.cli import cli

    people.ensure_person(db, "o-backup", utcnow())
    start = datetime(2026, 11, 20, 3, 0, tzinfo=NINGXIA)
    for day in range(5):
        jobs.backup_database(settings.db_path, settings.backup_dir, settings.backup_keep, start + timedelta(days=day))
    kept = sorted(p.name for p in settings.backup_dir.iterdir())
    assert kept == ["laoxiao-20261121T190000Z.db", "laoxiao-20261122T190000Z.db", "laoxiao-20261123T190000Z.db"]
    copy = sqlite3.connect(settings.backup_dir / kept[-1])
    assert copy.execute("SELECT COUNT(*) FROM people WHERE openid = 'o-backup'").fetchone() == (1,)
    copy.close()
    result = runner.invoke(cli, ["backup"])
    assert result.exit_code == 0 and "已备份到" in result.output


def test_escalation_job_calls_the_help_request_escalation(db, settings):
    pytest.importorskip("flows.escalation")
    assert jobs.run_escalation(db, settings, utcnow(), utcnow()).startswith("0 escalation reminders queued")


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs, not even the scheduler's own bookkeeping."""


def test_a_scheduler_killed_during_the_reminders_run_loses_none_of_them(db, settings, director):
    clock = Clock(datetime(2026, 11, 14, 12, 0, tzinfo=NINGXIA))

    def dies_midway(db, settings, now, slot):
        raise Killed()

    specs = [JobSpec("reminders", dies_midway, job_specs(settings)[0].trigger, True, 60)]
    first = Coordinator(settings, specs=specs, clock=clock, lease_seconds=60)
    assert first.heartbeat()
    clock.now = datetime(2026, 11, 15, 8, 59, 30, tzinfo=NINGXIA)
    assert first.heartbeat()
    clock.now = datetime(2026, 11, 15, 9, 0, 1, tzinfo=NINGXIA)
    with pytest.raises(Killed):
        first.run("reminders")
    assert outbox.rows(db) == []
    # A restart (or the standby) a minute later, once the dead holder's lease has lapsed: the slot runs again.
    clock.now = datetime(2026, 11, 15, 9, 1, 30, tzinfo=NINGXIA)
    second = Coordinator(settings, clock=clock, lease_seconds=60)
    assert second.heartbeat()
    assert [r["key"] for r in outbox.rows(db)] == [f"reminder:2026-11-15:{director['id']}"]
    assert lease.job_run(db, "reminders")["status"] == "ok"
    assert second.catch_up() == []  # and only once


def test_a_job_still_running_under_a_live_lease_is_not_run_twice(db, settings, director):
    clock = Clock(datetime(2026, 11, 14, 12, 0, tzinfo=NINGXIA))
    first = Coordinator(settings, clock=clock, lease_seconds=60)
    assert first.heartbeat()
    clock.now = datetime(2026, 11, 15, 8, 59, 30, tzinfo=NINGXIA)
    assert first.heartbeat()
    clock.now = datetime(2026, 11, 15, 9, 0, 1, tzinfo=NINGXIA)
    slot = datetime(2026, 11, 15, 9, 0, tzinfo=NINGXIA)
    assert lease.claim_slot(db, "reminders", slot, first.holder, clock.now)  # first is busy with it
    second = Coordinator(settings, clock=clock, lease_seconds=60)
    second.leader_until = clock.now + timedelta(minutes=1)  # as if it wrongly believed it led
    assert second.run("reminders") is None and outbox.rows(db) == []
