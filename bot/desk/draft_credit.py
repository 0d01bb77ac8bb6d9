"""Whom a draft credits with the words it quotes, when it says so plainly.

A draft is read the way :mod:`bot.desk.attribution` reads a source (a speech or finding verb
and its subject, "according to", a list's lead-in); where that finds nobody, a narrower
reading of its own: a speech verb with its subject next to the quotation (``X said
"..."``, ``"...," X said``, ``"...," said X``), even across the line break a hard-wrapped
draft puts between the quotation and "Sessions said". Anything less plain (a pronoun, a
finding verb between the speaker and the quotation, another quotation in between) credits
nobody, so the attribution check stays silent rather than guess: a wrong ✗ costs a copy
editor's trust.
"""

from __future__ import annotations

import re

from bot.desk.attribution import credited_speaker
from bot.desk.quotations import Quotation, sentence_around

_SPEECH = (
    r"said|says|told|tells|added|adds|wrote|writes|stated|states|testified|tweeted|"
    r"posted|explained|explains|argued|argues|warned|warns|insisted|insists|asked|asks|"
    r"declared|declares|noted|notes|continued|recalled|acknowledged|acknowledges"
)
# Verbs that credit a text's words when they follow the quotation ("...," the report finds).
_FINDING = r"finds|found|concluded|concludes|reported|reports|wrote|writes|noted|notes"
# Verbs that, between a speaker and a quotation, make the quotation someone else's object.
_INTERRUPTING = re.compile(
    rf"\b(?:{_FINDING}|revealed|reveals|showed|shows|called|calls|accused|accuses|expected|"
    r"promised|described|describes|cited|cites|quoted|quotes|criticized|criticizes)\b",
    re.IGNORECASE,
)
_NAME = r"[^\s,.;:!?\"“”()—–][^,.;:!?\"“”()—–\n]{0,120}?"
_PRONOUN = re.compile(r"^(?:he|she|they|it|we|i|you|who|which|one)$", re.IGNORECASE)
_BEFORE = re.compile(rf"(?P<who>{_NAME})\s+(?:{_SPEECH})\b[^\"“”]*$", re.IGNORECASE)
_AFTER_SUBJECT_VERB = re.compile(
    rf"^[\s,.!?\"”’]*(?P<who>{_NAME})\s+(?:{_SPEECH}|{_FINDING})\b", re.IGNORECASE
)
_AFTER_VERB_SUBJECT = re.compile(
    rf"^[\s,.!?\"”’]*(?:{_SPEECH})\s+(?P<who>{_NAME})\s*(?:[,.;:!?]|$)", re.IGNORECASE
)
_ACCORDING = re.compile(rf"\baccording to\s+(?P<who>{_NAME})\s*(?:[,.;:!?]|$)", re.IGNORECASE)
_CLAUSE_START = re.compile(r".*\b(?:that|but|while|because|when|as|and then)\s+", re.IGNORECASE)
MAX_NAME_WORDS = 14


def credited_by_draft(text: str, quotation: Quotation) -> str | None:
    """Who the draft says spoke ``quotation``'s words, as the draft names them, or None."""
    credit = credited_speaker(text, (quotation.start, quotation.end))
    if credit.certain and credit.who:
        return credit.who
    return _next_to(text, quotation)


def _next_to(text: str, quotation: Quotation) -> str | None:
    sentence_start, sentence_end = sentence_around(text, quotation.mark, quotation.end + 1)
    before = text[sentence_start : quotation.mark]
    after = text[quotation.end + 1 : sentence_end]
    ends_clause = quotation.words.rstrip().endswith((",", "!", "?"))
    for who in (
        _after(after, ends_clause),
        _before(before),
        _according(text[sentence_start:sentence_end]),
    ):
        if who is not None:
            return who
    return None


def _tidy(who: str) -> str | None:
    who = _CLAUSE_START.sub("", " ".join(who.split())).strip().lstrip("•·*-–— ")
    words = who.split()
    if not words or len(words) > MAX_NAME_WORDS or _PRONOUN.match(words[-1]):
        return None
    return who


def _after(after: str, ends_clause: bool) -> str | None:
    """``"...," X said`` or ``"...," said X``: the comma shows the quotation is said."""
    if not ends_clause and not after.lstrip().startswith(","):
        return None
    for pattern in (_AFTER_VERB_SUBJECT, _AFTER_SUBJECT_VERB):
        found = pattern.match(after)
        if found:
            return _tidy(found.group("who"))
    return None


def _before(before: str) -> str | None:
    found = None
    for found in _BEFORE.finditer(before):  # noqa: B007 (the last one is the nearest)
        pass
    if found is None:
        return None
    between = before[found.end("who") :]
    if _INTERRUPTING.search(between.split(None, 1)[1] if " " in between.strip() else ""):
        return None
    return _tidy(found.group("who"))


def _according(sentence: str) -> str | None:
    found = _ACCORDING.search(sentence)
    return _tidy(found.group("who")) if found else None
