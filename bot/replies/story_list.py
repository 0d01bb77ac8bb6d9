"""The stories of a desk, listed: what ``/facts`` with no words shows when there are several."""

from __future__ import annotations

from collections import Counter

from bot.desk.model import Desk, FollowUpState
from bot.replies.reply import More, Note, Part, StoryLine

MAX_LISTED = 20  # a Slack section holds 3,000 characters; a line is about 120


def story_counts(desk: Desk) -> Counter[str]:
    """Facts per story slug (counted once per desk: see ReplyContext.story_counts)."""
    return Counter(desk.story_of(fact.id).slug for fact in desk.facts)


def story_list(
    desk: Desk, facts: Counter[str], states: list[FollowUpState], here: str | None = None
) -> list[Part]:
    """One line a story: title, ``story:SLUG``, facts, open follow-ups, channels; ``here``
    marks the story of the channel the command was typed in."""
    waiting = Counter(desk.story_of(s.item.id).slug for s in states if s.is_open)
    parts: list[Part] = [Note(f"{len(desk.stories)} stories:")]
    parts.extend(
        StoryLine(
            story.title,
            story.slug,
            facts[story.slug],
            waiting[story.slug],
            tuple(story.channels),
            here=story.slug == here,
        )
        for story in desk.stories[:MAX_LISTED]
    )
    if len(desk.stories) > MAX_LISTED:
        parts.append(More(len(desk.stories) - MAX_LISTED, "add `story:SLUG` to any search"))
    parts.append(
        Note(
            "Add `story:SLUG` to a search to keep to one story, e.g. "
            f"`/facts story:{desk.stories[-1].slug}`."
        )
    )
    return parts
