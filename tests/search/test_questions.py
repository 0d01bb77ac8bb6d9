"""Questions typed the way a reporter talks: which words count, what kind of item answers,
synonyms and word forms, and honest misses (issue 12)."""

from __future__ import annotations

import pytest

from bot.desk.question import DATED, parse_query, reduce_apostrophes
from bot.desk.search import SearchIndex
from tests.replies.desks import fact, figure, followup, make_desk, shipped_desk


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(shipped_desk())


def first(index: SearchIndex, query: str, kinds: set[str] | None = None) -> str | None:
    hits = index.search(query, kinds=kinds).hits
    return hits[0].item.id if hits else None


def searched(query: str) -> list[str]:
    return [" ".join(t.words) for t in parse_query(query).terms]


# --- what a question is about --------------------------------------------------------------


def test_question_words_auxiliaries_and_filler_need_not_match() -> None:
    assert searched("how many parents were not located?") == ["parents", "not", "located"]
    assert searched("what did horowitz say") == ["horowitz"]
    assert searched("is there anything about the white house") == ["white", "house"]
    assert searched("tell me when the report was released") == ["report", "released"]


@pytest.mark.parametrize(
    ("typed", "reduced"),
    [
        ("DOJ's", "DOJ"),
        ("DOJ’s", "DOJ’s"),  # curly apostrophes are straightened by parse_query first
        ("Sessions'", "Sessions"),
        ("sessions's", "sessions"),
        ("what's", "what"),
        ("didn't", "did not"),
        ("won't", "will not"),
        ("can't", "can not"),
        ("O'Brien", "O'Brien"),
    ],
)
def test_possessives_and_contractions_reduce_to_their_word(typed: str, reduced: str) -> None:
    assert reduce_apostrophes(typed) == reduced


def test_curly_possessives_and_quotes_are_read_like_straight_ones() -> None:
    assert searched("DOJ’s role") == ["doj", "role"]
    terms = parse_query("“reckless disregard”").terms
    assert [(t.words, t.quoted) for t in terms] == [(("reckless", "disregard"), True)]


def test_a_question_of_only_question_words_still_searches_what_was_typed() -> None:
    assert searched("what is it") == ["what", "is", "it"]


@pytest.mark.parametrize(
    ("question", "prefer"),
    [
        ("how many parents were not located", ("figure",)),
        ("how much money", ("figure",)),
        ("what number of parents", ("figure",)),
        ("what percentage of families", ("figure",)),
        ("many parents", ("figure",)),
        ("who said cruelty", ("quote", "statement")),
        ("what did horowitz say", ("quote", "statement")),
        ("quotes about prosecutions", ("quote", "statement")),
        ("when was the report released", (DATED,)),
        ("what date was the report released", (DATED,)),
        ("did the white house respond", ("followup",)),
        ("has DOJ commented", ("followup",)),
        ("what are we still waiting for", ("followup",)),
        ("separated parents", ()),
    ],
)
def test_the_shape_of_a_question_says_what_kind_of_item_answers(
    question: str, prefer: tuple[str, ...]
) -> None:
    assert parse_query(question).prefer == prefer


def test_names_numbers_and_phrases_are_strong_and_plain_words_are_not() -> None:
    terms = {
        t.label: t
        for t in parse_query(
            'what did Horowitz say about 545 "zero tolerance" and DOJ parents'
        ).terms
    }
    assert terms["Horowitz"].strong and terms["545"].strong and terms["DOJ"].strong
    assert terms["zero tolerance"].strong
    assert not terms["parents"].strong


def test_who_in_what_did_x_say_is_a_name_even_in_lower_case() -> None:
    terms = parse_query("what did rosenstein say").terms
    assert [(t.label, t.name) for t in terms] == [("rosenstein", True)]


def test_the_verb_of_did_x_respond_helps_but_need_not_match() -> None:
    terms = parse_query("did the white house respond").terms
    assert [(t.label, t.optional) for t in terms] == [
        ("white", False),
        ("house", False),
        ("respond", True),
    ]


# --- the questions of issue 12, over the shipped desk ---------------------------------------


@pytest.mark.parametrize(
    ("question", "kinds", "expected"),
    [
        ("how many parents were not located?", None, "parents-not-located"),
        ("how many parents were not located?", {"figure"}, "parents-not-located"),
        ("what did horowitz say", None, "sessions-underestimated"),
        ("when was the report released", None, "sessions-underestimated"),
        ("how many children are still separated", None, "thought-bubble-kight"),
        ("DOJ's role", None, "doj-spokesperson-no-role"),
        ("many parents", None, "parents-not-located"),
        ('"reckless disregard"', {"quote"}, "chairs-chaos-cruelty"),
        ("“reckless disregard”", {"quote"}, "chairs-chaos-cruelty"),
    ],
)
def test_the_issues_questions_get_the_right_first_answer(
    index: SearchIndex, question: str, kinds: set[str] | None, expected: str
) -> None:
    assert first(index, question, kinds) == expected


def test_sessions_with_a_doubled_possessive_finds_sessions(index: SearchIndex) -> None:
    result = index.search("sessions's")
    assert result.hits and not result.missing and not result.relaxed
    assert result.total == index.search("sessions").total
    for hit in result.hits:
        # The report's words about Sessions are tagged and marked about him, not his (issue 10).
        about = " ".join(s.name for s in getattr(hit.item, "about", ()))
        tags = " ".join(getattr(hit.item, "tags", ()))
        assert "sessions" in f"{hit.item.quote} {about} {tags}".lower()


def test_a_figure_question_puts_the_figure_above_a_quote_with_the_same_words(
    index: SearchIndex,
) -> None:
    """ "many parents" used to rank "as many illegal entry cases" above the 545 figure."""
    ids = [h.item.id for h in index.search("many parents").hits]
    assert ids[0] == "parents-not-located"
    assert "sessions-prosecute-as-many" not in ids


def test_did_x_respond_finds_the_follow_up(index: SearchIndex) -> None:
    assert first(index, "did the White House respond?") == "white-house-response"
    assert first(index, "did the white house comment on the report") == "white-house-response"


# --- honest misses and partial matches -------------------------------------------------------


def test_a_name_the_desk_does_not_contain_is_an_honest_miss(index: SearchIndex) -> None:
    result = index.search("rosenstein", kinds={"quote"})
    assert result.hits == []
    assert result.missing == ["rosenstein"]
    assert result.suggestions == []  # no unrelated list of words


def test_an_unknown_name_is_not_dropped_to_answer_the_other_words(index: SearchIndex) -> None:
    result = index.search("what did Rosenstein say about separations")
    assert result.hits == []
    assert result.missing == ["Rosenstein"]


def test_a_number_the_desk_does_not_contain_is_a_miss_not_a_correction(
    index: SearchIndex,
) -> None:
    result = index.search("how many parents 546")
    assert result.hits == [] and result.missing == ["546"] and result.corrections == []


def test_a_plain_word_the_desk_lacks_is_left_out_and_said(index: SearchIndex) -> None:
    result = index.search("cruelty toward toddlers")
    assert result.hits[0].item.id == "chairs-chaos-cruelty"
    assert result.relaxed
    assert result.dropped == result.missing == ["toddlers"]


def test_when_the_desk_lacks_most_of_a_question_it_is_a_miss(index: SearchIndex) -> None:
    result = index.search("cruelty of toddlers and infants")
    assert result.hits == []
    assert result.missing == ["toddlers", "infants"]


def test_what_are_we_waiting_for_lists_the_follow_ups_first(index: SearchIndex) -> None:
    kinds = [h.kind for h in index.search("what are we still waiting for?", limit=3).hits]
    assert kinds[:2] == ["followup", "followup"]


def test_a_partial_match_says_which_words_its_first_answer_leaves_out(
    index: SearchIndex,
) -> None:
    # Every word is in the desk, but no item has all three.
    result = index.search("cruelty prosecutions coordination")
    assert result.relaxed and result.hits
    top = result.hits[0].item
    assert result.dropped
    text = " ".join(getattr(top, "quote", "") or "" for _ in [0]).lower()
    for word in result.dropped:
        assert word not in text


def test_did_you_mean_only_offers_words_the_desk_contains(index: SearchIndex) -> None:
    result = index.search("sesions kind:figure")
    assert "sessions" in result.suggestions
    assert index.search("qqqqxxxx").suggestions == []


# --- words a desk treats alike -------------------------------------------------------------


def synonym_desk() -> SearchIndex:
    desk = make_desk(
        facts=[
            figure(),
            fact("removals", "The agency removed 2,000 people last year.", tags=("enforcement",)),
            fact("cruelty", "The chairs decried the cruelty of the policy."),
            fact("democratic-chairs", "Democratic chairs wrote to the department."),
            fact("children-count", "Hundreds of children were held.", kind="finding"),
        ],
        followups=[followup()],
    )
    groups = (("missing", "not located", "unaccounted for"), ("deported", "removed"))
    desk = desk.__class__(
        newsroom=desk.newsroom.__class__(
            desk.newsroom.name, desk.newsroom.timezone, synonyms=groups
        ),
        sources=desk.sources,
        facts=desk.facts,
        followups=desk.followups,
        reminders=desk.reminders,
    )
    return SearchIndex.build(desk)


def test_a_synonym_finds_the_words_the_desk_uses() -> None:
    index = synonym_desk()
    assert first(index, "how many parents are missing") == "parents-not-located"
    assert first(index, "how many were deported") == "removals"
    assert first(index, "deportations last year") == "removals"


def test_a_multi_word_synonym_finds_a_single_word_and_back() -> None:
    index = synonym_desk()
    assert first(index, "parents unaccounted for") == "parents-not-located"
    assert not index.search("parents unaccounted for").relaxed
    desk = make_desk(facts=[fact("missing", "Forty people are missing after the flood.")])
    plain = SearchIndex.build(desk)  # no synonyms on this desk: only "people" matches
    assert plain.search("people not located").dropped == ["not", "located"]


def test_stemming_joins_democrats_and_democratic_and_cruel_and_cruelty() -> None:
    index = synonym_desk()
    assert first(index, "democrats") == "democratic-chairs"
    assert first(index, "cruel") == "cruelty"
    assert first(index, "how cruel was the policy") == "cruelty"
    assert first(index, "child") == "children-count"


def test_word_forms_only_reach_words_the_desk_contains() -> None:
    desk = make_desk(facts=[fact("treated", "They were treated harshly.")], followups=[])
    index = SearchIndex.build(desk)
    assert index.search("cruel").hits == []
    assert index.search("cruel").missing == ["cruel"]
