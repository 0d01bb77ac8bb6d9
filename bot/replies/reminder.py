"""What a reminder post says: a pure function of the desk, follow-up states and the time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.desk.model import Desk, Fact, FollowUpState, Reminder
from bot.replies.cards import fact_card, followup_card
from bot.replies.reply import Heading, More, Note, Part, Reply
from bot.schedule.due import ON_TIME

# `include:` entries that name a kind rather than an id; the value is Fact.kind.
FACT_KIND_ENTRIES = {
    "figures": "figure",
    "quotes": "quote",
    "findings": "finding",
    "statements": "statement",
}
FOLLOWUPS_ENTRY = "followups"
FOLLOWUPS_HEADING = "Open follow-ups"
# What the "N more" line of each part of a post says: a command anyone in the channel can type.
MORE_FIGURES = "type /figure to see every key figure"
MORE_FACTS = "type /facts to search them all"
MORE_FOLLOWUPS = "type /followups list to see every open follow-up"
_NAMED_IN_SUMMARY = 3
_KIND_WORDS = {
    "figure": ("key figure", "key figures"),
    "quote": ("quote", "quotes"),
    "finding": ("finding", "findings"),
    "statement": ("statement", "statements"),
}


def included_facts(desk: Desk, reminder: Reminder) -> list[Fact]:
    """Facts the reminder names by kind or by id, in facts.yaml order."""
    kinds = {FACT_KIND_ENTRIES[e] for e in reminder.include if e in FACT_KIND_ENTRIES}
    ids = set(reminder.include)
    story = desk.story_of(reminder.id)  # a kind means that kind in the reminder's own story
    return [
        f for f in desk.facts if f.id in ids or (f.kind in kinds and desk.story_of(f.id) == story)
    ]


def included_followups(
    reminder: Reminder, states: Sequence[FollowUpState], desk: Desk
) -> list[FollowUpState]:
    """Open follow-ups the reminder names (all of its story's, or by id); closed ones never
    nag."""
    every = FOLLOWUPS_ENTRY in reminder.include
    ids = set(reminder.include)
    story = desk.story_of(reminder.id)
    return [
        s
        for s in states
        if s.is_open and (s.item.id in ids or (every and desk.story_of(s.item.id) == story))
    ]


def late_note(scheduled_for: datetime, now: datetime, zone: ZoneInfo) -> Note | None:
    """``Late: scheduled 09:00, posted 09:42`` in the reminder's zone; None when on time."""
    if now - scheduled_for <= ON_TIME:
        return None
    scheduled, posted = scheduled_for.astimezone(zone), now.astimezone(zone)
    if scheduled.date() == posted.date():
        return Note(f"Late: scheduled {scheduled:%H:%M}, posted {posted:%H:%M}")
    return Note(f"Late: scheduled {scheduled:%a %d %b %H:%M}, posted {posted:%a %d %b %H:%M}")


def reminder_reply(
    desk: Desk,
    reminder: Reminder,
    states: list[FollowUpState],
    now: datetime,
    scheduled_for: datetime,
) -> Reply | None:
    """The post for one occurrence, or None when there is nothing to say."""
    zone = ZoneInfo(reminder.timezone)
    today = now.astimezone(zone).date()
    facts = included_facts(desk, reminder)
    followups = included_followups(reminder, states, desk)
    if not facts and not followups:
        return None
    day = scheduled_for.astimezone(zone).date()
    parts: list[Part] = [Heading(_heading(desk, reminder, day))]
    note = late_note(scheduled_for, now, zone)
    if note is not None:
        parts.append(note)
    parts.extend(_sections(desk, facts, followups, today))
    summary = _summary(desk, facts, followups) + (" (late)" if note is not None else "")
    return Reply(
        parts=tuple(parts),
        text=summary,
        visibility="in_channel",
        shareable=False,
        meta={
            "reminder_id": reminder.id,
            "scheduled_for": scheduled_for.isoformat(),
            "timezone": reminder.timezone,
        },
    )


def _sections(
    desk: Desk, facts: list[Fact], followups: list[FollowUpState], today: date
) -> list[Part]:
    """Figures and follow-ups as sections of their own, so a long list of figures cannot
    push the follow-ups out of the post (bot.replies.budget shares the blocks out), each
    ending, if cut, with a command anyone in the channel can type."""
    parts: list[Part] = []
    if facts:
        parts.extend(fact_card(desk, fact, today) for fact in facts)
        figures_only = all(f.kind == "figure" for f in facts)
        parts.append(More(0, MORE_FIGURES if figures_only else MORE_FACTS))
    if followups:
        parts.append(Heading(FOLLOWUPS_HEADING))
        parts.extend(followup_card(desk, state, today, buttons=True) for state in followups)
        parts.append(More(0, MORE_FOLLOWUPS))
    return parts


def _heading(desk: Desk, reminder: Reminder, day: date) -> str:
    """``Immigration desk: reminder for ...``; with several stories, the reminder's story."""
    name = desk.story_of(reminder.id).title if len(desk.stories) > 1 else desk.newsroom.name
    return f"{name}: reminder for {day:%A} {day.day} {day:%B %Y}"[:150]


def _summary(desk: Desk, facts: list[Fact], followups: list[FollowUpState]) -> str:
    """The notification line: figures by value, then counts (the blocks carry the rest)."""
    pieces = [_figure_line(f) for f in facts if f.kind == "figure"][:_NAMED_IN_SUMMARY]
    counts: dict[str, int] = {}
    for fact in facts:
        counts[fact.kind] = counts.get(fact.kind, 0) + 1
    unnamed_figures = counts.pop("figure", 0) - len(pieces)
    if unnamed_figures > 0:
        pieces.append(_count(unnamed_figures, "more key figure", "more key figures"))
    pieces.extend(_count(n, *_KIND_WORDS[kind]) for kind, n in counts.items())
    if followups:
        titles = ", ".join(s.item.title for s in followups[:_NAMED_IN_SUMMARY])
        more = len(followups) - _NAMED_IN_SUMMARY
        pieces.append(
            _count(len(followups), "open follow-up", "open follow-ups")
            + f" ({titles}{f', and {more} more' if more > 0 else ''})"
        )
    return f"{desk.newsroom.name} reminder: {'; '.join(pieces)}"


def _figure_line(fact: Fact) -> str:
    value = fact.amount()  # with its qualifier: "at least 545 parents"
    as_of = f" as of {fact.as_of.human()}" if fact.as_of is not None else ""
    return f"{fact.label or fact.id}: {value}{as_of}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
