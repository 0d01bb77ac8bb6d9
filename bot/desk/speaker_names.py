"""Do two ways of naming a speaker name the same one? ("The OIG" and "the OIG", "a report
released Thursday by ..." and "the report", "Whitfield" and "Dana Whitfield, general
manager"; but not "a spokesperson for Jeff Sessions" and "Jeff Sessions".)"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.desk import provenance

_ARTICLES = re.compile(r"^(?:the|a|an)\s+")
_NAME_PUNCT = re.compile(r"[^\w\s',]")
_CONTINUATIONS = frozenset(["by", "as", "on", "of", "in", "who", "which", "from", "at", "with"])
_TITLE_STOPS = frozenset(["for", "of", "to", "with", "from", "at", "by", "about"])


@lru_cache(maxsize=4096)  # a desk credits a few hundred speakers, thousands of times
def names_agree(phrase: str, name: str) -> bool:
    """Whether two ways of naming a speaker name the same one, as an editor would accept.

    Equal after case, quote styles, punctuation and a leading article; or one is the other
    with a description after it ("a report released Thursday by ..." names "the report";
    "Maria Lopez, who lives on Elm Street" names "Maria Lopez"); or with a title before a
    name of two words or more ("Council member Tom Reed" names "Tom Reed", but "a
    spokesperson for Jeff Sessions" does not name Jeff Sessions).
    """
    a, b = _name_key(phrase), _name_key(name)
    if not a or not b:
        return False
    if a == b or _surname_of(phrase, name) or _surname_of(name, phrase):
        return True
    # "Dana Whitfield, general manager" is Dana Whitfield: compare what comes before a comma.
    a, b = a.split(",", 1)[0].strip(), b.split(",", 1)[0].strip()
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return a == b or _described(longer, shorter) or _titled(longer, shorter)


def _described(longer: str, shorter: str) -> bool:
    """ "report released Thursday by ..." is "report" described: a participle or a
    preposition after the name, or a comma."""
    if not longer.startswith(shorter):
        return False
    rest = longer[len(shorter) :]
    first = rest.split()[0] if rest.split() else ""
    if rest.startswith(","):
        return True
    return rest.startswith(" ") and (first in _CONTINUATIONS or first.endswith("ed"))


def _titled(longer: str, shorter: str) -> bool:
    """ "council member tom reed" is "tom reed" with a title; "spokesperson for jeff
    sessions" is someone else."""
    if not longer.endswith(" " + shorter) or len(shorter.split()) < 2:
        return False
    title = longer[: -len(shorter)].split()
    return not any(word in _TITLE_STOPS or word.endswith(("'s", "'")) for word in title)


def _surname_of(one: str, full: str) -> bool:
    """ "Whitfield" names "Dana Whitfield, general manager": a second reference by surname
    (a capitalised name: "board" is not the surname of "the county health board")."""
    one = one.strip()
    head = full.split(",", 1)[0].split()
    if " " in one or len(one) <= 2 or len(head) < 2:
        return False
    last = head[-1]
    return one[0].isupper() and last[0].isupper() and _name_key(one) == _name_key(last)


@lru_cache(maxsize=4096)
def _name_key(name: str) -> str:
    folded = provenance.normalize(name).casefold()
    folded = _NAME_PUNCT.sub(" ", folded).replace(" ,", ",")
    return _ARTICLES.sub("", " ".join(folded.split())).strip(" ,")
