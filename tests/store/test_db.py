"""Database: start-up errors a user can cause, health, and SQLite's sharing settings."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import normalize_database_url
from bot.store.db import Database, DatabaseError
from tests.store.databases import BACKENDS, empty_database_url


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    url = normalize_database_url(f"postgres://newsbot:s3cret-pw@127.0.0.1:{closed_port()}/news")
    database = Database(url)
    with pytest.raises(DatabaseError) as caught:
        database.create_schema()
    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert "newsbot:***@127.0.0.1" in message
    assert "check DATABASE_URL, that the server is running" in message
    assert database.ping() is False


def test_a_sqlite_file_in_a_missing_directory_says_what_to_check(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'no-such-dir' / 'newsbot.db'}")
    with pytest.raises(DatabaseError, match="directory exists and is writable"):
        database.create_schema()


@pytest.mark.parametrize("url", ["newsbot.db", "mysql://u:p@host/db"])
def test_an_unsupported_url_is_refused_at_once(url: str) -> None:
    with pytest.raises(DatabaseError, match="DATABASE_URL"):
        Database(url)


def test_schema_creation_is_idempotent_and_the_database_answers(database: Database) -> None:
    database.create_schema()
    database.create_schema()
    assert database.ping() is True
    assert database.kind in {"sqlite", "postgresql"}


def test_sqlite_is_shared_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsbot.db'}")
    database.create_schema()
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    assert database.kind == "sqlite"
    database.dispose()


@pytest.mark.postgres
def test_the_paas_form_of_a_postgres_url_is_accepted(postgres_url: str) -> None:
    paas = postgres_url.replace("postgresql://", "postgres://", 1)
    database = Database(normalize_database_url(paas))
    assert database.kind == "postgresql"
    assert database.ping() is True
    database.dispose()


def test_ping_gives_up_on_a_server_that_never_answers() -> None:
    # Accepts connections and never says a word, like a stalled server behind a live kernel.
    silent = socket.create_server(("127.0.0.1", 0))
    try:
        port = silent.getsockname()[1]
        database = Database(f"postgresql+psycopg://u@127.0.0.1:{port}/newsbot")
        started = time.monotonic()
        assert database.ping(timeout=0.5) is False
        assert database.ping(timeout=0.5) is False  # the first is still stuck: no second
        # Well before the 5 s connect timeout: /healthz answers 503 instead of hanging.
        assert time.monotonic() - started < 3
        database.dispose()
    finally:
        silent.close()


def create_schemas_at_once(databases: list[Database]) -> list[BaseException]:
    """Each database's create_schema from its own thread, released at the same moment."""
    together = threading.Barrier(len(databases))
    failures: list[BaseException] = []

    def start(database: Database) -> None:
        together.wait(timeout=30)
        try:
            database.create_schema()
        except BaseException as exc:  # reported by the caller
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(db,)) for db in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a create_schema never returned"
    return failures


@pytest.mark.parametrize("backend", BACKENDS)
def test_processes_starting_together_all_create_the_schema(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Every process creates missing tables at start; a dyno formation starts them at once."""
    for round_ in range(8):
        folder = tmp_path / f"round-{round_}"
        folder.mkdir()
        with empty_database_url(backend, request, folder) as url:
            databases = [Database(url) for _ in range(6)]
            assert create_schemas_at_once(databases) == []
            assert databases[0].book().events() == []
            for database in databases:
                database.dispose()
