"""The stories of a desk, listed: what ``/facts`` with no words shows when there are several."""

from __future__ import annotations

from collections import Counter

from bot.desk.model import Desk, FollowUpState
from bot.replies.reply import More, Note, Part

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
    lines = []
    for story in desk.stories[:MAX_LISTED]:
        channels = " ".join(f"<#{c}>" for c in story.channels)
        where = f", in {channels}" if channels else ""
        mark = " (this channel's story)" if story.slug == here else ""
        lines.append(
            f"• *{story.title}* `story:{story.slug}`{mark}: {facts[story.slug]} facts, "
            f"{waiting[story.slug]} open follow-ups{where}"
        )
    parts: list[Part] = [Note(f"{len(desk.stories)} stories:\n" + "\n".join(lines))]
    if len(desk.stories) > MAX_LISTED:
        parts.append(More(len(desk.stories) - MAX_LISTED, "add `story:SLUG` to any search"))
    parts.append(
        Note(
            "Add `story:SLUG` to a search to keep to one story, e.g. "
            f"`/facts story:{desk.stories[-1].slug}`."
        )
    )
    return parts
