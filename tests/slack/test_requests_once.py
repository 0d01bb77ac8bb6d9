"""Each Slack request is acted on once, and no well-formed one is refused for its size or
for lacking a signature Slack never sends.

- ``ssl_check`` arrives unsigned: 200, and nothing runs.
- A click on a large message (Slack sends the whole message back) is accepted.
- A replayed request that changes something, inside the 5-minute signature window, runs once.
- An event Slack retries (``X-Slack-Retry-Num``) is acknowledged and not run again.
- A Share whose connection drops after Slack accepted it is not posted twice.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from bot.web import MAX_BODY_BYTES
from tests import slack_requests
from tests.slack.conftest import EDITOR, REPORTER, TEAM, Served, block_action, sign
from tests.slack_requests import home_opened
from tests.slack_stand_in import Fault
from tests.waiting import wait_for

FORM = "application/x-www-form-urlencoded"


def signed(body: bytes, content_type: str = FORM, **extra: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(body, ts),
        **extra,
    }


def test_ssl_check_is_answered_unsigned_and_runs_nothing(serve_app) -> None:
    served: Served = serve_app()
    body = b"token=random&ssl_check=1"
    answer = served.request("POST", "/slack/events", body, {"Content-Type": FORM})
    assert answer.status == 200 and answer.body == b""
    assert served.post_signed(body, FORM).status == 200
    assert served.slack.calls == [] and served.book.events() == []
    # A command dressed up with ssl_check=1 is not an ssl_check: unsigned, it is refused.
    forged = b"ssl_check=1&command=%2Ffollowups&text=add+x&user_id=U1&team_id=T0NEWSROOM"
    assert served.request("POST", "/slack/events", forged, {"Content-Type": FORM}).status == 401


def test_a_click_on_a_large_message_is_accepted(serve_app) -> None:
    served: Served = serve_app()
    value = json.dumps({"c": "/figure", "q": "545"})
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{n} " + "é&<" * 990}}
        for n in range(49)
    ]
    share = {"type": "button", "action_id": "share_reply", "value": value}
    message = {
        "type": "message",
        "text": "x",
        "blocks": [*blocks, {"type": "actions", "elements": [share]}],
    }
    payload = block_action(served, "share_reply", value, user=REPORTER, message=message)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert 64 * 1024 < len(body) <= MAX_BODY_BYTES
    assert served.post_signed(body, FORM).status == 200
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert len(served.slack.calls_to("chat.postMessage")) == 1  # shared in the channel


def test_a_replayed_followups_add_adds_once(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    form = slack_requests.slash_command_fields(
        "/followups", "add Call the mayor", user=EDITOR, team=TEAM, response_url="http://x/"
    )
    body = urlencode(form).encode()
    headers = signed(body)
    first = served.request("POST", "/slack/events", body, headers)
    again = served.request("POST", "/slack/events", body, headers)
    assert first.status == again.status == 200
    assert "Added follow-up" in first.json()["text"]
    assert "carried out once" in again.json()["text"]
    assert [f.title for f in served.book.added_followups()] == ["Call the mayor"]
    # The same words sent again by the person (a new request) are a new follow-up.
    assert "Added" in served.command("/followups", "add Call the mayor", user=EDITOR).json()["text"]
    assert len(served.book.added_followups()) == 2


def test_a_replayed_button_click_runs_once(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    payload = block_action(served, "followup_snooze_1d", "white-house-response", user=EDITOR)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = signed(body)
    assert served.request("POST", "/slack/events", body, headers).status == 200
    assert served.request("POST", "/slack/events", body, headers).status == 200
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert len(served.book.events()) == 1


def test_an_event_slack_retries_is_acknowledged_and_not_run_again(serve_app) -> None:
    served: Served = serve_app()
    body = json.dumps(home_opened(user=REPORTER)).encode()
    retried = signed(body, "application/json", **{"X-Slack-Retry-Num": "1"})
    retried["X-Slack-Retry-Reason"] = "http_timeout"
    assert served.request("POST", "/slack/events", body, retried).status == 200
    # The first delivery (no retry header) runs: once it has published, the retry has not.
    assert served.post_signed(body, "application/json").status == 200
    wait_for(lambda: bool(served.slack.calls_to("views.publish")))
    assert len(served.slack.calls_to("views.publish")) == 1


def test_a_share_whose_connection_drops_after_slack_took_it_is_posted_once(serve_app) -> None:
    served: Served = serve_app()
    served.slack.fail("chat.postMessage", Fault(drop_after=True))  # Share posts this way
    value = json.dumps({"c": "/figure", "q": "545"})
    served.interaction(block_action(served, "share_reply", value, user=REPORTER))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert len(served.slack.calls_to("chat.postMessage")) == 1
    assert len(served.slack.posted_messages()) == 1
    [note] = served.slack.calls_to("response_url")
    assert note.params["response_type"] == "ephemeral"
    assert "check the channel" in note.params["text"]


def test_a_share_refused_for_rate_limit_is_retried_and_posted(serve_app) -> None:
    served: Served = serve_app()
    served.slack.fail("chat.postMessage", Fault(status=429, retry_after=0))
    value = json.dumps({"c": "/figure", "q": "545"})
    served.interaction(block_action(served, "share_reply", value, user=REPORTER))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert len(served.slack.calls_to("chat.postMessage")) == 2
    assert len(served.slack.posted_messages()) == 1
