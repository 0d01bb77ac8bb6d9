"""Words a desk treats alike: the synonyms its editors list, and forms of a word that the
index's Porter stemmer keeps apart.

The index stems with SQLite's ``porter`` tokenizer, which already joins "Democrats" with
"Democratic" and "separated" with "separations". It keeps "cruel" and "cruelty" (cruel,
cruelti), "child" and "children" apart; so does the Snowball English stemmer. Here we stem
with the same Porter algorithm (PyStemmer), then take the few derivational steps it leaves
out, and search the desk's own words that land on the same root too. A word only ever
reaches words the desk contains, so a loose rule can add a match, never invent one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace

import Stemmer

from bot.desk.question import Term, is_filler, words_of

# Porter stems that are one word to a reader.
_IRREGULAR = {
    "children": "child",
    "women": "woman",
    "men": "man",
    "peopl": "person",
    "respons": "respond",
    "buse": "bu",
}
# Endings Porter keeps (cruelti, cruelli, penalti): their last two letters go, when at
# least four remain. ("-iti" is left alone: authority is not author.)
_ENDINGS = ("elti", "alti", "li")
_MIN_ROOT = 4
_MAX_FORMS = 6
_CACHE_LIMIT = 8192


class Stems:
    """Porter stems, cached. PyStemmer objects are not safe to share between threads."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("porter")
        self._lock = threading.Lock()
        self._cache: dict[str, str] = {}

    def __getstate__(self) -> dict[str, object]:
        return {}  # a compiled desk keeps no stemmer (a C object) and no lock: made anew

    def __setstate__(self, _state: dict[str, object]) -> None:
        self._stemmer = Stemmer.Stemmer("porter")
        self._lock = threading.Lock()
        self._cache = {}

    def stem(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is None:
            with self._lock:
                cached = str(self._stemmer.stemWord(word))
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = cached
        return cached

    def stem_all(self, words: list[str]) -> list[str]:
        with self._lock:
            return [str(s) for s in self._stemmer.stemWords(words)]


def root_of_stem(stem: str) -> str:
    """cruelti -> cruel, cruelli -> cruel, children -> child."""
    irregular = _IRREGULAR.get(stem)
    if irregular is not None:
        return irregular
    if stem.endswith(_ENDINGS) and len(stem) - 2 >= _MIN_ROOT:
        return stem[:-2]
    return stem


class WordForms:
    """A desk's synonyms and related word forms, applied to a parsed query's terms."""

    def __init__(self, vocabulary: Iterable[str], synonyms: Iterable[Iterable[str]]) -> None:
        self._stems = Stems()
        words = sorted(set(vocabulary))
        stems = self._stems.stem_all(words)
        by_root: dict[str, dict[str, str]] = {}  # root -> stem -> one word with it
        for word, stem in zip(words, stems, strict=True):
            by_root.setdefault(root_of_stem(stem), {}).setdefault(stem, word)
        # A typed word may have a root the desk reaches only through another stem: "cruel"
        # finds "cruelty" even when the desk never says "cruel".
        self._forms = by_root
        self._synonyms = self._synonym_table(synonyms)
        self._others: dict[str, tuple[tuple[str, ...], ...]] = {}  # a typed word's other forms

    def _synonym_table(
        self, groups: Iterable[Iterable[str]]
    ) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
        """(stems of one phrase, every phrase of its group), longest phrases first."""
        table = []
        for group in groups:
            phrases = _phrases(group)
            for phrase in phrases:
                stems = tuple(self._stems.stem(w) for w in _meaningful(phrase))
                table.append((stems, tuple(p for p in phrases if p != phrase)))
        table.sort(key=lambda entry: -len(entry[0]))
        return table

    def expand(self, terms: tuple[Term, ...]) -> tuple[Term, ...]:
        out: list[Term] = []
        n = 0
        while n < len(terms):
            joined = self._synonym_at(terms, n)
            if joined is not None:
                term, used = joined
                out.append(term)
                n += used
                continue
            out.append(self._with_forms(terms[n]))
            n += 1
        return tuple(out)

    def _synonym_at(self, terms: tuple[Term, ...], start: int) -> tuple[Term, int] | None:
        for stems, others in self._synonyms:
            span = terms[start : start + len(stems)]
            if not self._spells(span, stems):
                continue
            if len(span) == 1:
                return replace(span[0], also=others), 1
            words = tuple(t.words[0] for t in span)
            shown = " ".join(t.label for t in span)
            name = any(t.name for t in span)
            return Term(words, name=name, shown=shown, also=others, loose=True), len(span)
        return None

    def _spells(self, span: tuple[Term, ...], stems: tuple[str, ...]) -> bool:
        """The typed words are the phrase: one plain word each, stem for stem."""
        if len(span) != len(stems) or any(t.quoted or len(t.words) != 1 for t in span):
            return False
        typed = tuple(self._stems.stem(t.words[0]) for t in span)
        return typed == stems

    def _with_forms(self, term: Term) -> Term:
        if term.quoted or len(term.words) != 1 or term.is_number:
            return term
        others = self._others.get(term.words[0])
        if others is None:
            others = self._other_forms(term.words[0])
            if len(self._others) >= _CACHE_LIMIT:
                self._others.clear()
            self._others[term.words[0]] = others
        return replace(term, also=others) if others else term

    def _other_forms(self, word: str) -> tuple[tuple[str, ...], ...]:
        """The desk's words with the same root as ``word`` but another Porter stem."""
        stem = self._stems.stem(word)
        forms = self._forms.get(root_of_stem(stem), {})
        return tuple((other,) for form, other in forms.items() if form != stem)[:_MAX_FORMS]


def _phrases(group: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """A synonym group's phrases as words, each once, empty ones left out."""
    return tuple(dict.fromkeys(p for p in map(tuple, map(words_of, group)) if p))


def _meaningful(phrase: tuple[str, ...]) -> tuple[str, ...]:
    """A question has lost its filler by now: "unaccounted for" is "unaccounted"."""
    return tuple(w for w in phrase if not is_filler(w)) or phrase
