"""The domain: what an editor curates in facts.yaml, and the follow-up life cycle.

Everything here is a frozen value. Nothing reads a clock, a file or a database:
``now`` and ``today`` are always parameters.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from bot.desk.stories import Story, slug_from, split_ref, story_slug_of

FactKind = Literal["quote", "figure", "finding", "statement"]
# Follow-ups added from Slack are named added-1, added-2, ...; curated ids may not start so.
ADDED_PREFIX = "added-"
FACT_KINDS: tuple[FactKind, ...] = ("quote", "figure", "finding", "statement")
# How a figure is hedged in its source ("At least 545 parents"); kept in every rendering.
QUALIFIERS = ("at least", "about", "more than", "fewer than", "up to")
# The channel id of the shipped example reminder: start-up says what to set instead.
EXAMPLE_CHANNEL = "C0123456789"


_AS_OF = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True, slots=True)
class AsOf:
    """A partial date as editors write it: ``2020``, ``2020-10`` or ``2020-10-05``."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> AsOf:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError otherwise."""
        match = _AS_OF.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(match[1])
        month = int(match[2]) if match[2] else None
        day = int(match[3]) if match[3] else None
        # date() validates month and day ranges, including 29 February.
        date(year, month or 1, day or 1)
        return cls(year, month, day)

    def last_day(self) -> date:
        """The last day the figure could describe: staleness counts from here."""
        if self.day is not None and self.month is not None:
            return date(self.year, self.month, self.day)
        if self.month is not None:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, 12, 31)

    def age_days(self, today: date) -> int:
        return max(0, (today - self.last_day()).days)

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def human(self) -> str:
        """``October 2020``, ``5 October 2020`` or ``2020``."""
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"


@dataclass(frozen=True, slots=True)
class Newsroom:
    name: str
    timezone: str = "UTC"
    stale_after_days: int = 90
    # newsroom.synonyms: groups of words and phrases the desk treats alike
    synonyms: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """A published text that facts are checked against."""

    id: str
    title: str
    publisher: str
    published: date
    file: str  # as written in facts.yaml, relative to it
    text: str  # the seed file's contents, read once at load time
    url: str | None = None
    section: str | None = None
    line: int = 0  # where the record starts in facts.yaml

    def citation(self) -> str:
        """Publisher, headline, date and the link when there is one: what a reporter can
        cite. Never the seed file's path (``/source`` shows that to editors)."""
        cited = f"{self.publisher}, {self.published.day} {self.published:%b %Y}: “{self.title}”"
        return f"{cited}, {self.url}" if self.url else cited


@dataclass(frozen=True, slots=True)
class Speaker:
    """A person or body the desk quotes, and the ways its sources name them."""

    id: str
    name: str
    title: str | None = None
    aliases: tuple[str, ...] = ()
    line: int = 0

    def names(self) -> tuple[str, ...]:
        """Every way a source may name the speaker: name, aliases, title with name."""
        titled = (f"{self.title} {self.name}",) if self.title else ()
        return (self.name, *self.aliases, *titled)

    def display(self) -> str:
        """``Jeff Sessions, Former Attorney General``."""
        return f"{self.name}, {self.title}" if self.title else self.name


def _mid_sentence(name: str) -> str:
    """``The report`` -> ``the report`` after a comma; names keep their capitals."""
    first, _, rest = name.partition(" ")
    if first in ("The", "A", "An") and rest:
        return f"{first.lower()} {rest}"
    return name


@dataclass(frozen=True, slots=True)
class Fact:
    id: str
    kind: FactKind
    quote: str  # verbatim from the source; "..." joins fragments in order
    attribution: str
    source: str  # Source.id
    label: str | None = None  # figures only
    value: str | None = None  # figures only, as written ("545", "2.3")
    unit: str | None = None
    as_of: AsOf | None = None  # figures only
    summary: str | None = None
    tags: tuple[str, ...] = ()
    line: int = 0
    speaker: Speaker | None = None  # a speakers record; ``attribution`` is then its name
    about: tuple[Speaker, ...] = ()  # whom the words are about
    evidence: str | None = None  # words near the quote in the source that credit the speaker
    qualifier: str | None = None  # figures: "at least", "about", ...
    as_of_note: str | None = None  # figures: how as_of was read ("the year is inferred ...")

    def is_stale(self, today: date, stale_after_days: int) -> bool:
        return self.as_of is not None and self.as_of.age_days(today) > stale_after_days

    def speaker_names(self) -> tuple[str, ...]:
        """Every name the speaker goes by (``by:`` matches any of them)."""
        return self.speaker.names() if self.speaker else (self.attribution,)

    def speaker_key(self) -> str:
        """One key per speaker, so a list of speakers names each once."""
        return f"@{self.speaker.id}" if self.speaker else " ".join(self.attribution.split())

    def credit(self) -> str:
        """Whose words these are: the speaker with their title, or the attribution."""
        return self.speaker.display() if self.speaker else self.attribution

    def byline(self, publisher: str) -> str:
        """Whose words a reply shows. A quote is the speaker's; a finding or statement is the
        publisher's paraphrase (``Axios, paraphrasing a DOJ spokesperson``); a figure is the
        publisher's unless someone else is credited."""
        credit = self.credit()
        if self.kind == "quote":
            return credit
        if any(name.casefold() == publisher.casefold() for name in self.speaker_names()):
            return publisher
        # The publisher's own writer ("Our thought bubble, via Axios' Stef Kight"): their
        # words as published, not a paraphrase; named as the source names them.
        staff = (f"{publisher}'", f"{publisher}’")
        own = next((n for n in self.speaker_names() if n.startswith(staff)), None)
        if own is not None:
            return own
        verb = "summarizing" if self.kind == "finding" else "paraphrasing"
        if self.kind == "figure":
            verb = "citing"
        return f"{publisher}, {verb} {_mid_sentence(credit)}"

    def amount(self) -> str:
        """A figure's value with its qualifier and unit: ``at least 545 parents``."""
        return " ".join(p for p in (self.qualifier, self.value, self.unit) if p)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """An open question the story leaves: curated in facts.yaml or added from Slack."""

    id: str
    title: str
    waiting_on: str | None = None
    asked: date | None = None
    quote: str | None = None  # curated ones carry the sentence that shows it
    source: str | None = None  # Source.id; None for items added from Slack
    owner: str | None = None  # Slack user ID
    added_by: str | None = None  # Slack user ID, for items added from Slack
    line: int = 0


@dataclass(frozen=True, slots=True)
class Reminder:
    id: str
    channel: str
    cron: str  # five fields, in ``timezone``
    timezone: str
    include: tuple[str, ...]  # kinds ("figures", "followups", ...) and/or explicit ids
    skip_dates: tuple[date, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Desk:
    """A validated facts.yaml: the one thing every transport reads from."""

    newsroom: Newsroom
    sources: Mapping[str, Source]
    facts: tuple[Fact, ...]
    followups: tuple[FollowUp, ...]
    reminders: tuple[Reminder, ...]
    path: Path = Path("facts.yaml")
    speakers: Mapping[str, Speaker] = field(default_factory=dict)
    # The first is facts.yaml's own story; none given: one story named after the newsroom.
    stories: tuple[Story, ...] = ()
    _facts_by_id: Mapping[str, Fact] = field(init=False, repr=False, compare=False)
    _followups_by_id: Mapping[str, FollowUp] = field(init=False, repr=False, compare=False)
    # Counted once: /healthz and every start-up line show them, and a pass over 100,000
    # facts in a forked worker would copy the pages it touches (each reference counted).
    _counts: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_facts_by_id", {f.id: f for f in self.facts})
        object.__setattr__(self, "_followups_by_id", {f.id: f for f in self.followups})
        object.__setattr__(self, "_counts", self._count())
        if not self.stories:
            first = Story(slug_from(self.newsroom.name), self.newsroom.name, file=self.path.name)
            object.__setattr__(self, "stories", (first,))

    # --- stories ----------------------------------------------------------------------------

    @property
    def first_story(self) -> Story:
        return self.stories[0]

    def story(self, slug: str) -> Story | None:
        return self._stories_by_slug.get(slug)

    @functools.cached_property
    def _stories_by_slug(self) -> dict[str, Story]:
        """(Kept: an archive's 1,000 stories were walked for each command.)"""
        return {story.slug: story for story in reversed(self.stories)}  # the first of a slug

    @functools.cached_property
    def _stories_by_channel(self) -> dict[str, Story]:
        return {channel: story for story in reversed(self.stories) for channel in story.channels}

    def story_of(self, item_id: str) -> Story:
        """The story a fact, follow-up, source or reminder (by its desk-wide id) is in."""
        return self.story(story_slug_of(item_id, self.first_story.slug)) or self.first_story

    def story_in_channel(self, channel: str) -> Story | None:
        """The story whose channels include ``channel``; None for any other channel."""
        if not channel:
            return None
        return self._stories_by_channel.get(channel)

    def resolve(self, ref: str, story: Story | None = None) -> str:
        """The desk-wide id ``ref`` means: ``slug/id`` as written (the first story's own
        items have bare ids); a bare id in a story's channel is that story's item if it has
        one. Unknown references are returned as typed, for the caller to say so."""
        slug, local = split_ref(ref)
        if slug is not None:
            return local if slug == self.first_story.slug else ref
        if story is not None and story != self.first_story and self._has(f"{story.slug}/{ref}"):
            return f"{story.slug}/{ref}"
        if self._has(ref):
            return ref
        # Anywhere else: another story's item, when just one story has it.
        found = [f"{s.slug}/{ref}" for s in self.stories[1:] if self._has(f"{s.slug}/{ref}")]
        return found[0] if len(found) == 1 else ref

    def _has(self, item_id: str) -> bool:
        return self.fact(item_id) is not None or self.followup(item_id) is not None

    def fact(self, fact_id: str) -> Fact | None:
        return self._facts_by_id.get(fact_id)

    def figures(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.kind == "figure")

    def followup(self, followup_id: str) -> FollowUp | None:
        return self._followups_by_id.get(followup_id)

    def quoted_speakers(self) -> list[tuple[str, int]]:
        """Who is quoted, each speaker once (however its quotes phrase it), with how many
        quotes: most quoted first."""
        counts: dict[str, int] = {}
        shown: dict[str, str] = {}
        for fact in self.facts:
            if fact.kind == "quote":
                key = fact.speaker_key()
                counts[key] = counts.get(key, 0) + 1
                shown.setdefault(key, fact.credit())
        ranked = sorted(counts, key=lambda key: (-counts[key], shown[key].casefold()))
        return [(shown[key], counts[key]) for key in ranked]

    def placeholder_reminders(self) -> list[Reminder]:
        """Reminders still posting to the shipped example channel."""
        return [r for r in self.reminders if r.channel == EXAMPLE_CHANNEL]

    def today(self, now: datetime) -> date:
        """The newsroom's date at ``now``: ages and staleness count in its time zone."""
        return now.astimezone(ZoneInfo(self.newsroom.timezone)).date()

    def counts(self) -> dict[str, int]:
        """Sources, facts of each kind, follow-ups and reminders."""
        return dict(self._counts)

    def _count(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(FACT_KINDS, 0)
        for f in self.facts:
            counts[f.kind] += 1
        return {
            "sources": len(self.sources),
            **counts,
            "followups": len(self.followups),
            "reminders": len(self.reminders),
        }


def plural(n: int, noun: str) -> str:
    """``1 quote``, ``7 quotes``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


_COUNT_NOUNS = {"followups": "follow-up", "sources": "source", "reminders": "reminder"}


def describe_counts(counts: Mapping[str, int]) -> str:
    """``1 source, 7 quotes, 1 figure, ...`` for the non-zero counts of :meth:`Desk.counts`."""
    return ", ".join(plural(n, _COUNT_NOUNS.get(name, name)) for name, n in counts.items() if n)


# --- The follow-up life cycle -------------------------------------------------------------


class Status(StrEnum):
    OPEN = "open"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Action(StrEnum):
    ADDED = "added"
    RESOLVED = "resolved"
    SNOOZED = "snoozed"
    REOPENED = "reopened"


@dataclass(frozen=True, slots=True)
class FollowUpEvent:
    """One change to a follow-up, as recorded in the database: who, when, what, why."""

    followup_id: str
    action: Action
    user: str  # Slack user ID, or "console"
    at: datetime  # aware, UTC
    note: str | None = None
    link: str | None = None
    until: datetime | None = None  # snoozes only


@dataclass(frozen=True, slots=True)
class FollowUpState:
    """A follow-up as it stands at ``now``: derived from its events, never stored."""

    item: FollowUp
    status: Status
    history: tuple[FollowUpEvent, ...]
    snoozed_until: datetime | None = None
    resolution: FollowUpEvent | None = None

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    def age_days(self, today: date) -> int | None:
        return None if self.item.asked is None else max(0, (today - self.item.asked).days)


def fold_events(item: FollowUp, events: Iterable[FollowUpEvent], now: datetime) -> FollowUpState:
    """Replay a follow-up's events in time order; a snooze that has run out counts as open."""
    return state_at(replay_events(item, events), now)


def replay_events(item: FollowUp, events: Iterable[FollowUpEvent]) -> FollowUpState:
    """A follow-up after its events, before the clock is read: a snooze is still a snooze
    (see :func:`state_at`)."""
    if not events:  # most follow-ups of an archive: nothing recorded yet
        return FollowUpState(item, Status.OPEN, (), None, None)
    history = tuple(sorted((e for e in events if e.followup_id == item.id), key=lambda e: e.at))
    status, until, resolution = Status.OPEN, None, None
    for event in history:
        if event.action is Action.RESOLVED:
            status, until, resolution = Status.RESOLVED, None, event
        elif event.action is Action.SNOOZED:
            status, until, resolution = Status.SNOOZED, event.until, None
        elif event.action is Action.REOPENED:
            status, until, resolution = Status.OPEN, None, None
    return FollowUpState(item, status, history, until, resolution)


def state_at(state: FollowUpState, now: datetime) -> FollowUpState:
    """A replayed follow-up as it stands at ``now``: a snooze that has run out counts as open."""
    until = state.snoozed_until
    if state.status is Status.SNOOZED and (until is None or until <= now):
        return FollowUpState(state.item, Status.OPEN, state.history, None, state.resolution)
    return state


def refusal(state: FollowUpState, action: Action) -> str | None:
    """Why ``action`` must not be recorded now (it would change nothing, or quietly undo a
    colleague's resolution from an old button), or None when it may go ahead."""
    item = state.item.id
    if state.status is Status.RESOLVED and action is Action.RESOLVED:
        return f"`{item}` was already resolved."
    if state.status is Status.RESOLVED and action is Action.SNOOZED:
        return f"`{item}` is resolved. Type `/followups reopen {item}` first."
    if state.status is Status.OPEN and action is Action.REOPENED:
        return f"`{item}` is already open."
    return None


class BookUnavailable(RuntimeError):
    """A follow-up book could not answer in time (a database that stopped answering);
    readers show follow-ups as curated, without live status, and say so."""


class FollowUpBook(Protocol):
    """Where follow-up changes are kept. The database store implements it; tests may use
    :class:`bot.store.memory.MemoryBook`."""

    def added_followups(self) -> list[FollowUp]:
        """Follow-ups created from Slack or the console, oldest first."""
        ...

    def add_followup(self, title: str, user: str, at: datetime, asked: date) -> FollowUp:
        """Create a follow-up (and its ``added`` event) asked on the newsroom's date ``asked``;
        return it with its new id."""
        ...

    def events(self, followup_id: str | None = None) -> list[FollowUpEvent]:
        """Recorded events, all or for one follow-up, oldest first."""
        ...

    def record(self, event: FollowUpEvent) -> None:
        """Append one event."""
        ...


def followup_states(desk: Desk, book: FollowUpBook, now: datetime) -> list[FollowUpState]:
    """Every follow-up, curated then added, with its current status."""
    events = book.events()
    items = list(desk.followups) + book.added_followups()
    return [fold_events(item, events, now) for item in items]
