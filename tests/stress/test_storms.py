"""Retry storms and lock contention against real processes: gunicorn -w 2 serving WeChat, a roster import and a
scheduler writing at the same time. WeChat gives up after 5 seconds, so every answer must come sooner; no
5xx, no 'database is locked', no message handled twice."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from data import open_db
from tests import processes
from tests.stress.conftest import scaled
from tests.test_roster_import import HEADERS

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = scaled(40, 400)
RETRIES = scaled(4, 6)
IMPORT_ROWS = scaled(3000, 50000)


@pytest.fixture
def server(stress_env, monkeypatch):
    monkeypatch.chdir(ROOT)
    process, base = processes.gunicorn("bot.wsgi:app", stress_env, workers=2)
    yield base, process
    processes.stop(process)


def _timed_post(base: str, openid: str, text: str, msg_id: int) -> tuple[float, str | None]:
    start = time.monotonic()
    reply = processes.post(base, openid, text, msg_id=msg_id, timeout=10)
    return time.monotonic() - start, reply


def test_a_retry_storm_handles_each_message_once_and_answers_every_copy_alike(server, stress_env):
    base, _ = server
    sends = [(f"storm-{n % 10}", f"我妈的降压药快吃完了 {n}", 90_000 + n) for n in range(MESSAGES)]
    copies = [s for s in sends for _ in range(RETRIES)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda s: (s[2], *_timed_post(base, *s)), copies))
    by_id: dict[int, set] = {}
    for msg_id, seconds, reply in results:
        assert seconds < 5, f"message {msg_id} took {seconds:.1f} s: WeChat would have given up"
        by_id.setdefault(msg_id, set()).add(reply)
    assert all(len(replies) == 1 for replies in by_id.values())  # every copy got the first answer
    db = open_db(stress_env["LAOXIAO_DB"])
    keys = Counter(row[0] for row in db.execute("SELECT key FROM inbound WHERE key LIKE 'msg:9%'"))
    assert len(keys) == MESSAGES and set(keys.values()) == {1}
    assert db.execute("SELECT COUNT(*) FROM inbound WHERE status != 'done'").fetchone() == (0,)


def _roster_csv(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for n in range(rows):
            elder = n % 2 == 0
            writer.writerow([f"压测{n:05d}", "老人" if elder else "儿童", "高龄" if elder else "留守儿童",
                             "女" if n % 3 else "男", "1945-03-05" if elder else "2015-06-07",
                             "怡园社区" if elder else "沈闸村", "", "", "", "", "", "是", "否", ""])
    return path


def test_an_import_and_the_scheduler_while_messages_flow_lock_nobody_out(server, stress_env, tmp_path):
    base, process = server
    env = {**os.environ, **stress_env, "LAOXIAO_SENDER_INTERVAL": "1"}
    scheduler = subprocess.Popen([sys.executable, "-m", "bot", "scheduler"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
    importer = subprocess.Popen([sys.executable, "-m", "bot", "import", "recipients",
                                 str(_roster_csv(tmp_path / "roster.csv", IMPORT_ROWS))],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    timings: list[float] = []
    stop = threading.Event()

    def talk(worker: int) -> None:
        n = 0
        while not stop.is_set() and n < MESSAGES:
            seconds, reply = _timed_post(base, f"busy-{worker}", "帮助", 95_000 + worker * 10_000 + n)
            assert reply and "您可以发" in reply
            timings.append(seconds)
            n += 1

    try:
        with ThreadPoolExecutor(4) as pool:
            talkers = [pool.submit(talk, w) for w in range(4)]
            imported, _ = importer.communicate(timeout=300)
            stop.set()
            for talker in talkers:
                talker.result()
    finally:
        scheduler.terminate()
        scheduler_log, _ = scheduler.communicate(timeout=30)
    assert importer.returncode == 0 and f"新增 {IMPORT_ROWS} 人" in imported, imported[-500:]
    assert timings and max(timings) < 5, f"slowest answer {max(timings):.1f} s"
    assert "database is locked" not in scheduler_log
    assert requests.get(base + "/healthz", timeout=5).status_code in (200, 503)
