"""Live edits: a serving process notices a changed desk, checks it, and swaps it in whole.

``newsbot serve``: the gunicorn master holds a :class:`LiveDesk`. A change to the facts
file, a story file or a source text (noticed by :class:`DeskWatcher`, which polls their
sizes and modification times), or a SIGHUP, makes the master load and check the desk once.
A sound desk replaces the old one, and gunicorn starts fresh workers on it while the old
workers finish the requests they hold (its graceful reload): every request is answered
wholly from one desk, old or new. A desk that fails the check is not loaded: the old
workers keep serving, and each problem is logged once, with its file and line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.desk.compiled import desk_files, desk_version
from bot.desk.model import Desk
from bot.desk.problems import Problem
from bot.desk.search import SearchIndex

__all__ = ["Checked", "DeskWatcher", "LiveDesk", "Served", "desk_files", "desk_version"]

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # how often the files are looked at (a stat each: nothing is read)
SLICE_FILES = 100  # files looked at in one go


@dataclass(frozen=True)
class Served:
    """A checked desk as a server hands it to its workers."""

    desk: Desk
    version: str  # a digest of the files it was read from (bot.desk.compiled.Manifest)
    index: SearchIndex | None = None  # a compiled desk's index, shared; None: each builds one
    # How to make this desk again (a compiled desk: open its file), so that a server may let
    # it go before it makes the next one; None: it is kept until the next one is made.
    again: Callable[[], Served | None] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Checked:
    """A desk that passed the whole check, not made yet: its version and how to make it."""

    version: str
    make: Callable[[], Served | None]  # None: it could not be read after all


# Check the desk at a path: the sound desk to serve (None when there is none), every problem.
Load = Callable[[Path], tuple[Checked | None, list[Problem]]]


def _marks(files: Sequence[Path]) -> Iterator[tuple[Path, tuple[int, int]]]:
    """Each file's modification time and size ((-1, -1) for one that is missing)."""
    for path in files:
        try:
            info = path.stat()
        except OSError:
            yield path, (-1, -1)
            continue
        yield path, (info.st_mtime_ns, info.st_size)


class LiveDesk:
    """The desk a server hands to the workers it starts, replaced only by a sound one."""

    def __init__(self, path: Path, desk: Desk | Served, load: Load | None = None) -> None:
        self.path = path
        self.served = desk if isinstance(desk, Served) else Served(desk, desk_version(desk))
        self._load = load or check_here
        self._logged: tuple[str, ...] = ()  # the problems last logged, so each is logged once

    @property
    def desk(self) -> Desk:
        return self.served.desk

    @property
    def version(self) -> str:
        return self.served.version

    @property
    def index(self) -> SearchIndex | None:
        return self.served.index

    def reload(self) -> bool:
        """Load and check the desk; True when a different, sound desk is now current."""
        checked, problems = self._load(self.path)
        if checked is None or problems:
            self._log_problems(problems)
            return False
        self._logged = ()
        if checked.version == self.version:
            log.info("the desk is unchanged (version %s); nothing to reload", self.version)
            return False
        old = self.version
        served = self._replace(checked)
        if served is None:
            log.error(
                "the checked desk %s could not be read; still serving %s", checked.version, old
            )
            return False
        log.info(
            "reloaded the desk: version %s -> %s",
            old,
            served.version,
            extra={"event": "desk reloaded", "desk": served.version, "previous_desk": old},
        )
        return True

    def _replace(self, checked: Checked) -> Served | None:
        """The new desk, now current; None (the old one current still) if it cannot be made.

        A desk that can be made again is let go first, so that the new one is made in the
        memory the old one held: made beside it, Python keeps both desks' worth of memory
        for the rest of the server's life (freed objects leave their arenas half used).
        The workers serving the old desk have their own pages of it until they stop."""
        again = self.served.again
        if again is None:
            made = checked.make()
            if made is not None:
                self.served = made
            return made
        del self.served  # the only reference: the old desk is freed here
        made = checked.make()
        restored = made or again()
        if restored is None:
            raise RuntimeError(f"neither the new nor the old desk of {self.path} can be read")
        self.served = restored
        return made

    def _log_problems(self, problems: list[Problem]) -> None:
        lines = tuple(str(p) for p in problems) or (f"{self.path}: the desk could not be read",)
        if lines == self._logged:
            return
        self._logged = lines
        log.error(
            "the changed desk has %d problem(s); still serving version %s until they are fixed",
            len(problems),
            self.version,
            extra={"event": "desk refused", "desk": self.version},
        )
        for line in lines:
            log.error("desk problem: %s", line)


def check_here(path: Path) -> tuple[Checked | None, list[Problem]]:
    """The whole check in this process (each worker then indexes the desk itself)."""
    served, problems = served_here(path)
    if served is None:
        return None, problems
    return Checked(served.version, lambda: served), problems


def served_here(path: Path) -> tuple[Served | None, list[Problem]]:
    """The desk checked in this process, to serve without a compiled desk."""
    from bot.desk.load import check_file

    desk, problems = check_file(path)
    return (Served(desk, desk_version(desk)) if desk is not None else None), problems


class DeskWatcher:
    """Calls ``on_change`` when any of the desk's files changes; polls, so it works on every
    filesystem (a platform's volume, a bind mount) and needs no extra dependency.

    A stat costs ~5 µs here, so an archive's 3,000 files are looked at SLICE_FILES at a time,
    spread over each ``every`` seconds: all at once, they took the serving cores 15 ms in
    every second, and requests answered meanwhile waited."""

    def __init__(
        self,
        files: Callable[[], Sequence[Path]],
        on_change: Callable[[], None],
        every: float = POLL_SECONDS,
    ) -> None:
        self._files = files
        self._on_change = on_change
        self._every = every
        self._seen = dict(_marks(files()))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> bool:
        """Look at every file once; True (after calling ``on_change``) when one changed."""
        return self._look(self._files())

    def _look(self, files: Sequence[Path]) -> bool:
        """Look at ``files``; on a change, call back and start again from what is there now."""
        if all(self._seen.get(path) == mark for path, mark in _marks(files)):
            return False
        self._seen = dict(_marks(self._files()))
        self._on_change()
        return True

    def start(self) -> DeskWatcher:
        self._thread = threading.Thread(target=self._run, name="newsbot-desk-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self._every + 1.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._cycle()
            except Exception:  # a watcher that dies silently would stop live edits for good
                log.exception("watching the desk's files failed; still watching")
                self._stop.wait(self._every)

    def _cycle(self) -> None:
        """Every file once, a slice at a time, over ``every`` seconds."""
        files = self._files()
        slices = [files[n : n + SLICE_FILES] for n in range(0, len(files), SLICE_FILES)] or [[]]
        for part in slices:
            if self._stop.wait(self._every / len(slices)) or self._look(part):
                return
