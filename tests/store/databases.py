"""Real databases for tests: a SQLite file under tmp_path, or a fresh PostgreSQL schema.

Each PostgreSQL test gets a schema of its own (dropped afterwards) through the connection's
search_path, so tests are independent and can run in any order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.config import normalize_database_url
from bot.store.db import Database

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A normalised URL whose connections see only a new, empty schema."""
    name = f"newsbot_test_{uuid.uuid4().hex[:12]}"
    base = normalize_database_url(url)
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        scoped = make_url(base).update_query_dict({"options": f"-csearch_path={name}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'newsbot.db'}"


@contextmanager
def empty_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """The URL of an empty database on ``backend`` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, once per backend."""
    with empty_database_url(request.param, request, tmp_path) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.create_schema()
    try:
        yield db
    finally:
        db.dispose()
