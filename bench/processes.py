"""Start-up, memory at rest, ``newsbot ask`` end to end, and search by size: each measured
in processes of their own, so import costs and peak memory are the real ones."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import servers
from bench.http_load import send, signed_pool
from bench.report import Table, mb, ms
from bench.slash import SECRET, SERVER_SETTINGS, TOKEN, server_defaults

ROOT = servers.ROOT


@dataclass(frozen=True)
class StartUp:
    seconds: float
    rss_kb: dict[str, int]  # "master", "worker" (summed if several), "total"
    pss_total_kb: int


def measure_startup(api_url: str, response_url: str, folder: Path, runs: int) -> list[StartUp]:
    """``newsbot serve`` with the shipped facts and default settings (scheduler on)."""
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "FACTS_FILE": str(ROOT / "facts.yaml"),
        "LOG_LEVEL": "WARNING",
        **{key: "" for key in SERVER_SETTINGS},  # unset: the defaults
    }
    found = []
    for run in range(runs):
        env["DATABASE_URL"] = f"sqlite:///{folder / f'startup-{run}.db'}"
        server = servers.start(f"startup-{run}", "bench.newsbot_server", env, folder)
        try:
            servers.wait_ready(server, "/healthz", 200)
            for request in signed_pool(SECRET, response_url, size=20):
                send(server.port, request)
            time.sleep(0.5)  # at rest: answered, idle
            master, *workers = server.tree()
            rss = {"master": servers.rss_kb(master), "worker": sum(map(servers.rss_kb, workers))}
            rss["total"] = rss["master"] + rss["worker"]
            pss = sum(servers.pss_kb(p) for p in (master, *workers))
            found.append(StartUp(server.ready_after, rss, pss))
        finally:
            server.stop()
    return found


def startup_table(runs: list[StartUp]) -> Table:
    table = Table(
        "Start-up and memory at rest (newsbot serve, shipped facts.yaml)",
        (
            "run",
            "process start to /healthz 200 (ms)",
            "RSS master (MB)",
            "RSS worker (MB)",
            "RSS total (MB)",
            "PSS total (MB)",
        ),
    )
    for n, run in enumerate(runs, 1):
        table.add(
            n,
            ms(run.seconds),
            mb(run.rss_kb["master"]),
            mb(run.rss_kb["worker"]),
            mb(run.rss_kb["total"]),
            mb(run.pss_total_kb),
        )
    table.notes += [
        f"Default settings (scheduler on, {server_defaults()} threads here), SQLite in a temp dir, "
        "SLACK_API_URL at the stand-in. Timed from just before the process is started until "
        "the first GET /healthz that answers 200 (polled every 2 ms).",
        "Memory read from /proc/PID/status (VmRSS) of the gunicorn master and its workers "
        "after 20 signed /facts requests and half a second idle. RSS counts pages the forked "
        "workers share with the master once per process; PSS (/proc/PID/smaps_rollup) counts "
        "them once in all.",
    ]
    return table


@dataclass(frozen=True)
class AskRun:
    seconds: float
    maxrss_kb: int
    exit_code: int


def measure_ask(facts: Path, folder: Path, runs: int) -> list[AskRun]:
    """``newsbot ask "/facts 545"`` as a user types it: a fresh process each time."""
    newsbot = Path(sys.executable).with_name("newsbot")
    command = [str(newsbot)] if newsbot.exists() else [sys.executable, "-m", "bot"]
    env = {**os.environ, "FACTS_FILE": str(facts), "DATABASE_URL": f"sqlite:///{folder / 'ask.db'}"}
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "ask", "/facts 545"],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        assert process.stderr is not None
        errors = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        if process.returncode not in (0, 1):  # 1: no match is still an answer
            raise RuntimeError(f"newsbot ask failed ({process.returncode}): {errors[-500:]}")
        found.append(AskRun(seconds, usage.ru_maxrss, process.returncode))
    return found


def ask_table(runs: list[AskRun], facts: int) -> Table:
    table = Table(
        f'newsbot ask "/facts 545" with {facts:,} facts',
        ("run", "wall (ms)", "peak RSS (MB)", "exit"),
    )
    for n, run in enumerate(runs, 1):
        table.add(n, ms(run.seconds), mb(run.maxrss_kb), run.exit_code)
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table.notes.append(
        f"The benchmark's own process peaked at {parent_mb:,.0f} MB when it started these: on "
        "Linux a child's ru_maxrss includes its parent's RSS at fork, so a figure near that "
        "is an upper bound."
    )
    table.notes.append(
        "A fresh process each run: interpreter start, imports, YAML load, "
        "validation and provenance, index, search, reply, SQLite follow-up "
        "states. Peak RSS is the child's ru_maxrss (os.wait4)."
    )
    return table


def measure_search(facts: Path, queries: int, max_bytes: int | None) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.search_size", str(facts), "--queries", str(queries)]
    if max_bytes:
        command += ["--max-bytes", str(max_bytes)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"search at {facts} failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


def search_table(results: list[dict[str, float]], raised: dict[int, float]) -> Table:
    table = Table(
        "Search by number of facts (generated, each size in its own process)",
        (
            "facts",
            "facts.yaml (MB)",
            "load + validate (s)",
            "index (s)",
            "load + index (s)",
            "queries",
            "query p50 (ms)",
            "query p99 (ms)",
            "peak RSS (MB)",
        ),
    )
    for r in results:
        table.add(
            f"{int(r['facts']):,}",
            f"{r['file_mb']:.1f}",
            f"{r['load_s']:.3f}",
            f"{r['index_s']:.3f}",
            f"{r['load_s'] + r['index_s']:.3f}",
            int(r["queries"]),
            ms(r["p50_s"]),
            ms(r["p99_s"]),
            mb(r["maxrss_kb"]),
        )
    table.notes += [
        "Facts from bench/gen_facts.py (deterministic), written as facts.yaml plus 20 seed "
        "files in a temp dir, loaded with bot.desk.load.load_desk (libyaml, validation, the "
        "verbatim provenance check of every quote), then SearchIndex.build.",
        "Queries: the four from the brief (545, cruelty, sessions prosecutions, parnets) and "
        "then words, word pairs, typos and numbers drawn from the facts, each run once "
        "(cold: the index's typo caches start empty). Nearest-rank percentiles.",
    ]
    for facts, size_mb in raised.items():
        table.notes.append(
            f"{facts:,} facts make a {size_mb:.1f} MB facts.yaml, over the loader's 20 MB limit "
            "(bot.desk.load.MAX_BYTES); for this row the limit was raised in the measuring "
            "process so the rest of the path could be timed."
        )
    return table


def median(values: list[float]) -> float:
    return statistics.median(values)
