"""`newsbot extract`: a draft an editor can curate, from the seed and two short articles."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from bot.desk.extract import extract_draft
from bot.desk.load import check_file
from tests.desk.files import FIXTURES, ROOT, SEED, SEED_NAME


def draft_of(path: Path, name: str) -> dict[str, Any]:
    draft = extract_draft(path.read_text(encoding="utf-8"), name)
    parsed = yaml.safe_load(draft)
    assert isinstance(parsed, dict)
    return parsed


def by_kind(draft: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in draft["facts"] if f["kind"] == kind]


def speakers(draft: dict[str, Any]) -> dict[str, str]:
    return {f["quote"]: f["attribution"] for f in by_kind(draft, "quote")}


def test_seed_draft_finds_the_white_house_follow_up() -> None:
    draft = draft_of(SEED, SEED_NAME)
    (followup,) = draft["followups"]
    assert followup["waiting_on"] == "White House"
    assert followup["quote"] == (
        "The White House did not immediately respond to a request for comment."
    )
    assert followup["asked"] == "2021-01-14"


def test_seed_draft_finds_the_545_figure_as_of_october_2020() -> None:
    draft = draft_of(SEED, SEED_NAME)
    (figure,) = by_kind(draft, "figure")
    assert (figure["value"], figure["unit"], figure["as_of"]) == ("545", "parents", "2020-10")
    assert figure["quote"].startswith("At least 545 parents separated")


def test_seed_draft_quotes_have_the_nearest_speaker() -> None:
    quotes = speakers(draft_of(SEED, SEED_NAME))
    chairs = "Democratic chairs on the House Oversight and Judiciary Committees"
    assert quotes["the chaos, cruelty, and reckless disregard for vulnerable children"] == chairs
    assert quotes["to intentionally harm children and families as a deterrent to migration."] == (
        chairs
    )
    assert quotes["single-minded focus on increasing prosecutions"] == "the report"
    assert quotes["promised additional resources"] == "The former AG"
    assert "zero tolerance" not in quotes  # a two-word scare quote is not a quote candidate


def test_seed_draft_proposes_findings_and_statements() -> None:
    draft = draft_of(SEED, SEED_NAME)
    statements = {f["attribution"] for f in by_kind(draft, "statement")}
    assert "A DOJ spokesperson" in statements
    assert "Axios' Stef Kight" in statements
    (finding,) = by_kind(draft, "finding")
    assert "Michael Horowitz" in finding["attribution"]


def test_seed_draft_passes_check_next_to_its_article(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    shutil.copy(ROOT / SEED_NAME, tmp_path / SEED_NAME)
    facts = tmp_path / "facts.yaml"
    facts.write_text(extract_draft(SEED.read_text(encoding="utf-8"), SEED_NAME))
    desk, problems = check_file(facts)
    assert problems == []
    assert desk is not None and desk.counts()["quote"] == 7


def test_city_budget_article() -> None:
    draft = draft_of(FIXTURES / "city_budget.txt", "city_budget.txt")
    assert speakers(draft) == {
        "We will not balance this budget on the backs of our libraries": "Mayor Ana Ruiz",
        "This plan is fiscally reckless and it will not pass.": "Council member Tom Reed",
    }
    figures = {f["value"]: f for f in by_kind(draft, "figure")}
    assert figures["42"]["unit"] == "million dollars"
    assert figures["42"]["attribution"] == "the finance office"
    assert (figures["12"]["unit"], figures["12"]["as_of"]) == ("percent", "2022")
    assert "2022" not in figures  # a year is not a figure
    waiting = {f["waiting_on"] for f in draft["followups"]}
    assert waiting == {"governor's office", "Union leaders"}
    assert draft["sources"][0]["published"].isoformat() == "2023-03-03"


def test_water_article_without_dateline_and_with_wrapped_lines() -> None:
    draft = draft_of(FIXTURES / "water.txt", "water.txt")
    assert speakers(draft) == {
        "The water is safe to drink": "the utility",
        "We were never told about the pipes": "Maria Lopez",
    }
    (figure,) = by_kind(draft, "figure")
    assert (figure["value"], figure["unit"], figure["as_of"]) == ("1,200", "homes", "2024-03")
    assert figure["attribution"] == "state records"
    (followup,) = draft["followups"]
    assert followup["waiting_on"] == "A spokesperson for the utility"
    assert draft["sources"][0]["title"] == "Lead pipes linger in Eastport homes"
    assert draft["sources"][0]["published"] is None  # no dateline: left for the editor


def test_every_draft_quote_is_verbatim_in_its_article(tmp_path: Path) -> None:
    for name in ("city_budget.txt", "water.txt"):
        shutil.copy(FIXTURES / name, tmp_path / name)
        text = extract_draft((FIXTURES / name).read_text(encoding="utf-8"), name)
        facts = tmp_path / f"{name}.yaml"
        facts.write_text(text.replace("published: null", "published: 2024-04-01"))
        _, problems = check_file(facts)
        assert problems == [], name


def test_an_article_with_nothing_to_extract_is_still_valid_yaml() -> None:
    draft = yaml.safe_load(extract_draft("Just a headline\n", "x.txt"))
    assert draft["facts"] == [] and draft["followups"] == []
    assert draft["sources"][0]["title"] == "Just a headline"
