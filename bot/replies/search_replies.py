"""Search results as a reply, shared by ``/facts``, ``/quote`` and ``/figure``."""

from __future__ import annotations

from datetime import datetime

from bot.desk.model import Fact, FollowUp, fold_events
from bot.desk.search import SearchResult
from bot.desk.stories import Story
from bot.replies.cards import STATUS_UNAVAILABLE
from bot.replies.context import ReplyContext, States
from bot.replies.reply import Heading, More, Note, Part, Reply, Suggestions
from bot.replies.search_notes import miss_headline, partial_notes, shown_query

RESULT_LIMIT = 10  # cards a search reply shows; the rest are counted in a More part


def search_reply(
    context: ReplyContext,
    command: str,
    query: str,
    kinds: set[str] | None,
    what: str,
    user: str,
    now: datetime,
) -> Reply:
    """The best matches for ``query`` among ``kinds`` (None: everything), or a helpful miss."""
    story = context.story
    result = context.index.search(
        query, limit=RESULT_LIMIT, kinds=kinds, story_first=story.slug if story else None
    )
    if not result.hits:
        return no_match(context, command, query, kinds, what, result)
    states = _states(context, result, now)
    parts: list[Part] = [Heading(what.capitalize() if kinds else "Facts")]
    many = f"{result.total:,}+" if result.at_least else str(result.total)
    count = f"{many} {what if result.total != 1 else what.rstrip('s')}"
    parts.append(Note(f"{count} for {shown_query(query)}" + _found_because(result)))
    parts.extend(_story_first(story, result))
    parts.extend(_cards(context, result, states, user, now))
    if result.total > len(result.hits):
        parts.append(More(result.total - len(result.hits), at_least=result.at_least))
    live = states.live if states else True
    if not live:
        parts.append(Note(STATUS_UNAVAILABLE))
    text = f"{count} for {shown_query(query)}"
    meta = context.meta(live)
    return Reply(tuple(parts), text=text, command=command, query=query, meta=meta)


def _states(context: ReplyContext, result: SearchResult, now: datetime) -> States | None:
    """The live status of the follow-ups among the hits; None when there are none."""
    followups = [hit.item for hit in result.hits if isinstance(hit.item, FollowUp)]
    return context.states_of(followups, now) if followups else None


def facts_question(context: ReplyContext, query: str, user: str, now: datetime) -> Reply:
    """Plain words after any command are a /facts question (``/source when was the report
    released``, ``/followups did the white house respond``)."""
    return search_reply(context, "/facts", query, None, "items", user, now)


def _cards(
    context: ReplyContext, result: SearchResult, states: States | None, user: str, now: datetime
) -> list[Part]:
    today = context.today(now)
    by_id = {s.item.id: s for s in states.items} if states else {}
    buttons = (states.live if states else True) and context.may_edit(user)
    parts: list[Part] = []
    for hit in result.hits:
        if isinstance(hit.item, Fact):
            parts.append(context.fact_card(hit.item, today))
        else:
            state = by_id.get(hit.item.id) or fold_events(hit.item, (), now)
            parts.append(context.followup_card(state, today, buttons))
    return parts


def no_match(
    context: ReplyContext,
    command: str,
    query: str,
    kinds: set[str] | None,
    what: str,
    result: SearchResult,
) -> Reply:
    headline = miss_headline(result) or f"No {what} match {shown_query(query)}."
    parts: list[Part] = [Note(headline)]
    parts.extend(Note(note) for note in result.notes)
    if result.suggestions:
        parts.append(Suggestions(query, tuple(result.suggestions)))
    if kinds is not None and context.index.search(query, limit=0).total:
        parts.append(Note(f"Other kinds of items match: try `/facts {query}`."))
    parts.append(Note(f"Try fewer or other words, or `{command} help`."))
    text = headline.rstrip(".")
    return Reply(tuple(parts), text=text, command=command, query=query, shareable=False)


def _story_first(story: Story | None, result: SearchResult) -> list[Part]:
    """Says so when the channel's story answered first."""
    if story is None or not result.story_first:
        return []
    others = " Other stories follow." if len(result.hits) > result.story_first else ""
    line = f"From this channel's story first: *{story.title}* (`story:{story.slug}`).{others}"
    return [Note(line)]


def _found_because(result: SearchResult) -> str:
    """Why these results, when it is not simply 'they contain your words'."""
    notes = []
    if result.corrections:
        fixed = ", ".join(f"{new} (you typed {old})" for old, new in result.corrections)
        notes.append(f"showing results for {fixed}")
    notes.extend(partial_notes(result))
    notes.extend(note.rstrip(".") for note in result.notes)
    return ": " + "; ".join(notes) + "." if notes else "."
