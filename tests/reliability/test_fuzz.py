"""The atheris fuzz targets in fuzz/, run for a fixed number of inputs over their committed corpus.

The amount of work is fixed (libFuzzer's -runs), not the time: on a busy machine the test
takes longer but does, and proves, the same. New inputs the fuzzer finds go to a temporary
folder, never into the committed corpus; a crash fails the test with the fuzzer's report
(and the input in tmp_path).
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

# Inputs per target, the committed corpus included: 20 to 40 s of fuzzing each on a
# loaded two-core machine; NEWSBOT_FUZZ_RUNS raises it for a longer local hunt.
RUNS = {
    "load": int(os.environ.get("NEWSBOT_FUZZ_RUNS", "1000")),
    "commands": int(os.environ.get("NEWSBOT_FUZZ_RUNS", "4000")),
}
TARGETS = {"load": "fuzz_load.py", "commands": "fuzz_commands.py"}
# Not a speed target: only there so a hung fuzzer cannot hang CI. The work above takes
# well under a minute even with the machine's cores shared several ways.
HUNG_AFTER_SECONDS = 600


@pytest.mark.slow
@pytest.mark.timeout(HUNG_AFTER_SECONDS + 60)
def test_fuzz_targets_find_no_crash_in_bounded_runs(tmp_path: Path, record_property) -> None:
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
                f"-runs={RUNS[name]}",
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
        output, _ = process.communicate(timeout=HUNG_AFTER_SECONDS)
        assert process.returncode == 0, output[-4000:]
        executions = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
        assert executions, output[-2000:]
        figures[name] = int(executions[1])
        # The fuzzer did the work asked of it, not just the corpus.
        assert figures[name] >= RUNS[name], output[-2000:]
    record_property("fuzz_executions", figures)
    print("fuzz executions:", figures)
