"""The benchmark harness still runs end to end (tiny sizes, half-second loads): not its timings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import main


@pytest.mark.timeout(600)  # a hang guard: the half-second loads start real servers
def test_quick_run_writes_every_table_with_its_rows(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"

    assert main(["--quick", "--out", str(out)]) == 0

    doc = out.read_text()
    for heading in (
        "### Machine and versions",
        "### Targets",
        "### Slash commands under load",
        "### Where a /facts request's CPU goes",
        "### Start-up and memory at rest",
        "### Search by number of facts",
        '### newsbot ask "/facts 545" with 1,000 facts',
        "### Draft check: a 1,5",
        "### Reminders",
        "### A newsroom's archive: 2,000 facts in 20 stories, served",
    ):
        assert heading in doc
    for row in (
        "| newsbot serve, defaults | 1 |",
        "| newsbot serve, defaults | 8 |",
        "| bare Bolt echo, gunicorn gthread 2 x 4 | 1 |",
        "| bare Bolt echo, gunicorn gthread 2 x 4 | 8 |",
        "| bare Bolt echo, newsbot's server defaults | 8 |",
        "| 100 | ",
        "| 1,000 | ",
        "| start-up to healthy (median) | ",
        "| memory at rest, PSS of every process (max) | ",
        "| c=8: newsbot serve defaults / bare Bolt echo on gunicorn 2 x 4 | ",
        "| deliveries per second | ",
        "| 2,000 facts served: start-up to healthy (median) | ",
        "| 2,000 facts served: live reload, peak PSS | ",
    ):
        assert row in doc
    load_rows = [
        line.split(" | ")
        for line in doc.splitlines()
        if line.startswith(("| newsbot serve, defaults |", "| bare Bolt echo, "))
    ]
    assert len(load_rows) == 6  # three apps at concurrency 1 and 8
    assert all(cells[7] == "0" for cells in load_rows), "requests failed under load"
    assert "| sweep: reminders due / posted / failed | 10 / 10 / 0 |" in doc
    assert "| changed quotes and wrong figures reported ✓ | 0 of " in doc
    assert "| live reload: requests sent during it that failed | 0 |" in doc
