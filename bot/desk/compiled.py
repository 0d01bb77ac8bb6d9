"""A compiled desk: checked once, kept on disk, opened in a second by every server.

Checking a newsroom's archive (100,000 facts in 1,000 story files) takes many seconds: every
file parsed, every quote found verbatim in its source. A compiled desk is what that check
produced, kept in one SQLite file: the checked desk and its search lookups (pickled), the
full-text tables of its search index, and a manifest of every file the desk was read from
with the SHA-256 of the bytes that were checked.

A compiled desk is used only while every file in its manifest still holds exactly those
bytes, and only by the code that compiled it (:func:`code_digest`): a changed, added or
missing file means a full check and a new compiled desk. A desk that fails the check is
never compiled. A compiled file is never written again once it is in place (a new desk is a
new file), so servers open it read-only and immutable, and its pages are shared through
the kernel's page cache by every worker.
"""

from __future__ import annotations

import copyreg
import functools
import gc
import hashlib
import json
import os
import pickle
import sqlite3
import sys
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from bot.desk.load import check_file
from bot.desk.model import AsOf, Desk, Fact, FollowUp, Source, Speaker
from bot.desk.problems import Problem, errors
from bot.desk.search import Lookups, SearchIndex, write_index

FORMAT = 1
CACHE_FOLDER = ".newsbot-cache"  # beside the facts file, unless NEWSBOT_DESK_CACHE says
_PREFIX = "desk-"
_SUFFIX = ".sqlite"
_CODE = Path(__file__).resolve().parent  # bot/desk: the checks, the model, the index


@dataclass(frozen=True)
class Compiled:
    """A compiled desk, opened: the desk, its search index and where they came from."""

    desk: Desk
    index: SearchIndex
    version: str  # a digest of the files' contents: the same files give the same version
    path: Path  # the compiled file


@dataclass(frozen=True)
class Manifest:
    """Every file a desk was read from (relative to the facts file's folder), with the
    SHA-256 of the bytes the check read."""

    files: tuple[tuple[str, str], ...]

    @property
    def version(self) -> str:
        digest = hashlib.sha256()
        for name, sha in self.files:
            digest.update(f"{name}\0{sha}\n".encode())
        return digest.hexdigest()[:12]

    def holds(self, folder: Path) -> bool:
        """Whether every file still holds the bytes that were checked."""
        return all(_sha256_of(folder / name) == sha for name, sha in self.files)

    def to_json(self) -> str:
        return json.dumps([list(entry) for entry in self.files])

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(tuple((str(name), str(sha)) for name, sha in json.loads(text)))


def desk_files(desk: Desk) -> tuple[Path, ...]:
    """Every file the desk was read from: the facts file, each story file, each source text.
    Kept for the last desk asked about (a server's file watcher asks every second; an
    archive's 3,000 paths took 20-30 ms to make), without keeping that desk alive."""
    global _last_files
    if _last_files is not None and _last_files[0]() is desk:
        return _last_files[1]
    folder = desk.path.parent
    stories = [folder / story.file for story in desk.stories[1:]]
    sources = sorted({folder / source.file for source in desk.sources.values()})
    found = (desk.path, *stories, *sources)
    _last_files = (weakref.ref(desk), found)
    return found


_last_files: tuple[weakref.ref[Desk], tuple[Path, ...]] | None = None


def desk_version(desk: Desk) -> str:
    """A short digest of the files the desk was read from, as they are now: two processes
    showing the same value serve the same desk (the version of a compiled desk whose files
    are unchanged)."""
    read = {}
    for path in desk_files(desk):
        sha = _sha256_of(path)
        read[_absolute(path)] = sha if sha is not None else "missing"
    return _manifest(desk.path, read).version


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@functools.cache
def code_digest() -> str:
    """The code a compiled desk depends on: the checks, the model and the index (bot/desk),
    the Python that pickled it and the SQLite that wrote its tables."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{sqlite3.sqlite_version}\0".encode())
    for module in sorted(_CODE.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def cache_folder(facts: Path, configured: str | None = None) -> Path:
    """Where compiled desks are kept: NEWSBOT_DESK_CACHE, or .newsbot-cache beside the
    facts file."""
    return Path(configured) if configured else facts.parent / CACHE_FOLDER


def _slot(facts: Path) -> str:
    """Compiled desks of one facts file: desk-<slot>-<code>-<version>.sqlite. The name only
    narrows the search; the manifest decides."""
    return hashlib.sha256(facts.name.encode()).hexdigest()[:12]


def _candidates(facts: Path, cache: Path) -> list[Path]:
    """This facts file's compiled desks by this code, the newest first."""
    found = list(cache.glob(f"{_PREFIX}{_slot(facts)}-{code_digest()}-*{_SUFFIX}"))
    return sorted(found, key=_modified, reverse=True)


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


# --- opening ---------------------------------------------------------------------------------


def find(facts: Path, cache: Path) -> Path | None:
    """The compiled desk whose files are exactly as they were checked, if there is one."""
    for path in _candidates(facts, cache):
        manifest = _manifest_of(path)
        if manifest is not None and manifest.holds(facts.parent):
            return path
    return None


def _manifest_of(path: Path) -> Manifest | None:
    """The manifest of a compiled desk by this code; None for anything else (another
    version's, a torn or foreign file)."""
    try:
        with closing(_read_only(path)) as conn:
            meta = dict(conn.execute("SELECT name, value FROM compiled WHERE name != 'desk'"))
    except (sqlite3.Error, OSError):
        return None
    if meta.get("code") != code_digest() or "manifest" not in meta:
        return None
    try:
        return Manifest.from_json(str(meta["manifest"]))
    except (ValueError, TypeError):
        return None


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def open_compiled(path: Path, facts: Path, *, freeze: bool = False) -> Compiled | None:
    """The desk compiled at ``path`` (found by :func:`find`); None if it cannot be read.

    ``freeze``: for a server about to fork its workers, every object of this process goes to
    the collector's permanent generation as soon as the desk is made (``gc.freeze``), so the
    collector never walks the desk's million objects, here or in a worker."""
    try:
        with closing(_read_only(path)) as conn:
            rows = dict(conn.execute("SELECT name, value FROM compiled"))
        desk, lookups = _unpickled(rows.pop("desk"), freeze)
        manifest = Manifest.from_json(str(rows["manifest"]))
    except (sqlite3.Error, OSError, KeyError, pickle.UnpicklingError, ValueError, EOFError):
        return None
    if not isinstance(desk, Desk) or not isinstance(lookups, Lookups):
        return None
    desk = _at(desk, facts)
    return Compiled(desk, SearchIndex.compiled(desk, lookups, path), manifest.version, path)


def _unpickled(data: bytes, freeze: bool) -> Any:
    """A million objects for 100,000 facts, none of them garbage: the collector's passes
    over them while they are made would double the time (as in bot.desk.load)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        value = pickle.loads(data)  # noqa: S301 - a file this code wrote, checked by its digest
        if freeze:
            gc.freeze()
        return value
    finally:
        if was_enabled:
            gc.enable()


def _at(desk: Desk, facts: Path) -> Desk:
    """The desk as loaded from ``facts`` (its path as this process names the file)."""
    return desk if desk.path == facts else replace(desk, path=facts)


# --- compiling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compiling:
    """What compiling a desk came to: the compiled file and the checked desk (both None
    when the check failed), and every problem, warnings included."""

    written: Path | None
    desk: Desk | None
    problems: list[Problem]


def compile_desk(facts: Path, cache: Path, *, prune: bool = True) -> Compiling:
    """Check the desk in full; if it is sound, write its compiled file into ``cache``
    (``prune``: and remove the older ones; see :func:`write_compiled`). Raises OSError when
    the folder cannot be written (the check itself raises none)."""
    read: dict[Path, str] = {}
    desk, problems = check_file(facts, lambda path, data: _remember(read, path, data))
    if desk is None or errors(problems):
        return Compiling(None, None, problems)
    manifest = _manifest(facts, read)
    written = write_compiled(desk, manifest, facts, cache, prune=prune)
    return Compiling(written, desk, problems)


def _remember(read: dict[Path, str], path: Path, data: bytes) -> None:
    read[_absolute(path)] = hashlib.sha256(data).hexdigest()


def _absolute(path: Path) -> Path:
    """Absolute, ".." folded, links not followed (a linked-in seeds/ stays under the desk)."""
    return Path(os.path.normpath(path.absolute()))


def _manifest(facts: Path, read: dict[Path, str]) -> Manifest:
    folder = _absolute(facts.parent)
    files = sorted(
        (Path(os.path.relpath(path, folder)).as_posix(), sha) for path, sha in read.items()
    )
    return Manifest(tuple(files))


def write_compiled(
    desk: Desk, manifest: Manifest, facts: Path, cache: Path, *, prune: bool = True
) -> Path:
    """Write a checked desk's compiled file (atomically: whole, or not at all); with
    ``prune``, remove the older ones of the same facts file (a server reloading keeps the
    one it serves until the new one is open: :func:`prune`). Raises OSError if the folder
    cannot be written."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"{_PREFIX}{_slot(facts)}-{code_digest()}-{manifest.version}{_SUFFIX}"
    handle, temporary = tempfile.mkstemp(prefix=".compiling-", suffix=_SUFFIX, dir=cache)
    os.close(handle)
    try:
        _write(Path(temporary), desk, manifest)
        Path(temporary).replace(target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    if prune:
        prune_others(facts, cache, target)
    return target


def prune_others(facts: Path, cache: Path, keep: Path) -> None:
    """Remove the compiled desks of ``facts`` (by any code) other than ``keep``."""
    for older in cache.glob(f"{_PREFIX}{_slot(facts)}-*{_SUFFIX}"):
        if older != keep:  # workers still reading it keep it open; unlinking is safe
            with suppress(OSError):
                older.unlink()


def version_of(path: Path) -> str | None:
    """The version of the desk compiled at ``path``, read without opening the desk."""
    manifest = _manifest_of(path)
    return manifest.version if manifest is not None else None


def _write(path: Path, desk: Desk, manifest: Manifest) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = OFF")  # written once, whole, then renamed
        conn.execute("PRAGMA synchronous = OFF")
        lookups = write_index(desk, conn)
        conn.execute("CREATE TABLE compiled (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
        rows: list[tuple[str, Any]] = [
            ("format", str(FORMAT)),
            ("code", code_digest()),
            ("manifest", manifest.to_json()),
        ]
        conn.executemany("INSERT INTO compiled VALUES (?, ?)", rows)
        _write_pickle(conn, path.with_suffix(".pickle"), (desk, lookups))
        conn.commit()
        conn.execute("VACUUM")  # the tables packed in order: fewer pages to map and read


# Values pickled as their class and fields, so that loading calls the class: dataclasses with
# slots and frozen otherwise set each field through a generic __setstate__, which made
# loading 100,000 facts half again as slow.
_BY_FIELDS = (Fact, FollowUp, Source, Speaker, AsOf)
_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in _BY_FIELDS}


def _by_fields(value: Any) -> tuple[type, tuple[Any, ...]]:
    return type(value), tuple(getattr(value, name) for name in _FIELDS[type(value)])


def _write_pickle(conn: sqlite3.Connection, scratch: Path, value: object) -> None:
    """Pickle ``value`` into the ``desk`` row, through a scratch file: a desk of 100,000
    facts pickles to ~45 MB, which need not be held in memory beside the desk."""
    table = copyreg.dispatch_table.copy()
    table.update(dict.fromkeys(_BY_FIELDS, _by_fields))
    try:
        with scratch.open("wb") as out:
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = table
            pickler.dump(value)
        size = scratch.stat().st_size
        row = conn.execute("INSERT INTO compiled VALUES ('desk', zeroblob(?))", (size,)).lastrowid
        assert row is not None
        with scratch.open("rb") as source, conn.blobopen("compiled", "value", row) as blob:
            while chunk := source.read(1 << 20):
                blob.write(chunk)
    finally:
        scratch.unlink(missing_ok=True)


def compiled_files(cache: Path) -> Iterator[Path]:
    """Every compiled desk in ``cache`` (for tests and housekeeping)."""
    return iter(sorted(cache.glob(f"{_PREFIX}*{_SUFFIX}")))
