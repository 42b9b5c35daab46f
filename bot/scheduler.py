"""The scheduler: fixed jobs, one acting process, and no job lost or repeated across restarts.

Lease. Every process that runs a scheduler (`laoxiao scheduler`, or `laoxiao serve`/`demo` in-process)
renews a lease row named "scheduler" every third of its duration (LAOXIAO_SCHEDULER_LEASE). Only the
holder's jobs act; the others stay idle and try to take the lease, which they get once it is stale (the
holder died) or released (the holder stopped cleanly). The lease is an economy, not the guarantee: slots
are claimed atomically in `job_runs` and every push has a unique outbox key, so even two processes that
both believed they led would not send anything twice.

Slots. APScheduler (3.x, memory job store) has no memory across restarts. So each calendar job records the
last slot it completed in `job_runs`; the slot it is running is kept apart until the job returns, so a process
killed mid-job leaves that slot to do, and the next holder of the lease (a restart or the standby) runs it.
On taking the lease the scheduler catches up: a job whose latest slot
is newer than the one recorded runs once, for that latest slot, however many slots were missed. A job seen
for the first time is only baselined: a fresh install has missed nothing. In-process misfires are
APScheduler's: coalesce=True and a misfire grace per job.
"""

from __future__ import annotations

import atexit
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlite_utils import Database

from bot import jobs
from bot.config import Settings
from data import connect, lease, open_db
from data.clock import utcnow
from data.db import CHECKPOINT_SECONDS
from data.reminders import sections_due

log = logging.getLogger(__name__)
LEASE = "scheduler"
LOOKBACK = timedelta(days=40)
_TICK = timedelta(microseconds=1)

JobFunc = Callable[[Database, Settings, datetime, datetime], str]


class ReminderDaysTrigger(BaseTrigger):
    """Fires at the reminder time on the days something is due (data.reminders.sections_due), so a slot
    is exactly a day with reminders: catching up the latest slot never lands on an empty day."""

    def __init__(self, reminder_days: tuple[int, ...], at: tuple[int, int], tz: ZoneInfo):
        self.reminder_days, self.at, self.tz = tuple(reminder_days), time(*at), tz

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        start = min(now, previous_fire_time + _TICK) if previous_fire_time else now
        if start == previous_fire_time:
            start += _TICK
        day: date = start.astimezone(self.tz).date()
        for _ in range(400):
            if sections_due(day, self.reminder_days):
                fire = datetime.combine(day, self.at, self.tz)
                if fire >= start:
                    return fire
            day += timedelta(days=1)
        return None

    def __str__(self) -> str:
        return f"reminder days {self.reminder_days} at {self.at:%H:%M}"


@dataclass(frozen=True)
class JobSpec:
    id: str
    run: JobFunc
    trigger: BaseTrigger
    catch_up: bool
    misfire_grace: int


def job_specs(settings: Settings) -> list[JobSpec]:
    """The jobs, declared in code with fixed ids."""
    tz = settings.tz
    return [
        JobSpec("reminders", jobs.run_reminders,
                ReminderDaysTrigger(settings.reminder_days, settings.reminder_time, tz), True, 6 * 3600),
        JobSpec("backup", jobs.run_backup, CronTrigger(hour=3, minute=0, timezone=tz), True, 6 * 3600),
        JobSpec("escalation", jobs.run_escalation, IntervalTrigger(minutes=5, timezone=tz), False, 300),
        JobSpec("outbox", jobs.run_outbox, IntervalTrigger(seconds=settings.sender_interval, timezone=tz), False,
                max(settings.sender_interval, 30)),
        JobSpec("checkpoint", jobs.run_checkpoint, IntervalTrigger(seconds=CHECKPOINT_SECONDS, timezone=tz), False,
                CHECKPOINT_SECONDS),
    ]


def latest_slot(trigger: BaseTrigger, now: datetime, since: datetime | None) -> datetime | None:
    """The trigger's last fire time at or before `now`, looking no further back than `since`."""
    cursor = (since + _TICK) if since else now - LOOKBACK
    found = None
    for _ in range(5000):
        fire = trigger.get_next_fire_time(None, cursor)
        if fire is None or fire > now:
            break
        found, cursor = fire, fire + _TICK
    return found


class Coordinator:
    """Lease and slots, without APScheduler: the part that decides whether and for what a job runs."""

    def __init__(self, settings: Settings, specs: list[JobSpec] | None = None, holder: str | None = None,
                 clock: Callable[[], datetime] = utcnow, lease_seconds: float | None = None):
        self.settings, self.clock = settings, clock
        self.specs = {spec.id: spec for spec in (specs if specs is not None else job_specs(settings))}
        self.holder = holder or lease.make_holder("scheduler")
        self.duration = timedelta(seconds=lease_seconds or settings.scheduler_lease)
        self.leader_until: datetime | None = None
        self.on_acquired: Callable[[], None] = self.catch_up

    def _db(self) -> Database:
        return connect(self.settings.db_path)

    def is_leader(self, now: datetime | None = None) -> bool:
        until = self.leader_until
        return until is not None and (now or self.clock()) < until

    def heartbeat(self) -> bool:
        """Take or renew the lease; on taking it, baseline new jobs and catch up missed ones."""
        now = self.clock()
        db = self._db()
        try:
            held = lease.acquire(db, LEASE, self.holder, now, self.duration)
            newly = held and not self.is_leader(now)
            if newly:
                self._baseline(db, now)
        except Exception:  # noqa: BLE001 (a busy database: keep the lease we have until it lapses)
            log.exception("scheduler lease renewal failed")
            return self.is_leader(now)
        finally:
            db.close()
        if not held and self.leader_until is not None:
            log.warning("scheduler lease lost to another process: standing by")
        self.leader_until = now + self.duration if held else None
        if newly:
            log.info("scheduler %s holds the lease: acting", self.holder)
            self.on_acquired()
        return held

    def _baseline(self, db: Database, now: datetime) -> None:
        for spec in self.specs.values():
            if spec.catch_up and lease.job_run(db, spec.id) is None:
                lease.baseline(db, spec.id, latest_slot(spec.trigger, now, None) or now)

    def catch_up(self) -> list[str]:
        """Run, once each, the calendar jobs whose latest slot has not run yet."""
        return [spec.id for spec in self.specs.values() if spec.catch_up and self.run(spec.id) is not None]

    def run(self, job_id: str) -> str | None:
        """Run a job if this process leads (and, for calendar jobs, if its latest slot is unclaimed).
        Returns the job's summary, or None when it did not run."""
        spec = self.specs[job_id]
        now = self.clock()
        if not self.is_leader(now):
            return None
        db = self._db()
        try:
            slot = now
            if spec.catch_up:
                slot = latest_slot(spec.trigger, now, lease.last_slot(db, spec.id))
                if slot is None or not lease.claim_slot(db, spec.id, slot, self.holder, now, LEASE):
                    return None
            try:
                result = spec.run(db, self.settings, now, slot)
            except Exception as exc:  # noqa: BLE001 (one failing job must not stop the others)
                log.exception("job %s failed", spec.id)
                if spec.catch_up:
                    lease.finish_slot(db, spec.id, slot, self.holder, self.clock(),
                                      f"{type(exc).__name__}: {exc}"[:500])
                return None
            if spec.catch_up:
                lease.finish_slot(db, spec.id, slot, self.holder, self.clock())
                log.info("job %s ran for %s: %s", spec.id, slot.isoformat(), result)
            return result
        finally:
            db.close()

    def release(self) -> None:
        db = self._db()
        try:
            lease.release(db, LEASE, self.holder)
        finally:
            db.close()
        self.leader_until = None


class PushScheduler:
    """APScheduler around a Coordinator: the jobs, the lease heartbeat, and a catch-up run on taking over."""

    def __init__(self, settings: Settings, holder: str | None = None, lease_seconds: float | None = None):
        self.settings = settings
        self.stopped = False
        # APScheduler logs every run at INFO (a heartbeat every few seconds): keep its warnings only.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self.coordinator = Coordinator(settings, holder=holder, lease_seconds=lease_seconds)
        self.scheduler = BackgroundScheduler(timezone=settings.tz)
        for spec in self.coordinator.specs.values():
            self.scheduler.add_job(self.coordinator.run, spec.trigger, args=[spec.id], id=spec.id, name=spec.id,
                                   coalesce=True, misfire_grace_time=spec.misfire_grace, max_instances=1,
                                   replace_existing=True)
        beat = max(self.coordinator.duration.total_seconds() / 3, 0.5)
        self.scheduler.add_job(self.coordinator.heartbeat, IntervalTrigger(seconds=beat), id="lease", name="lease",
                               coalesce=True, misfire_grace_time=int(beat) + 1, max_instances=1)
        # Catching up may take a while (a backup): run it as a job, so the heartbeat keeps renewing meanwhile.
        self.coordinator.on_acquired = lambda: self.scheduler.add_job(
            self.coordinator.catch_up, id="catch-up", name="catch-up", replace_existing=True, misfire_grace_time=None)

    def start(self) -> PushScheduler:
        open_db(self.settings.db_path).close()
        self.coordinator.heartbeat()
        self.scheduler.start()
        if not self.coordinator.is_leader():
            log.info("scheduler %s standing by: another process holds the lease", self.coordinator.holder)
        return self

    def stop(self) -> None:
        """Stop the jobs and give the lease back (once: atexit may call this again)."""
        if self.stopped:
            return
        self.stopped = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.coordinator.release()


def start_in_process(settings: Settings) -> PushScheduler:
    """For `laoxiao serve` and `laoxiao demo`: a background scheduler in the web process."""
    running = PushScheduler(settings).start()
    atexit.register(running.stop)
    return running


def run_forever(settings: Settings, lease_seconds: float | None = None) -> None:
    """`laoxiao scheduler`: the production layout's own process, until SIGTERM or Ctrl+C."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    running = PushScheduler(settings, lease_seconds=lease_seconds).start()
    try:
        stop.wait()
    finally:
        running.stop()
        log.info("scheduler stopped")
