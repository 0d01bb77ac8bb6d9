"""Check a draft against the desk: every quotation, attribution, figure and "no comment".

One pure checker shared by ``newsbot verify``, ``/check``, the message shortcut and the
console. It reads the desk and the follow-up states it is given; ``today`` is a parameter,
nothing here reads a clock, a file or a database.

A finding is ``ok`` (✓), ``mismatch`` (✗) or ``unverified`` (?). Only words found verbatim
in a source, as a quotation there, are ✓; a figure is ✓ only when its value, unit and
subject all agree with a desk figure. Anything the desk cannot vouch for is "unverified".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.desk.check_figures import FigureIndex
from bot.desk.check_followups import check_followups
from bot.desk.check_quotes import QuoteIndex
from bot.desk.findings import DraftReport, Finding
from bot.desk.model import Desk, FollowUpState, Status

__all__ = ["DraftChecker", "DraftReport", "Finding", "check_draft", "curated_states"]


class DraftChecker:
    """A desk made ready for checking drafts: build once per desk, check many drafts."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.quotes = QuoteIndex(desk)
        self.figures = FigureIndex(desk)

    def check(
        self, text: str, today: date, followups: Sequence[FollowUpState] | None = None
    ) -> DraftReport:
        """Every finding for ``text``, in draft order. ``followups``: the live states
        (None: the curated follow-ups, all open)."""
        quoted = self.quotes.check(text)
        spans = [(f.start, f.end) for f in quoted]
        figures = self.figures.check(text, today, self.desk.newsroom.stale_after_days, spans)
        states = followups if followups is not None else curated_states(self.desk)
        replies = check_followups(text, states, self.desk)
        found = sorted((*quoted, *figures, *replies), key=lambda f: (f.start, f.end))
        return DraftReport(tuple(found))


def curated_states(desk: Desk) -> list[FollowUpState]:
    """The curated follow-ups as open: what the desk says without a database."""
    return [FollowUpState(item, Status.OPEN, ()) for item in desk.followups]


def check_draft(
    desk: Desk, text: str, today: date, followups: Sequence[FollowUpState] | None = None
) -> DraftReport:
    """One draft against ``desk`` (builds the desk's indexes; keep a DraftChecker for more)."""
    return DraftChecker(desk).check(text, today, followups)
