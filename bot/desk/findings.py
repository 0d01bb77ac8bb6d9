"""What checking a draft against the desk finds: one :class:`Finding` per place, in a
:class:`DraftReport` (see :mod:`bot.desk.verify`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.desk.model import Source, plural

Status = Literal["ok", "mismatch", "unverified"]
Kind = Literal["quote", "attribution", "figure", "followup"]
# A marked passage: ("same", words) both have; ("draft", words) only the draft has;
# ("source", words) only the source has.
Mark = Literal["same", "draft", "source"]
ICONS: dict[Status, str] = {"ok": "✓", "mismatch": "✗", "unverified": "?"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the checker says about one place in the draft."""

    status: Status
    kind: Kind
    start: int  # offsets into the draft
    end: int
    line: int  # 1-based, where ``start`` is
    column: int
    draft: str  # the draft's words, as written
    message: str  # what the desk says about them, in one sentence
    desk: str | None = None  # the desk's or the source's words
    source: Source | None = None
    source_line: int | None = None  # line of the source text the words are on
    fact_id: str | None = None
    speaker: str | None = None  # who the desk credits
    marked: tuple[tuple[Mark, str], ...] = ()  # the difference, word by word
    notes: tuple[str, ...] = ()  # stale figure, lost qualifier, a follow-up's outcome

    @property
    def icon(self) -> str:
        return ICONS[self.status]


@dataclass(frozen=True)
class DraftReport:
    findings: tuple[Finding, ...]
    counts: dict[Status, int] = field(init=False)

    def __post_init__(self) -> None:
        counts: dict[Status, int] = {"mismatch": 0, "ok": 0, "unverified": 0}
        for finding in self.findings:
            counts[finding.status] += 1
        object.__setattr__(self, "counts", counts)

    @property
    def has_problems(self) -> bool:
        return self.counts["mismatch"] > 0

    def totals(self) -> str:
        """``2 problems, 5 verified, 1 unverified``."""
        return (
            f"{plural(self.counts['mismatch'], 'problem')}, "
            f"{self.counts['ok']:,} verified, {self.counts['unverified']:,} unverified"
        )


def source_line(source: Source, offset: int) -> int:
    """1-based line of the source text at ``offset``."""
    return source.text.count("\n", 0, offset) + 1
