""" "Declined to comment" and "did not respond" in a draft, against the desk's follow-ups.

Declining to comment is a response; not responding is not. A draft that says one where
the desk records the other is ✗. A follow-up that has since been resolved is ✗ too, with
its outcome offered: the draft is out of date. Read-only: the states are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from bot.desk.findings import Finding, Status, source_line
from bot.desk.model import Desk, FollowUpState
from bot.desk.provenance import locate
from bot.desk.quotations import line_and_column, sentence_around
from bot.desk.speakers import name_words

Silence = Literal["no comment", "no response"]
_SILENCE = re.compile(
    r"(?P<comment>\b(?:declined|refused|would not|wouldn't|did not want|does not want)\s+"
    r"(?:to\s+)?comment\b|\bno comment\b)"
    r"|(?P<response>\b(?:did not|didn't|has not|hasn't|have not|haven't|had not)\s+"
    r"(?:immediately\s+|yet\s+)?(?:respond(?:ed)?|repl(?:y|ied)|return(?:ed)?)\b"
    r"|\bcould not be reached\b|\bno response\b)",
    re.IGNORECASE,
)


def silence_in(text: str) -> Silence | None:
    """Which kind of silence a sentence reports, if any."""
    found = _SILENCE.search(text)
    if found is None:
        return None
    return "no comment" if found.group("comment") else "no response"


def _waiting_on_named(state: FollowUpState, sentence: str) -> bool:
    """Whether the sentence names whom the follow-up waits on ("the White House")."""
    waiting_on = state.item.waiting_on or ""
    words = name_words(sentence)
    return any(
        (wanted := name_words(who)) and wanted <= words for who in re.split(r"[/;]", waiting_on)
    )


def check_followups(text: str, states: Sequence[FollowUpState], desk: Desk) -> list[Finding]:
    found: list[Finding] = []
    for match in _SILENCE.finditer(text):
        start, end = sentence_around(text, match.start(), match.end())
        sentence = text[start:end]
        said: Silence = "no comment" if match.group("comment") else "no response"
        named = [s for s in states if _waiting_on_named(s, sentence)]
        found.append(_judged(text, match, said, named, desk))
    return found


def _judged(
    text: str, match: re.Match[str], said: Silence, named: list[FollowUpState], desk: Desk
) -> Finding:
    line, column = line_and_column(text, match.start())
    base = Finding(
        "unverified",
        "followup",
        match.start(),
        match.end(),
        line,
        column,
        match.group(),
        "no follow-up on the desk records this",
    )
    if not named:
        return base
    state = named[0]
    item = state.item
    status, message, notes = _verdict(state, said)
    source = desk.sources.get(item.source) if item.source else None
    span = locate(item.quote, source.text) if source is not None and item.quote else None
    return replace(
        base,
        status=status,
        message=message,
        desk=item.quote,
        source=source,
        source_line=source_line(source, span[0]) if source is not None and span else None,
        fact_id=item.id,
        notes=notes,
    )


def _verdict(state: FollowUpState, said: Silence) -> tuple[Status, str, tuple[str, ...]]:
    item, resolution = state.item, state.resolution
    if resolution is not None:
        notes: tuple[str, ...] = (f"resolved by {resolution.user} on {resolution.at:%d %b %Y}",)
        notes += (resolution.link,) if resolution.link else ()
        outcome = resolution.note or "no note was left"
        return "mismatch", f"“{item.title}” has been resolved: {outcome}", notes
    recorded = silence_in(item.quote or "")
    if recorded is not None and recorded != said:
        words = _recorded_words(item.quote or "")
        if recorded == "no response":
            return "mismatch", f"the desk records “{words}”: no response, not a refusal", ()
        return "mismatch", f"the desk records “{words}”: a refusal to comment, not silence", ()
    return "ok", f"matches the open follow-up “{item.title}”", ()


def _recorded_words(quote: str) -> str:
    found = _SILENCE.search(quote)
    return found.group() if found else quote
