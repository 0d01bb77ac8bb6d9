"""SqlBook: the FollowUpBook kept in the database (bot.desk.model.FollowUpBook).

Curated follow-ups live in facts.yaml; only their events are stored here, so a redeploy with a
new facts.yaml keeps every resolve, snooze and reopen.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, QueuePool, func, insert, select

from bot.desk.model import ADDED_PREFIX, Action, BookUnavailable, FollowUp, FollowUpEvent
from bot.store.schema import added_followups, followup_events

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class SqlBook:
    """Follow-up events and added follow-ups in the database.

    With ``read_deadline`` (seconds), reads give up waiting after that long and raise
    :class:`BookUnavailable`. A PostgreSQL server that stops answering while its host's
    kernel keeps the connection open (a frozen process, a stalled disk) produces no error
    at all, so without a deadline every slash command reading follow-up status would wait
    past Slack's 3 seconds, and then for good. The read goes on in a daemon thread; while
    one has been waiting longer than the deadline, later reads give up at once instead of
    piling up behind it. Writes are not cut short: one that timed out might still commit,
    and "not saved" would then be a lie.
    """

    def __init__(self, engine: Engine, read_deadline: float | None = None) -> None:
        self._engine = engine
        self._deadline = read_deadline
        self._lock = threading.Lock()
        self._reading: dict[threading.Thread, float] = {}  # reads in flight, by start time
        self._version_sql: str | None = None
        self._changes = SqliteChanges(engine) if SqliteChanges.usable(engine) else None

    def added_followups(self) -> list[FollowUp]:
        return self._read(self._added_followups)

    def _added_followups(self) -> list[FollowUp]:
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
        return self._read(lambda: self._events(followup_id))

    def _events(self, followup_id: str | None) -> list[FollowUpEvent]:
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
        return self._read(self._version)

    def close(self) -> None:
        """Close the connection the book keeps for SQLite's change counter, if any."""
        if self._changes is not None:
            self._changes.close()

    def _version(self) -> tuple[int, ...]:
        if self._changes is not None:
            return self._changes.version(self._counted_version)
        return self._counted_version()

    def _counted_version(self) -> tuple[int, ...]:
        # The statement is compiled once, and run on a pooled DBAPI connection without
        # SQLAlchemy's per-statement work (14 us instead of 36 on SQLite).
        if self._version_sql is None:
            compiled = _VERSION_QUERY.compile(
                dialect=self._engine.dialect, compile_kwargs={"literal_binds": True}
            )
            self._version_sql = str(compiled)
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self._version_sql)
                row: tuple[Any, ...] = cursor.fetchone() or ()
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool, rolled back as SQLAlchemy does
        return tuple(int(n or 0) for n in row)

    def _read(self, read: Callable[[], _T]) -> _T:
        deadline = self._deadline
        if deadline is None:
            return read()
        started = time.monotonic()
        with self._lock:
            if any(started - at > deadline for at in self._reading.values()):
                raise BookUnavailable("the database has not answered an earlier read")
        answers: list[_T] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                answers.append(read())
            except BaseException as exc:  # handed to the caller below
                errors.append(exc)
            finally:
                with self._lock:
                    self._reading.pop(threading.current_thread(), None)
            took = time.monotonic() - started
            if took > deadline:  # the caller has moved on: tell the operator why
                log.warning(
                    "a follow-up read took %.1fs, past the %.1fs deadline; commands show "
                    "follow-ups without live status while reads are this slow",
                    took,
                    deadline,
                )

        thread = threading.Thread(target=run, name="book-read", daemon=True)
        with self._lock:
            self._reading[thread] = started
        thread.start()
        thread.join(deadline)
        if errors:
            raise errors[0]
        if not answers:
            raise BookUnavailable(f"the database did not answer within {deadline:.1f}s")
        return answers[0]


_PARENTS_CONNECTIONS: list[Any] = []


class SqliteChanges:
    """Whether anyone committed to a SQLite file since the book's version was last counted,
    from SQLite's own counter: ``PRAGMA data_version`` changes, on a connection that does not
    write, whenever any other connection (any thread, any process) commits to the file.

    The version is asked on most requests. Counting both tables (and checking a pooled
    connection out and in) cost ~16 µs in-process and more under load, growing with the
    number of events; the counter is one pragma on a connection kept for it (~2 µs). It is
    still read from the file on every call, so a change from another worker or process
    shows at once, as before; only the counting is skipped while nothing was committed.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._connection: Any = None
        self._opened_in = 0  # the process that opened it: a connection must not cross a fork
        self._seen: tuple[int, tuple[int, ...]] | None = None  # counter, version counted after

    @staticmethod
    def usable(engine: Engine) -> bool:
        """A SQLite file behind a pool of connections (an in-memory database is one
        connection's own, so another connection would watch a different database)."""
        return engine.dialect.name == "sqlite" and isinstance(engine.pool, QueuePool)

    def version(self, count: Callable[[], tuple[int, ...]]) -> tuple[int, ...]:
        changes = self._counter()
        seen = self._seen
        if seen is not None and seen[0] == changes:
            return seen[1]
        # Counted after the counter was read: a commit in between changes the counter again,
        # so the next call counts again rather than keep a version older than the file.
        version = count()
        self._seen = (changes, version)
        return version

    def _counter(self) -> int:
        with self._lock:
            if self._connection is None or self._opened_in != os.getpid():
                self._open()
            try:
                cursor = self._connection.execute("PRAGMA data_version")
                row = cursor.fetchone()
                cursor.close()
            except Exception:
                self._forget()  # opened again on the next call
                raise
            return int(row[0])

    def _open(self) -> None:
        # A connection of the engine's own making (its pragmas: busy timeout, WAL), taken
        # out of the pool for good.
        if self._connection is not None:  # opened before a fork: the parent's, never closed
            _PARENTS_CONNECTIONS.append(self._connection)  # here (SQLite's rule for forks)
        pooled = self._engine.raw_connection()
        connection = pooled.dbapi_connection
        pooled.detach()
        self._connection, self._opened_in, self._seen = connection, os.getpid(), None

    def _forget(self) -> None:
        connection, self._connection, self._seen = self._connection, None, None
        if connection is not None and self._opened_in == os.getpid():
            connection.close()

    def close(self) -> None:
        with self._lock:
            self._forget()


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
