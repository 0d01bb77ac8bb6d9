"""The in-process scheduler: catch-up at start, one post between processes, prompt shutdown."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.schedule.runner import ReminderScheduler, start_scheduler
from bot.store.db import Database
from tests.schedule.helpers import (
    MONDAY_9_00_20,
    REMINDER_ID,
    SCHEDULED,
    retrying_client,
    shipped_desk,
)
from tests.slack_stand_in import Fault, SlackStandIn
from tests.waiting import wait_for


def scheduler_for(
    database: Database, slack: SlackStandIn, owner: str, timeout: int = 5
) -> ReminderScheduler:
    return ReminderScheduler(
        shipped_desk(),
        database,
        retrying_client(slack.api_url, timeout=timeout),
        timedelta(hours=6),
        clock=lambda: MONDAY_9_00_20,
        owner=owner,
    )


def test_a_start_catches_up_and_later_sweeps_do_not_repeat(tmp_path, slack: SlackStandIn) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    scheduler = scheduler_for(database, slack, "web.1")
    scheduler.start()
    assert scheduler.wait_idle(timeout=30)
    assert len(slack.posted_messages()) == 1
    assert scheduler.next_runs() == {REMINDER_ID: datetime(2026, 3, 10, 13, 0, tzinfo=UTC)}
    scheduler.request_sweep()
    assert scheduler.wait_idle(timeout=30)
    assert len(slack.posted_messages()) == 1
    assert scheduler.shutdown(timeout=8.0)
    database.dispose()


def test_two_processes_sharing_one_sqlite_file_post_once(tmp_path, slack: SlackStandIn) -> None:
    url = f"sqlite:///{tmp_path / 'newsbot.db'}"
    databases = [Database(url), Database(url)]
    databases[0].create_schema()
    schedulers = [scheduler_for(db, slack, f"web.{i}") for i, db in enumerate(databases)]
    for scheduler in schedulers:
        scheduler.start()
    for scheduler in schedulers:
        assert scheduler.wait_idle(timeout=30)
        assert scheduler.shutdown()
    assert len(slack.calls_to("chat.postMessage")) == 1
    for db in databases:
        db.dispose()


def test_shutdown_finishes_and_records_the_delivery_in_flight(
    tmp_path, slack: SlackStandIn
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    slack.fail("chat.postMessage", Fault(delay=1.0))  # Slack is slow to answer
    scheduler = scheduler_for(database, slack, "web.1")
    scheduler.start()
    wait_for(lambda: len(slack.calls_to("chat.postMessage")) == 1)  # SIGTERM arrives now
    started = time.monotonic()
    assert scheduler.shutdown(timeout=8.0)
    assert time.monotonic() - started < 8.0
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and row.state == "sent"
    database.dispose()


def test_shutdown_returns_in_time_even_if_slack_hangs(tmp_path, slack: SlackStandIn) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    answer = threading.Event()  # Slack hangs until the end of the test
    slack.fail("chat.postMessage", Fault(hold=answer))
    scheduler = scheduler_for(database, slack, "web.1", timeout=10)
    scheduler.start()
    try:
        wait_for(lambda: len(slack.calls_to("chat.postMessage")) == 1)
        started = time.monotonic()
        assert not scheduler.shutdown(timeout=0.5)
        assert time.monotonic() - started < 2.0
        # The claim stays behind with its lease: the next process retries it (see test_sweep).
        row = database.ledger().get(REMINDER_ID, SCHEDULED)
        assert row is not None and row.state == "claimed"
    finally:
        answer.set()


def test_start_scheduler_uses_the_settings_catchup(tmp_path, slack: SlackStandIn) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    settings = Settings(catchup=timedelta(hours=2))
    scheduler = start_scheduler(settings, shipped_desk(), database, retrying_client(slack.api_url))
    try:
        assert scheduler.wait_idle(timeout=30)
        assert REMINDER_ID in scheduler.next_runs()
    finally:
        assert scheduler.shutdown()
        database.dispose()
