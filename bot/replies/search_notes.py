"""What a search reply says about the question itself: the query as typed, an honest miss,
and the words a partial match left out."""

from __future__ import annotations

from bot.desk.search import SearchResult

_QUOTES = '"“”„‟«»'
_QUOTE_MARKS = frozenset(_QUOTES)


def shown_query(query: str) -> str:
    """The query in quotation marks, unless it brings its own: ``"reckless disregard"`` is
    shown once, not as ““reckless disregard””."""
    text = query.strip()
    if not _QUOTE_MARKS.isdisjoint(text):
        inner = text.strip(_QUOTES).strip()
        if _QUOTE_MARKS.isdisjoint(inner):
            return f"“{inner}”"  # one quoted phrase: our own marks, once
        return text
    return f"“{text}”"


def either(words: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def miss_headline(result: SearchResult) -> str | None:
    """ "Nothing on Rosenstein in this desk." when a word the question needs is in no item;
    the question follows when it said more than that word."""
    if result.hits or not result.missing:
        return None
    missing = either(result.missing)
    asked = "" if missing == result.query.strip() else f" (you asked {shown_query(result.query)})"
    return f"Nothing on {missing} in this desk{asked}."


def partial_notes(result: SearchResult) -> list[str]:
    """Why some of the question's words are not in the answers."""
    if not result.relaxed or not result.dropped:
        return []
    absent = [word for word in result.dropped if word in result.missing]
    unmatched = [word for word in result.dropped if word not in result.missing]
    notes = []
    if absent:
        notes.append(f"nothing in this desk mentions {either(absent)}, so these match the rest")
    if unmatched:
        notes.append(f"no item has every word: the first leaves out {either(unmatched)}")
    return notes
