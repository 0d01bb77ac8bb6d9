"""Provenance: what counts as verbatim, where it is, and what a miss tells the editor."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.desk.provenance import (
    closest_passage,
    explain_miss,
    index_source,
    locate,
    normalize,
    paragraph_of,
)
from tests.desk.files import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")


def found(quote: str, source: str = SEED_TEXT) -> str | None:
    """The original text a quote covers, or None."""
    span = locate(quote, source)
    return None if span is None else source[span[0] : span[1]]


def test_normalize_folds_only_what_design_forgives() -> None:
    folded = normalize("  “Zero\u00a0tolerance”  —\n‘policy’…  ")
    assert folded == "\"Zero tolerance\" - 'policy'..."
    assert normalize("ﬁle ＡＢＣ") == "file ABC"  # NFKC: ligature and full-width letters
    assert normalize("Case Stays") == "Case Stays"


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_a_quote_normalises_as_its_source_does(text: str) -> None:
    """Quotes take a short cut for ASCII; it must agree with the source's full mapping,
    or a verbatim quote with a tab or a double space would be reported as a misquote."""
    assert normalize(text) == index_source(text).text


def test_curly_and_straight_quotes_match_each_other() -> None:
    assert found('DOJ watchdog report underscores chaos of "zero tolerance"') == (
        "DOJ watchdog report underscores chaos of “zero tolerance”"
    )
    assert found("The report clearly chronicles Sessions' focus") == (
        "The report clearly chronicles Sessions’ focus"
    )
    source = 'He said "no" twice.'
    assert found("He said “no” twice.", source) == source


def test_em_dash_matches_a_hyphen_and_spans_the_original_text() -> None:
    assert found("aware of challenges - including a lack of coordination") == (
        "aware of challenges — including a lack of coordination"
    )


def test_whitespace_is_collapsed_across_lines_and_runs() -> None:
    source = "The mayor said the plan\n   was   final,\tand left."
    assert found("the plan was final, and left.", source) == "the plan\n   was   final,\tand left."


def test_ellipsis_joins_fragments_in_order() -> None:
    span_text = found("At least 545 parents ... could not be located as of October.")
    assert span_text is not None
    assert span_text.startswith("At least 545 parents separated")
    assert span_text.endswith("could not be located as of October.")
    assert found("At least 545 parents…could not be located") is not None


def test_ellipsis_fragments_out_of_order_are_a_miss() -> None:
    quote = "could not be located as of October ... At least 545 parents"
    assert locate(quote, SEED_TEXT) is None
    assert "not in this order" in explain_miss(quote, SEED_TEXT)


def test_a_one_word_change_is_a_miss_with_the_closest_passage() -> None:
    quote = "the chaos, brutality, and reckless disregard for vulnerable children"
    assert locate(quote, SEED_TEXT) is None
    assert closest_passage(quote, SEED_TEXT) == (
        "the chaos, cruelty, and reckless disregard for vulnerable children"
    )
    hint = explain_miss(quote, SEED_TEXT)
    assert 'the quote has "brutality" where the source has "cruelty"' in hint
    assert "line 21 of the source" in hint


def test_a_dropped_word_is_named_in_the_hint() -> None:
    quote = "The White House did not respond to a request for comment."
    assert locate(quote, SEED_TEXT) is None
    assert 'the source has "immediately"' in explain_miss(quote, SEED_TEXT)


def test_case_and_partial_words_are_not_forgiven() -> None:
    assert locate("the white house did not immediately respond", SEED_TEXT) is None
    assert locate("At least 54 parents", SEED_TEXT) is None  # 545 is not 54
    assert locate("east 545 parents", SEED_TEXT) is None  # nor "least" east


def test_unrelated_text_is_told_apart_from_a_near_miss() -> None:
    hint = explain_miss("weather in paris was mild all week long", SEED_TEXT)
    assert "nothing in the source comes close" in hint


def test_an_empty_quote_or_bare_ellipsis_matches_nothing() -> None:
    assert locate("", SEED_TEXT) is None
    assert locate(" ... ", SEED_TEXT) is None


def test_paragraph_of_gives_the_bullet_around_a_quote() -> None:
    span = locate("did not immediately respond", SEED_TEXT)
    assert span is not None
    assert paragraph_of(SEED_TEXT, span) == (
        "• The White House did not immediately respond to a request for comment."
    )


def test_paragraph_of_runs_over_hard_wrapped_lines() -> None:
    source = "Intro line.\n\nThe mayor said the plan\nwas final and\nwould not change.\n\nEnd."
    span = locate("was final", source)
    assert span is not None
    assert paragraph_of(source, span) == "The mayor said the plan\nwas final and\nwould not change."


_WORD_RUNS = [m.start() for m in re.finditer(r"(?<!\S)\S", SEED_TEXT)]


@given(st.integers(0, len(_WORD_RUNS) - 2), st.integers(1, 25))
def test_any_run_of_whole_words_from_the_seed_is_found_where_it_is(start: int, size: int) -> None:
    begin = _WORD_RUNS[start]
    end_index = min(start + size, len(_WORD_RUNS) - 1)
    excerpt = SEED_TEXT[begin : _WORD_RUNS[end_index]].strip()
    span = locate(excerpt, SEED_TEXT)
    assert span is not None
    assert normalize(SEED_TEXT[span[0] : span[1]]) == normalize(excerpt)


@pytest.mark.parametrize("quote", ["single-minded focus", "U.S.-Mexico border", "Omarínez/AFP"])
def test_punctuated_and_accented_words_are_found(quote: str) -> None:
    assert found(quote) == quote
