"""Every well-formed request Slack sends gets a 2xx: 77 real bodies replayed to `newsbot serve`.

The bodies were written by others (Slack's SDK test suites, public captures; see the corpus's
README for each one's source) and are read from where they are kept, never copied here. Each is
signed now with the test secret (the documented signing example is sent as documented and must
get 401), POSTed as Slack sends it, and must be answered 2xx, logged in one line, with no
traceback and no Bolt "unhandled request" warning. Buttons, menus, shortcuts and dialogs this
app does not have get a short ephemeral through their response_url saying what to do instead.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.slack.unhandled import TOLD
from tests.reliability.conftest import ROOT, Served, serve_env, sign
from tests.slack_stand_in import SlackStandIn
from tests.waiting import wait_for

CORPUS_PATH = Path("shared") / "slack" / "real-payloads"
HOOKS = "https://hooks.slack.com/"
# Interactions Slack sends with a response_url: each gets an ephemeral, saying what to do
# instead when no listener here handles it.
CHECK_DRAFT = "check_draft"  # the message shortcut DESIGN.md names: a listener answers it
TOLD_KINDS = ("block_actions", "message_action", "interactive_message", "dialog_submission")


def corpus_dir() -> Path | None:
    """The corpus beside the project (``../shared/...`` from a checkout or a worktree)."""
    configured = os.environ.get("NEWSBOT_REAL_PAYLOADS")
    if configured:
        return Path(configured) if Path(configured).is_dir() else None
    for parent in ROOT.parents:
        if (parent / CORPUS_PATH).is_dir():
            return parent / CORPUS_PATH
    return None


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    found = corpus_dir()
    if found is None:
        return []
    return [(path.stem, json.loads(path.read_text())) for path in sorted(found.glob("[0-9]*.json"))]


CASES = load_cases()


def _point_hooks_at(value: Any, base: str) -> Any:
    """Every response_url to the local stand-in, so nothing leaves the machine (one capture
    has a test suite's ``http://localhost:8888/webhook``)."""
    if isinstance(value, str):
        return base + value[len(HOOKS) :] if value.startswith(HOOKS) else value
    if isinstance(value, list):
        return [_point_hooks_at(v, base) for v in value]
    if isinstance(value, dict):
        return {
            k: base + "webhook"
            if k == "response_url" and not v.startswith(HOOKS)
            else (_point_hooks_at(v, base))
            for k, v in value.items()
        }
    return value


def request_for(name: str, case: dict[str, Any], slack: SlackStandIn) -> tuple[bytes, dict]:
    """The bytes and headers Slack would send for this case, response_url at the stand-in."""
    body = _point_hooks_at(case["body"], slack.response_url(name) + "/")
    if "raw" in case:
        raw = case["raw"].encode()
    elif case["form"] == "command":
        raw = urlencode(body).encode()
    elif case["form"] == "payload":
        raw = urlencode({"payload": json.dumps(body)}).encode()
    else:
        raw = json.dumps(body).encode()
    content_type = (
        "application/json" if case["form"] == "json" else ("application/x-www-form-urlencoded")
    )
    headers = {"Content-Type": content_type, **case.get("headers", {})}
    if case.get("sign", True):
        timestamp = str(int(time.time()))
        headers["X-Slack-Request-Timestamp"] = timestamp
        headers["X-Slack-Signature"] = sign(raw, timestamp)
    else:
        headers.update(case["signed_headers"])
    return raw, headers


def request_lines(served: Served) -> list[dict[str, Any]]:
    lines = []
    for line in served.text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "request_id" in entry and "status" in entry:
            lines.append(entry)
    return lines


def response_url_posts(slack: SlackStandIn, name: str) -> list[dict[str, Any]]:
    return [c.params for c in slack.calls_to("response_url") if f"/response/{name}/" in c.path]


@pytest.mark.slow
def test_the_real_payload_corpus_replays_clean(
    serve: Callable[..., Served], tmp_path: Path, slack: SlackStandIn
) -> None:
    if not CASES:
        pytest.skip(
            f"real payload corpus not found at ../{CORPUS_PATH} beside the project "
            "(or NEWSBOT_REAL_PAYLOADS); it is present on CI machines"
        )
    assert len(CASES) == 77
    # As the corpus's README says: any workspace and any user may ask.
    served = serve(serve_env(tmp_path, slack, NEWSBOT_TEAM_ID="", NEWSBOT_READERS=""))
    answers: dict[str, tuple[int, bytes]] = {}
    for name, case in CASES:
        raw, headers = request_for(name, case, slack)
        answer = served.request("POST", "/slack/events", raw, headers)
        answers[name] = (answer.status, answer.body)

    wrong = {
        name: answers[name]
        for name, case in CASES
        if answers[name][0] != case.get("expect_status", 200)
    }
    assert wrong == {}
    for name, case in CASES:
        if "expect_challenge" in case:
            assert case["expect_challenge"].encode() in answers[name][1]
        answered = case.get("expect_status", 200) == 200
        if case["form"] == "command" and case["body"].get("command") and answered:
            reply = json.loads(answers[name][1])
            assert reply["response_type"] == "ephemeral" and reply["text"], name

    # Unknown buttons, menus, message shortcuts and dialogs are told what to do instead.
    told = [
        name
        for name, case in CASES
        if case["form"] == "payload"
        and case["body"].get("type") in TOLD_KINDS
        and case["body"].get("response_url")
    ]
    assert len(told) >= 15
    for name in told:
        wait_for(lambda name=name: bool(response_url_posts(slack, name)))
        [post] = response_url_posts(slack, name)
        assert post["response_type"] == "ephemeral" and post.get("replace_original") is False
        if dict(CASES)[name]["body"].get("callback_id") == CHECK_DRAFT:
            assert post["text"].startswith("Draft check"), post  # DESIGN's shortcut answers
        else:
            assert post["text"] == TOLD[dict(CASES)[name]["body"]["type"]], post

    assert served.request("GET", "/healthz").status == 200
    assert served.stop() == 0
    lines = request_lines(served)
    assert len(lines) == len(CASES) + 0  # one line per request (health checks are not logged)
    assert all(line["status"] < 500 for line in lines)
    printed = served.text()
    assert "Traceback" not in printed and "Failed to send" not in printed
    assert "Unhandled request" not in printed and "unhandled request" not in printed
