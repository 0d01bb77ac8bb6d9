"""Ranked full-text search over a desk: SQLite FTS5 (BM25, Porter stemming) plus rapidfuzz.

A query is a question or words, "quoted phrases" and filters (``kind:figure``, ``tag:oig``,
``by:horowitz``, ``source:ID``, ``story:SLUG``); :mod:`bot.desk.question` says which words
count and what the question asks for, and the desk's synonyms and word forms widen each word
(:mod:`bot.desk.wordforms`). Every word must match (``locate`` finds "located" through
stemming); a word that matches nothing is replaced by its closest words in the index
(``parnets`` -> parents); numbers are never corrected, so ``546`` cannot find 545.

When no item has every word: a number, name or quoted phrase the desk does not contain makes
an honest miss (``missing``); other words the desk lacks are left out, then the items with
most of the rest come first, and the words left out are said (``dropped``, ``relaxed``). The
kinds a question asks for ("how many" -> figures) come first among equally good matches.

User text never reaches FTS5's query syntax: we cut it into words ourselves and hand each
one to SQLite as a quoted string, so quotes, ``NEAR``, ``*``, ``-`` or ``:`` cannot raise.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from rapidfuzz import fuzz, process

from bot.desk.fts import (
    COLUMNS,
    COMMON_LIMIT,
    RANK_ALL_LIMIT,
    STRONG_COLUMNS,
    WEIGHTS,
    Tables,
    write_tables,
)
from bot.desk.fts import Rows as FtsRows
from bot.desk.model import Desk, Fact, FollowUp
from bot.desk.question import (
    DATED,
    FILTER_KEYS,
    MAX_QUERY_CHARS,
    ParsedQuery,
    Term,
    fold,
    parse_query,
)
from bot.desk.search_scope import (
    SEARCH_KINDS,
    Filters,
    Rows,
    RowSet,
    Said,
    Scope,
    scope_text,
    story_token,
)
from bot.desk.stories import story_slug_of
from bot.desk.wordforms import WordForms

__all__ = ["FILTER_KEYS", "MAX_QUERY_CHARS", "Hit", "SearchIndex", "SearchResult", "parse_query"]

_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"[0-9]+")

# Matches are counted up to this many; past it a reply says "more than 1,000". Counting is a
# walk over every match: 2-3 ms for a common word in an archive of 100,000 facts.
COUNT_LIMIT = 1000
RESULT_CACHE_SIZE = 256  # recent searches kept per index (see SearchIndex.search)
# bm25() called with the weights, not FTS5's configurable ``rank`` column: same scores and
# order, in about half the time (measured over 1,000 and 10,000 facts).
_DOCS_BM25 = f"bm25(docs, {', '.join(map(str, WEIGHTS))})"
_STRONG_BM25 = "bm25(strong, {})".format(
    ", ".join(str(WEIGHTS[COLUMNS.index(c)]) for c in STRONG_COLUMNS)
)
# (The f-strings below insert only those constant weights; the query is always a parameter.)
_RANKED_SQL = f"SELECT rowid, {_DOCS_BM25} AS score FROM docs WHERE docs MATCH ? ORDER BY score"  # noqa: S608
# Ranked by some words (the first parameter), among the rows matching all of them and the
# scope (the second): "+rowid" keeps SQLite from running the match once for each row.
_RANKED_WITHIN_SQL = (
    f"SELECT rowid, {_DOCS_BM25} AS score FROM docs WHERE docs MATCH ?"  # noqa: S608
    " AND +rowid IN (SELECT rowid FROM docs WHERE docs MATCH ?) ORDER BY score"
)
_UNRANKED_SQL = "SELECT rowid, 0.0 FROM docs WHERE docs MATCH ?"
# The strong columns again, in a table of their own: a column filter on ``docs`` would still
# walk every row holding a common word (~5 ms at 100,000 facts); this table never sees quotes.
_STRONG_RANKED_SQL = (
    f"SELECT rowid, {_STRONG_BM25} AS score FROM strong WHERE strong MATCH ? ORDER BY score"  # noqa: S608
)
_STRONG_RANKED_WITHIN_SQL = (
    f"SELECT rowid, {_STRONG_BM25} AS score FROM strong WHERE strong MATCH ?"  # noqa: S608
    " AND +rowid IN (SELECT rowid FROM docs WHERE docs MATCH ?) ORDER BY score"
)
_STRONG_COUNT_SQL = "SELECT count(*) FROM (SELECT 1 FROM strong WHERE strong MATCH ? LIMIT ?)"
_COUNT_SQL = "SELECT count(*) FROM (SELECT 1 FROM docs WHERE docs MATCH ? LIMIT ?)"

# Matches re-ordered by what a question asks for, or by how many of its words they hold.
_POOL = 200
_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d"
    r"|\b(?:january|february|march|april|june|july|august|september|october|november|december"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today)\b"
    r"|\b(?:1[89]|20)\d\d\b",
    re.IGNORECASE,
)
_FUZZY_MIN_LEN = 4
_FUZZY_CUTOFF = 75.0
_CACHE_LIMIT = 4096
_WARM_LENGTHS = 16  # typed words of up to this many letters have their typo candidates ready

_V = TypeVar("_V")
_K = TypeVar("_K")
_ResultKey = tuple[str, int, frozenset[str] | None, str | None]
_VOCABULARY_CHUNK = 2000  # items whose text is split at once


@dataclass(frozen=True, slots=True)
class Hit:
    item: Fact | FollowUp
    kind: str  # a fact kind, or "followup"
    score: float  # higher is better


@dataclass(slots=True)
class SearchResult:
    query: str
    hits: list[Hit]
    total: int  # matches before ``limit``
    suggestions: list[str] = field(default_factory=list)  # only when nothing matched
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, searched)
    notes: list[str] = field(default_factory=list)  # filters we could not apply, and why
    relaxed: bool = False  # no item had every word: these have some
    missing: list[str] = field(default_factory=list)  # words nothing in the desk contains
    dropped: list[str] = field(default_factory=list)  # words the first hits leave out
    prefer: tuple[str, ...] = ()  # the kinds the question asked for, shown first
    story_first: int = 0  # how many hits, shown first, are from the story asked to lead
    at_least: bool = False  # more than ``total`` match (COUNT_LIMIT: counting stopped there)


def _copy_of(result: SearchResult) -> SearchResult:
    return replace(
        result,
        hits=list(result.hits),
        suggestions=list(result.suggestions),
        corrections=list(result.corrections),
        notes=list(result.notes),
        missing=list(result.missing),
        dropped=list(result.dropped),
    )


def _kind_of(item: Fact | FollowUp) -> str:
    return item.kind if isinstance(item, Fact) else "followup"


def _row_of(item: Fact | FollowUp) -> tuple[str, ...]:
    if isinstance(item, Fact):
        return (
            item.id,
            item.label or "",
            item.value or "",
            item.quote,
            item.summary or "",
            _speaker(item),
            " ".join(item.tags),
        )
    return (item.id, item.title, "", item.quote or "", "", item.waiting_on or "", "")


@dataclass(slots=True)
class Lookups:
    """What an index derives from its items besides the full-text tables: ids, filters, the
    typo vocabulary and word forms. Built once per desk; a compiled desk keeps them with it,
    so the workers of a server share one copy made before they were forked."""

    row_by_id: dict[str, int]
    by_kind: dict[str, Rows]
    by_tag: dict[str, Rows]
    by_source: dict[str, Rows]
    by_speaker: dict[str, Rows]
    by_story: dict[str, Rows]
    vocabulary: dict[int, list[str]]
    forms: WordForms
    dated: frozenset[int] | None  # items that name a date; None: found when first asked
    story_tokens: dict[str, str]  # a story's slug -> its token in the ``scope`` column
    # Each row's kind as its place in SEARCH_KINDS: ranking reads this, not the items, so a
    # forked worker does not write to (and so copy) the pages of every item it ranks.
    kinds: bytes

    @classmethod
    def of(cls, items: list[Fact | FollowUp], desk: Desk) -> Lookups:
        vocabulary = _vocabulary(items)
        first_story = desk.first_story.slug
        return cls(
            row_by_id={item.id: n for n, item in enumerate(items)},
            by_kind=_group(items, lambda item: [_kind_of(item)]),
            by_tag=_group(
                items,
                lambda item: [t.casefold() for t in item.tags] if isinstance(item, Fact) else [],
            ),
            by_source=_group(items, lambda item: [item.source] if item.source else []),
            by_speaker=_group(items, lambda item: [fold(_speaker(item))]),
            by_story=_group(items, lambda item: [story_slug_of(item.id, first_story)]),
            vocabulary=vocabulary,
            forms=WordForms((w for ws in vocabulary.values() for w in ws), desk.newsroom.synonyms),
            dated=None,
            story_tokens={story.slug: story_token(n) for n, story in enumerate(desk.stories)},
            kinds=bytes(SEARCH_KINDS.index(_kind_of(item)) for item in items),
        )

    def filters(self) -> Filters:
        return Filters(
            self.by_kind,
            self.by_tag,
            self.by_source,
            self.by_speaker,
            self.by_story,
            self.story_tokens,
            self.kinds,
        )

    def rows(self, items: list[Fact | FollowUp], first_story: str) -> FtsRows:
        """The full-text rows of ``items``: their text, then their scope (kind and story)."""

        def made() -> Iterable[tuple[str, ...]]:
            for item in items:
                story = self.story_tokens.get(story_slug_of(item.id, first_story), "")
                yield (*_row_of(item), scope_text(_kind_of(item), story))

        return made


def index_items(desk: Desk) -> list[Fact | FollowUp]:
    """What an index of ``desk`` holds, in row order: its facts, then its curated follow-ups."""
    return [*desk.facts, *desk.followups]


class SearchIndex:
    """An FTS5 index of a desk's facts and curated follow-ups. Thread-safe."""

    def __init__(self, items: list[Fact | FollowUp], tables: Tables, lookups: Lookups) -> None:
        self._items = items
        self._tables = tables
        self._lock = threading.Lock()
        self._row_by_id = lookups.row_by_id
        self._by_kind = lookups.by_kind
        self._by_tag = lookups.by_tag
        self._by_source = lookups.by_source
        self._by_speaker = lookups.by_speaker
        self._by_story = lookups.by_story
        self._vocabulary = lookups.vocabulary
        self._forms = lookups.forms
        self._dated = lookups.dated
        self._filters = lookups.filters()
        self._kinds = lookups.kinds
        self._choices: dict[int, list[str]] = {}  # by a typed word's length
        self._count_cache: dict[tuple[str, int, str], int] = {}
        self._fuzzy_cache: dict[str, list[str]] = {}
        # Recent results, the least recently used first. (Not functools.lru_cache over a bound
        # method: that is a reference cycle, and a server's frozen desk is freed on a reload by
        # reference counting alone; bot.runtime._freeze_shared.)
        self._results: dict[_ResultKey, SearchResult] = {}
        self._results_lock = threading.Lock()

    @classmethod
    def build(cls, desk: Desk) -> SearchIndex:
        """An index of ``desk`` built here, in memory."""
        items = index_items(desk)
        lookups = lookups_of(desk, items)
        rows = lookups.rows(items, desk.first_story.slug)
        tables = Tables.in_memory(rows, strong=len(items) > RANK_ALL_LIMIT)
        return cls(items, tables, lookups)

    @classmethod
    def compiled(cls, desk: Desk, lookups: Lookups, path: Path) -> SearchIndex:
        """The index of a compiled desk: ``lookups`` as compiled with it, the tables in the
        compiled file at ``path`` (see :func:`write_index`)."""
        return cls(index_items(desk), Tables(path=path), lookups)

    def __len__(self) -> int:
        return len(self._items)

    def connect(self) -> None:
        """Open this process's connection to the tables now (a server's worker, at start)
        rather than at its first search."""
        with self._lock:
            self._tables.connection()

    def search(
        self,
        query: str,
        limit: int = 20,
        kinds: set[str] | None = None,
        story_first: str | None = None,
    ) -> SearchResult:
        """The best ``limit`` matches for ``query`` among ``kinds`` (None: every kind); with
        ``story_first``, that story's matches lead (a command typed in the story's channel),
        then the rest of the desk's.

        The desk never changes under an index, so a result depends on its arguments only: the
        last RESULT_CACHE_SIZE are kept (newsrooms ask the same things, and Share and every
        click on a reply replay its query). Each caller gets its own copy of the lists.
        """
        key = (query, max(0, limit), None if kinds is None else frozenset(kinds), story_first)
        with self._results_lock:
            found = self._results.pop(key, None)
            if found is not None:
                self._results[key] = found  # the most recently used now
        if found is None:
            found = self.search_uncached(*key)
            with self._results_lock:
                self._results[key] = found
                while len(self._results) > RESULT_CACHE_SIZE:
                    del self._results[next(iter(self._results))]
        return _copy_of(found)

    def search_uncached(
        self,
        query: str,
        limit: int = 20,
        kinds: frozenset[str] | set[str] | None = None,
        story_first: str | None = None,
    ) -> SearchResult:
        """:meth:`search` without the cache (the benchmark times both)."""
        result = self._search(query, limit, kinds, None)
        own = self._by_story.get(story_first or "")
        if not own or not result.hits or len(own) == len(self._items):
            return result
        mine = self._search(query, limit, kinds, story_first).hits
        taken = {hit.item.id for hit in mine}
        result.hits = [*mine, *(h for h in result.hits if h.item.id not in taken)][:limit]
        result.story_first = min(len(mine), len(result.hits))
        return result

    def _search(
        self,
        query: str,
        limit: int,
        kinds: frozenset[str] | set[str] | None,
        story: str | None,
    ) -> SearchResult:
        """The search, among the items of ``story`` only when one is given."""
        parsed = parse_query(query)
        result = SearchResult(query=query, hits=[], total=0)
        limit = max(0, limit)
        said = Said(result.corrections, result.notes)
        scope = self._filters.scope(parsed.filters, kinds, story, said)
        allowed = scope.rows
        if allowed is not None and not allowed:
            rows: list[tuple[int, float]] = []
        elif not parsed.terms:  # filters only, or "what are we still waiting for"
            rows, result.total = self._everything(allowed, limit, parsed.prefer)
        else:
            result.prefer = parsed.prefer
            rows, result.total = self._ranked_rows(parsed, scope, limit, result)
            if result.total > COUNT_LIMIT:
                result.total, result.at_least = COUNT_LIMIT, True
        rows = self._id_first(query, rows, allowed)[:limit]
        result.hits = [self._hit(n, score) for n, score in rows]
        if not rows:
            result.suggestions = self._suggestions(parsed.terms, result)
        return result

    def _everything(
        self, allowed: RowSet | None, limit: int, prefer: tuple[str, ...]
    ) -> tuple[list[tuple[int, float]], int]:
        """Every allowed item in file order, the kinds asked for first. Only as many rows as
        are shown are looked at: an archive's 25,000 quotes are not sorted for ten."""
        total = len(self._items) if allowed is None else len(allowed)
        first: dict[int, None] = {}
        for wanted in prefer:
            group = self._dated_rows() if wanted == DATED else self._by_kind.get(wanted)
            self._take(self._in_row_order(group or ()), allowed, first, limit)
        self._take(self._in_row_order(allowed), None, first, limit)
        return [(n, 0.0) for n in first], total

    @staticmethod
    def _take(
        rows: Iterable[int], allowed: RowSet | None, taken: dict[int, None], limit: int
    ) -> None:
        """Add ``rows`` that ``allowed`` lets through to ``taken``, until it holds ``limit``."""
        for n in rows:
            if len(taken) >= limit:
                return
            if allowed is None or n in allowed:
                taken[n] = None

    def _in_row_order(self, rows: Iterable[int] | RowSet | None) -> Iterable[int]:
        """``rows`` (None: every row) in file order, lazily: a large set is walked in order
        rather than sorted."""
        if rows is None:
            return range(len(self._items))
        if isinstance(rows, array | range):  # the lookups' tables are in row order
            return rows
        found = rows if isinstance(rows, AbstractSet) else set(rows)
        if len(found) * 8 < len(self._items):
            return sorted(found)
        return (n for n in range(len(self._items)) if n in found)

    # --- matching ---------------------------------------------------------------------------

    def _ranked_rows(
        self, parsed: ParsedQuery, allowed: Scope, limit: int, result: SearchResult
    ) -> tuple[list[tuple[int, float]], int]:
        """Every word; else without the words the desk lacks (a number, name or phrase it
        lacks is an honest miss); else the items with most of the words, saying which the
        first one leaves out."""
        terms = self._forms.expand(parsed.terms)
        pairs = [(term, self._alternatives(term, result)) for term in terms]
        rows, total = self._all_of(pairs, allowed, limit, parsed.prefer)
        if total:
            return rows, total
        lacking = self._lacking(pairs)
        result.missing = [t.label for t in lacking]
        if _honest_miss(pairs, lacking, parsed.prefer):
            return [], 0
        kept = _kept(pairs, lacking)
        rows, total = self._fewer_words(kept, bool(lacking), allowed, limit, parsed, result)
        if total:
            result.dropped = _in_typed_order(terms, {*result.missing, *result.dropped})
            result.relaxed = bool(result.dropped)
        return rows, total

    def _lacking(self, pairs: list[tuple[Term, str]]) -> list[Term]:
        """The terms no item contains, in any form."""
        return [term for term, group in pairs if not self._has_hit(group)]

    def _fewer_words(
        self,
        kept: list[tuple[Term, str]],
        lacked: bool,
        allowed: Scope,
        limit: int,
        parsed: ParsedQuery,
        result: SearchResult,
    ) -> tuple[list[tuple[int, float]], int]:
        if kept and lacked:
            rows, total = self._all_of(kept, allowed, limit, parsed.prefer)
            if total:
                return rows, total
        if len(kept) > 1:
            return self._partial(kept, allowed, limit, parsed.prefer, result)
        return [], 0

    def _all_of(
        self,
        pairs: list[tuple[Term, str]],
        allowed: Scope,
        limit: int,
        prefer: tuple[str, ...],
    ) -> tuple[list[tuple[int, float]], int]:
        """Items with every term; else with every term but the ones that only helped."""
        rows, total = self._match_preferring([g for _, g in pairs], allowed, limit, prefer)
        needed = [g for t, g in pairs if not t.optional]
        if total or len(needed) in (0, len(pairs)):
            return rows, total
        return self._match_preferring(needed, allowed, limit, prefer)

    def _match_preferring(
        self, groups: list[str], allowed: Scope, limit: int, prefer: tuple[str, ...]
    ) -> tuple[list[tuple[int, float]], int]:
        """Items with every group, the kinds the question asks for first."""
        if not prefer:
            return self._match(groups, allowed, limit)
        rows, total = self._match(groups, allowed, limit, pool=_POOL)
        if total > RANK_ALL_LIMIT:  # too broad to re-order: BM25 and file order stand
            return rows, total
        rank = self._preference(prefer)
        rows.sort(key=lambda row: rank(row[0]))  # stable: BM25 order within each kind
        return rows[:limit], total

    def _partial(
        self,
        pairs: list[tuple[Term, str]],
        allowed: Scope,
        limit: int,
        prefer: tuple[str, ...],
        result: SearchResult,
    ) -> tuple[list[tuple[int, float]], int]:
        """No item has every word: those with the most of them (names count three times),
        then the kinds asked for, then BM25. Numbers, names and phrases stay required."""
        required = [g for t, g in pairs if t.strong]
        optional = [(t, g) for t, g in pairs if not t.strong]
        if not optional:
            return [], 0
        groups = [*required, "(" + " OR ".join(g for _, g in optional) + ")"]
        expr = " AND ".join(groups)
        rows, total = self._match(groups, allowed, limit, pool=_POOL)
        if rows:
            result.dropped = self._by_coverage(rows, optional, prefer, self._narrow(expr, allowed))
        return rows[:limit], total

    def _narrow(self, expr: str, scope: Scope) -> str | None:
        """An expression that matches at most a few hundred rows, every row ``expr`` finds
        within ``scope`` among them; None when there is none."""
        with self._lock:
            among, matches = self._within(expr, scope)
        if matches > RANK_ALL_LIMIT:
            return None
        return among

    def _by_coverage(
        self,
        rows: list[tuple[int, float]],
        optional: list[tuple[Term, str]],
        prefer: tuple[str, ...],
        among: str | None,
    ) -> list[str]:
        """Sort ``rows`` by how many of the words they hold; the words the first lacks."""
        held = self._held(optional, [n for n, _ in rows], among)
        weight = [3.0 if t.name else 1.0 for t, _ in optional]
        rank = self._preference(prefer)
        rows.sort(key=lambda r: (-sum(weight[k] for k in held[r[0]]), rank(r[0]), -r[1]))
        first = held[rows[0][0]]
        return [t.label for k, (t, _) in enumerate(optional) if k not in first]

    def _held(
        self, optional: list[tuple[Term, str]], rows: list[int], among: str | None
    ) -> dict[int, set[int]]:
        """For each row, which of the ``optional`` groups it matches. ``among``: an
        expression that matches at most a few hundred rows, ``rows`` among them; each group
        is then matched within it (FTS5 runs the match again for each value of an IN list:
        4 ms for 200 rows of 100,000 facts; the same within a narrow match, ~0.1 ms)."""
        held: dict[int, set[int]] = {n: set() for n in rows}
        if among is not None:
            sql, within = "SELECT rowid FROM docs WHERE docs MATCH ?", f" AND ({among})"
            params: tuple[object, ...] = ()
        else:
            marks = ", ".join("?" for _ in rows)
            sql = f"SELECT rowid FROM docs WHERE docs MATCH ? AND rowid IN ({marks})"  # noqa: S608
            within, params = "", tuple(rows)
        with self._lock:
            for k, (_, group) in enumerate(optional):
                for (n,) in self._tables.connection().execute(sql, (f"({group}){within}", *params)):
                    if int(n) in held:
                        held[int(n)].add(k)
        return held

    def _preference(self, prefer: tuple[str, ...]) -> Callable[[int], float]:
        """A row's place in what the question asks for: 0 for the first kind asked for."""
        dated = self._dated_rows() if DATED in prefer else set()

        def rank(row: int) -> float:
            kind = SEARCH_KINDS[self._kinds[row]]
            for place, wanted in enumerate(prefer):
                if wanted == kind:
                    return place
                if wanted == DATED and row in dated:
                    # A follow-up names the date of what it waits for, not of what happened.
                    return place + (0.5 if kind == "followup" else 0.0)
            return len(prefer)

        return rank

    def _dated_rows(self) -> frozenset[int]:
        if self._dated is None:
            self._dated = dated_rows(self._items)
        return self._dated

    def _alternatives(self, term: Term, result: SearchResult) -> str:
        """The term itself, or when it matches nothing, the index word closest to it: of
        words about as close, the one most items use (the likelier meant). One word, so
        that "showing results for X" is what the results are (they were for any of three)."""
        if not term.fuzzable or self._has_hit(term.fts()):
            return term.fts()
        close = self._close_words(term.words[0])
        if not close:
            return term.fts()
        with self._lock:  # the counts _common reads later, made now
            likeliest = max(close, key=lambda w: self._count_to(COMMON_LIMIT + 1, _fts(w)))
        result.corrections.append((term.words[0], likeliest))
        return _fts(likeliest)

    def _match(
        self, groups: list[str], scope: Scope, limit: int, pool: int = 0
    ) -> tuple[list[tuple[int, float]], int]:
        """The best ``limit`` rows matching every one of ``groups`` within ``scope``, and how
        many match; ``pool`` rows instead when the matches are few enough to be re-ordered."""
        expr = " AND ".join(groups)
        with self._lock:
            narrowed, matches = self._within(expr, scope)
            allowed = None if narrowed != expr else scope.rows  # what is left to filter here
            ranking = [group for group in groups if not self._common(group)]
            if matches > RANK_ALL_LIMIT or not ranking:
                wanted = limit if matches > RANK_ALL_LIMIT else max(limit, pool)
                return self._broad_match((expr, narrowed), scope.rows, allowed, wanted)
            if narrowed != expr and scope.few:  # within a story: only its rows are walked
                ranking.append(scope.few)
            ranking_expr = " AND ".join(ranking)
            return self._ranked_match(ranking_expr, narrowed, allowed, max(limit, pool), matches)

    def _ranked_match(
        self, ranking: str, narrowed: str, allowed: RowSet | None, limit: int, matches: int
    ) -> tuple[list[tuple[int, float]], int]:
        """The best ``limit`` of the ``matches`` rows matching ``narrowed`` (those ``allowed``
        of them when a filter is left to apply here), by BM25 over the words of ``ranking``."""
        ranked = self._ranked(ranking, narrowed, None if allowed else limit)
        if allowed is None:  # SQLite kept only the best ``limit`` while it ranked
            return [(n, -score) for n, score in ranked], matches
        rows = [(n, -score) for n, score in ranked if n in allowed]
        return rows[:limit], len(rows)

    def _ranked(self, ranking: str, narrowed: str, limit: int | None) -> list[tuple[int, float]]:
        """The rows matching ``narrowed``, best first by BM25 over the words of ``ranking``
        (the best ``limit``; all with None). BM25 reads every row that holds a word to weigh
        it, so the common words and the kinds' tokens (a quarter of an archive each) are only
        in ``narrowed``; a story's token may be in both (see Scope.few)."""
        sql, params = _RANKED_WITHIN_SQL, [ranking, narrowed]
        if ranking == narrowed:
            sql, params = _RANKED_SQL, [ranking]
        if limit is None:
            return self._rows(sql, *params)
        return self._rows(sql + " LIMIT ?", *params, limit)

    def _common(self, group: str) -> bool:
        """Whether more than COMMON_LIMIT rows hold ``group``: a word that says little about
        which item is best, and costs BM25 a read of every row holding it (~2 ms for a word
        in 30,000 items)."""
        return self._count_to(COMMON_LIMIT + 1, group) > COMMON_LIMIT

    def _within(self, expr: str, scope: Scope) -> tuple[str, int]:
        """What to match for ``expr`` within ``scope``, and how many rows match it (up to
        COUNT_LIMIT + 1, the count a broad match shows: counted once, not to RANK_ALL_LIMIT
        first): SQLite applies what it can of the scope (kinds, stories); the rest is
        filtered here."""
        if not scope.fts:
            return expr, self._count_to(COUNT_LIMIT + 1, expr)
        narrowed = scope.narrowed(expr)
        return narrowed, self._count_to(COUNT_LIMIT + 1, narrowed)

    def _broad_match(
        self,
        exprs: tuple[str, str],
        rows: RowSet | None,
        allowed: RowSet | None,
        limit: int,
    ) -> tuple[list[tuple[int, float]], int]:
        """A word most items contain: BM25 over thousands of rows costs milliseconds and
        ranks by a word that says little, so rank only the items that have it in an id,
        label, value, tag or speaker, then the rest in file order. ``exprs``: the words, and
        the words within the scope SQLite can apply; ``rows``: the scope; ``allowed``: what
        is left to filter here."""
        narrowed = exprs[1]
        strong = self._strong_matches(exprs, rows, limit)
        if allowed is None:
            total = self._count_to(COUNT_LIMIT + 1, narrowed)
            rest = self._rows(_UNRANKED_SQL + " LIMIT ?", narrowed, limit + len(strong))
        else:
            rest = [r for r in self._rows(_UNRANKED_SQL, narrowed) if r[0] in allowed]
            total = len(rest)
        if rows is not None:  # the strong columns' table knows no scope
            strong = [(n, score) for n, score in strong if n in rows]
        seen = {n for n, _ in strong}
        found = strong + [(n, 0.0) for n, _ in rest if n not in seen]
        return found[:limit], total

    def _strong_matches(
        self, exprs: tuple[str, str], allowed: RowSet | None, limit: int
    ) -> list[tuple[int, float]]:
        """The items with the word in a strong column, ranked; none when too many have it.
        ``exprs``: the words, and the words within the scope SQLite can apply."""
        expr, narrowed = exprs
        if self._count_to(RANK_ALL_LIMIT + 1, expr, _STRONG_COUNT_SQL) > RANK_ALL_LIMIT:
            return []
        if narrowed != expr:  # the scope (a story, kinds) applied as SQLite ranks
            ranked = self._rows(_STRONG_RANKED_WITHIN_SQL + " LIMIT ?", expr, narrowed, limit)
        elif allowed is None:  # only the best ``limit`` can be shown
            ranked = self._rows(_STRONG_RANKED_SQL + " LIMIT ?", expr, limit)
        else:  # a filter may drop some of the best
            ranked = self._rows(_STRONG_RANKED_SQL, expr)
        return [(n, -score) for n, score in ranked]

    def _count_to(self, most: int, expr: str, sql: str = _COUNT_SQL) -> int:
        """How many rows match, counting no further than ``most``: a word in every item
        costs what a rare one does. Kept: one search counts the same words several times
        (and a story's channel searches the desk, then the story). Call with the lock held."""
        found = self._count_cache.get((expr, most, sql))
        if found is None:
            found = int(self._tables.connection().execute(sql, (expr, most)).fetchone()[0])
            _remember(self._count_cache, (expr, most, sql), found)
        return found

    def _rows(self, sql: str, *params: str | int) -> list[tuple[int, float]]:
        return [(int(n), float(rank)) for n, rank in self._tables.connection().execute(sql, params)]

    def _has_hit(self, key: str) -> bool:
        with self._lock:
            return self._count_to(1, key) > 0

    def _close_words(self, word: str) -> list[str]:
        cached = self._fuzzy_cache.get(word)
        if cached is None:
            cached = _closest(word, self._candidates(len(word)))
            _remember(self._fuzzy_cache, word, cached)
        return cached

    def warm(self) -> None:
        """Ready what a typo's correction reads, for every length people type: a worker
        otherwise copies the vocabulary's pages from the server's (one write each, to count
        a reference) during the first typo of each length, a few milliseconds each."""
        self.connect()
        for length in range(_FUZZY_MIN_LEN - 1, _WARM_LENGTHS):
            self._candidates(length)

    def _candidates(self, length: int) -> list[str]:
        """The index words a couple of letters shorter or longer than ``length``."""
        choices = self._choices.get(length)
        if choices is None:
            lengths = range(length - 2, length + 3)
            choices = [w for n in lengths for w in self._vocabulary.get(n, ())]
            self._choices[length] = choices
        return choices

    def _id_first(
        self, query: str, rows: list[tuple[int, float]], allowed: RowSet | None
    ) -> list[tuple[int, float]]:
        """Typing an item's exact id puts that item first, whatever BM25 thinks."""
        row = self._row_by_id.get(query.strip().casefold())
        if row is None or (allowed is not None and row not in allowed):
            return rows
        best = max((score for _, score in rows), default=0.0)
        return [(row, best), *(r for r in rows if r[0] != row)]

    def _hit(self, row: int, score: float) -> Hit:
        item = self._items[row]
        return Hit(item=item, kind=_kind_of(item), score=score)

    # --- when nothing matched ---------------------------------------------------------------

    def _suggestions(self, terms: tuple[Term, ...], result: SearchResult) -> list[str]:
        """Words of the desk's own vocabulary close to what was typed, or nothing: never a
        list of unrelated words."""
        suggestions = [searched for _, searched in result.corrections if ":" not in searched]
        for term in terms:
            for word in term.words:
                if not _NUMBER.fullmatch(word) and len(word) >= _FUZZY_MIN_LEN - 1:
                    suggestions.extend(w for w in self._close_words(word) if w != word)
        return list(dict.fromkeys(suggestions))[:5]


def _honest_miss(
    pairs: list[tuple[Term, str]], lacking: list[Term], prefer: tuple[str, ...]
) -> bool:
    """A number, name or phrase the desk lacks, two words in a row it lacks ("city
    council"), most of what the question is about, or any word of a figure question ("how
    many electric buses"): answering with the other words would answer another question,
    and a number about something else is the worst thing to copy into a story."""
    if lacking and prefer[:1] == ("figure",):
        return True
    needed = [t for t, _ in pairs if not t.optional]
    together = any(a in lacking and b in lacking for a, b in itertools.pairwise(needed))
    return any(t.strong for t in lacking) or together or 2 * len(lacking) > len(needed)


def _kept(pairs: list[tuple[Term, str]], lacking: list[Term]) -> list[tuple[Term, str]]:
    """What is left to search once the absent words and the ones that only helped go."""
    return [(t, g) for t, g in pairs if t not in lacking and not t.optional]


def _in_typed_order(terms: tuple[Term, ...], labels: set[str]) -> list[str]:
    return [t.label for t in terms if t.label in labels]


def _speaker(item: Fact | FollowUp) -> str:
    """Every name of a fact's speaker (so ``by:`` matches any alias), or whom we wait on."""
    return " | ".join(item.speaker_names()) if isinstance(item, Fact) else item.waiting_on or ""


def _group(
    items: list[Fact | FollowUp], keys_of: Callable[[Fact | FollowUp], list[str]]
) -> dict[str, Rows]:
    table: dict[str, Rows] = {}
    for n, item in enumerate(items):
        for key in keys_of(item):
            rows = table.get(key)
            if rows is None:
                rows = table[key] = array("I")
            rows.append(n)
    return table


def dated_rows(items: list[Fact | FollowUp]) -> frozenset[int]:
    """The items that name a date (a regular expression over each: done when first asked
    in a process, or once when a desk is compiled)."""
    return frozenset(
        n for n, item in enumerate(items) if _DATE_WORDS.search(" ".join(_row_of(item)[1:5]))
    )


def lookups_of(desk: Desk, items: list[Fact | FollowUp] | None = None) -> Lookups:
    """The lookups of an index of ``desk``."""
    found = index_items(desk) if items is None else items
    return Lookups.of(found, desk)


def write_index(desk: Desk, conn: sqlite3.Connection) -> Lookups:
    """Write the full-text tables of ``desk`` into ``conn`` (a compiled desk's file); return
    the lookups that go with them."""
    items = index_items(desk)
    lookups = lookups_of(desk, items)
    write_tables(conn, lookups.rows(items, desk.first_story.slug), len(items) > RANK_ALL_LIMIT)
    lookups.dated = dated_rows(items)  # a worker would otherwise read every item to find them
    return lookups


def _vocabulary(items: list[Fact | FollowUp]) -> dict[int, list[str]]:
    """Every indexed word (not numbers), grouped by length so typo look-ups stay small."""
    tokens: set[str] = set()
    for start in range(0, len(items), _VOCABULARY_CHUNK):
        tokens |= _tokens(items[start : start + _VOCABULARY_CHUNK])
    words: set[str] = set()
    for token in tokens:
        if token.isascii() and token.isalnum():
            words.add(token)
        else:
            words.update(_WORD.findall(token))
    words = {w for w in words if not _NUMBER.fullmatch(w)}
    by_length: dict[int, list[str]] = {}
    for word in sorted(words):
        by_length.setdefault(len(word), []).append(word)
    return by_length


def _tokens(items: list[Fact | FollowUp]) -> set[str]:
    """The distinct white-space separated tokens of some items' text, folded."""
    # Splitting on white space and tidying the few distinct tokens that hold punctuation is
    # twice as fast as the word pattern; a chunk at a time, so 100,000 facts' text is never
    # all split at once (that took 240 MB more than the index itself).
    joined = "\n".join(text for item in items for text in _row_of(item))
    folded = joined.lower() if joined.isascii() else "\n".join(map(fold, joined.split("\n")))
    return set(folded.split())


def _closest(word: str, choices: list[str]) -> list[str]:
    """Up to three of ``choices`` within a couple of edits of ``word``, best first."""
    found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=5)
    if not found:
        return []
    best = found[0][1]
    return [w for w, score, _ in found if score >= best - 5.0][:3]


def _fts(word: str) -> str:
    return Term((word,)).fts()


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
