"""An in-memory FollowUpBook: for the pure tests and for `newsbot ask` without a database."""

from __future__ import annotations

from datetime import date, datetime

from bot.desk.model import ADDED_PREFIX, Action, FollowUp, FollowUpEvent


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
