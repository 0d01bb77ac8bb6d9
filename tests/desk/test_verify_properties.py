"""Properties of the draft checker over every passage of the sources it knows.

Any verbatim passage of a source, wrapped in quotation marks, is never ✗; any one-word change
inside it (that does not happen to be verbatim elsewhere) is never ✓.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.desk import provenance
from bot.desk.load import check_file
from bot.desk.model import Source
from bot.desk.verify import DraftChecker
from tests.desk.files import FACTS, FIXTURES

TODAY = date(2021, 2, 1)
_WORD = re.compile(r"[^\W_]+")


def _checker() -> DraftChecker:
    desk, problems = check_file(FACTS)
    assert desk is not None and not problems
    extra = {}
    for name in ("water", "city_budget"):
        text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
        extra[name] = Source(name, name, "Gazette", date(2024, 3, 1), f"{name}.txt", text)
    return DraftChecker(replace(desk, sources={**desk.sources, **extra}))


CHECKER = _checker()
SOURCES = [s.text for s in CHECKER.desk.sources.values()]


@st.composite
def passages(draw: st.DrawFn, min_words: int = 1) -> str:
    """A run of whole words from one paragraph of a source, as the source writes it, with
    its double quotes turned into single ones (how a writer nests a quotation)."""
    text = draw(st.sampled_from(SOURCES))
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text) if len(_WORD.findall(p)) >= min_words]
    paragraph = draw(st.sampled_from(paragraphs))
    words = list(_WORD.finditer(paragraph))
    count = draw(st.integers(min_words, min(30, len(words))))
    first = draw(st.integers(0, len(words) - count))
    passage = paragraph[words[first].start() : words[first + count - 1].end()]
    return passage.replace('"', "'").replace("“", "‘").replace("”", "’")


def quote_findings(draft: str) -> list[str]:
    report = CHECKER.check(draft, TODAY)
    return [f.status for f in report.findings if f.kind in {"quote", "attribution"}]


def verbatim_somewhere(words: str) -> bool:
    """Whether the words (in either case of their first letter) are in some source."""
    variants = {words, words[:1].swapcase() + words[1:]}
    return any(provenance.locate(v, text) is not None for v in variants for text in SOURCES)


@given(passages(), st.sampled_from(['"{}"', "“{}”", 'She read "{}," and left.']))
def test_a_verbatim_passage_in_quotation_marks_is_never_a_mismatch(
    passage: str, wrapping: str
) -> None:
    draft = "The story has " + wrapping.format(passage) + " in it."
    report = CHECKER.check(draft, TODAY)

    assert not [f for f in report.findings if f.status == "mismatch"], report.findings
    assert len(quote_findings(draft)) == 1


@given(passages(min_words=4), st.data())
def test_a_one_word_change_inside_a_verbatim_passage_is_never_verified(
    passage: str, data: st.DataObject
) -> None:
    words = list(_WORD.finditer(passage))
    target = words[data.draw(st.integers(0, len(words) - 1))]
    replacement = data.draw(st.from_regex(r"[a-z]{2,10}", fullmatch=True))
    assume(replacement.casefold() != target.group().casefold())
    changed = passage[: target.start()] + replacement + passage[target.end() :]
    assume(not verbatim_somewhere(changed.replace("'", '"')) and not verbatim_somewhere(changed))

    statuses = quote_findings(f'The story has "{changed}" in it.')

    assert statuses and "ok" not in statuses
