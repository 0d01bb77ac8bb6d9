"""Access: only editors change follow-ups, however the request is dressed up; another
workspace gets nothing; and a full run never prints or serves a secret.

tests/slack/test_http.py proves the basic refusals (a non-editor's add, snooze and modal; a
command from another workspace); these cover every action and container, forged Share
values, and the rest of the other workspace's ways in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.slack.listeners import FOLLOWUP_ACTIONS
from tests.reliability.conftest import (
    APP_TOKEN,
    EDITOR,
    FOLLOWUP,
    OTHER_FOLLOWUP,
    REPORTER,
    SECRET,
    TOKEN,
    InProcess,
    Served,
    block_actions,
    command_form,
    interaction_form,
    serve_env,
    view_submission,
)
from tests.slack_requests import home_opened
from tests.slack_stand_in import Fault, SlackStandIn
from tests.waiting import wait_for

OTHER_TEAM = "T0ELSEWHERE"


def told(in_process: InProcess, name: str) -> bool:
    return any(c.path.endswith("/" + name) for c in in_process.slack.calls_to("response_url"))


def settle(in_process: InProcess, probe: str) -> None:
    """Queue a request of ours behind any work after ack still running, and wait for it."""
    in_process.interaction(
        block_actions(
            "followup_reopen", "no-such", response_url=in_process.slack.response_url(probe)
        )
    )
    wait_for(lambda: told(in_process, probe))


@pytest.mark.parametrize("home", [False, True], ids=["message", "home"])
@pytest.mark.parametrize("action_id", FOLLOWUP_ACTIONS)
@pytest.mark.parametrize("target", [FOLLOWUP, OTHER_FOLLOWUP])
def test_a_non_editor_cannot_press_any_follow_up_button(
    in_process: InProcess, action_id: str, home: bool, target: str
) -> None:
    name = f"{action_id}-{home}-{target}"
    published = len(in_process.slack.calls_to("views.publish"))
    payload = block_actions(
        action_id,
        target,
        user=REPORTER,
        home=home,
        response_url=in_process.slack.response_url(name),
    )
    assert in_process.interaction(payload).status == 200
    if home:
        wait_for(lambda: len(in_process.slack.calls_to("views.publish")) > published)
        shown = json.dumps(in_process.slack.calls_to("views.publish")[-1].params["view"])
    else:
        wait_for(lambda: told(in_process, name))
        shown = json.dumps([c.params for c in in_process.slack.calls_to("response_url")][-1])
    assert "editors" in shown
    assert not [e for e in in_process.book.events() if e.user == REPORTER]
    assert not [c for c in in_process.slack.calls_to("views.open")]


@pytest.mark.parametrize(
    "query",
    [
        "add Forged item",
        "resolve white-house-response forged",
        "snooze white-house-response 3d",
        "reopen white-house-response",
        "  RESOLVE white-house-response forged",
    ],
)
@pytest.mark.parametrize("user", [REPORTER, EDITOR])
def test_a_forged_share_button_never_replays_a_change(
    in_process: InProcess, query: str, user: str
) -> None:
    name = f"share-{user}-{abs(hash(query))}"
    value = json.dumps({"c": "/followups", "q": query})
    payload = block_actions(
        "share_reply", value, user=user, response_url=in_process.slack.response_url(name)
    )
    before = len(in_process.book.events())
    adds = len(in_process.book.added_followups())
    assert in_process.interaction(payload).status == 200
    wait_for(lambda: told(in_process, name))
    assert len(in_process.book.added_followups()) == adds
    assert len([e for e in in_process.book.events() if "forged" in (e.note or "")]) == 0
    assert len(in_process.book.events()) >= before  # other tests' editors may still write


def test_a_non_editor_cannot_resolve_any_follow_up_by_modal_or_command(
    in_process: InProcess,
) -> None:
    for target in (FOLLOWUP, OTHER_FOLLOWUP, "no-such"):
        answer = in_process.interaction(view_submission(target, "forged", user=REPORTER))
        assert answer.json()["response_action"] == "errors"
    for text in (
        f"resolve {OTHER_FOLLOWUP} forged",
        f"snooze {OTHER_FOLLOWUP} 1w",
        f"reopen {FOLLOWUP}",
        "add forged",
    ):
        reply = in_process.command("/followups", text, user=REPORTER).json()
        assert "editor" in reply["text"].lower()
    assert not [e for e in in_process.book.events() if e.user == REPORTER]
    assert not in_process.book.added_followups() or all(
        "forged" not in str(item) for item in in_process.book.added_followups()
    )


def test_another_workspace_gets_nothing_by_any_way_in(in_process: InProcess) -> None:
    settle(in_process, "probe-before-other-team")  # earlier tests' work after ack
    calls = len(in_process.slack.calls)
    events = len(in_process.book.events())
    reply = in_process.command("/followups", "list", user=EDITOR, team=OTHER_TEAM).json()
    assert "another Slack workspace" in reply["text"]
    assert "White House" not in json.dumps(reply)
    assert in_process.interaction(view_submission(FOLLOWUP, "x", team=OTHER_TEAM)).body == b""
    for action_id in (*FOLLOWUP_ACTIONS, "share_reply"):
        value = json.dumps({"c": "/facts", "q": "545"}) if action_id == "share_reply" else FOLLOWUP
        payload = block_actions(action_id, value, team=OTHER_TEAM)
        assert in_process.interaction(payload).status == 200
    home = in_process.post(json.dumps(home_opened(team=OTHER_TEAM)).encode(), "application/json")
    assert home.status == 200
    # Give Bolt's lazy listeners their chance, with a request of ours queued behind them.
    probe = "probe-after-other-team"
    settle(in_process, probe)
    others = [c for c in in_process.slack.calls[calls:] if not c.path.endswith(probe)]
    assert others == []
    assert len(in_process.book.events()) == events


# --- a full run, grepped for secrets ------------------------------------------------------


@pytest.mark.slow
def test_a_full_debug_run_never_shows_a_secret(serve, tmp_path: Path, slack: SlackStandIn) -> None:
    env = serve_env(
        tmp_path, slack, LOG_LEVEL="DEBUG", LOG_FORMAT="json", SLACK_APP_TOKEN=APP_TOKEN
    )
    served: Served = serve(env)
    seen: list[bytes] = []

    def post(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> None:
        answer = served.post(body, content_type)
        seen.append(answer.body)

    for command, text in [("/facts", ""), ("/figure", "545"), ("/followups", "add Call")]:
        post(command_form(command, text, user=EDITOR, response_url=slack.response_url("c")))
    post(command_form("/followups", "add Call", user=REPORTER))
    url = slack.response_url("a")
    post(interaction_form(block_actions("followup_snooze_1d", FOLLOWUP, response_url=url)))
    post(interaction_form(block_actions("followup_resolve", FOLLOWUP, response_url=url)))
    # The modal opens after the ack; a person can only submit it once Slack has shown it.
    # (Submitting first would resolve the item and the button would rightly refuse.)
    wait_for(lambda: bool(slack.calls_to("views.open")))
    post(interaction_form(block_actions("share_reply", '{"c": "/figure", "q": "545"}')))
    post(interaction_form(view_submission(FOLLOWUP, "Declined to comment")))
    post(json.dumps(home_opened()).encode(), "application/json")
    slack.fail("views.publish", *[Fault(500)] * 3)  # a failure is logged: still no secret
    post(json.dumps(home_opened()).encode(), "application/json")
    post(b"payload=notjson")
    post(b"[" * 5000, "application/json")  # too deep to parse: a 400, and a log line
    served.request("POST", "/slack/events", b"x", {"X-Slack-Signature": "v0=00"})
    seen.append(served.request("GET", "/healthz").body)
    wait_for(lambda: len(slack.calls_to("views.publish")) >= 4)
    assert served.stop() == 0
    printed = served.text()
    assert '"level": "debug"' in printed  # it really ran at DEBUG
    everything = printed + b"".join(seen).decode("utf-8", "replace")
    for secret in (TOKEN, SECRET, APP_TOKEN):
        assert secret not in everything
        assert secret[8:24] not in everything  # nor a recognisable part of one
    calls_out = json.dumps([c.params for c in slack.calls])
    assert SECRET not in calls_out and APP_TOKEN not in calls_out
