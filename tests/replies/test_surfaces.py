"""Each surface's block budget, and channel manners: what a newsroom sees in Slack."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.desk.model import (
    Action,
    Desk,
    FollowUpEvent,
    FollowUpState,
    Reminder,
    Status,
    fold_events,
)
from bot.replies.blocks import render_blocks
from bot.replies.home import home_reply
from bot.replies.people import people_in
from bot.replies.reminder import reminder_reply
from tests.replies.desks import NOW, figure, followup, make_desk

TODAY = date(2021, 3, 1)
REMINDER = Reminder(
    "weekday", "C0123456789", "0 9 * * mon-fri", "America/New_York", ("figures", "followups")
)


def big_desk(figures: int, followups: int) -> Desk:
    desk = make_desk(
        facts=[figure(f"figure-{k:03d}", label=f"Figure {k}") for k in range(figures)],
        followups=[followup(f"followup-{k:02d}", title=f"Follow-up {k}") for k in range(followups)],
    )
    return replace(desk, reminders=(REMINDER,))


def open_states(desk: Desk) -> list[FollowUpState]:
    return [FollowUpState(item, Status.OPEN, ()) for item in desk.followups]


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for block in blocks:
        if block["type"] in {"section", "header"}:
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found.extend(e["text"] for e in block["elements"])
    return found


def headers(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "header"]


def valid_blocks(blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()


def test_home_with_375_figures_and_15_follow_ups_keeps_every_section() -> None:
    desk = big_desk(375, 15)
    runs = {"weekday": datetime(2021, 3, 1, 14, 0, tzinfo=UTC)}
    blocks = render_blocks(home_reply(desk, open_states(desk), runs, TODAY))
    View(type="home", blocks=blocks).validate_json()  # slack_sdk checks the 100-block limit
    assert 90 <= len(blocks) <= 100  # the view's budget, used
    assert headers(blocks) == ["Test desk", "Key figures", "Open follow-ups", "Next reminder posts"]
    lines = texts(blocks)
    figures_shown = sum(1 for t in lines if t.startswith("*545 parents · Figure"))
    followups_shown = sum(1 for t in lines if ":hourglass: *Follow-up" in t)
    # Figures take turns with follow-ups: all 15 follow-ups show, the figures fill the rest.
    assert followups_shown == 15 and figures_shown >= 15
    # The figures' section ends with its own line, pointing at the command that shows the rest.
    figures_end = lines.index("Open follow-ups") - 1
    assert lines[figures_end] == f"{375 - figures_shown} more: type /figure to search them all"
    assert lines[lines.index("Next reminder posts") - 1].endswith("follow-up `followup-14`")
    assert lines[-1] == "Mon 01 Mar 09:00 EST: weekday in <#C0123456789>"


def test_an_ordinary_home_shows_everything() -> None:
    desk = big_desk(10, 9)
    blocks = render_blocks(home_reply(desk, open_states(desk), {}, TODAY))
    lines = texts(blocks)
    assert sum(1 for t in lines if t.startswith("*545 parents · Figure")) == 10
    assert sum(1 for t in lines if ":hourglass: *Follow-up" in t) == 9
    assert not any(" more: " in t for t in lines)
    assert "Next reminder posts" in headers(blocks)


def test_home_shows_edit_buttons_to_editors_only() -> None:
    desk = big_desk(1, 2)
    editor = render_blocks(home_reply(desk, open_states(desk), {}, TODAY))
    reader = render_blocks(home_reply(desk, open_states(desk), {}, TODAY, editor=False))
    assert sum(1 for b in editor if b["type"] == "actions") == 2
    assert [b for b in reader if b["type"] == "actions"] == []
    assert sum(1 for t in texts(reader) if ":hourglass:" in t) == 2


def test_a_reminder_with_200_figures_still_shows_its_follow_ups() -> None:
    desk = big_desk(200, 3)
    reply = reminder_reply(desk, REMINDER, open_states(desk), NOW, NOW)
    assert reply is not None
    blocks = render_blocks(reply)
    valid_blocks(blocks)
    assert len(blocks) <= 50
    lines = texts(blocks)
    assert sum(1 for t in lines if ":hourglass: *Follow-up" in t) == 3
    assert sum(1 for b in blocks if b["type"] == "actions") == 3  # each keeps its buttons
    shown = sum(1 for t in lines if t.startswith("*545 parents · Figure"))
    assert lines[lines.index("Open follow-ups") - 1] == (
        f"{200 - shown} more: type /figure to see every key figure"
    )
    assert not any("refine your query" in t for t in lines)


def test_many_follow_ups_in_a_reminder_end_with_a_line_for_the_channel() -> None:
    desk = big_desk(2, 40)
    reply = reminder_reply(desk, REMINDER, open_states(desk), NOW, NOW)
    assert reply is not None
    lines = texts(render_blocks(reply))
    assert sum(1 for t in lines if t.startswith("*545 parents · Figure")) == 2
    shown = sum(1 for t in lines if ":hourglass: *Follow-up" in t)
    assert lines[-1] == f"{40 - shown} more: type /followups list to see every open follow-up"


def test_a_reminder_post_names_people_and_mentions_nobody() -> None:
    item = followup(owner="U0OWNER01")
    snoozed_then_reopened = [
        FollowUpEvent(
            item.id,
            Action.SNOOZED,
            "U0EDITOR1",
            NOW - timedelta(days=3),
            until=NOW - timedelta(days=1),
        ),
    ]
    desk = replace(make_desk(followups=[item]), reminders=(REMINDER,))
    state = fold_events(item, snoozed_then_reopened, NOW)
    reply = reminder_reply(desk, REMINDER, [state], NOW, NOW)
    assert reply is not None
    assert people_in(reply) == ["U0OWNER01", "U0EDITOR1"]
    named = replace(reply, people=(("U0OWNER01", "Ana Ruiz"),))
    text = json.dumps(render_blocks(named))
    assert "<@" not in text
    assert "owner Ana Ruiz" in text
    # A private reply (the same card, ephemeral) still mentions, which notifies nobody.
    private = replace(named, visibility="ephemeral")
    assert "owner <@U0OWNER01>" in json.dumps(render_blocks(private))


def test_desk_text_is_verbatim_and_its_formatting_characters_stay_as_written() -> None:
    quote = "Officials said *not* a _single_ ~case~ @here see #general https://example.com"
    desk = make_desk(facts=[replace(figure(), quote=quote + " 545")])
    reply = reminder_reply(replace(desk, reminders=(REMINDER,)), REMINDER, [], NOW, NOW)
    assert reply is not None
    blocks = render_blocks(reply)
    valid_blocks(blocks)
    for block in blocks:
        for obj in [block.get("text") or {}, *(block.get("elements") or [])]:
            if obj.get("type") == "mrkdwn":
                assert obj["verbatim"] is True
    (card,) = [t for t in texts(blocks) if "Officials said" in t]
    zwsp = "\u200b"
    assert f"{zwsp}*{zwsp}not{zwsp}*{zwsp}" in card  # never "*not*": Slack would bold it
    assert "*not*" not in card and "_single_" not in card and "~case~" not in card
    assert card.replace(zwsp, "").count("*not* a _single_ ~case~ @here see #general") == 1


def test_home_with_many_follow_ups_ends_their_section_with_the_command_for_the_rest() -> None:
    desk = big_desk(3, 60)
    blocks = render_blocks(home_reply(desk, open_states(desk), {}, TODAY))
    assert len(blocks) <= 100
    lines = texts(blocks)
    shown = sum(1 for t in lines if ":hourglass: *Follow-up" in t)
    assert sum(1 for t in lines if t.startswith("*545 parents · Figure")) == 3
    assert lines[lines.index("Next reminder posts") - 1] == (
        f"{60 - shown} more: type /followups list to see them all"
    )


def test_a_snooze_is_confirmed_in_the_newsrooms_time_zone() -> None:
    from bot.replies.changes import Changed, confirmation

    item = followup()
    event = FollowUpEvent(item.id, Action.SNOOZED, "U0EDITOR1", NOW, until=NOW + timedelta(days=1))
    changed = Changed(event, fold_events(item, [], NOW), fold_events(item, [event], NOW))
    assert confirmation(changed, "America/New_York") == (
        "Snoozed *White House response* until 2 Mar 2021 10:00 EST."
    )
