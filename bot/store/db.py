"""The database: one engine for SQLite or PostgreSQL, the schema, and the two stores on it.

SQLite is shared by several processes and scheduler threads, so every connection turns on WAL
(readers never block the writer) and a busy timeout (a writer waits for the lock instead of
failing with "database is locked"). PostgreSQL connections are pre-pinged, because a PaaS
database restarts and drops idle connections.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from bot.config import DEFAULT_POOL_SIZE, redact_url, url_password
from bot.store.book import SqlBook
from bot.store.ledger import Ledger
from bot.store.said import SaidStore
from bot.store.schema import metadata

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_S = 5
PING_TIMEOUT_S = 2.0
# A follow-up read normally takes milliseconds; past this a slash command answers without
# live status rather than miss Slack's 3 seconds (see SqlBook).
ANSWER_WITHIN_S = 1.5


class DatabaseError(RuntimeError):
    """The database cannot be used; the message names the redacted URL and what to check."""


# A server that stops answering without closing the connection (a network partition, a
# stalled host) must fail queries within seconds, not hang /healthz, commands and reminders:
# TCP keepalives and tcp_user_timeout notice a dead peer, statement_timeout a stuck query.
POSTGRES_CONNECT_ARGS: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT_S,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 3,
    "keepalives_count": 3,
    "tcp_user_timeout": 5000,  # ms
}
STATEMENT_TIMEOUT_OPTION = "-c statement_timeout=5000"  # ms


POOL_TIMEOUT_S = 10  # a request waiting this long for a free connection gets an error


class Database:
    def __init__(self, url: str, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self.url = redact_url(url)
        self._pool_size = pool_size
        try:
            parsed = make_url(url)
            parsed.port  # noqa: B018 - SQLAlchemy checks the port only when asked for it
        except (ArgumentError, ValueError):
            raise DatabaseError(
                f"DATABASE_URL={self.url!r} is not a database URL: use sqlite:///newsbot.db "
                "or postgresql://user:password@host:5432/name (the port a number; a password "
                "with @, : or / in it written as %40, %3A, %2F)"
            ) from None
        if "@" in (url_password(url) or ""):
            # SQLAlchemy (and libpq) would take the part after the first @ for the host name
            # and then print it in their errors: stop here, with the password masked.
            raise DatabaseError(
                f"DATABASE_URL={self.url!r}: the password contains '@'; write each @ in it "
                "as %40 (percent-encoded)"
            )
        query_password = parsed.query.get("password")
        self._passwords = tuple(
            p
            for p in (
                url_password(url),
                parsed.password,
                query_password if isinstance(query_password, str) else None,
            )
            if p
        )
        self.kind = parsed.get_backend_name()
        if self.kind not in {"sqlite", "postgresql"}:
            raise DatabaseError(
                f"DATABASE_URL={self.url!r}: only sqlite:/// and postgresql:// are supported"
            )
        self._ping_lock = threading.Lock()
        self._ping_flight: _Ping | None = None
        self._reachable = True
        self._books: list[SqlBook] = []  # closed with the engine
        try:
            self.engine: Engine = self._create_engine(url)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise DatabaseError(f"DATABASE_URL={self.url!r}: {self._reason(exc)}") from None

    def _create_engine(self, url: str) -> Engine:
        if self.kind == "sqlite":
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        # libpq takes one "options" string: keep the URL's own (a search_path, say) too.
        own = make_url(url).query.get("options")
        options = " ".join(o for o in (own, STATEMENT_TIMEOUT_OPTION) if isinstance(o, str))
        args = {**POSTGRES_CONNECT_ARGS, "options": options}
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args=args,
            pool_size=self._pool_size,
            max_overflow=0,  # DATABASE_POOL_SIZE is the most this process opens
            pool_timeout=POOL_TIMEOUT_S,
        )

    def create_schema(self) -> None:
        """Create missing tables; safe to call from every process at every start.

        Processes starting together race table by table: between "does it exist?" and
        "create it", another may create it. Each lost race means one more table or index
        exists, so trying again at most once per table and index always finishes.
        """
        objects = sum(1 + len(table.indexes) for table in metadata.sorted_tables)
        for attempt in range(objects + 1):
            try:
                metadata.create_all(self.engine, checkfirst=True)
                return
            except SQLAlchemyError as exc:
                if not _is_duplicate_race(exc) or attempt == objects:
                    raise DatabaseError(self._unreachable(exc)) from None
                log.debug("another process created part of the schema first; checking again")

    def ping(self, timeout: float = PING_TIMEOUT_S) -> bool:
        """True when a trivial query answers within ``timeout``; never raises or hangs.

        Callers at the same moment share one ping (a platform's checks and an operator's
        overlap): the first starts it on a helper thread, the others wait for the same
        answer, so N checks cost one query and agree. A server that stops answering while
        the kernel keeps the connection open blocks the driver with no error, so each caller
        waits at most ``timeout`` and then reports a time-out; a ping still stuck is joined,
        never doubled. The outage is logged once when it starts and once when it ends.
        """
        with self._ping_lock:
            flight = self._ping_flight
            if flight is None or flight.answered.is_set():
                flight = _Ping()
                self._ping_flight = flight
                # A daemon thread: one stuck for good must not hold up the process's exit.
                threading.Thread(
                    target=self._ping_once, args=(flight,), name="db-ping", daemon=True
                ).start()
        if not flight.answered.wait(timeout):
            self._note_health(False, f"no answer within {timeout:.1f}s")
            return False
        self._note_health(flight.ok, flight.reason)
        return flight.ok

    def _ping_once(self, flight: _Ping) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            flight.ok = True
        except Exception as exc:  # /healthz must answer whatever the driver throws
            flight.reason = self._reason(exc)
        finally:
            flight.answered.set()

    def _note_health(self, ok: bool, reason: str) -> None:
        """One warning when the database stops answering, one line when it is back."""
        with self._ping_lock:
            changed, self._reachable = ok != self._reachable, ok
        if changed and not ok:
            log.warning("database unreachable: %s (%s)", self.url, reason)
        elif changed:
            log.info("database reachable again: %s", self.url)

    def book(self, *, answer_within: float | None = None) -> SqlBook:
        """The follow-up book. ``answer_within``: for whatever answers a person (slash
        commands, buttons, App Home, the console), PostgreSQL reads give up after that many
        seconds (see SqlBook). Reminders leave it out: a slow database delays a post, it
        must not fail it. A local SQLite file has no server to stall, so no deadline."""
        deadline = answer_within if self.kind == "postgresql" else None
        book = SqlBook(self.engine, read_deadline=deadline)
        self._books.append(book)
        return book

    def ledger(self) -> Ledger:
        return Ledger(self.engine)

    def said(self) -> SaidStore:
        """The record of every message the bot posted or shared (for corrections)."""
        return SaidStore(self.engine)

    def dispose(self) -> None:
        for book in self._books:
            book.close()
        self.engine.dispose()

    def _reason(self, exc: BaseException) -> str:
        """The driver's first line, with the password removed should a driver echo it."""
        cause: BaseException = getattr(exc, "orig", None) or exc
        lines = str(cause).strip().splitlines()
        reason = lines[0] if lines else type(cause).__name__
        for password in sorted(self._passwords, key=len, reverse=True):
            reason = reason.replace(str(password), "***")
        return redact_url(reason)

    def _unreachable(self, exc: BaseException) -> str:
        if self.kind == "sqlite":
            hint = "check that the file's directory exists and is writable"
        else:
            hint = (
                "check DATABASE_URL, that the server is running, and that it accepts "
                "connections from this host with these credentials"
            )
        return f"cannot use the database at {self.url}: {self._reason(exc)}; {hint}"


class _Ping:
    """One ping in flight; every caller that arrives meanwhile waits for its answer."""

    def __init__(self) -> None:
        self.answered = threading.Event()
        self.ok = False
        self.reason = "no answer"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL once (the mode is kept in the file).

    Switching needs the file to itself, and SQLite answers "database is locked" at once,
    without waiting out the busy timeout, when another process is opening the same new
    file at that moment (several workers starting on a fresh file): so wait here.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _is_duplicate_race(exc: SQLAlchemyError) -> bool:
    text_ = str(getattr(exc, "orig", exc))
    return "already exists" in text_ or "duplicate key" in text_
