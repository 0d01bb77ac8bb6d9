"""Shared by the scheduler tests: the shipped desk, a retrying client, fixed clocks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.desk.load import load_desk
from bot.desk.model import Desk, Reminder

FACTS = Path(__file__).resolve().parents[2] / "facts.yaml"
NY = ZoneInfo("America/New_York")
MONDAY_9_00_20 = datetime(2026, 3, 9, 9, 0, 20, tzinfo=NY)
SATURDAY_9_00_20 = datetime(2026, 3, 14, 9, 0, 20, tzinfo=NY)
REMINDER_ID = "weekday-key-figures"
SCHEDULED = datetime(2026, 3, 9, 9, 0, tzinfo=NY).astimezone(UTC)  # Monday's occurrence


@cache
def shipped_desk() -> Desk:
    return load_desk(FACTS)


def with_reminders(desk: Desk, *reminders: Reminder) -> Desk:
    return dataclasses.replace(desk, reminders=reminders)


def retrying_client(api_url: str, timeout: float = 5) -> WebClient:
    """As the bot builds it: 429 honours Retry-After; 5xx and dropped connections retry."""
    quick = FixedValueRetryIntervalCalculator(0.05)  # the stand-in needs no real backoff
    return WebClient(
        token="xoxb-test",
        base_url=api_url,
        timeout=timeout,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2, interval_calculator=quick),
            ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=quick),
        ],
    )
