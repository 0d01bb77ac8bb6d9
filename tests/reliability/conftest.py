"""The reliability suite's harness: the real ``newsbot serve`` under gunicorn in a subprocess,
the real WSGI app in-process for property tests, and requests signed the way Slack signs them.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.config import Settings
from bot.desk.load import load_desk
from bot.desk.model import Desk
from bot.replies.router import Router
from bot.slack.bolt_app import build_app
from bot.slack.client import API_TIMEOUT_SECONDS, make_client
from bot.store.memory import MemoryBook
from bot.web import make_wsgi_handler
from tests import slack_requests
from tests.slack_stand_in import SlackStandIn

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "facts.yaml"
SEED = ROOT / "seeds" / "000_8c36c7995ecb0c4b.txt"
NEWSBOT = Path(sys.executable).parent / "newsbot"

TOKEN = "xoxb-1111-2222-reliabilityTOKENvalue"
SECRET = "reliability-signing-secret-7f3a9c"
APP_TOKEN = "xapp-1-A0REL-3333-reliabilityAPPtoken"
HEALTH_TOKEN = "reliability-health-token-5d1e"
HEALTH_DETAILS = {"Authorization": f"Bearer {HEALTH_TOKEN}"}
TEAM = "T0NEWSROOM"
EDITOR = "U0EDITOR1"
REPORTER = "U0REPORTER"
FOLLOWUP = "white-house-response"
OTHER_FOLLOWUP = "parents-located-update"
FORM = "application/x-www-form-urlencoded"
NOW = datetime(2021, 2, 1, 15, 0, tzinfo=UTC)


# --- signing ------------------------------------------------------------------------------


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    return slack_requests.sign(body, timestamp, secret)


def signed_headers(body: bytes, content_type: str = FORM, timestamp: str | None = None) -> dict:
    ts = timestamp or str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(body, ts),
    }


def command_form(
    command: str, text: str, user: str = REPORTER, team: str = TEAM, response_url: str = ""
) -> bytes:
    form = slack_requests.slash_command_fields(
        command,
        text,
        user=user,
        team=team,
        response_url=response_url or "http://127.0.0.1:9/response/none",
    )
    return urlencode(form).encode()


def interaction_form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def block_actions(
    action_id: str,
    value: str,
    *,
    user: str = EDITOR,
    team: str = TEAM,
    response_url: str = "",
    home: bool = False,
) -> dict[str, Any]:
    payload = slack_requests.button_click(action_id, value, user=user, team=team)
    if home:
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
        payload["view"] = {"id": "V0HOME", "type": "home"}
    else:
        payload["container"] = {"type": "message", "channel_id": "C0NEWSDESK"}
        payload["channel"] = {"id": "C0NEWSDESK", "name": "newsdesk"}
        payload["response_url"] = response_url or "http://127.0.0.1:9/response/none"
    return payload


def view_submission(
    followup_id: str, note: Any, link: Any = None, *, user: str = EDITOR, team: str = TEAM
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A0NEWSBOT",
        "view": {
            "id": "V0MODAL",
            "type": "modal",
            "callback_id": "followup_resolve_modal",
            "private_metadata": followup_id,
            "state": {
                "values": {
                    "note": {"note": {"type": "plain_text_input", "value": note}},
                    "link": {"link": {"type": "plain_text_input", "value": link}},
                }
            },
        },
    }


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


# --- the real WSGI app, called in-process -------------------------------------------------


@dataclass
class InProcess:
    """The WSGI callable ``newsbot serve`` runs, built on the shipped desk and a MemoryBook."""

    wsgi: Callable[..., Any]
    book: MemoryBook
    slack: SlackStandIn

    def call(self, method: str, path: str, body: bytes = b"", headers: Mapping = ()) -> Answer:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "3000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, value in dict(headers).items():
            name = key.upper().replace("-", "_")
            if name == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif name == "CONTENT_LENGTH":
                environ["CONTENT_LENGTH"] = value
            else:
                environ["HTTP_" + name] = value
        status: list[str] = []

        def start_response(line: str, _headers: list, _exc: object = None) -> None:
            status.append(line)

        chunks = self.wsgi(environ, start_response)
        body_out = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return Answer(int(status[0].split()[0]), body_out)

    def post(self, body: bytes, content_type: str = FORM) -> Answer:
        return self.call("POST", "/slack/events", body, signed_headers(body, content_type))

    def command(self, command: str, text: str, user: str = REPORTER, team: str = TEAM) -> Answer:
        return self.post(command_form(command, text, user, team, self.slack.response_url("cmd")))

    def interaction(self, payload: dict[str, Any]) -> Answer:
        return self.post(interaction_form(payload))


def build_in_process(
    slack: SlackStandIn, desk: Desk, api_timeout: int = API_TIMEOUT_SECONDS, **overrides: Any
) -> tuple[Callable[..., Any], MemoryBook]:
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        scheduler=False,
        **overrides,
    )
    book = MemoryBook()
    router = Router(desk, book, editors=settings.editors)
    client = make_client(settings, timeout=api_timeout)
    app = build_app(settings, desk, book, client, router, clock=lambda: NOW)
    return make_wsgi_handler(settings, app, lambda: (200, {"status": "ok"})), book


@pytest.fixture(scope="module")
def shipped_desk() -> Desk:
    return load_desk(FACTS)


@pytest.fixture(scope="module")
def module_slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def in_process(module_slack: SlackStandIn, shipped_desk: Desk) -> InProcess:
    """Editors are set, so that non-editors can be tested; one app for a whole module."""
    wsgi, book = build_in_process(
        module_slack, shipped_desk, editors=frozenset({EDITOR}), team_id=TEAM
    )
    return InProcess(wsgi, book, module_slack)


# --- the real `newsbot serve`, in a subprocess --------------------------------------------


def desk_folder(tmp_path: Path) -> Path:
    """A copy of the shipped facts.yaml and its seed: what `newsbot serve` reads."""
    (tmp_path / "seeds").mkdir(exist_ok=True)
    shutil.copy(SEED, tmp_path / "seeds" / SEED.name)
    shutil.copy(FACTS, tmp_path / "facts.yaml")
    return tmp_path / "facts.yaml"


def serve_env(tmp_path: Path, slack: SlackStandIn, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NEWSBOT_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "FACTS_FILE": str(desk_folder(tmp_path)),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'newsbot.db'}",
            "NEWSBOT_SCHEDULER": "off",
            "NEWSBOT_TEAM_ID": TEAM,
            "NEWSBOT_EDITORS": EDITOR,
            "NEWSBOT_HEALTH_TOKEN": HEALTH_TOKEN,
            "WEB_CONCURRENCY": "1",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@dataclass
class Served:
    """A running `newsbot serve`: its port, its one worker's pid, and everything it printed."""

    process: subprocess.Popen[bytes]
    port: int = 0
    worker_pid: int = 0
    output: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._changed = threading.Condition(self._lock)

    def _read(self, stream: io.BufferedReader) -> None:
        for raw in stream:
            with self._changed:
                self.output.append(raw.decode("utf-8", "replace"))
                self._changed.notify_all()

    def wait_for_line(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.output:
                    found = regex.search(line)
                    if found:
                        return found
                exited = self.process.poll() is not None
                if time.monotonic() > deadline or (exited and not self._changed.wait(0.5)):
                    raise AssertionError(f"no line matching {pattern!r}:\n{''.join(self.output)}")
                self._changed.wait(0.5)

    def text(self) -> str:
        with self._lock:
            return "".join(self.output)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: Mapping | None = None
    ) -> Answer:
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return Answer(response.status, response.read())
        finally:
            connection.close()

    def post(self, body: bytes, content_type: str = FORM) -> Answer:
        return self.request("POST", "/slack/events", body, signed_headers(body, content_type))

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.worker_pid}/status").read_text()
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        assert found, status
        return int(found[1])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_serve(env: Mapping[str, str], cwd: Path) -> Served:
    """`newsbot serve --port 0`; returns once the worker answers /healthz (any status)."""
    process = subprocess.Popen(
        [str(NEWSBOT), "serve", "--port", "0"],
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    served = Served(process)
    assert process.stdout is not None
    threading.Thread(target=served._read, args=(process.stdout,), daemon=True).start()
    served.port = int(served.wait_for_line(r"Listening at: http://[\d.]+:(\d+)")[1])
    served.worker_pid = int(served.wait_for_line(r"Booting worker with pid: (\d+)")[1])
    deadline = time.monotonic() + 60  # returns as soon as it answers; generous for busy CI
    while True:  # the worker builds the app after the master listens
        try:
            served.request("GET", "/healthz")
            return served
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                served.stop()
                raise AssertionError("newsbot serve never answered:\n" + served.text()) from None
            time.sleep(0.05)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(env: Mapping[str, str]) -> Served:
        served = start_serve(env, tmp_path)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()
