"""Numbers as reporters write them: ``545``, ``1,200``, ``2.3 million``, ``five hundred
forty-five``, with the qualifier in front (``at least``, ``about``, ``more than``).

Pure functions over text; positions are offsets into the text given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORDS = {**_UNITS, **_TENS, "hundred": 100, **_SCALES}

# Canonical qualifier -> the ways a reporter writes it (longest first when matching).
QUALIFIERS: dict[str, tuple[str, ...]] = {
    "at least": ("at least", "no fewer than", "no less than"),
    "more than": ("more than", "over", "upward of", "upwards of"),
    "about": ("about", "around", "roughly", "approximately", "some", "an estimated"),
    "fewer than": ("fewer than", "less than", "under"),
    "up to": ("up to", "as many as", "at most", "no more than"),
    "almost": ("almost", "nearly", "just under", "close to"),
}
_QUALIFIER_OF = {phrase: canon for canon, phrases in QUALIFIERS.items() for phrase in phrases}
_QUALIFIER_BEFORE = re.compile(
    r"(?:^|\W)(?P<q>"
    + "|".join(sorted((re.escape(p) for p in _QUALIFIER_OF), key=len, reverse=True))
    + r")\s+$",
    re.IGNORECASE,
)

_WORD_ALT = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DIGITS = r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,]\d)"
_NUMBER = re.compile(
    rf"(?P<digits>{_DIGITS})(?:\s+(?P<scale>thousand|million|billion)\b)?"
    rf"|(?P<words>\b(?:{_WORD_ALT})\b(?:(?:[\s-]+|\s+and\s+)(?:{_WORD_ALT})\b)*)",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Number:
    """A number found in text: its value, where it is, and what it says around it."""

    value: Decimal
    start: int  # offset of the first character (of the qualifier, when there is one)
    numeral: int  # offset of the number itself
    end: int  # offset just after the number (and its scale word or percent sign)
    written: str  # as written, qualifier included
    qualifier: str | None  # canonical: "at least", "about", ...
    in_words: bool  # "five hundred forty-five" rather than "545"
    percent: bool = False


def parse_value(text: str) -> Decimal | None:
    """``"545"``, ``"1,200"``, ``"2.3"``, ``"five hundred forty-five"`` -> a Decimal."""
    text = text.strip()
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        value = words_value(text)
        return None if value is None else Decimal(value)


def words_value(text: str) -> int | None:
    """``"five hundred forty-five"`` -> 545; ``"two million"`` -> 2,000,000; else None."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w and w != "and"]
    if not words or any(w not in _NUMBER_WORDS for w in words):
        return None
    total, current = 0, 0
    for word in words:
        if word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            current += _NUMBER_WORDS[word]
    return total + current


def numbers_in(text: str) -> Iterator[Number]:
    """Every number in ``text``, in order, with its qualifier and scale."""
    for match in _NUMBER.finditer(text):
        value = _match_value(match)
        if value is None:
            continue
        end = match.end()
        percent = _PERCENT.match(text, end)
        if percent:
            end = percent.end()
        start, qualifier = _qualifier_before(text, match.start())
        yield Number(
            value=value,
            start=start,
            numeral=match.start(),
            end=end,
            written=text[start:end],
            qualifier=qualifier,
            in_words=match.group("words") is not None,
            percent=percent is not None,
        )


def _match_value(match: re.Match[str]) -> Decimal | None:
    if match.group("digits") is not None:
        value = Decimal(match.group("digits").replace(",", ""))
        scale = match.group("scale")
        return value * _SCALES[scale.lower()] if scale else value
    words = match.group("words")
    if words.lower() in _SCALES or words.lower() == "hundred":
        return None  # "thousands of", "a hundred": no count
    number = words_value(words)
    return None if number is None else Decimal(number)


def _qualifier_before(text: str, start: int) -> tuple[int, str | None]:
    window = text[max(0, start - 30) : start]
    found = _QUALIFIER_BEFORE.search(window)
    if found is None:
        return start, None
    phrase = " ".join(found.group("q").lower().split())
    return start - len(window) + found.start("q"), _QUALIFIER_OF[phrase]


def qualifier_of(phrase: str | None) -> str | None:
    """The canonical qualifier for a phrase an editor wrote (``"At least"`` -> ``at least``)."""
    if not phrase:
        return None
    return _QUALIFIER_OF.get(" ".join(phrase.lower().split()))


def format_value(value: Decimal) -> str:
    """545 -> ``545``; 2300000 -> ``2,300,000``; 2.5 -> ``2.5``."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,}"
