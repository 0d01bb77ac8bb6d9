"""Search over the shipped facts.yaml and small desks: ranking, stemming, typos, filters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.desk.search import COUNT_LIMIT, MAX_QUERY_CHARS, SearchIndex, parse_query
from tests.replies.desks import fact, figure, make_desk, many_facts_desk, shipped_desk


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(shipped_desk())


def ids(index: SearchIndex, query: str, **kwargs: object) -> list[str]:
    return [hit.item.id for hit in index.search(query, **kwargs).hits]  # type: ignore[arg-type]


def test_a_number_finds_the_figure_first(index: SearchIndex) -> None:
    result = index.search("545")
    assert result.hits[0].item.id == "parents-not-located"
    assert result.hits[0].kind == "figure"


def test_a_number_must_match_exactly(index: SearchIndex) -> None:
    result = index.search("546")
    assert result.hits == []
    assert result.corrections == []


def test_cruelty_finds_the_chairs_quote(index: SearchIndex) -> None:
    assert ids(index, "cruelty")[0] == "chairs-chaos-cruelty"


def test_stemming_finds_other_forms_of_a_word(index: SearchIndex) -> None:
    found = ids(index, "locate")
    assert "parents-not-located" in found


def test_a_typo_close_to_several_words_searches_the_one_most_items_use() -> None:
    facts = [fact(f"kula-{k}", f"Kula said case {k} is late.") for k in range(3)]
    facts += [fact("kuma-0", "Kuma said it."), fact("kufa-0", "Kufa said it.")]
    index = SearchIndex.build(make_desk(facts=facts, followups=[]))
    result = index.search("kuxa")
    assert result.corrections == [("kuxa", "kula")]  # what the reply says it searched
    assert sorted(h.item.id for h in result.hits) == ["kula-0", "kula-1", "kula-2"]


def test_a_typo_is_corrected_to_a_word_in_the_index(index: SearchIndex) -> None:
    result = index.search("parnets")
    assert ("parnets", "parents") in result.corrections
    assert "parents-not-located" in [h.item.id for h in result.hits]


def test_a_phrase_must_appear_in_order(index: SearchIndex) -> None:
    assert ids(index, '"reckless disregard"') == ["chairs-chaos-cruelty"]
    assert ids(index, '"disregard reckless"') == []


def test_every_word_must_match_when_some_item_has_them_all(index: SearchIndex) -> None:
    result = index.search("sessions promised")
    assert [h.item.id for h in result.hits] == ["sessions-promised-resources"]
    assert not result.relaxed


def test_when_no_item_has_every_word_items_with_some_come_back_marked(index: SearchIndex) -> None:
    result = index.search("cruelty zzzqqq")
    assert result.relaxed
    assert result.hits[0].item.id == "chairs-chaos-cruelty"


def test_kind_filter(index: SearchIndex) -> None:
    result = index.search("kind:figure")
    assert [h.kind for h in result.hits] == ["figure"]
    assert {h.kind for h in index.search("kind:quote sessions").hits} == {"quote"}
    assert {h.kind for h in index.search("kind:followups").hits} == {"followup"}


def test_tag_filter(index: SearchIndex) -> None:
    found = index.search("tag:congress").hits
    assert {h.item.id for h in found} == {"chairs-chaos-cruelty", "chairs-intentionally-harm"}


def test_by_filter_matches_part_of_the_attribution(index: SearchIndex) -> None:
    assert "chairs-chaos-cruelty" in ids(index, 'by:"judiciary committees"')
    # by: matches any of a speaker's aliases (issue 10): the report is also "the OIG".
    by_oig = ids(index, "by:oig", limit=20)
    assert "sessions-prosecute-as-many" in by_oig and "sessions-underestimated" in by_oig
    assert "chairs-chaos-cruelty" not in by_oig
    # The report's words about Sessions are not his: by:sessions finds none of them.
    assert "sessions-promised-resources" not in ids(index, "by:sessions", limit=20)


def test_source_filter(index: SearchIndex) -> None:
    assert index.search("source:axios-oig-zero-tolerance").total == 16
    assert index.search("source:nowhere").total == 0


def test_a_misspelt_filter_value_is_corrected_and_said(index: SearchIndex) -> None:
    result = index.search("kind:figur")
    assert [h.kind for h in result.hits] == ["figure"]
    assert ("kind:figur", "kind:figure") in result.corrections


def test_an_unknown_filter_value_says_what_exists(index: SearchIndex) -> None:
    result = index.search("tag:zzzzzz")
    assert result.hits == []
    assert "congress" in result.notes[0]


def test_kinds_argument_restricts_results(index: SearchIndex) -> None:
    assert {h.kind for h in index.search("545", kinds={"figure"}).hits} == {"figure"}
    assert index.search("cruelty", kinds={"figure"}).hits == []


def test_typing_an_id_puts_that_item_first(index: SearchIndex) -> None:
    assert ids(index, "sessions-prosecute-as-many")[0] == "sessions-prosecute-as-many"


def test_follow_ups_are_searchable_by_who_we_wait_on(index: SearchIndex) -> None:
    assert ids(index, "white house")[0] == "white-house-response"


def test_nothing_matched_gives_suggestions(index: SearchIndex) -> None:
    result = index.search("sesions cruelity zzzzzzzzz kind:figure")
    assert result.hits == []
    assert "sessions" in result.suggestions or "cruelty" in result.suggestions


def test_limit_and_total() -> None:
    index = SearchIndex.build(many_facts_desk(40))
    result = index.search("policy", limit=5)
    assert len(result.hits) == 5
    assert result.total == 40


def test_broad_queries_over_many_items_still_count_and_rank_strong_matches_first() -> None:
    facts = [fact(f"item-{k:04d}", f"The agency said item {k} is late.") for k in range(1500)]
    facts.append(fact("agency-label", "A figure about the agency.", label="Agency staffing"))
    index = SearchIndex.build(make_desk(facts=facts, followups=[]))
    result = index.search("agency", limit=10)
    assert (result.total, result.at_least) == (COUNT_LIMIT, True)  # "1,000+ items"
    assert result.hits[0].item.id == "agency-label"
    assert len(result.hits) == 10
    filtered = index.search("agency", limit=3, kinds={"quote"})
    assert (filtered.total, filtered.at_least) == (COUNT_LIMIT, True)


def test_broad_matches_are_counted_exactly_up_to_the_count_limit() -> None:
    facts = [fact(f"item-{k:04d}", f"The agency said item {k} is late.") for k in range(1200)]
    facts += [
        fact(f"court-{k:04d}", f"The court said case {k} is late.") for k in range(COUNT_LIMIT)
    ]
    index = SearchIndex.build(make_desk(facts=facts, followups=[]))
    court = index.search("court", limit=10)
    assert (court.total, court.at_least) == (COUNT_LIMIT, False)
    late = index.search("late", limit=10)
    assert (late.total, late.at_least) == (COUNT_LIMIT, True)
    assert index.search("late court", limit=10).total == COUNT_LIMIT
    assert not index.search("late court", limit=10).at_least


def test_broad_queries_rank_who_said_it_and_pairs_of_common_words() -> None:
    facts = [
        fact(f"item-{k:04d}", f"The agency said the records of case {k} are late.")
        for k in range(2000)
    ]
    facts.append(
        fact(
            "spokesperson",
            "The agency said the records are sealed.",
            attribution="Agency records office",
        )
    )
    index = SearchIndex.build(make_desk(facts=facts, followups=[]))
    for query in ("agency", "agency records", "records agency"):
        result = index.search(query, limit=5)
        assert (result.total, result.at_least) == (COUNT_LIMIT, True)
        assert result.hits[0].item.id == "spokesperson"
    assert index.search("agency records", limit=5, kinds={"figure"}).hits == []


def test_parse_query_separates_words_phrases_and_filters() -> None:
    parsed = parse_query('kind:quote "reckless disregard" U.S.-Mexico by:"Jeff Sessions"')
    assert parsed.filters == {"kind": ("quote",), "by": ("jeff sessions",)}
    assert [t.words for t in parsed.terms] == [("reckless", "disregard"), ("u", "s", "mexico")]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"""',
        "(",
        ")",
        "NEAR(a b)",
        "a NEAR b",
        "*",
        "a*",
        "-",
        "-cruelty",
        ":",
        "kind:",
        "tag:",
        "by:",
        "source:",
        "col:value",
        "AND OR NOT",
        "^start",
        "\x00\x01\x1b[31m",
        "'; DROP TABLE docs; --",
        "x" * 10_000,
        "word " * 3000,
        "{ident label} : cruelty",
    ],
)
def test_hostile_queries_never_raise(index: SearchIndex, query: str) -> None:
    result = index.search(query)
    assert result.total >= 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_safe_query(text: str) -> None:
    result = SEARCH_INDEX.search(text, limit=5)
    assert len(result.hits) <= 5
    assert result.total >= len(result.hits)


def test_very_long_queries_are_capped() -> None:
    parsed = parse_query("cruelty " * 1000)
    assert len(parsed.terms) <= MAX_QUERY_CHARS // 2


def test_figure_only_desk_without_follow_ups() -> None:
    index = SearchIndex.build(make_desk(facts=[figure()], followups=[]))
    assert ids(index, "545") == ["parents-not-located"]


SEARCH_INDEX = SearchIndex.build(shipped_desk())


def test_a_repeated_search_answers_as_the_first_and_callers_cannot_spoil_it(
    index: SearchIndex,
) -> None:
    """Results are kept per index (issue 17): the same query, limit and kinds answer the same,
    and what one caller does with its lists never reaches the next caller."""
    queries = ["545", "cruelty", "sessions prosecutions", "parnets", "kind:quote by:nadler", "zzqx"]
    for query in queries:
        for kinds in (None, {"quote"}, {"followup"}):
            fresh = index.search_uncached(query, limit=10, kinds=kinds)
            assert index.search(query, limit=10, kinds=kinds) == fresh
            first = index.search(query, limit=10, kinds=kinds)
            first.hits.clear()
            first.suggestions.append("spoiled")
            first.notes.append("spoiled")
            assert index.search(query, limit=10, kinds=kinds) == fresh
    assert len(index.search("545", limit=1).hits) == 1  # the limit is part of what is kept
    assert len(index.search("545", limit=3).hits) == min(3, index.search("545").total)
