"""Understanding a question typed the way a reporter talks.

``parse_query("how many parents were not located?")`` keeps the words that say what the
question is about (parents, not, located) and what it asks for (a figure); question words,
auxiliaries and filler ("how", "what did", "is there", "tell me") need not match. Possessives
and contractions reduce to their word (``DOJ's`` -> doj, ``Sessions'`` -> sessions, ``what's``
-> what). Numbers, names and "quoted phrases" are never left out to find a partial match.

Pure and desk-independent: the search index adds the desk's synonyms and word forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

MAX_QUERY_CHARS = 500
FILTER_KEYS = ("kind", "tag", "by", "source", "story")
# What a question can ask for, beyond the item kinds: "dated" is any item that names a date.
DATED = "dated"

_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"[0-9]+")
_PIECE = re.compile(
    r'(?P<key>\b(?:kind|tag|by|source|story)):(?P<value>"[^"]*"?|\S*)'
    r'|"(?P<phrase>[^"]*)"?'
    r'|(?P<chunk>[^\s"]+)',
    re.IGNORECASE,
)
# Curly and typographic quotation marks, as Slack clients and word processors type them.
_DOUBLE_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»＂", '"') | dict.fromkeys("‘’‛′", "'"))
_CONTRACTIONS = (
    (re.compile(r"\bwon't\b", re.IGNORECASE), "will not"),
    (re.compile(r"\bcan't\b", re.IGNORECASE), "can not"),
    (re.compile(r"n't\b", re.IGNORECASE), " not"),
    # 's, 're, 've, 'll, 'd, 'm, and the bare apostrophe of "Sessions'" reduce to the word.
    (re.compile(r"'(?:s|re|ve|ll|d|m)?(?=\W|$)", re.IGNORECASE), ""),
)


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


QUESTION_WORDS = _set("how what whats which who whom whose when where why")
AUXILIARIES = _set(
    "is are was were be been being am do does did done has have had having "
    "can could will would should shall must might"
)
FILLER = _set("""
    a an the this that these those there here it its they them their he she him her his
    i me my we us our you your of to in on at for from by with about into over as and or
    any some anything something everything please just tell show give
    know get got look let see info information regarding re us ok okay hey most
    anyone anybody someone somebody
    happen happened happening thing things else also does toward towards upon than then
    so such very really
    """)
_ASKING = QUESTION_WORDS | AUXILIARIES | FILLER
# Words that only steer what kind of item answers: they are dropped, never searched.
_FIGURE_WORDS = _set("many much")
_FIGURE_AFTER_WHAT = _set("number percentage percent share proportion amount")
_FIGURE_AFTER_HOW = _set("large big high")
_SAY_WORDS = _set("say said says saying tell told think thinks thought claim claimed")
_QUOTE_WORDS = _set("quote quotes quoted quotation quotations")
_REPLY_VERBS = _set(
    "respond responded responding comment commented commenting reply replied answer answered "
    "react reacted"
)
_FINDING_WORDS = _set("find found finds finding findings conclude concluded conclusion")
_FOLLOWUP_WORDS = _set("followup followups waiting pending outstanding unanswered")
_FOLLOW_UP = re.compile(r"\bfollow-up", re.IGNORECASE)
_DATE_AFTER_WHAT = _set("date day year month time")
# Any of these makes a question worth a closer look.
_SHAPING = (
    _ASKING
    | _FIGURE_WORDS
    | _FIGURE_AFTER_WHAT
    | _FIGURE_AFTER_HOW
    | _SAY_WORDS
    | _QUOTE_WORDS
    | _REPLY_VERBS
    | _FINDING_WORDS
    | _FOLLOWUP_WORDS
    | _DATE_AFTER_WHAT
)


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to match: a word, a "quoted phrase", or a chunk such as U.S.-Mexico."""

    words: tuple[str, ...]
    quoted: bool = False
    name: bool = False  # typed as a name (capitalised, or who in "what did X say")
    optional: bool = False  # "respond" in "did X respond": helps, need not match
    shown: str = ""  # as typed, for replies: "Rosenstein"
    # Other ways the desk says it (its synonyms, related word forms), set by the index.
    also: tuple[tuple[str, ...], ...] = ()
    loose: bool = False  # several typed words joined by a synonym: near each other, any order

    @property
    def is_number(self) -> bool:
        """545, or 2.50 and 61,000 (one chunk, digits only)."""
        return all(_NUMBER.fullmatch(word) for word in self.words)

    @property
    def strong(self) -> bool:
        """Numbers, names and quoted phrases: never left out to find a partial match."""
        return self.quoted or self.name or self.is_number

    @property
    def fuzzable(self) -> bool:
        word = self.words[0]
        return len(self.words) == 1 and not self.quoted and not self.is_number and len(word) >= 4

    @property
    def label(self) -> str:
        return self.shown or " ".join(self.words)

    def fts(self) -> str:
        """FTS5 syntax. Words hold only letters and digits, so quoting them is a complete
        escape: user text never reaches the query language."""
        main = _near(self.words) if self.loose else '"' + " ".join(self.words) + '"'
        if not self.also:
            return main
        return "(" + " OR ".join([main, *(_near(form) for form in self.also)]) + ")"


def _near(words: tuple[str, ...]) -> str:
    if len(words) == 1:
        return f'"{words[0]}"'
    return "NEAR(" + " ".join(f'"{w}"' for w in words) + ", 3)"


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    filters: dict[str, tuple[str, ...]]
    # Kinds to show first, best first: item kinds, "followup", or DATED.
    prefer: tuple[str, ...] = ()
    filler: tuple[str, ...] = ()  # words taken as question words or filler


def is_filler(word: str) -> bool:
    """A folded word that only asks ("what", "did", "the"): a question drops it."""
    return word in _ASKING


def clean_query(text: str) -> str:
    """Cap the length and turn control and format characters into spaces."""
    text = text[:MAX_QUERY_CHARS]
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def fold(text: str) -> str:
    """Casefold and drop accents, as FTS5's unicode61 tokenizer does."""
    if text.isascii():
        return text.lower()  # nothing to decompose; most indexed text takes this path
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def reduce_apostrophes(chunk: str) -> str:
    """``DOJ's`` -> ``DOJ``, ``Sessions'`` -> ``Sessions``, ``didn't`` -> ``did not``."""
    if "'" not in chunk:
        return chunk
    for pattern, replacement in _CONTRACTIONS:
        chunk = pattern.sub(replacement, chunk)
    return chunk


def parse_query(text: str) -> ParsedQuery:
    """Words, phrases and filters, then the question's shape: what it asks for, and which
    words were only there to ask."""
    terms, filters = _pieces(clean_query(text).translate(_DOUBLE_QUOTES))
    frozen = {k: tuple(v) for k, v in filters.items()}
    if not terms:
        return ParsedQuery((), frozen)
    return _shape(terms, frozen)


def _pieces(text: str) -> tuple[list[Term], dict[str, list[str]]]:
    terms: list[Term] = []
    filters: dict[str, list[str]] = {}
    for match in _PIECE.finditer(text):
        if match.group("key") is not None:
            value = match.group("value").strip('"').strip().casefold()
            if value:
                filters.setdefault(match.group("key").casefold(), []).append(value)
        elif match.group("phrase") is not None:
            words = tuple(words_of(match.group("phrase")))
            if words:
                terms.append(Term(words, quoted=True, shown=match.group("phrase").strip()))
        else:
            terms.extend(_chunk_terms(match.group("chunk"), first=not terms))
    return terms, filters


def _chunk_terms(chunk: str, first: bool) -> list[Term]:
    reduced = reduce_apostrophes(chunk)
    if "-" in reduced:
        reduced = _FOLLOW_UP.sub("followup", reduced)
    out: list[Term] = []
    for part in reduced.split():
        words = tuple(words_of(part))
        if not words:
            continue
        shown = part.strip(".,;:!?()[]{}")
        out.append(Term(words, name=_looks_like_name(shown, first and not out), shown=shown))
    return out


def _looks_like_name(shown: str, first: bool) -> bool:
    """Capitalised mid-sentence (Horowitz) or in capitals (DOJ, HHS)."""
    if shown.islower() or not shown[:1].isupper():  # most words: nothing more to look at
        return False
    letters = [ch for ch in shown if ch.isalpha()]
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):
        return True
    return not first and fold(shown) not in _ASKING


# --- the shape of a question ---------------------------------------------------------------


@dataclass(slots=True)
class _Shape:
    words: list[str]  # the single unquoted words, folded ("" for anything else)
    drop: set[int]  # positions that only ask
    prefer: list[str]
    names: set[int]  # positions in a speaker slot: "what did X say"
    optional: set[int]

    def want(self, *kinds: str) -> None:
        self.prefer.extend(k for k in kinds if k not in self.prefer)

    def marked(self, n: int, term: Term) -> Term:
        if n in self.optional:
            return replace(term, optional=True, name=False)
        return replace(term, name=True) if n in self.names else term


def _shape(terms: list[Term], filters: dict[str, tuple[str, ...]]) -> ParsedQuery:
    words = [t.words[0] if len(t.words) == 1 and not t.quoted else "" for t in terms]
    if _SHAPING.isdisjoint(words):  # plain words, as most searches are: nothing to undo
        return ParsedQuery(tuple(terms), filters)
    shape = _Shape(words, set(), [], set(), set())
    _figure_shape(shape)
    _quote_shape(shape)
    _date_shape(shape)
    _finding_shape(shape)
    _followup_shape(shape)
    kept, filler = _split(terms, shape)
    if not any(not t.optional for t in kept):
        return _only_optional(terms, filters, shape, kept, filler)
    return ParsedQuery(tuple(kept), filters, tuple(shape.prefer), tuple(filler))


def _only_optional(
    terms: list[Term],
    filters: dict[str, tuple[str, ...]],
    shape: _Shape,
    kept: list[Term],
    filler: list[str],
) -> ParsedQuery:
    """No term a search needs: "did they respond", where the verb is all there is to
    search, or only question words ("what is it"), where what was typed is searched."""
    if not kept and shape.prefer:  # "what are we still waiting for": every follow-up
        return ParsedQuery((), filters, tuple(shape.prefer), tuple(filler))
    if not kept:
        return ParsedQuery(tuple(terms), filters)
    kept = [replace(t, optional=False) for t in kept]
    return ParsedQuery(tuple(kept), filters, tuple(shape.prefer), tuple(filler))


def _split(terms: list[Term], shape: _Shape) -> tuple[list[Term], list[str]]:
    """The terms a search needs, and the words that only asked."""
    kept: list[Term] = []
    filler: list[str] = []
    for n, term in enumerate(terms):
        if n in shape.drop or (shape.words[n] and shape.words[n] in _ASKING):
            filler.append(term.label)
        else:
            kept.append(shape.marked(n, term))
    return kept, filler


def _figure_shape(shape: _Shape) -> None:
    for n in range(len(shape.words)):
        if _asks_figure(shape.words, n):
            shape.drop.add(n)
            shape.want("figure")


def _asks_figure(words: list[str], n: int) -> bool:
    """how many, how much, what number, what percentage, how large, the number of ..."""
    word, before = words[n], words[n - 1] if n else ""
    after = words[n + 1] if n + 1 < len(words) else ""
    return (
        word in _FIGURE_WORDS
        or (word in _FIGURE_AFTER_WHAT and (before in {"what", "the"} or after == "of"))
        or (word in _FIGURE_AFTER_HOW and before == "how")
    )


def _quote_shape(shape: _Shape) -> None:
    words = shape.words
    for n, word in enumerate(words):
        if word in _QUOTE_WORDS or word in _SAY_WORDS:
            shape.drop.add(n)
            shape.want("quote", "statement")
            if n and word in _SAY_WORDS:
                _mark_speaker(shape, n)


def _mark_speaker(shape: _Shape, verb: int) -> None:
    """In "what did the DOJ say" or "did Horowitz respond", the words between the auxiliary
    and the verb are who: a name, so a desk without them answers with an honest miss."""
    words = shape.words
    start = next((k for k in range(verb - 1, -1, -1) if words[k] in AUXILIARIES), None)
    if start is None:
        return
    for k in range(start + 1, verb):
        if words[k] and words[k] not in FILLER and not _NUMBER.fullmatch(words[k]):
            shape.names.add(k)


def _date_shape(shape: _Shape) -> None:
    words = shape.words
    for n, word in enumerate(words):
        if word == "when":
            shape.want(DATED)
        elif word in _DATE_AFTER_WHAT and n and words[n - 1] in {"what", "which"}:
            shape.drop.add(n)
            shape.want(DATED)


def _finding_shape(shape: _Shape) -> None:
    """ "what did the inspector general find": the findings first."""
    for n, word in enumerate(shape.words):
        if word in _FINDING_WORDS:
            shape.drop.add(n)
            shape.want("finding")


def _followup_shape(shape: _Shape) -> None:
    words = shape.words
    asks = bool(words) and words[0] in AUXILIARIES
    for n, word in enumerate(words):
        if word in _REPLY_VERBS and asks:
            shape.optional.add(n)
            shape.want("followup")
            _mark_speaker(shape, n)
        elif word in _FOLLOWUP_WORDS:
            shape.drop.add(n)
            if n and word == "waiting" and words[n - 1] == "still":
                shape.drop.add(n - 1)  # "what are we still waiting for"
            shape.want("followup")
