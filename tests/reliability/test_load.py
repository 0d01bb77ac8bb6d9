"""Load: 20,000 signed slash commands at concurrency 16 against `newsbot serve` (gunicorn).

Zero errors, and the worker's resident memory after all of them is at most 10% above its
memory after the first 1,000 (warm caches, pools and Bolt's thread pool by then).
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    REPORTER,
    command_form,
    serve_env,
    signed_headers,
)
from tests.slack_stand_in import SlackStandIn

TOTAL = int(os.environ.get("NEWSBOT_LOAD_TOTAL", "20000"))
WARM_UP = 1_000
CONCURRENCY = 16
# A mix of what reporters type: hits, misses, typos, filters, help, follow-up lists.
QUERIES = [
    ("/facts", "545"),
    ("/facts", ""),
    ("/quote", "cruelty"),
    ("/figure", "parents"),
    ("/followups", "list"),
    ("/facts", "parnets locatd"),
    ("/quote", "by:horowitz"),
    ("/source", "parents-not-located"),
    ("/facts", "zebra crossing"),
    ("/figure", "help"),
]


class Client:
    """One keep-alive connection per worker thread of the pool."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def command(self, n: int) -> str | None:
        """None when the reply is a 200 with an ephemeral JSON reply; else what went wrong."""
        command, text = QUERIES[n % len(QUERIES)]
        body = command_form(command, text, user=REPORTER)
        try:
            self.connection.request("POST", "/slack/events", body, signed_headers(body))
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()  # reconnect on the next request, and count the error
            return f"{type(error).__name__}: {error}"
        if response.status != 200:
            return f"HTTP {response.status}: {data[:200]!r}"
        if json.loads(data).get("response_type") != "ephemeral":
            return f"unexpected reply: {data[:200]!r}"
        return None


def run_batch(port: int, numbers: range) -> list[str]:
    clients: dict[int, Client] = {}

    def one(n: int) -> str | None:
        import threading

        key = threading.get_ident()
        if key not in clients:
            clients[key] = Client(port)
        return clients[key].command(n)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        errors = [e for e in pool.map(one, numbers, chunksize=64) if e is not None]
    for client in clients.values():
        client.connection.close()
    return errors


@pytest.mark.slow
@pytest.mark.timeout(600)  # a hang guard: 40 s on a loaded two-core machine
def test_20000_signed_commands_at_concurrency_16_without_errors_or_memory_growth(
    serve, tmp_path: Path, slack: SlackStandIn, record_property
) -> None:
    served = serve(serve_env(tmp_path, slack))
    started = time.monotonic()
    errors = run_batch(served.port, range(WARM_UP))
    rss_warm = served.rss_kb()
    errors += run_batch(served.port, range(WARM_UP, TOTAL))
    elapsed = time.monotonic() - started
    rss_end = served.rss_kb()
    figures = {
        "commands": TOTAL,
        "seconds": round(elapsed, 1),
        "per_second": round(TOTAL / elapsed),
        "rss_after_1000_kb": rss_warm,
        "rss_after_all_kb": rss_end,
        "ratio": round(rss_end / rss_warm, 3),
    }
    record_property("load", figures)
    print("load figures:", figures)
    assert list(itertools.islice(errors, 5)) == [], f"{len(errors)} errors"
    assert rss_end <= 1.10 * rss_warm, figures
    assert served.request("GET", "/healthz").status == 200
