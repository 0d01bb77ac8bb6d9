"""``/facts [query]``: the best matches across the desk; with no query, an overview."""

from __future__ import annotations

from datetime import datetime

from bot.replies.cards import STATUS_UNAVAILABLE
from bot.replies.command import Command
from bot.replies.context import ReplyContext
from bot.replies.reply import Heading, More, Note, Part, Reply
from bot.replies.search_replies import search_reply
from bot.replies.story_list import story_list

NAME = "/facts"
OVERVIEW_FIGURES = 3


def answer(context: ReplyContext, query: str, user: str, now: datetime) -> Reply:
    if not query:
        return overview(context, now)
    return search_reply(context, NAME, query, None, "items", user, now)


def overview(context: ReplyContext, now: datetime) -> Reply:
    """What the desk holds, its first key figures, and one line a command."""
    desk = context.desk
    states = context.states(now)
    open_count = sum(1 for s in states.items if s.is_open)
    summary = _summary(context, open_count)
    parts: list[Part] = [Heading(desk.newsroom.name[:150] or "Newsbot"), Note(summary)]
    if len(desk.stories) > 1:
        here = context.story.slug if context.story else None
        parts.extend(story_list(desk, context.story_counts(), states.items, here))
    parts.extend(_key_figures(context, now))
    if not states.live:
        parts.append(Note(STATUS_UNAVAILABLE))
    parts.append(Note(context.overview_help()))
    return Reply(tuple(parts), text=summary, command=NAME, meta=context.meta(states.live))


def _summary(context: ReplyContext, open_count: int) -> str:
    desk = context.desk
    counts = desk.counts()
    kinds = ", ".join(
        f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}"
        for k in ("quote", "figure", "finding", "statement")
    )
    return (
        f"{len(desk.facts)} facts ({kinds}) from {counts['sources']} "
        f"source{'s' if counts['sources'] != 1 else ''}; "
        f"{open_count} open follow-up{'s' if open_count != 1 else ''} (`/followups`)."
    )


def _key_figures(context: ReplyContext, now: datetime) -> list[Part]:
    figures = context.desk.figures()
    if not figures:
        return []
    today = context.today(now)
    parts: list[Part] = [Note("Key figures:")]
    parts.extend(context.fact_card(f, today) for f in figures[:OVERVIEW_FIGURES])
    if len(figures) > OVERVIEW_FIGURES:
        parts.append(More(len(figures) - OVERVIEW_FIGURES, "`/figure` lists them all"))
    return parts


COMMAND = Command(
    name=NAME,
    summary="search quotes, figures, findings and follow-ups",
    usage=(
        "`/facts` shows an overview of the desk.\n"
        "`/facts WORDS` finds the best matches across quotes, figures, findings and follow-ups.\n"
        "Ask the way you talk: `/facts how many parents were not located?`, "
        "`/facts what did horowitz say` (question words need not match; `how many` asks for "
        "a figure, `who said` for a quote, `when` for a date, `did X respond` for a follow-up).\n"
        'Use "double quotes" for a phrase, and filters: `kind:figure`, `tag:oig`, '
        "`by:oig` (who said it, by any of their names), `source:ID`, `story:SLUG` (one "
        "story; `/facts` lists them).\n"
        "Examples: `/facts 545`, `/facts separated parents`, `/facts kind:quote by:chairs`"
    ),
    handler=answer,
    position=10,
)
