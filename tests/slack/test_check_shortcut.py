"""/check and the "Check against the desk" message shortcut, end to end over signed HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.desk.load import check_file
from bot.desk.model import Desk
from bot.slack.shortcuts import plain_text
from tests.slack.conftest import REPORTER, TEAM, Served
from tests.slack_requests import message_shortcut
from tests.slack_stand_in import Fault
from tests.waiting import wait_for

ROOT_FACTS = Path(__file__).resolve().parents[2] / "facts.yaml"
# As Slack sends a message's text: its three special characters escaped, links in <...>.
DRAFT = (
    "Oversight &amp; Judiciary: the chairs said the report revealed "
    "“the chaos, brutality, and reckless disregard for vulnerable children.”\n"
    "At least 545 parents could not be located. <https://example.org/story|Full story>\n"
    "The White House declined to comment."
)


@pytest.fixture
def desk() -> Desk:  # the shipped desk, in place of tests/slack/conftest.py's small one
    found, problems = check_file(ROOT_FACTS)
    assert found is not None and not problems
    return found


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def shortcut(served: Served, text: str) -> dict[str, Any]:
    return message_shortcut(
        "check_draft",
        text,
        user=REPORTER,
        team=TEAM,
        response_url=served.slack.response_url("shortcut"),
    )


def test_the_shortcut_answers_privately_with_totals_first_then_each_finding(serve_app) -> None:
    served: Served = serve_app()

    answer = served.interaction(shortcut(served, DRAFT))

    assert answer.status == 200 and answer.body == b""
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    [post] = served.slack.calls_to("response_url")
    assert post.path == "/response/shortcut"
    assert post.params["response_type"] == "ephemeral"
    assert post.params["replace_original"] is False
    assert post.params["text"] == "Draft check: 2 problems, 1 verified, 0 unverified"
    blocks = post.params["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Checked against the desk", "emoji": True},
    }
    sections = section_texts(blocks)
    assert sections[0] == "2 problems, 1 verified, 0 unverified."
    quote, figure, followup = sections[1:]
    assert quote.startswith("✗ *quote*, line 1: “the chaos, brutality,")
    assert "\n> the chaos, ~brutality~ *cruelty*, and reckless disregard" in quote
    assert figure.startswith("✓ *figure*, line 2: At least 545")
    assert "as of October 2020" in figure
    assert followup.startswith("✗ *followup*, line 3: declined to comment")
    assert "did not immediately respond" in followup
    sources = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert sources[0] == (
        "Axios, 14 Jan 2021: “DOJ watchdog report underscores chaos of "
        '"zero tolerance" immigration policy”'
    )
    assert "seeds/" not in json.dumps(blocks)  # a citation a reporter can use, not a path
    assert "share_reply" not in json.dumps(blocks)  # a draft stays with whoever checks it
    assert served.slack.methods() == ["response_url"]


def test_when_the_response_url_refuses_the_report_comes_as_an_ephemeral_message(
    serve_app,
) -> None:
    served: Served = serve_app()
    served.slack.fail("response_url", Fault(status=404, body={"ok": False, "error": "expired"}))

    served.interaction(shortcut(served, "The White House declined to comment."))

    wait_for(lambda: bool(served.slack.calls_to("chat.postEphemeral")))
    [posted] = served.slack.calls_to("chat.postEphemeral")
    assert posted.params["channel"] == "C0NEWSDESK"
    assert posted.params["user"] == REPORTER
    assert posted.params["text"] == "Draft check: 1 problem, 0 verified, 0 unverified"


def test_check_command_answers_in_the_response(serve_app) -> None:
    served: Served = serve_app()

    answer = served.command("/check", 'The report found "the chaos, cruelty, and chaos."')

    assert answer.status == 200
    reply = answer.json()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Draft check: 1 problem, 0 verified, 0 unverified"
    assert served.slack.calls == []


def test_slack_markup_in_a_message_becomes_the_text_the_writer_typed() -> None:
    text = (
        "A &lt;b&gt; &amp; <https://x.org/a|the story> <@U0ABC> <#C0NEWS|news> <!here> "
        "<https://y.org>"
    )
    assert plain_text(text) == "A <b> & the story @U0ABC #news @here https://y.org"


@pytest.mark.parametrize("manifest", ["manifest.yml", "manifest.http.yml"])
def test_both_manifests_declare_the_message_shortcut_the_app_answers(manifest: str) -> None:
    import yaml
    from slack_bolt import App

    from bot.slack.bolt_app import register_listeners

    data = yaml.safe_load((ROOT_FACTS.parent / manifest).read_text(encoding="utf-8"))
    [declared] = data["features"]["shortcuts"]
    assert declared == {
        "name": "Check against the desk",
        "type": "message",
        "callback_id": "check_draft",
        "description": "Check this message's quotes, figures and attributions against the desk",
    }
    app = App(signing_secret="x", token="xoxb-x", token_verification_enabled=False)
    register_listeners(app)
    body = {"type": "message_action", "callback_id": declared["callback_id"]}
    answering = [
        listener
        for listener in app._listeners  # Bolt has no public way to list what it routes
        if all(getattr(m, "func", lambda **_: False)(body=body) for m in listener.matchers)
    ]
    assert len(answering) == 1
