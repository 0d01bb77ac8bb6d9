"""newsroom.synonyms in facts.yaml: read into the desk, and every mistake named with
FILE:LINE:COL and what to write instead."""

from __future__ import annotations

import re
from pathlib import Path

from bot.desk.load import load_desk
from bot.desk.search import SearchIndex
from tests.desk.files import desk_folder, edited, line_of, only_problem, shipped_text


def with_synonyms(value: str) -> str:
    """The shipped facts.yaml with ``newsroom.synonyms: value`` instead of its own."""
    own = re.sub(
        r"\n  # Words the desk treats alike[^\n]*|\n  synonyms: [^\n]*", "", shipped_text()
    )
    return edited("  stale_after_days: 90\n", f"  stale_after_days: 90\n  synonyms: {value}\n", own)


def test_the_shipped_desk_reads_its_synonyms() -> None:
    desk = load_desk(Path(__file__).resolve().parents[2] / "facts.yaml")
    assert ("missing", "not located", "unaccounted for") in desk.newsroom.synonyms


def test_synonyms_written_in_the_file_change_what_a_search_finds(tmp_path: Path) -> None:
    desk = load_desk(desk_folder(tmp_path, with_synonyms("[[vanished, not located]]")))
    assert desk.newsroom.synonyms == (("vanished", "not located"),)
    hits = SearchIndex.build(desk).search("how many parents vanished").hits
    assert hits[0].item.id == "parents-not-located"


def test_a_group_of_one_is_named_with_its_line_and_an_example(tmp_path: Path) -> None:
    text = with_synonyms("[[missing]]")
    problem = only_problem(tmp_path, text)
    assert problem.key == "newsroom.synonyms[0]"
    assert problem.line == line_of("  synonyms: [[missing]]", text)
    assert "at least two" in problem.message
    assert problem.hint and "[[missing, not located]" in problem.hint


def test_a_group_that_is_not_a_list_is_named(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, with_synonyms("[missing]"))
    assert problem.key == "newsroom.synonyms[0]"
    assert "expected a list of words that mean the same" in problem.message


def test_a_word_that_is_not_a_word_is_named_at_its_column(tmp_path: Path) -> None:
    text = with_synonyms("[[missing, '...']]")
    problem = only_problem(tmp_path, text)
    assert problem.key == "newsroom.synonyms[0][1]"
    assert problem.column == text.splitlines()[problem.line - 1].index("'...'") + 1
