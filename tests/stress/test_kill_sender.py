"""kill -9 of the outbox sender in the middle of a burst: every queued message arrives, and only a message that
was in flight at the moment of the kill may arrive twice (WeChat has no idempotency key); the dead sender's
rows are sent by the next sender within seconds, not minutes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

from bot.config import load_settings
from bot.sender import WORKERS
from data import delivery, open_db, outbox, people
from data.clock import utcnow
from data.db import transaction
from tests.stress.conftest import scaled

ROWS = scaled(120, 2000)
KILLS = scaled(1, 4)


def _queue(db, count: int) -> None:
    now = utcnow()
    with transaction(db):
        for n in range(count // 4):
            people.ensure_person(db, f"burst-{n}", now)
            people.note_inbound(db, f"burst-{n}", now)
        for n in range(count):
            outbox.enqueue(db, f"burst:{n}", f"burst-{n % (count // 4)}", "text", f"消息{n}", now, urgent=n % 40 == 0)


def test_killing_the_sender_mid_burst_loses_nothing_and_doubles_only_what_was_in_flight(stress_env, fake):
    stress_env = {**stress_env, "WECHAT_API_BASE": fake.base_url}
    env = {**os.environ, **stress_env}
    db = open_db(stress_env["LAOXIAO_DB"])
    _queue(db, ROWS)
    fake.on_message = lambda message: time.sleep(0.01)  # a round trip, so that kills land mid-send
    for _ in range(KILLS):
        sender = subprocess.Popen([sys.executable, "-m", "bot", "outbox", "send"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        target = len(fake.sent) + ROWS // (KILLS + 2)
        deadline = time.monotonic() + 60
        while len(fake.sent) < target and sender.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=30)
    stranded = delivery.counts(db).get("sending", 0)
    assert stranded > 0  # the dead senders' claimed rows
    # A fresh sender sends what nobody claimed and leaves the dead ones' claims alone while they last ...
    drain_once_at(db, stress_env, 0)
    assert delivery.counts(db).get("sending", 0) == stranded
    # ... and takes them over once they lapse: seconds after the kill, not minutes.
    report = drain_once_at(db, stress_env, delivery.CLAIM_LEASE.total_seconds() + 1)
    assert report.reclaimed == stranded
    assert delivery.counts(db) == {"sent": ROWS}
    received = Counter(m["text"] for m in fake.sent)
    assert set(received) == {f"消息{n}" for n in range(ROWS)}  # nothing lost
    doubled = [text for text, times in received.items() if times > 1]
    assert len(doubled) <= KILLS * WORKERS and all(received[t] == 2 for t in doubled), doubled


def drain_once_at(db, env: dict, seconds_later: float):
    from datetime import timedelta

    from bot.sender import drain_once

    return drain_once(db, load_settings(env=env, dotenv=False), utcnow() + timedelta(seconds=seconds_later))
