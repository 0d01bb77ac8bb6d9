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

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.desk.model import Desk
from bot.desk.problems import Problem

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # how often the files are looked at (a stat each: nothing is read)

Stamp = tuple[tuple[str, int, int], ...]
CheckFile = Callable[[Path], tuple[Desk | None, list[Problem]]]


def desk_files(desk: Desk) -> tuple[Path, ...]:
    """Every file the desk was read from: the facts file, each story file, each source text."""
    folder = desk.path.parent
    stories = [folder / story.file for story in desk.stories[1:]]
    sources = sorted({folder / source.file for source in desk.sources.values()})
    return (desk.path, *stories, *sources)


def stamp(files: Sequence[Path]) -> Stamp:
    """Size and modification time of each file (-1, -1 for one that is missing)."""
    seen = []
    for path in files:
        try:
            info = path.stat()
        except OSError:
            seen.append((str(path), -1, -1))
            continue
        seen.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(seen)


def desk_version(desk: Desk) -> str:
    """A short digest of what the desk was loaded from (facts and story files, source texts): two
    processes showing the same value serve the same desk."""
    digest = hashlib.sha256()
    for path in (desk.path, *(desk.path.parent / s.file for s in desk.stories[1:])):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(str(path).encode())
    for source_id in sorted(desk.sources):
        digest.update(source_id.encode() + b"\0" + desk.sources[source_id].text.encode())
    return digest.hexdigest()[:12]


class LiveDesk:
    """The desk a server hands to the workers it starts, replaced only by a sound one."""

    def __init__(self, path: Path, desk: Desk, check_file: CheckFile | None = None) -> None:
        self.path = path
        self.desk = desk
        self.version = desk_version(desk)
        self._check_file = check_file or _check_file
        self._logged: tuple[str, ...] = ()  # the problems last logged, so each is logged once

    def reload(self) -> bool:
        """Load and check the desk; True when a different, sound desk is now current."""
        desk, problems = self._check_file(self.path)
        if desk is None or problems:
            self._log_problems(problems)
            return False
        self._logged = ()
        version = desk_version(desk)
        if version == self.version:
            log.info("the desk is unchanged (version %s); nothing to reload", version)
            return False
        old, self.desk, self.version = self.version, desk, version
        log.info(
            "reloaded the desk: version %s -> %s",
            old,
            version,
            extra={"event": "desk reloaded", "desk": version, "previous_desk": old},
        )
        return True

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


def _check_file(path: Path) -> tuple[Desk | None, list[Problem]]:
    from bot.desk.load import check_file

    return check_file(path)


class DeskWatcher:
    """Calls ``on_change`` when any of the desk's files changes; polls, so it works on every
    filesystem (a platform's volume, a bind mount) and needs no extra dependency."""

    def __init__(
        self,
        files: Callable[[], Sequence[Path]],
        on_change: Callable[[], None],
        every: float = POLL_SECONDS,
    ) -> None:
        self._files = files
        self._on_change = on_change
        self._every = every
        self._seen = stamp(files())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> bool:
        """Look once; True (after calling ``on_change``) when something changed."""
        now = stamp(self._files())
        if now == self._seen:
            return False
        self._seen = now
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
        while not self._stop.wait(self._every):
            try:
                self.poll()
            except Exception:  # a watcher that dies silently would stop live edits for good
                log.exception("watching the desk's files failed; still watching")
