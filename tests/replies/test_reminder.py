"""The reminder post, built from the shipped facts.yaml as a pure function."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from bot.desk.model import Action, FollowUpEvent, FollowUpState, Reminder, followup_states
from bot.replies.blocks import render_blocks
from bot.replies.reminder import reminder_reply
from bot.replies.reply import FactCard, FollowUpCard, Heading, Note
from bot.store.memory import MemoryBook
from tests.schedule.helpers import MONDAY_9_00_20, NY, REMINDER_ID, shipped_desk

SCHEDULED = datetime(2026, 3, 9, 9, 0, tzinfo=NY).astimezone(UTC)


def states(now: datetime, *events: FollowUpEvent) -> list[FollowUpState]:
    book = MemoryBook()
    for event in events:
        book.record(event)
    return followup_states(shipped_desk(), book, now)


def weekday() -> Reminder:
    (reminder,) = shipped_desk().reminders
    assert reminder.id == REMINDER_ID
    return reminder


def test_the_monday_post_has_the_figure_and_the_open_follow_ups() -> None:
    reply = reminder_reply(
        shipped_desk(), weekday(), states(MONDAY_9_00_20), MONDAY_9_00_20, SCHEDULED
    )
    assert reply is not None
    assert (reply.visibility, reply.shareable) == ("in_channel", False)
    assert isinstance(reply.parts[0], Heading)
    assert "Monday 9 March 2026" in reply.parts[0].text
    (figure,) = [p for p in reply.parts if isinstance(p, FactCard)]
    assert (figure.fact.id, figure.fact.value) == ("parents-not-located", "545")
    # As of October 2020: far past stale_after_days (90) by 2026.
    assert figure.stale_days == (datetime(2026, 3, 9) - datetime(2020, 10, 31)).days
    cards = [p for p in reply.parts if isinstance(p, FollowUpCard)]
    assert [c.state.item.id for c in cards] == ["white-house-response", "parents-located-update"]
    assert all(c.buttons for c in cards)
    # The article gives no date the desk asked (issue 10 removed the invented ones): no age.
    assert cards[0].age_days is None
    assert cards[0].source is not None and cards[0].source.publisher == "Axios"
    assert not any(isinstance(p, Note) for p in reply.parts)  # on time: no late note
    assert "545 parents" in reply.text and "White House response" in reply.text
    drawn = str(render_blocks(reply))
    assert "545" in drawn and "White House" in drawn and "followup_resolve" in drawn
    assert "asked" not in drawn


def test_a_late_post_says_when_it_was_meant_to_be() -> None:
    now = SCHEDULED + timedelta(minutes=90)
    reply = reminder_reply(shipped_desk(), weekday(), states(now), now, SCHEDULED)
    assert reply is not None
    notes = [p.text for p in reply.parts if isinstance(p, Note)]
    assert notes == ["Late: scheduled 09:00, posted 10:30"]
    assert reply.text.endswith("(late)")


def test_closed_follow_ups_are_left_out() -> None:
    now = MONDAY_9_00_20
    resolved = FollowUpEvent("white-house-response", Action.RESOLVED, "U1", now - timedelta(days=1))
    snoozed = FollowUpEvent(
        "parents-located-update",
        Action.SNOOZED,
        "U1",
        now - timedelta(hours=1),
        until=now + timedelta(days=1),
    )
    reply = reminder_reply(
        shipped_desk(), weekday(), states(now, resolved, snoozed), now, SCHEDULED
    )
    assert reply is not None
    assert [p for p in reply.parts if isinstance(p, FollowUpCard)] == []
    assert "follow-up" not in reply.text


def test_nothing_to_say_is_no_post() -> None:
    now = MONDAY_9_00_20
    only_followups = dataclasses.replace(weekday(), include=("followups",))
    closed = [
        FollowUpEvent(item.id, Action.RESOLVED, "U1", now - timedelta(days=1))
        for item in shipped_desk().followups
    ]
    assert (
        reminder_reply(shipped_desk(), only_followups, states(now, *closed), now, SCHEDULED) is None
    )


def test_explicit_ids_pick_single_facts_and_follow_ups() -> None:
    now = MONDAY_9_00_20
    picked = dataclasses.replace(
        weekday(), include=("chairs-chaos-cruelty", "white-house-response")
    )
    reply = reminder_reply(shipped_desk(), picked, states(now), now, SCHEDULED)
    assert reply is not None
    assert [p.fact.id for p in reply.parts if isinstance(p, FactCard)] == ["chairs-chaos-cruelty"]
    assert [p.state.item.id for p in reply.parts if isinstance(p, FollowUpCard)] == [
        "white-house-response"
    ]
