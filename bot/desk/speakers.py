"""Who the desk credits for a curated quote, and whether a draft names the same one.

The names a speaker goes by are compared by their content words: "the report" and "the
inspector general" both name "The Justice Department inspector general's report";
"Sessions" does not. A draft's name that shares no content word with the desk's is
another speaker.
"""

from __future__ import annotations

import re

from bot.desk.model import Desk, Fact

_WORD = re.compile(r"[^\W_]+")
# Words that say nothing about who: articles, connectives, and the hedges editors append.
_NOT_NAME_WORDS = (
    "a an the of on in for and or to by at as with from his her their its former "
    "then now said says also who which s mr mrs ms dr"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


def speaker_of(desk: Desk, fact: Fact) -> str:
    """The desk's name for whoever said a curated quote (its attribution up to a comma or
    a parenthesis: "Jeff Sessions, as the report describes him" -> "Jeff Sessions")."""
    return re.split(r",|\s\(", fact.attribution, maxsplit=1)[0].strip() or fact.attribution


def names_of(desk: Desk, fact: Fact) -> list[str]:
    """Every name the desk knows the speaker of ``fact`` by."""
    return [speaker_of(desk, fact)]


def name_words(name: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(re.sub(r"['’]s\b", "", name))}
    return words - _NOT_NAMES


def same_speaker(desk: Desk, credited: str, fact: Fact) -> bool:
    """Whether a draft's ``credited`` names the desk's speaker of ``fact`` (or might: a
    name with no content words at all is not evidence of anyone else)."""
    said = name_words(credited)
    if not said:
        return True
    return any(said & name_words(name) for name in names_of(desk, fact))
