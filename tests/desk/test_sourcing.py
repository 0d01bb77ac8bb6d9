"""`newsbot check` against the article: every bad edit issue 10 found slipping through fails
with the line to fix; silence warns; the shipped desk credits words as the article does."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.desk.load import Problem, load_desk
from bot.desk.problems import errors
from tests.desk.files import FACTS, edited, line_of, problems_for, shipped_text

CHAIRS_QUOTE = '    quote: "the chaos, cruelty, and reckless disregard for vulnerable children"\n'
ROSENSTEIN = """  - id: rod-rosenstein
    name: Rod Rosenstein
    title: Former Deputy Attorney General

sources:
"""


def only_error(tmp_path: Path, text: str) -> Problem:
    found = errors(problems_for(tmp_path, text))
    assert len(found) == 1, "\n".join(str(p) for p in found)
    return found[0]


def after(fact_id: str, old: str, new: str, text: str | None = None) -> str:
    """The shipped file with ``old`` replaced inside one fact (the first time after its id)."""
    text = shipped_text() if text is None else text
    start = text.index(f"- id: {fact_id}\n")
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


# --- the shipped desk -----------------------------------------------------------------------


def test_the_report_quotes_are_the_reports_with_sessions_as_their_subject() -> None:
    desk = load_desk(FACTS)
    for fact_id in ("sessions-promised-resources", "sessions-prosecute-as-many"):
        fact = desk.fact(fact_id)
        assert fact is not None and fact.kind == "quote"
        assert fact.speaker is not None and fact.speaker.id == "oig-report"
        assert [s.id for s in fact.about] == ["jeff-sessions"]
    # Nothing on the desk is Sessions's own words.
    assert not [f.id for f in desk.facts if f.speaker and f.speaker.id == "jeff-sessions"]


def test_the_shipped_desk_holds_no_detail_the_article_does_not() -> None:
    desk = load_desk(FACTS)
    assert all(f.asked is None for f in desk.followups)
    assert [f.waiting_on for f in desk.followups] == ["White House", None]
    assert "steering committee" not in shipped_text().casefold()
    figure = desk.fact("parents-not-located")
    assert figure is not None
    assert (figure.qualifier, figure.amount()) == ("at least", "at least 545 parents")
    assert figure.as_of_note is not None and "inferred" in figure.as_of_note


# --- a quote credited to someone else -----------------------------------------------------


def test_the_chairs_words_credited_to_sessions_fail_naming_both(tmp_path: Path) -> None:
    text = after("chairs-chaos-cruelty", "speaker: house-chairs", "speaker: jeff-sessions")
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("speaker: jeff-sessions", text, nth=1 + 0)
    assert problem.key == "facts[6].speaker"
    chairs = "Democratic chairs on the House Oversight and Judiciary Committees"
    assert problem.message == (
        f"the source credits these words to “{chairs}” (source line 21), "
        "facts.yaml says Jeff Sessions"
    )
    assert problem.hint is not None and "speaker: house-chairs" in problem.hint


def test_the_reports_words_credited_to_rosenstein_fail(tmp_path: Path) -> None:
    text = edited("\nsources:\n", "\n" + ROSENSTEIN)
    text = after("oig-single-minded-focus", "speaker: oig-report", "speaker: rod-rosenstein", text)
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("speaker: rod-rosenstein", text)
    assert "“the report” (source line 13), facts.yaml says Rod Rosenstein" in problem.message
    assert problem.hint is not None and "speaker: oig-report" in problem.hint


def test_a_free_text_attribution_is_checked_too(tmp_path: Path) -> None:
    text = after("sessions-prosecute-as-many", "speaker: oig-report", "attribution: Jeff Sessions")
    text = after("sessions-prosecute-as-many", "    about: [jeff-sessions]\n", "", text)
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("attribution: Jeff Sessions", text)
    assert problem.message == (
        "the source credits these words to “The OIG” (source line 17), "
        "facts.yaml says Jeff Sessions"
    )


def test_a_paraphrase_credited_to_someone_else_fails(tmp_path: Path) -> None:
    text = after("doj-spokesperson-no-role", "speaker: doj-spokesperson", "speaker: house-chairs")
    problem = only_error(tmp_path, text)
    assert "“A DOJ spokesperson” (source line 23)" in problem.message


# --- a wrong publisher, date, unit ----------------------------------------------------------


def test_a_wrong_publisher_fails(tmp_path: Path) -> None:
    text = edited("    publisher: Axios", "    publisher: Reuters")
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("publisher: Reuters", text)
    assert problem.message == "the source names its publisher as “Axios” (source line 19)"


def test_a_wrong_date_fails(tmp_path: Path) -> None:
    text = edited("published: 2021-01-14", "published: 2021-01-15")
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("published: 2021-01-15", text)
    assert problem.message == "the source's dateline says Jan 14, 2021 (source line 1)"
    assert problem.hint == "write published: 2021-01-14"


def test_a_wrong_section_fails(tmp_path: Path) -> None:
    text = edited("section: Politics & Policy", "section: Health")
    assert "Politics & Policy" in only_error(tmp_path, text).message


def test_a_wrong_unit_fails(tmp_path: Path) -> None:
    text = edited("    unit: parents", "    unit: children")
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("unit: children", text)
    assert problem.message == "the quote does not count 545 in 'children'"


# --- narrative relabelled as a quote; splices -------------------------------------------


def test_the_articles_narrative_relabelled_quote_fails(tmp_path: Path) -> None:
    text = after("sessions-underestimated", "kind: finding", "kind: quote")
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("- id: sessions-underestimated", text) + 1
    assert problem.message.startswith("kind: quote, but the words are not inside quotation marks")
    assert problem.hint is not None and "finding" in problem.hint and "statement" in problem.hint


def test_a_statement_the_source_paraphrases_cannot_become_a_quote(tmp_path: Path) -> None:
    text = after("doj-spokesperson-no-role", "kind: statement", "kind: quote")
    assert "quotation marks" in only_error(tmp_path, text).message


def test_a_splice_across_paragraphs_fails(tmp_path: Path) -> None:
    spliced = (
        '    quote: "Former Attorney General Jeff Sessions underestimated how complicated'
        ' ... the chaos, cruelty, and reckless disregard for vulnerable children"\n'
    )
    text = edited(CHAIRS_QUOTE, spliced)
    found = errors(problems_for(tmp_path, text))
    assert found and all(p.line == line_of(spliced.strip(), text) for p in found)
    assert found[0].message == '"..." joins words from different paragraphs (source lines 9 and 21)'


def test_a_splice_inside_one_paragraph_or_lead_in_passes(tmp_path: Path) -> None:
    text = edited(
        CHAIRS_QUOTE,
        '    quote: "the chaos, cruelty, ... to intentionally harm children"\n',
    )
    assert problems_for(tmp_path, text) == []


# --- qualifiers, inferred years -------------------------------------------------------------


def test_a_figure_without_its_qualifier_fails(tmp_path: Path) -> None:
    text = edited("    qualifier: at least\n", "")
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("    value: 545", text)
    assert problem.message == "the quote says “At least 545”: a bare 545 changes its meaning"
    assert problem.hint == "add qualifier: at least"


@pytest.mark.parametrize("qualifier", ["about", "more than"])
def test_a_qualifier_the_quote_does_not_have_fails(tmp_path: Path, qualifier: str) -> None:
    text = edited("qualifier: at least", f"qualifier: {qualifier}")
    assert only_error(tmp_path, text).message == f"the quote does not say “{qualifier} 545”"


def test_an_inferred_year_without_a_note_warns(tmp_path: Path) -> None:
    text = edited("    as_of_note:", "    summary_was:")
    text = "\n".join(line for line in text.splitlines() if "summary_was:" not in line) + "\n"
    (problem,) = problems_for(tmp_path, text)
    assert problem.warning and problem.key == "facts[0].as_of"
    assert "without a year" in problem.message


# --- placeholders and extract's guesses ------------------------------------------------------


def test_a_todo_value_fails(tmp_path: Path) -> None:
    text = edited("    label: Parents not located", '    label: "TODO: what is counted"')
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("TODO: what is counted", text)
    assert problem.message == "'TODO: what is counted' is a placeholder, not a value"


def test_an_extract_guess_fails_until_an_editor_removes_it(tmp_path: Path) -> None:
    text = after(
        "chairs-chaos-cruelty",
        "speaker: house-chairs\n",
        'speaker: house-chairs\n    guessed: "the speaker, from the quotes before it"\n',
    )
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("guessed:", text)
    assert problem.message == "newsbot extract guessed the speaker, from the quotes before it"


def test_a_follow_up_waiting_on_someone_the_source_never_names_fails(tmp_path: Path) -> None:
    text = edited(
        "    waiting_on: White House", "    waiting_on: Court-appointed steering committee"
    )
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("Court-appointed", text)
    assert "never names 'Court-appointed steering committee'" in problem.message


# --- silence, pronouns and evidence ----------------------------------------------------------

SILENT_SEED = "Jan 14, 2021 - Politics\n\nHeadline\n\n{body}\n"


def silent_desk(body: str, extra: str = "") -> str:
    return f"""version: 1
newsroom:
  name: Test desk
speakers:
  - id: dana
    name: Dana Cole
sources:
  - id: s
    title: Headline
    publisher: Capital Wire
    published: 2021-01-14
    file: seeds/000_8c36c7995ecb0c4b.txt
facts:
  - id: q
    kind: quote
    quote: "We are not done"
    speaker: dana
    source: s
{extra}"""


def write_seed(tmp_path: Path, body: str) -> None:
    (tmp_path / "seeds").mkdir(exist_ok=True)
    (tmp_path / "seeds" / "000_8c36c7995ecb0c4b.txt").write_text(SILENT_SEED.format(body=body))


def silent_problems(tmp_path: Path, body: str, extra: str = "") -> list[Problem]:
    from bot.desk.load import check_file

    facts = tmp_path / "facts.yaml"
    facts.write_text(silent_desk(body, extra))
    write_seed(tmp_path, body)
    return check_file(facts)[1]


def test_a_quote_only_a_pronoun_credits_warns_and_asks_for_evidence(tmp_path: Path) -> None:
    body = 'Dana Cole leads the union.\n\n"We are not done," she said.'
    (problem,) = silent_problems(tmp_path, body)
    assert problem.warning and problem.key == "facts[0].speaker"
    assert problem.message == "only a pronoun names who said these words: “she” (source line 7)"
    assert problem.hint is not None and "evidence" in problem.hint


def test_evidence_near_the_quote_settles_it(tmp_path: Path) -> None:
    body = 'Dana Cole leads the union.\n\n"We are not done," she said.'
    assert silent_problems(tmp_path, body, '    evidence: "Dana Cole leads the union"\n') == []


def test_evidence_that_is_not_near_the_quote_fails(tmp_path: Path) -> None:
    body = 'Dana Cole leads the union.\n\n"We are not done," she said.'
    (problem,) = silent_problems(tmp_path, body, '    evidence: "Dana Cole said so"\n')
    assert not problem.warning and problem.key == "facts[0].evidence"
    assert problem.message == "not found near the words (source lines 5-7)"


def test_a_quote_nothing_credits_warns(tmp_path: Path) -> None:
    (problem,) = silent_problems(tmp_path, 'The union met. "We are not done."')
    assert problem.warning
    assert problem.message == "the source does not say who said these words (source line 5)"


# --- the shipped placeholder channel: a start-up warning, not a check failure ----------


def test_the_example_channel_passes_check_but_start_up_says_what_to_set(tmp_path: Path) -> None:
    import subprocess
    import sys

    desk = load_desk(FACTS)
    assert [r.id for r in desk.placeholder_reminders()] == ["weekday-key-figures"]
    env = {
        "PATH": "/usr/bin:/bin",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "FACTS_FILE": str(FACTS),
        # A database that cannot be opened: the process stops right after its start-up checks.
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/folder/newsbot.db",
    }
    started = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert started.returncode != 0
    warning = next(line for line in started.stderr.splitlines() if "C0123456789" in line)
    assert "WARNING" in warning and "weekday-key-figures" in warning
    assert f"{FACTS}:{line_of('- id: weekday-key-figures')}: reminder" in warning
    assert "set its channel to your desk's channel ID" in warning


def test_whom_the_words_are_about_must_be_named_near_them(tmp_path: Path) -> None:
    text = edited("\nsources:\n", "\n" + ROSENSTEIN)
    text = after(
        "sessions-promised-resources", "about: [jeff-sessions]", "about: [rod-rosenstein]", text
    )
    problem = only_error(tmp_path, text)
    assert problem.line == line_of("about: [rod-rosenstein]", text)
    assert problem.message == (
        "the source does not name Rod Rosenstein near these words (source lines 13-16)"
    )
