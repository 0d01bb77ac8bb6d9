"""The real app over HTTP: signed slash commands, interactivity and events; exact API calls."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from bot.desk.model import Action
from bot.replies.router import Router
from bot.slack.origin import read_modal_metadata
from bot.web import MAX_BODY_BYTES
from tests.replies.desks import BrokenBook
from tests.slack.conftest import (
    EDITOR,
    NOW,
    REPORTER,
    Served,
    block_action,
    sign,
)
from tests.slack_requests import home_opened
from tests.slack_stand_in import Fault
from tests.waiting import wait_for

FORM = "application/x-www-form-urlencoded"


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    found = {}
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found[element["action_id"]] = element.get("value", "")
    return found


# --- slash commands -----------------------------------------------------------------------


def test_a_command_is_answered_in_the_response_with_sourced_blocks(serve_app) -> None:
    served: Served = serve_app()
    answer = served.command("/figure", "545")
    assert answer.status == 200
    reply = answer.json()
    assert reply["response_type"] == "ephemeral"
    assert "545" in texts(reply["blocks"]) and "Axios" in texts(reply["blocks"])
    share = json.loads(buttons(reply["blocks"])["share_reply"])
    assert share == {"c": "/figure", "q": "545"}
    assert served.slack.calls == []  # read-only replies need no Web API call


def test_every_command_answers_help(serve_app) -> None:
    served: Served = serve_app()
    for command in ("/facts", "/quote", "/figure", "/followups", "/source"):
        reply = served.command(command, "help").json()
        assert command in reply["text"]


def test_commands_still_answer_when_the_slack_api_is_down(serve_app) -> None:
    served: Served = serve_app()
    served.slack.response_url = lambda name="1": "http://127.0.0.1:9/response/gone"  # type: ignore[method-assign]
    served.slack.stop()
    answer = served.command("/facts", "")
    assert answer.status == 200
    assert "Immigration desk" in texts(answer.json()["blocks"])


def test_user_mistakes_get_a_message_saying_what_to_type(serve_app) -> None:
    served: Served = serve_app()
    for text in ("add", "snooze white-house-response 3 fortnights", "resolve no-such-id done"):
        reply = served.command("/followups", text).json()
        assert reply["response_type"] == "ephemeral"
        assert "/followups" in reply["text"], reply["text"]
    assert served.book.events() == []


def test_non_editors_cannot_change_followups_by_command(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    reply = served.command("/followups", "add Call the mayor", user=REPORTER).json()
    assert served.book.added_followups() == []
    assert "editor" in reply["text"].lower()


def test_another_workspace_is_refused_politely_and_sees_no_data(serve_app) -> None:
    served: Served = serve_app(team_id="T0NEWSROOM")
    reply = served.command("/figure", "545", team="T0ELSEWHERE").json()
    assert reply["response_type"] == "ephemeral"
    assert "another Slack workspace" in reply["text"]
    assert "545" not in json.dumps(reply)
    served.interaction(
        block_action(served, "followup_reopen", "white-house-response", team="T0ELSEWHERE")
    )
    assert served.book.events() == [] and served.slack.calls == []


def test_a_failing_listener_apologises_with_a_reference(serve_app, caplog) -> None:
    class Broken:
        def handle(self, *args: object) -> None:
            raise RuntimeError("boom")

    served: Served = serve_app(router=Broken())
    answer = served.command("/facts", "x")
    assert answer.status == 200
    reply = answer.json()
    assert reply["response_type"] == "ephemeral" and "reference" in reply["text"]
    ref = reply["text"].split("`")[1]
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)


# --- what Bolt must never see -------------------------------------------------------------


def test_bad_signatures_get_401_and_nothing_runs(serve_app) -> None:
    served: Served = serve_app()
    body = b"command=%2Ffollowups&text=add+Call+the+mayor&user_id=U0EDITOR1&team_id=T0NEWSROOM"
    stale = str(int(time.time()) - 6 * 60)
    now = str(int(time.time()))
    attempts = [
        served.post_signed(body, FORM, secret="not-the-secret"),
        served.post_signed(body, FORM, timestamp=stale),
        served.request("POST", "/slack/events", body, {"Content-Type": FORM}),
        served.request(
            "POST",
            "/slack/events",
            body + b"x",
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": now,
                "X-Slack-Signature": sign(body, now),
            },
        ),
    ]
    assert [a.status for a in attempts] == [401, 401, 401, 401]
    assert served.book.added_followups() == [] and served.slack.calls == []


def test_signed_but_malformed_bodies_get_400(serve_app) -> None:
    served: Served = serve_app()
    bodies = [
        (b"payload=notjson", FORM),
        (b'payload={"type": "block_actions"', FORM),
        (b"payload=%5B1%2C2%5D", FORM),  # JSON, but a list
        (b'{"type": "event_callback", ', "application/json"),
        (b"[]", "application/json"),
        (b"just some words", FORM),
        (b"command=%2Ffacts&user_id=U1&team_id=T0NEWSROOM", FORM),  # no text
        (b"\xff\xfe", FORM),
        (b"", FORM),
    ]
    statuses = [served.post_signed(body, ctype).status for body, ctype in bodies]
    assert statuses == [400] * len(bodies)


def test_oversized_bodies_are_refused_unread(serve_app) -> None:
    served: Served = serve_app()
    # Announced, not sent: a body this large is refused before a byte of it is read.
    headers = {"Content-Type": FORM, "Content-Length": str(MAX_BODY_BYTES + 1)}
    assert served.request("POST", "/slack/events", b"text=a", headers).status == 413


def test_paths_and_methods(serve_app) -> None:
    served: Served = serve_app()
    assert served.request("GET", "/").status == 404
    assert served.request("GET", "/slack/events").status == 405
    assert served.request("POST", "/healthz").status == 405
    health = served.request("GET", "/healthz")
    assert health.status == 200 and health.json() == {"status": "ok"}


def test_url_verification_echoes_the_challenge(serve_app) -> None:
    served: Served = serve_app()
    answer = served.event({"type": "url_verification", "token": "t", "challenge": "c0ffee"})
    assert answer.status == 200 and answer.json()["challenge"] == "c0ffee"


# --- Share --------------------------------------------------------------------------------


def test_share_posts_the_reply_in_channel_marked_with_who_shared(serve_app) -> None:
    """Posted with chat.postMessage (so a correction can edit it later); the private reply
    then loses its Share button, so it is not shared twice."""
    served: Served = serve_app()
    value = json.dumps({"c": "/figure", "q": "545"})
    answer = served.interaction(block_action(served, "share_reply", value, user=REPORTER))
    assert answer.status == 200
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    [post] = served.slack.calls_to("chat.postMessage")
    assert post.params["channel"] == "C0NEWSDESK"
    assert "545" in texts(post.params["blocks"])
    assert post.params["blocks"][-1]["elements"][0]["text"] == f"shared by <@{REPORTER}>"
    assert "share_reply" not in buttons(post.params["blocks"])
    [private] = served.slack.calls_to("response_url")
    assert private.path == "/response/action" and private.params["replace_original"] is True
    assert "545" in texts(private.params["blocks"])
    assert "share_reply" not in buttons(private.params["blocks"])


def test_share_where_the_bot_is_not_a_member_goes_through_the_response_url(serve_app) -> None:
    served: Served = serve_app()
    served.slack.on("chat.postMessage", lambda params: {"ok": False, "error": "not_in_channel"})
    value = json.dumps({"c": "/figure", "q": "545"})
    served.interaction(block_action(served, "share_reply", value, user=REPORTER))
    wait_for(lambda: len(served.slack.calls_to("response_url")) == 2)
    shared, private = served.slack.calls_to("response_url")
    assert shared.params["response_type"] == "in_channel"
    assert shared.params["replace_original"] is False
    assert "545" in texts(shared.params["blocks"])
    assert private.params["replace_original"] is True
    assert "share_reply" not in buttons(private.params["blocks"])


def test_a_failed_share_tells_the_user(serve_app) -> None:
    """In a DM or a private channel without the bot, neither way can post: the user hears so
    through the response_url, which works there (chat.postEphemeral would not)."""
    served: Served = serve_app()
    served.slack.on("chat.postMessage", lambda params: {"ok": False, "error": "channel_not_found"})
    served.slack.fail("response_url", *[Fault(status=404, body={"ok": False})] * 1)
    value = json.dumps({"c": "/figure", "q": "545"})
    served.interaction(block_action(served, "share_reply", value, user=REPORTER))
    wait_for(lambda: len(served.slack.calls_to("response_url")) == 2)
    refused, told = served.slack.calls_to("response_url")
    assert refused.params["response_type"] == "in_channel"
    assert told.params["response_type"] == "ephemeral"
    assert "couldn't share that here" in told.params["text"]
    assert "/invite @Newsbot" in told.params["text"]
    assert served.slack.calls_to("chat.postEphemeral") == []


def test_when_even_the_response_url_fails_the_user_is_told_by_the_web_api(serve_app) -> None:
    served: Served = serve_app()
    served.slack.on("chat.postMessage", lambda params: {"ok": False, "error": "not_in_channel"})
    served.slack.fail("response_url", *[Fault(status=500)] * 6)  # each try and its retries
    value = json.dumps({"c": "/figure", "q": "545"})
    served.interaction(block_action(served, "share_reply", value, user=REPORTER))
    wait_for(lambda: bool(served.slack.calls_to("chat.postEphemeral")))
    [note] = served.slack.calls_to("chat.postEphemeral")
    assert note.params["user"] == REPORTER and note.params["channel"] == "C0NEWSDESK"
    assert "couldn't share" in note.params["text"]


def test_a_share_button_never_replays_a_change(serve_app) -> None:
    served: Served = serve_app()
    value = json.dumps({"c": "/followups", "q": "add Call the mayor"})
    served.interaction(block_action(served, "share_reply", value, user=EDITOR))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert served.book.added_followups() == []
    assert served.slack.calls_to("response_url")[0].params["response_type"] == "ephemeral"


# --- follow-up buttons and the Resolve modal ----------------------------------------------


def test_resolve_opens_the_modal(serve_app) -> None:
    served: Served = serve_app()
    served.interaction(block_action(served, "followup_resolve", "white-house-response"))
    wait_for(lambda: bool(served.slack.calls_to("views.open")))
    [call] = served.slack.calls_to("views.open")
    view = call.params["view"]
    assert call.params["trigger_id"] == "1337.42.trigger"
    assert view["callback_id"] == "followup_resolve_modal"
    # The modal carries the follow-up and the message it was opened from (issue 14).
    followup_id, origin = read_modal_metadata(view["private_metadata"])
    assert followup_id == "white-house-response"
    assert origin is not None and (origin.channel, origin.ts) == ("C0NEWSDESK", "1612191600.000100")
    assert served.book.events() == []


def submission(note: str, link: str | None, user: str = EDITOR) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T0NEWSROOM"},
        "user": {"id": user, "team_id": "T0NEWSROOM"},
        "api_app_id": "A0NEWSBOT",
        "view": {
            "id": "V0MODAL",
            "type": "modal",
            "callback_id": "followup_resolve_modal",
            "private_metadata": "white-house-response",
            "state": {
                "values": {
                    "note": {"note": {"type": "plain_text_input", "value": note}},
                    "link": {"link": {"type": "plain_text_input", "value": link}},
                }
            },
        },
    }


def test_a_resolution_with_a_bad_link_is_refused_in_the_modal(serve_app) -> None:
    served: Served = serve_app()
    answer = served.interaction(submission("Declined to comment", "javascript:alert(1)"))
    assert answer.json()["response_action"] == "errors"
    assert "link" in answer.json()["errors"]
    assert served.book.events() == []


def test_a_resolution_is_recorded_with_note_and_link(serve_app) -> None:
    served: Served = serve_app()
    answer = served.interaction(submission("Declined to comment", "https://example.org/x"))
    assert answer.status == 200 and answer.body == b""
    [event] = served.book.events()
    assert (event.action, event.user, event.at) == (Action.RESOLVED, EDITOR, NOW)
    assert (event.note, event.link) == ("Declined to comment", "https://example.org/x")


def test_a_resolution_republishes_the_resolvers_home(serve_app) -> None:
    served: Served = serve_app()
    served.interaction(submission("Declined to comment", None))
    wait_for(lambda: bool(served.slack.calls_to("views.publish")))
    [call] = served.slack.calls_to("views.publish")
    assert call.params["user_id"] == EDITOR
    home = json.dumps(call.params["view"])
    assert "545" in home
    assert "followup_resolve" not in home  # the only follow-up is resolved: no buttons left


def test_forged_changes_from_non_editors_change_nothing(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    answer = served.interaction(submission("Made up", None, user=REPORTER))
    assert answer.json()["response_action"] == "errors"
    served.interaction(
        block_action(served, "followup_snooze_1w", "white-house-response", user=REPORTER)
    )
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert served.book.events() == []
    assert "editors" in served.slack.calls_to("response_url")[0].params["text"]
    assert served.slack.calls_to("views.open") == []


def test_snooze_records_the_change_and_confirms_it(serve_app) -> None:
    served: Served = serve_app()
    served.interaction(block_action(served, "followup_snooze_1d", "white-house-response"))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    [event] = served.book.events()
    assert (event.action, event.until) == (Action.SNOOZED, NOW + timedelta(days=1))
    assert "Snoozed" in served.slack.calls_to("response_url")[0].params["text"]


def test_a_button_for_an_unknown_followup_says_what_to_type(serve_app) -> None:
    served: Served = serve_app()
    served.interaction(block_action(served, "followup_reopen", "no-such-item"))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert "/followups list" in served.slack.calls_to("response_url")[0].params["text"]
    assert served.book.events() == []


def test_reopen_from_home_republishes_home(serve_app) -> None:
    served: Served = serve_app()
    served.interaction(
        block_action(served, "followup_snooze_1w", "white-house-response", container="view")
    )
    wait_for(lambda: bool(served.slack.calls_to("views.publish")))
    served.slack.clear()
    served.interaction(
        block_action(served, "followup_reopen", "white-house-response", container="view")
    )
    wait_for(lambda: bool(served.slack.calls_to("views.publish")))
    assert [e.action for e in served.book.events()] == [Action.SNOOZED, Action.REOPENED]
    assert "Reopened" in texts(served.slack.calls_to("views.publish")[0].params["view"]["blocks"])


# --- App Home -----------------------------------------------------------------------------


def test_home_shows_figures_open_followups_and_next_posts(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    served.event(home_opened(REPORTER))
    wait_for(lambda: bool(served.slack.calls_to("views.publish")))
    [call] = served.slack.calls_to("views.publish")
    assert call.params["user_id"] == REPORTER
    view = call.params["view"]
    assert view["type"] == "home"
    shown = texts(view["blocks"])
    assert "545" in shown and "White House response" in shown and "weekday-figures" in shown
    assert "<#C0NEWSDESK>" in shown  # the channel by name (Slack shows it), not a bare id
    # Edit buttons only for editors (issue 14): a reporter's Home has none.
    assert "followup_resolve" not in buttons(view["blocks"])
    served.event(home_opened(EDITOR))
    wait_for(lambda: len(served.slack.calls_to("views.publish")) == 2)
    editors_view = served.slack.calls_to("views.publish")[1].params["view"]
    assert "followup_resolve" in buttons(editors_view["blocks"])


def test_home_with_the_database_down_shows_curated_followups_and_says_so(serve_app, desk) -> None:
    served: Served = serve_app(router=Router(desk, BrokenBook(), editors=frozenset({EDITOR})))
    served.event(home_opened(REPORTER))
    wait_for(lambda: bool(served.slack.calls_to("views.publish")))
    [call] = served.slack.calls_to("views.publish")
    shown = texts(call.params["view"]["blocks"])
    assert "545" in shown and "White House response" in shown
    assert "status is unavailable" in shown and "status unknown" in shown


def test_an_old_snooze_button_cannot_undo_a_colleagues_resolution(serve_app) -> None:
    served: Served = serve_app()
    served.interaction(submission("Declined to comment", None))
    [resolved] = served.book.events()
    served.interaction(block_action(served, "followup_snooze_1d", "white-house-response"))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert served.book.events() == [resolved]
    told = served.slack.calls_to("response_url")[-1].params["text"]
    assert "is resolved" in told and "reopen white-house-response" in told


def test_with_the_database_down_buttons_and_the_modal_say_nothing_was_saved(
    serve_app, desk
) -> None:
    served: Served = serve_app(router=Router(desk, BrokenBook(), editors=frozenset({EDITOR})))
    for action in ("followup_snooze_1d", "followup_resolve", "followup_reopen"):
        served.interaction(block_action(served, action, "white-house-response"))
    wait_for(lambda: len(served.slack.calls_to("response_url")) == 2)
    for call in served.slack.calls_to("response_url"):
        assert "Could not save" in call.params["text"]
    # Resolve opens its modal first (the trigger expires), then the modal says it.
    wait_for(lambda: bool(served.slack.calls_to("views.update")))
    assert "Could not save" in json.dumps(served.slack.calls_to("views.update")[0].params)
    answer = served.interaction(submission("Declined to comment", None))
    assert answer.json()["response_action"] == "errors"
    assert "Could not save" in next(iter(answer.json()["errors"].values()))


def test_resolve_on_a_resolved_follow_up_opens_the_modal_then_says_so_in_it(
    serve_app,
) -> None:
    served: Served = serve_app()
    served.interaction(submission("Declined to comment", None))
    served.interaction(block_action(served, "followup_resolve", "white-house-response"))
    wait_for(lambda: bool(served.slack.calls_to("views.update")))
    [update] = served.slack.calls_to("views.update")
    assert update.params["view_id"] == "V0VIEW"  # the modal views.open just opened
    assert "already resolved" in json.dumps(update.params["view"])
    assert "submit" not in update.params["view"]
    again = served.interaction(submission("Second note", None))
    assert "already resolved" in json.dumps(again.json()["errors"])
    assert len(served.book.events()) == 1


def test_reopen_on_an_open_follow_up_records_nothing(serve_app) -> None:
    served: Served = serve_app()
    served.interaction(block_action(served, "followup_reopen", "white-house-response"))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    assert "already open" in served.slack.calls_to("response_url")[-1].params["text"]
    assert served.book.events() == []
