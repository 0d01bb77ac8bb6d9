"""Fitting a reply into a surface's block budget, section by section.

A section starts at each heading. When everything does not fit, every section keeps its
heading and notes, the cards are shared out one per section in turn (so figures cannot crowd
out follow-ups), and each section that lost cards ends with its own "N more" line, whose
hint is the section's own (its ``More`` part) or the reply's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.replies.reply import CheckCard, FactCard, FollowUpCard, Heading, More, Part, SourceCard

Block = dict[str, Any]
DEFAULT_HINT = More(0).hint


@dataclass
class _Section:
    entries: list[tuple[Part, Sequence[Block]]] = field(default_factory=list)
    more: list[More] = field(default_factory=list)
    keep: int = 0  # cards kept, from the first

    def cards(self) -> list[Sequence[Block]]:
        return [drawn for part, drawn in self.entries if is_card(part)]

    def fixed_size(self) -> int:
        return sum(len(drawn) for part, drawn in self.entries if not is_card(part))

    def left_out(self) -> int:
        return len(self.cards()) - self.keep + sum(m.count for m in self.more)


def is_card(part: Part) -> bool:
    return isinstance(part, FactCard | FollowUpCard | SourceCard | CheckCard)


def fit(
    parts: Sequence[Part],
    draw: Callable[[Part], Sequence[Block]],
    budget: int,
    more_line: Callable[[int, str, bool], Block],
) -> list[Block] | None:
    """The blocks within ``budget``, or None when even headings and notes do not fit."""
    sections = _sections(parts, draw)
    for section in sections:
        section.keep = len(section.cards())
    if _size(sections) > budget:
        room = budget - sum(s.fixed_size() + 1 for s in sections)
        if room < 0:
            return None
        _share_out(sections, room)
    return [block for section in sections for block in _drawn(section, more_line)]


def _drawn(section: _Section, more_line: Callable[[int, str, bool], Block]) -> list[Block]:
    """The section's blocks: its first ``keep`` cards, everything else, its "more" line."""
    blocks: list[Block] = []
    kept = 0
    for part, drawn in section.entries:
        if is_card(part):
            kept += 1
            if kept > section.keep:
                continue
        blocks.extend(drawn)
    if section.left_out():
        hint = section.more[0].hint if section.more else DEFAULT_HINT
        at_least = any(m.at_least for m in section.more)
        blocks.append(more_line(section.left_out(), hint, at_least))
    return blocks


def _sections(parts: Sequence[Part], draw: Callable[[Part], Sequence[Block]]) -> list[_Section]:
    sections = [_Section()]
    for part in parts:
        if isinstance(part, Heading) and sections[-1].entries:
            sections.append(_Section())
        if isinstance(part, More):
            sections[-1].more.append(part)
        else:
            sections[-1].entries.append((part, draw(part)))
    return sections


def _size(sections: list[_Section]) -> int:
    drawn = sum(len(d) for s in sections for _, d in s.entries)
    return drawn + sum(1 for s in sections if s.left_out())


def _share_out(sections: list[_Section], room: int) -> None:
    """One card per section in turn, while each next card fits in ``room``."""
    for section in sections:
        section.keep = 0
    cards = [s.cards() for s in sections]
    open_sections = [i for i, c in enumerate(cards) if c]
    while open_sections:
        still_open = []
        for i in open_sections:
            section = sections[i]
            size = len(cards[i][section.keep])
            if size <= room:
                room -= size
                section.keep += 1
                if section.keep < len(cards[i]):
                    still_open.append(i)
        open_sections = still_open
