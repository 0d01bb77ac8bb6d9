"""Clicks update the message everyone sees: signed clicks carrying the message as Slack
sends it, against the Web API stand-in."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient

from bot.desk.model import Desk, Reminder, followup_states
from bot.replies.blocks import fallback_text, render_blocks
from bot.replies.reminder import reminder_reply
from bot.slack.origin import modal_metadata, origin_of
from tests.slack.conftest import EDITOR, NOW, Answer, Served, block_action
from tests.slack_requests import home_opened
from tests.waiting import wait_for

FOLLOWUP = "white-house-response"
REMINDER = Reminder(
    "weekday-everything", "C0NEWSDESK", "0 9 * * mon-fri", "America/New_York",
    ("figures", "followups"),
)  # fmt: skip


def post_reminder(served: Served, desk: Desk) -> dict[str, Any]:
    """Monday's reminder, posted to the stand-in as the scheduler posts it."""
    states = followup_states(desk, served.book, NOW)
    reply = reminder_reply(replace(desk, reminders=(REMINDER,)), REMINDER, states, NOW, NOW)
    assert reply is not None
    client = WebClient(token="xoxb-test", base_url=served.slack.api_url)
    posted = client.chat_postMessage(
        channel=REMINDER.channel, text=fallback_text(reply), blocks=render_blocks(reply)
    )
    message = served.slack.message(REMINDER.channel, posted["ts"])
    assert message is not None
    return message


def click_on(served: Served, message: dict[str, Any], action_id: str) -> dict[str, Any]:
    """A block_actions payload for a button on a channel message, as Slack sends it."""
    payload = block_action(served, action_id, FOLLOWUP, message={
        "bot_id": "B0NEWSBOT", "type": "message", "user": "U0NEWSBOT", "team": "T0NEWSROOM",
        "ts": message["ts"], "text": message["text"], "blocks": message["blocks"],
    })  # fmt: skip
    payload["container"] = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": message["channel"],
        "is_ephemeral": False,
    }
    payload["actions"][0]["block_id"] = f"newsbot:followup:{FOLLOWUP}:actions"
    return payload


def card_text(blocks: list[dict[str, Any]]) -> str:
    (card,) = [b for b in blocks if b.get("block_id") == f"newsbot:followup:{FOLLOWUP}"]
    return str(card["text"]["text"])


def card_buttons(blocks: list[dict[str, Any]]) -> list[str]:
    (actions,) = [b for b in blocks if b.get("block_id") == f"newsbot:followup:{FOLLOWUP}:actions"]
    return [e["action_id"] for e in actions["elements"]]


def submit_resolution(served: Served, view: dict[str, Any], note: str) -> Answer:
    """The editor submits the Resolve modal Slack opened, as Slack sends it."""
    return served.interaction({
        "type": "view_submission", "team": {"id": "T0NEWSROOM"},
        "user": {"id": EDITOR, "team_id": "T0NEWSROOM"}, "api_app_id": "A0NEWSBOT",
        "view": {**view, "id": "V0MODAL", "state": {"values": {
            "note": {"note": {"type": "plain_text_input", "value": note}},
            "link": {"link": {"type": "plain_text_input", "value": None}},
        }}},
    })  # fmt: skip


def test_snooze_on_a_reminder_post_updates_that_message_once(serve_app, desk: Desk) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    message = post_reminder(served, desk)
    assert "*open*" in card_text(message["blocks"])

    answer = served.interaction(click_on(served, message, "followup_snooze_1d"))

    assert answer.status == 200
    wait_for(lambda: bool(served.slack.calls_to("chat.update")))
    [update] = served.slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("C0NEWSDESK", message["ts"])
    now_shown = served.slack.message("C0NEWSDESK", message["ts"])
    assert now_shown is not None
    # Everyone in the channel sees the new status, in the newsroom's zone, and the buttons
    # that fit it; the figure above it is untouched.
    assert "*snoozed until 2 Feb 2021 10:00 EST*" in card_text(now_shown["blocks"])
    assert ":zzz:" in card_text(now_shown["blocks"])
    assert card_buttons(now_shown["blocks"]) == ["followup_resolve", "followup_reopen"]
    figure = [b for b in message["blocks"] if str(b.get("block_id", "")).startswith("newsbot:fact")]
    assert [b for b in now_shown["blocks"] if b in figure] == figure
    assert served.slack.calls_to("response_url") == []  # the message says it; no extra note
    assert [e.action.value for e in served.book.events()] == ["snoozed"]


def test_resolve_through_the_modal_updates_the_origin_message(serve_app, desk: Desk) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    message = post_reminder(served, desk)
    served.interaction(click_on(served, message, "followup_resolve"))
    wait_for(lambda: bool(served.slack.calls_to("views.open")))
    view = served.slack.calls_to("views.open")[0].params["view"]

    submitted = submit_resolution(served, view, "Declined on 15 Jan")

    assert submitted.status == 200 and submitted.body in (b"", b"{}")
    wait_for(lambda: bool(served.slack.calls_to("chat.update")))
    [update] = served.slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("C0NEWSDESK", message["ts"])
    shown = served.slack.message("C0NEWSDESK", message["ts"])
    assert shown is not None
    text = card_text(shown["blocks"])
    assert ":white_check_mark:" in text and "Declined on 15 Jan" in text
    assert "<@" not in text  # a channel message names the resolver; it does not ping them
    assert card_buttons(shown["blocks"]) == ["followup_reopen"]
    assert served.slack.calls_to("views.publish") == []  # not opened from Home


def test_the_modal_opens_before_work_queued_behind_slow_home_publishes(
    serve_app, desk: Desk
) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    release = threading.Event()
    publishing = []

    def slow_publish(params: dict[str, Any]) -> dict[str, Any]:
        publishing.append(params)
        release.wait(30)
        return {"ok": True, "view": {"id": "V0HOME"}}

    served.slack.on("views.publish", slow_publish)
    try:
        for _ in range(8):  # more than Bolt's workers for work after ack
            served.event(home_opened())
        wait_for(lambda: len(publishing) >= 5)
        served.interaction(block_action(served, "followup_resolve", FOLLOWUP))
        wait_for(lambda: bool(served.slack.calls_to("views.open")))
        assert not release.is_set()  # opened while every Home publish was still stuck
    finally:
        release.set()


def test_origin_round_trips_through_the_modal_metadata() -> None:
    container = {"type": "message", "message_ts": "1.2", "channel_id": "C1", "is_ephemeral": False}
    body = {"container": container, "response_url": "http://127.0.0.1/response/x"}
    from bot.slack.origin import read_modal_metadata

    followup_id, origin = read_modal_metadata(modal_metadata(FOLLOWUP, origin_of(body)))
    assert followup_id == FOLLOWUP and origin == origin_of(body) and origin.channel_message
    assert read_modal_metadata(FOLLOWUP) == (FOLLOWUP, None)  # a modal opened before
    assert json.loads(modal_metadata(FOLLOWUP, origin_of({"view": {"type": "home"}})))["home"]


def test_a_shared_reply_is_recorded_and_later_corrected_in_place(
    serve_app, desk: Desk, tmp_path
) -> None:
    from bot.corrections import apply_corrections
    from bot.store.db import Database

    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    served: Served = serve_app(said=database.said())
    value = json.dumps({"c": "/figure", "q": "545"})
    served.interaction(block_action(served, "share_reply", value, user=EDITOR))
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    [shared] = database.said().all()
    [post] = served.slack.posted_messages()
    assert (shared.channel, shared.ts, shared.via, shared.purpose) == (
        "C0NEWSDESK", post["ts"], "chat.postMessage", "share"
    )  # fmt: skip
    assert [c.id for c in shared.items] == ["parents-not-located"]

    (figure,) = desk.facts
    corrected = replace(
        desk, facts=(replace(figure, value="546", quote=figure.quote.replace("545", "546")),)
    )
    client = WebClient(token="xoxb-test", base_url=served.slack.api_url)
    report = apply_corrections(corrected, database.said(), None, client, NOW)
    database.dispose()

    assert [a.result for a in report.attempts] == ["corrected"]
    shown = served.slack.message("C0NEWSDESK", post["ts"])
    assert shown is not None
    lines = json.dumps(shown["blocks"], ensure_ascii=False)
    assert "*Corrected 1 Feb 2021:* value 545 → 546" in lines
    assert shown["blocks"][-1]["elements"][0]["text"] == f"shared by <@{EDITOR}>"


def private_followups(served: Served) -> dict[str, Any]:
    """An editor's `/followups` reply, as the command answers it (an ephemeral message)."""
    reply = served.command("/followups", "", user=EDITOR).json()
    assert reply["response_type"] == "ephemeral" and "*open*" in card_text(reply["blocks"])
    return dict(reply)


def button_value(blocks: list[dict[str, Any]], action_id: str) -> str:
    (actions,) = [b for b in blocks if b.get("block_id") == f"newsbot:followup:{FOLLOWUP}:actions"]
    (button,) = [e for e in actions["elements"] if e["action_id"] == action_id]
    return str(button["value"])


def click_private(served: Served, reply: dict[str, Any], action_id: str) -> None:
    """A click on a button of a private reply. Slack sends it without the message (see the
    real payload corpus): the button itself says which reply to redraw."""
    value = button_value(reply["blocks"], action_id)
    served.interaction(block_action(served, action_id, value))


def only_response_url_post(served: Served) -> Any:
    wait_for(lambda: bool(served.slack.calls_to("response_url")))
    [posted] = served.slack.calls_to("response_url")
    return posted


def test_snooze_on_a_private_reply_redraws_that_reply(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    click_private(served, private_followups(served), "followup_snooze_1d")
    redrawn = only_response_url_post(served)
    assert redrawn.params["replace_original"] is True
    shown = [b["text"]["text"] for b in redrawn.params["blocks"] if b["type"] == "section"]
    assert shown[0] == (
        "Snoozed *White House response to the OIG report* until 2 Feb 2021 10:00 EST."
    )
    # The reply lists open follow-ups: the snoozed one has left it, and the reply says so.
    assert f"newsbot:followup:{FOLLOWUP}" not in json.dumps(redrawn.params["blocks"])
    assert "Also 1 snoozed: `/followups all` shows them." in shown
    assert served.slack.calls_to("views.publish") == []
    assert [e.action.value for e in served.book.events()] == ["snoozed"]


def test_resolve_through_the_modal_from_a_private_reply_redraws_that_reply(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    click_private(served, private_followups(served), "followup_resolve")
    wait_for(lambda: bool(served.slack.calls_to("views.open")))
    view = served.slack.calls_to("views.open")[0].params["view"]

    submit_resolution(served, view, "Declined on 15 Jan")

    redrawn = only_response_url_post(served)
    assert redrawn.params["replace_original"] is True
    shown = [b["text"]["text"] for b in redrawn.params["blocks"] if b["type"] == "section"]
    assert shown[0] == "Resolved *White House response to the OIG report*."
    assert f"newsbot:followup:{FOLLOWUP}" not in json.dumps(redrawn.params["blocks"])
    assert "Also 1 resolved: `/followups all` shows them." in shown
    assert served.slack.calls_to("views.publish") == []  # not Home: the reply was redrawn
    assert [e.action.value for e in served.book.events()] == ["resolved"]


def test_a_private_reply_of_every_follow_up_redraws_the_card_in_place(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    reply = served.command("/followups", "all", user=EDITOR).json()
    value = button_value(reply["blocks"], "followup_snooze_1w")
    assert json.loads(value) == {"id": FOLLOWUP, "c": "/followups", "q": "all"}
    click_private(served, reply, "followup_snooze_1w")
    redrawn = only_response_url_post(served)
    assert "*snoozed until 8 Feb 2021 10:00 EST*" in card_text(redrawn.params["blocks"])
    assert card_buttons(redrawn.params["blocks"]) == ["followup_resolve", "followup_reopen"]


def test_a_forged_button_cannot_replay_a_command_that_changes_something(serve_app) -> None:
    served: Served = serve_app(editors=frozenset({EDITOR}))
    value = json.dumps({"id": FOLLOWUP, "c": "/followups", "q": "add Call the mayor"})
    served.interaction(block_action(served, "followup_snooze_1d", value))
    told = only_response_url_post(served)
    assert told.params["replace_original"] is False  # a confirmation, nothing replayed
    assert served.book.added_followups() == []
    assert [e.action.value for e in served.book.events()] == ["snoozed"]
