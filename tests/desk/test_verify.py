"""The draft checker on the shipped desk: the seed article itself, and drafts with known errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.desk.findings import DraftReport, Finding
from bot.desk.load import check_file
from bot.desk.model import (
    Action,
    Desk,
    FollowUpEvent,
    FollowUpState,
    Source,
    Status,
    fold_events,
)
from bot.desk.verify import DraftChecker
from tests.desk.files import FACTS, FIXTURES, SEED

TODAY = date(2021, 2, 1)  # the figure (as of October 2020) is 93 days old: past 90, stale


@pytest.fixture(scope="module")
def checker() -> DraftChecker:
    desk, problems = check_file(FACTS)
    assert desk is not None and not problems
    return DraftChecker(desk)


def summary(report: DraftReport) -> list[tuple[int, str, str, str]]:
    return [(f.line, f.status, f.kind, f.draft) for f in report.findings]


def only(report: DraftReport) -> Finding:
    assert len(report.findings) == 1, summary(report)
    return report.findings[0]


def test_the_seed_article_itself_verifies_with_no_mismatch(checker: DraftChecker) -> None:
    report = checker.check(SEED.read_text(encoding="utf-8"), TODAY)

    assert report.counts["mismatch"] == 0, [f for f in report.findings if f.status != "ok"]
    assert report.counts["unverified"] == 0
    quotes = [f for f in report.findings if f.kind == "quote"]
    assert len(quotes) == 10  # every passage the article puts in quotation marks
    figure = next(f for f in report.findings if f.kind == "figure")
    assert (figure.line, figure.draft, figure.fact_id) == (
        11,
        "At least 545",
        "parents-not-located",
    )
    assert report.totals() == "0 problems, 12 verified, 0 unverified"


def test_a_verbatim_quote_is_verified_with_speaker_and_source_line(checker: DraftChecker) -> None:
    draft = (
        "The chairs said the report revealed “the chaos, cruelty, and reckless disregard for "
        "vulnerable children.”"
    )
    finding = only(checker.check(draft, TODAY))

    assert (finding.status, finding.kind) == ("ok", "quote")
    assert finding.speaker is not None and "Democratic chairs" in finding.speaker
    assert finding.source is not None and finding.source.publisher == "Axios"
    assert finding.source_line == 21
    assert finding.fact_id == "chairs-chaos-cruelty"
    assert (finding.line, finding.column) == (1, 37)


def test_a_changed_word_is_a_mismatch_with_the_source_words_marked(checker: DraftChecker) -> None:
    draft = (
        'The chairs said the report revealed "the chaos, brutality, and reckless disregard '
        'for vulnerable children" caused by the policy.'
    )
    finding = only(checker.check(draft, TODAY))

    assert (finding.status, finding.kind) == ("mismatch", "quote")
    assert '"brutality" where the source has "cruelty"' in finding.message
    assert finding.desk == "the chaos, cruelty, and reckless disregard for vulnerable children"
    assert ("draft", "brutality") in finding.marked
    assert ("source", "cruelty") in finding.marked
    assert finding.source_line == 21


def test_a_quotation_across_a_line_break_and_with_a_new_capital_is_verbatim(
    checker: DraftChecker,
) -> None:
    draft = (
        'The department knew, and "did not attempt to address them until after the\n'
        'policy was issued," the report said.\n\n'
        '"Single-minded focus on increasing prosecutions," it added.'
    )
    report = checker.check(draft, TODAY)

    assert [(f.line, f.status) for f in report.findings] == [(1, "ok"), (4, "ok")]


def test_a_nested_quotation_in_single_quotes_is_found(checker: DraftChecker) -> None:
    draft = (
        "“The agency's ‘single-minded focus on increasing prosecutions’ of migrant adults in "
        "families crossing the southern border,” Axios reported."
    )
    finding = only(checker.check(draft, TODAY))

    assert finding.status == "ok"
    assert finding.source_line == 13


def test_a_misattributed_verbatim_quote_names_whom_the_source_credits(
    checker: DraftChecker,
) -> None:
    draft = (
        '"Came at the expense of careful and appropriate consideration of the impact of '
        'family unit prosecutions and child separations," Sessions said.'
    )
    finding = only(checker.check(draft, TODAY))

    assert (finding.status, finding.kind) == ("mismatch", "attribution")
    assert "the draft credits Sessions" in finding.message
    assert "inspector general's report" in finding.message
    assert finding.fact_id == "oig-came-at-expense"


def test_a_quote_credited_to_its_speaker_by_another_name_is_not_a_mismatch(
    checker: DraftChecker,
) -> None:
    draft = (
        'The policy "came at the expense of careful and appropriate consideration of the '
        'impact of family unit prosecutions and child separations," the inspector general found.'
    )
    assert only(checker.check(draft, TODAY)).status == "ok"


def test_the_publishers_paraphrase_in_quotation_marks_is_unverified_never_ok(
    checker: DraftChecker,
) -> None:
    draft = (
        "A DOJ spokesperson said the agency "
        '"has no role in tracking or providing custodial care for affected children."'
    )
    finding = only(checker.check(draft, TODAY))

    assert (finding.status, finding.kind) == ("unverified", "quote")
    assert "Axios's own words, not a quotation in the source" in finding.message
    assert finding.source_line == 23


def test_words_no_source_has_are_unverified(checker: DraftChecker) -> None:
    finding = only(checker.check('The White House called it "a triumph of planning."', TODAY))

    assert (finding.status, finding.kind) == ("unverified", "quote")
    assert finding.message == "not found in the desk's sources"


def test_the_figure_with_its_qualifier_is_verified_with_as_of_and_stale_warning(
    checker: DraftChecker,
) -> None:
    finding = only(checker.check("At least 545 parents could not be located.", TODAY))

    assert (finding.status, finding.kind, finding.fact_id) == (
        "ok",
        "figure",
        "parents-not-located",
    )
    assert "at least 545 parents" in finding.message
    assert finding.notes == ("as of October 2020", "stale: 93 days old; check for a newer figure")
    fresh = only(checker.check("At least 545 parents could not be located.", date(2020, 12, 1)))
    assert fresh.notes == ("as of October 2020",)


def test_a_figure_in_words_is_read_as_a_number(checker: DraftChecker) -> None:
    draft = "At least five hundred forty-five parents have not been located."
    finding = only(checker.check(draft, TODAY))

    assert (finding.status, finding.draft) == ("ok", "At least five hundred forty-five")


def test_a_wrong_number_is_a_mismatch_with_the_sourced_figure(checker: DraftChecker) -> None:
    finding = only(checker.check("At least 454 parents could not be located.", TODAY))

    assert (finding.status, finding.kind) == ("mismatch", "figure")
    assert finding.message == ("the desk has at least 545 parents (Parents not located), not 454")
    assert finding.desk is not None and finding.desk.startswith("At least 545 parents")
    assert finding.source_line == 11


def test_a_dropped_qualifier_is_flagged(checker: DraftChecker) -> None:
    finding = only(checker.check("The report says 545 parents were never located.", TODAY))

    assert (finding.status, finding.kind) == ("mismatch", "figure")
    assert finding.message == 'qualifier lost: the desk has "at least 545 parents"'


def test_a_number_with_no_desk_figure_is_unverified(checker: DraftChecker) -> None:
    report = checker.check("Border agents detained 2,700 children in Texas in July 2019.", TODAY)

    finding = only(report)
    assert (finding.status, finding.kind, finding.draft) == ("unverified", "figure", "2,700")
    assert finding.message == "no desk figure for this number"


def test_dates_years_and_small_number_words_are_left_alone(checker: DraftChecker) -> None:
    draft = "On Jan. 14, 2021, one of the two committees met at 9:30 a.m. in room 2141."
    report = checker.check(draft, TODAY)

    assert summary(report) == [(1, "unverified", "figure", "2141")]


def test_declined_to_comment_where_the_desk_says_no_response_is_flagged(
    checker: DraftChecker,
) -> None:
    finding = only(checker.check("The White House declined to comment.", TODAY))

    assert (finding.status, finding.kind) == ("mismatch", "followup")
    assert finding.message == (
        "the desk records “did not immediately respond”: no response, not a refusal"
    )
    assert finding.fact_id == "white-house-response"
    agrees = only(checker.check("The White House did not respond to a request.", TODAY))
    assert agrees.status == "ok"


def test_a_resolved_follow_up_offers_its_outcome(checker: DraftChecker) -> None:
    desk: Desk = checker.desk
    item = desk.followup("white-house-response")
    assert item is not None
    resolved_at = datetime(2021, 1, 20, 16, 0, tzinfo=UTC)
    event = FollowUpEvent(
        item.id,
        Action.RESOLVED,
        "U0EDITOR1",
        resolved_at,
        note="Press secretary: the policy ended in 2018",
        link="https://example.org/briefing",
    )
    states = [fold_events(item, [event], resolved_at)] + [
        FollowUpState(other, Status.OPEN, ()) for other in desk.followups if other is not item
    ]

    draft = "The White House did not immediately respond to a request for comment."
    finding = only(checker.check(draft, TODAY, states))

    assert (finding.status, finding.kind) == ("mismatch", "followup")
    assert finding.message.endswith("has been resolved: Press secretary: the policy ended in 2018")
    assert finding.notes == (
        "resolved by U0EDITOR1 on 20 Jan 2021",
        "https://example.org/briefing",
    )


def test_a_draft_with_every_kind_of_error_gets_exactly_the_expected_findings(
    checker: DraftChecker,
) -> None:
    draft = "\n".join(
        [
            "WASHINGTON -- Former Attorney General Jeff Sessions misjudged the policy.",
            "",
            'The chairs said the report revealed "the chaos, brutality, and reckless',
            'disregard for vulnerable children." About 454 parents could not be located.',
            "",
            '"To intentionally harm children and families as a deterrent to migration,"',
            "Sessions said. Officials found 545 parents who could not be located.",
            "",
            'The agency "has no role in tracking or providing custodial care for affected',
            'children," a spokesperson said, and 3,100 families were separated.',
            "",
            "The White House declined to comment.",
        ]
    )
    report = checker.check(draft, TODAY)

    assert summary(report) == [
        (
            3,
            "mismatch",
            "quote",
            '"the chaos, brutality, and reckless disregard for vulnerable children."',
        ),
        (4, "mismatch", "figure", "About 454"),
        (
            6,
            "mismatch",
            "attribution",
            '"To intentionally harm children and families as a deterrent to migration,"',
        ),
        (7, "mismatch", "figure", "545"),
        (
            9,
            "unverified",
            "quote",
            '"has no role in tracking or providing custodial care for affected children,"',
        ),
        (10, "unverified", "figure", "3,100"),
        (12, "mismatch", "followup", "declined to comment"),
    ]
    assert report.totals() == "5 problems, 0 verified, 2 unverified"


def test_the_person_the_words_are_about_is_not_their_speaker(checker: DraftChecker) -> None:
    draft = 'Sessions said he "promised additional resources" to U.S. attorneys.'
    finding = only(checker.check(draft, TODAY))

    assert (finding.status, finding.kind) == ("mismatch", "attribution")
    assert finding.message == (
        "verbatim, but the draft credits Sessions (whom the words are about); "
        "the source credits The Justice Department inspector general's report"
    )


def test_any_name_the_desk_knows_a_speaker_by_agrees(checker: DraftChecker) -> None:
    draft = (
        'The OIG found that Sessions "promised additional resources." The chairs said the '
        'report revealed "the chaos, cruelty, and reckless disregard for vulnerable children."'
    )
    report = checker.check(draft, TODAY)

    assert [(f.status, f.speaker) for f in report.findings] == [
        ("ok", "The Justice Department inspector general's report"),
        ("ok", "Democratic chairs on the House Oversight and Judiciary Committees"),
    ]


def test_words_no_fact_curates_are_checked_against_whom_the_source_credits() -> None:
    shipped, problems = check_file(FACTS)
    assert shipped is not None and not problems
    text = (FIXTURES / "water.txt").read_text(encoding="utf-8")
    water = Source("water", "Lead pipes", "Gazette", date(2024, 3, 1), "water.txt", text)
    desk = replace(shipped, sources={"water": water}, facts=(), followups=())
    checker = DraftChecker(desk)

    wrong = only(checker.check('"We were never told about the pipes," the utility said.', TODAY))
    right = only(checker.check('"We were never told about the pipes," Lopez said.', TODAY))

    assert (wrong.status, wrong.kind) == ("mismatch", "attribution")
    assert wrong.message.endswith("the source credits Maria Lopez")
    assert (right.status, right.speaker) == ("ok", "Maria Lopez")
