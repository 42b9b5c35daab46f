"""The outbox sender: claims due rows and hands them to couriers (bot/courier.py), a few sends at a time.

One drain claims due rows in batches, urgent first, and keeps claiming until nothing is due (or its time
budget is spent). A batch is split into lanes, one per person, so a person's messages go out in order and
their customer-service quota (data.delivery.reserve_cs) is counted exactly; lanes run on WORKERS threads,
each with its own database connection and WeChat client.

Claims are leases (data.delivery): the sender renews its claims every RENEW_EVERY while it works and confirms
each row right before sending it, so a second sender never sends a row waiting in this one's batch, and
the rows of a sender that died are pending again once CLAIM_LEASE has passed, seconds rather than minutes.
During quiet hours only urgent rows are claimed; the rest wait in 'pending' until the quiet hours end.

Sizing. WeChat has no batch endpoint: each push is one HTTPS call (50-200 ms from a county server). Its
quotas are per day (customer-service messages 500,000, template messages 100,000 for a new account), and
45009/45011 say when a quota or the per-minute frequency is spent: the drain stops and the rows wait. So a
batch is what WORKERS threads send in a couple of seconds (BATCH), small enough that an urgent row enqueued
meanwhile waits at most one batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.config import Settings
from bot.courier import Courier, SlowDown, in_quiet_hours
from bot.wechat_client import SharedTokenClient
from data import delivery, lease
from data.clock import utcnow
from data.db import connect

log = logging.getLogger(__name__)
WORKERS = 4
BATCH = 100
RENEW_EVERY = delivery.CLAIM_LEASE / 3


@dataclass
class DrainReport:
    claimed: int = 0
    sent: int = 0
    held: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    reclaimed: int = 0
    cancelled: int = 0
    skipped: int = 0  # claims lost before sending (this sender stalled and another took the row)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Sender:
    """Drains the outbox. `client` (one WeChat client, for tests and tools) makes the drain single-threaded;
    by default each sending thread gets a SharedTokenClient when WeChat credentials are set."""

    def __init__(self, db: Database, settings: Settings, client: SharedTokenClient | None = None,
                 holder: str | None = None, workers: int = WORKERS, batch: int = BATCH):
        self.db, self.settings = db, settings
        self.holder = holder or lease.make_holder("sender")
        self.client = client
        self.workers = 1 if client is not None else max(1, workers)
        self.batch = batch
        self._lock = threading.Lock()
        self._slowed: timedelta | None = None
        self._local = threading.local()
        self._opened: list[Database] = []
        self._inline: Courier | None = None

    def drain(self, now: datetime | None = None, budget: float | None = None) -> DrainReport:
        """Deliver what is due; `now` fixes the clock's start (it then runs on), `budget` caps the seconds."""
        start, started = now or utcnow(), time.monotonic()
        self.clock: Callable[[], datetime] = lambda: start + timedelta(seconds=time.monotonic() - started)
        report = DrainReport()
        report.reclaimed = delivery.reclaim_stale(self.db, start)
        report.cancelled = delivery.cancel_expired(self.db, start)
        try:
            while self._slowed is None and (budget is None or time.monotonic() - started < budget):
                now = self.clock()
                rows = delivery.claim_due(self.db, now, self.holder, self.batch,
                                          urgent_only=in_quiet_hours(self.settings, now))
                if not rows:
                    break
                report.claimed += len(rows)
                # Urgent rows go out before the rest of their batch starts, not merely alongside it.
                for part in ([r for r in rows if r["urgent"]], [r for r in rows if not r["urgent"]]):
                    if part:
                        self._send_batch(part, report)
        finally:
            for db in self._opened:
                db.close()
            self._opened.clear()
        if report.claimed or report.reclaimed:
            log.info("outbox drain: %s", report.as_dict())
        return report

    def _send_batch(self, rows: list[dict], report: DrainReport) -> None:
        lanes: dict[str, list[dict]] = {}
        for row in rows:  # claim order: urgent first; dicts keep it for the lanes
            lanes.setdefault(row["openid"], []).append(row)
        if self.workers == 1 or len(lanes) == 1:
            for lane in lanes.values():
                self._run_lane(lane, report, renew=True)
            return
        with ThreadPoolExecutor(min(self.workers, len(lanes)), thread_name_prefix="sender") as pool:
            pending = {pool.submit(self._run_lane, lane, report) for lane in lanes.values()}
            while pending:
                done, pending = wait(pending, timeout=RENEW_EVERY.total_seconds(), return_when=FIRST_EXCEPTION)
                for future in done:
                    future.result()
                if pending:
                    delivery.renew_claims(self.db, self.holder, self.clock() + delivery.CLAIM_LEASE)

    def _run_lane(self, rows: list[dict], report: DrainReport, renew: bool = False) -> None:
        courier = self._courier()
        renewed = time.monotonic()
        for row in rows:
            if renew and time.monotonic() - renewed > RENEW_EVERY.total_seconds():
                delivery.renew_claims(self.db, self.holder, self.clock() + delivery.CLAIM_LEASE)
                renewed = time.monotonic()
            now = self.clock()
            if self._slowed is not None:
                self._release(courier, row, now, report)
                continue
            if not delivery.confirm_claim(courier.db, row["id"], self.holder, now + delivery.CLAIM_LEASE):
                self._count(report, "skipped")
                continue
            try:
                outcome = courier.deliver(row, now)
            except SlowDown as slow:
                with self._lock:
                    self._slowed = self._slowed or slow.pause
                log.warning("WeChat asked to slow down: the rest of the batch waits %s", slow.pause)
                self._release(courier, row, now, report)
                continue
            self._count(report, outcome)

    def _release(self, courier: Courier, row: dict, now: datetime, report: DrainReport) -> None:
        delivery.release(courier.db, row["id"], self.holder, now + self._slowed, "slowed down by WeChat")
        self._count(report, "released")

    def _count(self, report: DrainReport, field: str) -> None:
        with self._lock:
            setattr(report, field, getattr(report, field) + 1)

    def _courier(self) -> Courier:
        """The calling thread's courier: the drain's own connection inline, a connection of its own per thread."""
        if self.workers == 1:
            if self._inline is None:
                self._inline = Courier(self.db, self.settings, self.client or self._new_client(self.db), self.holder)
            return self._inline
        courier = getattr(self._local, "courier", None)
        if courier is None:
            db = connect(self.settings.db_path)
            with self._lock:
                self._opened.append(db)
            courier = self._local.courier = Courier(db, self.settings, self._new_client(db), self.holder)
        return courier

    def _new_client(self, db: Database) -> SharedTokenClient | None:
        settings = self.settings
        if not (settings.appid and settings.secret):
            return None
        # A holder of its own per client: the token's refresh lease must exclude this sender's other threads too.
        return SharedTokenClient(db, settings.appid, settings.secret, settings.api_base)


def drain_once(db: Database, settings: Settings, now: datetime | None = None,
               client: SharedTokenClient | None = None, holder: str | None = None,
               budget: float | None = None, workers: int = WORKERS) -> DrainReport:
    """Claim what is due and deliver it: what the scheduler does every few seconds."""
    return Sender(db, settings, client=client, holder=holder, workers=workers).drain(now, budget)
