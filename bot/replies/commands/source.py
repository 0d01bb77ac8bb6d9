"""``/source ID``: a fact or follow-up with its paragraph, source record and history."""

from __future__ import annotations

from datetime import datetime

from bot.desk.access import CONSOLE_USER
from bot.desk.model import ADDED_PREFIX, FollowUp, Source
from bot.replies.cards import STATUS_UNAVAILABLE
from bot.replies.command import Command
from bot.replies.context import ReplyContext
from bot.replies.reply import Heading, History, Note, Part, Reply, SourceCard
from bot.replies.search_replies import facts_question

NAME = "/source"


def paragraph_around(quote: str, source: Source) -> str:
    """The source paragraph holding the quote; the quote itself if it cannot be found."""
    from bot.desk import provenance  # only /source needs it: keeps start-up light

    span = provenance.locate(quote, source.text)
    return quote if span is None else provenance.paragraph_of(source.text, span)


def answer(context: ReplyContext, query: str, user: str, now: datetime) -> Reply:
    typed = context.resolve(query.split()[0]) if query.split() else ""
    if not typed:
        example = next((f.id for f in context.desk.facts), "parents-not-located")
        return _error(
            query,
            f"Which one? Type `/source ID`, e.g. `/source {example}`. "
            "The ID is at the bottom of every answer from `/facts`, `/quote` and `/figure`.",
        )
    if len(query.split()) > 1 and not _is_an_id(context, typed):
        return facts_question(context, query, user, now)
    fact = context.desk.fact(typed) or next(
        (f for f in context.desk.facts if f.id.casefold() == typed.casefold()), None
    )
    if fact is not None:
        source = context.desk.sources[fact.source]
        card = SourceCard(source, paragraph_around(fact.quote, source), fact=fact)
        parts: tuple[Part, ...] = (Heading(f"Source of {fact.id}"[:150]), card)
        text = f"Source of {fact.id}: {source.citation()}"
        return Reply(parts, text=text, command=NAME, query=query, meta=context.meta())
    return _followup_source(context, typed, query, now)


def _followup_source(context: ReplyContext, typed: str, query: str, now: datetime) -> Reply:
    states = context.states(now)
    wanted = typed.casefold()
    state = next((s for s in states.items if s.item.id.casefold() == wanted), None)
    if state is None:
        return _not_found(context, typed, query, [s.item for s in states.items])
    item = state.item
    parts: list[Part] = [Heading(f"Follow-up {item.id}"[:150])]
    source = context.desk.sources.get(item.source) if item.source else None
    if source is not None:
        paragraph = paragraph_around(item.quote, source) if item.quote else item.title
        parts.append(SourceCard(source, paragraph, followup=state, history=state.history))
    else:
        parts.append(context.followup_card(state, context.today(now), states.live))
        parts.append(Note(added_line(item, state.history[0].at if state.history else None)))
        parts.append(History(state.history))
    if not states.live:
        parts.append(Note(STATUS_UNAVAILABLE))
    text = f"Follow-up {item.id}: {state.status.value}"
    return Reply(tuple(parts), text=text, command=NAME, query=query, meta=context.meta(states.live))


def _is_an_id(context: ReplyContext, typed: str) -> bool:
    wanted = typed.casefold()
    ids = [f.id for f in context.desk.facts] + [f.id for f in context.desk.followups]
    return wanted.startswith(ADDED_PREFIX) or any(i.casefold() == wanted for i in ids)


def added_line(item: FollowUp, added_at: datetime | None) -> str:
    """Where a follow-up without a published source came from: Slack or the console."""
    when = f" on {added_at:%d %b %Y}" if added_at else ""
    where = "in the console" if item.added_by == CONSOLE_USER else "from Slack"
    return f"Added {where}{when}; it has no published source yet."


def _not_found(context: ReplyContext, typed: str, query: str, followups: list[FollowUp]) -> Reply:
    ids = [f.id for f in context.desk.facts] + [f.id for f in followups]
    close = context.close_ids(typed, ids)
    # The user may have typed words rather than an id: offer what a search finds.
    close += [hit.item.id for hit in context.index.search(query, limit=3).hits]
    close = list(dict.fromkeys(close))[:5]
    hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
    return _error(
        query,
        f"Nothing has the ID “{typed}”.{hint} "
        "IDs are at the bottom of every answer; `/facts WORDS` finds them.",
    )


def _error(query: str, message: str) -> Reply:
    return Reply(
        (Note(message),), text=message, shareable=False, command=NAME, query=query, ok=False
    )


COMMAND = Command(
    name=NAME,
    summary="where a fact or follow-up comes from, and what happened to it",
    usage=(
        "`/source ID` shows where a fact or follow-up comes from: the sentence inside its "
        "paragraph, the published source, and every change made to it.\n"
        "The ID is at the bottom of every answer, e.g. `/source parents-not-located`; "
        "another story's item is `/source SLUG/ID`."
    ),
    handler=answer,
    position=50,
)
