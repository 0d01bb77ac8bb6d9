"""Helpers: a copy of the shipped desk (facts.yaml and seed) in a temporary folder, edited."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.desk.load import Problem, check_file

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "facts.yaml"
SEED_NAME = "seeds/000_8c36c7995ecb0c4b.txt"
SEED = ROOT / SEED_NAME
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shipped_text() -> str:
    return FACTS.read_text(encoding="utf-8")


def desk_folder(tmp_path: Path, facts_text: str | bytes | None = None) -> Path:
    """A folder with the seed and a facts.yaml (the shipped one unless given); its path."""
    (tmp_path / "seeds").mkdir(exist_ok=True)
    shutil.copy(SEED, tmp_path / SEED_NAME)
    facts = tmp_path / "facts.yaml"
    text = shipped_text() if facts_text is None else facts_text
    if isinstance(text, bytes):
        facts.write_bytes(text)
    else:
        facts.write_text(text, encoding="utf-8")
    return facts


def edited(old: str, new: str, text: str | None = None, count: int = 1) -> str:
    """The shipped facts.yaml with ``old`` replaced; fails loudly if ``old`` is not there."""
    text = shipped_text() if text is None else text
    assert old in text, f"{old!r} is not in the facts file"
    return text.replace(old, new, count)


def line_of(needle: str, text: str | None = None, nth: int = 1) -> int:
    """The 1-based line of the nth occurrence of ``needle`` in the (shipped) text."""
    text = shipped_text() if text is None else text
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


def problems_for(tmp_path: Path, facts_text: str | bytes) -> list[Problem]:
    """Every problem, warnings included; the desk loads only when all are warnings."""
    desk, problems = check_file(desk_folder(tmp_path, facts_text))
    assert (desk is None) == any(not p.warning for p in problems)
    return problems


def only_problem(tmp_path: Path, facts_text: str | bytes) -> Problem:
    problems = problems_for(tmp_path, facts_text)
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    return problems[0]
