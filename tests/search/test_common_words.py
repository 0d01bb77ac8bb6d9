"""Search over a desk where some words are in thousands of items (an archive's "county",
"said", "records"): such words filter a search but do not rank it, the rarer words do, and
every answer still holds every word it was asked for."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.desk.fts import COMMON_LIMIT
from bot.desk.model import FACT_KINDS
from bot.desk.search import COUNT_LIMIT, SearchIndex
from bot.desk.search_scope import SEARCH_KINDS, KindRows
from tests.replies.desks import fact, figure, make_desk


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """More than COMMON_LIMIT and COUNT_LIMIT items say "county"; 40 of them also name
    "Selufa", once in a figure's label, once in a quote that says it three times; one names
    Selufa only."""
    facts = [
        fact(f"case-{k:04d}", f"The county said the records of case {k} are late.")
        for k in range(max(COMMON_LIMIT, COUNT_LIMIT) + 60)
    ]
    facts += [
        fact(f"selufa-{k:02d}", f"The county clerk met Selufa about case {k} and the records.")
        for k in range(38)
    ]
    facts.append(
        fact("selufa-thrice", "Selufa, Selufa, Selufa: the county chant.", tags=("chant",))
    )
    budget = figure("selufa-budget", label="Selufa county budget", value="12", unit="million")
    facts.append(replace(budget, quote="The county gave Selufa a budget of 12 million dollars."))
    facts.append(fact("no-place", "Selufa spoke without naming the place."))
    return SearchIndex.build(make_desk(facts=facts, followups=[]))


def test_a_common_word_filters_while_the_rare_word_ranks(index: SearchIndex) -> None:
    result = index.search("county selufa", limit=10)
    assert result.total == 40  # every item with both words; "no-place" lacks one
    assert not result.at_least
    found = [hit.item.id for hit in result.hits]
    assert "no-place" not in found
    # Ranked as "selufa" alone ranks them: "county" says nothing about which is best.
    alone = [hit.item.id for hit in index.search("selufa", limit=50).hits]
    assert found == [item for item in alone if item != "no-place"][:10]
    assert found[:2] == ["selufa-thrice", "selufa-budget"]  # the name most, and in a label


def test_the_order_of_the_words_does_not_change_the_answer(index: SearchIndex) -> None:
    first = index.search("county selufa", limit=10)
    second = index.search("selufa county", limit=10)
    assert [h.item.id for h in first.hits] == [h.item.id for h in second.hits]
    assert first.total == second.total


def test_a_kind_filter_applies_inside_the_match(index: SearchIndex) -> None:
    figures = index.search("county selufa", limit=10, kinds={"figure"})
    assert [h.item.id for h in figures.hits] == ["selufa-budget"]
    assert figures.total == 1
    quotes = index.search("county selufa", limit=50, kinds={"quote"})
    assert quotes.total == 39
    assert {h.kind for h in quotes.hits} == {"quote"}


def test_only_common_words_still_find_every_item_that_holds_them(index: SearchIndex) -> None:
    result = index.search("county records", limit=10)
    assert (result.total, result.at_least) == (1000, True)  # counted no further
    for hit in result.hits:
        text = hit.item.quote.casefold()
        assert "county" in text and "record" in text


def test_a_question_with_no_search_words_lists_the_kind_it_asks_for_first() -> None:
    facts = [fact(f"case-{k:04d}", f"Case {k} is late.") for k in range(3000)]
    facts += [figure(f"figure-{k}", label=f"Budget {k}", value=str(k)) for k in range(3)]
    index = SearchIndex.build(make_desk(facts=facts, followups=[]))
    result = index.search("how many", limit=5)
    assert [h.item.id for h in result.hits[:3]] == ["figure-0", "figure-1", "figure-2"]
    assert [h.item.id for h in result.hits[3:]] == ["case-0000", "case-0001"]
    assert result.total == 3003
    only = index.search("kind:figure", limit=5)
    assert [h.item.id for h in only.hits] == ["figure-0", "figure-1", "figure-2"]


def test_kind_rows_are_the_rows_of_those_kinds() -> None:
    kinds = bytes([0, 1, 0, 2, 0, 1])  # rows 0, 2, 4 of the first kind; 1, 5 of the second
    first, second = SEARCH_KINDS[0], SEARCH_KINDS[1]
    assert first in FACT_KINDS and second in FACT_KINDS
    rows = KindRows(kinds, frozenset({0, 1}), 5)
    assert len(rows) == 5
    assert list(rows) == [0, 1, 2, 4, 5]
    assert 3 not in rows and 6 not in rows and -1 not in rows and "0" not in rows
    assert rows & {1, 3, 4} == {1, 4}
    assert isinstance(rows & {1}, frozenset)


def test_bm25_never_weighs_a_common_word_or_a_scope_token(index: SearchIndex) -> None:
    """The cost the rule exists for: BM25 reads every row holding each word it weighs (2 ms
    for a word in 30,000 items of an archive), so a common word and the kind and story
    tokens of a scope are in the match it filters by, never in the one it ranks by."""
    statements: list[str] = []
    with index._lock:
        index._tables.connection().set_trace_callback(statements.append)
    try:
        index.search_uncached("county selufa", limit=10, kinds=frozenset({"quote"}))
    finally:
        with index._lock:
            index._tables.connection().set_trace_callback(None)
    ranked = [s for s in statements if "bm25(docs" in s]
    assert ranked, statements
    for statement in ranked:
        ranked_by = statement.split("MATCH '", 1)[1].split("'", 1)[0]
        assert "selufa" in ranked_by
        assert "county" not in ranked_by and "scope" not in ranked_by
