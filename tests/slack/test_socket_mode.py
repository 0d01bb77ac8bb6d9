"""Socket Mode against a local WebSocket stand-in that apps.connections.open points to."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from bot.config import Settings
from bot.desk.model import Desk
from bot.socket_mode import SocketPatience, run_socket
from tests.slack.conftest import REPORTER, TEAM
from tests.slack_stand_in import SlackStandIn
from tests.socket_stand_in import slash_command_envelope, socket_mode

ENVELOPE_ID = "57d6a792-4d35-4d0b-b6aa-3361493e1caf"


def test_a_slash_command_over_socket_mode_is_acked_with_the_reply(
    slack: SlackStandIn, desk: Desk, tmp_path: Path
) -> None:
    envelope = slash_command_envelope(
        ENVELOPE_ID, "/figure", "545", user=REPORTER, team=TEAM, response_url=slack.response_url()
    )
    with socket_mode(slack, envelope) as acks:
        settings = Settings(
            slack_bot_token="xoxb-test-token",
            slack_app_token="xapp-test-token",
            slack_api_url=slack.api_url,
            scheduler=False,
            database_url=f"sqlite:///{tmp_path / 'newsbot.db'}",
        )
        stop = threading.Event()
        exit_codes: list[int] = []
        runner = threading.Thread(
            target=lambda: exit_codes.append(run_socket(settings, desk, stop))
        )
        runner.start()
        try:
            ack = acks.get(timeout=30)  # returns as soon as the ack comes
        finally:
            stop.set()
            runner.join(timeout=10)

    assert ack["envelope_id"] == ENVELOPE_ID
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "545" in json.dumps(ack["payload"]["blocks"])
    [opened] = slack.calls_to("apps.connections.open")
    assert opened.headers["authorization"] == "Bearer xapp-test-token"
    assert exit_codes == [0] and not runner.is_alive()


def test_socket_mode_refused_by_slack_exits_1(
    slack: SlackStandIn, desk: Desk, tmp_path: Path
) -> None:
    settings = Settings(
        slack_bot_token="xoxb-test-token",
        slack_app_token="xapp-test-token",
        slack_api_url=slack.api_url,
        scheduler=False,
        database_url=f"sqlite:///{tmp_path / 'newsbot.db'}",
    )
    # The shipped number of attempts, without the pauses between them (2 s doubling: 30 s of
    # waiting that proves nothing here).
    patience = SocketPatience(retry_pause=0.0)
    assert run_socket(settings, desk, threading.Event(), patience) == 1  # invalid_auth
    assert len(slack.calls_to("apps.connections.open")) == SocketPatience().connect_attempts
