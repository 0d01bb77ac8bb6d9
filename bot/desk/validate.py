"""The rules of facts.yaml (version 1), applied to a composed node tree.

Sections are read in order (sources before facts, facts and follow-ups before the
reminders that name them) and every problem is collected; a :class:`Desk` is built
only when there are none.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Protocol, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from bot.desk import provenance, sourcing
from bot.desk.credits import CreditParts, CreditReader
from bot.desk.cron import HINT as CRON_HINT
from bot.desk.cron import cron_trigger
from bot.desk.model import (
    ADDED_PREFIX,
    FACT_KINDS,
    AsOf,
    Desk,
    Fact,
    FactKind,
    FollowUp,
    Newsroom,
    Reminder,
    Source,
    Speaker,
)
from bot.desk.problems import Invalid
from bot.desk.synonyms import read_synonyms
from bot.desk.yaml_reader import INT_TAG, Fields, describe, suggest

INCLUDE_KINDS = ("figures", "quotes", "findings", "statements", "followups")
ROOT_KEYS = (
    "version",
    "newsroom",
    "story",
    "stories",
    "speakers",
    "sources",
    "facts",
    "followups",
    "reminders",
)
# A story file (listed under facts.yaml's stories:): its own items, the newsroom's settings.
STORY_FILE_KEYS = ("story", "speakers", "sources", "facts", "followups", "reminders")
NEWSROOM_KEYS = ("name", "timezone", "stale_after_days", "synonyms")
SOURCE_KEYS = ("id", "title", "publisher", "published", "file", "url", "section")
FIGURE_ONLY_KEYS = ("label", "value", "unit", "as_of", "qualifier", "as_of_note")
CREDIT_KEYS = ("attribution", "speaker", "about", "evidence")
# "guessed" is written by `newsbot extract` beside what it guessed; check refuses it.
FACT_KEYS = ("id", "kind", "quote", *CREDIT_KEYS, "source", *FIGURE_ONLY_KEYS, "summary", "tags")
FACT_KEYS_READ = (*FACT_KEYS, "guessed")
FOLLOWUP_KEYS = ("id", "title", "waiting_on", "asked", "quote", "source", "owner")
REMINDER_KEYS = ("id", "channel", "cron", "timezone", "include", "skip_dates")

_ID = re.compile(r"[a-z0-9-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")
DATE_WANTED = "a date YYYY-MM-DD"


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


ItemT = TypeVar("ItemT", bound=_HasId)
SourceReader = Callable[[str], tuple[str | None, str | None, str | None]]


class DeskChecker(CreditReader):
    """Reads facts.yaml's node tree into a Desk, collecting every problem on the way.

    ``read_source(file)`` returns ``(text, problem, hint)`` for a source file path as
    written in facts.yaml; the loader owns file access and its limits.
    """

    def __init__(self, label: str, read_source: SourceReader) -> None:
        super().__init__(label)
        self.read_source = read_source
        self.sources: dict[str, Source] = {}
        self.speakers: dict[str, Speaker] = {}
        self.speaker_ids: set[str] = set()
        self.source_ids: set[str] = set()  # declared, valid or not: no cascade of errors
        self.item_ids: dict[str, int] = {}  # fact and follow-up ids -> line first seen
        self.reminder_ids: set[str] = set()

    def desk(self, root: yaml.Node, path: Path, newsroom: Newsroom | None = None) -> Desk | None:
        """facts.yaml's desk; given the ``newsroom``, a story file's (story: read elsewhere)."""
        if newsroom is None:
            fields = self.mapping(root, "", ROOT_KEYS, ("version", "newsroom", "sources", "facts"))
        else:
            fields = self.mapping(root, "", STORY_FILE_KEYS, ("story", "sources", "facts"))
        if fields is None:
            return None
        if newsroom is None:
            self.check_version(fields)
            newsroom = self.newsroom(fields["newsroom"]) if "newsroom" in fields else None
        self.speakers = self.each(fields, "speakers", self.speaker)
        self.sources = self.each(fields, "sources", self.source)
        facts = self.each(fields, "facts", self.fact)
        followups = self.each(fields, "followups", self.followup)
        default_tz = newsroom.timezone if newsroom else "UTC"
        reminders = self.each(fields, "reminders", lambda n, k: self.reminder(n, k, default_tz))
        if self.error_count() or newsroom is None:
            return None
        return Desk(
            newsroom,
            self.sources,
            tuple(facts.values()),
            tuple(followups.values()),
            tuple(reminders.values()),
            path=path,
            speakers=self.speakers,
        )

    def each(
        self, fields: Fields, name: str, read: Callable[[yaml.Node, str], ItemT | None]
    ) -> dict[str, ItemT]:
        """Read every item of a list; keep the valid ones by id."""
        items: dict[str, ItemT] = {}
        for i, node in enumerate(self.sequence(fields, name, "")):
            item = read(node, f"{name}[{i}]")
            if item is not None:
                items.setdefault(item.id, item)
        return items

    def check_version(self, fields: Fields) -> None:
        node = fields.get("version")
        if node is not None and not (node.tag == INT_TAG and node.value == "1"):
            message = f"version must be 1, got {describe(node)}"
            self.problem(node, "version", message, "this newsbot reads facts.yaml version 1")

    def ident(self, fields: Fields, key: str) -> str | None:
        value = self.scalar(fields, "id", key, required=True)
        if value is not None and not _ID.fullmatch(value):
            example = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "my-fact"
            message = f"id {value!r} may use only a-z, 0-9 and '-'"
            self.problem(fields["id"], f"{key}.id", message, f"for example: {example}")
            return None
        if value is not None and value.startswith(ADDED_PREFIX):
            # The database names follow-ups added from Slack added-1, added-2, ...: a curated
            # entry with such an id would be confused with one of them.
            message = f"id {value!r}: ids starting with {ADDED_PREFIX!r} are kept for Slack"
            hint = "follow-ups added with /followups add are named that way; pick another id"
            self.problem(fields["id"], f"{key}.id", message, hint)
            return None
        return value

    def timezone(self, fields: Fields, key: str) -> str | None:
        name = self.scalar(fields, "timezone", key)
        if name is None or _zone_exists(name):
            return name
        message = f"unknown time zone {name!r}{suggest(name, sorted(available_timezones()))}"
        hint = "use an IANA name such as America/New_York or Europe/Berlin"
        self.problem(fields["timezone"], f"{key}.timezone", message, hint)
        return None

    # --- sections -----------------------------------------------------------------------

    def newsroom(self, node: yaml.Node) -> Newsroom | None:
        fields = self.mapping(node, "newsroom", NEWSROOM_KEYS, ("name",))
        if fields is None:
            return None
        name = self.scalar(fields, "name", "newsroom", required=True)
        tz = self.timezone(fields, "newsroom")
        days = self.parsed(
            fields, "stale_after_days", "newsroom", _positive_int, "a whole number of days > 0"
        )
        synonyms = read_synonyms(self, fields)
        if name is None or (tz is None and "timezone" in fields):
            return None
        return Newsroom(name, tz or "UTC", 90 if days is None else days, synonyms=synonyms)

    def source(self, node: yaml.Node, key: str) -> Source | None:
        required = ("id", "title", "publisher", "published", "file")
        fields = self.mapping(node, key, SOURCE_KEYS, required)
        if fields is None:
            return None
        source_id = self.ident(fields, key)
        if source_id is not None and source_id in self.source_ids:
            self.problem(fields["id"], f"{key}.id", f"duplicate source id {source_id!r}")
            source_id = None
        elif source_id is not None:
            self.source_ids.add(source_id)
        title = self.scalar(fields, "title", key, required=True)
        publisher = self.scalar(fields, "publisher", key, required=True)
        published = self.parsed(fields, "published", key, iso_date, DATE_WANTED, True)
        file = self.scalar(fields, "file", key, required=True)
        text = None
        if file is not None:
            text, message, hint = self.read_source(file)
            if message is not None:
                self.problem(fields["file"], f"{key}.file", message, hint)
        if None in (source_id, title, publisher, published, text):
            return None
        url, section = self.scalar(fields, "url", key), self.scalar(fields, "section", key)
        issues = sourcing.check_source(
            cast(str, text), cast(str, publisher), cast(date, published), section, url
        )
        self.report(fields, key, issues)
        return Source(
            cast(str, source_id),
            cast(str, title),
            cast(str, publisher),
            cast(date, published),
            cast(str, file),
            cast(str, text),
            url=url,
            section=section,
            line=node.start_mark.line + 1,
        )

    def fact(self, node: yaml.Node, key: str) -> Fact | None:
        fields = self.mapping(node, key, FACT_KEYS_READ, ("id", "kind", "quote", "source"))
        if fields is None:
            return None
        fact_id = self.item_id(fields, key)
        kind = self.fact_kind(fields, key)
        self.guessed(fields, key)
        located = self.located_quote(fields, key)
        credit = self.credit(node, fields, key)
        figure = self.figure_parts(fields, key, kind, located[0] if located else None)
        tags = tuple(value for value, _ in self.items(fields, "tags", key))
        if located is None or credit is None or kind is None:
            return None
        quote, spans, source = located
        self.check_words(fields, key, kind, spans, source, credit)
        if fact_id is None or figure is None:
            return None
        first = Fact(fact_id, kind, quote, credit.attribution, source.id, tags=tags)
        return self.completed(first, fields, key, node.start_mark.line + 1, credit, figure)

    def fact_kind(self, fields: Fields, key: str) -> FactKind | None:
        kind = self.scalar(fields, "kind", key, required=True)
        if kind is None or kind in FACT_KINDS:
            return kind
        message = f"unknown kind {kind!r}{suggest(kind, FACT_KINDS)}"
        hint = f"kind is one of: {', '.join(FACT_KINDS)}"
        self.problem(fields["kind"], f"{key}.kind", message, hint)
        return None

    def completed(
        self,
        fact: Fact,
        fields: Fields,
        key: str,
        line: int,
        credit: CreditParts,
        figure: tuple[str | None, str | None, str | None, AsOf | None],
    ) -> Fact:
        """The fact with everything else it carries: summary, credit, figure parts. Made
        once (dataclasses.replace on 10,000 facts cost a tenth of their check); values a
        desk repeats thousands of times are held once (sys.intern: an archive of 100,000
        facts has a few hundred kinds, speakers, tags and units)."""
        label, value, unit, as_of = figure
        figure_only = fact.kind == "figure"
        return Fact(
            fact.id,
            sys.intern(fact.kind),  # type: ignore[arg-type]
            fact.quote,
            sys.intern(fact.attribution),
            fact.source,
            label=label,
            value=value,
            unit=sys.intern(unit) if unit is not None else None,
            as_of=as_of,
            summary=self.scalar(fields, "summary", key),
            tags=tuple(map(sys.intern, fact.tags)),
            line=line,
            speaker=credit.speaker,
            about=credit.about,
            evidence=credit.evidence,
            qualifier=self.scalar(fields, "qualifier", key) if figure_only else None,
            as_of_note=self.scalar(fields, "as_of_note", key) if figure_only else None,
        )

    def guessed(self, fields: Fields, key: str) -> None:
        """``guessed:`` marks what ``newsbot extract`` could not tell: an editor decides."""
        if "guessed" in fields:
            what = self.scalar(fields, "guessed", key) or "something"
            message = f"newsbot extract guessed {what}"
            hint = "check it against the article, correct it, then delete this 'guessed' line"
            self.problem(fields["guessed"], f"{key}.guessed", message, hint)

    def figure_parts(
        self, fields: Fields, key: str, kind: str | None, quote: str | None
    ) -> tuple[str | None, str | None, str | None, AsOf | None] | None:
        """Label, value, unit and as_of: required for a figure, refused for other kinds."""
        if kind != "figure":
            self.refuse_figure_keys(fields, key, kind)
            return None, None, None, None
        label, value, as_of, complete = self.figure_values(fields, key)
        if value is not None and quote is not None and not value_in_quote(value, quote):
            message = f"the value {value!r} does not appear in the quote"
            hint = "a figure's value must be written in its quote as the source has it"
            self.problem(fields["value"], f"{key}.value", message, hint)
            return None
        if not complete or value is None:
            return None
        unit = self.scalar(fields, "unit", key)
        if quote is not None and not self.figure_as_quoted(fields, key, quote, value, unit):
            return None
        return label, value, unit, as_of

    def figure_values(
        self, fields: Fields, key: str
    ) -> tuple[str | None, str | None, AsOf | None, bool]:
        """Label, value and as_of, each required; and whether all three are good."""
        missing = [name for name in ("label", "value", "as_of") if name not in fields]
        for name in missing:
            self.problem(fields["kind"], key, f"a figure needs '{name}'")
        label = self.scalar(fields, "label", key, required=True)
        value = self.scalar(fields, "value", key, required=True)
        wanted = "YYYY, YYYY-MM or YYYY-MM-DD"
        as_of = self.parsed(fields, "as_of", key, AsOf.parse, wanted, required=True)
        complete = not missing and None not in (label, value, as_of)
        return label, value, as_of, complete

    def refuse_figure_keys(self, fields: Fields, key: str, kind: str | None) -> None:
        for name in FIGURE_ONLY_KEYS:
            if name in fields and kind is not None:
                message = f"'{name}' is only for figures, and this is a {kind}"
                self.problem(fields[name], f"{key}.{name}", message, "remove it")

    def figure_as_quoted(
        self, fields: Fields, key: str, quote: str, value: str, unit: str | None
    ) -> bool:
        """Qualifier and unit as the quote has them (warnings for an inferred year)."""
        qualifier = self.scalar(fields, "qualifier", key)
        note = self.scalar(fields, "as_of_note", key)
        issues = sourcing.check_figure(quote, value, unit, qualifier, note)
        self.report(fields, key, issues)
        return all(issue.warning for issue in issues)

    def item_id(self, fields: Fields, key: str) -> str | None:
        """A fact or follow-up id: one namespace, since /source ID takes either."""
        item_id = self.ident(fields, key)
        if item_id is None:
            return None
        line = fields["id"].start_mark.line + 1
        first = self.item_ids.setdefault(item_id, line)
        if first != line:
            message = f"duplicate id {item_id!r} (first used on line {first})"
            hint = "ids are unique across facts and followups"
            self.problem(fields["id"], f"{key}.id", message, hint)
            return None
        return item_id

    def quote(self, fields: Fields, key: str) -> str | None:
        located = self.located_quote(fields, key)
        return None if located is None else located[0]

    def located_quote(
        self, fields: Fields, key: str
    ) -> tuple[str, list[tuple[int, int]], Source] | None:
        """The quote and where each of its fragments is in the source; checked verbatim,
        a miss names the closest passage."""
        quote = self.scalar(fields, "quote", key, required=True)
        source_id = self.scalar(fields, "source", key, required=True)
        if source_id is not None and source_id not in self.source_ids:
            known = sorted(self.source_ids)
            message = f"unknown source {source_id!r}{suggest(source_id, known)}"
            hint = f"sources: {', '.join(known) or '(none valid)'}"
            self.problem(fields["source"], f"{key}.source", message, hint)
            return None
        if quote is None or source_id is None or source_id not in self.sources:
            return None  # a source with problems of its own: they are reported there
        source = self.sources[source_id]
        index = provenance.index_source(source.text)
        spans = provenance.locate_fragments(provenance.fragments(quote), index)
        if spans is None:
            hint = provenance.explain_miss(quote, source.text)
            self.problem(fields["quote"], f"{key}.quote", f"not verbatim in {source.file}", hint)
            return None
        return quote, spans, source

    def followup(self, node: yaml.Node, key: str) -> FollowUp | None:
        fields = self.mapping(node, key, FOLLOWUP_KEYS, ("id", "title"))
        if fields is None:
            return None
        before = self.error_count()
        item_id = self.item_id(fields, key)
        title = self.scalar(fields, "title", key, required=True)
        asked = self.parsed(fields, "asked", key, iso_date, DATE_WANTED)
        quote = self.followup_quote(fields, key)
        self.waiting_on(fields, key)
        owner = self.scalar(fields, "owner", key)
        if owner is not None and not _SLACK_USER.fullmatch(owner):
            hint = "use a member ID such as U0123ABCD (Slack profile, ⋮, Copy member ID)"
            self.problem(fields["owner"], f"{key}.owner", f"{owner!r} is not a Slack user ID", hint)
        if self.error_count() > before or item_id is None or title is None:
            return None
        return FollowUp(
            item_id,
            title,
            self.scalar(fields, "waiting_on", key),
            asked,
            quote,
            self.scalar(fields, "source", key),
            owner,
            line=node.start_mark.line + 1,
        )

    def followup_quote(self, fields: Fields, key: str) -> str | None:
        """A curated follow-up's sentence, checked against its source: both or neither."""
        if "quote" not in fields and "source" not in fields:
            return None
        for name, other in (("quote", "source"), ("source", "quote")):
            if name in fields and other not in fields:
                hint = "a follow-up's quote is checked against its source: give both"
                self.problem(fields[name], key, f"has a {name} but no {other}", hint)
        return self.quote(fields, key)

    def waiting_on(self, fields: Fields, key: str) -> None:
        """A curated follow-up waits on someone its source names: no invented details."""
        who = self.scalar(fields, "waiting_on", key)
        source = self.sources.get(self.scalar(fields, "source", key) or "")
        if who is None or source is None:
            return
        if not sourcing.names_in_source(who, source.text):
            message = f"{source.file} never names {who!r}"
            hint = "name whom the source says we wait on, or leave waiting_on out"
            self.problem(fields["waiting_on"], f"{key}.waiting_on", message, hint)

    def reminder(self, node: yaml.Node, key: str, default_tz: str) -> Reminder | None:
        fields = self.mapping(node, key, REMINDER_KEYS, ("id", "channel", "cron", "include"))
        if fields is None:
            return None
        before = self.error_count()
        reminder_id = self.ident(fields, key)
        if reminder_id in self.reminder_ids:
            self.problem(fields["id"], f"{key}.id", f"duplicate reminder id {reminder_id!r}")
        self.reminder_ids.add(reminder_id or "")
        channel = self.scalar(fields, "channel", key, required=True)
        tz = self.timezone(fields, key)
        cron = self.parsed(fields, "cron", key, crontab, "a five-field crontab", True)
        include = self.includes(fields, key)
        skip = self.parsed_items(fields, "skip_dates", key, iso_date, DATE_WANTED)
        if self.error_count() > before or None in (reminder_id, channel, cron, include, skip):
            return None
        return Reminder(
            cast(str, reminder_id),
            cast(str, channel),
            cast(str, cron),
            tz or default_tz,
            cast(tuple[str, ...], include),
            cast(tuple[date, ...], skip),
            node.start_mark.line + 1,
        )

    def includes(self, fields: Fields, key: str) -> tuple[str, ...] | None:
        """Kinds (figures, followups, ...) and/or ids of facts and follow-ups."""
        items = self.items(fields, "include", key)
        if isinstance(fields.get("include"), yaml.SequenceNode) and not items:
            hint = f"list kinds ({', '.join(INCLUDE_KINDS)}) and/or ids"
            self.problem(fields["include"], f"{key}.include", "includes nothing", hint)
            return None
        words = []
        for i, (word, node) in enumerate(items):
            if word in INCLUDE_KINDS or word in self.item_ids:
                words.append(word)
                continue
            choices = [*INCLUDE_KINDS, *self.item_ids]
            message = f"{word!r} is neither a kind nor a fact or follow-up id"
            hint = f"kinds: {', '.join(INCLUDE_KINDS)}"
            self.problem(node, f"{key}.include[{i}]", message + suggest(word, choices), hint)
        return tuple(words) if len(words) == len(items) and words else None


# --- value parsers: raise ValueError (or Invalid, with a message for the editor) ----------


def _positive_int(raw: str) -> int:
    number = int(raw)
    if number < 1:
        raise ValueError(raw)
    return number


def iso_date(raw: str) -> date:
    if not _DATE.fullmatch(raw):
        raise ValueError(raw)
    return date.fromisoformat(raw)


def crontab(raw: str) -> str:
    """A five-field crontab line as the scheduler reads it (day-of-week 0 and 7 are Sunday)."""
    try:
        cron_trigger(raw, "UTC")
    except ValueError as exc:
        message = str(exc)
        if not message.startswith("cron "):
            message = f"cron {raw!r}: {message}"
        raise Invalid(message, CRON_HINT) from None
    return raw


def value_in_quote(value: str, quote: str) -> bool:
    """The value as written appears in the quote; 2300 also matches 2,300."""
    text = provenance.normalize(quote)
    if provenance.contains_whole(value, text):
        return True
    ungrouped = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return provenance.contains_whole(value.replace(",", ""), ungrouped)


_ZONES: dict[str, bool] = {}


def _zone_exists(name: str) -> bool:
    if name not in _ZONES:
        try:
            ZoneInfo(name)
            _ZONES[name] = True
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a directory
            _ZONES[name] = False
    return _ZONES[name]
