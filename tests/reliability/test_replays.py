"""A replayed Slack request that changes something runs once across web processes.

Two WSGI handlers built as two gunicorn workers build them (each its own Bolt app, its own
memory) share one real database, SQLite file or PostgreSQL: a `/followups add` replayed to
the other worker inside Slack's 5-minute window is told it was carried out once, and one
follow-up exists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.desk.model import Desk
from bot.replies.router import Router
from bot.slack.bolt_app import build_app
from bot.slack.client import make_client
from bot.store.db import Database
from bot.store.seen import SeenRequests
from bot.web import make_wsgi_handler
from tests.reliability.conftest import (
    EDITOR,
    NOW,
    SECRET,
    TOKEN,
    InProcess,
    command_form,
    sign,
)
from tests.slack_stand_in import SlackStandIn
from tests.store.databases import BACKENDS, empty_database_url


def worker(database: Database, slack: SlackStandIn, desk: Desk) -> Callable[..., Any]:
    """What bot.runtime builds in each gunicorn worker, on a shared database."""
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        scheduler=False,
        editors=frozenset({EDITOR}),
    )
    book = database.book(answer_within=2.0)
    router = Router(desk, book, editors=settings.editors)
    app = build_app(settings, desk, book, make_client(settings), router, clock=lambda: NOW)
    health = lambda: (200, {"status": "ok"})  # noqa: E731
    return make_wsgi_handler(settings, app, health, SeenRequests(database.engine))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_replay_sent_to_another_worker_runs_once(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    slack: SlackStandIn,
    shipped_desk: Desk,
) -> None:
    with empty_database_url(backend, request, tmp_path) as url:
        database = Database(url)
        database.create_schema()
        try:
            first = InProcess(worker(database, slack, shipped_desk), None, slack)  # type: ignore[arg-type]
            other = InProcess(worker(database, slack, shipped_desk), None, slack)  # type: ignore[arg-type]
            body = command_form("/followups", "add Call the mayor", user=EDITOR)
            ts = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sign(body, ts),
            }
            answered = first.call("POST", "/slack/events", body, headers).json()
            replayed = other.call("POST", "/slack/events", body, headers).json()
            assert "Added follow-up" in answered["text"]
            assert "carried out once" in replayed["text"]
            assert [f.title for f in database.book().added_followups()] == ["Call the mayor"]
            # A new request with the same words (a new signature) still adds.
            again = command_form("/followups", "add Call the mayor", user=EDITOR) + b"&x=1"
            assert "Added" in other.post(again).json()["text"]
            assert len(database.book().added_followups()) == 2
        finally:
            database.dispose()
