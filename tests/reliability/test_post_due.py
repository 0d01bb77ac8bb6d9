"""`newsbot post-due`'s exit status and report, as a platform's cron job sees them (issue 13,
finding 8): 0 only when everything due was posted or rightly skipped, 1 when anything failed
or is left for a retry; one line per post; a losing racer says another process has it.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.store.db import Database
from tests.reliability.conftest import NEWSBOT, TOKEN, desk_folder
from tests.slack_stand_in import SlackStandIn

MONDAY = "2026-03-09T09:00:20-04:00"
A_MINUTE_LATER = "2026-03-09T09:01:20-04:00"
OCCURRENCE = datetime.fromisoformat("2026-03-09T09:00:00-04:00")


def post_due(tmp_path: Path, api_url: str, now: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSBOT_"))}
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=api_url,
        FACTS_FILE=str(desk_folder(tmp_path)),
        DATABASE_URL=f"sqlite:///{tmp_path / 'newsbot.db'}",
        LOG_FORMAT="json",
    )
    return subprocess.run(
        [str(NEWSBOT), "post-due", "--now", now],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def refused_api_url() -> Iterator[str]:
    """A local port held but not listening: connections to it are refused at once, and no
    other process on the machine can take the port while the test runs."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}/api/"


def test_a_post_that_cannot_reach_slack_is_one_line_and_exit_1_until_it_is_posted(
    tmp_path: Path, slack: SlackStandIn, refused_api_url: str
) -> None:
    unreachable = refused_api_url
    first = post_due(tmp_path, unreachable, MONDAY)
    assert first.returncode == 1
    [line] = first.stdout.splitlines()
    assert line.startswith("failed   weekday-key-figures  Mon 09 Mar 2026 09:00 EDT")
    assert "Connection refused" in line and "(attempt 1; 4 left)" in line
    assert "Connection refused" not in first.stderr  # said once, on stdout
    assert "Traceback" not in first.stderr

    # A minute later the retry's time has not come: still not posted, so still exit 1.
    waiting = post_due(tmp_path, unreachable, A_MINUTE_LATER)
    assert waiting.returncode == 1
    [line] = waiting.stdout.splitlines()
    assert line.startswith("waiting  weekday-key-figures") and "retries" in line

    # Once Slack answers, the retry posts it and the run succeeds.
    posted = post_due(tmp_path, slack.api_url, "2026-03-09T09:05:20-04:00")
    assert posted.returncode == 0, posted.stdout
    assert posted.stdout.startswith("posted   weekday-key-figures")
    assert len(slack.posted_messages()) == 1


def test_a_losing_racer_says_another_process_has_it(tmp_path: Path, slack: SlackStandIn) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    claim = database.ledger().claim(
        "weekday-key-figures",
        OCCURRENCE,
        owner="web-2:4242",
        now=datetime.fromisoformat(MONDAY),
        channel="C0123456789",
        late=False,
    )
    assert claim is not None
    database.dispose()
    racer = post_due(tmp_path, slack.api_url, MONDAY)
    assert racer.returncode == 0, racer.stdout
    [line] = racer.stdout.splitlines()
    assert line.startswith("elsewhere weekday-key-figures")
    assert "another process has it (web-2:4242)" in line
    assert "Nothing due" not in racer.stdout
    assert slack.posted_messages() == []


def test_a_post_answered_without_a_ts_never_stores_the_text_none(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    slack.on("chat.postMessage", lambda params: {"ok": True, "channel": params["channel"]})
    result = post_due(tmp_path, slack.api_url, MONDAY)
    assert result.returncode == 0, result.stdout
    assert "returned no message ts" in result.stdout and "None" not in result.stdout
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    last = database.ledger().last_outcome()
    database.dispose()
    assert last is not None and last["state"] == "sent" and last["ts"] is None
