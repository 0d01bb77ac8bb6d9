"""The Procfile under a real Procfile runner, the way the README says to run it on your
machine: `honcho start web` (plain `honcho start` would also run the one-off `release` line,
whose exit stops everything)."""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.slack_stand_in import SlackStandIn

ROOT = Path(__file__).resolve().parents[2]
HONCHO = Path(sys.executable).parent / "honcho"


def app_folder(tmp_path: Path, slack: SlackStandIn) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(ROOT / "Procfile", app / "Procfile")
    shutil.copy(ROOT / "facts.yaml", app / "facts.yaml")
    shutil.copytree(ROOT / "seeds", app / "seeds")
    (app / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-honcho-0000\n"
        "SLACK_SIGNING_SECRET=honcho-secret\n"
        f"SLACK_API_URL={slack.api_url}\n"
        f"DATABASE_URL=sqlite:///{app / 'newsbot.db'}\n"
        "WEB_CONCURRENCY=1\n"
    )
    return app


def honcho(app: Path, port: int, *lines: str) -> subprocess.Popen[str]:
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(app)}
    return subprocess.Popen(
        [str(HONCHO), "start", "--no-colour", "-p", str(port), *lines],
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def health(port: int, process: subprocess.Popen[str]) -> tuple[int, dict]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read())
        except OSError:
            time.sleep(0.05)  # not listening yet: poll again
    raise AssertionError("honcho start web never answered /healthz")


@pytest.mark.slow
def test_honcho_start_web_serves_until_stopped(tmp_path: Path, slack: SlackStandIn) -> None:
    app = app_folder(tmp_path, slack)
    port = free_port()
    process = honcho(app, port, "web")
    try:
        status, body = health(port, process)
        assert status == 200 and body["status"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert "web.1 started" in output and "release" not in output
