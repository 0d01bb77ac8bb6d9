"""The real Slack app served over loopback HTTP, and requests signed the way Slack signs them."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from bot.config import Settings
from bot.desk.model import AsOf, Desk, Fact, FollowUp, Newsroom, Reminder, Source
from bot.slack.bolt_app import build_app
from bot.slack.client import make_client
from bot.store.memory import MemoryBook
from bot.web import make_wsgi_handler
from tests import slack_requests
from tests.slack_stand_in import SlackStandIn

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0NEWSROOM"
EDITOR = "U0EDITOR1"
REPORTER = "U0REPORTER"
NOW = datetime(2021, 2, 1, 15, 0, tzinfo=UTC)
SEED = "Axios reported on Jan. 14 that at least 545 parents could not be located as of October."


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    return slack_requests.sign(body, timestamp, secret)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED)
    source = Source(
        id="axios-oig",
        title="DOJ watchdog report",
        publisher="Axios",
        published=date(2021, 1, 14),
        file="seed.txt",
        text=SEED,
    )
    figure = Fact(
        id="parents-not-located",
        kind="figure",
        quote="at least 545 parents could not be located as of October",
        attribution="Axios",
        source="axios-oig",
        label="Parents not located",
        value="545",
        unit="parents",
        as_of=AsOf(2020, 10),
    )
    followup = FollowUp(
        id="white-house-response",
        title="White House response to the OIG report",
        waiting_on="White House",
        asked=date(2021, 1, 14),
        source="axios-oig",
        quote="Axios reported on Jan. 14",
    )
    reminder = Reminder(
        id="weekday-figures",
        channel="C0NEWSDESK",
        cron="0 9 * * mon-fri",
        timezone="America/New_York",
        include=("figures",),
    )
    return Desk(
        Newsroom("Immigration desk", "America/New_York", 90),
        {"axios-oig": source},
        (figure,),
        (followup,),
        (reminder,),
        path=tmp_path / "facts.yaml",
    )


def make_router(desk: Desk, book: MemoryBook, editors: frozenset[str]) -> Any:
    from bot.replies.router import Router

    return Router(desk, book, editors=editors)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    """The app on 127.0.0.1, and helpers that talk to it as Slack does."""

    port: int
    book: MemoryBook
    settings: Settings
    slack: SlackStandIn
    clock: list[datetime] = field(default_factory=lambda: [NOW])

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.read(), dict(response.getheaders()))
        finally:
            connection.close()

    def post_signed(
        self, body: bytes, content_type: str, *, timestamp: str | None = None, secret: str = SECRET
    ) -> Answer:
        ts = timestamp or str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(body, ts, secret),
        }
        return self.request("POST", "/slack/events", body, headers)

    def command(
        self, command: str, text: str = "", user: str = REPORTER, team: str = TEAM
    ) -> Answer:
        form = slack_requests.slash_command_fields(
            command, text, user=user, team=team, response_url=self.slack.response_url("cmd")
        )
        return self.post_signed(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any]) -> Answer:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post_signed(body, "application/x-www-form-urlencoded")

    def event(self, payload: dict[str, Any]) -> Answer:
        return self.post_signed(json.dumps(payload).encode(), "application/json")


def block_action(
    served: Served,
    action_id: str,
    value: str,
    *,
    user: str = EDITOR,
    container: str = "message",
    message: dict[str, Any] | None = None,
    team: str = TEAM,
) -> dict[str, Any]:
    payload = slack_requests.button_click(action_id, value, user=user, team=team)
    if container == "view":
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
        payload["view"] = {"id": "V0HOME", "type": "home"}
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": "1612191600.000100",
            "channel_id": "C0NEWSDESK",
            "is_ephemeral": True,
        }
        payload["channel"] = {"id": "C0NEWSDESK", "name": "newsdesk"}
        payload["response_url"] = served.slack.response_url("action")
        if message is not None:
            payload["message"] = message
    return payload


@pytest.fixture
def serve_app(slack: SlackStandIn, desk: Desk) -> Iterator[Callable[..., Served]]:
    servers: list[_ThreadingWSGIServer] = []

    def start(router: Any = None, said: Any = None, **overrides: Any) -> Served:
        router_override = router
        # Editors are named: since issue 13, unset NEWSBOT_EDITORS means nobody may edit.
        overrides.setdefault("editors", frozenset({EDITOR}))
        settings = Settings(
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=SECRET,
            slack_api_url=slack.api_url,
            scheduler=False,
            **overrides,
        )
        book = MemoryBook()
        served = Served(0, book, settings, slack)
        router = router_override or make_router(desk, book, settings.editors)
        app = build_app(
            settings,
            desk,
            book,
            make_client(settings),
            router,
            clock=lambda: served.clock[0],
            next_runs=lambda: {"weekday-figures": datetime(2021, 2, 2, 14, 0, tzinfo=UTC)},
            said=said,
        )
        wsgi = make_wsgi_handler(settings, app, lambda: (200, {"status": "ok"}))
        server = make_server(
            "127.0.0.1", 0, wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        served.port = server.server_address[1]
        return served

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
