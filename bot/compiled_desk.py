"""The desk ``newsbot serve`` hands its workers: compiled once (bot.desk.compiled), shared.

At start: the compiled desk whose files are unchanged is opened (a second for 100,000
facts); failing that the full check runs here and writes one for the next start. On a live
reload (bot.live_desk) the check runs in a child process (``python -m bot.compiled_desk``):
its peak memory is given back when it exits, instead of staying in the server beside the
desk it serves. Either way a desk is served only once the whole check has passed on exactly
the files it was read from; a folder that cannot be written only costs the sharing (each
worker then indexes the desk itself, as before compiled desks).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from bot.desk import compiled
from bot.desk.problems import Problem, errors
from bot.live_desk import Checked, Load, Served, check_here, served_here

log = logging.getLogger(__name__)


def open_served(path: Path, cache: Path) -> Served | None:
    """The compiled desk of ``path`` if its files are unchanged since it was checked."""
    found = compiled.find(path, cache)
    return open_at(found, path) if found is not None else None


def open_at(found: Path, path: Path) -> Served | None:
    """The desk compiled at ``found``, made in the server's master and frozen (see
    bot.runtime._freeze_shared); it can be made again from the same file."""
    opened = compiled.open_compiled(found, path, freeze=True)
    if opened is None:
        return None
    return Served(opened.desk, opened.version, opened.index, lambda: open_at(found, path))


def load_for_serving(path: Path, cache: Path, err: TextIO) -> Served | None:
    """What to serve at start: the compiled desk, or the full check and a new compiled desk;
    None after printing every problem (as ``newsbot check`` prints them)."""
    served = open_served(path, cache)
    if served is not None:
        log.info("serving the compiled desk %s (checked when it was compiled)", served.version)
        return served
    try:
        done = compiled.compile_desk(path, cache)
        written, problems = done.written, done.problems
    except OSError as error:  # the cache folder: the check itself raises no OSError
        _cannot_write(cache, error)
        return _checked_here(path, err)
    for problem in problems:
        print(problem, file=err)
    if written is None:
        bad = len(errors(problems))
        print(f"newsbot: {path} has {bad} problem(s); fix them and run `newsbot check`", file=err)
        return None
    log.info("checked the desk and compiled it into %s", written)
    return open_served(path, cache) or _checked_here(path, err)


def _checked_here(path: Path, err: TextIO) -> Served | None:
    served, problems = served_here(path)
    for problem in problems:
        print(problem, file=err)
    return served


def _cannot_write(cache: Path, error: OSError) -> None:
    log.warning(
        "cannot write the compiled desk into %s (%s): each worker indexes the desk itself; "
        "set NEWSBOT_DESK_CACHE to a folder this process may write",
        cache,
        error.strerror or error,
    )


def reloader(cache: Path) -> Load:
    """How a server reloads its desk: the compiled desk if the files are as checked, else
    the full check in a child process and the compiled desk it writes (the one served is
    kept on disk until the new one is open, in case it must be made again)."""

    def load(path: Path) -> tuple[Checked | None, list[Problem]]:
        found = compiled.find(path, cache)
        problems: list[Problem] = []
        if found is None:
            written, problems, failure = compile_in_child(path, cache)
            if failure is not None:
                _cannot_write(cache, OSError(failure))
                return check_here(path)
            if written is None:
                return None, problems
            found = compiled.find(path, cache)
        version = compiled.version_of(found) if found is not None else None
        if found is None or version is None:  # changed again since: the watcher calls again
            changed = Problem(str(path), 1, 1, "", "the desk changed while it was checked")
            return None, [changed]
        return Checked(version, lambda: _opened_alone(found, path, cache)), problems

    return load


def _opened_alone(found: Path, path: Path, cache: Path) -> Served | None:
    """The desk compiled at ``found``; once it is open, the older compiled desks go."""
    served = open_at(found, path)
    if served is not None:
        compiled.prune_others(path, cache, found)
    return served


def compile_in_child(path: Path, cache: Path) -> tuple[Path | None, list[Problem], str | None]:
    """``compile_desk`` in a fresh process, the older compiled desks kept: the compiled file
    (None if the desk has errors), every problem, and why nothing could be written (None
    when that was not the trouble)."""
    done = subprocess.run(  # noqa: S603 - this interpreter, this module, our own arguments
        [sys.executable, "-m", "bot.compiled_desk", str(path), str(cache), "--keep"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        stopped = Problem(str(path), 1, 1, "", f"the check stopped before it finished: {why}")
        return None, [stopped], None
    problems = [Problem(**fields) for fields in answer["problems"]]
    written = Path(answer["compiled"]) if answer["compiled"] else None
    return written, problems, answer["cannot_write"]


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.compiled_desk FACTS CACHE [--keep]``: one JSON object on stdout
    (``--keep``: the older compiled desks are left for the caller to remove)."""
    args = argv if argv is not None else sys.argv[1:]
    facts, cache = args[:2]
    written: Path | None = None
    problems: list[Problem] = []
    failure = None
    try:
        done = compiled.compile_desk(Path(facts), Path(cache), prune="--keep" not in args)
        written, problems = done.written, done.problems
    except OSError as error:
        failure = error.strerror or str(error)
    answer = {
        "compiled": str(written) if written is not None else None,
        "problems": [asdict(p) for p in problems],
        "cannot_write": failure,
    }
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
