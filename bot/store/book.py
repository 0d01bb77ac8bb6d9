"""SqlBook: the FollowUpBook kept in the database (bot.desk.model.FollowUpBook).

Curated follow-ups live in facts.yaml; only their events are stored here, so a redeploy with a
new facts.yaml keeps every resolve, snooze and reopen.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select

from bot.desk.model import ADDED_PREFIX, Action, FollowUp, FollowUpEvent
from bot.store.schema import added_followups, followup_events


class SqlBook:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def added_followups(self) -> list[FollowUp]:
        query = select(added_followups).order_by(added_followups.c.seq)
        with self._engine.connect() as connection:
            return [_followup(row._mapping) for row in connection.execute(query)]

    def add_followup(self, title: str, user: str, at: datetime, asked: date) -> FollowUp:
        """Create the follow-up and its ``added`` event in one transaction."""
        with self._engine.begin() as connection:
            result = connection.execute(
                insert(added_followups).values(
                    title=title, added_by=user, asked=asked, created_at=at
                )
            )
            seq = result.inserted_primary_key[0] if result.inserted_primary_key else None
            assert isinstance(seq, int)
            item = FollowUp(id=f"{ADDED_PREFIX}{seq}", title=title, asked=asked, added_by=user)
            connection.execute(
                insert(followup_events).values(
                    _event_row(FollowUpEvent(item.id, Action.ADDED, user, at))
                )
            )
        return item

    def events(self, followup_id: str | None = None) -> list[FollowUpEvent]:
        query = select(followup_events).order_by(followup_events.c.at, followup_events.c.seq)
        if followup_id is not None:
            query = query.where(followup_events.c.followup_id == followup_id)
        with self._engine.connect() as connection:
            return [_event(row._mapping) for row in connection.execute(query)]

    def record(self, event: FollowUpEvent) -> None:
        with self._engine.begin() as connection:
            connection.execute(insert(followup_events).values(_event_row(event)))

    def version(self) -> tuple[int, ...]:
        """Changes whenever any process commits a follow-up or an event (both tables are
        append-only). Counts as well as the highest seq: PostgreSQL may commit seq 10
        after seq 11, and only the count says that it arrived."""
        with self._engine.connect() as connection:
            return tuple(int(n or 0) for n in connection.execute(_VERSION_QUERY).one())


# One statement, so one snapshot of both tables.
_VERSION_QUERY = select(
    *(
        part
        for table in (followup_events, added_followups)
        for part in (
            select(func.count()).select_from(table).scalar_subquery(),
            select(func.max(table.c.seq)).scalar_subquery(),
        )
    )
)


def _followup(row: Any) -> FollowUp:
    return FollowUp(
        id=f"{ADDED_PREFIX}{row['seq']}",
        title=row["title"],
        asked=row["asked"],
        added_by=row["added_by"],
    )


def _event_row(event: FollowUpEvent) -> dict[str, Any]:
    return {
        "followup_id": event.followup_id,
        "action": event.action.value,
        "user_id": event.user,
        "at": event.at,
        "note": event.note,
        "link": event.link,
        "until": event.until,
    }


def _event(row: Any) -> FollowUpEvent:
    return FollowUpEvent(
        followup_id=row["followup_id"],
        action=Action(row["action"]),
        user=row["user_id"],
        at=row["at"],
        note=row["note"],
        link=row["link"],
        until=row["until"],
    )
