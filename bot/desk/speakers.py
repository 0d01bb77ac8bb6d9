"""Who the desk credits for words in a source, and whether a draft names the same one.

A curated quote names its speaker (a ``speakers:`` record with its aliases, or a free-text
attribution); for other words of a source, :mod:`bot.desk.attribution` reads whom the text
credits, and a desk speaker with that name brings its aliases. A draft's name agrees with
one of them when :func:`bot.desk.attribution.names_agree` says so (an editor's reading) or
the two share a content word ("the inspector general" and "The Justice Department
inspector general's report"); sharing nothing, it names someone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.desk.attribution import credited_speaker, names_agree
from bot.desk.model import Desk, Fact, Source

_WORD = re.compile(r"[^\W_]+")
# Words that say nothing about who: articles, connectives, and the hedges editors append.
_NOT_NAME_WORDS = (
    "a an the of on in for and or to by at as with from his her their its former "
    "then now said says also who which s mr mrs ms dr"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


@dataclass(frozen=True, slots=True)
class Credited:
    """Whom the desk credits for some words: how to say it, and every name that fits."""

    shown: str  # "The Justice Department inspector general's report"
    names: tuple[str, ...]
    about: tuple[str, ...] = ()  # names of whom the words are about, when curated


def name_words(name: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(re.sub(r"['’]s\b", "", name))}
    return words - _NOT_NAMES


def of_fact(fact: Fact) -> Credited:
    """A curated quote's speaker, with whom its words are about."""
    about = tuple(name for speaker in fact.about for name in speaker.names())
    return Credited(fact.credit(), fact.speaker_names(), about)


def of_source(desk: Desk, source: Source, span: tuple[int, int]) -> Credited | None:
    """Whom the source's text credits for the words at ``span``, or None when it is silent
    or names only a pronoun."""
    credit = credited_speaker(source.text, span)
    if not credit.certain or credit.who is None:
        return None
    who = credit.who
    for speaker in desk.speakers.values():
        if any(names_agree(who, name) for name in speaker.names()):
            return Credited(speaker.display(), (who, *speaker.names()))
    return Credited(who, (who,))


def agrees(draft_name: str, credited: Credited) -> bool:
    """Whether a draft's name for the speaker fits whom the desk credits (a name with no
    content words at all is not evidence of anyone else)."""
    said = name_words(draft_name)
    if not said:
        return True
    return any(
        names_agree(draft_name, name) or bool(said & name_words(name)) for name in credited.names
    )


def names_whom_it_is_about(draft_name: str, credited: Credited) -> bool:
    return any(names_agree(draft_name, name) for name in credited.about)
