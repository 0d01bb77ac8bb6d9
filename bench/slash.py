"""Slash commands under load: newsbot serve with its defaults against a bare Bolt echo on
gunicorn 2 x 4 (what a Bolt user deploys) and on newsbot's own server settings."""

from __future__ import annotations

import json
import math
import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench import servers
from bench.http_load import (
    QUERIES,
    LoadResult,
    run_python,
    run_wrk,
    send,
    signed_pool,
    wrk_available,
)
from bench.report import Table, ms
from bot.runtime import WebOptions

SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench-0000000000-token"
CONCURRENCIES = (1, 8, 32)
ROUNDS = 2  # each (app, concurrency) is measured this many times, interleaved with the others
# Settings a platform sets for the server; the "defaults" rows must not inherit them.
SERVER_SETTINGS = ("WEB_CONCURRENCY", "WEB_THREADS")
BARE_2X4 = {"WEB_CONCURRENCY": "2", "WEB_THREADS": "4", "BARE_BOLT_WORKER": "gthread"}


@dataclass(frozen=True)
class Contender:
    name: str
    module: str
    env: dict[str, str]
    ready_path: str
    ready_status: int | None
    echo: bool


def server_defaults() -> str:
    web = WebOptions.from_env({})
    return f"{web.workers} x {web.threads}"


NEWSBOT = "newsbot serve, defaults"
BARE = "bare Bolt echo, gunicorn gthread 2 x 4"
BARE_EQUAL = "bare Bolt echo, newsbot's server defaults"


def contenders(api_url: str, folder: Path, facts_file: str) -> list[Contender]:
    slack = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url}
    newsbot = {
        **slack,
        "FACTS_FILE": facts_file,
        "DATABASE_URL": f"sqlite:///{folder / 'serve.db'}",
        "NEWSBOT_SCHEDULER": "off",
        "LOG_LEVEL": "INFO",
    }
    # Both echoes are Bolt tuned for speed (process_before_response=True: no 10 ms ack poll).
    echo = {**slack, "BARE_BOLT_TUNED": "1"}
    return [
        Contender(NEWSBOT, "bench.newsbot_server", newsbot, "/healthz", 200, False),
        Contender(BARE, "bench.bare_bolt", {**echo, **BARE_2X4}, "/", None, True),
        Contender(BARE_EQUAL, "bench.bare_bolt", echo, "/", None, True),
    ]


def check_answers(port: int, response_url: str, echo: bool) -> None:
    """Before timing anything: every query gets a real answer, not an error page."""
    for request in signed_pool(SECRET, response_url, size=len(QUERIES)):
        status, body = send(port, request)
        text = body.decode(errors="replace")
        if status != 200:
            raise RuntimeError(f"status {status} for {request.body}: {text[:300]}")
        if echo:  # Bolt sends a text-only ack as a plain-text body
            if not text.startswith("echo "):
                raise RuntimeError(f"the echo app answered {text[:300]}")
        elif not json.loads(text).get("blocks"):
            raise RuntimeError(f"newsbot answered without blocks: {text[:300]}")


def _start(contender: Contender, folder: Path, response_url: str) -> servers.Server:
    env = {key: "" for key in SERVER_SETTINGS} | contender.env  # "": unset, the defaults
    server = servers.start(
        contender.name.split(",")[0].replace(" ", "-"), contender.module, env, folder
    )
    try:
        servers.wait_ready(server, contender.ready_path, contender.ready_status)
        # One worker answering is enough for "ready"; the load (and its CPU count, which
        # reads the process tree) waits for all of them.
        expected = WebOptions.from_env({k: v for k, v in env.items() if v}).workers
        servers.wait_for_workers(server, expected)
        check_answers(server.port, response_url, echo=contender.echo)
    except BaseException:
        server.stop()
        raise
    return server


def _one_load(
    server: servers.Server,
    response_url: str,
    connections: int,
    seconds: float,
    use_wrk: bool,
    folder: Path,
) -> LoadResult:
    pool = signed_pool(SECRET, response_url)
    tree, workers = server.tree(), server.workers()
    before = {pid: servers.cpu_seconds(pid) for pid in tree}
    wall_before = time.perf_counter()
    if use_wrk:
        result = run_wrk(server.port, pool, connections, max(1, math.ceil(seconds)), folder)
    else:
        result = run_python(server.port, pool, connections, seconds)
    used = {pid: servers.cpu_seconds(pid) - before[pid] for pid in tree}
    wall = time.perf_counter() - wall_before
    server_cpu = sum(used.values())
    by_worker = [used[pid] for pid in workers if pid in used]
    busiest = max(by_worker) / sum(by_worker) if by_worker and sum(by_worker) else 0.0
    return replace(
        result,
        server_cpu_cores=server_cpu / wall,
        server_cpu_s=server_cpu,
        busiest_worker=busiest,
    )


def merge(runs: list[LoadResult]) -> LoadResult:
    """Rounds of one (app, concurrency) as one row: requests and CPU added up, the mean p50,
    the worst p99 (percentiles of separate runs cannot be merged exactly) and the most
    lopsided split of work between workers."""
    seconds = sum(r.seconds for r in runs)
    return LoadResult(
        requests=sum(r.requests for r in runs),
        seconds=seconds,
        p50_s=statistics.mean(r.p50_s for r in runs),
        p99_s=max(r.p99_s for r in runs),
        errors=sum(r.errors for r in runs),
        client_cpu_cores=sum(r.client_cpu_cores * r.seconds for r in runs) / seconds,
        server_cpu_cores=sum(r.server_cpu_cores * r.seconds for r in runs) / seconds,
        server_cpu_s=sum(r.server_cpu_s for r in runs),
        busiest_worker=max(r.busiest_worker for r in runs),
    )


def measure_all(
    apps: list[Contender],
    folder: Path,
    response_url: str,
    seconds: float,
    use_wrk: bool,
    concurrencies: tuple[int, ...] = CONCURRENCIES,
    rounds: int = ROUNDS,
) -> dict[str, dict[int, LoadResult]]:
    """Every app served at once (idle while the others run), then load runs interleaved:
    for each round and concurrency every app in turn, the order reversed every other time,
    so a change in the machine's other load falls on all of them alike."""
    started: dict[str, servers.Server] = {}
    try:
        for app in apps:
            started[app.name] = _start(app, folder, response_url)
        runs: dict[str, dict[int, list[LoadResult]]] = {a.name: {} for a in apps}
        turn = 0
        for _ in range(rounds):
            for connections in concurrencies:
                order = apps if turn % 2 == 0 else apps[::-1]
                turn += 1
                for app in order:
                    result = _one_load(
                        started[app.name], response_url, connections, seconds, use_wrk, folder
                    )
                    runs[app.name].setdefault(connections, []).append(result)
        return {name: {c: merge(rs) for c, rs in by.items()} for name, by in runs.items()}
    finally:
        for server in started.values():
            server.stop()


def cpu_per_request(result: LoadResult) -> float:
    return result.server_cpu_s / result.requests if result.requests else 0.0


def _cpu_ratio(result: LoadResult, base: LoadResult | None) -> str:
    """How many of the baseline's requests one CPU-second serves, as a share of its own: the
    throughput ratio at equal cores, whichever way each server's work split between them."""
    ours, theirs = cpu_per_request(result), cpu_per_request(base) if base else 0.0
    return f"{theirs / ours:.2f}" if ours and theirs else "-"


def slash_table(measured: dict[str, dict[int, LoadResult]], generator: str) -> Table:
    table = Table(
        "Slash commands under load",
        (
            "app",
            "concurrency",
            "requests",
            "req/s",
            "x bare Bolt 2 x 4",
            "p50 ms",
            "p99 ms",
            "errors",
            "server CPU per request (µs)",
            "x bare Bolt 2 x 4 by CPU per request",
            "server CPU (cores)",
            "busiest worker's share of workers' CPU",
            "load generator CPU (cores)",
        ),
    )
    for connections in sorted({c for by in measured.values() for c in by}):
        base = measured.get(BARE, {}).get(connections)
        for name, by_concurrency in measured.items():
            r = by_concurrency.get(connections)
            if r is None:
                continue
            ratio = f"{r.throughput / base.throughput:.2f}" if base and base.throughput else "-"
            table.add(
                name,
                connections,
                r.requests,
                f"{r.throughput:,.0f}",
                ratio,
                ms(r.p50_s),
                ms(r.p99_s),
                r.errors,
                f"{cpu_per_request(r) * 1e6:,.0f}" if r.requests else "-",
                _cpu_ratio(r, base),
                f"{r.server_cpu_cores:.2f}",
                f"{r.busiest_worker:.0%}",
                f"{r.client_cpu_cores:.2f}",
            )
    table.notes += [
        f"Load generator: {generator}. Requests rotate through /facts queries "
        + ", ".join(f'"{q}"' for q in QUERIES)
        + " (newsbot runs a real search on each).",
        "Every request is signed (v0 HMAC-SHA256). wrk's Lua has no HMAC, so a pool of 256 "
        "requests is signed with the current timestamp just before each run and the Lua "
        "script (bench/wrk_pool.lua) rotates through them; Slack's check accepts timestamps "
        "up to five minutes old, and each run lasts seconds.",
        f"{NEWSBOT}: `newsbot serve` with no WEB_CONCURRENCY or WEB_THREADS set, so "
        f"{server_defaults()} threads on this machine (one worker per core), bot.front's "
        "worker, keep-alive 5 s; the shipped facts.yaml, SQLite in a temp dir, scheduler off, "
        "INFO request log, SLACK_API_URL at the local stand-in (tests/slack_stand_in.py).",
        f"{BARE}: the baseline a Bolt user deploys, gunicorn's own gthread worker with "
        "WEB_CONCURRENCY=2 and WEB_THREADS=4, keep-alive 5 s, no access log. "
        f"{BARE_EQUAL}: the same echo on exactly newsbot's server settings "
        f"(bot.front's worker, {server_defaults()}): like with like.",
        'The bare Bolt echo (bench/bare_bolt.py) answers `ack(f"echo {text}")` through '
        "slack_bolt's WSGI adapter, `App(client=..., signing_secret=..., "
        "process_before_response=True)`: Bolt's own signature check and parsing, no 10 ms "
        "ack() poll.",
        "Requests per second depend on how the load generator's kept-alive connections "
        "split between a server's workers (one worker holding them all uses one core); "
        '"x bare Bolt 2 x 4 by CPU per request" (the baseline\'s CPU per request over the '
        "row's) does not, and \"busiest worker's share\" shows the split: 50% is an even "
        "split over two workers, 100% one worker doing everything (the worst round).",
        f"All apps run at once (idle while another is loaded); each (app, concurrency) is "
        f"measured in {ROUNDS} rounds interleaved with the others, the order reversed every "
        "other run. A row adds the rounds' requests and CPU, shows the mean of their p50s and "
        "the worst of their p99s. Server CPU is user + system time of every process of the "
        "server (master and workers) from /proc, over the run.",
    ]
    return table


def run(
    api_url: str,
    response_url: str,
    folder: Path,
    facts_file: str,
    seconds: float,
    force_python: bool = False,
    concurrencies: tuple[int, ...] = CONCURRENCIES,
    rounds: int = ROUNDS,
) -> tuple[Table, dict[str, dict[int, LoadResult]], str]:
    use_wrk = wrk_available() and not force_python
    generator = (
        "wrk 4.1 (Debian package), 1 thread"
        if use_wrk
        else ("Python fallback (bench/http_load.py), one process per connection")
    )
    apps = contenders(api_url, folder, facts_file)
    measured = measure_all(apps, folder, response_url, seconds, use_wrk, concurrencies, rounds)
    return slash_table(measured, generator), measured, generator
