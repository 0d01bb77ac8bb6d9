"""Quotations in a draft, looked up in the desk's sources, and whom the draft credits.

Verbatim (after the same folding provenance forgives: Unicode forms, curly quotes, dashes,
spaces, plus the capital a quotation may gain at the start of a sentence and the comma or
period that house style puts inside the closing mark): ✓ when the source quotes those
words too, or an editor curated them as a quote. Verbatim but not a quotation in the
source (the publisher's own paraphrase): unverified. Close but changed: ✗ with the
source's words and the difference marked. Nothing close: unverified, never ✓.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from bot.desk import provenance, speakers
from bot.desk.draft_credit import credited_by_draft
from bot.desk.findings import Finding, Kind, Mark, Status, source_line
from bot.desk.model import Desk, Fact, Source
from bot.desk.quotations import Quotation, line_and_column, quotations_in

CLOSE_ENOUGH = 0.6  # share of words in common (difflib's ratio) for "close but changed"
RARE_WORDS = 8  # a quotation's rarest words vote for where in a source it could be
ALIGNMENTS = 3  # the best-voted places compared word by word, across all sources
COMMON_WORD = 50  # a word this frequent in a source says little about where a quote is
_WORD = re.compile(r"[^\W_]+")
_INDEX_WORD = re.compile(r"\w+")  # as _WORD, twice as fast; an underscore is rare in prose
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_EDGE = re.compile(r"^(?:\s|\.\.\.|…|[,;:])+|(?:\s|\.\.\.|…|[,;:.])+$")
_SINGLE_AS_QUOTE = re.compile(r"(?<![^\W_])['‘’]|['‘’](?![^\W_])")
_NO_SPACE_BEFORE = re.compile(r" ([,.;:!?)\]’”'])")


@dataclass(slots=True)
class _Source:
    """One source, normalised once, with its quotations and (when first needed) its words."""

    source: Source
    norm: provenance.NormalizedText
    quoted: tuple[tuple[int, int], ...]
    words: list[str] = field(default_factory=list)  # the normalised text's words, lowered
    starts: list[int] = field(default_factory=list)  # where each word starts in it
    where: dict[str, list[int]] = field(default_factory=dict)  # word -> its positions

    def index_words(self) -> None:
        if self.words or not self.norm.text:
            return
        text = self.norm.text
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters lower to two: keep offsets true
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        self.words = _INDEX_WORD.findall(lowered)
        self.starts = [match.start() for match in _INDEX_WORD.finditer(lowered)]
        where: defaultdict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(self.words):
            where[word].append(position)
        self.where = dict(where)

    def original(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        return self.norm.original_start(norm_start), self.norm.original_end(norm_end)

    def is_quoted(self, span: tuple[int, int]) -> bool:
        return any(start <= span[0] and span[1] <= end for start, end in self.quoted)


@dataclass(frozen=True, slots=True)
class _Close:
    source: _Source
    span: tuple[int, int]  # original offsets
    ratio: float
    passage: str  # the source's words there, spaces collapsed
    marked: tuple[tuple[Mark, str], ...] = ()


class QuoteIndex:
    """The desk's sources, ready for quotation look-ups."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.sources = [
            _Source(
                source,
                provenance.index_source(source.text),
                tuple((q.start, q.end) for q in quotations_in(source.text)),
            )
            for source in desk.sources.values()
        ]
        self._spans: dict[str, list[tuple[Fact, tuple[int, int]]]] = {}

    def check(self, text: str) -> list[Finding]:
        found = (self._check_one(text, q) for q in quotations_in(text))
        return [finding for finding in found if finding is not None]

    def _check_one(self, text: str, quotation: Quotation) -> Finding | None:
        words = _EDGE.sub("", quotation.words)
        if not _WORD.search(words):
            return None
        verbatim = self._verbatim(words)
        if verbatim is not None:
            return self._verbatim_finding(text, quotation, *verbatim)
        close = self._closest(words)
        if close is not None and close.ratio >= CLOSE_ENOUGH:
            return _changed_finding(text, quotation, close)
        message = "not found in the desk's sources"
        return _finding(text, quotation, "unverified", "quote", message)

    # --- verbatim -------------------------------------------------------------------------

    def _verbatim(self, words: str) -> tuple[_Source, tuple[int, int]] | None:
        """The source span the words are in; a source quoting them first."""
        first: tuple[_Source, tuple[int, int]] | None = None
        for variant in _variants(words):
            parts = provenance.fragments(variant)
            for indexed in self.sources:
                span = provenance.locate_normalized(parts, indexed.norm)
                if span is None:
                    continue
                fact = self.covering_fact(indexed.source, span)
                if indexed.is_quoted(span) or (fact is not None and fact.kind == "quote"):
                    return indexed, span
                first = first or (indexed, span)
        return first

    def _verbatim_finding(
        self, text: str, quotation: Quotation, indexed: _Source, span: tuple[int, int]
    ) -> Finding:
        source = indexed.source
        fact = self.covering_fact(source, span)
        quote_fact = fact if fact is not None and fact.kind == "quote" else None
        passage = " ".join(source.text[span[0] : span[1]].split())
        line = source_line(source, span[0])
        credited = credited_by_draft(text, quotation)
        if quote_fact is None and not indexed.is_quoted(span):
            found = _publishers_words(text, quotation, source, credited)
            speaker = source.publisher if found.status == "ok" else None
            return replace(found, desk=passage, source=source, source_line=line, speaker=speaker)
        desk_credit = (
            speakers.of_fact(quote_fact)
            if quote_fact is not None
            else speakers.of_source(self.desk, source, span)
        )
        found = _attributed(text, quotation, credited, desk_credit, source)
        return replace(
            found,
            desk=passage,
            source=source,
            source_line=line,
            fact_id=quote_fact.id if quote_fact is not None else None,
            speaker=desk_credit.shown if desk_credit is not None else None,
        )

    def covering_fact(self, source: Source, span: tuple[int, int]) -> Fact | None:
        """The curated fact whose quote covers this span of the source: a quote before a
        finding, then the shortest."""
        covering = [
            fact
            for fact, (start, end) in self._facts_in(source)
            if start <= span[0] and span[1] <= end
        ]
        covering.sort(key=lambda f: (f.kind != "quote", len(f.quote)))
        return covering[0] if covering else None

    def _facts_in(self, source: Source) -> list[tuple[Fact, tuple[int, int]]]:
        """Each fact of ``source`` with the span its quote covers (found once per source)."""
        if source.id not in self._spans:
            norm = provenance.index_source(source.text)
            found = []
            for fact in self.desk.facts:
                if fact.source == source.id:
                    span = provenance.locate_normalized(provenance.fragments(fact.quote), norm)
                    if span is not None:
                        found.append((fact, span))
            self._spans[source.id] = found
        return self._spans[source.id]

    # --- close but changed ----------------------------------------------------------------

    def _closest(self, words: str) -> _Close | None:
        """The passage of any source most like the words, from the few places where their
        rarest words line up."""
        said = _INDEX_WORD.findall(provenance.normalize(words).lower())
        votes: Counter[tuple[int, int]] = Counter()
        for number, indexed in enumerate(self.sources):
            indexed.index_words()
            for anchor, count in _votes(said, indexed.where):
                votes[number, anchor] = count
        best: _Close | None = None
        for (number, anchor), _ in votes.most_common(ALIGNMENTS):
            close = _align(said, self.sources[number], anchor)
            if close is not None and (best is None or close.ratio > best.ratio):
                best = close
        if best is None:
            return None
        return replace(best, marked=mark_difference(words, best.passage))


def _attributed(
    text: str,
    quotation: Quotation,
    draft_name: str | None,
    desk_credit: speakers.Credited | None,
    source: Source,
) -> Finding:
    """✓ verbatim, or ✗ when the draft credits the words to someone the desk does not."""
    if desk_credit is None:
        return _finding(text, quotation, "ok", "quote", f"verbatim, quoted by {source.publisher}")
    if draft_name is None or speakers.agrees(draft_name, desk_credit):
        return _finding(text, quotation, "ok", "quote", f"verbatim: {desk_credit.shown}")
    about = (
        " (whom the words are about)"
        if speakers.names_whom_it_is_about(draft_name, desk_credit)
        else ""
    )
    message = (
        f"verbatim, but the draft credits {draft_name}{about}; "
        f"the source credits {desk_credit.shown}"
    )
    return _finding(text, quotation, "mismatch", "attribution", message)


def _names_publisher(credited: str, source: Source) -> bool:
    """Whether the draft credits the words to the publication they are from ("Axios wrote")."""
    return bool(speakers.name_words(credited) & speakers.name_words(source.publisher))


def _variants(words: str) -> list[str]:
    """The words as written, with nested single quotes as double ones, and each with its
    first letter's case swapped (a quotation may start a sentence the source did not)."""
    variants = [words]
    nested = _SINGLE_AS_QUOTE.sub('"', words)
    if nested != words:
        variants.append(nested)
    for variant in list(variants):
        if variant[:1].isalpha():
            variants.append(variant[0].swapcase() + variant[1:])
    return variants


def _votes(said: list[str], where: dict[str, list[int]]) -> list[tuple[int, int]]:
    """The source word positions where most of the quotation's rarest words put its start,
    with how many do (a word found everywhere only votes when nothing rarer is there)."""
    present = sorted((len(where[w]), offset, w) for offset, w in enumerate(said) if w in where)
    rare = [p for p in present[:RARE_WORDS] if p[0] <= COMMON_WORD] or present[:2]
    votes: Counter[int] = Counter()
    for _, offset, word in rare:
        for position in where[word]:
            votes[position - offset] += 1
    return votes.most_common(ALIGNMENTS)


def _align(said: list[str], indexed: _Source, anchor: int) -> _Close | None:
    slack = max(2, len(said) // 4)
    lo, hi = max(0, anchor - slack), min(len(indexed.words), anchor + len(said) + slack)
    window = indexed.words[lo:hi]
    blocks = [b for b in SequenceMatcher(None, said, window, autojunk=False).get_matching_blocks()]
    blocks = [b for b in blocks if b.size]
    if not blocks:
        return None
    first, last = blocks[0], blocks[-1]
    start = max(lo, lo + first.b - first.a)  # cover quotation words before the first match
    end = min(hi, lo + last.b + last.size + (len(said) - last.a - last.size))
    norm_span = indexed.starts[start], indexed.starts[end - 1] + len(indexed.words[end - 1])
    span = indexed.original(*norm_span)
    passage = " ".join(indexed.source.text[span[0] : span[1]].split())
    ratio = SequenceMatcher(None, said, indexed.words[start:end], autojunk=False).ratio()
    return _Close(indexed, span, ratio, passage)


def mark_difference(said: str, written: str) -> tuple[tuple[Mark, str], ...]:
    """The source's words with the draft's changes marked, token by token."""
    ours, theirs = _TOKEN.findall(provenance.normalize(said)), _TOKEN.findall(written)
    matcher = SequenceMatcher(
        None, [t.lower() for t in ours], [t.lower() for t in theirs], autojunk=False
    )
    marked: list[tuple[Mark, str]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            marked.append(("same", _join(theirs[b1:b2])))
            continue
        if a2 > a1:
            marked.append(("draft", _join(ours[a1:a2])))
        if b2 > b1:
            marked.append(("source", _join(theirs[b1:b2])))
    return tuple(marked)


def changes(marked: tuple[tuple[Mark, str], ...]) -> list[str]:
    """``"brutality" where the source has "cruelty"``, one per change."""
    found: list[str] = []
    for k, (mark, words) in enumerate(marked):
        following = marked[k + 1] if k + 1 < len(marked) else None
        if mark == "draft" and following is not None and following[0] == "source":
            found.append(f'"{words}" where the source has "{following[1]}"')
        elif mark == "draft":
            found.append(f'"{words}", which the source does not have')
        elif mark == "source" and (k == 0 or marked[k - 1][0] != "draft"):
            found.append(f'the source has "{words}" here')
    return found


def _join(tokens: list[str]) -> str:
    return _NO_SPACE_BEFORE.sub(r"\1", " ".join(tokens))


def _changed_finding(text: str, quotation: Quotation, close: _Close) -> Finding:
    source = close.source.source
    described = changes(close.marked)[:3] or ["the words differ from the source"]
    message = "not verbatim: the draft has " + "; ".join(described)
    return replace(
        _finding(text, quotation, "mismatch", "quote", message),
        desk=close.passage,
        source=source,
        source_line=source_line(source, close.span[0]),
        marked=close.marked,
    )


def _publishers_words(
    text: str, quotation: Quotation, source: Source, credited: str | None
) -> Finding:
    """The source's own words, not a quotation in it: fine when the draft credits the
    publisher, unverified otherwise."""
    if credited is not None and _names_publisher(credited, source):
        return _finding(text, quotation, "ok", "quote", f"verbatim: {source.publisher}")
    message = (
        f"these are {source.publisher}'s own words, not a quotation in the source: "
        "quote them as the publisher's paraphrase, or find the speaker's words"
    )
    return _finding(text, quotation, "unverified", "quote", message)


def _finding(text: str, quotation: Quotation, status: Status, kind: Kind, message: str) -> Finding:
    line, column = line_and_column(text, quotation.mark)
    end = quotation.end + 1 if quotation.closed else quotation.end
    words = " ".join(text[quotation.mark : end].split())
    return Finding(status, kind, quotation.mark, end, line, column, words, message)
