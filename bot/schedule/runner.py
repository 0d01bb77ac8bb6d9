"""The in-process scheduler: APScheduler as an alarm clock, the ledger as the record.

APScheduler 3 forgets runs missed while the process was down, and its job stores cannot be
shared between processes, so it never decides what gets posted. Its jobs only wake a single
worker thread that runs a sweep (bot.schedule.sweep), and the sweep asks the ledger what is
due and unsettled. Wake-ups come from one cron job per reminder (to post within seconds of the
minute), a sweep at start (catch-up after a restart or a sleeping dyno) and one every minute
(expired leases, retries after failures).

The worker is a daemon thread of our own rather than APScheduler's executor: on SIGTERM,
``shutdown`` lets the delivery in flight finish and be recorded, starts no other, and returns
within its timeout even if Slack is slow; a delivery cut off there is retried by the next
process once its lease expires.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.config import Settings
from bot.desk.cron import cron_trigger
from bot.desk.model import Desk
from bot.schedule.due import next_occurrence
from bot.schedule.sweep import SweepReport, sweep
from bot.store.db import Database
from bot.store.ledger import DEFAULT_LEASE, DEFAULT_MAX_ATTEMPTS

log = logging.getLogger(__name__)

PERIODIC_JOB_ID = "__newsbot_sweep__"
PERIODIC_EVERY = timedelta(minutes=1)
# A wake-up APScheduler could not run on time (a busy or suspended process) still runs within
# this long; the sweep itself decides whether the occurrence is on time, late or too old.
MISFIRE_GRACE = timedelta(hours=1)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def process_owner() -> str:
    """Who holds a claim, in the ledger: enough to find the process in the logs."""
    return f"{socket.gethostname()}:{os.getpid()}"


class ReminderScheduler:
    def __init__(
        self,
        desk: Desk,
        database: Database,
        client: WebClient,
        catchup: timedelta,
        *,
        clock: Clock = utc_now,
        owner: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        self.desk = desk
        self._database = database
        self._client = client
        self._catchup = catchup
        self._clock = clock
        self._owner = owner or process_owner()
        self._lease = lease
        self._max_attempts = max_attempts
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._cond = threading.Condition()
        self._pending = False
        self._running = False
        self._stopping = False
        self._worker = threading.Thread(target=self._work, name="newsbot-reminders", daemon=True)
        self.last_report: SweepReport | None = None

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        for reminder in self.desk.reminders:
            self._scheduler.add_job(
                self.request_sweep,
                trigger=cron_trigger(reminder.cron, reminder.timezone),
                id=reminder.id,
                name=f"reminder {reminder.id}",
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
            )
        self._scheduler.add_job(
            self.request_sweep,
            trigger=IntervalTrigger(seconds=int(PERIODIC_EVERY.total_seconds()), timezone=UTC),
            id=PERIODIC_JOB_ID,
            name="reminder retries and leases",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self._worker.start()
        self._scheduler.start()
        self.request_sweep()  # catch up on whatever was missed while nobody was running
        log.info("reminder scheduler started: %d reminder(s)", len(self.desk.reminders))

    def shutdown(self, timeout: float = 8.0) -> bool:
        """Stop waking up, finish and record the delivery in flight; True if it finished."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._worker.is_alive():
            self._worker.join(timeout)
        finished = not self._worker.is_alive()
        if not finished:
            log.warning(
                "reminder delivery still in flight after %.0fs; its lease will let another "
                "process finish it",
                timeout,
            )
        return finished

    # --- sweeping -----------------------------------------------------------------------------

    def request_sweep(self) -> None:
        """Ask the worker for a sweep; requests made while one runs fold into the next."""
        with self._cond:
            self._pending = True
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no sweep is running or asked for (tests, and post-start checks)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._running, timeout)

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                if self._stopping:
                    return
                self._pending, self._running = False, True
            try:
                self.last_report = self._sweep_once()
            except Exception:  # the thread must survive a database or Slack outage
                log.exception("reminder sweep failed; the next one retries")
            finally:
                with self._cond:
                    self._running = False
                    self._cond.notify_all()

    def _sweep_once(self) -> SweepReport:
        return sweep(
            self.desk,
            self._database.book(),
            self._database.ledger(),
            self._client,
            self._clock(),
            self._catchup,
            self._owner,
            lease=self._lease,
            max_attempts=self._max_attempts,
            should_stop=self._should_stop,
            said=self._database.said(),
        )

    def _should_stop(self) -> bool:
        with self._cond:
            return self._stopping

    # --- reporting ----------------------------------------------------------------------------

    def next_runs(self) -> dict[str, datetime]:
        """The next post time (UTC) of each reminder, holidays and DST repeats accounted for."""
        now = self._clock()
        runs = {r.id: next_occurrence(r, now) for r in self.desk.reminders}
        return {rid: at for rid, at in runs.items() if at is not None}


def start_scheduler(
    settings: Settings, desk: Desk, database: Database, client: WebClient
) -> ReminderScheduler:
    """Start posting reminders from this process (call only when NEWSBOT_SCHEDULER is on)."""
    scheduler = ReminderScheduler(desk, database, client, settings.catchup)
    scheduler.start()
    return scheduler
