"""The one fact card and the one follow-up card every reply shows (commands, Home, reminders)."""

from __future__ import annotations

from datetime import date

from bot.desk.model import Desk, Fact, FollowUpState
from bot.replies.reply import FactCard, FollowUpCard

STATUS_UNAVAILABLE = (
    "Live follow-up status is unavailable (the database did not answer), so follow-ups are "
    "shown as curated. Try again in a minute."
)


def fact_card(desk: Desk, fact: Fact, today: date) -> FactCard:
    """The fact with its source, and its age when it is past the desk's ``stale_after_days``."""
    stale = None
    if fact.as_of is not None and fact.is_stale(today, desk.newsroom.stale_after_days):
        stale = fact.as_of.age_days(today)
    return FactCard(fact, desk.sources[fact.source], stale)


def followup_card(desk: Desk, state: FollowUpState, today: date, buttons: bool) -> FollowUpCard:
    """The follow-up with its source (None when added from Slack) and how long we have waited."""
    source = desk.sources.get(state.item.source) if state.item.source else None
    return FollowUpCard(state, source, state.age_days(today), buttons=buttons)
