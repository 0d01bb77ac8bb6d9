"""The deliveries ledger: the record of which reminder occurrences were posted.

A process owns an occurrence by inserting its row: the unique key (reminder, occurrence) makes
exactly one insert win, on SQLite and PostgreSQL alike, however many processes race. The owner
holds a lease; if it dies mid-delivery, another process takes the claim over with one atomic
UPDATE once the lease has run out. Every later write names the attempt number it claimed, so a
process that lost its claim cannot overwrite the record of the one that took over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, RowMapping, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from bot.store.schema import deliveries

DEFAULT_LEASE = timedelta(minutes=5)
DEFAULT_MAX_ATTEMPTS = 5
_ERROR_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Delivery:
    """One ledger row, as stored."""

    reminder_id: str
    occurrence: datetime  # aware, UTC
    state: str  # claimed | sent | failed | skipped
    attempts: int
    claimed_by: str | None
    lease_until: datetime | None
    channel: str | None
    message_ts: str | None
    late: bool
    last_error: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to deliver one occurrence, held by ``owner`` for attempt number ``attempt``."""

    reminder_id: str
    occurrence: datetime
    owner: str
    attempt: int
    # True when an earlier attempt may have reached Slack (a lost claim or a failure): look
    # for the message before posting again.
    retry: bool


class Ledger:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- claiming -----------------------------------------------------------------------------

    def claim(
        self,
        reminder_id: str,
        occurrence: datetime,
        *,
        owner: str,
        now: datetime,
        channel: str,
        late: bool,
        lease: timedelta = DEFAULT_LEASE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> Claim | None:
        """Claim a fresh occurrence, or take over an expired claim or a failure due a retry.

        None means someone else has it, or it is settled (sent, skipped, out of attempts).
        """
        fresh = self._insert_ignoring_conflict().values(
            reminder_id=reminder_id,
            occurrence_utc=occurrence,
            state="claimed",
            attempts=1,
            claimed_by=owner,
            lease_until=now + lease,
            channel=channel,
            late=late,
            created_at=now,
            updated_at=now,
        )
        with self._engine.begin() as connection:
            if connection.execute(fresh.returning(deliveries.c.seq)).first() is not None:
                return Claim(reminder_id, occurrence, owner, 1, retry=False)
        return self._take_over(
            reminder_id, occurrence, owner, now, channel, late, lease, max_attempts
        )

    def _take_over(
        self,
        reminder_id: str,
        occurrence: datetime,
        owner: str,
        now: datetime,
        channel: str,
        late: bool,
        lease: timedelta,
        max_attempts: int,
    ) -> Claim | None:
        c = deliveries.c
        lost_claim = and_(c.state == "claimed", c.lease_until < now)
        retry_due = and_(
            c.state == "failed",
            c.attempts < max_attempts,
            or_(c.lease_until.is_(None), c.lease_until <= now),
        )
        statement = (
            update(deliveries)
            .where(_key(reminder_id, occurrence), or_(lost_claim, retry_due))
            .values(
                state="claimed",
                attempts=c.attempts + 1,
                claimed_by=owner,
                lease_until=now + lease,
                channel=channel,
                late=late,
                updated_at=now,
            )
            .returning(c.attempts)
        )
        with self._engine.begin() as connection:
            attempt = connection.execute(statement).scalar()
        if attempt is None:
            return None
        return Claim(reminder_id, occurrence, owner, int(attempt), retry=True)

    # --- settling a claim ---------------------------------------------------------------------

    def mark_sent(self, claim: Claim, *, ts: str | None, channel: str, now: datetime) -> bool:
        return self._settle(
            claim, now, state="sent", message_ts=ts, channel=channel, last_error=None
        )

    def mark_failed(
        self, claim: Claim, *, error: str, now: datetime, retry_at: datetime | None
    ) -> bool:
        """Record a failure; ``retry_at`` is the earliest moment a later sweep may try again."""
        return self._settle(
            claim, now, state="failed", last_error=error[:_ERROR_LIMIT], lease_until=retry_at
        )

    def mark_skipped(self, claim: Claim, *, reason: str, now: datetime) -> bool:
        return self._settle(claim, now, state="skipped", last_error=reason[:_ERROR_LIMIT])

    def _settle(self, claim: Claim, now: datetime, **values: Any) -> bool:
        """False when the claim was lost to another process (its lease ran out)."""
        c = deliveries.c
        statement = (
            update(deliveries)
            .where(
                _key(claim.reminder_id, claim.occurrence),
                c.state == "claimed",
                c.claimed_by == claim.owner,
                c.attempts == claim.attempt,
            )
            .values(updated_at=now, **values)
        )
        with self._engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    # --- occurrences nobody will post -------------------------------------------------------

    def record_skipped(
        self, reminder_id: str, occurrence: datetime, *, reason: str, now: datetime
    ) -> bool:
        """Record an occurrence too old to post; False when it already had a row."""
        statement = self._insert_ignoring_conflict().values(
            reminder_id=reminder_id,
            occurrence_utc=occurrence,
            state="skipped",
            attempts=0,
            late=True,
            last_error=reason[:_ERROR_LIMIT],
            created_at=now,
            updated_at=now,
        )
        with self._engine.begin() as connection:
            return connection.execute(statement.returning(deliveries.c.seq)).first() is not None

    def abandon_lost_claim(
        self, reminder_id: str, occurrence: datetime, *, reason: str, now: datetime
    ) -> bool:
        """Give up an expired claim that is now too old to retry: failed, with the reason."""
        c = deliveries.c
        statement = (
            update(deliveries)
            .where(_key(reminder_id, occurrence), c.state == "claimed", c.lease_until < now)
            .values(state="failed", last_error=reason[:_ERROR_LIMIT], updated_at=now)
        )
        with self._engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    # --- reading ------------------------------------------------------------------------------

    def get(self, reminder_id: str, occurrence: datetime) -> Delivery | None:
        query = select(deliveries).where(_key(reminder_id, occurrence))
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _delivery(row._mapping)

    def since(self, reminder_id: str, start: datetime) -> dict[datetime, Delivery]:
        """Rows of one reminder from ``start`` on, by occurrence: one query per sweep."""
        c = deliveries.c
        query = select(deliveries).where(c.reminder_id == reminder_id, c.occurrence_utc >= start)
        with self._engine.connect() as connection:
            found = [_delivery(row._mapping) for row in connection.execute(query)]
        return {d.occurrence: d for d in found}

    def all(self) -> list[Delivery]:
        query = select(deliveries).order_by(deliveries.c.occurrence_utc, deliveries.c.seq)
        with self._engine.connect() as connection:
            return [_delivery(row._mapping) for row in connection.execute(query)]

    def last_outcome(self) -> dict[str, object] | None:
        """The most recently settled delivery, for /healthz."""
        c = deliveries.c
        query = (
            select(deliveries)
            .where(c.state.in_(("sent", "failed", "skipped")))
            .order_by(c.updated_at.desc(), c.seq.desc())
            .limit(1)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        d = _delivery(row._mapping)
        return {
            "reminder_id": d.reminder_id,
            "occurrence": d.occurrence.isoformat(),
            "state": d.state,
            "at": d.updated_at.isoformat(),
            "late": d.late,
            "attempts": d.attempts,
            "channel": d.channel,
            "ts": d.message_ts,
            "error": d.last_error if d.state != "sent" else None,
        }

    def _insert_ignoring_conflict(self) -> Insert:
        # ON CONFLICT DO NOTHING rather than catching IntegrityError: losing the race is the
        # normal case here, and it must not abort a transaction or fill the server's log.
        # Callers add RETURNING to learn whether the row went in: psycopg reports rowcount -1.
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(deliveries).on_conflict_do_nothing(
                constraint="uq_newsbot_delivery_occurrence"
            )
        return sqlite.insert(deliveries).on_conflict_do_nothing(
            index_elements=["reminder_id", "occurrence_utc"]
        )


def _key(reminder_id: str, occurrence: datetime) -> Any:
    return and_(deliveries.c.reminder_id == reminder_id, deliveries.c.occurrence_utc == occurrence)


def _delivery(row: RowMapping) -> Delivery:
    return Delivery(
        reminder_id=row["reminder_id"],
        occurrence=row["occurrence_utc"],
        state=row["state"],
        attempts=row["attempts"],
        claimed_by=row["claimed_by"],
        lease_until=row["lease_until"],
        channel=row["channel"],
        message_ts=row["message_ts"],
        late=bool(row["late"]),
        last_error=row["last_error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
