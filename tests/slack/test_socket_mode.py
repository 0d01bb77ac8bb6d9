"""Socket Mode against a local WebSocket stand-in that apps.connections.open points to."""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path
from typing import Any

from websockets.sync.server import ServerConnection, serve

from bot.config import Settings
from bot.desk.model import Desk
from bot.server import run_socket
from tests.slack.conftest import REPORTER, TEAM
from tests.slack_stand_in import SlackStandIn


def slash_command_envelope(response_url: str) -> dict[str, Any]:
    return {
        "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "newsroom",
            "channel_id": "C0NEWSDESK",
            "channel_name": "newsdesk",
            "user_id": REPORTER,
            "user_name": "reporter",
            "command": "/figure",
            "text": "545",
            "api_app_id": "A0NEWSBOT",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "1337.42.abcd",
        },
    }


def test_a_slash_command_over_socket_mode_is_acked_with_the_reply(
    slack: SlackStandIn, desk: Desk, tmp_path: Path
) -> None:
    acks: queue.Queue[dict[str, Any]] = queue.Queue()

    def session(connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        connection.send(json.dumps(slash_command_envelope(slack.response_url())))
        for message in connection:
            acks.put(json.loads(message))

    with serve(session, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        slack.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
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
            ack = acks.get(timeout=10)
        finally:
            stop.set()
            runner.join(timeout=10)
        server.shutdown()

    assert ack["envelope_id"] == "57d6a792-4d35-4d0b-b6aa-3361493e1caf"
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
    assert run_socket(settings, desk, threading.Event()) == 1  # socket_url unset: invalid_auth
