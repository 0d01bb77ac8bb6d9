"""One router for every transport: (command, text, user, now) -> Reply.

Slack, the console and ``newsbot ask`` all call :meth:`Router.handle`. It reads the desk, the
search index and the follow-up book, and never the clock: ``now`` is a parameter.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime

from rapidfuzz import fuzz, process

from bot.desk.model import (
    BookUnavailable,
    Desk,
    Fact,
    FollowUp,
    FollowUpBook,
    FollowUpEvent,
    FollowUpState,
    fold_events,
)
from bot.desk.search import SearchIndex, SearchResult
from bot.replies.followups import STATUS_UNAVAILABLE, FollowUpCommands, States
from bot.replies.help import USAGE, overview_help
from bot.replies.reply import (
    FactCard,
    FollowUpCard,
    Heading,
    More,
    Note,
    Part,
    Reply,
    Suggestions,
)
from bot.replies.source import source_reply

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 3000  # what we read of a command's text; Slack sends at most 4,000
RESULT_LIMIT = 10  # cards a search reply shows; the rest are counted in a More part
OVERVIEW_FIGURES = 3
SPEAKER_LIMIT = 30
HELP_WORDS = frozenset({"help", "?", "-h", "--help"})

# The book's version, then everything it held at that version.
_BookCache = tuple[object, tuple[FollowUpEvent, ...], tuple[FollowUp, ...]]


def normalize_command(command: str) -> str:
    name = command.strip().casefold()
    return name if name.startswith("/") else "/" + name


# Bidirectional overrides, embeddings and isolates: echoed back in a reply, they would
# reorder the text around them ("Trojan Source"), so a query could disguise what follows it.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def clean_text(text: str) -> str:
    """What the user typed, capped, with control and bidi characters turned into spaces."""
    capped = text[:MAX_TEXT_CHARS]
    return "".join(
        " " if ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in _BIDI_CONTROLS else ch for ch in capped
    ).strip()


def as_utc(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


class Router:
    def __init__(
        self,
        desk: Desk,
        book: FollowUpBook,
        index: SearchIndex | None = None,
        editors: frozenset[str] = frozenset(),
    ) -> None:
        self.desk = desk
        self.book = book
        self.index = index if index is not None else SearchIndex.build(desk)
        self.editors = editors
        self._handlers: dict[str, Callable[[str, str, datetime], Reply]] = {
            "/facts": self._facts,
            "/quote": self._quote,
            "/figure": self._figure,
            "/followups": self._followups,
            "/source": self._source,
        }
        self._followup_commands = FollowUpCommands(self)
        # (book version, events, added follow-ups): saves two queries on most requests.
        self._book_cache: _BookCache | None = None

    def handle(self, command: str, text: str, user: str, now: datetime) -> Reply:
        name = normalize_command(command)
        query = clean_text(text)
        handler = self._handlers.get(name)
        if handler is None:
            return self._unknown_command(command, query)
        if query.casefold() in HELP_WORDS:
            return self._help(name)
        return handler(query, user, as_utc(now))

    # --- shared pieces ----------------------------------------------------------------------

    def today(self, now: datetime) -> date:
        return self.desk.today(now)

    def meta(self, live: bool = True) -> dict[str, str]:
        meta = {"timezone": self.desk.newsroom.timezone}
        if not live:
            meta["followup_status"] = "unavailable"
        return meta

    def fact_card(self, fact: Fact, today: date) -> FactCard:
        stale = None
        stale_after = self.desk.newsroom.stale_after_days
        if fact.as_of is not None and fact.is_stale(today, stale_after):
            stale = fact.as_of.age_days(today)
        return FactCard(fact, self.desk.sources[fact.source], stale)

    def followup_card(self, state: FollowUpState, today: date, buttons: bool) -> FollowUpCard:
        source = self.desk.sources.get(state.item.source) if state.item.source else None
        return FollowUpCard(state, source, state.age_days(today), buttons=buttons)

    def may_edit(self, user: str) -> bool:
        """Anyone may change follow-ups unless NEWSBOT_EDITORS names who may."""
        return not self.editors or user in self.editors

    def states(self, now: datetime) -> States:
        """Every follow-up with its live status; curated ones as open when the book is down."""
        try:
            events, added = self._book_contents()
            items = (*self.desk.followups, *added)
            return States([fold_events(item, events, now) for item in items], live=True)
        except BookUnavailable as exc:  # it stopped answering: said once a command, briefly
            logger.warning("follow-up book unavailable (%s); answering without status", exc)
        except Exception:
            # The database is an adapter we cannot fix from here: read-only answers go on.
            logger.warning("follow-up book unavailable; answering without status", exc_info=True)
        return States([fold_events(item, (), now) for item in self.desk.followups], live=False)

    def _book_contents(self) -> tuple[tuple[FollowUpEvent, ...], tuple[FollowUp, ...]]:
        """Every event and added follow-up, read again only when the book's version says
        something changed (any process may write to it); books without one are always read."""
        version_of: Callable[[], object] | None = getattr(self.book, "version", None)
        version = version_of() if version_of is not None else None
        cached = self._book_cache
        if version is not None and cached is not None and cached[0] == version:
            return cached[1], cached[2]
        # Read after the version: a write landing in between makes the next call read again.
        events, added = tuple(self.book.events()), tuple(self.book.added_followups())
        if version is not None:
            self._book_cache = (version, events, added)
        return events, added

    def help_reply(self, name: str, *, ok: bool = True, lead: str = "") -> Reply:
        body = f"{lead}\n\n{USAGE[name]}" if lead else USAGE[name]
        parts: tuple[Part, ...] = (Heading(f"{name}: how to use it"), Note(body))
        return Reply(parts, text=f"How to use {name}", shareable=False, command=name, ok=ok)

    # --- commands ---------------------------------------------------------------------------

    def _help(self, name: str) -> Reply:
        return self.help_reply(name)

    def _unknown_command(self, command: str, query: str) -> Reply:
        shown = command.strip()[:80] or "(nothing)"
        message = f"I don't know the command {shown}. These are the ones I answer:"
        parts = (Heading("Newsbot commands"), Note(message), Note(overview_help()))
        return Reply(
            parts, text=message, shareable=False, command=command[:80], query=query, ok=False
        )

    def _facts(self, query: str, user: str, now: datetime) -> Reply:
        if not query:
            return self._overview(now)
        return self._search_reply("/facts", query, None, "items", user, now)

    def _quote(self, query: str, user: str, now: datetime) -> Reply:
        if not query:
            return self._speakers()
        return self._search_reply("/quote", query, {"quote"}, "quotes", user, now)

    def _figure(self, query: str, user: str, now: datetime) -> Reply:
        if not query:
            return self._all_figures(now)
        return self._search_reply("/figure", query, {"figure"}, "figures", user, now)

    def _followups(self, query: str, user: str, now: datetime) -> Reply:
        return self._followup_commands.handle(query, user, now)

    def _source(self, query: str, user: str, now: datetime) -> Reply:
        return source_reply(self, query, now)

    # --- /facts with no query: an overview ------------------------------------------------------

    def _overview(self, now: datetime) -> Reply:
        desk, today = self.desk, self.today(now)
        counts = desk.counts()
        states = self.states(now)
        open_count = sum(1 for s in states.items if s.is_open)
        kinds = ", ".join(
            f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}"
            for k in ("quote", "figure", "finding", "statement")
        )
        summary = (
            f"{len(desk.facts)} facts ({kinds}) from {counts['sources']} "
            f"source{'s' if counts['sources'] != 1 else ''}; "
            f"{open_count} open follow-up{'s' if open_count != 1 else ''} (`/followups`)."
        )
        parts: list[Part] = [Heading(desk.newsroom.name[:150] or "Newsbot"), Note(summary)]
        figures = desk.figures()
        if figures:
            parts.append(Note("Key figures:"))
            parts.extend(self.fact_card(f, today) for f in figures[:OVERVIEW_FIGURES])
            if len(figures) > OVERVIEW_FIGURES:
                parts.append(More(len(figures) - OVERVIEW_FIGURES, "`/figure` lists them all"))
        if not states.live:
            parts.append(Note(STATUS_UNAVAILABLE))
        parts.append(Note(overview_help()))
        return Reply(tuple(parts), text=summary, command="/facts", meta=self.meta(states.live))

    def _speakers(self) -> Reply:
        counts = Counter(f.attribution for f in self.desk.facts if f.kind == "quote")
        if not counts:
            message = "No quotes on this desk yet. `/facts` shows what there is."
            return Reply((Note(message),), text=message, command="/quote", shareable=False)
        ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].casefold()))
        lines = [
            f"• {speaker}: {n} quote{'s' if n != 1 else ''}"
            for speaker, n in ranked[:SPEAKER_LIMIT]
        ]
        parts: list[Part] = [
            Heading("Who is quoted"),
            Note("\n".join(lines)),
            Note("`/quote WORDS` finds their words, e.g. `/quote by:sessions`."),
        ]
        if len(ranked) > SPEAKER_LIMIT:
            parts.append(More(len(ranked) - SPEAKER_LIMIT, "add words to narrow it down"))
        text = f"{len(ranked)} people and bodies are quoted"
        return Reply(tuple(parts), text=text, command="/quote", meta=self.meta())

    def _all_figures(self, now: datetime) -> Reply:
        figures, today = self.desk.figures(), self.today(now)
        if not figures:
            message = "No key figures on this desk yet. `/facts` shows what there is."
            return Reply((Note(message),), text=message, command="/figure", shareable=False)
        parts: list[Part] = [Heading("Key figures")]
        parts.extend(self.fact_card(f, today) for f in figures[:RESULT_LIMIT])
        if len(figures) > RESULT_LIMIT:
            parts.append(More(len(figures) - RESULT_LIMIT))
        text = f"{len(figures)} key figure{'s' if len(figures) != 1 else ''}"
        return Reply(tuple(parts), text=text, command="/figure", meta=self.meta())

    # --- searches ---------------------------------------------------------------------------

    def _search_reply(
        self,
        command: str,
        query: str,
        kinds: set[str] | None,
        what: str,
        user: str,
        now: datetime,
    ) -> Reply:
        result = self.index.search(query, limit=RESULT_LIMIT, kinds=kinds)
        if not result.hits:
            return self._no_match(command, query, kinds, what, result)
        today = self.today(now)
        states = self.states(now) if any(h.kind == "followup" for h in result.hits) else None
        by_id = {s.item.id: s for s in states.items} if states else {}
        parts: list[Part] = [Heading(what.capitalize() if kinds else "Facts")]
        count = f"{result.total} {what if result.total != 1 else what.rstrip('s')}"
        parts.append(Note(f"{count} for “{query}”" + _found_because(result)))
        for hit in result.hits:
            if isinstance(hit.item, Fact):
                parts.append(self.fact_card(hit.item, today))
            else:
                state = by_id.get(hit.item.id) or fold_events(hit.item, (), now)
                live = states.live if states else True
                card = self.followup_card(state, today, live and self.may_edit(user))
                parts.append(card)
        if result.total > len(result.hits):
            parts.append(More(result.total - len(result.hits)))
        if states is not None and not states.live:
            parts.append(Note(STATUS_UNAVAILABLE))
        live = states.live if states else True
        text = f"{count} for “{query}”"
        return Reply(tuple(parts), text=text, command=command, query=query, meta=self.meta(live))

    def _no_match(
        self,
        command: str,
        query: str,
        kinds: set[str] | None,
        what: str,
        result: SearchResult,
    ) -> Reply:
        parts: list[Part] = [Note(f"No {what} match “{query}”.")]
        parts.extend(Note(note) for note in result.notes)
        if result.suggestions:
            parts.append(Suggestions(query, tuple(result.suggestions)))
        if kinds is not None and self.index.search(query, limit=0).total:
            parts.append(Note(f"Other kinds of items match: try `/facts {query}`."))
        parts.append(Note(f"Try fewer or other words, or `{command} help`."))
        text = f"No {what} match “{query}”"
        return Reply(tuple(parts), text=text, command=command, query=query, shareable=False)

    # --- look-ups used by /followups and /source -------------------------------------------------

    def close_ids(self, typed: str, ids: list[str], limit: int = 3) -> list[str]:
        found = process.extract(
            typed.casefold(), ids, scorer=fuzz.WRatio, score_cutoff=60.0, limit=limit
        )
        return [choice for choice, _, _ in found]


def _found_because(result: SearchResult) -> str:
    """Why these results, when it is not simply 'they contain your words'."""
    notes = []
    if result.corrections:
        fixed = ", ".join(f"{new} (you typed {old})" for old, new in result.corrections)
        notes.append(f"showing results for {fixed}")
    if result.relaxed:
        notes.append("nothing has every word, so these have some of them")
    notes.extend(note.rstrip(".") for note in result.notes)
    return ": " + "; ".join(notes) + "." if notes else "."
