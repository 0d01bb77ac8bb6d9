"""Where one /facts request's CPU goes, measured in-process without HTTP or gunicorn.

Each stage is timed on its own over the same rotating queries, so the table reads as a
budget: what the search, the reply, the Block Kit rendering, the follow-up states, the log
line and Bolt itself cost per request, next to the bare Bolt echo.
"""

from __future__ import annotations

import io
import logging
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
from bot.replies.blocks import render_blocks
from bot.replies.router import Router
from bot.slack.bolt_app import build_app
from bot.slack.client import make_client
from bot.store.db import Database
from bot.web import make_wsgi_handler

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


def measure(api_url: str, response_url: str, folder: Path, calls: int) -> Table:
    settings = Settings(
        facts_file=str(Path(__file__).resolve().parent.parent / "facts.yaml"),
        database_url=f"sqlite:///{folder / 'breakdown.db'}",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
        scheduler=False,
    )
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
        ("newsbot WSGI app, whole request, logging off", wsgi_call(newsbot, pool)),
        ("bare Bolt echo WSGI, process_before_response", wsgi_call(bare, pool)),
    ]
    table = Table(
        "Where a /facts request's CPU goes (in-process, no HTTP)", ("stage", "CPU µs per call")
    )
    logging.getLogger().setLevel(logging.WARNING)
    for name, action in stages:
        table.add(name, f"{per_call(action, calls) * 1e6:,.0f}")
    sink = io.StringIO()
    configure("INFO", "text", secrets=(TOKEN, SECRET), stream=sink)
    table.add(
        "newsbot WSGI app, whole request, INFO log line to a buffer",
        f"{per_call(wsgi_call(newsbot, pool), calls) * 1e6:,.0f}",
    )
    logging.getLogger().setLevel(logging.WARNING)
    database.dispose()
    table.notes.append(
        "Shipped facts.yaml, SQLite follow-up book, the same four queries; the calling "
        f"thread's CPU time (time.thread_time) over {calls} calls after 10 warm-up calls. "
        "The stages overlap (the whole request includes the reply, which includes the search)."
    )
    table.notes.append(
        "Search results are kept per index (the last 256 queries): the rotating benchmark "
        "queries are asked before after the first round, as a newsroom's repeated questions, "
        "Share and button redraws are. A query never asked costs the first search row instead."
    )
    return table
