"""A 1,500-word draft checked against a generated desk: how long, and never a false ✓.

The draft is written from the desk: quotations verbatim (credited to their speaker), the
same quotations with one word changed, figures with their value and with a wrong one, and
plain sentences in between. Every changed quotation and wrong figure must come out ✗ or ?,
never ✓; the run fails loudly otherwise.

.venv/bin/python -m bench.draft_check            # 10,000 facts
.venv/bin/python -m bench.draft_check --facts 1000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_facts import generate_desk
from bench.report import Table
from bot.desk.model import Desk, Fact
from bot.desk.verify import DraftChecker

DRAFT_WORDS = 1_500
TODAY = date(2026, 11, 30)
FILLER = (
    "Officials at the department reviewed the program records for the county office, and "
    "the families said the court would hear the case next month."
)


@dataclass(frozen=True)
class DraftCheckRun:
    facts: int
    words: int
    findings: int
    first_s: float  # a fresh checker: the desk's indexes built, then the draft checked
    first_cpu_s: float
    warm_s: list[float]  # the same checker again (as /check and the shortcut use it)
    warm_cpu_s: list[float]
    false_ok: int  # changed quotations and wrong figures reported as ✓ (must be 0)
    expected_bad: int


def write_draft(desk: Desk, words: int = DRAFT_WORDS, seed: int = 15) -> tuple[str, set[int]]:
    """A draft of about ``words`` words, and the lines that must not come out ✓."""
    rng = random.Random(seed)
    quotes = [f for f in desk.facts if f.kind == "quote"]
    figures = [f for f in desk.figures() if f.value and f.unit and f.label]
    lines: list[str] = []
    bad: set[int] = set()
    count = 0
    while count < words:
        choice = len(lines) % 5
        if choice == 0:
            line = _quoted(rng.choice(quotes), changed=False, rng=rng)
        elif choice == 1:
            line, _ = _quoted(rng.choice(quotes), changed=True, rng=rng), bad.add(len(lines) + 1)
        elif choice == 2:
            line = _figure(rng.choice(figures), wrong=False)
        elif choice == 3:
            line, _ = _figure(rng.choice(figures), wrong=True), bad.add(len(lines) + 1)
        else:
            line = FILLER
        lines.append(line)
        count += len(line.split())
    return "\n".join(lines) + "\n", bad


def _quoted(fact: Fact, changed: bool, rng: random.Random) -> str:
    words = fact.quote.rstrip(".").split()
    if changed:
        at = rng.randrange(len(words))
        words[at] = "zqxjv" if words[at].lower() != "zqxjv" else "vjxqz"
    return f'"{" ".join(words)}," {fact.attribution} said.'


def _figure(fact: Fact, wrong: bool) -> str:
    value = int(fact.value or "0") + (1 if wrong else 0)
    return f"The desk counts {value} {fact.unit} for {fact.label}."


def measure(facts: int, runs: int = 5) -> DraftCheckRun:
    desk = generate_desk(facts)
    draft, bad = write_draft(desk)
    started, cpu = time.perf_counter(), time.process_time()
    checker = DraftChecker(desk)
    report = checker.check(draft, TODAY)
    first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        checker.check(draft, TODAY)
        warm.append(time.perf_counter() - started)
        warm_cpu.append(time.process_time() - cpu)
    false_ok = sum(1 for f in report.findings if f.status == "ok" and f.line in bad)
    return DraftCheckRun(
        facts=facts,
        words=len(draft.split()),
        findings=len(report.findings),
        first_s=first,
        first_cpu_s=first_cpu,
        warm_s=warm,
        warm_cpu_s=warm_cpu,
        false_ok=false_ok,
        expected_bad=len(bad),
    )


def table(run: DraftCheckRun) -> Table:
    result = Table(
        f"Draft check: a {run.words:,}-word draft against {run.facts:,} facts",
        ("measure", "value"),
    )
    result.add("findings", f"{run.findings:,}")
    result.add(
        "first check, indexes built: wall / CPU (s)", f"{run.first_s:.3f} / {run.first_cpu_s:.3f}"
    )
    result.add(
        "warm check, median: wall / CPU (s)",
        f"{statistics.median(run.warm_s):.3f} / {statistics.median(run.warm_cpu_s):.3f}",
    )
    result.add("warm check, max wall (s)", f"{max(run.warm_s):.3f}")
    result.add(
        "changed quotes and wrong figures reported ✓", f"{run.false_ok} of {run.expected_bad}"
    )
    result.notes.append(
        "In process, on the generated desk (bench/gen_facts.py). The first check builds the "
        "checker (sources' word positions, figure index); /check and the shortcut keep it. "
        "CPU is the process's own time: on a shared machine wall time includes waiting."
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.draft_check", description=__doc__)
    parser.add_argument("--facts", type=int, default=10_000)
    args = parser.parse_args(argv)
    run = measure(args.facts)
    print(table(run).text())
    return 1 if run.false_ok else 0


if __name__ == "__main__":
    sys.exit(main())
