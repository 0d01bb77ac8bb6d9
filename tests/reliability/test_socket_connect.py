"""Socket Mode says "connected" only after Slack's hello, and gives up with exit 1 (issue 13,
finding 7): a worker whose WebSocket is refused must not look healthy in its log.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.server import ServerConnection, serve

from bot.config import Settings
from bot.desk.model import Desk
from bot.logs import FRAMEWORK_LOGGERS, configure, shutdown_logging
from bot.socket_mode import SocketPatience, run_socket
from tests.slack_stand_in import SlackStandIn
from tests.socket_stand_in import slash_command_envelope, socket_mode

# No pauses between attempts and a short wait for hello: the attempts are counted, not timed.
QUICK = SocketPatience(connect_attempts=3, hello_within=1.0, retry_pause=0.0)
# Where hello does come, waiting for it long is free: it returns as soon as it arrives.
PATIENT = SocketPatience(connect_attempts=3, hello_within=30.0, retry_pause=0.0)


def socket_settings(slack: SlackStandIn, tmp_path: Path) -> Settings:
    return Settings(
        slack_bot_token="xoxb-test-token",
        slack_app_token="xapp-test-token",
        slack_api_url=slack.api_url,
        scheduler=False,
        database_url=f"sqlite:///{tmp_path / 'newsbot.db'}",
    )


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """The log as `newsbot socket` writes it at INFO (bot.logs.configure: same filters)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure("INFO", "text", stream=stream)
    yield stream
    # slack_sdk's close finishes on a thread of its own: let it, before the log is put back,
    # so that its last lines do not land in another test's log.
    for thread in threading.enumerate():
        if thread.name == "newsbot-close":
            thread.join(timeout=30)
    shutdown_logging()
    root.handlers[:] = handlers
    root.setLevel(level)
    # Bolt gives the logger named after the app ("newsbot") the level of the logger it was
    # handed (bot.slack.bolt, at WARNING once configured): put it back for the next tests.
    for name in ("newsbot", *FRAMEWORK_LOGGERS):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_a_refused_websocket_never_logs_connected_and_exits_1(
    slack: SlackStandIn, shipped_desk: Desk, tmp_path: Path, log: io.StringIO
) -> None:
    # A port held but not listening: refused at once, and no other process can take it.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        slack.socket_url = f"ws://127.0.0.1:{held.getsockname()[1]}/link"
        code = run_socket(socket_settings(slack, tmp_path), shipped_desk, threading.Event(), QUICK)
    assert code == 1
    logged = log.getvalue()
    assert "connected" not in logged.lower()
    assert "no connection after 3 attempts" in logged and "SLACK_APP_TOKEN" in logged
    assert len(slack.calls_to("apps.connections.open")) == 3  # a fresh URL for each attempt


def test_a_websocket_that_never_says_hello_is_not_connected(
    slack: SlackStandIn, shipped_desk: Desk, tmp_path: Path, log: io.StringIO
) -> None:
    said: list[str] = []

    def silent(connection: ServerConnection) -> None:  # accepts, then says nothing
        for message in connection:
            said.append(message if isinstance(message, str) else message.decode())

    with serve(silent, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        slack.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
        settings = socket_settings(slack, tmp_path)
        code = run_socket(settings, shipped_desk, threading.Event(), QUICK)
        server.shutdown()
    assert code == 1
    logged = log.getvalue()
    assert "connected" not in logged.lower()
    assert "no hello within 1s" in logged


def test_connected_is_logged_after_slacks_hello(
    slack: SlackStandIn, shipped_desk: Desk, tmp_path: Path, log: io.StringIO
) -> None:
    envelope = slash_command_envelope(
        "e1", "/figure", "545", user="U0REPORTER", team="T0NEWSROOM", response_url="http://x/"
    )
    stop = threading.Event()
    codes: list[int] = []
    with socket_mode(slack, envelope) as acks:
        runner = threading.Thread(
            target=lambda: codes.append(
                run_socket(socket_settings(slack, tmp_path), shipped_desk, stop, PATIENT)
            )
        )
        runner.start()
        try:
            ack = acks.get(timeout=30)
        finally:
            stop.set()
            runner.join(timeout=30)
    assert ack["envelope_id"] == "e1" and codes == [0]
    assert "connected in Socket Mode" in log.getvalue()
    assert json.dumps(ack).count("545") >= 1
