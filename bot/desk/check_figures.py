"""Numbers in a draft compared with the desk's key figures.

A number is compared with a figure when the words right after it name the figure's unit
("545 parents") and its sentence shares a word with the figure's label ("not located"):
the same value is ✓ (with its "as of", and a warning when stale), another value ✗ with the
sourced figure, and a qualifier the desk has but the draft dropped ("545 parents" for "at
least 545") ✗. A number no figure speaks for is unverified; years, dates, times and small
numbers written as words ("one of them") are left alone unless a figure speaks for them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from bot.desk import provenance
from bot.desk.findings import Finding, Status, source_line
from bot.desk.model import Desk, Fact
from bot.desk.numbers import Number, format_value, numbers_in, parse_value, qualifier_of
from bot.desk.quotations import inside_quotation, line_and_column, sentence_around

STEM = 5  # letters of a word compared: "located" and "locate", "parents" and "parent"
UNIT_WINDOW = 4  # words after a number where its unit may be ("545 separated parents")
_WORD = re.compile(r"[^\W\d_]+")
_UNTIL_PUNCTUATION = re.compile(r"[^,.;:!?\"“”()]*")
_STOP_WORDS = (
    "a an the of on in for and or to by at as with from that this these those is are was "
    "were be been has have had not no it its their his her they he she who which than "
    "more less least about some could would should will can may might did do does"
)
_STOP = frozenset(_STOP_WORDS.split())
_MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
_MONTH_BEFORE = re.compile(
    rf"\b(?:(?:{_MONTHS})|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?)\s+$",
    re.IGNORECASE,
)
_DATE_OR_TIME_AFTER = re.compile(
    rf"^(?:\s+(?:{_MONTHS})\b|,\s*\d{{4}}\b|:\d\d|\s*[ap]\.?m\b)", re.IGNORECASE
)
QUIET_BELOW = 10  # number words under ten ("one of them") need a figure to be checked


def stems(text: str) -> frozenset[str]:
    return frozenset(w.lower()[:STEM] for w in _WORD.findall(text) if w.lower() not in _STOP)


@dataclass(frozen=True, slots=True)
class _Figure:
    fact: Fact
    value: Decimal
    unit: frozenset[str]
    label: frozenset[str]  # label words that are not the unit
    words: frozenset[str]  # the quote's words that are not the unit
    percent: bool

    @property
    def qualifier(self) -> str | None:
        return desk_qualifier(self.fact, self.value)

    def described(self) -> str:
        """``at least 545 parents``."""
        amount = format_value(self.value)
        unit = f" {self.fact.unit}" if self.fact.unit else ""
        qualifier = self.qualifier
        return f"{qualifier + ' ' if qualifier else ''}{amount}{unit}"


@dataclass(frozen=True, slots=True)
class _Match:
    figure: _Figure
    strength: int


def desk_qualifier(fact: Fact, value: Decimal) -> str | None:
    """The figure's qualifier: the desk's ``qualifier:`` when it has one, else the words in
    front of the value in its quote ("At least 545 parents ...")."""
    if fact.qualifier:
        return qualifier_of(fact.qualifier) or fact.qualifier.lower()
    for number in numbers_in(fact.quote):
        if number.value == value:
            return number.qualifier
    return None


def _prepare(fact: Fact) -> _Figure | None:
    value = parse_value(fact.value or "")
    if value is None:
        return None
    unit = stems(fact.unit or "")
    percent = (fact.unit or "").strip().lower() in {"%", "percent", "per cent"}
    return _Figure(
        fact=fact,
        value=value,
        unit=unit,
        label=stems(fact.label or "") - unit,
        words=stems(fact.quote) - unit,
        percent=percent,
    )


class FigureIndex:
    """The desk's figures, findable by the words of their unit and label."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        prepared = (_prepare(fact) for fact in desk.figures())
        self.figures = [figure for figure in prepared if figure is not None]
        # A figure is a candidate when the words after a number name its unit, or its
        # sentence names its label (a figure without a unit is found by its label only).
        self.by_unit: dict[str, list[_Figure]] = {}
        self.by_label: dict[str, list[_Figure]] = {}
        for figure in self.figures:
            for word in figure.unit:
                self.by_unit.setdefault(word, []).append(figure)
            for word in figure.label:
                self.by_label.setdefault(word, []).append(figure)

    def check(
        self, text: str, today: date, stale_after_days: int, quoted: Sequence[tuple[int, int]]
    ) -> list[Finding]:
        spans = list(quoted)
        found: list[Finding] = []
        for number in numbers_in(text):
            if inside_quotation(spans, number.start, number.end):
                continue  # the quotation check answers for the words inside it
            finding = self._check_number(text, number, today, stale_after_days)
            if finding is not None:
                found.append(finding)
        return found

    def _check_number(
        self, text: str, number: Number, today: date, stale_after_days: int
    ) -> Finding | None:
        match = self._best_match(text, number)
        if match is None:
            if _quiet(text, number):
                return None
            message = "no desk figure for this number"
            return _finding(text, number, "unverified", message)
        finding = _compared(text, number, match.figure, today, stale_after_days)
        fact = match.figure.fact
        source = self.desk.sources.get(fact.source)
        span = provenance.locate(fact.quote, source.text) if source is not None else None
        line = source_line(source, span[0]) if source is not None and span is not None else None
        return replace(finding, source=source, source_line=line)

    def _best_match(self, text: str, number: Number) -> _Match | None:
        start, end = sentence_around(text, number.start, number.end)
        context = stems(text[start : number.start] + " " + text[number.end : end])
        following = _UNTIL_PUNCTUATION.match(text, number.end)
        after = " ".join(_WORD.findall(following.group() if following else "")[:UNIT_WINDOW])
        unit_words = stems(after)
        candidates = {id(f): f for word in unit_words for f in self.by_unit.get(word, ())}
        candidates.update((id(f), f) for word in context for f in self.by_label.get(word, ()))
        matches = [_strength(f, number, unit_words, context) for f in candidates.values()]
        ranked = sorted(
            (m for m in matches if m is not None),
            key=lambda m: (m.figure.value == number.value, m.strength),
            reverse=True,
        )
        return ranked[0] if ranked else None


def _strength(
    figure: _Figure, number: Number, unit_words: frozenset[str], context: frozenset[str]
) -> _Match | None:
    """How surely a number speaks of a figure, or None when it does not (unit and subject
    must both agree)."""
    label = len(figure.label & context)
    if figure.percent or number.percent:
        unit = figure.percent and number.percent
    elif figure.unit:
        unit = bool(figure.unit & unit_words)
    else:
        unit = label > 0
    related = label > 0 or len(figure.words & context) >= 2
    if not (unit and related):
        return None
    return _Match(figure, 2 * label + len(figure.words & context))


def _quiet(text: str, number: Number) -> bool:
    """Years, dates, times and small number words: not worth an "unverified" line."""
    if number.in_words and number.value < QUIET_BELOW:
        return True
    written = number.written.replace(",", "")
    if written.isdigit() and len(written) == 4 and 1800 <= number.value <= 2100:
        return True
    before = text[max(0, number.numeral - 12) : number.numeral]
    after = text[number.end : number.end + 12]
    return bool(_MONTH_BEFORE.search(before) or _DATE_OR_TIME_AFTER.match(after))


def _compared(
    text: str, number: Number, figure: _Figure, today: date, stale_after_days: int
) -> Finding:
    fact = figure.fact
    figure_words = figure.described() + (f" ({fact.label})" if fact.label else "")
    notes: list[str] = []
    if fact.as_of is not None:
        notes.append(f"as of {fact.as_of.human()}")
        if fact.is_stale(today, stale_after_days):
            age = fact.as_of.age_days(today)
            notes.append(f"stale: {age:,} days old; check for a newer figure")
    status: Status = "ok"
    if number.value != figure.value:
        message = f"the desk has {figure_words}, not {format_value(number.value)}"
        status = "mismatch"
    else:
        problem = qualifier_problem(number, figure.qualifier, figure.described())
        status = "mismatch" if problem else "ok"
        message = problem or f"matches the desk: {figure_words}"
    finding = _finding(text, number, status, message)
    return replace(finding, desk=fact.quote, fact_id=fact.id, notes=tuple(notes))


def qualifier_problem(number: Number, desk: str | None, described: str) -> str | None:
    """What is wrong with the draft's qualifier, or None (a hedge on an exact figure is fine).
    ``described`` is the desk's figure in words: ``at least 545 parents``."""
    draft = number.qualifier
    if draft == desk or (desk is None and draft in {"about", "almost"}):
        return None
    if draft is None:
        return f'qualifier lost: the desk has "{described}"'
    if desk is None:
        return f'the desk\'s figure is exactly {described}; the draft has "{number.written}"'
    return f'qualifier changed: the desk has "{described}", the draft "{number.written}"'


def _finding(text: str, number: Number, status: Status, message: str) -> Finding:
    line, column = line_and_column(text, number.start)
    return Finding(
        status, "figure", number.start, number.end, line, column, number.written, message
    )
