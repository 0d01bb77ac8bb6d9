"""Which items a search may show: the command's kinds (``/figure``), the filters typed
(``kind:``, ``story:``, ``tag:``, ``source:``, ``by:``) and the story of the channel.

A scope is a set of rows, and, when it is made only of kinds and stories, the same set as a
filter SQLite applies inside the full-text match: every row of the index carries a token
for its kind and one for its story in a column of its own (``scope``). In an archive of
100,000 facts a common word matches tens of thousands of rows; filtering those in Python
after SQLite found them took 25 to 60 ms a search, the same filter inside the match ~1 ms.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TypeAlias, TypeVar

from rapidfuzz import fuzz, process

from bot.desk.model import FACT_KINDS
from bot.desk.question import fold

# Row numbers of the items with one kind, tag, source, speaker or story: machine integers,
# 4 bytes each, instead of a Python int object per row (100,000 facts have half a million).
Rows: TypeAlias = "array[int]"
Table = Mapping[str, Rows]
RowSet = AbstractSet[int]  # rows a search may show

SEARCH_KINDS: tuple[str, ...] = (*FACT_KINDS, "followup")  # a row's kind: its place here
KIND_ALIASES = {"follow-up": "followup", "follow": "followup", "fact": ""}
# Scope tokens: words no one types (a typed word is matched in every column, this one too).
_KIND_PREFIX = "scopekind"
_STORY_PREFIX = "scopestory"


def kind_token(kind: str) -> str:
    return f"{_KIND_PREFIX}{kind}"


def story_token(position: int) -> str:
    """A story's token, by its place in the desk (slugs hold dashes, which split words)."""
    return f"{_STORY_PREFIX}{position}"


def scope_text(kind: str, story: str) -> str:
    """What an item's ``scope`` column holds."""
    return f"{kind_token(kind)} {story}"


@dataclass(frozen=True, slots=True)
class Scope:
    """The rows a search may show (None: every row), and the same rows as an FTS5 filter
    when they can be said as one (None when a filter can only be applied afterwards)."""

    rows: RowSet | None = None
    fts: str | None = None
    # The part of ``fts`` that few rows pass (a story's token, ~100 rows): matched with the
    # words a search ranks by, BM25 walks only those rows, for the cost of reading one short
    # list, and scores nothing differently (the scope column weighs nothing).
    few: str | None = None

    def narrowed(self, expr: str) -> str:
        """``expr`` matched within the scope."""
        return f"({expr}) AND {self.fts}" if self.fts else expr

    @property
    def in_sql(self) -> bool:
        return self.rows is None or bool(self.fts)


_S = TypeVar("_S")


class KindRows(AbstractSet[int]):
    """The rows of some kinds, read from each row's kind as it is asked: an archive's 25,000
    figures are a set without building one (that took 6 ms, in each worker, at first use)."""

    __slots__ = ("_count", "_kinds", "_wanted")

    def __init__(self, kinds: bytes, wanted: frozenset[int], count: int) -> None:
        self._kinds = kinds  # each row's kind, as its place in SEARCH_KINDS
        self._wanted = wanted
        self._count = count

    def __contains__(self, row: object) -> bool:
        return (
            isinstance(row, int)
            and 0 <= row < len(self._kinds)
            and self._kinds[row] in self._wanted
        )

    def __len__(self) -> int:
        return self._count

    @classmethod
    def _from_iterable(cls, rows: Iterable[_S]) -> frozenset[_S]:
        """What ``&``, ``|`` and ``-`` give: a plain set of the rows."""
        return frozenset(rows)

    def __iter__(self) -> Iterator[int]:
        return (n for n, kind in enumerate(self._kinds) if kind in self._wanted)


@dataclass
class Said:
    """What a search says about the filters: corrected values, values nothing has."""

    corrections: list[tuple[str, str]]
    notes: list[str]


@dataclass(frozen=True)
class Filters:
    """The filter tables of an index (bot.desk.search.Lookups holds them)."""

    by_kind: Table
    by_tag: Table
    by_source: Table
    by_speaker: Table
    by_story: Table
    story_tokens: Mapping[str, str]  # a story's slug -> its scope token
    kinds: bytes  # each row's kind, as its place in SEARCH_KINDS

    def scope(
        self,
        filters: Mapping[str, tuple[str, ...]],
        kinds: Iterable[str] | None,
        story: str | None,
        said: Said,
    ) -> Scope:
        """The rows every filter lets through (the values of one key are alternatives)."""
        rows: RowSet | None = None
        parts: list[str] | None = []  # None once a filter cannot be said in FTS5
        if kinds is not None:
            rows = self.kind_rows(kinds)
            parts = _and(parts, [kind_token(k) for k in sorted(kinds)])
        for key, values in filters.items():
            found, tokens = self._filter(key, values, said)
            rows = found if rows is None else rows & found
            parts = _and(parts, tokens)
        if story is None:
            return Scope(rows, " AND ".join(parts) if parts else None)
        return self._within_story(story, rows, parts)

    def _within_story(self, story: str, rows: RowSet | None, parts: list[str] | None) -> Scope:
        """A scope narrowed to one story's rows."""
        own = set(self.by_story.get(story, ()))
        rows = own if rows is None else rows & own
        token = self.story_tokens.get(story)
        parts = _and(parts, [token] if token else None)
        few = _either([token]) if token and parts else None
        return Scope(rows, " AND ".join(parts) if parts else None, few)

    def kind_rows(self, kinds: Iterable[str]) -> KindRows:
        wanted = frozenset(kinds)
        places = frozenset(n for n, kind in enumerate(SEARCH_KINDS) if kind in wanted)
        return KindRows(self.kinds, places, sum(len(self.by_kind.get(k, ())) for k in wanted))

    def _filter(
        self, key: str, values: tuple[str, ...], said: Said
    ) -> tuple[set[int], list[str] | None]:
        rows: set[int] = set()
        tokens: list[str] | None = []
        for value in values:
            found, keys = self._one(key, value, said)
            rows |= found
            tokens = None if tokens is None or key not in _IN_SCOPE else tokens + keys
        if tokens is not None and key == "story":
            tokens = [self.story_tokens[k] for k in tokens if k in self.story_tokens]
        elif tokens is not None:
            tokens = [kind_token(k) for k in tokens]
        return rows, tokens

    def _one(self, key: str, value: str, said: Said) -> tuple[set[int], list[str]]:
        """One filter value's rows, and the table keys they are (the value as corrected)."""
        if key == "by":
            needle = fold(value)
            found = {
                n for speaker, rows in self.by_speaker.items() if needle in speaker for n in rows
            }
            return found, []
        if key == "kind":
            value = KIND_ALIASES.get(value, value)
            if value == "":
                return set(self.kind_rows(FACT_KINDS)), list(FACT_KINDS)
        table = self._table(key)
        for candidate in (value, value.removesuffix("s")):
            if candidate in table:
                return set(table[candidate]), [candidate]
        return self._corrected(key, value, table, said)

    def _table(self, key: str) -> Table:
        tables = {"kind": self.by_kind, "tag": self.by_tag, "story": self.by_story}
        return tables.get(key, self.by_source)

    @staticmethod
    def _corrected(key: str, value: str, table: Table, said: Said) -> tuple[set[int], list[str]]:
        best = process.extractOne(value, list(table), scorer=fuzz.ratio, score_cutoff=70.0)
        if best is None:
            known = ", ".join(sorted(table)[:8]) or "none"
            many = "stories" if key == "story" else f"{key}s"
            said.notes.append(f"No {key} is called {value!r}. Known {many} include: {known}.")
            return set(), []
        said.corrections.append((f"{key}:{value}", f"{key}:{best[0]}"))
        return set(table[best[0]]), [best[0]]


_IN_SCOPE = frozenset({"kind", "story"})


def _and(parts: list[str] | None, tokens: list[str] | None) -> list[str] | None:
    """``parts`` and one more alternative of scope tokens; None once one cannot be said."""
    if parts is None or tokens is None:
        return None
    if not tokens:  # nothing is let through: the rows say so, SQL need not
        return parts
    return [*parts, _either(tokens)]


def _either(tokens: list[str]) -> str:
    """A row with any of the scope ``tokens``, in FTS5's syntax."""
    either = " OR ".join(f'scope : "{token}"' for token in tokens)
    return f"({either})"
