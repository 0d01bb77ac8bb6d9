"""In-memory follow-up books: one for the pure tests, one for a database that is not there."""

from __future__ import annotations

from datetime import date, datetime
from typing import NoReturn

from bot.desk.model import ADDED_PREFIX, Action, BookUnavailable, FollowUp, FollowUpEvent


class MemoryBook:
    def __init__(self) -> None:
        self._added: list[FollowUp] = []
        self._events: list[FollowUpEvent] = []

    def added_followups(self) -> list[FollowUp]:
        return list(self._added)

    def add_followup(self, title: str, user: str, at: datetime, asked: date) -> FollowUp:
        item = FollowUp(
            id=f"{ADDED_PREFIX}{len(self._added) + 1}", title=title, asked=asked, added_by=user
        )
        self._added.append(item)
        self.record(FollowUpEvent(item.id, Action.ADDED, user, at))
        return item

    def events(self, followup_id: str | None = None) -> list[FollowUpEvent]:
        return [e for e in self._events if followup_id is None or e.followup_id == followup_id]

    def record(self, event: FollowUpEvent) -> None:
        self._events.append(event)

    def version(self) -> tuple[int, ...]:
        """Changes with every added follow-up and recorded event (see SqlBook.version)."""
        return (len(self._events), len(self._added))


class UnreachableBook:
    """The book when the database could not be opened at start (console and ``newsbot ask``):
    every read and write raises, so replies say that follow-up status is unavailable and that
    a change was not saved, instead of keeping it in memory until the process exits."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _fail(self) -> NoReturn:
        raise BookUnavailable(f"the database could not be opened ({self.reason})")

    def added_followups(self) -> list[FollowUp]:
        self._fail()

    def add_followup(self, title: str, user: str, at: datetime, asked: date) -> FollowUp:
        self._fail()

    def events(self, followup_id: str | None = None) -> list[FollowUpEvent]:
        self._fail()

    def record(self, event: FollowUpEvent) -> None:
        self._fail()
