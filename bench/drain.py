"""How fast the outbox drains a burst: rows a second through the fake WeChat API on 127.0.0.1, which answers after
a set delay standing in for the real API's round trip from a county server."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.traffic import ENV


@dataclass
class DrainRate:
    rows: int
    workers: int
    api_ms: float
    seconds: float
    sent: int

    @property
    def rate(self) -> float:
        return self.sent / self.seconds


def measure(rows: int, workers: int, api_ms: float, people: int = 500) -> DrainRate:
    from bot.config import load_settings
    from bot.sender import drain_once
    from data import open_db, outbox
    from data import people as people_data
    from data.clock import utcnow
    from data.db import transaction
    from tests.fake_wechat_api import FakeWeChat

    fake = FakeWeChat().start()
    if api_ms:
        fake.on_message = lambda message: time.sleep(api_ms / 1000)
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {**ENV, "LAOXIAO_DB": str(Path(folder) / "drain.db"), "WECHAT_SECRET": "testsecret",
                   "WECHAT_API_BASE": fake.base_url, "LAOXIAO_QUIET_HOURS": "", "LAOXIAO_LOG_LEVEL": "WARNING"}
            settings = load_settings(env=env, dotenv=False)
            db = open_db(settings.db_path)
            now = utcnow()
            with transaction(db):
                for n in range(people):
                    people_data.ensure_person(db, f"drain-{n}", now)
                    people_data.note_inbound(db, f"drain-{n}", now)
                for n in range(rows):
                    # At most five to a person, as WeChat's customer-service quota allows.
                    outbox.enqueue(db, f"burst:{n}", f"drain-{n % people}", "text", f"通知{n}", now,
                                   urgent=n % 50 == 0)
            start = time.perf_counter()
            report = drain_once(db, settings, workers=workers)
            seconds = time.perf_counter() - start
            db.close()
    finally:
        fake.stop()
    return DrainRate(rows, workers, api_ms, seconds, report.sent)
