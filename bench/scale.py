"""A newsroom's archive on one small dyno (issue 16): many stories served by ``newsbot serve``.

The archive (bench/archive_files.py: 100,000 facts in 1,000 story files for the run of
record) is compiled once with ``newsbot check --compile``, as a release step would; then
``newsbot serve`` with its default settings is started on it, timed to its first
``/healthz`` 200, sent signed ``/facts`` requests over real HTTP (one at a time, each query
asked once), measured at rest (PSS of every process), and made to reload a changed story
file while its memory is sampled.

``python -m bench.scale [--facts N] [--stories N]`` prints the tables without the rest of
the benchmark (its figures are not the run of record).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import servers
from bench.archive_files import channel_of, write_archive_elsewhere
from bench.http_load import SignedRequest, sign, slash_command_body
from bench.report import Table, Target, mb, ms
from bench.search_size import percentile, queries_for
from bench.slash import SECRET, SERVER_SETTINGS, TOKEN, server_defaults

ROOT = servers.ROOT
DYNO_MB = 512  # the smallest paid dyno's memory (Heroku Basic / Standard-1X)
_QUOTE = re.compile(r'^    quote: (".*")$', re.MULTILINE)
SAMPLE_S = 0.05  # how often memory is read during a reload


@dataclass(frozen=True)
class Compile:
    seconds: float
    maxrss_kb: int
    compiled_mb: float


@dataclass(frozen=True)
class Reload:
    seconds: float  # from the edit to the first /healthz showing the new version
    peak_pss_kb: int  # every process of the server, the check's child included
    peak_at: str  # what was running at the peak
    before_pss_kb: int
    after_pss_kb: int
    errors: int  # requests during the reload that did not get a 200


@dataclass
class ScaleRun:
    facts: int
    stories: int
    files_mb: float
    compiled: Compile
    startups: list[float] = field(default_factory=list)
    startup_pss_kb: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)  # the server's own, from its log
    errors: int = 0
    rest_pss_kb: int = 0
    rest_processes: int = 0
    reload: Reload | None = None

    def p99_ms(self) -> float | None:
        return percentile(self.latencies, 0.99) * 1000 if self.latencies else None


# --- the parts ------------------------------------------------------------------------------


def compile_archive(facts: Path) -> Compile:
    """``newsbot check --compile`` in a process of its own: wall time and peak memory."""
    newsbot = Path(sys.executable).with_name("newsbot")
    command = [str(newsbot)] if newsbot.exists() else [sys.executable, "-m", "bot"]
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "check", "--compile", str(facts)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        assert process.stdout is not None
        out = process.stdout.read().decode()
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"newsbot check --compile failed: {err.read().decode()[-2000:]}")
    written = Path(out.rsplit("compiled into ", 1)[1].strip())
    return Compile(seconds, usage.ru_maxrss, written.stat().st_size / 2**20)


def server_env(facts: Path, api_url: str, folder: Path, name: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "FACTS_FILE": str(facts),
        "DATABASE_URL": f"sqlite:///{folder / f'{name}.db'}",
        "LOG_LEVEL": "INFO",  # the request log says how long the server took for each
        "LOG_FORMAT": "json",
        **{key: "" for key in SERVER_SETTINGS},  # unset: the defaults
    }


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(servers.children_of(current))
    return found


def tree_pss_kb(pid: int) -> tuple[int, int]:
    """PSS of a process and its descendants, and how many there are."""
    pids = tree(pid)
    return sum(servers.pss_kb(p) for p in pids), len(pids)


def archive_queries(facts: Path, count: int) -> list[str]:
    """Words, pairs, typos and numbers from the archive's own quotes (bench.search_size's
    mix), read from its story files without loading the desk here."""
    quotes: list[str] = []
    for story in sorted((facts.parent / "stories").glob("*.yaml"))[:200]:
        quotes += [json.loads(q) for q in _QUOTE.findall(story.read_text(encoding="utf-8"))]
    return queries_for(quotes, count)


def signed(
    text: str, n: int, response_url: str, command: str = "/facts", channel: str = ""
) -> SignedRequest:
    body = slash_command_body(command, text, n, response_url)
    if channel:  # typed in a story's channel: that story answers first
        body = body.replace("channel_id=C0NEWSDESK", f"channel_id={channel}", 1)
    timestamp = str(int(time.time()))
    return SignedRequest(timestamp, sign(SECRET, timestamp, body), body)


# How reporters ask an archive, in turn: anywhere, in a story's channel, a figure in a
# story's channel, a quote anywhere.
MIX = (("/facts", False), ("/facts", True), ("/figure", True), ("/quote", False))


def mixed(queries: list[str], stories: int, response_url: str) -> list[SignedRequest]:
    """Each query once, as the next command of MIX (story channels taken in turn)."""
    found = []
    for n, query in enumerate(queries):
        command, in_story = MIX[n % len(MIX)]
        channel = channel_of((n * 7) % stories) if in_story else ""
        found.append(signed(query, n, response_url, command, channel))
    return found


def timed_queries(port: int, requests: list[SignedRequest]) -> tuple[list[float], int]:
    """Each request once, one at a time on a kept-alive connection: the latency of each."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    try:
        for request in requests:
            before = time.perf_counter()
            connection.request("POST", "/slack/events", request.body, request.headers())
            response = connection.getresponse()
            body = response.read()
            latencies.append(time.perf_counter() - before)
            errors += response.status != 200 or b'"blocks"' not in body
    finally:
        connection.close()
    return latencies, errors


def logged_latencies(log: Path) -> list[float]:
    """``latency_ms`` of each Slack request in a server's JSON log, in order."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "latency_ms" in record:
            found.append(float(record["latency_ms"]))
    return found


def desk_version(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/healthz")
        return str(json.loads(connection.getresponse().read())["desk"])
    finally:
        connection.close()


def reload_story(server: servers.Server, facts: Path, response_url: str) -> Reload:
    """Edit one story file and sample the server's memory until its new workers serve it."""
    master = server.process.pid
    before_version = desk_version(server.port)
    before, _ = tree_pss_kb(master)
    story = facts.parent / "stories" / "story-0001.yaml"
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("title: Archive story 1\n", "title: Archive story 1b\n", 1))
    edited = time.perf_counter()
    peak, peak_at, errors, n, served_at = 0, "", 0, 0, 0.0
    deadline = edited + 300
    while time.perf_counter() < deadline:
        pss, count = tree_pss_kb(master)
        if pss > peak:
            peak, peak_at = pss, f"{count} processes"
        n += 1
        status = _ask(server.port, signed("parents", 10_000 + n, response_url))
        errors += status != 200
        if not served_at and desk_version(server.port) != before_version:
            served_at = time.perf_counter()
        if served_at and time.perf_counter() - served_at > 3.0:  # the old workers have gone
            break
        time.sleep(SAMPLE_S)
    if not served_at:
        raise RuntimeError(f"the edited desk was never served:\n{server.log_tail()}")
    after, _ = tree_pss_kb(master)
    return Reload(served_at - edited, peak, peak_at, before, after, errors)


def _ask(port: int, request: SignedRequest) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/slack/events", request.body, request.headers())
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


# --- the whole measurement ------------------------------------------------------------------


def measure(
    facts_count: int,
    stories: int,
    api_url: str,
    response_url: str,
    folder: Path,
    runs: int = 3,
    queries: int = 300,
) -> ScaleRun:
    facts = write_archive_elsewhere(facts_count, stories, folder / f"archive-{facts_count}")
    files_mb = sum(p.stat().st_size for p in facts.parent.rglob("*") if p.is_file()) / 2**20
    result = ScaleRun(facts_count, stories, files_mb, compile_archive(facts))
    asked = archive_queries(facts, queries)
    for run in range(runs):
        env = server_env(facts, api_url, folder, f"scale-{run}")
        server = servers.start(f"scale-{run}", "bench.newsbot_server", env, folder)
        try:
            servers.wait_ready(server, "/healthz", 200, timeout=120)
            result.startups.append(server.ready_after)
            time.sleep(0.5)
            result.startup_pss_kb.append(tree_pss_kb(server.process.pid)[0])
            if run == 0:
                requests = mixed(asked, stories, response_url)
                result.latencies, result.errors = timed_queries(server.port, requests)
                time.sleep(0.5)  # at rest: answered, idle (and the log written)
                result.rest_pss_kb, result.rest_processes = tree_pss_kb(server.process.pid)
                result.server_ms = logged_latencies(server.log)[-len(requests) :]
            if run == runs - 1:
                result.reload = reload_story(server, facts, response_url)
        finally:
            server.stop()
    return result


def table(run: ScaleRun) -> Table:
    found = Table(
        f"A newsroom's archive: {run.facts:,} facts in {run.stories:,} stories, served",
        ("measure", "value"),
    )
    found.add("files (facts.yaml, story files, seeds)", f"{run.files_mb:,.1f} MB")
    found.add(
        "newsbot check --compile: wall / peak RSS / compiled file",
        f"{run.compiled.seconds:,.1f} s / {mb(run.compiled.maxrss_kb)} MB / "
        f"{run.compiled.compiled_mb:,.1f} MB",
    )
    for n, (seconds, pss) in enumerate(zip(run.startups, run.startup_pss_kb, strict=True), 1):
        found.add(
            f"start {n}: to /healthz 200 / PSS of every process", f"{ms(seconds)} ms / {mb(pss)} MB"
        )
    if run.latencies:
        found.add(
            f"signed commands over HTTP, {len(run.latencies)} one at a time: p50 / p99 / max",
            f"{ms(percentile(run.latencies, 0.5))} / {ms(percentile(run.latencies, 0.99))} / "
            f"{ms(max(run.latencies))} ms ({run.errors} errors)",
        )
    if run.server_ms:
        found.add(
            "the same, the server's own time (its request log's latency_ms): p50 / p99",
            f"{percentile(run.server_ms, 0.5):,.2f} / {percentile(run.server_ms, 0.99):,.2f} ms",
        )
    found.add(
        "at rest after the queries: PSS of every process",
        f"{mb(run.rest_pss_kb)} MB ({run.rest_processes} processes)",
    )
    if run.reload is not None:
        r = run.reload
        found.add(
            "live reload (one story file edited): edit to new version served", f"{r.seconds:,.1f} s"
        )
        found.add(
            "live reload: PSS of every process before / peak / after",
            f"{mb(r.before_pss_kb)} / {mb(r.peak_pss_kb)} ({r.peak_at}) / {mb(r.after_pss_kb)} MB",
        )
        found.add("live reload: requests sent during it that failed", r.errors)
    found.notes += [
        f"The archive: bench/archive_files.py ({run.stories:,} story files listed in facts.yaml, "
        "two seed files each, bench/gen_facts.py's facts dealt out by source). Compiled first "
        "with `newsbot check --compile`, as a release or build step would.",
        f"`newsbot serve` with its default settings ({server_defaults()} threads here), "
        "scheduler on, SQLite, INFO request log as JSON, SLACK_API_URL at the stand-in; each start "
        "timed from just before the process is started to the first GET /healthz 200; PSS "
        "from /proc/PID/smaps_rollup of the master and every descendant, half a second after.",
        "Queries: bench.search_size's mix (the four given queries, then words, pairs, typos "
        "and numbers from the archive's quotes), each asked once, as signed Slack slash "
        "commands over one kept-alive connection, in turn `/facts` in a channel of no story, "
        "`/facts` in a story's channel (that story first), `/figure` in a story's channel and "
        "`/quote`; the latency is the client's, from the request sent to the answer read.",
        f"Live reload: a story's title is changed in its file; memory is read every "
        f"{SAMPLE_S * 1000:.0f} ms (and a signed /facts sent) until the new version has been "
        "served for 3 s. The peak includes the child process that checks and compiles the "
        "changed desk.",
    ]
    return found


def targets(run: ScaleRun) -> list[Target]:
    label = f"{run.facts:,} facts served"
    startup = sorted(run.startups)[len(run.startups) // 2] if run.startups else None
    memory = max([run.rest_pss_kb, *run.startup_pss_kb]) / 1024 if run.startups else None
    found = [
        Target(f"{label}: start-up to healthy (median)", startup, 2, "s"),
        Target(f"{label}: PSS of every process (max at rest)", memory, DYNO_MB, "MB"),
        Target(f"{label}: query p99, signed commands over HTTP", run.p99_ms(), 5, "ms"),
    ]
    if run.reload is not None:
        peak = run.reload.peak_pss_kb / 1024
        found.append(Target(f"{label}: live reload, peak PSS", peak, DYNO_MB, "MB"))
    return found


def main(argv: list[str] | None = None) -> int:
    from tests.slack_stand_in import SlackStandIn

    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--stories", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with SlackStandIn() as slack, tempfile.TemporaryDirectory(prefix="newsbot-scale-") as tmp:
        run = measure(
            args.facts, args.stories, slack.api_url, slack.response_url(), Path(tmp), args.runs
        )
    from bench.report import targets_table

    print(table(run).text())
    print(targets_table(targets(run)).text())
    print(f"load average at end: {os.getloadavg()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
