"""Compiled desks (bot.desk.compiled, bot.compiled_desk): a desk is checked in full once and
then opened from its compiled file, only while every file still holds the bytes that were
checked; a changed file means the whole check again, and a desk that fails it is never
compiled or served."""

from __future__ import annotations

import gc
import io
import logging
import os
import weakref
from pathlib import Path

import pytest

from bot import compiled_desk
from bot.cli import main
from bot.desk import compiled
from bot.desk.search import SearchIndex
from bot.live_desk import Checked, LiveDesk, desk_version
from tests.desk.files import SEED_NAME, desk_folder, edited, line_of
from tests.desk.stories_files import two_story_desk

LABEL = "label: Parents not located"
NEW_LABEL = "label: Parents unaccounted for"


def compile_now(facts: Path) -> Path:
    done = compiled.compile_desk(facts, compiled.cache_folder(facts))
    assert done.written is not None, "\n".join(map(str, done.problems))
    return done.written


def served_label(facts: Path) -> str | None:
    served = compiled_desk.load_for_serving(facts, compiled.cache_folder(facts), io.StringIO())
    assert served is not None
    fact = served.desk.fact("parents-not-located")
    assert fact is not None
    return fact.label


def no_check(path: object, record: object = None) -> object:
    raise AssertionError("the desk was checked again")


def test_a_compiled_desk_answers_as_the_checked_desk_does(tmp_path: Path) -> None:
    facts = two_story_desk(tmp_path)
    opened = compiled.open_compiled(compile_now(facts), facts)
    assert opened is not None
    built = SearchIndex.build(opened.desk)
    for query in ("545", "parnets", "fare", "story:transit fare", "kind:figure parents"):
        mine = [hit.item.id for hit in opened.index.search(query).hits]
        assert mine == [hit.item.id for hit in built.search(query).hits], query
        assert mine or query == "fare", query
    assert opened.version == desk_version(opened.desk)


def test_start_up_opens_the_compiled_desk_without_checking_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = desk_folder(tmp_path)
    compile_now(facts)
    monkeypatch.setattr(compiled, "check_file", no_check)
    assert served_label(facts) == "Parents not located"


@pytest.mark.parametrize("which", ["facts", "seed", "story"])
def test_a_changed_file_is_never_served_from_the_old_compiled_desk(
    tmp_path: Path, which: str
) -> None:
    facts = two_story_desk(tmp_path)
    old = compile_now(facts)
    if which == "facts":
        facts.write_text(edited(LABEL, NEW_LABEL, facts.read_text()), encoding="utf-8")
    elif which == "seed":
        seed = tmp_path / SEED_NAME
        seed.write_text(seed.read_text(encoding="utf-8") + "\nA new paragraph.\n")
    else:
        story = tmp_path / "stories" / "transit.yaml"
        story.write_text(edited("title: Riverton", "title: The Riverton", story.read_text()))
    assert compiled.find(facts, compiled.cache_folder(facts)) is None
    served = compiled_desk.load_for_serving(facts, compiled.cache_folder(facts), io.StringIO())
    assert served is not None and served.version == desk_version(served.desk)
    assert not old.exists()  # replaced by the desk compiled from the changed files
    if which == "facts":
        assert served_label(facts) == "Parents unaccounted for"
    if which == "story":
        assert served.desk.stories[1].title.startswith("The Riverton")


def test_a_change_is_found_by_content_even_with_the_same_size_and_time(tmp_path: Path) -> None:
    facts = desk_folder(tmp_path)
    compile_now(facts)
    seed = tmp_path / SEED_NAME
    before = seed.stat()
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("545", "546", 1), encoding="utf-8")  # same length
    os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert seed.stat().st_size == before.st_size
    assert compiled.find(facts, compiled.cache_folder(facts)) is None
    err = io.StringIO()
    assert compiled_desk.load_for_serving(facts, compiled.cache_folder(facts), err) is None
    assert "545" in err.getvalue()  # the quote no longer found verbatim: the full check ran


def test_a_desk_that_fails_the_check_is_not_compiled_and_says_where(tmp_path: Path) -> None:
    facts = desk_folder(tmp_path, edited(LABEL, "label: TODO"))
    err = io.StringIO()
    assert compiled_desk.load_for_serving(facts, compiled.cache_folder(facts), err) is None
    assert f"{facts}:{line_of('label: Parents not located')}:" in err.getvalue()
    assert "fix them and run `newsbot check`" in err.getvalue()
    assert list(compiled.compiled_files(compiled.cache_folder(facts))) == []


def test_a_compiled_desk_by_other_code_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = desk_folder(tmp_path)
    compile_now(facts)
    monkeypatch.setattr(compiled, "code_digest", lambda: "another-version")
    assert compiled.find(facts, compiled.cache_folder(facts)) is None


def test_a_torn_compiled_file_is_compiled_again(tmp_path: Path) -> None:
    facts = desk_folder(tmp_path)
    written = compile_now(facts)
    written.write_bytes(written.read_bytes()[:1000])
    assert compiled.find(facts, compiled.cache_folder(facts)) is None
    assert served_label(facts) == "Parents not located"


def test_a_cache_folder_that_cannot_be_written_still_serves_the_checked_desk(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    facts = desk_folder(tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    with caplog.at_level(logging.WARNING, logger="bot.compiled_desk"):
        served = compiled_desk.load_for_serving(facts, blocked, io.StringIO())
    assert served is not None and served.index is None  # each worker indexes it itself
    assert served.desk.fact("parents-not-located") is not None
    assert any("NEWSBOT_DESK_CACHE" in r.getMessage() for r in caplog.records)


def test_a_live_reload_checks_the_change_in_a_child_and_serves_its_compiled_desk(
    tmp_path: Path,
) -> None:
    facts = desk_folder(tmp_path)
    cache = compiled.cache_folder(facts)
    served = compiled_desk.load_for_serving(facts, cache, io.StringIO())
    assert served is not None
    live = LiveDesk(facts, served, compiled_desk.reloader(cache))
    assert live.reload() is False  # unchanged: nothing checked, nothing swapped
    facts.write_text(edited(LABEL, NEW_LABEL), encoding="utf-8")
    assert live.reload() is True
    assert live.index is not None and live.version == desk_version(live.desk)
    assert [hit.item.id for hit in live.index.search("unaccounted").hits][:1] == [
        "parents-not-located"
    ]
    assert list(compiled.compiled_files(cache)) == [compiled.find(facts, cache)]  # the old: gone


def test_a_broken_edit_during_a_reload_keeps_the_compiled_desk_serving(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    facts = desk_folder(tmp_path)
    cache = compiled.cache_folder(facts)
    served = compiled_desk.load_for_serving(facts, cache, io.StringIO())
    assert served is not None
    live = LiveDesk(facts, served, compiled_desk.reloader(cache))
    broken = edited(LABEL, "label: TODO")
    facts.write_text(broken, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="bot.live_desk"):
        assert live.reload() is False
    assert live.served is served
    problems = [r.getMessage() for r in caplog.records if r.getMessage().startswith("desk problem")]
    assert problems and f"{facts}:{line_of('label: Parents not located')}:" in problems[0]
    assert len(list(compiled.compiled_files(cache))) == 1  # nothing compiled from the break


def test_a_replaced_desk_is_freed_without_the_cycle_collector(tmp_path: Path) -> None:
    """A server freezes its desk (gc.freeze) before forking, so the collector never frees
    it: the old desk must go by reference counting alone once a reload replaces it."""
    facts = desk_folder(tmp_path)
    cache = compiled.cache_folder(facts)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        served = compiled_desk.load_for_serving(facts, cache, io.StringIO())
        assert served is not None and served.index is not None
        served.index.search("parents")
        served.index.search("parnets")
        old_desk, old_index = weakref.ref(served.desk), weakref.ref(served.index)
        live = LiveDesk(facts, served, compiled_desk.reloader(cache))
        del served
        facts.write_text(edited(LABEL, NEW_LABEL), encoding="utf-8")
        assert live.reload() is True
        assert old_desk() is None and old_index() is None
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def test_check_compile_writes_the_compiled_desk_once_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = desk_folder(tmp_path)
    assert main(["check", "--compile", str(facts)], environ={}) == 0
    written = compiled.find(facts, compiled.cache_folder(facts))
    assert written is not None and f"compiled into {written}" in capsys.readouterr().out
    assert main(["check", "--compile", str(facts)], environ={}) == 0
    assert f"unchanged since it was checked and compiled into {written}" in capsys.readouterr().out


def test_check_compile_into_a_folder_it_cannot_write_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = desk_folder(tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    environ = {"NEWSBOT_DESK_CACHE": str(blocked)}
    assert main(["check", "--compile", str(facts)], environ=environ) == 1
    err = capsys.readouterr().err
    assert f"cannot write the compiled desk into {blocked}" in err and "Traceback" not in err


def test_a_reload_lets_the_old_desk_go_first_and_makes_it_again_if_the_new_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    facts = desk_folder(tmp_path)
    served = compiled_desk.load_for_serving(facts, compiled.cache_folder(facts), io.StringIO())
    assert served is not None and served.again is not None
    first = weakref.ref(served.desk)
    unreadable = Checked("another-version", lambda: None)
    live = LiveDesk(facts, served, lambda _path: (unreadable, []))
    version = served.version
    del served
    with caplog.at_level(logging.ERROR, logger="bot.live_desk"):
        assert live.reload() is False
    assert first() is None  # let go before the new one was made...
    assert live.version == version and live.desk.fact("parents-not-located") is not None
    assert any("could not be read; still serving" in r.getMessage() for r in caplog.records)
