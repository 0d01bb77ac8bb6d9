"""Where one /facts request's CPU goes, measured in-process without HTTP or gunicorn.

Each stage is timed on its own over the same rotating queries, so the table reads as a
budget: what the search, the reply, the Block Kit rendering, the follow-up states, the log
line and Bolt itself cost per request, next to the bare Bolt echo. Each app's loggers are set
as its served process sets them (newsbot: bot.logs.configure, Bolt's own at WARNING; the
echo: Bolt's defaults), so both pay what they pay when served.

    .venv/bin/python -m bench.breakdown              # the table (as bench.run prints it)
    .venv/bin/python -m bench.breakdown --profile 40 # and cProfile of newsbot's WSGI request
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.bare_bolt import build_echo_app
from bench.http_load import QUERIES, SignedRequest, signed_pool
from bench.report import Table
from bench.slash import SECRET, TOKEN
from bot.config import Settings
from bot.desk.load import load_desk
from bot.logs import configure
from bot.replies.blocks import message_json, render_blocks
from bot.replies.router import Router
from bot.slack.bolt_app import build_app
from bot.slack.client import make_client
from bot.store.db import Database
from bot.web import log_slack_request, make_wsgi_handler, parse_slack_body

NOW = datetime(2021, 2, 1, 15, 0, tzinfo=UTC)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def per_call(action: Callable[[int], object], calls: int) -> float:
    """CPU seconds per call (this thread's, so other work on a shared machine counts less
    than in wall time), after a few warm-up calls."""
    for n in range(10):
        action(n)
    started = time.thread_time()
    for n in range(calls):
        action(n)
    return (time.thread_time() - started) / calls


def environ_for(request: SignedRequest) -> dict[str, Any]:
    body = request.body.encode()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": request.timestamp,
        "HTTP_X_SLACK_SIGNATURE": request.signature,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def wsgi_call(app: WsgiApp, pool: list[SignedRequest]) -> Callable[[int], object]:
    statuses: list[str] = []

    def start_response(status: str, headers: object, exc_info: object = None) -> None:
        statuses.append(status)

    def call(n: int) -> object:
        body = b"".join(app(environ_for(pool[n % len(pool)]), start_response))
        if not statuses[-1].startswith("200"):
            raise RuntimeError(f"{statuses[-1]}: {body[:300]!r}")
        return body

    return call


FORM = "application/x-www-form-urlencoded"


def log_line(payload: dict[str, Any] | str) -> None:
    assert isinstance(payload, dict)
    log_slack_request("0123abcd", "http", payload, 200, 0.0012)


def served_as(level: str | None) -> None:
    """Loggers as ``newsbot serve`` sets them at ``level`` (None: as the echo's process has
    them, Bolt's defaults and the root logger at WARNING)."""
    if level is not None:
        configure(level, "text", secrets=(TOKEN, SECRET), stream=io.StringIO())
        return
    configure("WARNING", "text", stream=io.StringIO())
    for name in ("slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def newsbot_request(
    api_url: str, response_url: str, folder: Path
) -> tuple[Callable[[int], object], Callable[[], None]]:
    """One signed /facts request through newsbot's WSGI app (rotating the pool), and what
    closes its database."""
    settings = _settings(api_url, folder)
    database = Database(settings.database_url)
    database.create_schema()
    book = database.book()
    desk = load_desk(settings.facts_file)
    router = Router(desk, book)
    app = build_app(settings, desk, book, make_client(settings), router)
    newsbot = make_wsgi_handler(settings, app, lambda: (200, {}))
    return wsgi_call(newsbot, signed_pool(SECRET, response_url)), database.dispose


def _settings(api_url: str, folder: Path) -> Settings:
    return Settings(
        facts_file=str(Path(__file__).resolve().parent.parent / "facts.yaml"),
        database_url=f"sqlite:///{folder / 'breakdown.db'}",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
        scheduler=False,
    )


def profile(api_url: str, response_url: str, folder: Path, calls: int, top: int) -> str:
    """cProfile of ``calls`` newsbot requests (INFO log line, written on this thread): the
    ``top`` functions by cumulative and by own time."""
    call, close = newsbot_request(api_url, response_url, folder)
    served_as("INFO")
    try:
        for n in range(50):
            call(n)
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [call(n) for n in range(calls)])
    finally:
        served_as("WARNING")
        close()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def measure(api_url: str, response_url: str, folder: Path, calls: int) -> Table:
    settings = _settings(api_url, folder)
    desk = load_desk(settings.facts_file)
    database = Database(settings.database_url)
    database.create_schema()
    book = database.book()
    router = Router(desk, book)
    client = make_client(settings)
    app = build_app(settings, desk, book, client, router)
    newsbot = make_wsgi_handler(settings, app, lambda: (200, {}))
    pool = signed_pool(SECRET, response_url)
    echo = build_echo_app(TOKEN, SECRET, api_url, tuned=True)
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    bare = SlackRequestHandler(echo, path="/slack/events")

    def query(n: int) -> str:
        return QUERIES[n % len(QUERIES)]

    replies = [router.handle("/facts", q, "U0BENCH", NOW) for q in QUERIES]
    stages: list[tuple[str, Callable[[int], object]]] = [
        (
            "search, first time (SearchIndex.search_uncached)",
            lambda n: router.index.search_uncached(query(n), limit=10),
        ),
        ("search, asked before (SearchIndex.search)", lambda n: router.index.search(query(n))),
        ("follow-up states (SQLite)", lambda n: router.states(NOW)),
        (
            "reply (Router.handle: search, states, cards)",
            lambda n: router.handle("/facts", query(n), "U0BENCH", NOW),
        ),
        (
            "Block Kit rendering (render_blocks)",
            lambda n: render_blocks(replies[n % len(replies)]),
        ),
        (
            "a command's JSON answer, the reply drawn before (message_json)",
            lambda n: message_json(replies[n % len(replies)]),
        ),
        ("newsbot WSGI app, whole request, logging off", wsgi_call(newsbot, pool)),
        ("bare Bolt echo WSGI, process_before_response", wsgi_call(bare, pool)),
    ]
    table = Table(
        "Where a /facts request's CPU goes (in-process, no HTTP)", ("stage", "CPU µs per call")
    )
    served_as("WARNING")
    for name, action in stages:
        if name.startswith("bare Bolt"):
            served_as(None)
        table.add(name, f"{per_call(action, calls) * 1e6:,.0f}")
    served_as("INFO")
    table.add(
        "newsbot WSGI app, whole request, INFO log line to a buffer",
        f"{per_call(wsgi_call(newsbot, pool), calls) * 1e6:,.0f}",
    )
    payloads = [parse_slack_body(r.body, FORM) for r in pool]
    table.add(
        "the request log line alone (log_slack_request, INFO, to a buffer)",
        f"{per_call(lambda n: log_line(payloads[n % len(payloads)]), calls) * 1e6:,.0f}",
    )
    served_as("WARNING")
    database.dispose()
    table.notes.append(
        "Shipped facts.yaml, SQLite follow-up book, the same four queries; the calling "
        f"thread's CPU time (time.thread_time) over {calls} calls after 10 warm-up calls. "
        "The stages overlap (the whole request includes the reply, which includes the search)."
    )
    table.notes.append(
        "Loggers as each app's served process sets them: newsbot's rows after "
        "bot.logs.configure (WARNING, or INFO for the log line; Bolt's own loggers at "
        "WARNING), the echo's with Bolt's defaults. The INFO line is formatted and written on "
        "the calling thread here; `newsbot serve` does that on its log thread, the same CPU."
    )
    table.notes.append(
        "Search results are kept per index (the last 256 queries), and a command's JSON "
        "answer per reply (the last 256: a reply equal to one drawn before, follow-up states "
        "included): the rotating benchmark queries are asked before after the first round, "
        "as a newsroom's repeated questions, Share and button redraws are. A query never "
        "asked costs the first search row and the rendering row (plus its json.dumps) instead."
    )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.breakdown", description=__doc__)
    parser.add_argument("--calls", type=int, default=500, help="timed calls per stage")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="also profile, printing the top N functions"
    )
    args = parser.parse_args(argv)
    from tests.slack_stand_in import SlackStandIn

    with SlackStandIn() as slack, tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        folder = Path(tmp)
        print(measure(slack.api_url, slack.response_url(), folder, args.calls).text())
        if args.profile:
            calls = max(args.calls, 2000)
            print(profile(slack.api_url, slack.response_url(), folder, calls, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
