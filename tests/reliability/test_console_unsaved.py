"""The console with its database unreachable: it says a change was not saved, never that it
was made (finding 9 of issue 13: it said "Added follow-up" and forgot it at exit)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from tests.reliability.conftest import FACTS, ROOT


def test_the_console_never_reports_a_change_it_could_not_save(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSBOT_"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'no-such-dir' / 'newsbot.db'}",
            "FACTS_FILE": str(FACTS),
            "PYTHONPATH": str(ROOT),
        }
    )
    lines = [
        "/followups add Call the mayor",
        "/followups resolve white-house-response Declined",
        "/followups snooze white-house-response 3d",
        "/followups",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0
    assert "follow-up changes will not be saved" in result.stderr
    assert "Added follow-up" not in result.stdout
    assert "Resolved" not in result.stdout and "Snoozed" not in result.stdout
    assert result.stdout.count("Could not save that") == 3
    assert "Live follow-up status is unavailable" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_the_console_is_its_own_editor_and_says_where_a_follow_up_was_added() -> None:
    from bot.console import console
    from bot.desk.load import load_desk
    from bot.store.memory import MemoryBook

    lines = [
        "/followups add Call the mayor",
        "/followups resolve added-1 Mayor's aide confirmed off the record",
        "/followups reopen added-1",
        "/source added-1",
    ]
    out = io.StringIO()
    assert console(load_desk(FACTS), MemoryBook(), io.StringIO("\n".join(lines)), out) == 0
    source = out.getvalue().split("== Follow-up added-1 ==")[1]
    assert "Added in the console" in source and "from Slack" not in source
    assert "resolved by console: Mayor's aide confirmed off the record" in source
    assert "reopened by console" in source
