"""`newsbot extract`: a draft an editor can curate, from the seed and two short articles."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from bot.desk.extract import extract_draft
from bot.desk.load import check_file
from tests.desk.files import FIXTURES, ROOT, SEED, SEED_NAME
from tests.desk.test_attribution import ARTICLES


def draft_of(path: Path, name: str) -> dict[str, Any]:
    draft = extract_draft(path.read_text(encoding="utf-8"), name)
    parsed = yaml.safe_load(draft)
    assert isinstance(parsed, dict)
    return parsed


def by_kind(draft: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in draft["facts"] if f["kind"] == kind]


def credit(draft: dict[str, Any], fact: dict[str, Any]) -> str:
    """The speaker's name as the draft's speakers record gives it, or the attribution."""
    names = {s["id"]: s["name"] for s in draft.get("speakers") or []}
    return names[fact["speaker"]] if "speaker" in fact else fact["attribution"]


def speakers(draft: dict[str, Any]) -> dict[str, str]:
    return {f["quote"]: credit(draft, f) for f in by_kind(draft, "quote")}


def test_seed_draft_finds_the_white_house_follow_up() -> None:
    draft = draft_of(SEED, SEED_NAME)
    (followup,) = draft["followups"]
    assert followup["waiting_on"] == "White House"
    assert followup["quote"] == (
        "The White House did not immediately respond to a request for comment."
    )
    # The article says Axios asked, not when this desk did: no invented asked date (issue 10).
    assert "asked" not in followup


def test_seed_draft_finds_the_545_figure_as_of_october_2020() -> None:
    draft = draft_of(SEED, SEED_NAME)
    (figure,) = by_kind(draft, "figure")
    assert (figure["value"], figure["unit"], figure["as_of"]) == ("545", "parents", "2020-10")
    assert figure["quote"].startswith("At least 545 parents separated")


def test_seed_draft_credits_the_seven_quotes_the_way_the_article_does() -> None:
    quotes = speakers(draft_of(SEED, SEED_NAME))
    chairs = "Democratic chairs on the House Oversight and Judiciary Committees"
    prosecute = (
        "to prosecute as many illegal entry cases as possible, including cases involving "
        "family unit adults, until all available resources were exhausted."
    )
    expected = {
        "single-minded focus on increasing prosecutions": "the report",
        "came at the expense of careful and appropriate consideration of the impact of family "
        "unit prosecutions and child separations": "the report",
        "did not attempt to address them until after the policy was issued.": "the report",
        # Under the lead-in "What they found: ... the report finds": the report's words
        # about the former AG (issue 10), not his.
        "promised additional resources": "the report",
        prosecute: "The OIG",
        "the chaos, cruelty, and reckless disregard for vulnerable children": chairs,
        "to intentionally harm children and families as a deterrent to migration.": chairs,
    }
    assert quotes == expected  # "zero tolerance", a two-word scare quote, is no candidate


def test_seed_draft_proposes_findings_and_statements() -> None:
    draft = draft_of(SEED, SEED_NAME)
    statements = {credit(draft, f) for f in by_kind(draft, "statement")}
    assert statements == {"A DOJ spokesperson", "Axios' Stef Kight"}
    findings = {f["quote"][:40]: credit(draft, f) for f in by_kind(draft, "finding")}
    # "according to a report released Thursday by ... Horowitz" is the report's
    assert findings == {
        "Former Attorney General Jeff Sessions un": "the report",
        "U.S. attorneys shared concerns about fam": "the report",
    }


def curated(draft: str) -> str:
    """What an editor does before check passes: write the TODO values, settle the guesses."""
    lines = [line for line in draft.splitlines() if not line.strip().startswith("guessed:")]
    text = "\n".join(lines) + "\n"
    text = text.replace('"TODO: desk name"', "Test desk").replace('"TODO: publisher"', "Wire")
    return re.sub(r'label: "TODO: ([^"]*)"', r"label: \1", text)


def test_seed_draft_fails_check_only_on_what_an_editor_must_decide(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    shutil.copy(ROOT / SEED_NAME, tmp_path / SEED_NAME)
    facts = tmp_path / "facts.yaml"
    draft = extract_draft(SEED.read_text(encoding="utf-8"), SEED_NAME)
    facts.write_text(draft)
    desk, problems = check_file(facts)
    assert desk is None
    assert {p.message for p in problems} == {
        "'TODO: desk name' is a placeholder, not a value",
        "'TODO: parents' is a placeholder, not a value",
    }
    facts.write_text(curated(draft))
    desk, problems = check_file(facts)
    assert problems == []  # nothing to warn about: every quote's speaker is the article's
    assert desk is not None and desk.counts()["quote"] == 7


def test_city_budget_article() -> None:
    draft = draft_of(FIXTURES / "city_budget.txt", "city_budget.txt")
    assert speakers(draft) == {
        "We will not balance this budget on the backs of our libraries": "Mayor Ana Ruiz",
        "This plan is fiscally reckless and it will not pass.": "Council member Tom Reed",
    }
    figures = {f["value"]: f for f in by_kind(draft, "figure")}
    assert figures["42"]["unit"] == "million dollars"
    assert credit(draft, figures["42"]) == "the finance office"
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
    assert credit(draft, figure) == "state records"
    (followup,) = draft["followups"]
    assert followup["waiting_on"] == "A spokesperson for the utility"
    assert draft["sources"][0]["title"] == "Lead pipes linger in Eastport homes"
    assert draft["sources"][0]["published"] is None  # no dateline: left for the editor


def test_every_draft_passes_check_once_an_editor_has_decided(tmp_path: Path) -> None:
    for name in ("city_budget.txt", "water.txt"):
        shutil.copy(FIXTURES / name, tmp_path / name)
        text = extract_draft((FIXTURES / name).read_text(encoding="utf-8"), name)
        facts = tmp_path / f"{name}.yaml"
        facts.write_text(text.replace("published: null", "published: 2024-04-01"))
        desk, problems = check_file(facts)
        assert desk is None, name  # TODO values and guesses do not ship
        assert all("placeholder" in p.message or "guessed" in p.message for p in problems)
        facts.write_text(curated(text).replace("published: null", "published: 2024-04-01"))
        _, problems = check_file(facts)
        assert problems == [], name


def test_an_article_with_nothing_to_extract_is_still_valid_yaml() -> None:
    draft = yaml.safe_load(extract_draft("Just a headline\n", "x.txt"))
    assert draft["facts"] == [] and draft["followups"] == []
    assert draft["sources"][0]["title"] == "Just a headline"


def test_wire_story_drafts_credit_quotes_as_the_attribution_table_does() -> None:
    transit = draft_of(ARTICLES / "transit_audit.txt", "transit_audit.txt")
    assert speakers(transit) == {
        "We found a maintenance system that existed mostly on paper": "Ortiz",
        "approved overtime cuts without a safety review": "The audit",
        "completed after the buses had already returned to service.": "the auditors",
        "routinely reassigned to cleaning crews": "the auditors",
        "already corrected every finding": "Brandt",
        "A driver told me, 'I stopped trusting the pedals in May,' and I believed him": (
            "union steward Dana Cole"
        ),
    }
    lunch = draft_of(ARTICLES / "lunch_outbreak.txt", "lunch_outbreak.txt")
    (sickened,) = [f for f in by_kind(lunch, "figure") if f["value"] == "61"]
    assert (sickened["qualifier"], credit(lunch, sickened)) == (
        "at least",
        "the county health board",
    )
    assert [f["waiting_on"] for f in lunch["followups"]] == ["Green Valley Farms"]
    assert not [f for f in lunch["facts"] if f["quote"].endswith(":")]
