"""With several web workers, one runs the reminder scheduler; when it dies another takes over
(issue 17: workers from the cores, without N schedulers doing the same work)."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from tests.reliability.conftest import Served, serve_env
from tests.slack_stand_in import SlackStandIn
from tests.waiting import wait_for


def starts(served: Served) -> list[dict]:
    return [
        entry
        for line in served.text().splitlines()
        if line.startswith("{") and (entry := json.loads(line)).get("event") == "started"
    ]


def takeovers(served: Served) -> list[dict]:
    return [
        json.loads(line)
        for line in served.text().splitlines()
        if line.startswith("{") and "now posts the reminders" in line
    ]


@pytest.mark.slow
def test_one_worker_posts_reminders_and_another_takes_over_when_it_dies(
    serve, tmp_path: Path, slack: SlackStandIn
) -> None:
    env = serve_env(tmp_path, slack, WEB_CONCURRENCY="3", NEWSBOT_SCHEDULER="on")
    served: Served = serve(env)
    wait_for(lambda: len(starts(served)) == 3, timeout=30)
    holders = [s["pid"] for s in starts(served) if s["scheduler"]] + [
        t["pid"] for t in takeovers(served)
    ]
    assert len(holders) == 1, served.text()
    assert sum(not s["scheduler"] for s in starts(served)) == 2  # standing by
    assert served.text().count("reminder scheduler started") == 1

    os.kill(holders[0], signal.SIGKILL)
    # gunicorn starts a replacement; either it or a worker standing by takes the seat.
    wait_for(lambda: len(starts(served)) == 4, timeout=30)
    wait_for(lambda: served.text().count("reminder scheduler started") == 2, timeout=30)
    after = [s["pid"] for s in starts(served)[3:] if s["scheduler"]] + [
        t["pid"] for t in takeovers(served)
    ]
    assert len(after) == 1 and after[0] != holders[0], served.text()
    assert served.request("GET", "/healthz").status == 200
