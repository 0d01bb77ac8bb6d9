"""Three processes sweep the same occurrence at the same moment: Slack sees one post."""

from __future__ import annotations

import multiprocessing

from tests.schedule.helpers import MONDAY_9_00_20
from tests.schedule.race import sweep_as_a_process
from tests.slack_stand_in import SlackStandIn

PROCESSES = 3


def test_three_racing_processes_post_once(database_url: str, slack: SlackStandIn) -> None:
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(PROCESSES)
    results = spawn.Queue()
    workers = [
        spawn.Process(
            target=sweep_as_a_process,
            args=(
                database_url,
                slack.api_url,
                f"process-{i}",
                MONDAY_9_00_20.isoformat(),
                start,
                results,
            ),
        )
        for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert sorted(outcomes) == [[], [], ["posted"]]
