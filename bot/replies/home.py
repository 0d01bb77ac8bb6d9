"""The App Home tab: key figures (stale ones flagged), open follow-ups, next reminder posts.

The content is a Reply like any other, so blocks.py draws it; the Slack adapter wraps the
blocks in a Home view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.desk.model import Desk, Fact, FollowUpState
from bot.replies.cards import STATUS_UNAVAILABLE, fact_card, followup_card
from bot.replies.reply import VIEW_BLOCKS, Heading, More, Note, Part, ReminderLine, Reply

# A Home view holds 100 blocks and a card takes two or three, so no more than this many of
# each could ever show; the renderer shares the blocks out between the sections and ends
# each one with its own "N more" line (bot.replies.budget).
MAX_FIGURES = VIEW_BLOCKS // 2
MAX_FOLLOWUPS = VIEW_BLOCKS // 2
MAX_REMINDERS = 5
MORE_FIGURES = "type /figure to search them all"
MORE_FOLLOWUPS = "type /followups list to see them all"
MAX_STORIES = 4  # with several stories: each with up to PER_STORY figures and follow-ups
PER_STORY = 2


def _figure_cards(desk: Desk, today: date) -> list[Part]:
    figures = desk.figures()
    if not figures:
        return [Note("No key figures on the desk.")]
    parts: list[Part] = [fact_card(desk, fact, today) for fact in figures[:MAX_FIGURES]]
    parts.append(More(max(0, len(figures) - MAX_FIGURES), MORE_FIGURES))
    return parts


def _followup_cards(
    desk: Desk, states: Sequence[FollowUpState], today: date, buttons: bool
) -> list[Part]:
    open_states = [s for s in states if s.is_open]
    if not open_states:
        return [Note("No open follow-ups.")]
    parts: list[Part] = [
        followup_card(desk, state, today, buttons) for state in open_states[:MAX_FOLLOWUPS]
    ]
    parts.append(More(max(0, len(open_states) - MAX_FOLLOWUPS), MORE_FOLLOWUPS))
    return parts


def _reminder_lines(desk: Desk, next_runs: Mapping[str, datetime]) -> list[Part]:
    if not next_runs:
        return [Note("No reminder posts are scheduled in this process.")]
    zone = ZoneInfo(desk.newsroom.timezone)
    upcoming = sorted(next_runs.items(), key=lambda item: item[1])[:MAX_REMINDERS]
    channels = {r.id: r.channel for r in desk.reminders}
    return [
        ReminderLine(f"{when.astimezone(zone):%a %d %b %H:%M %Z}", rid, channels.get(rid, "?"))
        for rid, when in upcoming
    ]


def _story_sections(
    desk: Desk, states: Sequence[FollowUpState], today: date, editor: bool
) -> list[Part]:
    """Several stories: each with its key figures and open follow-ups, in facts.yaml order."""
    figures: dict[str, list[Fact]] = {}
    for fact in desk.figures():
        figures.setdefault(desk.story_of(fact.id).slug, []).append(fact)
    followups: dict[str, list[FollowUpState]] = {}
    for state in states:
        if state.is_open:
            followups.setdefault(desk.story_of(state.item.id).slug, []).append(state)
    parts: list[Part] = []
    for story in desk.stories[:MAX_STORIES]:
        mine, waiting = figures.get(story.slug, []), followups.get(story.slug, [])
        parts.append(Heading(story.title[:150]))
        counts = f"{len(mine)} key figure(s), {len(waiting)} open follow-up(s)"
        parts.append(Note(f"`story:{story.slug}`: {counts}"))
        parts.extend(fact_card(desk, fact, today) for fact in mine[:PER_STORY])
        parts.extend(followup_card(desk, s, today, buttons=editor) for s in waiting[:PER_STORY])
    if len(desk.stories) > MAX_STORIES:
        parts.append(More(len(desk.stories) - MAX_STORIES, "type /facts to list every story"))
    return parts


def home_reply(
    desk: Desk,
    states: Sequence[FollowUpState],
    next_runs: Mapping[str, datetime],
    today: date,
    *,
    live: bool = True,
    editor: bool = True,
) -> Reply:
    """Everything the Home tab shows, as reply parts. ``live=False``: the database did not
    answer, so follow-ups are shown as curated, and the tab says so. ``editor``: the person
    looking may change follow-ups (only then does a card carry buttons)."""
    meta = {"timezone": desk.newsroom.timezone}
    unavailable: list[Part] = []
    if not live:
        meta["followup_status"] = "unavailable"
        unavailable.append(Note(STATUS_UNAVAILABLE))
    if len(desk.stories) > 1:
        return Reply(
            (
                Heading(desk.newsroom.name),
                *unavailable,
                *_story_sections(desk, states, today, editor),
                Heading("Next reminder posts"),
                *_reminder_lines(desk, next_runs),
            ),
            text=f"{desk.newsroom.name}: key figures and follow-ups by story",
            shareable=False,
            meta=meta,
            max_blocks=VIEW_BLOCKS,
        )
    parts: list[Part] = [
        Heading(desk.newsroom.name),
        Heading("Key figures"),
        *_figure_cards(desk, today),
        Heading("Open follow-ups"),
        *unavailable,
        *_followup_cards(desk, states, today, buttons=editor),
        Heading("Next reminder posts"),
        *_reminder_lines(desk, next_runs),
    ]
    return Reply(
        tuple(parts),
        text=f"{desk.newsroom.name}: key figures and follow-ups",
        shareable=False,
        meta=meta,
        max_blocks=VIEW_BLOCKS,
    )
