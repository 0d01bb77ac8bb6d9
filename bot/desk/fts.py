"""The SQLite FTS5 tables a :class:`bot.desk.search.SearchIndex` queries.

Built in memory for a desk loaded in this process, or written once into a compiled desk's
file (:mod:`bot.desk.compiled`), which every worker of a server then opens read-only and
maps into memory: the index's pages are the kernel's page cache, shared by all of them,
instead of one private copy per worker.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

# Column order matters: the BM25 weights follow it.
COLUMNS = ("ident", "label", "value", "quote", "summary", "attribution", "tags", "scope")
# A figure's value and label say most about it; a word in an id or tag was chosen by an
# editor; summaries are our own words, so they count least. ``scope`` holds an item's kind
# and story for filters (bot.desk.search_scope), never a reason to rank it.
WEIGHTS = (4.0, 6.0, 10.0, 2.0, 1.0, 3.0, 4.0, 0.0)
STRONG_COLUMNS = ("ident", "label", "value", "attribution", "tags")
# Above this many matches, BM25 over every row costs more than the 2 ms a query may take.
RANK_ALL_LIMIT = 250
# A word in more than this many rows filters a search but does not rank it (BM25 weighs a word
# by reading every row that holds it). Never below RANK_ALL_LIMIT: a desk with no more rows
# than that has no ``strong`` table, and ranks every word.
COMMON_LIMIT = 800
# Contentless: only rowids and ranks are read back (the items are in memory), so the text is
# indexed but not stored a second time.
_FTS_OPTIONS = "tokenize='porter unicode61', content=''"
# Enough to map a compiled index of 100,000 facts whole (its file is ~60 MB); SQLite maps no
# more than the file holds.
_MMAP_BYTES = 1 << 30


Rows = Callable[[], Iterable[tuple[str, ...]]]


def write_tables(conn: sqlite3.Connection, rows: Rows, strong: bool) -> None:
    """Index ``rows()`` (one per item, in COLUMNS order; the rowid is the item's place) in
    ``docs``, and with ``strong`` the strong columns again in ``strong``. The rows are made
    as they are written (twice with ``strong``), never all held at once."""
    columns = ", ".join(COLUMNS)
    conn.execute(f"CREATE VIRTUAL TABLE docs USING fts5({columns}, {_FTS_OPTIONS})")
    placeholders = ", ".join("?" for _ in COLUMNS)
    conn.executemany(
        f"INSERT INTO docs(rowid, {columns}) VALUES (?, {placeholders})",  # noqa: S608
        ((n, *row) for n, row in enumerate(rows())),
    )
    if strong:
        _write_strong(conn, rows())
    # One b-tree a table instead of one per batch of inserts: each term is looked up once.
    for table in ("docs", "strong") if strong else ("docs",):
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608
    conn.commit()


def _write_strong(conn: sqlite3.Connection, rows: Iterable[tuple[str, ...]]) -> None:
    picks = [COLUMNS.index(c) for c in STRONG_COLUMNS]
    columns = ", ".join(STRONG_COLUMNS)
    conn.execute(f"CREATE VIRTUAL TABLE strong USING fts5({columns}, {_FTS_OPTIONS})")
    placeholders = ", ".join("?" for _ in STRONG_COLUMNS)
    conn.executemany(
        f"INSERT INTO strong(rowid, {columns}) VALUES (?, {placeholders})",  # noqa: S608
        ((n, *(row[k] for k in picks)) for n, row in enumerate(rows)),
    )


def open_read_only(path: Path) -> sqlite3.Connection:
    """A compiled index, read-only and memory-mapped. ``immutable``: the file is never
    written after it is compiled (a new desk is a new file), so SQLite takes no locks."""
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
    return conn


class Tables:
    """The index's connection: one for the process that built it in memory, or the compiled
    file's, opened by each process on first use (a connection must not cross a fork)."""

    def __init__(self, conn: sqlite3.Connection | None = None, path: Path | None = None) -> None:
        if (conn is None) == (path is None):
            raise ValueError("give either an open connection or a compiled index's path")
        self.path = path
        self._conn = conn
        self._pid = os.getpid()

    @classmethod
    def in_memory(cls, rows: Rows, strong: bool) -> Tables:
        # One connection shared by threads, guarded by the index's lock.
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        write_tables(conn, rows, strong)
        return cls(conn=conn)

    def connection(self) -> sqlite3.Connection:
        """This process's connection (call with the index's lock held)."""
        if self.path is not None and (self._conn is None or self._pid != os.getpid()):
            self._conn = open_read_only(self.path)
            self._pid = os.getpid()
        assert self._conn is not None
        return self._conn
