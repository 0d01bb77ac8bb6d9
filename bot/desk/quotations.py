"""Where a text puts words in quotation marks, and the sentence around a position.

Straight (``"``) and curly (``“ ”``) double quotes; a curly quote nested in another stays
part of the outer one, and single quotes inside are nested quotes, not new quotations. A
quotation may run across line breaks; one left open at a blank line ends there (a quote
that runs on into the next paragraph reopens with its own mark, as the style books have
it). Pure functions over a string: offsets point into it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_OPEN_CURLY, _CLOSE_CURLY, _STRAIGHT = "“", "”", '"'
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! or ? (maybe inside a closing quote) before white space and a
# capital, an opening quote or a bullet; not after a few abbreviations reporters use every day.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘(]?[A-Z0-9]|[•·*\-–—][ \t])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Jr|Sr|No|Jan|Feb|"
    r"Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Inc|Corp|Co|vs|Prof)\.)[\"”’]?$"
)


@dataclass(frozen=True, slots=True)
class Quotation:
    """Words a text puts in quotation marks: ``text[start:end]``, marks excluded."""

    start: int
    end: int
    words: str
    closed: bool = True

    @property
    def mark(self) -> int:
        """Offset of the opening quotation mark."""
        return self.start - 1


def quotations_in(text: str) -> Iterator[Quotation]:
    """Every outermost quotation in ``text``, in order."""
    for paragraph in _paragraph_spans(text):
        yield from _quotations_between(text, paragraph[0], paragraph[1])


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _PARAGRAPH.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


_MARK = re.compile(r"[“”\"]")


def _quotations_between(text: str, start: int, stop: int) -> Iterator[Quotation]:
    opened_at, opener, depth = -1, "", 0
    for found in _MARK.finditer(text, start, stop):  # only the marks: sources can be long
        index, char = found.start(), found.group()
        if opened_at < 0:
            if char in (_OPEN_CURLY, _STRAIGHT):
                opened_at, opener, depth = index, char, 1
            continue
        if opener == _STRAIGHT:
            if char == _STRAIGHT:
                yield _quotation(text, opened_at, index)
                opened_at = -1
            continue
        # Curly: nested curly quotes count; a straight one inside is a nested quote.
        depth += (char == _OPEN_CURLY) - (char == _CLOSE_CURLY)
        if depth == 0:
            yield _quotation(text, opened_at, index)
            opened_at = -1
    if opened_at >= 0 and stop > opened_at + 1:
        yield Quotation(opened_at + 1, stop, text[opened_at + 1 : stop], closed=False)


def _quotation(text: str, opened_at: int, closed_at: int) -> Quotation:
    return Quotation(opened_at + 1, closed_at, text[opened_at + 1 : closed_at])


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence(s) holding ``text[start:end]``; never past a paragraph."""
    para_start = max((m.end() for m in _PARAGRAPH.finditer(text, 0, start)), default=0)
    following = _PARAGRAPH.search(text, end)
    para_end = following.start() if following else len(text)
    sentence_start, sentence_end = para_start, para_end
    for match in _SENTENCE_END.finditer(text, para_start, para_end):
        mark_end = match.start() + (match.group()[0] in '"”’')
        if _ABBREVIATION.search(text, max(para_start, match.start() - 8), mark_end):
            continue
        if match.end() <= start:
            sentence_start = match.end()
        elif match.start() >= end:
            sentence_end = match.start() + len(match.group().rstrip())
            break
    return sentence_start, sentence_end


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def inside_quotation(quotations: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies within one of the (start, end) quotation spans."""
    return any(q_start <= start and end <= q_end for q_start, q_end in quotations)
