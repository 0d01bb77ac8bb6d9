"""bot.live_desk in-process: which files are watched, when a reload swaps the desk, and that a
broken edit is refused and its problems logged once with file and line."""

from __future__ import annotations

import gc
import logging
import os
import threading
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot import live_desk
from bot.desk.load import load_desk
from bot.live_desk import SLICE_FILES, DeskWatcher, LiveDesk, desk_files, desk_version
from tests.desk.files import SEED_NAME, desk_folder, edited
from tests.waiting import wait_for

LABEL = "label: Parents not located"


def bump(path: Path) -> None:
    """A later modification time without waiting for the clock to move."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_the_watched_files_are_the_facts_file_and_each_source_text(tmp_path: Path) -> None:
    facts = desk_folder(tmp_path)
    assert desk_files(load_desk(facts)) == (facts, tmp_path / SEED_NAME)


def test_the_watcher_calls_back_once_per_change_to_any_file(tmp_path: Path) -> None:
    facts = desk_folder(tmp_path)
    desk = load_desk(facts)
    calls: list[int] = []
    watcher = DeskWatcher(lambda: desk_files(desk), lambda: calls.append(1))
    assert watcher.poll() is False
    bump(tmp_path / SEED_NAME)
    assert watcher.poll() is True and watcher.poll() is False
    facts.write_text(edited(LABEL, "label: Parents unaccounted for"), encoding="utf-8")
    bump(facts)
    assert watcher.poll() is True
    facts.unlink()
    assert watcher.poll() is True
    assert len(calls) == 3


def test_the_running_watcher_looks_at_every_file_of_a_big_desk_a_slice_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [tmp_path / f"story-{n:04d}.yaml" for n in range(SLICE_FILES * 3 + 7)]
    for path in files:
        path.write_text("title: a story\n", encoding="utf-8")
    calls = threading.Event()
    watcher = DeskWatcher(lambda: files, calls.set, every=0.2)
    stats: list[int] = []
    real_marks = live_desk._marks

    def counted(part: Sequence[Path]) -> Iterator[tuple[Path, tuple[int, int]]]:
        stats.append(len(part))
        return real_marks(part)

    monkeypatch.setattr(live_desk, "_marks", counted)
    try:
        watcher.start()
        wait_for(lambda: sum(stats) >= len(files))  # a whole cycle, unchanged
        assert not calls.is_set()
        assert max(stats) <= SLICE_FILES
        bump(files[-1])  # in the last slice
        wait_for(calls.is_set)
    finally:
        watcher.stop()


def test_a_sound_change_swaps_the_desk_and_its_version(tmp_path: Path) -> None:
    facts = desk_folder(tmp_path)
    live = LiveDesk(facts, load_desk(facts))
    first = live.version
    assert live.reload() is False  # nothing changed: the workers are left alone
    facts.write_text(edited(LABEL, "label: Parents unaccounted for"), encoding="utf-8")
    assert live.reload() is True
    assert live.version != first and live.version == desk_version(live.desk)
    assert live.desk.fact("parents-not-located").label == "Parents unaccounted for"  # type: ignore[union-attr]


def test_a_broken_change_keeps_the_old_desk_and_logs_each_problem_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    facts = desk_folder(tmp_path)
    live = LiveDesk(facts, load_desk(facts))
    desk, version = live.desk, live.version
    broken = edited(LABEL, "label: [unclosed")
    facts.write_text(broken, encoding="utf-8")
    line = broken[: broken.index("label: [unclosed")].count("\n") + 1
    with caplog.at_level(logging.INFO, logger="bot.live_desk"):
        assert live.reload() is False
        assert live.reload() is False  # the same problems: not logged again
    assert live.desk is desk and live.version == version
    problems = [r.getMessage() for r in caplog.records if r.getMessage().startswith("desk problem")]
    assert len(problems) == 1, problems
    assert f"{facts}:{line + 1}:" in problems[0] or f"{facts}:{line}:" in problems[0]
    assert any(f"still serving version {version}" in r.getMessage() for r in caplog.records)


def test_the_files_of_a_desk_are_listed_once_and_do_not_keep_it_alive(tmp_path: Path) -> None:
    desk = load_desk(desk_folder(tmp_path))
    first = desk_files(desk)
    assert desk_files(desk) is first  # the watcher asks every second
    gone = weakref.ref(desk)
    del desk
    gc.collect()
    assert gone() is None  # a reloaded server lets its old desk go
    (tmp_path / "other").mkdir()
    other = load_desk(desk_folder(tmp_path / "other"))
    assert desk_files(other)[0] == tmp_path / "other" / "facts.yaml"
