"""The atheris fuzz targets in fuzz/, run for a bounded time over their committed corpus.

New inputs the fuzzer finds go to a temporary folder, never into the committed corpus; a
crash fails the test with the fuzzer's report (and the input in tmp_path).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.conftest import ROOT

pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris)")

SECONDS = int(os.environ.get("NEWSBOT_FUZZ_SECONDS", "12"))
TARGETS = {"load": "fuzz_load.py", "commands": "fuzz_commands.py"}


@pytest.mark.slow
def test_fuzz_targets_find_no_crash_in_bounded_time(tmp_path: Path, record_property) -> None:
    runs = {}
    for name, script in TARGETS.items():  # both at once: one core each
        found = tmp_path / name
        found.mkdir()
        runs[name] = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "fuzz" / script),
                str(found),
                str(ROOT / "fuzz" / "corpus" / name),
                f"-max_total_time={SECONDS}",
                f"-artifact_prefix={tmp_path}/{name}-",
                "-print_final_stats=1",
                "-rss_limit_mb=1024",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    figures = {}
    for name, process in runs.items():
        output, _ = process.communicate(timeout=SECONDS + 60)
        assert process.returncode == 0, output[-4000:]
        executions = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
        assert executions, output[-2000:]
        figures[name] = int(executions[1])
    record_property("fuzz_executions", figures)
    print(f"fuzz executions in {SECONDS}s:", figures)
