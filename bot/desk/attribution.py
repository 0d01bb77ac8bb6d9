"""Who does a source text credit for some of its words? Pure functions over the text.

A newsroom's rule: quotation marks mean the exact words of the person named, as the source
credits them. This module reads a source the way an editor does:

- **Quotation marks.** Double quotes, straight or curly, and single quotes nested inside
  them. An apostrophe (``Sessions’ focus``) is not a quotation mark.
- **A credit in the same sentence.** A speech or finding verb with its subject ("X said",
  "said X", "the report finds", "X told", "according to X"), outside the quoted words. A
  verb such as "expected" or "promised" reports what someone did, not what they said, so it
  credits nobody. The nearest credit before the words wins, else the one after them.
- **Else the lead-in.** A list item's words belong to whoever its lead-in paragraph credits
  ("What they found: ... the report finds." above the bullets); a paragraph labelled
  "Our thought bubble, via X:" belongs to X.
- **Else silence.** Nothing credits the words, or only a pronoun does ("he said"): the
  caller asks the editor for evidence.

Each source's layout (paragraphs, list items, sentences, quotations) is computed once and
cached; a look-up is a bisect and a few regular expressions over one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.desk.speaker_names import names_agree
from bot.desk.text_layout import Block, TextLayout

__all__ = [
    "Credit",
    "Layout",
    "credited_speaker",
    "is_quoted",
    "layout_of",
    "names_agree",
    "near",
    "same_passage",
]

# Verbs that credit words to their subject; "saying", "expected", "promised", "revealed",
# "accused" do not (the chairs "said the report revealed "...""; the chairs' words).
_SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|wrote|writes|found|finds|concluded|concludes|"
    "noted|argued|argues|warned|warns|stated|explained|explains|acknowledged|acknowledges|"
    "insisted|insists|claimed|testified|testifies|announced|announces|declared|declares|"
    "replied|responded|asked|asks|recalled|admitted|admits|determined|observed|called|"
    "described|reported"
)


def _trie(words: list[str]) -> str:
    """An alternation factored by leading letters: re tries one branch per letter, not
    fifty (the verb scan is most of the time spent reading credits)."""
    if not words:
        return ""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[:1], []).append(word[1:])
    branches = []
    for first, rests in sorted(by_first.items()):
        ends = "" in rests
        rest = _trie([r for r in rests if r])
        if rest and ends:
            branches.append(f"{re.escape(first)}(?:{rest})?")
        elif rest:
            branches.append(f"{re.escape(first)}(?:{rest})")
        else:
            branches.append(re.escape(first))
    return "|".join(branches)


_VERB = re.compile(
    rf"\b(?:(?P<verb>{_trie(_SPEECH_VERBS.split('|'))})\b|(?P<according>[Aa]ccording to)\s+)"
)
# "called for", "called on": asking for something is not saying the quoted words.
_CALLED_FOR = re.compile(r"\s+(?:for|on|off|up)\b")
# Verbs that may come before their subject: '"...," said Mayor Ana Ruiz.'
_INVERTIBLE = frozenset(
    ["said", "says", "added", "adds", "wrote", "writes", "asked", "asks", "told", "replied"]
)
_BOUNDARY = re.compile(r"[,;:\"“”(\[—–]|\s-\s|\bthat\b")
_LEADING_JOINS = re.compile(r"^(?:and|but|while|as|so|then|also)\s+", re.IGNORECASE)
_DETERMINERS = frozenset(
    ["the", "a", "an", "our", "his", "her", "their", "its", "this", "these", "those"]
)
_QUESTION_WORDS = frozenset(
    ["what", "who", "whom", "which", "how", "why", "where", "when", "whether"]
)
_PRONOUNS = frozenset(
    ["he", "she", "they", "it", "we", "i", "you", "his", "her", "their", "its", "one"]
)
_WEEKDAYS = re.compile(
    r"^(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday)"
    r"\b\s*,?\s*",
)
_APPOSITIVE = re.compile(
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*),\s+(?P<role>[a-z][^,]*),\s*$"
)
_VIA = re.compile(r"\bvia\s+(?P<who>.+)$")
_MAX_SUBJECT_WORDS = 14
_CLOSED_QUOTE = re.compile(r"[\"”’'][,.!?]?\s*$|[,.!?][\"”’']\s*$")
_PHRASE_END = re.compile(r"[,;:.!?\"“”(—–\n]|\s-\s|\bthat\b")


@dataclass(frozen=True, slots=True)
class Credit:
    """Whom the source credits for some words, and where it says so.

    ``who`` is written as the source has it ("The OIG"); None when nothing credits the
    words. ``line`` and ``column`` (1-based) point at ``who`` in the source, or at the
    words themselves when the source is silent.
    """

    who: str | None
    line: int
    column: int
    how: str  # "said", "according to", "list lead-in", "label", "silent"
    pronoun: bool = False  # only a pronoun names the speaker ("he said")

    @property
    def certain(self) -> bool:
        """The text names someone; silence and bare pronouns need an editor's evidence."""
        return self.who is not None and not self.pronoun

    def __str__(self) -> str:
        if self.who is None:
            return f"nobody (source line {self.line})"
        return f"“{self.who}” (source line {self.line})"


@dataclass(frozen=True, slots=True)
class _Clause:
    at: int  # where the verb or "according to" starts
    who: str
    who_at: int
    how: str


class Layout(TextLayout):
    """A source's layout, with the speech clauses read from it (cached per stretch)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._clauses: dict[tuple[int, int, int, int], list[_Clause]] = {}

    def clauses(self, start: int, end: int, scan: tuple[int, int] | None = None) -> list[_Clause]:
        """Speech clauses in the stretch start..end (a sentence, say) whose verbs lie in
        ``scan`` (all of it by default), outside quotations opened inside the stretch."""
        scan = scan or (start, end)
        key = (start, end, *scan)
        if key not in self._clauses:
            self._clauses[key] = _clauses_in(self, start, end, scan)
        return self._clauses[key]

    def clause_for(self, start: int, end: int, span: tuple[int, int]) -> _Clause | None:
        """The credit for the words at ``span`` in the stretch start..end: the nearest one
        before them, else the first inside them (a paraphrase names its source), else the
        first after. Each part is scanned only if the one before found nothing."""
        before = self.clauses(start, end, (start, max(start, span[0])))
        if before:
            return before[-1]
        inside = self.clauses(start, end, (max(start, span[0]), min(end, span[1])))
        if inside:
            return inside[0]
        after = self.clauses(start, end, (min(end, span[1]), end))
        return after[0] if after else None


@lru_cache(maxsize=256)
def layout_of(text: str) -> Layout:
    """The layout of a source text, computed once per distinct text."""
    return Layout(text)


# --- public questions ------------------------------------------------------------------------


def is_quoted(source_text: str, span: tuple[int, int]) -> bool:
    """Whether the span lies inside one pair of quotation marks in the source."""
    start, end = _trim(source_text, span)
    return layout_of(source_text).quotation_around((start, end)) is not None


def credited_speaker(source_text: str, span: tuple[int, int]) -> Credit:
    """Whom the source credits for the words at ``span`` (offsets into ``source_text``)."""
    layout = layout_of(source_text)
    span = _trim(source_text, span)
    block_index = layout.block_index(span[0])
    block = layout.blocks[block_index]
    quote_index = layout.quotation_around(span)
    if quote_index is not None and layout.quotations[quote_index].parent is not None:
        # Words quoted inside a quotation: credited by the outer speaker's words.
        outer = layout.quotations[layout.quotations[quote_index].parent or 0]
        found = layout.clause_for(outer.open + 1, outer.close, span)
        if found is not None:
            return _credit(layout, found)
        line, column = layout.position(span[0])
        return Credit(None, line, column, "silent")
    sentence = _sentence_around(block, span)
    found = layout.clause_for(*sentence, span)
    if found is not None:
        return _credit(layout, found)
    return _from_structure(layout, block, span)


def same_passage(source_text: str, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether every span lies in one paragraph (a list item counts with its lead-in)."""
    layout = layout_of(source_text)
    indexes = {layout.block_index(_trim(source_text, span)[0]) for span in spans}
    if len(indexes) <= 1:
        return True
    items = [i for i in indexes if layout.blocks[i].item]
    if len(items) != 1:
        return False
    lead = layout.blocks[items[0]].lead
    return lead is not None and indexes == {items[0], lead}


def near(source_text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The stretch of source an editor reads around a span: its paragraph, the paragraph
    before it, and a list item's lead-in."""
    layout = layout_of(source_text)
    index = layout.block_index(_trim(source_text, span)[0])
    block = layout.blocks[index]
    first = index - 1 if index > 0 else index
    if block.lead is not None:
        first = min(first, block.lead)
    return layout.blocks[first].start, block.end


# --- reading the layout ------------------------------------------------------------------------


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentence_around(block: Block, span: tuple[int, int]) -> tuple[int, int]:
    """The sentences the span touches, as one stretch."""
    first = last = None
    for start, end in block.sentences:
        if end > span[0] and start < span[1]:
            first = start if first is None else first
            last = end
    if first is None or last is None:
        return block.body, block.end
    return first, last


def _outside_quotes(layout: Layout, start: int, end: int, scan: tuple[int, int]) -> list[int]:
    """Offsets (start, end, start, end, ...) of ``scan`` outside the quotations that open
    and close within start..end: the speaker's own words are never a credit, and long
    quotations need not be read for one."""
    edges = [scan[0]]
    for quote in layout.quotations_in(start, end):
        if quote.close > end + 1:
            continue  # runs past the stretch: not quoted words inside it
        if quote.open >= scan[1]:
            break
        if quote.close + 1 > edges[-1]:  # else nested in the one before: already left out
            edges += [max(edges[-1], quote.open), quote.close + 1]
    edges.append(scan[1])
    return edges


def _clauses_in(layout: Layout, start: int, end: int, scan: tuple[int, int]) -> list[_Clause]:
    text = layout.text
    edges = _outside_quotes(layout, start, end, scan)
    matches = [
        match
        for gap in range(0, len(edges), 2)
        if edges[gap] < edges[gap + 1]
        for match in _VERB.finditer(text, edges[gap], edges[gap + 1])
    ]
    clauses: list[_Clause] = []
    for match in matches:
        at = match.start()
        if match["according"]:
            who_at, who = _phrase_after(text, match.end(), end)
            if who:
                clauses.append(_Clause(at, who, who_at, "according to"))
            continue
        if match["verb"] == "called" and _CALLED_FOR.match(text, match.end(), end):
            continue
        clause = _subject_of(text, match, start, end)
        if clause is not None:
            clauses.append(clause)
    return clauses


def _subject_of(text: str, match: re.Match[str], start: int, end: int) -> _Clause | None:
    verb = match["verb"]
    before = text[start : match.start()]
    cut = 0
    for boundary in _BOUNDARY.finditer(before):
        cut = boundary.end()
    subject = before[cut:]
    if appositive := _APPOSITIVE.search(before):
        who = appositive["name"] + ", " + appositive["role"]
        return _Clause(match.start(), who, start + appositive.start("name"), verb)
    who = _tidy(subject)
    if who and _looks_like_subject(who):
        who_at = start + cut + len(subject) - len(subject.lstrip()) + _lead_len(subject)
        return _Clause(match.start(), who, who_at, verb)
    if not who and verb in _INVERTIBLE and _CLOSED_QUOTE.search(before):
        # '"...," said Mayor Ana Ruiz': only right after a quotation; "X, who voted no, said
        # the increase would ..." has no subject after its verb.
        who_at, after = _phrase_after(text, match.end(), end)
        after = _WEEKDAYS.sub("", after)
        if after and _looks_like_subject(after):
            return _Clause(match.start(), after, who_at, verb)
    return None


def _lead_len(subject: str) -> int:
    stripped = subject.lstrip()
    found = _LEADING_JOINS.match(stripped)
    return found.end() if found else 0


def _phrase_after(text: str, start: int, end: int) -> tuple[int, str]:
    """The noun phrase after "according to" or an inverted "said": up to a boundary."""
    while start < end and text[start].isspace():
        start += 1
    stop = end
    if found := _PHRASE_END.search(text, start, end):
        stop = found.start()
    phrase = text[start:stop].strip()
    if len(phrase.split()) > _MAX_SUBJECT_WORDS:
        return start, ""
    return start, phrase


def _tidy(subject: str) -> str:
    who = " ".join(subject.split())
    return _LEADING_JOINS.sub("", who).strip()


def _looks_like_subject(who: str) -> bool:
    words = who.split()
    if not words or len(words) > _MAX_SUBJECT_WORDS:
        return False
    first = words[0]
    if first.lower() in _QUESTION_WORDS:  # "What they found:" is a heading, not a credit
        return False
    if first.lower() in _DETERMINERS or first.lower() in _PRONOUNS:
        return True
    # "board chair Dr. Amira Haddad": a lower-case title before a name
    return any(word[0].isupper() for word in words)


def _credit(layout: Layout, clause: _Clause, how: str | None = None) -> Credit:
    line, column = layout.position(clause.who_at)
    pronoun = clause.who.split()[0].lower() in _PRONOUNS and len(clause.who.split()) == 1
    return Credit(clause.who, line, column, how or clause.how, pronoun)


def _label_credit(layout: Layout, block: Block) -> Credit | None:
    """ "Our thought bubble, via Axios' Stef Kight:" credits Axios' Stef Kight."""
    if block.label is None:
        return None
    start, end = block.label
    label = layout.text[start:end]
    if found := _VIA.search(label):
        clause = _Clause(start, found["who"].strip(), start + found.start("who"), "label")
        return _credit(layout, clause)
    for clause in layout.clauses(start, end):
        credit = _credit(layout, clause, "label")
        if credit.certain:
            return credit
    return None


def _lead_in_credit(layout: Layout, lead: Block) -> Credit | None:
    credit = _label_credit(layout, lead)
    if credit is not None and credit.certain:
        return Credit(credit.who, credit.line, credit.column, "list lead-in")
    for sentence in lead.sentences:
        for clause in layout.clauses(*sentence):
            found = _credit(layout, clause, "list lead-in")
            if found.certain:
                return found
    return None


def _from_structure(layout: Layout, block: Block, span: tuple[int, int]) -> Credit:
    """No credit in the sentence: the paragraph's label, else a list item's lead-in."""
    credit = _label_credit(layout, block)
    if credit is not None:
        return credit
    if block.item and block.lead is not None:
        credit = _lead_in_credit(layout, layout.blocks[block.lead])
        if credit is not None:
            return credit
    credit = _continued_quote(layout, block, span)
    if credit is not None:
        return credit
    line, column = layout.position(span[0])
    return Credit(None, line, column, "silent")


def _continued_quote(layout: Layout, block: Block, span: tuple[int, int]) -> Credit | None:
    """'"...," Whitfield said. "Nobody on this board wanted to do this."' A quotation that
    is a sentence of its own continues the speaker the sentence before it credits."""
    sentences = block.sentences
    index = next((i for i, (s, e) in enumerate(sentences) if s <= span[0] < e), None)
    if not index or layout.text[sentences[index][0]] not in '"“':
        return None
    clauses = layout.clauses(*sentences[index - 1])
    if not clauses:
        return None
    credit = _credit(layout, clauses[-1], "the sentence before")
    return credit if credit.certain else None
