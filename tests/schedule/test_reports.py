"""`post-due` and `schedule` output, as a platform's cron log or an editor would read it."""

from __future__ import annotations

import io
from datetime import timedelta

from bot.schedule.reports import run_post_due, run_schedule_preview
from bot.store.db import Database
from tests.schedule.helpers import MONDAY_9_00_20, SATURDAY_9_00_20, retrying_client, shipped_desk
from tests.slack_stand_in import Fault, SlackStandIn

CATCHUP = timedelta(hours=6)


def post_due(database: Database, slack: SlackStandIn, now) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    code = run_post_due(shipped_desk(), database, retrying_client(slack.api_url), now, CATCHUP, out)
    return code, out.getvalue()


def test_post_due_prints_what_it_posted_then_that_nothing_is_due(
    tmp_path, slack: SlackStandIn
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    code, out = post_due(database, slack, MONDAY_9_00_20)
    assert code == 0
    ts = slack.posted_messages()[0]["ts"]
    assert (
        out == f"posted   weekday-key-figures  Mon 09 Mar 2026 09:00 EDT  -> C0123456789  ts {ts}\n"
    )
    code, out = post_due(database, slack, MONDAY_9_00_20 + timedelta(seconds=40))
    assert code == 0
    assert out == (
        "Nothing due at 2026-03-09T09:01:00-04:00. "
        "Next: weekday-key-figures at Tue 10 Mar 2026 09:00 EDT.\n"
    )


def test_post_due_marks_late_posts_and_fails_with_exit_1(tmp_path, slack: SlackStandIn) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    slack.on("chat.postMessage", lambda params: {"ok": False, "error": "not_in_channel"})
    code, out = post_due(database, slack, MONDAY_9_00_20 + timedelta(minutes=90))
    assert code == 1
    assert out.startswith("failed   weekday-key-figures  Mon 09 Mar 2026 09:00 EDT (late)")
    assert "not_in_channel (attempt 1; 4 left)" in out


def test_post_due_survives_a_429(tmp_path, slack: SlackStandIn) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    slack.fail("chat.postMessage", Fault(status=429, retry_after=1))
    code, out = post_due(database, slack, MONDAY_9_00_20)
    assert (code, out.split()[0]) == (0, "posted")
    assert len(slack.calls_to("chat.postMessage")) == 2  # refused, then retried after 1 s
    assert len(slack.posted_messages()) == 1


def test_schedule_preview_lists_the_coming_weekdays_in_local_time() -> None:
    out = io.StringIO()
    assert run_schedule_preview(shipped_desk(), SATURDAY_9_00_20, 7, out) == 0
    assert out.getvalue() == (
        "Reminder posts in the next 7 day(s):\n"
        "\n"
        "weekday-key-figures -> C0123456789  ('0 9 * * mon-fri', America/New_York)\n"
        "  includes: 1 fact(s) (parents-not-located); open follow-ups at post time "
        "(2 curated, plus any added in Slack)\n"
        "  Mon 16 Mar 2026 09:00 EDT\n"
        "  Tue 17 Mar 2026 09:00 EDT\n"
        "  Wed 18 Mar 2026 09:00 EDT\n"
        "  Thu 19 Mar 2026 09:00 EDT\n"
        "  Fri 20 Mar 2026 09:00 EDT\n"
    )


def test_schedule_preview_refuses_a_non_positive_number_of_days() -> None:
    out = io.StringIO()
    assert run_schedule_preview(shipped_desk(), SATURDAY_9_00_20, 0, out) == 2
    assert "--days must be 1 or more" in out.getvalue()
