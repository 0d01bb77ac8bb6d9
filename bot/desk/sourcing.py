"""Does a curated item say what its source says? Attribution, splices, figures, sources.

Pure rules over a source text and the values an editor wrote; :mod:`bot.desk.validate`
points each :class:`Issue` at the right line of facts.yaml. The reading of the text
(quotation marks, who is credited) is :mod:`bot.desk.attribution`'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.desk import attribution, provenance
from bot.desk.model import QUALIFIERS, Speaker

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATELINE = re.compile(rf"\b({MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})", re.IGNORECASE)
_HEADER_LINES = 3
# How a text names its own publisher: "(Capital Wire) —", "via Axios' Stef Kight", "© 2024 X".
_PUBLISHER_MARKS = (
    re.compile(r"\((?P<name>[A-Z][\w.&' -]{1,40}?)\)\s+[—–-]"),
    # No leading \b: a pattern starting with a literal is scanned for many times faster.
    re.compile(r"via\s+(?P<name>[A-Z][\w&.-]*(?:\s[A-Z][\w&.-]*)*?)(?:['’]s?)\s"),
    re.compile(r"©\s*(?:\d{4}\s+)?(?P<name>[A-Z][\w.&-]*(?:\s[A-Z][\w.&-]*)*)"),
)
_HEDGES = (
    "at least|about|more than|fewer than|up to|nearly|almost|roughly|around|approximately|"
    "over|under|less than|some|as many as|as few as"
)
_HEDGE_BEFORE = re.compile(rf"\b(?P<hedge>{_HEDGES})\s+(?:\$\s*)?$", re.IGNORECASE)
_PERCENT = re.compile(r"\s*%")
_DOLLAR = re.compile(r"\$\s*$")
_WORDS = re.compile(r"[\w-]+")
_AS_OF_NO_YEAR = re.compile(
    rf"\bas of\s+{MONTH}(?!\w)(?!\s+\d{{1,2}},?\s+\d{{4}})(?!,?\s+\d{{4}})", re.IGNORECASE
)
_QUOTE_HINT = (
    "quotation marks mean the exact words of the person named: the publisher's own words "
    "are kind: finding or kind: statement"
)


@dataclass(frozen=True, slots=True)
class Issue:
    """One rule broken: which key to point at, what is wrong, what to do."""

    key: str
    message: str
    hint: str | None = None
    warning: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    """Who facts.yaml says spoke some words: a speaker record or a free-text attribution."""

    names: tuple[str, ...]  # every way of naming them
    label: str  # how facts.yaml names them, for messages
    key: str  # "speaker" or "attribution": where a disagreement points
    is_publisher: bool  # the source's own words (no one else to credit)

    @classmethod
    def of(cls, speaker: Speaker | None, attribution_text: str, publisher: str) -> Claim:
        if speaker is not None:
            names, label, key = speaker.names(), speaker.name, "speaker"
        else:
            names, label, key = (attribution_text,), attribution_text, "attribution"
        is_publisher = any(attribution.names_agree(n, publisher) for n in names)
        return cls(names, label, key, is_publisher)

    def named_by(self, who: str) -> bool:
        """Whether the words the source credits with name this speaker."""
        return any(attribution.names_agree(who, name) for name in self.names)

    def needs_credit(self, kind: str) -> bool:
        """The publisher's own finding, statement or figure needs nobody else to credit it."""
        return kind == "quote" or not self.is_publisher


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def check_words(
    kind: str,
    text: str,
    spans: Sequence[tuple[int, int]],
    claim: Claim,
    evidence: str | None,
    speakers: Mapping[str, Speaker],
) -> list[Issue]:
    """Splices, quotation marks and the credited speaker of one fact's words."""
    issues: list[Issue] = []
    if len(spans) > 1 and not attribution.same_passage(text, spans):
        lines = sorted({line_of(text, start) for start, _ in spans})
        where = " and ".join(str(n) for n in lines)
        message = f'"..." joins words from different paragraphs (source lines {where})'
        hint = "a splice stays in one paragraph (a list item counts with its lead-in)"
        # Whom the pieces are credited to is moot until they are one passage.
        return [Issue("quote", message, hint + ": make separate facts")]
    if kind == "quote":
        for span in spans:
            if not attribution.is_quoted(text, span):
                line = line_of(text, span[0])
                message = "kind: quote, but the words are not inside quotation marks in the source"
                message += f" (source line {line})"
                issues.append(Issue("kind", message, _QUOTE_HINT))
                return issues
    issues.extend(_check_credit(kind, text, spans, claim, evidence, speakers))
    return issues


def _check_credit(
    kind: str,
    text: str,
    spans: Sequence[tuple[int, int]],
    claim: Claim,
    evidence: str | None,
    speakers: Mapping[str, Speaker],
) -> list[Issue]:
    if evidence is not None and (missing := _evidence_missing(text, spans[0], evidence)):
        return [missing]
    needs_credit = evidence is None and claim.needs_credit(kind)
    for span in spans:
        credit = attribution.credited_speaker(text, span)
        if not credit.certain:
            if needs_credit:
                return [_silence(credit, claim)]
        elif not claim.named_by(credit.who or ""):
            return [_disagreement(credit, claim, speakers)]
    return []


def check_about(text: str, span: tuple[int, int], about: Sequence[Speaker]) -> list[Issue]:
    """Whom the words are about must be named near them: no subject the source does not give."""
    start, end = attribution.near(text, span)
    nearby = provenance.normalize(text[start:end]).casefold()
    for speaker in about:
        names = (provenance.normalize(name).casefold() for name in speaker.names())
        if not any(provenance.contains_whole(name, nearby) for name in names):
            first, last = line_of(text, start), line_of(text, end)
            message = f"the source does not name {speaker.name} near these words"
            message += f" (source lines {first}-{last})"
            hint = f"add how the source names them there to {speaker.id!r}'s aliases"
            return [Issue("about", message, hint + ", or take them off about:")]
    return []


def _evidence_missing(text: str, span: tuple[int, int], evidence: str) -> Issue | None:
    """Evidence is words copied from near the quote; an issue when it is not there."""
    start, end = attribution.near(text, span)
    nearby = provenance.normalize(text[start:end])
    if provenance.contains_whole(provenance.normalize(evidence), nearby):
        return None
    message = f"not found near the words (source lines {line_of(text, start)}-{line_of(text, end)})"
    hint = "evidence is words copied from the source near the quote, crediting the speaker"
    return Issue("evidence", message, hint)


def _disagreement(
    credit: attribution.Credit, claim: Claim, speakers: Mapping[str, Speaker]
) -> Issue:
    who = credit.who or ""
    message = f"the source credits these words to {credit}, facts.yaml says {claim.label}"
    match = next(
        (s for s in speakers.values() if any(attribution.names_agree(who, n) for n in s.names())),
        None,
    )
    if match is not None:
        hint = f"that is the speaker {match.id!r}: write speaker: {match.id}"
    elif claim.key == "attribution":
        hint = f"write speaker: ID, naming a speakers record with “{who}” among its aliases"
    else:
        hint = f"if “{who}” is {claim.label}, add “{who}” to the speaker's aliases"
    if claim.key == "speaker":
        hint += f"; words about {claim.label} go under about:"
    return Issue(claim.key, message, hint)


def _silence(credit: attribution.Credit, claim: Claim) -> Issue:
    if credit.pronoun:
        message = f"only a pronoun names who said these words: {credit}"
    else:
        message = f"the source does not say who said these words (source line {credit.line})"
    hint = f"add evidence: words near them in the source that credit {claim.label}"
    return Issue(claim.key, message, hint, warning=True)


# --- figures ---------------------------------------------------------------------------------


def check_figure(
    quote: str, value: str, unit: str | None, qualifier: str | None, as_of_note: str | None
) -> list[Issue]:
    """The qualifier and unit as the quote has them; an inferred year says so."""
    text = provenance.normalize(quote)
    places = _value_places(text, value)
    hedges = [h for at, _ in places if (h := _hedge_before(text, at))]
    issues = _qualifier_issues(value, qualifier, hedges)
    if unit is not None and not any(_unit_after(text, at, end, unit) for at, end in places):
        message = f"the quote does not count {value} in {unit!r}"
        hint = "the unit is the word the quote puts after the number (e.g. 545 parents)"
        issues.append(Issue("unit", message, hint))
    if as_of_note is None and "as of" in text.casefold() and _AS_OF_NO_YEAR.search(text):
        message = "the quote gives the month without a year: the year was inferred"
        hint = "say how in as_of_note (e.g. the year is from the article's date)"
        issues.append(Issue("as_of", message, hint, warning=True))
    return issues


def _qualifier_issues(value: str, qualifier: str | None, hedges: list[str]) -> list[Issue]:
    """A qualifier is one the desk knows and the quote's own; a hedged value keeps it."""
    if qualifier is not None and qualifier not in QUALIFIERS:
        hint = f"qualifier is one of: {', '.join(QUALIFIERS)}"
        return [Issue("qualifier", f"unknown qualifier {qualifier!r}", hint)]
    if qualifier is not None and qualifier not in (h.casefold() for h in hedges):
        message = f"the quote does not say “{qualifier} {value}”"
        return [Issue("qualifier", message, "the qualifier is the quote's own words")]
    if qualifier is None and hedges:
        said, hedged = f"{hedges[0]} {value}", hedges[0].casefold()
        hint = f"add qualifier: {hedged}"
        if hedged not in QUALIFIERS:
            hint = f"use a qualifier ({', '.join(QUALIFIERS)}) that keeps its meaning"
        message = f"the quote says “{said}”: a bare {value} changes its meaning"
        return [Issue("value", message, hint)]
    return []


def _value_places(text: str, value: str) -> list[tuple[int, int]]:
    """Where the value stands in the text, as written or with/without thousands commas
    (no regular expression per value: checking 10,000 figures compiled 10,000 of them)."""
    digits = value.replace(",", "")
    forms = {value, digits}
    if digits.isdigit():
        forms.add(f"{int(digits):,}")
    places = []
    for form in forms:
        at = text.find(form)
        while at >= 0:
            end = at + len(form)
            before = text[at - 1] if at else " "
            after = text[end : end + 2]
            whole = not (before.isalnum() or before in ".,") and not (
                after[:1].isalnum() or (after[:1] in ".," and after[1:2].isdigit())
            )
            if whole:
                places.append((at, end))
            at = text.find(form, at + 1)
    return sorted(places)


def _hedge_before(text: str, at: int) -> str | None:
    found = _HEDGE_BEFORE.search(text, max(0, at - 24), at)
    return found["hedge"] if found else None


def _unit_after(text: str, at: int, end: int, unit: str) -> bool:
    """What the value counts, as the quote says it: a word of the unit among the two words
    after the value ("545 parents", "120 driver positions"; "14 of its 52 bus routes" looks
    past "of its 52"), or the sign ("%" is percent, "$" dollars). "545 parents separated
    from their children" does not count children."""
    implied = {"percent"} if _PERCENT.match(text, end) else set()
    implied |= {"dollars", "dollar"} if _DOLLAR.search(text, max(0, at - 2), at) else set()
    words = [w for w in unit.casefold().split() if w not in implied]
    after = _counted_words([w.casefold() for w in _WORDS.findall(text, end, end + 80)[:5]])
    return not words or any(_word_in(w, after) for w in words)


def _counted_words(after: list[str]) -> list[str]:
    """The two words after a value, past "of its 52" in "14 of its 52 bus routes"."""
    if len(after) >= 3 and after[0] == "of" and after[2][:1].isdigit():
        return after[3:5]
    if len(after) >= 2 and after[0] == "of" and after[1][:1].isdigit():
        return after[2:4]
    return after[:2]


def _word_in(word: str, words: list[str]) -> bool:
    stems = {word, word.removesuffix("s"), word + "s", word.removesuffix("es")}
    return any(w in stems or w.removesuffix("s") in stems for w in words)


# --- sources ---------------------------------------------------------------------------------


def check_source(
    text: str, publisher: str, published: date, section: str | None, url: str | None
) -> list[Issue]:
    """The publisher, date and section as the text itself gives them."""
    issues = _dateline_issues(text, published, section)
    named = publishers_named(text)
    mentioned = publisher.casefold() in text.casefold() or (
        url is not None and _letters(publisher) in _letters(url)
    )
    if named and not mentioned:
        name, offset = named[0]
        line = line_of(text, offset)
        message = f"the source names its publisher as “{name}” (source line {line})"
        issues.append(Issue("publisher", message, f"write publisher: {name}"))
    return issues


def _dateline_issues(text: str, published: date, section: str | None) -> list[Issue]:
    """A dateline in the first lines ("Jan 14, 2021 - Politics & Policy") is the date and
    section the record must have."""
    head = "\n".join(text.splitlines()[:_HEADER_LINES])
    found = DATELINE.search(head)
    if found is None:
        return []
    issues = []
    stated = _date(found)
    line = line_of(text, found.start())
    if stated is not None and stated != published:
        message = f"the source's dateline says {found.group()} (source line {line})"
        issues.append(Issue("published", message, f"write published: {stated.isoformat()}"))
    rest = head[found.end() :].split("\n", 1)[0].strip(" -–—|")
    if section is not None and rest and rest.casefold() != section.casefold():
        message = f"the source's dateline gives the section as {rest!r} (source line {line})"
        issues.append(Issue("section", message, f"write section: {rest}"))
    return issues


def _date(found: re.Match[str]) -> date | None:
    try:
        return date(int(found[3]), MONTHS[found[1].lower().rstrip(".")], int(found[2]))
    except (KeyError, ValueError):
        return None


def publishers_named(text: str) -> list[tuple[str, int]]:
    named: list[tuple[str, int]] = []
    for pattern in _PUBLISHER_MARKS:
        named.extend(
            (m["name"].strip(), m.start("name"))
            for m in pattern.finditer(text)
            if m.start() == 0 or not text[m.start() - 1].isalnum()  # "via", not "Kievia"
        )
    return sorted(named, key=lambda pair: pair[1])


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def names_in_source(name: str, text: str) -> bool:
    """Whether a source names someone, as whole words (for follow-ups' waiting_on)."""
    return provenance.contains_whole(
        provenance.normalize(name).casefold(), provenance.normalize(text).casefold()
    )
