"""`serve()` under the real gunicorn, in a subprocess: answers, reports health, stops on SIGTERM."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.slack.conftest import SECRET, sign
from tests.slack_stand_in import SlackStandIn

ROOT = Path(__file__).resolve().parent.parent.parent

SCRIPT = textwrap.dedent(
    """
    import sys
    from bot.config import Settings
    from bot.desk.load import load_desk
    from bot.runtime import serve

    settings = Settings(
        slack_bot_token="xoxb-test-token", slack_signing_secret=sys.argv[1],
        slack_api_url=sys.argv[2], database_url=sys.argv[3], scheduler=False,
        health_token="server-test-health-token",
    )
    sys.exit(serve(settings, load_desk(sys.argv[4]), 0, {"WEB_THREADS": "4"}, host="127.0.0.1"))
    """
)


def read_port(process: subprocess.Popen[str]) -> int:
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
        if found:
            return int(found[1])
    raise AssertionError("gunicorn did not start")


def get(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    # The worker may still be booting after the master listens (seconds on a busy machine):
    # the bounds are generous and the answer returns as soon as it comes.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        except ConnectionError:
            connection.close()
            time.sleep(0.02)
    raise AssertionError("no answer")


@pytest.mark.slow
def test_serve_runs_under_gunicorn_and_stops_on_sigterm(
    slack: SlackStandIn, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'newsbot.db'}"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, SECRET, slack.api_url, database, str(ROOT / "facts.yaml")],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = read_port(process)
        status, body = get(port, "GET", "/healthz")
        assert status == 200 and json.loads(body).keys() == {"status", "desk"}
        details = {"Authorization": "Bearer server-test-health-token"}
        status, body = get(port, "GET", "/healthz", headers=details)
        health = json.loads(body)
        assert status == 200 and health["database"]["reachable"] is True
        assert health["facts"]["figure"] >= 1
        assert "xoxb" not in body.decode() and SECRET not in body.decode()

        form = urlencode(
            {
                "command": "/facts",
                "text": "",
                "user_id": "U0REPORTER",
                "team_id": "T0NEWSROOM",
                "response_url": slack.response_url(),
            }
        ).encode()
        ts = str(int(time.time()))
        status, body = get(
            port,
            "POST",
            "/slack/events",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sign(form, ts),
            },
        )
        assert status == 200 and json.loads(body)["response_type"] == "ephemeral"

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
