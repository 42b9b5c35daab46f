"""Leases: one holder at a time, taken over when stale; and two real scheduler processes on one database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest

from data import connect, lease, outbox, people
from data.clock import utcnow
from tests.fake_wechat_api import FakeWeChat

MINUTE = timedelta(minutes=1)


def test_one_holder_until_the_lease_goes_stale(db):
    now = utcnow()
    assert lease.acquire(db, "scheduler", "A", now, MINUTE)
    assert not lease.acquire(db, "scheduler", "B", now + timedelta(seconds=30), MINUTE)
    assert lease.acquire(db, "scheduler", "A", now + timedelta(seconds=40), MINUTE)  # renewed
    assert not lease.acquire(db, "scheduler", "B", now + timedelta(seconds=90), MINUTE)
    assert lease.acquire(db, "scheduler", "B", now + timedelta(seconds=101), MINUTE)  # A stopped renewing
    assert not lease.acquire(db, "scheduler", "A", now + timedelta(seconds=102), MINUTE)
    assert lease.holds(db, "scheduler", "B", now + timedelta(seconds=102))
    assert lease.current(db, "scheduler")["acquired_at"] == lease.current(db, "scheduler")["renewed_at"]


def test_a_released_lease_is_free_at_once(db):
    now = utcnow()
    assert lease.acquire(db, "scheduler", "A", now, MINUTE)
    assert not lease.release(db, "scheduler", "B")  # only the holder can give it up
    assert lease.release(db, "scheduler", "A")
    assert lease.acquire(db, "scheduler", "B", now, MINUTE)


def test_many_racing_for_a_free_lease_only_one_wins(settings, db):
    now = utcnow()
    won: list[str] = []
    start = threading.Barrier(8)

    def race(name: str) -> None:
        own = connect(settings.db_path)
        start.wait()
        if lease.acquire(own, "scheduler", name, now, MINUTE):
            won.append(name)
        own.close()

    threads = [threading.Thread(target=race, args=(f"P{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and lease.current(db, "scheduler")["holder"] == won[0]


def test_a_slot_is_claimed_once_and_never_goes_backwards(db):
    now = utcnow()
    slot = now - timedelta(hours=1)
    assert lease.acquire(db, "scheduler", "A", now, MINUTE)
    assert lease.baseline(db, "backup", slot - timedelta(days=1))
    assert lease.claim_slot(db, "backup", slot, "A", now)
    assert not lease.claim_slot(db, "backup", slot, "B", now)  # A is running it and alive
    assert not lease.claim_slot(db, "backup", slot, "A", now)  # not twice at once in one process either
    assert lease.finish_slot(db, "backup", slot, "A", now)
    assert not lease.claim_slot(db, "backup", slot, "B", now)  # done
    assert not lease.claim_slot(db, "backup", slot - timedelta(days=1), "B", now)
    assert lease.job_run(db, "backup")["status"] == "ok" and lease.job_run(db, "backup")["runs"] == 1


def test_a_slot_whose_holder_died_mid_run_is_still_to_do_and_taken_over(db):
    now = utcnow()
    slot = now - timedelta(hours=1)
    assert lease.acquire(db, "scheduler", "A", now, MINUTE)
    lease.baseline(db, "reminders", slot - timedelta(days=10))
    assert lease.claim_slot(db, "reminders", slot, "A", now)
    # A is killed: it never finishes, never renews. While its lease lasts, nobody else runs the slot ...
    assert not lease.claim_slot(db, "reminders", slot, "B", now + timedelta(seconds=30))
    assert lease.last_slot(db, "reminders") < slot  # ... which is not counted as done
    # ... and once the lease has gone to B, B runs it.
    assert lease.acquire(db, "scheduler", "B", now + timedelta(seconds=61), MINUTE)
    assert lease.claim_slot(db, "reminders", slot, "B", now + timedelta(seconds=61))
    assert not lease.finish_slot(db, "reminders", slot, "A", now + timedelta(seconds=62))  # A's claim is gone
    assert lease.finish_slot(db, "reminders", slot, "B", now + timedelta(seconds=62))
    assert lease.last_slot(db, "reminders") == slot.replace(microsecond=0)


def test_a_failed_slot_stays_to_do(db):
    now = utcnow()
    slot = now - timedelta(hours=1)
    lease.acquire(db, "scheduler", "A", now, MINUTE)
    lease.baseline(db, "backup", slot - timedelta(days=1))
    assert lease.claim_slot(db, "backup", slot, "A", now)
    assert lease.finish_slot(db, "backup", slot, "A", now, error="disk full")
    assert lease.job_run(db, "backup")["status"] == "failed"
    assert lease.last_slot(db, "backup") < slot
    assert lease.claim_slot(db, "backup", slot, "A", now)


# Two real `laoxiao scheduler` processes -------------------------------------------------------------------

@pytest.fixture
def fake():
    server = FakeWeChat().start()
    yield server
    server.stop()


def _start(env: dict, log_path) -> subprocess.Popen:
    with open(log_path, "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "bot", "scheduler"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)


def _wait_for(check, timeout: float = 30.0, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError("condition not met in time")


def _holder_pid(db) -> int | None:
    row = lease.current(db, "scheduler")
    return int(row["holder"].split(":")[2]) if row else None


def _sent_by(db, key: str) -> int | None:
    rows = [r for r in outbox.rows(db) if r["key"] == key and r["status"] == "sent"]
    return int(rows[0]["claimed_by"].split(":")[2]) if rows else None


def test_two_schedulers_started_at_once_one_acts_the_other_takes_over(env, db, fake, tmp_path):
    proc_env = {**os.environ, **env, "WECHAT_API_BASE": fake.base_url, "LAOXIAO_SCHEDULER_LEASE": "3",
                "LAOXIAO_SENDER_INTERVAL": "1", "LAOXIAO_BACKUP_DIR": str(tmp_path / "backups")}
    people.ensure_person(db, "w-mali", utcnow())
    people.note_inbound(db, "w-mali", utcnow())
    procs = {}
    try:
        for name in ("first", "second"):
            proc = _start(proc_env, tmp_path / f"{name}.log")
            procs[proc.pid] = proc
        leader = _wait_for(lambda: _holder_pid(db))
        assert leader in procs
        standby = next(pid for pid in procs if pid != leader)

        outbox.enqueue(db, "one", "w-mali", "text", "第一条", utcnow())
        assert _wait_for(lambda: _sent_by(db, "one")) == leader
        time.sleep(3)  # several heartbeats later, still the same leader
        assert _holder_pid(db) == leader and procs[standby].poll() is None

        procs[leader].send_signal(signal.SIGKILL)  # dies without releasing: the lease has to go stale
        procs[leader].wait(timeout=10)
        assert _wait_for(lambda: _holder_pid(db) == standby, timeout=30)
        outbox.enqueue(db, "two", "w-mali", "text", "第二条", utcnow())
        assert _wait_for(lambda: _sent_by(db, "two")) == standby
        assert fake.texts_to("w-mali") == ["第一条", "第二条"]

        procs[standby].send_signal(signal.SIGTERM)  # a clean stop gives the lease back
        assert procs[standby].wait(timeout=20) == 0
        assert lease.current(db, "scheduler") is None
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
