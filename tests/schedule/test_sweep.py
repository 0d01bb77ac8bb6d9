"""Sweeps against the Slack stand-in and a real database: posted once, late, skipped, retried."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.desk.model import Action, Desk, FollowUpEvent
from bot.replies.reminder import reminder_reply
from bot.schedule.sweep import EVENT_TYPE, SweepReport, post_reminder, sweep
from bot.store.db import Database
from tests.schedule.helpers import (
    MONDAY_9_00_20,
    NY,
    REMINDER_ID,
    SATURDAY_9_00_20,
    SCHEDULED,
    retrying_client,
    shipped_desk,
    with_reminders,
)
from tests.slack_stand_in import Fault, SlackStandIn
from tests.waiting import wait_for

CATCHUP = timedelta(hours=6)


def run(
    database: Database,
    slack: SlackStandIn,
    now: datetime,
    *,
    desk: Desk | None = None,
    owner: str = "test-process",
    timeout: float = 5,
) -> SweepReport:
    return sweep(
        desk or shipped_desk(),
        database.book(),
        database.ledger(),
        retrying_client(slack.api_url, timeout=timeout),
        now,
        CATCHUP,
        owner,
    )


def posts(slack: SlackStandIn) -> list[dict]:
    return [c.params for c in slack.calls_to("chat.postMessage")]


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    yield database
    database.dispose()


# --- the "Done when" -------------------------------------------------------------


def test_monday_at_nine_posts_one_reminder_with_the_figure_and_the_follow_up(
    database: Database, slack: SlackStandIn
) -> None:
    report = run(database, slack, MONDAY_9_00_20)
    (post,) = posts(slack)
    assert post["channel"] == "C0123456789"
    assert "545" in str(post["blocks"]) and "White House" in str(post["blocks"])
    assert "545" in post["text"]
    assert post["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"reminder_id": REMINDER_ID, "occurrence": "2026-03-09T13:00:00+00:00"},
    }
    assert [(o.result, o.late) for o in report.outcomes] == [("posted", False)]
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and row.state == "sent"
    assert row.message_ts == slack.posted_messages()[0]["ts"]


def test_running_again_posts_nothing(database: Database, slack: SlackStandIn) -> None:
    run(database, slack, MONDAY_9_00_20)
    again = run(database, slack, MONDAY_9_00_20 + timedelta(seconds=30))
    restarted = run(database, slack, MONDAY_9_00_20 + timedelta(hours=2), owner="new-process")
    assert again.outcomes == [] and restarted.outcomes == []
    assert len(posts(slack)) == 1


def test_ninety_minutes_late_posts_once_marked_late(
    database: Database, slack: SlackStandIn
) -> None:
    report = run(database, slack, MONDAY_9_00_20 + timedelta(minutes=90))
    (post,) = posts(slack)
    assert "Late: scheduled 09:00, posted 10:30" in str(post["blocks"])
    assert [(o.result, o.late) for o in report.outcomes] == [("posted", True)]
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and row.late


def test_saturday_posts_nothing_for_a_weekday_reminder(
    database: Database, slack: SlackStandIn
) -> None:
    report = run(database, slack, SATURDAY_9_00_20)
    assert posts(slack) == []
    # Friday's 09:00 was a day ago, long past the catch-up window: recorded, never posted.
    assert [
        (o.result, o.occurrence.astimezone(NY).strftime("%a %H:%M")) for o in report.outcomes
    ] == [("skipped", "Fri 09:00")]


# --- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault(status=500), Fault(status=503), Fault(drop=True)],
    ids=["500", "503", "dropped-connection"],
)
def test_a_passing_fault_is_recorded_then_retried_after_looking_and_delivered_once(
    sqlite_database: Database, slack: SlackStandIn, fault: Fault
) -> None:
    database = sqlite_database  # the ledger itself is tested on both backends
    slack.fail("chat.postMessage", fault)
    first = run(database, slack, MONDAY_9_00_20)
    (failed,) = first.failed
    assert "attempt 1; 4 left" in failed.detail
    assert len(slack.calls_to("chat.postMessage")) == 1  # no blind resend inside the client
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and (row.state, row.attempts) == ("failed", 1)
    assert "xoxb" not in (row.last_error or "")
    assert database.ledger().last_outcome()["state"] == "failed"  # type: ignore[index]

    too_soon = run(database, slack, MONDAY_9_00_20 + timedelta(seconds=30))
    assert too_soon.outcomes == []  # the backoff has not run out
    later = run(database, slack, MONDAY_9_00_20 + timedelta(minutes=2))
    assert [o.result for o in later.outcomes] == ["posted"]
    assert len(slack.posted_messages()) == 1
    assert slack.methods()[-2:] == ["conversations.history", "chat.postMessage"]


def test_a_post_slack_got_but_whose_answer_was_lost_is_found_not_reposted(
    sqlite_database: Database, slack: SlackStandIn
) -> None:
    database = sqlite_database
    slack.fail("chat.postMessage", Fault(drop_after=True))
    first = run(database, slack, MONDAY_9_00_20)
    assert [o.result for o in first.outcomes] == ["failed"]
    later = run(database, slack, MONDAY_9_00_20 + timedelta(minutes=2))
    assert [o.result for o in later.outcomes] == ["found"]
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.posted_messages()) == 1


def test_an_error_slack_keeps_giving_stops_after_the_attempts(
    sqlite_database: Database, slack: SlackStandIn
) -> None:
    database = sqlite_database  # the ledger itself is tested on both backends
    slack.on("chat.postMessage", lambda params: {"ok": False, "error": "channel_not_found"})
    now = MONDAY_9_00_20
    results = []
    for _ in range(8):
        results += [o.result for o in run(database, slack, now).outcomes]
        now += timedelta(minutes=20)
    assert results == ["failed"] * 5
    assert len(posts(slack)) == 5
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and (row.state, row.attempts) == ("failed", 5)
    assert row.last_error == "Slack answered HTTP 200: channel_not_found"


def test_a_timeout_after_slack_got_the_post_does_not_post_twice(
    sqlite_database: Database, slack: SlackStandIn
) -> None:
    database = sqlite_database  # the ledger itself is tested on both backends
    # Slack accepts the message, but only answers after the client has given up.
    answer = threading.Event()
    slack.fail("chat.postMessage", Fault(hold=answer))
    try:
        first = run(database, slack, MONDAY_9_00_20, timeout=0.3)
    finally:
        answer.set()
    assert [o.result for o in first.outcomes] == ["failed"]
    wait_for(lambda: len(slack.posted_messages()) == 1)  # the slow answer lands
    later = run(database, slack, MONDAY_9_00_20 + timedelta(minutes=2))
    assert [o.result for o in later.outcomes] == ["found"]
    assert len(slack.posted_messages()) == 1
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and row.state == "sent"
    assert row.message_ts == slack.posted_messages()[0]["ts"]


# --- crashes ------------------------------------------------------------------------------


def test_a_claim_left_by_a_dead_process_is_delivered_after_its_lease(
    database: Database, slack: SlackStandIn
) -> None:
    claimed = database.ledger().claim(
        REMINDER_ID, SCHEDULED, owner="dead", now=MONDAY_9_00_20, channel="C0123456789", late=False
    )
    assert claimed is not None  # ... and the process is killed before it posts
    assert run(database, slack, MONDAY_9_00_20 + timedelta(minutes=1)).outcomes == []
    assert posts(slack) == []
    report = run(database, slack, MONDAY_9_00_20 + timedelta(minutes=6))
    assert [o.result for o in report.outcomes] == ["posted"]
    assert len(slack.posted_messages()) == 1
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and (row.state, row.attempts, row.claimed_by) == (
        "sent",
        2,
        "test-process",
    )


def test_a_crash_after_posting_but_before_recording_is_not_posted_again(
    database: Database, slack: SlackStandIn
) -> None:
    desk = shipped_desk()
    (reminder,) = desk.reminders
    claimed = database.ledger().claim(
        REMINDER_ID,
        SCHEDULED,
        owner="dead",
        now=MONDAY_9_00_20,
        channel=reminder.channel,
        late=False,
    )
    assert claimed is not None
    reply = reminder_reply(desk, reminder, [], MONDAY_9_00_20, SCHEDULED)
    assert reply is not None
    ts = post_reminder(retrying_client(slack.api_url), reminder, SCHEDULED, reply)
    # ... killed here: Slack has the message, the ledger still says "claimed".
    report = run(database, slack, MONDAY_9_00_20 + timedelta(minutes=6))
    assert [(o.result, o.ts) for o in report.outcomes] == [("found", ts)]
    assert len(slack.posted_messages()) == 1
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and (row.state, row.message_ts) == ("sent", ts)


def test_a_claim_too_old_to_retry_is_given_up_not_posted(
    database: Database, slack: SlackStandIn
) -> None:
    database.ledger().claim(
        REMINDER_ID, SCHEDULED, owner="dead", now=MONDAY_9_00_20, channel="C0123456789", late=False
    )
    report = run(database, slack, MONDAY_9_00_20 + timedelta(hours=7))
    assert [o.result for o in report.outcomes] == ["failed"]
    assert "catch-up window has passed" in report.outcomes[0].detail
    assert posts(slack) == []


# --- nothing to say, too old --------------------------------------------------------------


def test_nothing_to_say_is_recorded_as_skipped_and_not_posted(
    database: Database, slack: SlackStandIn
) -> None:
    desk = shipped_desk()
    only_followups = dataclasses.replace(desk.reminders[0], include=("followups",))
    book = database.book()
    for item in desk.followups:
        book.record(
            FollowUpEvent(item.id, Action.RESOLVED, "U1", MONDAY_9_00_20 - timedelta(days=1))
        )
    report = run(database, slack, MONDAY_9_00_20, desk=with_reminders(desk, only_followups))
    assert [(o.result, o.detail) for o in report.outcomes] == [
        ("skipped", "nothing to say: no figures and no open follow-ups")
    ]
    assert posts(slack) == []
    row = database.ledger().get(REMINDER_ID, SCHEDULED)
    assert row is not None and row.state == "skipped"


def test_a_miss_beyond_the_catchup_window_is_skipped_once(
    database: Database, slack: SlackStandIn
) -> None:
    seven_hours_late = MONDAY_9_00_20 + timedelta(hours=7)
    first = run(database, slack, seven_hours_late)
    assert [(o.result, o.detail) for o in first.outcomes] == [
        ("skipped", "missed by 7h, beyond the catch-up window of 6h")
    ]
    assert run(database, slack, seven_hours_late + timedelta(minutes=1)).outcomes == []
    assert posts(slack) == []


def test_a_follow_up_title_cannot_ping_the_channel_through_a_reminder(
    sqlite_database: Database, slack: SlackStandIn
) -> None:
    book = sqlite_database.book()
    book.add_followup(
        "<!channel> call <@U0NOBODY> back", "U0EDITOR1", MONDAY_9_00_20, MONDAY_9_00_20.date()
    )
    run(sqlite_database, slack, MONDAY_9_00_20)
    [post] = posts(slack)
    everything = post["text"] + str(post["blocks"])
    assert "&lt;!channel&gt;" in post["text"]
    assert "<!channel>" not in everything and "<@U0NOBODY>" not in everything


def test_after_an_outage_a_frequent_reminder_posts_once_not_once_per_missed_run(
    sqlite_database: Database, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    (shipped,) = shipped_desk().reminders
    every_15 = dataclasses.replace(shipped, cron="*/15 * * * *")
    desk = with_reminders(shipped_desk(), every_15)
    # First start at 09:00:20: the last day's runs are all "missed".
    with caplog.at_level("WARNING", logger="bot.schedule.sweep"):
        report = run(sqlite_database, slack, MONDAY_9_00_20, desk=desk)
    assert len(posts(slack)) == 1
    [posted] = report.posted
    assert posted.occurrence == SCHEDULED and not posted.late
    assert len(report.skipped) > 50  # recorded, so a restart does not reconsider them
    assert len([r for r in caplog.records if "not posted" in r.getMessage()]) == 1
    again = run(sqlite_database, slack, MONDAY_9_00_20 + timedelta(minutes=1), desk=desk)
    assert again.outcomes == [] and len(posts(slack)) == 1


def test_claims_taken_late_in_a_slow_sweep_get_a_full_lease(
    sqlite_database: Database, slack: SlackStandIn
) -> None:
    (shipped,) = shipped_desk().reminders
    second = dataclasses.replace(shipped, id="second-reminder")
    desk = with_reminders(shipped_desk(), shipped, second)
    slack.fail("chat.postMessage", Fault(delay=1.2))  # the first post is slow
    lease = timedelta(seconds=1)
    sweep(
        desk,
        sqlite_database.book(),
        sqlite_database.ledger(),
        retrying_client(slack.api_url),
        MONDAY_9_00_20,
        CATCHUP,
        "slow-process",
        lease=lease,
    )
    row = sqlite_database.ledger().get("second-reminder", SCHEDULED)
    assert row is not None and row.state == "sent"
    # Claimed after the slow post: its lease counts from then, not from the sweep's start.
    assert row.created_at - MONDAY_9_00_20 >= timedelta(seconds=1.2)
