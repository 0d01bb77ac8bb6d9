"""Signed slash-command load: wrk with a pool of pre-signed requests, or a Python fallback.

Slack signs ``v0:{timestamp}:{body}`` with HMAC-SHA256 and servers accept a timestamp up to
five minutes old. wrk's Lua cannot compute HMAC-SHA256, so each run signs a pool of requests
with the current time just before it starts (runs last seconds, far inside five minutes).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.search_size import percentile

LUA_SCRIPT = Path(__file__).resolve().parent / "wrk_pool.lua"
QUERIES = ("545", "cruelty", "sessions prosecutions", "parnets")
POOL_SIZE = 256
_WRK_JSON = re.compile(r"^WRK_JSON (\{.*\})$", re.MULTILINE)


@dataclass(frozen=True)
class SignedRequest:
    timestamp: str
    signature: str
    body: str

    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": self.timestamp,
            "X-Slack-Signature": self.signature,
        }


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_s: float
    p99_s: float
    errors: int  # connection errors, timeouts and any status other than 2xx
    client_cpu_cores: float  # CPU the load generator used, in cores (1.0 = one core busy)
    server_cpu_cores: float = 0.0
    server_cpu_s: float = 0.0  # user + system seconds of the server's processes over the run
    # The busiest worker's part of all the workers' CPU over the run: 1.0 when one worker did
    # everything (one core busy), 1 / workers when they shared the load evenly.
    busiest_worker: float = 0.0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slash_command_body(command: str, text: str, n: int, response_url: str) -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": "T0NEWSROOM",
            "team_domain": "newsroom",
            "channel_id": "C0NEWSDESK",
            "channel_name": "newsdesk",
            "user_id": f"U0BENCH{n % 50:03d}",
            "user_name": "reporter",
            "command": command,
            "text": text,
            "api_app_id": "A0NEWSBOT",
            "response_url": response_url,
            "trigger_id": f"{n}.{n * 7}.bench{n:06d}",
        }
    )


def signed_pool(
    secret: str, response_url: str, queries: Sequence[str] = QUERIES, size: int = POOL_SIZE
) -> list[SignedRequest]:
    """``size`` distinct /facts requests, signed now, rotating through ``queries``."""
    timestamp = str(int(time.time()))
    pool = []
    for n in range(size):
        body = slash_command_body("/facts", queries[n % len(queries)], n, response_url)
        pool.append(SignedRequest(timestamp, sign(secret, timestamp, body), body))
    return pool


def send(port: int, request: SignedRequest) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/slack/events", request.body, request.headers())
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    port: int, pool: list[SignedRequest], connections: int, seconds: int, folder: Path
) -> LoadResult:
    """One wrk thread: on two cores a second thread would only take CPU from the server."""
    pool_file = folder / f"pool-{port}-{connections}.tsv"
    pool_file.write_text("".join(f"{r.timestamp}\t{r.signature}\t{r.body}\n" for r in pool))
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    command += ["-s", str(LUA_SCRIPT), f"http://127.0.0.1:{port}/slack/events"]
    process = subprocess.Popen(
        command,
        env={**os.environ, "POOL_FILE": str(pool_file)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    found = _WRK_JSON.search(output)
    if process.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")
    data = json.loads(found[1])
    elapsed = data["duration_us"] / 1e6
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return LoadResult(
        requests=data["requests"],
        seconds=elapsed,
        p50_s=data["p50_us"] / 1e6,
        p99_s=data["p99_us"] / 1e6,
        errors=errors,
        client_cpu_cores=(usage.ru_utime + usage.ru_stime) / elapsed,
    )


def _python_client(
    port: int, pool: list[SignedRequest], start_at: float, seconds: float
) -> tuple[list[float], int, float]:
    """One keep-alive connection sending requests back to back (a process of its own)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies: list[float] = []
    errors = 0
    while time.time() < start_at:
        time.sleep(0.001)
    cpu_before = time.process_time()
    deadline = time.perf_counter() + seconds
    n = os.getpid()
    while time.perf_counter() < deadline:
        request = pool[n % len(pool)]
        n += 1
        before = time.perf_counter()
        try:
            connection.request("POST", "/slack/events", request.body, request.headers())
            response = connection.getresponse()
            response.read()
            errors += not 200 <= response.status < 300
        except OSError:
            errors += 1
            connection.close()
        latencies.append(time.perf_counter() - before)
    connection.close()
    return latencies, errors, time.process_time() - cpu_before


def run_python(
    port: int, pool: list[SignedRequest], connections: int, seconds: float
) -> LoadResult:
    """Fallback when wrk is missing: one process per connection, so the GIL is not shared."""
    start_at = time.time() + 0.5  # every client process has started by then
    with ProcessPoolExecutor(max_workers=connections) as executor:
        futures = [
            executor.submit(_python_client, port, pool, start_at, seconds)
            for _ in range(connections)
        ]
        results = [f.result() for f in futures]
    latencies = [x for lat, _, _ in results for x in lat]
    if not latencies:
        raise RuntimeError("the Python load generator sent nothing")
    return LoadResult(
        requests=len(latencies),
        seconds=seconds,
        p50_s=statistics.median(latencies),
        p99_s=percentile(latencies, 0.99),
        errors=sum(e for _, e, _ in results),
        client_cpu_cores=sum(c for _, _, c in results) / seconds,
    )
