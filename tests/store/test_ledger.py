"""The deliveries ledger on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.store.db import Database
from bot.store.ledger import Ledger

OCCURRENCE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # Monday 09:00 in New York
NOW = OCCURRENCE + timedelta(seconds=20)
LEASE = timedelta(minutes=5)


def claim(ledger: Ledger, owner: str, now: datetime = NOW, occurrence: datetime = OCCURRENCE):
    return ledger.claim(
        "weekday", occurrence, owner=owner, now=now, channel="C1", late=False, lease=LEASE
    )


def test_the_first_claim_wins_and_a_second_gets_nothing(database: Database) -> None:
    ledger = database.ledger()
    first = claim(ledger, "a")
    assert first is not None and first.attempt == 1 and not first.retry
    assert claim(ledger, "b") is None
    assert claim(ledger, "b", occurrence=OCCURRENCE + timedelta(days=1)) is not None
    row = ledger.get("weekday", OCCURRENCE)
    assert row is not None and row.state == "claimed" and row.claimed_by == "a"


def test_a_sent_occurrence_is_never_claimed_again(database: Database) -> None:
    ledger = database.ledger()
    first = claim(ledger, "a")
    assert first is not None
    assert ledger.mark_sent(first, ts="1700000001.000100", channel="C1", now=NOW)
    assert claim(ledger, "b", now=NOW + timedelta(days=2)) is None
    row = ledger.get("weekday", OCCURRENCE)
    assert row is not None and (row.state, row.message_ts) == ("sent", "1700000001.000100")


def test_an_expired_claim_is_taken_over_only_after_its_lease(database: Database) -> None:
    ledger = database.ledger()
    assert claim(ledger, "dead") is not None  # the process dies here
    assert claim(ledger, "b", now=NOW + LEASE - timedelta(seconds=1)) is None
    takeover = claim(ledger, "b", now=NOW + LEASE + timedelta(seconds=1))
    assert takeover is not None and takeover.attempt == 2 and takeover.retry


def test_a_process_that_lost_its_claim_cannot_overwrite_the_record(database: Database) -> None:
    ledger = database.ledger()
    slow = claim(ledger, "slow")
    assert slow is not None
    takeover = claim(ledger, "b", now=NOW + LEASE * 2)
    assert takeover is not None
    assert ledger.mark_sent(takeover, ts="2.0", channel="C1", now=NOW + LEASE * 2)
    assert not ledger.mark_failed(slow, error="late", now=NOW + LEASE * 3, retry_at=None)
    row = ledger.get("weekday", OCCURRENCE)
    assert row is not None and (row.state, row.message_ts, row.claimed_by) == ("sent", "2.0", "b")


def test_failures_are_retried_after_their_backoff_up_to_the_limit(database: Database) -> None:
    ledger = database.ledger()
    now = NOW
    for attempt in range(1, 4):
        current = ledger.claim(
            "weekday", OCCURRENCE, owner="a", now=now, channel="C1", late=False, max_attempts=3
        )
        assert current is not None and current.attempt == attempt
        retry_at = now + timedelta(minutes=1)
        ledger.mark_failed(current, error="Slack answered HTTP 500", now=now, retry_at=retry_at)
        early = ledger.claim(
            "weekday", OCCURRENCE, owner="a", now=now, channel="C1", late=False, max_attempts=3
        )
        assert early is None  # not before retry_at
        now = retry_at
    # Three attempts made: it stays failed, with the last error, for /healthz and the log.
    assert (
        ledger.claim(
            "weekday", OCCURRENCE, owner="a", now=now, channel="C1", late=False, max_attempts=3
        )
        is None
    )
    row = ledger.get("weekday", OCCURRENCE)
    assert row is not None and (row.state, row.attempts) == ("failed", 3)
    assert row.last_error == "Slack answered HTTP 500"


def test_a_missed_occurrence_is_recorded_as_skipped_once(database: Database) -> None:
    ledger = database.ledger()
    assert ledger.record_skipped("weekday", OCCURRENCE, reason="too old", now=NOW)
    assert not ledger.record_skipped("weekday", OCCURRENCE, reason="too old", now=NOW)
    assert claim(ledger, "a") is None
    row = ledger.get("weekday", OCCURRENCE)
    assert row is not None and (row.state, row.late, row.last_error) == ("skipped", True, "too old")


def test_last_outcome_reports_the_latest_settled_delivery(database: Database) -> None:
    ledger = database.ledger()
    assert ledger.last_outcome() is None
    sent = claim(ledger, "a")
    assert sent is not None
    ledger.mark_sent(sent, ts="1.0", channel="C1", now=NOW)
    later = claim(
        ledger, "a", now=NOW + timedelta(days=1), occurrence=OCCURRENCE + timedelta(days=1)
    )
    assert later is not None
    ledger.mark_failed(
        later,
        error="Slack answered HTTP 404: channel_not_found",
        now=NOW + timedelta(days=1),
        retry_at=None,
    )
    outcome = ledger.last_outcome()
    assert outcome is not None
    assert outcome["state"] == "failed"
    assert outcome["occurrence"] == "2026-03-10T13:00:00+00:00"
    assert outcome["error"] == "Slack answered HTTP 404: channel_not_found"


def test_times_come_back_as_the_same_instant_in_utc(database: Database) -> None:
    ledger = database.ledger()
    local = OCCURRENCE.astimezone(ZoneInfo("America/New_York"))
    held = ledger.claim("weekday", local, owner="a", now=NOW, channel="C1", late=True)
    assert held is not None
    row = ledger.get("weekday", OCCURRENCE)
    assert row is not None
    assert row.occurrence == OCCURRENCE and row.occurrence.tzinfo is UTC
    assert row.lease_until == NOW + timedelta(minutes=5)
    assert row.late is True


def test_threads_racing_for_one_occurrence_get_one_claim(database_url: str) -> None:
    """Eight threads, each with its own engine (as separate processes would have)."""
    databases = [Database(database_url) for _ in range(8)]
    databases[0].create_schema()
    start = threading.Barrier(len(databases))
    winners: list[str] = []

    def race(index: int) -> None:
        ledger = databases[index].ledger()
        start.wait()
        if claim(ledger, f"worker-{index}") is not None:
            winners.append(f"worker-{index}")

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(databases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for db in databases:
        db.dispose()
    assert len(winners) == 1
