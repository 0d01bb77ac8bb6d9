"""Slash commands under load: newsbot serve against a bare Bolt echo, same gunicorn settings."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
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

SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench-0000000000-token"
CONCURRENCIES = (1, 8)


@dataclass(frozen=True)
class Contender:
    name: str
    module: str
    env: dict[str, str]
    ready_path: str
    ready_status: int | None


def contenders(api_url: str, folder: Path, facts_file: str) -> list[Contender]:
    slack = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url}
    newsbot = {
        **slack,
        "FACTS_FILE": facts_file,
        "DATABASE_URL": f"sqlite:///{folder / 'serve.db'}",
        "NEWSBOT_SCHEDULER": "off",
        "LOG_LEVEL": "INFO",
    }
    return [
        Contender(
            "newsbot serve (/facts search)", "bench.newsbot_server", newsbot, "/healthz", 200
        ),
        Contender("bare Bolt, defaults (echo)", "bench.bare_bolt", slack, "/", None),
        Contender(
            "bare Bolt, process_before_response (echo)",
            "bench.bare_bolt",
            {**slack, "BARE_BOLT_TUNED": "1"},
            "/",
            None,
        ),
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


def measure(
    contender: Contender, folder: Path, response_url: str, seconds: float, use_wrk: bool
) -> dict[int, LoadResult]:
    server = servers.start(
        contender.name.split(" (")[0].replace(" ", "-"), contender.module, contender.env, folder
    )
    try:
        servers.wait_ready(server, contender.ready_path, contender.ready_status)
        check_answers(server.port, response_url, echo="echo" in contender.name)
        workers = servers.children_of(server.process.pid)
        results = {}
        for connections in CONCURRENCIES:
            pool = signed_pool(SECRET, response_url)
            cpu_before = sum(servers.cpu_seconds(p) for p in workers)
            wall_before = time.perf_counter()
            if use_wrk:
                result = run_wrk(server.port, pool, connections, max(1, math.ceil(seconds)), folder)
            else:
                result = run_python(server.port, pool, connections, seconds)
            server_cpu = sum(servers.cpu_seconds(p) for p in workers) - cpu_before
            wall = time.perf_counter() - wall_before
            results[connections] = LoadResult(
                **{**result.__dict__, "server_cpu_cores": server_cpu / wall}
            )
        return results
    finally:
        server.stop()


def slash_table(measured: dict[str, dict[int, LoadResult]], generator: str) -> Table:
    table = Table(
        "Slash commands under load",
        (
            "app",
            "concurrency",
            "requests",
            "req/s",
            "p50 ms",
            "p99 ms",
            "errors",
            "server CPU (cores)",
            "load generator CPU (cores)",
        ),
    )
    for name, by_concurrency in measured.items():
        for connections, r in sorted(by_concurrency.items()):
            table.add(
                name,
                connections,
                r.requests,
                f"{r.throughput:,.0f}",
                ms(r.p50_s),
                ms(r.p99_s),
                r.errors,
                f"{r.server_cpu_cores:.2f}",
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
        "Same server settings for all three: gunicorn gthread, WEB_CONCURRENCY=1 worker, "
        "WEB_THREADS=8 threads, keep-alive 5 s, no access log; newsbot with the shipped "
        "facts.yaml, SQLite in a temp dir, scheduler off, SLACK_API_URL at the local stand-in "
        "(tests/slack_stand_in.py).",
        'The bare Bolt apps (bench/bare_bolt.py) answer `ack(f"echo {text}")` through '
        "slack_bolt's WSGI adapter; 'defaults' is `App(client=..., signing_secret=...)` as "
        "Bolt's docs show it.",
    ]
    return table


def run(
    api_url: str,
    response_url: str,
    folder: Path,
    facts_file: str,
    seconds: float,
    force_python: bool = False,
) -> tuple[Table, dict[str, dict[int, LoadResult]], str]:
    use_wrk = wrk_available() and not force_python
    generator = (
        "wrk 4.1 (Debian package), 1 thread"
        if use_wrk
        else ("Python fallback (bench/http_load.py), one process per connection")
    )
    measured = {
        c.name: measure(c, folder, response_url, seconds, use_wrk)
        for c in contenders(api_url, folder, facts_file)
    }
    return slash_table(measured, generator), measured, generator
