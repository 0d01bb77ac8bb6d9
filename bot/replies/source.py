"""``/source ID``: a fact or follow-up with its paragraph, source record and history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.desk.model import FollowUp, Source
from bot.replies.followups import STATUS_UNAVAILABLE
from bot.replies.reply import Heading, Note, Part, Reply, SourceCard

if TYPE_CHECKING:
    from bot.replies.router import Router

COMMAND = "/source"


def paragraph_around(quote: str, source: Source) -> str:
    """The source paragraph holding the quote; the quote itself if it cannot be found."""
    from bot.desk import provenance  # only /source needs it: keeps start-up light

    span = provenance.locate(quote, source.text)
    return quote if span is None else provenance.paragraph_of(source.text, span)


def source_reply(router: Router, query: str, now: datetime) -> Reply:
    typed = query.split()[0] if query.split() else ""
    if not typed:
        example = next((f.id for f in router.desk.facts), "parents-not-located")
        return _error(
            query,
            f"Which one? Type `/source ID`, e.g. `/source {example}`. "
            "The ID is at the bottom of every answer from `/facts`, `/quote` and `/figure`.",
        )
    fact = router.desk.fact(typed) or next(
        (f for f in router.desk.facts if f.id.casefold() == typed.casefold()), None
    )
    if fact is not None:
        source = router.desk.sources[fact.source]
        card = SourceCard(source, paragraph_around(fact.quote, source), fact=fact)
        parts: tuple[Part, ...] = (Heading(f"Source of {fact.id}"[:150]), card)
        text = f"Source of {fact.id}: {source.citation()}"
        return Reply(parts, text=text, command=COMMAND, query=query, meta=router.meta())
    return _followup_source(router, typed, query, now)


def _followup_source(router: Router, typed: str, query: str, now: datetime) -> Reply:
    states = router.states(now)
    wanted = typed.casefold()
    state = next((s for s in states.items if s.item.id.casefold() == wanted), None)
    if state is None:
        return _not_found(router, typed, query, [s.item for s in states.items])
    item = state.item
    parts: list[Part] = [Heading(f"Follow-up {item.id}"[:150])]
    source = router.desk.sources.get(item.source) if item.source else None
    if source is not None:
        paragraph = paragraph_around(item.quote, source) if item.quote else item.title
        parts.append(SourceCard(source, paragraph, followup=state, history=state.history))
    else:
        parts.append(router.followup_card(state, router.today(now), states.live))
        parts.append(Note(_added_line(item, state.history[0].at if state.history else None)))
    if not states.live:
        parts.append(Note(STATUS_UNAVAILABLE))
    text = f"Follow-up {item.id}: {state.status.value}"
    return Reply(
        tuple(parts), text=text, command=COMMAND, query=query, meta=router.meta(states.live)
    )


def _added_line(item: FollowUp, added_at: datetime | None) -> str:
    when = f" on {added_at:%d %b %Y}" if added_at else ""
    return f"Added from Slack{when}; it has no published source yet."


def _not_found(router: Router, typed: str, query: str, followups: list[FollowUp]) -> Reply:
    ids = [f.id for f in router.desk.facts] + [f.id for f in followups]
    close = router.close_ids(typed, ids)
    # The user may have typed words rather than an id: offer what a search finds.
    close += [hit.item.id for hit in router.index.search(query, limit=3).hits]
    close = list(dict.fromkeys(close))[:5]
    hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
    return _error(
        query,
        f"Nothing has the ID “{typed}”.{hint} "
        "IDs are at the bottom of every answer; `/facts WORDS` finds them.",
    )


def _error(query: str, message: str) -> Reply:
    return Reply(
        (Note(message),), text=message, shareable=False, command=COMMAND, query=query, ok=False
    )
