"""Reminders: due-time arithmetic for many reminders, and sweeps posting through the stand-in."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import Table, ms
from bot.config import Settings
from bot.desk.load import load_desk
from bot.desk.model import Reminder
from bot.schedule import due
from bot.schedule.sweep import sweep
from bot.slack.client import make_client
from bot.store.db import Database

NOW = datetime(2021, 2, 1, 14, 0, 20, tzinfo=UTC)  # a Monday, 9:00 in New York
_CRONS = (
    "0 9 * * mon-fri",
    "*/15 * * * *",
    "30 8,12,17 * * 1-5",
    "0 7 * * 0",
    "5 */2 * * *",
    "0 9 1 * *",
    "45 16 * * fri",
    "0 10 * * 1,3,5",
)
_ZONES = (
    "America/New_York",
    "Europe/London",
    "Asia/Tokyo",
    "UTC",
    "America/Los_Angeles",
    "Australia/Sydney",
)


def many_reminders(count: int) -> list[Reminder]:
    return [
        Reminder(
            id=f"reminder-{k:04d}",
            channel="C0NEWSDESK",
            cron=_CRONS[k % len(_CRONS)],
            timezone=_ZONES[k % len(_ZONES)],
            include=("figures",),
        )
        for k in range(count)
    ]


@dataclass(frozen=True)
class DueTimes:
    reminders: int
    cold_s: float  # cron triggers parsed and built (the lru_cache is cleared first)
    warm_s: float
    occurrences: int
    next_by_cron: dict[str, float]  # next_occurrence, one reminder of each shape


def measure_due(count: int, catchup: timedelta = timedelta(hours=6)) -> DueTimes:
    reminders = many_reminders(count)
    due.cron_trigger.cache_clear()
    started = time.perf_counter()
    found = sum(len(due.due_occurrences(r, NOW, catchup)) for r in reminders)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for r in reminders:
        due.due_occurrences(r, NOW, catchup)
    warm = time.perf_counter() - started
    next_by_cron = {}
    for r in reminders[: len(_CRONS)]:
        started = time.perf_counter()
        due.next_occurrence(r, NOW)
        next_by_cron[f"{r.cron} ({r.timezone})"] = time.perf_counter() - started
    return DueTimes(count, cold, warm, found, next_by_cron)


@dataclass(frozen=True)
class Deliveries:
    reminders: int
    posted: int
    failed: int
    seconds: float
    api_calls: int

    @property
    def per_second(self) -> float:
        return self.posted / self.seconds if self.seconds else 0.0


def measure_deliveries(count: int, api_url: str, folder: Path, calls: object) -> Deliveries:
    """One sweep with ``count`` reminders all due at 9:00 New York: each a real post."""
    desk = load_desk(Path(__file__).resolve().parent.parent / "facts.yaml")
    reminders = tuple(
        Reminder(
            id=f"daily-{k:04d}",
            channel="C0NEWSDESK",
            cron="0 9 * * *",
            timezone="America/New_York",
            include=("figures", "followups"),
        )
        for k in range(count)
    )
    desk = replace(desk, reminders=reminders)
    database = Database(f"sqlite:///{folder / 'reminders.db'}")
    database.create_schema()
    client = make_client(Settings(slack_bot_token="xoxb-bench-token", slack_api_url=api_url))
    before = len(calls)  # type: ignore[arg-type]
    try:
        started = time.perf_counter()
        report = sweep(
            desk, database.book(), database.ledger(), client, NOW, timedelta(minutes=10), "bench"
        )
        seconds = time.perf_counter() - started
    finally:
        database.dispose()
    return Deliveries(count, len(report.posted), len(report.failed), seconds, len(calls) - before)  # type: ignore[arg-type]


def reminders_table(times: DueTimes, deliveries: Deliveries) -> Table:
    table = Table("Reminders", ("measure", "value"))
    per = times.cold_s / times.reminders
    table.add(f"due_occurrences for {times.reminders:,} reminders, cold (ms)", ms(times.cold_s))
    table.add(f"due_occurrences for {times.reminders:,} reminders, warm (ms)", ms(times.warm_s))
    table.add("per reminder, cold (µs)", f"{per * 1e6:,.0f}")
    for cron, seconds in times.next_by_cron.items():
        table.add(f"next_occurrence, one reminder `{cron}` (ms)", ms(seconds))
    table.add("occurrences found in the window", f"{times.occurrences:,}")
    table.add(
        "sweep: reminders due / posted / failed",
        f"{deliveries.reminders} / {deliveries.posted} / {deliveries.failed}",
    )
    table.add("sweep: Web API calls", deliveries.api_calls)
    table.add("sweep: wall (ms)", ms(deliveries.seconds))
    table.add("deliveries per second", f"{deliveries.per_second:,.0f}")
    table.notes += [
        "Due times: bot.schedule.due.due_occurrences at a fixed Monday 9:00 New York with a "
        "6 h catch-up window, eight crontab shapes across six time zones; 'cold' clears the "
        "cron_trigger cache first. next_occurrence is timed for one reminder of each shape: "
        "it is what /healthz and `newsbot schedule` call for every reminder.",
        "Deliveries: one bot.schedule.sweep.sweep over the shipped facts plus N daily 9:00 "
        "reminders (figures and follow-ups), ledger in SQLite in a temp dir, each claimed, "
        "rendered and posted with chat.postMessage to the local Slack stand-in, sequentially "
        "(each also records yesterday's 9:00 as skipped: beyond the 10 min catch-up window).",
    ]
    return table
