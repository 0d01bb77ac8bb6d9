"""Loading facts.yaml: the shipped file, and every kind of problem an editor can make."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.desk.load import FactsError, Problem, check_file, load_desk
from bot.desk.model import AsOf
from tests.desk.files import (
    FACTS,
    desk_folder,
    edited,
    line_of,
    only_problem,
    problems_for,
    shipped_text,
)

# --- the shipped file -----------------------------------------------------------------------


def test_shipped_facts_load_clean_with_expected_counts() -> None:
    desk, problems = check_file(FACTS)
    assert problems == []
    assert desk is not None
    assert desk.counts() == {
        "sources": 1,
        "quote": 7,
        "figure": 1,
        "finding": 4,
        "statement": 2,
        "followups": 2,
        "reminders": 1,
    }


def test_shipped_figure_reminder_and_source_are_read_as_written() -> None:
    desk = load_desk(FACTS)
    figure = desk.fact("parents-not-located")
    assert figure is not None
    assert (figure.value, figure.unit, figure.as_of) == ("545", "parents", AsOf(2020, 10))
    assert figure.line == line_of("- id: parents-not-located")
    source = desk.sources["axios-oig-zero-tolerance"]
    assert source.published == date(2021, 1, 14)
    assert source.text.startswith("Jan 14, 2021")
    (reminder,) = desk.reminders
    assert reminder.cron == "0 9 * * mon-fri"
    assert reminder.timezone == "America/New_York"
    assert reminder.include == ("figures", "followups")
    assert desk.newsroom.stale_after_days == 90


def _quote_lines() -> list[tuple[int, str]]:
    return [
        (number, line)
        for number, line in enumerate(shipped_text().splitlines(), start=1)
        if line.strip().startswith("quote: ")
    ]


@pytest.mark.parametrize("number, line", _quote_lines(), ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("change", ["replace", "drop"])
def test_a_one_word_change_in_any_quote_is_caught_on_its_line(
    tmp_path: Path, number: int, line: str, change: str
) -> None:
    indent, quote = line.split("quote: ", 1)
    # A word inside the longest fragment: dropping the first word after "..." would
    # leave a shorter quote that is still verbatim.
    fragment = max(quote.split("..."), key=len)
    words = re.findall(r"[A-Za-z]{4,}", fragment)
    word = words[len(words) // 2]
    new = re.sub(rf"\b{word}\b", "banana" if change == "replace" else "", fragment, count=1)
    changed = quote.replace(fragment, new.replace("  ", " "))
    lines = shipped_text().splitlines(keepends=True)
    lines[number - 1] = f"{indent}quote: {changed}\n"
    problem = only_problem(tmp_path, "".join(lines))
    assert problem.line == number
    assert problem.key.endswith(".quote")
    assert "not verbatim" in problem.message
    assert problem.hint is not None and "closest passage" in problem.hint


# --- reading the file -----------------------------------------------------------------------


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    text = edited("  - id: oig-came-at-expense\n", "  - id: [oig-came-at-expense\n")
    problem = only_problem(tmp_path, text)
    assert "YAML syntax error" in problem.message
    assert problem.line == line_of("oig-came-at-expense", text) + 1
    assert str(problem).startswith(f"{problem.file}:{problem.line}:{problem.column}: ")


def test_a_tab_in_the_indentation_is_named_without_a_second_syntax_error(tmp_path: Path) -> None:
    text = edited("    kind: quote\n", "\tkind: quote\n")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of("\tkind", text)
    assert "tab" in problem.message
    assert problem.hint is not None and "spaces" in problem.hint


def test_an_empty_file_says_how_to_start(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "# nothing yet\n")
    assert problem.message == "the file is empty"
    assert problem.hint is not None and "version: 1" in problem.hint


def test_a_missing_facts_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    desk, problems = check_file(tmp_path / "nope.yaml")
    assert desk is None
    assert [p.message for p in problems] == ["facts file not found"]


def test_non_utf8_bytes_give_their_line(tmp_path: Path) -> None:
    text = shipped_text().encode("utf-8").replace(b"name: Immigration", b"name: Imm\xe9gration")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of("name: Immigration")
    assert "not UTF-8" in problem.message


def test_binary_garbage_is_refused_with_a_line(tmp_path: Path) -> None:
    garbage = bytes(range(128, 256)) + bytes(range(128))
    problem = only_problem(tmp_path, b"version: 1\n" + garbage * 4)
    assert (problem.line, problem.column) == (2, 1)
    assert "UTF-8" in problem.message or "binary" in problem.message


def test_control_characters_in_utf8_text_are_refused_with_a_line(tmp_path: Path) -> None:
    text = edited("name: Immigration desk", "name: Immigration\x07desk")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of("name: Immigration")
    assert "not plain text" in problem.message


def test_a_file_over_20_mb_is_refused_before_reading(tmp_path: Path) -> None:
    facts = desk_folder(tmp_path)
    with facts.open("r+b") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: no need to write 21 MB
    desk, problems = check_file(facts)
    assert desk is None
    assert len(problems) == 1
    assert "21.0 MB" in problems[0].message and "20 MB" in problems[0].message


def test_an_alias_is_refused_where_it_is_used(tmp_path: Path) -> None:
    text = edited("    tags: [families, separations, reunification]", "    tags: &fam [families]")
    text = edited("    tags: [oig, prosecutions]", "    tags: *fam", text)
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of("*fam", text)
    assert "alias" in problem.message


def test_an_alias_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    layers = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, 12):  # 9**12 strings if anything expanded it
        refs = ", ".join([f"*a{k - 1}"] * 9)
        layers.append(f"a{k}: &a{k} [{refs}]")
    problems = problems_for(tmp_path, "\n".join(layers) + "\n")
    assert problems and all("alias" in p.message for p in problems)


# --- keys and types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, typo, meant",
    [
        ("reminders:\n", "remiders:\n", "remiders", "reminders"),
        ("  timezone: America/New_York\n", "  timzone: America/New_York\n", "timzone", "timezone"),
        ("    publisher: Axios", "    publsher: Axios", "publsher", "publisher"),
        ("    unit: parents", "    units: parents", "units", "unit"),
        ("    waiting_on: White House", "    waitng_on: White House", "waitng_on", "waiting_on"),
        ('    cron: "0 9', '    crons: "0 9', "crons", "cron"),
    ],
)
def test_unknown_keys_at_every_level_suggest_the_right_one(
    tmp_path: Path, old: str, new: str, typo: str, meant: str
) -> None:
    text = edited(old, new)
    problems = problems_for(tmp_path, text)
    unknown = [p for p in problems if p.message.startswith("unknown key")]
    assert len(unknown) == 1, problems
    assert unknown[0].message == f"unknown key '{typo}' (did you mean '{meant}'?)"
    assert unknown[0].line == line_of(typo, text)
    assert unknown[0].key.endswith(typo)


def test_a_missing_required_key_is_named_at_its_item(tmp_path: Path) -> None:
    text = edited("    attribution: Axios\n", "")
    problem = only_problem(tmp_path, text)
    assert problem.message == "missing required key 'speaker' (or a free-text 'attribution')"
    assert problem.key == "facts[0]"
    assert problem.line == line_of("- id: parents-not-located", text)


def test_missing_top_level_sections_are_each_named(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, "version: 1\n")
    assert {p.message for p in problems} == {
        "missing required key 'newsroom'",
        "missing required key 'sources'",
        "missing required key 'facts'",
    }


def test_a_duplicate_key_is_an_error(tmp_path: Path) -> None:
    text = edited("    unit: parents\n", "    unit: parents\n    unit: people\n")
    problem = only_problem(tmp_path, text)
    assert problem.message.startswith("duplicate key 'unit'")
    assert problem.line == line_of("unit: people", text)


# The whole newsroom block as shipped (it may hold more keys, such as synonyms).
NEWSROOM_BLOCK = "newsroom:" + shipped_text().split("\nnewsroom:", 1)[1].split("\n\n", 1)[0] + "\n"
WRONG_TYPES = [
    ("    tags: [oig, prosecutions]", "    tags: oig", "facts[1].tags", "expected a list"),
    ("    attribution: Axios", "    attribution: [Axios]", "facts[0].attribution", "single"),
    ("stale_after_days: 90", "stale_after_days: ninety", "newsroom.stale_after_days", "whole"),
    ("stale_after_days: 90", "stale_after_days: 0", "newsroom.stale_after_days", "whole"),
    (NEWSROOM_BLOCK, "newsroom: [x]\n", "newsroom", "expected a mapping"),
    ('    quote: "single-minded', '    quote:\n      - "single-minded', "facts[1].quote", "single"),
    ("    attribution: Axios", "    attribution: ", "facts[0].attribution", "needs a value"),
]


@pytest.mark.parametrize("old, new, key, expected", WRONG_TYPES)
def test_wrong_types_are_named_with_the_key_path(
    tmp_path: Path, old: str, new: str, key: str, expected: str
) -> None:
    problems = problems_for(tmp_path, edited(old, new))
    assert any(p.key == key and expected in p.message for p in problems), problems


@pytest.mark.parametrize("version", ["2", '"1"', "1.0", "null"])
def test_version_must_be_the_number_1(tmp_path: Path, version: str) -> None:
    problem = only_problem(tmp_path, edited("version: 1\n", f"version: {version}\n"))
    assert problem.key == "version"
    assert problem.message.startswith("version must be 1")


# --- ids and references ---------------------------------------------------------------------


def test_an_id_with_capitals_or_underscores_is_refused_with_an_example(tmp_path: Path) -> None:
    text = edited("- id: oig-single-minded-focus", "- id: OIG_single_minded")
    problem = only_problem(tmp_path, text)
    assert problem.key == "facts[1].id"
    assert problem.hint == "for example: oig-single-minded"


def test_ids_are_unique_across_facts_and_followups(tmp_path: Path) -> None:
    text = edited("- id: white-house-response", "- id: oig-single-minded-focus")
    problem = only_problem(tmp_path, text)
    assert problem.key == "followups[0].id"
    first = line_of("- id: oig-single-minded-focus", text)
    assert problem.message == f"duplicate id 'oig-single-minded-focus' (first used on line {first})"
    assert problem.line == line_of("- id: oig-single-minded-focus", text, nth=2)


def test_an_unknown_source_is_named_with_a_suggestion(tmp_path: Path) -> None:
    text = edited(
        "    source: axios-oig-zero-tolerance\n", "    source: axios-oig-zero-tolerence\n"
    )
    problem = only_problem(tmp_path, text)
    assert problem.key == "facts[0].source"
    assert "did you mean 'axios-oig-zero-tolerance'" in problem.message


def test_a_followup_source_is_checked_too(tmp_path: Path) -> None:
    old = "    source: axios-oig-zero-tolerance\n    owner: null"
    text = edited(old, "    source: nowhere\n    owner: null")
    problem = only_problem(tmp_path, text)
    assert problem.key == "followups[0].source"


def test_reminder_include_takes_kinds_and_existing_ids(tmp_path: Path) -> None:
    text = edited(
        "include: [figures, followups]",
        "include: [quotes, parents-not-located, white-house-response]",
    )
    desk, problems = check_file(desk_folder(tmp_path, text))
    assert problems == []
    assert desk is not None
    assert desk.reminders[0].include == ("quotes", "parents-not-located", "white-house-response")


@pytest.mark.parametrize(
    "word, suggestion",
    [("figure", "figures"), ("parents-not-locatd", "parents-not-located"), ("weather", None)],
)
def test_reminder_include_refuses_unknown_words(
    tmp_path: Path, word: str, suggestion: str | None
) -> None:
    problem = only_problem(tmp_path, edited("include: [figures, followups]", f"include: [{word}]"))
    assert problem.key == "reminders[0].include[0]"
    assert (f"did you mean '{suggestion}'" in problem.message) == (suggestion is not None)


# --- dates, cron, time zones ----------------------------------------------------------------


@pytest.mark.parametrize(
    "written, parsed",
    [
        ("2020", AsOf(2020)),
        ("2020-10", AsOf(2020, 10)),
        ("2020-10-05", AsOf(2020, 10, 5)),
        ('"2020-10-05"', AsOf(2020, 10, 5)),
    ],
)
def test_as_of_accepts_year_month_and_day(tmp_path: Path, written: str, parsed: AsOf) -> None:
    text = edited("as_of: 2020-10", f"as_of: {written}")
    desk = load_desk(desk_folder(tmp_path, text))
    figure = desk.fact("parents-not-located")
    assert figure is not None and figure.as_of == parsed


@pytest.mark.parametrize("written", ["2020-13", "October 2020", "20-10", "2021-02-29", "null"])
def test_as_of_refuses_other_forms(tmp_path: Path, written: str) -> None:
    problem = only_problem(tmp_path, edited("as_of: 2020-10", f"as_of: {written}"))
    assert problem.key == "facts[0].as_of"
    assert problem.line == line_of("as_of:")


@pytest.mark.parametrize("written", ["2021-1-14", "2021-02-30", "January 14", "2021"])
@pytest.mark.parametrize("key", ["published", "asked"])
def test_published_and_asked_must_be_dates(tmp_path: Path, key: str, written: str) -> None:
    # The shipped follow-ups have no asked date (the article gives none): add one.
    text = edited(
        "    waiting_on: White House\n", "    waiting_on: White House\n    asked: 2021-01-14\n"
    )
    problem = only_problem(tmp_path, edited(f"{key}: 2021-01-14", f"{key}: {written}", text))
    assert problem.key.endswith(f".{key}")
    assert problem.message == f"expected a date YYYY-MM-DD, got {written!r}"


@pytest.mark.parametrize(
    "cron, expected",
    [
        ("0 9 * *", "has 4 fields, not 5"),
        ("0 9 * * * *", "has 6 fields, not 5"),
        ("0 9 * * 8", "'8' is not a day of the week (0-7 or sun-sat)"),
        ("0 9 * * 5-1", "a range must go forwards"),
        ("61 9 * * mon", "cron '61 9 * * mon'"),
        ("0 9 * * funday", "cron '0 9 * * funday'"),
    ],
)
def test_bad_cron_expressions_are_refused(tmp_path: Path, cron: str, expected: str) -> None:
    problem = only_problem(tmp_path, edited('cron: "0 9 * * mon-fri"', f'cron: "{cron}"'))
    assert problem.key == "reminders[0].cron"
    assert expected in problem.message


@pytest.mark.parametrize("cron", ["0 9 * * 1-5", "0 9 * * 0,6", "0 9 * * 7", "0 9 1 * mon"])
def test_crontab_day_numbers_load_as_the_scheduler_reads_them(tmp_path: Path, cron: str) -> None:
    # Day-of-week numbers used to be refused (APScheduler 3 reads 0 as Monday); bot.desk.cron
    # now translates them with crontab's meaning, for check and the scheduler alike.
    text = edited('cron: "0 9 * * mon-fri"', f'cron: "{cron}"')
    assert load_desk(desk_folder(tmp_path, text)).reminders[0].cron == cron


def test_a_valid_cron_with_steps_and_ranges_loads(tmp_path: Path) -> None:
    text = edited('cron: "0 9 * * mon-fri"', 'cron: "*/15 9-17 * * mon-fri"')
    assert load_desk(desk_folder(tmp_path, text)).reminders[0].cron == "*/15 9-17 * * mon-fri"


def test_unknown_time_zones_suggest_the_likely_one(tmp_path: Path) -> None:
    text = edited("  timezone: America/New_York\n", "  timezone: America/New_Yrok\n")
    text = edited("    timezone: America/New_York\n", "    timezone: Mars/Olympus\n", text)
    problems = problems_for(tmp_path, text)
    assert [p.key for p in problems] == ["newsroom.timezone", "reminders[0].timezone"]
    assert "did you mean 'America/New_York'" in problems[0].message
    assert "Mars/Olympus" in problems[1].message


def test_a_region_without_a_city_is_an_unknown_time_zone(tmp_path: Path) -> None:
    text = edited("    timezone: America/New_York\n", "    timezone: Europe\n")
    [problem] = problems_for(tmp_path, text)
    assert problem.key == "reminders[0].timezone" and "Europe" in problem.message


def test_a_reminder_without_timezone_takes_the_newsroom_one(tmp_path: Path) -> None:
    text = edited("    timezone: America/New_York\n", "")
    assert load_desk(desk_folder(tmp_path, text)).reminders[0].timezone == "America/New_York"


def test_skip_dates_are_read_and_checked(tmp_path: Path) -> None:
    skip = "    include: [figures]\n    skip_dates: [2021-12-24, 2021-12-31]"
    good = edited("    include: [figures, followups]", skip)
    reminder = load_desk(desk_folder(tmp_path, good)).reminders[0]
    assert reminder.skip_dates == (date(2021, 12, 24), date(2021, 12, 31))
    bad = edited("2021-12-31", "2021-12-32", good)
    problem = only_problem(tmp_path, bad)
    assert problem.key == "reminders[0].skip_dates[1]"


# --- sources and figures --------------------------------------------------------------------


@pytest.mark.parametrize(
    "file, expected",
    [
        ("seeds/missing.txt", "source file not found"),
        ("../outside.txt", "outside the folder"),
        ("/etc/hostname", "outside the folder"),
    ],
)
def test_source_files_must_exist_inside_the_folder(
    tmp_path: Path, file: str, expected: str
) -> None:
    (tmp_path / "outside.txt").write_text("At least 545 parents")
    folder = tmp_path / "desk"
    folder.mkdir()
    text = edited("file: seeds/000_8c36c7995ecb0c4b.txt", f"file: {file}")
    _, problems = check_file(desk_folder(folder, text))
    source_problems = [p for p in problems if p.key == "sources[0].file"]
    assert len(source_problems) == 1 and expected in source_problems[0].message


def test_a_source_that_is_not_utf8_text_is_named(tmp_path: Path) -> None:
    facts = desk_folder(tmp_path, edited("file: seeds/000_8c36c7995ecb0c4b.txt", "file: bad.txt"))
    (tmp_path / "bad.txt").write_bytes(b"line one\nline \xff two\n")
    _, problems = check_file(facts)
    source_problems = [p for p in problems if p.key == "sources[0].file"]
    assert "not UTF-8 text" in source_problems[0].message
    assert "line 2 of that file" in source_problems[0].message


def test_a_figure_value_must_appear_in_its_quote(tmp_path: Path) -> None:
    text = edited("    value: 545", "    value: 546")
    problem = only_problem(tmp_path, text)
    assert problem.key == "facts[0].value"
    assert problem.line == line_of("value: 546", text)


def test_a_figure_value_may_drop_thousands_separators(tmp_path: Path) -> None:
    seed = tmp_path / "seeds" / "n.txt"
    text = edited("file: seeds/000_8c36c7995ecb0c4b.txt", "file: seeds/n.txt")
    facts = desk_folder(tmp_path, text)
    seed_text = (facts.parent / "seeds/000_8c36c7995ecb0c4b.txt").read_text()
    seed.write_text(seed_text.replace("At least 545", "At least 2,545"))
    text = text.replace("At least 545 parents", "At least 2,545 parents")
    facts.write_text(text.replace("value: 545", "value: 2545"))
    _, problems = check_file(facts)
    assert problems == []


@pytest.mark.parametrize("missing", ["label", "value", "as_of"])
def test_a_figure_needs_label_value_and_as_of(tmp_path: Path, missing: str) -> None:
    line = {
        "label": "    label: Parents not located\n",
        "value": "    value: 545\n",
        "as_of": "    as_of: 2020-10\n",
    }[missing]
    problem = only_problem(tmp_path, edited(line, ""))
    assert problem.message == f"a figure needs '{missing}'"


def test_an_unknown_kind_suggests_the_right_one(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, edited("    kind: finding", "    kind: findings"))
    assert problem.message == "unknown kind 'findings' (did you mean 'finding'?)"


def test_figure_keys_on_a_quote_are_refused(tmp_path: Path) -> None:
    text = edited(
        "    tags: [oig, prosecutions]\n", "    tags: [oig, prosecutions]\n    value: 3\n"
    )
    problem = only_problem(tmp_path, text)
    assert problem.key == "facts[1].value"
    assert "only for figures" in problem.message


def test_a_followup_owner_must_be_a_slack_user_id(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, edited("    owner: null", "    owner: jane"))
    assert problem.key == "followups[0].owner"
    text = edited("    owner: null", "    owner: U0123ABCD")
    assert load_desk(desk_folder(tmp_path, text)).followups[0].owner == "U0123ABCD"


# --- all at once ----------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_sorted_by_line(tmp_path: Path) -> None:
    text = edited("reminders:\n", "remiders:\n")
    text = edited("    kind: finding", "    kind: findng", text)
    text = edited("version: 1", "version: 3", text)
    text = edited("the chaos, cruelty,", "the chaos, brutality,", text)
    facts = desk_folder(tmp_path, text)
    with pytest.raises(FactsError) as caught:
        load_desk(facts)
    problems = caught.value.problems
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert len(problems) == 4
    report = str(caught.value)
    for problem in problems:
        assert f"{facts}:{problem.line}:{problem.column}: {problem.key}: " in report
    assert "brutality" in report and "cruelty" in report  # the hint names the difference
    assert report.endswith("4 problems found.")


def test_problem_text_puts_the_hint_on_indented_lines() -> None:
    problem = Problem("facts.yaml", 3, 5, "facts[0].quote", "not verbatim", "one\ntwo")
    assert str(problem) == "facts.yaml:3:5: facts[0].quote: not verbatim\n    one\n    two"
    assert str(Problem("f.yaml", 1, 1, "", "empty")) == "f.yaml:1:1: empty"


def test_a_symlinked_seeds_folder_is_the_operators_choice(tmp_path: Path) -> None:
    (tmp_path / "seeds").symlink_to(FACTS.parent / "seeds")
    (tmp_path / "facts.yaml").write_text(shipped_text(), encoding="utf-8")
    assert check_file(tmp_path / "facts.yaml")[1] == []


# --- nothing a user writes makes it crash ---------------------------------------------------

_SHIPPED = shipped_text()


def _check_never_raises(data: bytes) -> list[Problem]:
    with tempfile.TemporaryDirectory() as folder:
        facts = desk_folder(Path(folder), data)
        desk, problems = check_file(facts)
    assert (desk is None) == any(not p.warning for p in problems)  # warnings still load
    assert all(p.line >= 1 and p.column >= 1 and p.message for p in problems)
    return problems


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_problems_not_exceptions(data: bytes) -> None:
    _check_never_raises(data)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(_SHIPPED) - 1), st.integers(1, 40), st.text(max_size=6))
def test_any_local_edit_of_the_shipped_file_gives_problems_not_exceptions(
    at: int, length: int, insert: str
) -> None:
    _check_never_raises((_SHIPPED[:at] + insert + _SHIPPED[at + length :]).encode("utf-8"))


def test_reminder_and_source_ids_are_unique_too(tmp_path: Path) -> None:
    reminder = shipped_text().split("reminders:\n", 1)[1]
    problem = only_problem(tmp_path, shipped_text() + reminder)
    assert problem.key == "reminders[1].id"
    assert problem.message == "duplicate reminder id 'weekday-key-figures'"
    source = shipped_text().split("sources:\n", 1)[1].split("\nfacts:")[0]
    problem = only_problem(tmp_path, edited("\nfacts:", source + "\nfacts:"))
    assert problem.message == "duplicate source id 'axios-oig-zero-tolerance'"


def test_ids_named_like_follow_ups_added_from_slack_are_refused(tmp_path: Path) -> None:
    text = edited("- id: white-house-response", "- id: added-1")
    problem = only_problem(tmp_path, text)
    assert problem.key == "followups[0].id"
    assert "kept for Slack" in problem.message


def test_a_linked_source_file_pointing_outside_the_desk_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secret = outside / "passwd"
    secret.write_text((FACTS.parent / "seeds" / "000_8c36c7995ecb0c4b.txt").read_text())
    desk = tmp_path / "desk"
    (desk / "seeds").mkdir(parents=True)
    (desk / "seeds" / "000_8c36c7995ecb0c4b.txt").symlink_to(secret)
    (desk / "facts.yaml").write_text(shipped_text(), encoding="utf-8")
    loaded, problems = check_file(desk / "facts.yaml")
    assert loaded is None
    assert any("link to a file outside the folder" in p.message for p in problems), problems
    # A link that stays inside the desk's folder is fine.
    (desk / "seeds" / "000_8c36c7995ecb0c4b.txt").unlink()
    (desk / "copy.txt").write_text(secret.read_text())
    (desk / "seeds" / "000_8c36c7995ecb0c4b.txt").symlink_to(desk / "copy.txt")
    assert check_file(desk / "facts.yaml")[1] == []
