"""The layout of a source text as an editor reads it: paragraphs and list items (each item
with its lead-in paragraph), labels ("What they found:"), sentences, and quotation marks.

Double quotes, straight or curly, pair within a paragraph; single quotes count only inside
them, and an apostrophe (``Sessions’ focus``, ``Axios' Stef Kight``) is never one. Offsets
point into the text as written; look-ups are bisects.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

_BULLET = re.compile(r"[ \t]*[•·*\-–—][ \t]+")
_LABEL = re.compile(r"(?P<label>[A-Z][^:.!?\"“”\n]{0,80}):[ \t]+(?=[A-Z\"“‘'])")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[A-Z\"“‘(•\d])")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "sgt",
        "jr",
        "sr",
        "inc",
        "co",
        "corp",
        "no",
        "vs",
        "u.s",
        "u.n",
        "d.c",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
_QUOTE_MARK = re.compile("[\"“”‘’']")
_OPEN_SINGLE_BEFORE = ' \t\n"“(—–'


@dataclass(frozen=True, slots=True)
class Quotation:
    open: int  # offset of the opening mark
    close: int  # offset of the closing mark (or the end of its paragraph, if unclosed)
    parent: int | None  # index of the quotation it is nested in


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph or a list item, as offsets into the source text."""

    start: int
    end: int
    body: int  # after the bullet and the label
    label: tuple[int, int] | None  # "What they found" in "What they found: ..."
    item: bool
    lead: int | None  # a list item's lead-in paragraph (index into Layout.blocks)
    sentences: tuple[tuple[int, int], ...]


class TextLayout:
    """Paragraphs, list items, sentences and quotations of one source text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks = read_blocks(text)
        self._block_starts = [b.start for b in self.blocks]
        quotations: list[Quotation] = []
        for block in self.blocks:
            quotations.extend(read_quotations(text, block.start, block.end, len(quotations)))
        self.quotations = quotations
        self._opens = [q.open for q in quotations]
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def block_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._block_starts, offset) - 1)

    def block_at(self, offset: int) -> Block:
        return self.blocks[self.block_index(offset)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def quotation_around(self, span: tuple[int, int]) -> int | None:
        """The innermost quotation whose marks enclose the span, by index."""
        floor = self.block_at(span[0]).start  # quotations never cross a paragraph
        index = bisect.bisect_right(self._opens, span[0]) - 1
        while index >= 0 and self._opens[index] >= floor:
            if span[1] <= self.quotations[index].close + 1:
                return index  # inner quotations open later: the first found is innermost
            index -= 1
        return None

    def quotations_in(self, start: int, end: int) -> list[Quotation]:
        """Quotations that open between two offsets."""
        first = bisect.bisect_left(self._opens, start)
        last = bisect.bisect_left(self._opens, end)
        return self.quotations[first:last]


def read_blocks(text: str) -> list[Block]:
    """Split a text into paragraphs and list items; find labels, lead-ins and sentences."""
    blocks: list[Block] = []
    lead: int | None = None
    for block_start, block_end, is_item in _raw_blocks(text):
        blocks.append(_block(text, block_start, block_end, is_item, lead if is_item else None))
        if not is_item:
            lead = len(blocks) - 1
    return blocks


def _raw_blocks(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is a list item) of each paragraph: a blank line, a bullet or a line
    break after the end of a sentence starts a new one; a hard-wrapped line runs on."""
    raw: list[tuple[int, int, bool]] = []
    start: int | None = None
    item = False
    for line_start, stripped, bullet, after_sentence in _lines(text):
        if start is not None and (not stripped or bullet or after_sentence):
            raw.append((start, line_start, item))
            start = None
        if start is None and stripped:
            start, item = line_start, bullet
    if start is not None:
        raw.append((start, len(text), item))
    return raw


def _lines(text: str) -> Iterator[tuple[int, str, bool, bool]]:
    """Each line's offset, its text stripped, whether it is a bullet, and whether the last
    line with text before it ended a sentence."""
    offset = 0
    last_char = ""
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        bullet = bool(stripped) and _BULLET.match(line) is not None
        yield offset, stripped, bullet, last_char in '.!?:"”’)'
        offset += len(line)
        last_char = stripped[-1:] or last_char


def _block(text: str, start: int, end: int, is_item: bool, lead: int | None) -> Block:
    end = start + len(text[start:end].rstrip())
    body = start + len(text[start:end]) - len(text[start:end].lstrip())
    if is_item and (marker := _BULLET.match(text, start)):
        body = marker.end()
    label = None
    if (found := _LABEL.match(text, body, end)) and len(found["label"].split()) <= 8:
        label, body = found.span("label"), found.end()
    return Block(start, end, body, label, is_item, lead, _sentences(text, body, end))


def _sentences(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """Sentence spans in text[start:end], never splitting inside a quotation."""
    pieces: list[tuple[int, int]] = []
    begin = start
    for match in _SENTENCE_END.finditer(text, start, end):
        before = text[begin : match.start() + 1]
        words = before.split()
        last_word = words[-1].rstrip(".").lower() if words else ""
        if last_word in _ABBREVIATIONS or not _balanced(before):
            continue
        pieces.append((begin, match.start() + 1))
        begin = match.end()
    if begin < end:
        pieces.append((begin, end))
    return tuple(pieces)


def _balanced(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("“") <= text.count("”")


def read_quotations(text: str, start: int, end: int, first_index: int) -> list[Quotation]:
    """Quotation marks in one paragraph: double (straight or curly), single inside double."""
    found: list[Quotation] = []
    stack: list[tuple[str, int, int]] = []  # (closing mark kind, open offset, index)
    for mark in _QUOTE_MARK.finditer(text, start, end):
        at, char = mark.start(), mark.group()
        kind = "double" if char in '"“”' else "single"
        top = stack[-1][0] if stack else None
        if _closes(text, at, end, kind, top):
            while stack and stack[-1][0] != kind:  # an unclosed single inside: drop it
                stack.pop()
            _, opened, index = stack.pop()
            found[index - first_index] = Quotation(opened, at, found[index - first_index].parent)
        elif _opens(text, at, start, end, kind, bool(stack)):
            index = first_index + len(found)
            found.append(Quotation(at, end, stack[-1][2] if stack else None))
            stack.append((kind, at, index))
    return found


def _closes(text: str, at: int, end: int, kind: str, top: str | None) -> bool:
    """Whether the mark at ``at`` closes the innermost open quotation."""
    char = text[at]
    if kind == "double":
        return top == "double" and char != "“"
    return top == "single" and char != "‘" and _ends_word(text, at, end)


def _opens(text: str, at: int, start: int, end: int, kind: str, inside: bool) -> bool:
    """Whether the mark opens a quotation: a single quote only inside a double one, before
    a word and after a space or a mark (so "Sessions’ focus" is an apostrophe)."""
    char = text[at]
    if kind == "double":
        return char != "”"
    if char == "’" or not inside or at + 1 >= end or not text[at + 1].isalnum():
        return False
    return at == start or text[at - 1] in _OPEN_SINGLE_BEFORE


def _ends_word(text: str, at: int, end: int) -> bool:
    return at + 1 >= end or not text[at + 1].isalnum()
