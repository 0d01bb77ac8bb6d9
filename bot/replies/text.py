"""Replies drawn for a terminal, and the wording both renderers share.

The same content as the Slack blocks (quotes, citations, fact ids, stale warnings), as plain
text: no mrkdwn, no escaping, no mentions. Lines are not wrapped so a quote copies whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.desk.model import Action, Fact, FollowUpEvent, FollowUpState, Source, Status, plural
from bot.replies.draft_check import card_text
from bot.replies.reply import (
    CheckCard,
    FactCard,
    FollowUpCard,
    Heading,
    History,
    More,
    Note,
    Part,
    ReminderLine,
    Reply,
    SourceCard,
    StoryLine,
    Suggestions,
    more_words,
)

INDENT = "  "
_VERBS = {
    Action.ADDED: "added",
    Action.RESOLVED: "resolved",
    Action.SNOOZED: "snoozed",
    Action.REOPENED: "reopened",
}


# --- wording shared with blocks.py ----------------------------------------------------------


def format_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def format_when(at: datetime, timezone: str) -> str:
    """An event's time in the newsroom's zone, e.g. ``14 Jan 2021 09:30 EST``."""
    try:
        local = at.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        local = at
    return f"{format_date(local.date())} {local:%H:%M} {local.tzname() or ''}".rstrip()


def quoted(text: str) -> str:
    return f"“{' '.join(text.split())}”"


def words(fact: Fact) -> str:
    """A quote in quotation marks; the publisher's own words (finding, statement, figure)
    as they are, with only the quotation marks the source put in them."""
    return quoted(fact.quote) if fact.kind == "quote" else " ".join(fact.quote.split())


def figure_line(fact: Fact) -> str:
    """``at least 545 parents · Parents not located · as of October 2020``."""
    pieces = [fact.amount()]
    if fact.label:
        pieces.append(fact.label)
    if fact.as_of is not None:
        pieces.append(f"as of {fact.as_of.human()}")
    return " · ".join(p for p in pieces if p)


def stale_line(card: FactCard) -> str:
    as_of = card.fact.as_of.human() if card.fact.as_of else "an old date"
    return f"Stale: as of {as_of}, {card.stale_days:,} days ago. Check for a newer figure."


def published_line(source: Source) -> str:
    return f"{source.publisher}, {format_date(source.published)}"


def byline(fact: Fact, source: Source) -> str | None:
    """Whose words these are, unless simply the publisher's (the citation names it)."""
    line = fact.byline(source.publisher)
    return None if line == source.publisher else line


def attributed_line(fact: Fact, source: Source) -> str:
    """Whose words and where they ran: publisher, headline, date and link, never a file."""
    line = byline(fact, source)
    return source.citation() if line is None else f"{line} · {source.citation()}"


def credit_lines(fact: Fact, source: Source) -> list[str]:
    """/source's account of whose words these are, for an editor to sign off on."""
    lines = [f"Words of: {fact.credit()} · {fact.kind} · id: {fact.id}"]
    if byline(fact, source) is not None and fact.kind != "quote":
        lines.append(f"Shown as: {fact.byline(source.publisher)}")
    credit = source_credit(fact, source)
    if credit is not None:
        lines.append(f"The source credits them to: {credit}")
    if fact.about:
        lines.append(f"About: {', '.join(s.display() for s in fact.about)}")
    if fact.evidence:
        lines.append(f"Evidence in the source: {quoted(fact.evidence)}")
    return lines


def source_credit(fact: Fact, source: Source) -> str | None:
    """Whom the source text itself credits for the fact's words, and where it says so."""
    from bot.desk import attribution, provenance  # only /source needs it: keeps start-up light

    span = provenance.locate(fact.quote, source.text)
    if span is None:
        return None
    credit = attribution.credited_speaker(source.text, span)
    if credit.who is None:
        return f"nobody named: {source.publisher}'s own words (source line {credit.line})"
    how = {"list lead-in": ", in the list's lead-in", "label": ", in the paragraph's label"}
    return f"{credit}{how.get(credit.how, '')}"


def status_words(state: FollowUpState, unavailable: bool, timezone: str) -> str:
    if unavailable:
        return "status unknown (database unavailable)"
    if state.status is Status.SNOOZED and state.snoozed_until is not None:
        return f"snoozed until {format_when(state.snoozed_until, timezone)}"
    return state.status.value


def age_words(age_days: int | None) -> str | None:
    if age_days is None:
        return None
    if age_days == 0:
        return "asked today"
    return f"asked {age_days:,} day{'s' if age_days != 1 else ''} ago"


def event_words(event: FollowUpEvent, timezone: str) -> tuple[str, str, str]:
    """(when, what, detail) of one change: the renderer puts who did it in between."""
    detail = ""
    if event.until is not None:
        detail = f"until {format_when(event.until, timezone)}"
    if event.note:
        detail = f"{detail}: {event.note}" if detail else event.note
    return format_when(event.at, timezone), _VERBS[event.action], detail


# --- the terminal renderer ------------------------------------------------------------------


def render_text(reply: Reply) -> str:
    timezone = reply.meta.get("timezone", "UTC")
    unavailable = reply.meta.get("followup_status") == "unavailable"
    chunks = [_part_text(part, timezone, unavailable) for part in reply.parts]
    return "\n\n".join(chunk for chunk in chunks if chunk).rstrip() + "\n"


def _part_text(part: Part, timezone: str, unavailable: bool) -> str:
    if isinstance(part, Heading):
        return f"== {part.text} =="
    if isinstance(part, Note):
        return part.text
    if isinstance(part, FactCard):
        return _fact_text(part)
    if isinstance(part, FollowUpCard):
        return _followup_text(part, timezone, unavailable)
    if isinstance(part, SourceCard):
        return _source_text(part, timezone, unavailable)
    if isinstance(part, CheckCard):
        return card_text(part)
    if isinstance(part, History):
        return INDENT + _history_text(part.events, timezone).replace("\n", "\n" + INDENT)
    return _line_text(part)


def _line_text(part: Part) -> str:
    """The one-line parts: suggestions, "N more", a reminder's next post."""
    if isinstance(part, Suggestions):
        return "Did you mean: " + ", ".join(part.terms) + "?"
    if isinstance(part, More):
        return f"{more_words(part.count, part.at_least)}: {part.hint}" if part.count else ""
    if isinstance(part, ReminderLine):
        return f"{part.when}: {part.reminder_id} in {part.channel}"
    if isinstance(part, StoryLine):
        return "• " + story_line(part, part.title, part.channels)
    raise TypeError(f"no text renderer for {type(part).__name__}")


def story_line(line: StoryLine, title: str, channels: Sequence[str]) -> str:
    """``TITLE story:SLUG: 9 facts, 1 open follow-up, in #lunch``, with the title and the
    channels already drawn for the medium."""
    mark = " (this channel's story)" if line.here else ""
    where = f", in {' '.join(channels)}" if channels else ""
    counts = f"{plural(line.facts, 'fact')}, {plural(line.open_followups, 'open follow-up')}"
    return f"{title} `story:{line.slug}`{mark}: {counts}{where}"


def _fact_text(card: FactCard) -> str:
    fact, source = card.fact, card.source
    lines = [words(fact)]
    if fact.kind == "figure":
        lines.append(figure_line(fact))
    if card.stale_days is not None:
        lines.append("! " + stale_line(card))
    lines.append(f"— {attributed_line(fact, source)}")
    lines.append(f"{fact.kind} · id: {fact.id}")
    return "\n".join(INDENT + line for line in lines)


def _followup_text(card: FollowUpCard, timezone: str, unavailable: bool) -> str:
    item, state = card.state.item, card.state
    lines = [f"[follow-up] {item.title}", _followup_facts(card, timezone, unavailable)]
    if item.quote:
        lines.append(" ".join(item.quote.split()))  # the publisher's sentence, not a quote
    if state.resolution is not None:
        lines.append(_event_line(state.resolution, timezone))
    if card.source is not None:
        origin = card.source.citation()
    else:
        origin = f"added by {item.added_by or 'someone'}"
    lines.append(f"{origin} · id: {item.id}")
    return "\n".join(INDENT + line for line in lines)


def _followup_facts(card: FollowUpCard, timezone: str, unavailable: bool) -> str:
    """``waiting on X · asked 3 days ago · open · owner U1``, leaving out what is unknown."""
    item = card.state.item
    facts = [f"waiting on {item.waiting_on}" if item.waiting_on else None]
    facts += [age_words(card.age_days), status_words(card.state, unavailable, timezone)]
    facts += [f"owner {item.owner}" if item.owner else None]
    return " · ".join(f for f in facts if f)


def _source_text(card: SourceCard, timezone: str, unavailable: bool) -> str:
    source = card.source
    lines = ["Paragraph:", INDENT + card.paragraph.replace("\n", "\n" + INDENT)]
    if card.fact is not None:
        lines.extend(_fact_source_lines(card.fact, source))
    if card.followup is not None:
        state = card.followup
        status = status_words(state, unavailable, timezone)
        lines.append(f"Follow-up: {state.item.title} · {status} · id: {state.item.id}")
    lines.append(f"Source: {source.title} ({source.id})")
    lines.append(
        f"Published: {published_line(source)}" + (f" · {source.section}" if source.section else "")
    )
    if source.url:
        lines.append(f"Read it: {source.url}")
    lines.append(f"File: {source.file}")  # for editors: /source is where they check provenance
    if card.followup is not None and card.history_shown:
        lines.append(_history_text(card.history, timezone))
    return "\n".join(INDENT + line for line in lines)


def _fact_source_lines(fact: Fact, source: Source) -> list[str]:
    """The words, whose they are, whom the source credits, and how a figure was read."""
    lines = [f"{'Quote' if fact.kind == 'quote' else 'Text'}: {words(fact)}"]
    lines.extend(credit_lines(fact, source))
    if fact.kind == "figure":
        lines.append(f"Figure: {figure_line(fact)}")
        if fact.as_of_note:
            lines.append(f"As of: {fact.as_of_note}")
    return lines


def _history_text(history: tuple[FollowUpEvent, ...], timezone: str) -> str:
    lines = ["History:" if history else "History: no changes recorded."]
    lines.extend(INDENT + _event_line(event, timezone) for event in history)
    return "\n".join(lines)


def _event_line(event: FollowUpEvent, timezone: str) -> str:
    when, what, detail = event_words(event, timezone)
    line = f"{when}: {what} by {event.user}"
    return f"{line}: {detail}" if detail else line
