"""One log line per Slack request: who asked what, the outcome and latency, never a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.logs import configure
from tests.slack.conftest import SECRET, Served, block_action

TOKEN = "xoxb-test-token"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger as `newsbot serve` configures it with LOG_FORMAT=json."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure("INFO", "json", secrets=(TOKEN, SECRET), stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def request_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in stream.getvalue().splitlines() if line]
    return [e for e in entries if "request_id" in e]


def test_a_command_is_logged_with_its_query_outcome_and_latency(serve_app, json_log) -> None:
    served: Served = serve_app()
    assert served.command("/figure", "545").status == 200
    [line] = request_lines(json_log)
    assert line["command"] == "/figure" and line["query"] == "545"
    assert line["status"] == 200 and line["outcome"] == "ok" and line["mode"] == "http"
    assert line["user"] == "U0REPORTER" and line["latency_ms"] >= 0
    assert "response_url" not in json_log.getvalue()
    assert served.slack.response_url("cmd") not in json_log.getvalue()


def test_a_button_is_logged_by_action_without_its_value_or_urls(serve_app, json_log) -> None:
    served: Served = serve_app()
    payload = block_action(served, "share_reply", json.dumps({"c": "/quote", "q": "cruelty"}))
    assert served.interaction(payload).status == 200
    [line] = request_lines(json_log)
    assert line["kind"] == "block_actions" and line["command"] == "share_reply"
    assert "query" not in line
    text = json_log.getvalue()
    assert "cruelty" not in text and "1337.42.trigger" not in text
    assert payload["response_url"] not in text


def test_a_forged_request_is_logged_as_refused_without_its_body(serve_app, json_log) -> None:
    served: Served = serve_app()
    body = b"command=%2Ffacts&text=forged-secret-text&user_id=U1"
    answer = served.post_signed(body, "application/x-www-form-urlencoded", secret="wrong")
    assert answer.status == 401
    [line] = request_lines(json_log)
    assert line["kind"] == "unverified" and line["status"] == 401
    assert line["outcome"] == "refused"
    assert "forged-secret-text" not in json_log.getvalue()


def test_the_reference_a_user_sees_is_the_logged_request_id(serve_app, json_log) -> None:
    class Broken:
        def handle(self, *args: object) -> None:
            raise RuntimeError("boom")

    served: Served = serve_app(router=Broken())
    reply = served.command("/facts", "x").json()
    reference = reply["text"].split("`")[1]
    [line] = request_lines(json_log)
    assert line["request_id"] == reference
    failure = next(json.loads(x) for x in json_log.getvalue().splitlines() if reference in x)
    assert "RuntimeError: boom" in failure["exc"]


def test_a_long_query_is_cut_in_the_log(serve_app, json_log) -> None:
    served: Served = serve_app()
    served.command("/facts", "word " * 200)
    [line] = request_lines(json_log)
    assert len(line["query"]) == 200
