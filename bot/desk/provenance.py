"""Provenance: is a quote verbatim in its source text, and where?

A quote matches after Unicode NFKC, straight/curly quote folding, dash folding and
whitespace collapsing; nothing else is forgiven (not case, not a missing word). An
ellipsis ("..." or "…") joins fragments that must appear in order. Fragments match
whole words only, so "54" does not match inside "545".

Each source text is normalised once and cached with a map from normalised offsets
back to the original text, so spans always point into what the editor wrote.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz

from bot.desk import wordblocks

_QUOTE_FOLD = {ord(c): "'" for c in "‘’‚‛′"} | {ord(c): '"' for c in "“”„‟″"}
_DASH_FOLD = {ord(c): "-" for c in "‐‑‒–—―−﹘"}
_FOLD = _QUOTE_FOLD | _DASH_FOLD
# Marks that NFKC may compose with the character before them: keep them in one piece.
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a"
_PIECES = re.compile(
    rf"(?P<space>\s+)"
    # Printable ASCII words with single spaces between them are already normal: one
    # piece for a whole plain sentence keeps indexing and quote normalising fast.
    rf"|(?P<plain>[!-~]+(?: [!-~]+)*(?![{_COMBINING}]))"
    rf"|(?P<other>\S[{_COMBINING}]*)"
)
_ELLIPSIS = "..."


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A text after normalisation, with a map back to the original offsets.

    The map is a list of pieces: ``norm_starts[k]`` in the normalised text begins piece
    ``k``, which came from ``original[orig_starts[k]:orig_ends[k]]``. In a linear piece
    each character maps to one original character; otherwise the whole piece maps to
    the whole original stretch (a collapsed run of spaces, an expanded "…").
    """

    text: str
    norm_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    orig_ends: tuple[int, ...]
    linear: tuple[bool, ...]

    def original_start(self, index: int) -> int:
        k = bisect.bisect_right(self.norm_starts, index) - 1
        if self.linear[k]:
            return self.orig_starts[k] + index - self.norm_starts[k]
        return self.orig_starts[k]

    def original_end(self, index: int) -> int:
        """The original offset just after normalised character ``index - 1``."""
        k = bisect.bisect_right(self.norm_starts, index - 1) - 1
        if self.linear[k]:
            return self.orig_starts[k] + index - self.norm_starts[k]
        return self.orig_ends[k]


def _fold(piece: str) -> str:
    return unicodedata.normalize("NFKC", piece).translate(_FOLD)


def _build(text: str) -> NormalizedText:
    out: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    linear: list[bool] = []
    length = 0
    for match in _PIECES.finditer(text):
        piece = match.group()
        if match.lastgroup == "space":
            if not out or out[-1] == " ":  # no leading space, no double space
                continue
            folded = " "
        elif match.lastgroup == "plain":
            folded = piece  # printable ASCII is already normal
        else:
            folded = _fold(piece)
            if not folded:
                continue
        norm_starts.append(length)
        orig_starts.append(match.start())
        orig_ends.append(match.end())
        linear.append(len(folded) == len(piece))
        out.append(folded)
        length += len(folded)
    joined = "".join(out)
    if joined.endswith(" "):
        joined = joined[:-1]
    return NormalizedText(
        joined, tuple(norm_starts), tuple(orig_starts), tuple(orig_ends), tuple(linear)
    )


@lru_cache(maxsize=128)
def index_source(text: str) -> NormalizedText:
    """The normalised source with its offset map, computed once per distinct text."""
    return _build(text)


def normalize(text: str) -> str:
    """NFKC, curly quotes and dashes folded to ASCII, whitespace collapsed and trimmed."""
    if text.isascii():  # nothing to fold: only the spaces change (most quotes, 100,000 at a time)
        return " ".join(text.split())
    return _build(text).text


def fragments(quote: str) -> list[str]:
    """The normalised pieces of a quote that an ellipsis separates, empty ones dropped."""
    return [f.strip() for f in normalize(quote).split(_ELLIPSIS) if f.strip()]


def _is_word(char: str) -> bool:
    return char.isalnum()


def _find_whole(fragment: str, haystack: str, start: int, stop: int | None = None) -> int:
    """The first offset >= start where fragment occurs, ending by ``stop``, without cutting
    a word in two."""
    check_left, check_right = _is_word(fragment[0]), _is_word(fragment[-1])
    stop = len(haystack) if stop is None else stop
    at = haystack.find(fragment, start, stop)
    while at >= 0:
        end = at + len(fragment)
        left_ok = not (check_left and at > 0 and _is_word(haystack[at - 1]))
        right_ok = not (check_right and end < len(haystack) and _is_word(haystack[end]))
        if left_ok and right_ok:
            return at
        at = haystack.find(fragment, at + 1, stop)
    return -1


def _find_in_source(fragment: str, source: NormalizedText, start: int) -> int:
    """_find_whole in a source; a long one is looked up by its words instead of scanned
    (checking 100,000 quotes against 1.5 MB sources is otherwise quadratic)."""
    if len(source.text) < wordblocks.INDEX_MIN_CHARS:
        return _find_whole(fragment, source.text, start)
    return wordblocks.find_indexed(
        fragment, wordblocks.word_blocks(source.text), start, _find_whole
    )


def contains_whole(needle: str, text: str) -> bool:
    """Whether normalised ``needle`` occurs in normalised ``text`` as whole words."""
    return bool(needle) and _find_whole(needle, text, 0) >= 0


def locate_normalized(parts: list[str], source: NormalizedText) -> tuple[int, int] | None:
    """Like :func:`locate`, for fragments already normalised."""
    spans = locate_fragments(parts, source)
    return None if spans is None else (spans[0][0], spans[-1][1])


def locate_fragments(parts: list[str], source: NormalizedText) -> list[tuple[int, int]] | None:
    """The original span of each fragment, found in order; None if any is missing."""
    if not parts:
        return None
    cursor = 0
    spans = []
    for part in parts:
        at = _find_in_source(part, source, cursor)
        if at < 0:
            return None
        cursor = at + len(part)
        spans.append((source.original_start(at), source.original_end(cursor)))
    return spans


def locate(quote: str, source_text: str) -> tuple[int, int] | None:
    """The span of ``source_text`` that the quote covers, or None if it is not verbatim."""
    return locate_normalized(fragments(quote), index_source(source_text))


# A paragraph ends at a blank line, at a line break after the end of a sentence, and
# before a bulleted line; a hard-wrapped line that stops mid-sentence runs on.
_PARAGRAPH_BREAK = re.compile(
    r"\n[ \t]*\n\s*"
    r"|(?<=[.!?:\"”’)])[ \t]*\n\s*"
    r"|\n(?=[ \t]*[•·*\-–—][ \t])"
)
_TOKEN = re.compile(r"\w+|[^\w\s]")


def paragraph_of(source_text: str, span: tuple[int, int]) -> str:
    """The paragraph(s) around a span, as written in the source, bullets and all."""
    start, end = span
    para_start, para_end = 0, len(source_text)
    for match in _PARAGRAPH_BREAK.finditer(source_text):
        if match.end() <= start:
            para_start = match.end()
        elif match.start() >= end:
            para_end = match.start()
            break
    return source_text[para_start:para_end].strip()


def _first_missing(parts: list[str], source: NormalizedText) -> str:
    """The first fragment that cannot be found after the ones before it."""
    cursor = 0
    for part in parts:
        at = _find_in_source(part, source, cursor)
        if at < 0:
            return part
        cursor = at + len(part)
    return parts[0]


def _closest_normalized(target: str, source: NormalizedText) -> tuple[int, int] | None:
    """The normalised span most like ``target``, trimmed to the words the two share."""
    alignment = fuzz.partial_ratio_alignment(target, source.text)
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None
    # The alignment window is as long as the target; a passage with a word more or less
    # is longer or shorter, so look a little wider and trim to the shared words.
    margin = len(target) // 2 + 1
    lo = max(0, alignment.dest_start - margin)
    hi = min(len(source.text), alignment.dest_end + margin)
    words = list(_TOKEN.finditer(source.text, lo, hi))
    said = _TOKEN.findall(target)
    matcher = SequenceMatcher(None, said, [w.group() for w in words], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return _widen_to_words(source.text, alignment.dest_start, alignment.dest_end)
    first, last = blocks[0], blocks[-1]
    return words[first.b].start(), words[last.b + last.size - 1].end()


def _widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and _is_word(text[start - 1]):
        start -= 1
    while end < len(text) and _is_word(text[end]):
        end += 1
    return start, end


def closest_span(quote: str, source_text: str) -> tuple[int, int] | None:
    """The original span of the passage most like the quote (or its first missing part)."""
    source = index_source(source_text)
    parts = fragments(quote)
    if not parts or not source.text:
        return None
    found = _closest_normalized(_first_missing(parts, source), source)
    if found is None:
        return None
    return source.original_start(found[0]), source.original_end(found[1])


def closest_passage(quote: str, source_text: str) -> str:
    """The source passage most like the quote, for a hint when the quote is not verbatim."""
    span = closest_span(quote, source_text)
    return "" if span is None else source_text[span[0] : span[1]]


def explain_miss(quote: str, source_text: str) -> str:
    """What to tell an editor whose quote is not verbatim: where it departs, and the passage."""
    source = index_source(source_text)
    parts = fragments(quote)
    if not parts:
        return "write the words as they appear in the source"
    target = _first_missing(parts, source)
    if len(parts) > 1 and _find_in_source(target, source, 0) >= 0:
        return 'the parts joined by "..." are all in the source, but not in this order'
    found = _closest_normalized(target, source)
    if found is None:
        return "nothing in the source resembles it"
    written = source.text[found[0] : found[1]]
    if SequenceMatcher(None, _TOKEN.findall(target), _TOKEN.findall(written)).ratio() < 0.5:
        return "nothing in the source comes close: is it the right source, or a paraphrase?"
    passage = source_text[source.original_start(found[0]) : source.original_end(found[1])]
    line = source_text.count("\n", 0, source.original_start(found[0])) + 1
    difference = _first_difference(target, written)
    closest = f"closest passage (line {line} of the source): {' '.join(passage.split())}"
    return f"{difference}\n{closest}" if difference else closest


def _first_difference(said_text: str, written_text: str) -> str | None:
    said, written = _TOKEN.findall(said_text), _TOKEN.findall(written_text)
    matcher = SequenceMatcher(None, said, written, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        quoted, source = " ".join(said[a1:a2]), " ".join(written[b1:b2])
        if op == "replace":
            return f'the quote has "{quoted}" where the source has "{source}"'
        if op == "delete":
            return f'the quote has "{quoted}", which the source does not'
        if op == "insert":
            before = " ".join(written[max(0, b1 - 3) : b1])
            return f'the source has "{source}" after "{before}"'
    return None
