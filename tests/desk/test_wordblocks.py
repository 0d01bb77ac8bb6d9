"""Looking fragments up in long sources by their words gives what a full scan gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.desk import wordblocks
from bot.desk.provenance import locate

# Few, overlapping words and some punctuation: many repeats, and words inside words.
_TOKENS = ["ab", "abc", "b", "ca", "545", "54", " ", " ", " ", ", ", ". ", "-", "é", "\n"]


def _is_word(char: str) -> bool:
    return char.isalnum()


def scan(fragment: str, text: str, start: int, stop: int) -> int:
    """The slow, obvious reference: every offset, whole words only."""
    for at in range(start, stop - len(fragment) + 1):
        end = at + len(fragment)
        if text.startswith(fragment, at) and not (
            (_is_word(fragment[0]) and at > 0 and _is_word(text[at - 1]))
            or (_is_word(fragment[-1]) and end < len(text) and _is_word(text[end]))
        ):
            return at
    return -1


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=300),
    st.integers(2, 40),
    st.data(),
)
def test_the_lookup_finds_the_first_whole_word_match_a_scan_finds(
    tokens: list[str], size: int, data: st.DataObject
) -> None:
    text = "".join(tokens)
    blocks = wordblocks.build(text, size)
    first = data.draw(st.integers(0, len(text) - 1))
    fragment = data.draw(
        st.one_of(
            st.just(text[first : first + data.draw(st.integers(1, 30))]),
            st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=6).map("".join),
        )
    )
    start = data.draw(st.integers(0, len(text)))
    expected = scan(fragment, text, start, len(text))
    assert wordblocks.find_indexed(fragment, blocks, start, scan) == expected


def test_a_long_source_is_searched_by_its_words_and_answers_as_a_short_one() -> None:
    filler = "Officials said the review of records continued in the county office. "
    source = (
        "The figure was 545 parents. "
        + filler * (wordblocks.INDEX_MIN_CHARS // len(filler) + 50)
        + "Later the count fell to 54 parents... then rose again."
    )
    assert len(source) > wordblocks.INDEX_MIN_CHARS
    assert locate("545 parents", source) == (15, 26)
    later = source.index("54 parents")
    assert locate("54 parents", source) == (later, later + len("54 parents"))
    assert locate("The figure was ... fell to 54 parents", source) == (0, later + 10)
    assert locate("fell to 54 parents ... The figure was", source) is None
    assert locate("the county office. Later the count", source) is not None
    assert locate("the county offic", source) is None
