"""Who may read follow-up notes, who may change follow-ups, who may use the bot at all, and the
history every follow-up keeps (issue 13, findings 1, 5 and 10), over the real app and HTTP.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tests import slack_requests
from tests.slack.conftest import EDITOR, REPORTER, TEAM, Served, block_action
from tests.slack_requests import home_opened
from tests.waiting import wait_for

NOTE = "Source X confirmed memo is genuine off the record"
GUEST = "W0GUEST"
FORM = "application/x-www-form-urlencoded"


def shown(answer: Any) -> str:
    return json.dumps(answer.json())


def share_value(blocks: list[dict[str, Any]]) -> str:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == "share_reply":
                return str(element["value"])
    raise AssertionError("no Share button")


def add_and_resolve(served: Served) -> str:
    added = served.command("/followups", "add Confirm the memo", user=EDITOR).json()
    assert "Added follow-up `added-1`" in added["text"]
    resolved = served.command("/followups", f"resolve added-1 {NOTE}", user=EDITOR).json()
    assert "Resolved" in resolved["text"]
    return "added-1"


def test_a_guest_never_sees_or_shares_an_editors_note(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    add_and_resolve(served)
    assert NOTE in shown(served.command("/source", "added-1", user=EDITOR))

    guest_reply = served.command("/source", "added-1", user=GUEST)
    assert NOTE not in shown(guest_reply)
    assert "shown to the desk's editors" in shown(guest_reply)
    assert NOTE not in shown(served.command("/followups", "all", user=GUEST))

    # The guest presses Share on their own /source reply: the channel gets no note.
    value = share_value(guest_reply.json()["blocks"])
    served.interaction(block_action(served, "share_reply", value, user=GUEST))
    wait_for(lambda: len(served.slack.calls_to("response_url")) == 1)
    [posted] = served.slack.calls_to("chat.postMessage")  # Share posts in the channel
    assert posted.params["channel"] == "C0NEWSDESK"
    assert "Confirm the memo" in json.dumps(posted.params)
    assert NOTE not in json.dumps(posted.params)
    assert NOTE not in json.dumps(served.slack.calls_to("response_url")[0].params)


def test_an_editors_share_posts_a_note_free_version(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    add_and_resolve(served)
    served.command("/followups", "resolve white-house-response " + NOTE, user=EDITOR)
    for query in ("added-1", "white-house-response"):
        mine = served.command("/source", query, user=EDITOR)
        assert NOTE in shown(mine)
        value = share_value(mine.json()["blocks"])
        served.slack.clear()
        served.interaction(block_action(served, "share_reply", value, user=EDITOR))
        wait_for(lambda: bool(served.slack.calls_to("response_url")))
        [posted] = served.slack.calls_to("chat.postMessage")  # Share posts in the channel
        assert posted.params["channel"] == "C0NEWSDESK"
        assert NOTE not in json.dumps(posted.params)
        assert "History" not in json.dumps(posted.params)


def test_home_shows_no_notes_to_a_guest(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    served.command("/followups", "snooze white-house-response 1d", user=EDITOR)
    served.command("/followups", "reopen white-house-response", user=EDITOR)
    served.command("/followups", f"resolve white-house-response {NOTE}", user=EDITOR)
    served.command("/followups", "reopen white-house-response", user=EDITOR)
    assert served.event(home_opened(user=GUEST)).status == 200
    wait_for(lambda: bool(served.slack.calls_to("views.publish")))
    assert NOTE not in json.dumps(served.slack.calls_to("views.publish")[0].params)


def test_unset_editors_means_nobody_changes_follow_ups_and_says_how_to_set_it(serve_app) -> None:
    served: Served = serve_app(editors=frozenset())
    for user in (EDITOR, REPORTER):
        reply = served.command("/followups", "resolve white-house-response done", user=user)
        assert "NEWSBOT_EDITORS" in reply.json()["text"]
        assert "NEWSBOT_EDITORS" in served.command("/followups", "add x", user=user).json()["text"]
    served.interaction(block_action(served, "followup_snooze_1d", "white-house-response"))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert "NEWSBOT_EDITORS" in served.slack.calls_to("response_url")[0].params["text"]
    assert served.book.events() == [] and served.book.added_followups() == []


def test_star_lets_everyone_change_follow_ups(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({"*"}))
    reply = served.command("/followups", f"resolve white-house-response {NOTE}", user=GUEST)
    assert "Resolved" in reply.json()["text"]
    assert NOTE in shown(served.command("/source", "white-house-response", user=REPORTER))


def test_source_shows_every_change_to_an_added_follow_up(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    add_and_resolve(served)
    served.command("/followups", "reopen added-1", user=EDITOR)
    served.command("/followups", "snooze added-1 3d", user=EDITOR)
    text = shown(served.command("/source", "added-1", user=EDITOR))
    assert "Added from Slack" in text
    for change in (
        f"added by <@{EDITOR}>",
        f"resolved by <@{EDITOR}>: {NOTE}",
        f"reopened by <@{EDITOR}>",
        f"snoozed by <@{EDITOR}>",
    ):
        assert change in text, change
    assert text.index("added by") < text.index("resolved by") < text.index("reopened by")


def test_source_shows_every_change_to_a_curated_follow_up(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    for text in (
        f"resolve white-house-response {NOTE}",
        "reopen white-house-response",
        "snooze white-house-response 1w",
    ):
        served.command("/followups", text, user=EDITOR)
    text = shown(served.command("/source", "white-house-response", user=EDITOR))
    for change in (f"resolved by <@{EDITOR}>: {NOTE}", "reopened by", "snoozed by"):
        assert change in text, change


# --- NEWSBOT_READERS ----------------------------------------------------------------------


def command_in(served: Served, text: str, user: str, channel: str) -> Any:
    form = slack_requests.slash_command_fields(
        "/facts", text, user=user, team=TEAM, response_url=served.slack.response_url("cmd")
    )
    form["channel_id"] = channel
    return served.post_signed(urlencode(form).encode(), FORM).json()


def test_readers_limit_who_the_bot_answers_and_refuse_politely(serve_app) -> None:
    served: Served = serve_app(readers=frozenset({REPORTER, "C0NEWSDESK"}))
    assert "545" in json.dumps(command_in(served, "545", REPORTER, "C0ELSEWHERE"))
    assert "545" in json.dumps(command_in(served, "545", GUEST, "C0NEWSDESK"))
    refused = command_in(served, "545", GUEST, "C0ELSEWHERE")
    assert "not open to you here" in refused["text"] and "545" not in json.dumps(refused)

    click = block_action(served, "share_reply", json.dumps({"c": "/facts", "q": "545"}), user=GUEST)
    click["channel"] = {"id": "C0ELSEWHERE"}
    click["container"]["channel_id"] = "C0ELSEWHERE"
    assert served.interaction(click).status == 200
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    [told] = served.slack.calls_to("response_url")
    assert told.params["response_type"] == "ephemeral" and "not open to you" in told.params["text"]

    assert served.event(home_opened(user=GUEST)).status == 200
    wait_for(lambda: bool(served.slack.calls_to("views.publish")))
    [home] = served.slack.calls_to("views.publish")
    assert "not open to you" in json.dumps(home.params) and "545" not in json.dumps(home.params)
