"""What every command handler reads: the desk, its search index, the follow-up book, who may
edit, and the registry of commands (for help). It never reads the clock: ``now`` is passed in.
"""

from __future__ import annotations

import copy
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.desk import access
from bot.desk.model import (
    BookUnavailable,
    Desk,
    Fact,
    FollowUp,
    FollowUpBook,
    FollowUpEvent,
    FollowUpState,
    fold_events,
    replay_events,
    state_at,
)
from bot.desk.search import SearchIndex
from bot.desk.stories import Story
from bot.desk.verify import DraftChecker
from bot.replies import cards
from bot.replies.reply import FactCard, FollowUpCard, Heading, Note, Part, Reply
from bot.replies.story_list import story_counts

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Read:
    """What the book held at one version: each follow-up's events, the follow-ups added
    from Slack, and every follow-up replayed (made when first asked: a search reply needs
    only its own few of an archive's thousand)."""

    events: dict[str, list[FollowUpEvent]]
    added: tuple[FollowUp, ...]
    replayed: tuple[FollowUpState, ...] | None = None

    def state(self, item: FollowUp) -> FollowUpState:
        return replay_events(item, self.events.get(item.id, ()))


# The book's version, then what it held at that version.
_BookCache = tuple[object, _Read]


@dataclass(frozen=True, slots=True)
class States:
    items: list[FollowUpState]
    live: bool  # False: the book did not answer, statuses are as curated


class CommandHelp(Protocol):
    """What help needs of a :class:`bot.replies.command.Command` (which imports this module)."""

    @property
    def name(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def usage(self) -> str: ...

    @property
    def position(self) -> int: ...


class ReplyContext:
    def __init__(
        self,
        desk: Desk,
        book: FollowUpBook,
        index: SearchIndex | None,
        editors: frozenset[str],
        commands: Sequence[CommandHelp],
    ) -> None:
        self.desk = desk
        self.book = book
        self.index = index if index is not None else SearchIndex.build(desk)
        self.editors = editors
        self.commands: dict[str, CommandHelp] = {c.name: c for c in commands}
        # (book version, follow-ups replayed): two queries and the replay saved on most requests.
        self._book_cache: _BookCache | None = None
        self._checker: DraftChecker | None = None
        self.story: Story | None = None  # the story of the channel the command was typed in
        self._story_counts: list[Counter[str]] = []  # filled once, shared with copies

    def in_channel(self, channel: str) -> ReplyContext:
        """This context for a command typed in ``channel``: when the channel is a story's,
        a copy that answers from that story first (the index and the book are shared)."""
        story = self.desk.story_in_channel(channel)
        if story is None or len(self.desk.stories) < 2:
            return self
        here = copy.copy(self)
        here.story = story
        return here

    def story_counts(self) -> Counter[str]:
        """Facts per story, counted on first use."""
        if not self._story_counts:
            self._story_counts.append(story_counts(self.desk))
        return self._story_counts[0]

    def resolve(self, ref: str) -> str:
        """The desk-wide id ``ref`` means here (see :meth:`Desk.resolve`)."""
        return self.desk.resolve(ref, self.story)

    def today(self, now: datetime) -> date:
        return self.desk.today(now)

    def meta(self, live: bool = True) -> dict[str, str]:
        meta = {"timezone": self.desk.newsroom.timezone}
        if not live:
            meta["followup_status"] = "unavailable"
        return meta

    def fact_card(self, fact: Fact, today: date) -> FactCard:
        return cards.fact_card(self.desk, fact, today)

    def followup_card(self, state: FollowUpState, today: date, buttons: bool) -> FollowUpCard:
        return cards.followup_card(self.desk, state, today, buttons)

    def draft_checker(self) -> DraftChecker:
        """The desk made ready for draft checks: built on first use (most processes never
        check a draft), then kept."""
        if self._checker is None:
            self._checker = DraftChecker(self.desk)
        return self._checker

    def may_edit(self, user: str) -> bool:
        """Whether ``user`` may change follow-ups and read their notes (bot.desk.access)."""
        return access.may_edit(self.editors, user)

    def states(self, now: datetime) -> States:
        """Every follow-up with its live status; curated ones as open when the book is down."""
        return self._live(now, None)

    def states_of(self, items: Iterable[FollowUp], now: datetime) -> States:
        """The live status of ``items`` only (a search reply's follow-ups): an archive's
        thousand follow-ups are not each brought up to the clock for the ten shown."""
        return self._live(now, list(items))

    def _live(self, now: datetime, only: list[FollowUp] | None) -> States:
        try:
            read = self._read()
            if only is None:
                return States([state_at(state, now) for state in self._every(read)], live=True)
            return States([state_at(read.state(item), now) for item in only], live=True)
        except BookUnavailable as exc:  # it stopped answering: said once a command, briefly
            logger.warning("follow-up book unavailable (%s); answering without status", exc)
        except Exception:
            # The database is an adapter we cannot fix from here: read-only answers go on.
            logger.warning("follow-up book unavailable; answering without status", exc_info=True)
        curated = self.desk.followups if only is None else only
        return States([fold_events(item, (), now) for item in curated], live=False)

    def _every(self, read: _Read) -> tuple[FollowUpState, ...]:
        """Every follow-up, curated then added, replayed from what the book held."""
        if read.replayed is None:
            read.replayed = tuple(read.state(item) for item in (*self.desk.followups, *read.added))
        return read.replayed

    def _read(self) -> _Read:
        """The book's events: read again only when the book's version says something changed
        (any process may write to it); books without one are always read. Only a snooze's end
        depends on the clock, and state_at applies it on every call, so snoozes still run out
        on time."""
        version_of: Callable[[], object] | None = getattr(self.book, "version", None)
        version = version_of() if version_of is not None else None
        cached = self._book_cache
        if version is not None and cached is not None and cached[0] == version:
            return cached[1]
        # Read after the version: a write landing in between makes the next call read again.
        events, added = self.book.events(), self.book.added_followups()
        by_item: dict[str, list[FollowUpEvent]] = {}
        for event in events:
            by_item.setdefault(event.followup_id, []).append(event)
        read = _Read(by_item, tuple(added))
        if version is not None:
            self._book_cache = (version, read)
        return read

    # --- help, derived from the registry ------------------------------------------------------

    def help_reply(self, name: str, *, ok: bool = True, lead: str = "") -> Reply:
        usage = self.commands[name].usage
        body = f"{lead}\n\n{usage}" if lead else usage
        parts: tuple[Part, ...] = (Heading(f"{name}: how to use it"), Note(body))
        return Reply(parts, text=f"How to use {name}", shareable=False, command=name, ok=ok)

    def overview_help(self) -> str:
        """One line a command, for the overview and for unknown commands."""
        ordered = sorted(self.commands.values(), key=lambda c: (c.position, c.name))
        return "\n".join(f"`{c.name}`: {c.summary}" for c in ordered) + (
            "\nAdd `help` after any command to learn more, e.g. `/facts help`."
        )

    def close_ids(self, typed: str, ids: list[str], limit: int = 3) -> list[str]:
        found = process.extract(
            typed.casefold(), ids, scorer=fuzz.WRatio, score_cutoff=60.0, limit=limit
        )
        return [choice for choice, _, _ in found]
