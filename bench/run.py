"""Run every benchmark once, print the tables, write docs/benchmarks.md.

.venv/bin/python -m bench.run            # the full run (about four minutes)
.venv/bin/python -m bench.run --quick    # seconds: tiny sizes, for CI's smoke test
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py` works as well as `python -m bench.run`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import breakdown, draft_check, processes, reminders, scale, slash
from bench.facts_files import write_generated_elsewhere
from bench.http_load import LoadResult
from bench.report import Table, Target, machine_table, targets_table
from tests.slack_stand_in import SlackStandIn

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
FINDINGS = Path(__file__).resolve().parent / "findings.md"
NEWSBOT, BARE, BARE_EQUAL = slash.NEWSBOT, slash.BARE, slash.BARE_EQUAL


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    seconds: float  # per load run (wrk rounds up to whole seconds)
    ask_facts: int
    startup_runs: int
    ask_runs: int
    due_reminders: int
    deliveries: int
    breakdown_calls: int
    queries: int
    concurrencies: tuple[int, ...] = slash.CONCURRENCIES
    rounds: int = slash.ROUNDS
    archive: tuple[int, int] = (100_000, 1_000)  # facts, stories: the served archive (bench.scale)


FULL = Plan((100, 1_000, 10_000, 100_000), 4, 10_000, 3, 3, 1_000, 200, 500, 300)
QUICK = Plan((100, 1_000), 0.5, 1_000, 1, 1, 100, 10, 30, 40, (1, 8), 1, (2_000, 20))


def search_rows(plan: Plan, folder: Path) -> tuple[Table, dict[int, dict[str, float]], Path]:
    results, raised, ask_facts = [], {}, folder / "missing"
    for size in sorted({*plan.sizes, plan.ask_facts}):
        facts = write_generated_elsewhere(size, folder / f"facts-{size}")
        if size == plan.ask_facts:
            ask_facts = facts
        if size not in plan.sizes:
            continue
        size_mb = facts.stat().st_size / 2**20
        max_bytes = None
        if size_mb > 20:
            raised[size], max_bytes = size_mb, 64 * 2**20
        result = processes.measure_search(facts, plan.queries, max_bytes)
        results.append({**result, "file_mb": size_mb})
    by_size = {int(r["facts"]): r for r in results}
    return processes.search_table(results, raised), by_size, ask_facts


def _ratio(a: LoadResult | None, b: LoadResult | None) -> float | None:
    return a.throughput / b.throughput if a and b and b.throughput else None


def _load_index(search: dict[int, dict[str, float]], size: int) -> float | None:
    row = search.get(size)
    return row["load_s"] + row["index_s"] if row else None


def _p99_ms(search: dict[int, dict[str, float]], size: int) -> float | None:
    row = search.get(size)
    return row["p99_s"] * 1000 if row else None


def targets(
    load: dict[str, dict[int, LoadResult]],
    search: dict[int, dict[str, float]],
    ask: list[processes.AskRun],
    ask_facts: int,
    startup: list[processes.StartUp],
    drafts: draft_check.DraftCheckRun | None = None,
) -> list[Target]:
    ours, bare = load[NEWSBOT].get(8), load[BARE].get(8)
    found: list[Target] = [
        Target(
            "c=8: newsbot serve defaults / bare Bolt echo on gunicorn 2 x 4",
            _ratio(ours, bare),
            0.8,
            "x",
            False,
        ),
        Target("c=8: newsbot serve defaults, p99", ours.p99_s * 1000 if ours else None, 10, "ms"),
    ]
    found += [
        Target("100,000 facts: load + index", _load_index(search, 100_000), 10, "s"),
        Target("100,000 facts: query p99", _p99_ms(search, 100_000), 5, "ms"),
        Target("10,000 facts: load + validate + index", _load_index(search, 10_000), 1.5, "s"),
        Target("10,000 facts: query p99", _p99_ms(search, 10_000), 2, "ms"),
    ]
    if ask_facts == 10_000 and ask:
        found += [
            Target(
                "10,000 facts: newsbot ask wall (median)",
                processes.median([a.seconds for a in ask]),
                3,
                "s",
            ),
            Target(
                "10,000 facts: newsbot ask peak RSS (max)",
                max(a.maxrss_kb for a in ask) / 1024,
                250,
                "MB",
            ),
        ]
    if drafts is not None and drafts.facts == 10_000:
        found += [
            Target("10,000 facts: 1,500-word draft check, first", drafts.first_s, 1, "s"),
            Target(
                "10,000 facts: 1,500-word draft check, warm (median)",
                processes.median(drafts.warm_s),
                1,
                "s",
            ),
            Target("draft check: changed or wrong reported ✓", drafts.false_ok, 0, ""),
        ]
    found += [
        Target(
            "start-up to healthy (median)",
            processes.median([s.seconds for s in startup]) if startup else None,
            2,
            "s",
        ),
        Target(
            "memory at rest, PSS of every process (max)",
            max(s.pss_total_kb for s in startup) / 1024 if startup else None,
            150,
            "MB",
        ),
    ]
    return found


def document(tables: list[Table], quick: bool) -> str:
    head = [
        "# Benchmarks",
        "",
        "Figures from one run of `.venv/bin/python -m bench.run` (it rewrites this file; "
        "`--quick` is the seconds-long smoke CI runs, and does not). All numbers come from "
        "the machine below, with whatever else was running on it at the time: the load "
        "average at the start is in the first table.",
        "",
    ]
    body = [t.markdown() for t in tables]
    findings = FINDINGS.read_text() if FINDINGS.exists() and not quick else ""
    return "\n".join(head) + "\n" + "\n".join(body) + ("\n" + findings if findings else "")


def cpu_probe() -> float:
    """Seconds for a fixed pure-Python loop: how fast this machine is at the moment. On the
    shared machines this project runs on it ranged from 0.19 to 0.36 s within a few minutes
    with nothing else running (30 Nov 2026), and every time in a run moves with it."""
    started = time.perf_counter()
    total = 0
    for n in range(5_000_000):
        total += n
    return time.perf_counter() - started


def run(plan: Plan, out: Path | None, force_python: bool = False) -> list[Table]:
    logging.basicConfig(level=logging.ERROR)  # sweeps log each skipped occurrence
    load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    probe_start = cpu_probe()
    with SlackStandIn() as slack, tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        folder = Path(tmp)
        api, response_url = slack.api_url, slack.response_url()
        slash_table, load, generator = slash.run(
            api,
            response_url,
            folder,
            str(ROOT / "facts.yaml"),
            plan.seconds,
            force_python,
            plan.concurrencies,
            plan.rounds,
        )
        print(slash_table.text(), flush=True)
        cpu_table = breakdown.measure(api, response_url, folder, plan.breakdown_calls)
        startup = processes.measure_startup(api, response_url, folder, plan.startup_runs)
        startup_table = processes.startup_table(startup)
        print(startup_table.text(), flush=True)
        search_table, by_size, ask_path = search_rows(plan, folder)
        print(search_table.text(), flush=True)
        ask = processes.measure_ask(ask_path, folder, plan.ask_runs)
        ask_table = processes.ask_table(ask, plan.ask_facts)
        drafts = draft_check.measure(plan.ask_facts)
        draft_table = draft_check.table(drafts)
        due_times = reminders.measure_due(plan.due_reminders)
        deliveries = reminders.measure_deliveries(plan.deliveries, api, folder, slack.calls)
        reminder_table = reminders.reminders_table(due_times, deliveries)
        facts, stories = plan.archive
        archive = scale.measure(
            facts, stories, api, response_url, folder, plan.startup_runs, plan.queries
        )
        archive_table = scale.table(archive)
        print(archive_table.text(), flush=True)
    machine = machine_table(generator)
    machine.add("load average at start (1, 5, 15 min)", load_avg)
    machine.add(
        "CPU probe (a 5,000,000-step Python loop), at start / at end",
        f"{probe_start:.2f} / {cpu_probe():.2f} s",
    )
    found = targets(load, by_size, ask, plan.ask_facts, startup, drafts) + scale.targets(archive)
    target_table = targets_table(found)
    tables = [
        machine,
        target_table,
        slash_table,
        cpu_table,
        startup_table,
        search_table,
        ask_table,
        draft_table,
        reminder_table,
        archive_table,
    ]
    for table in (cpu_table, ask_table, draft_table, reminder_table, target_table):
        print(table.text(), flush=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(document(tables, plan is QUICK))
        print(f"wrote {out}")
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, 0.5 s load runs with the Python load generator",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"where to write (default {DOC}; --quick writes nothing unless given)",
    )
    parser.add_argument(
        "--python-load",
        action="store_true",
        help="use the Python load generator even when wrk is installed",
    )
    args = parser.parse_args(argv)
    out = args.out if args.out or args.quick else DOC
    # The smoke always uses the Python load generator: CI machines may lack wrk.
    run(QUICK if args.quick else FULL, out, args.python_load or args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
