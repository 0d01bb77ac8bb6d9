"""Stories (issue 16): facts.yaml lists story files; ids are unique per story and SLUG/ID
across stories; every collision names both places."""

from __future__ import annotations

from pathlib import Path

from bot.desk.load import check_file, load_desk
from tests.desk.files import FACTS
from tests.desk.stories_files import (
    IMMIGRATION_CHANNEL,
    TRANSIT_CHANNEL,
    transit_story_text,
    two_story_desk,
)


def line_of(path: Path, text: str, start: int = 0) -> int:
    content = path.read_text(encoding="utf-8")
    return content[: content.index(text, start)].count("\n") + 1


def problem_lines(path: Path) -> list[str]:
    desk, problems = check_file(path)
    assert desk is None
    return [str(p) for p in problems]


def test_the_shipped_desk_is_one_story_with_its_own_ids() -> None:
    desk = load_desk(FACTS)
    assert [s.slug for s in desk.stories] == ["zero-tolerance"]
    assert desk.fact("parents-not-located") is not None
    assert desk.story_of("parents-not-located").slug == "zero-tolerance"


def test_a_file_without_a_story_block_is_one_story_named_after_the_newsroom(
    tmp_path: Path,
) -> None:
    from tests.desk.files import desk_folder, shipped_text

    text = shipped_text()
    start = text.index("story:\n")
    end = text.index("\n\n", start)
    desk = load_desk(desk_folder(tmp_path, text[:start] + text[end:]))
    assert [(s.slug, s.title) for s in desk.stories] == [("immigration-desk", "Immigration desk")]


def test_a_story_file_adds_its_items_as_slug_slash_id(tmp_path: Path) -> None:
    desk = load_desk(two_story_desk(tmp_path))
    assert [s.slug for s in desk.stories] == ["zero-tolerance", "transit"]
    transit = desk.story("transit")
    assert transit is not None and transit.channels == (TRANSIT_CHANNEL,)
    assert transit.file == "stories/transit.yaml"
    fare = desk.fact("transit/fare-increase")
    assert fare is not None and fare.source == "transit/riverton-transit-fares"
    assert desk.sources[fare.source].file == "seeds/riverton-transit.txt"
    assert desk.fact("fare-increase") is None  # outside its story, the slug is part of the id
    assert desk.fact("parents-not-located") is not None  # the first story's ids are unchanged
    assert desk.story_in_channel(IMMIGRATION_CHANNEL).slug == "zero-tolerance"  # type: ignore[union-attr]
    reminders = {r.id: r for r in desk.reminders}
    assert set(reminders) >= {"weekday-key-figures"}
    assert all(r.startswith("transit/") for r in reminders if r != "weekday-key-figures")


def test_references_resolve_by_channel_slug_or_uniqueness(tmp_path: Path) -> None:
    desk = load_desk(two_story_desk(tmp_path))
    transit = desk.story("transit")
    assert desk.resolve("transit/fare-increase") == "transit/fare-increase"
    assert desk.resolve("zero-tolerance/parents-not-located") == "parents-not-located"
    assert desk.resolve("fare-increase", transit) == "transit/fare-increase"
    assert desk.resolve("fare-increase") == "transit/fare-increase"  # only one story has it
    assert desk.resolve("no-such-id", transit) == "no-such-id"


def test_two_stories_with_one_slug_name_both_files_and_lines(tmp_path: Path) -> None:
    extra = "  - file: stories/again.yaml\n"
    facts = two_story_desk(tmp_path, facts_extra=extra)
    again = tmp_path / "stories" / "again.yaml"
    again.write_text(transit_story_text(channels="C0OTHER123"), encoding="utf-8")
    found = [p for p in problem_lines(facts) if "slug" in p]
    assert len(found) == 1, found
    story_line = line_of(again, "  slug:")
    assert found[0].startswith(f"{tmp_path}/stories/again.yaml:{story_line}:1: story.slug: ")
    assert f"{tmp_path}/stories/transit.yaml:{story_line}" in found[0]


def test_a_slug_taken_by_the_first_story_is_a_collision_too(tmp_path: Path) -> None:
    facts = two_story_desk(tmp_path, story_text=transit_story_text(slug="zero-tolerance"))
    found = problem_lines(facts)
    assert any(
        p.startswith(f"{tmp_path}/stories/transit.yaml:2:1: story.slug: ")
        and f"{facts}:{line_of(facts, '  slug: zero-tolerance')}" in p
        for p in found
    ), found


def test_a_channel_in_two_stories_names_both(tmp_path: Path) -> None:
    story = transit_story_text(channels=IMMIGRATION_CHANNEL)
    facts = two_story_desk(tmp_path, story_text=story)
    found = problem_lines(facts)
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path}/stories/transit.yaml:2:1: story.channels: ")
    assert f"channel {IMMIGRATION_CHANNEL}" in found[0]
    assert f"{facts}:{line_of(facts, '  slug: zero-tolerance')} (zero-tolerance)" in found[0]


def test_an_id_twice_in_one_story_names_both_lines_of_that_file(tmp_path: Path) -> None:
    story = transit_story_text().replace("- id: routes-cut", "- id: fare-increase\n    # routes", 1)
    facts = two_story_desk(tmp_path, story_text=story)
    story_file = tmp_path / "stories" / "transit.yaml"
    first = line_of(story_file, "- id: fare-increase")
    content = story_file.read_text(encoding="utf-8")
    second = content[: content.rindex("- id: fare-increase")].count("\n") + 1
    found = problem_lines(facts)
    assert any(
        p.startswith(f"{story_file}:{second}:") and f"first used on line {first}" in p
        for p in found
    ), found


def test_the_same_id_in_two_stories_is_no_collision(tmp_path: Path) -> None:
    story = transit_story_text().replace("- id: fare-increase", "- id: parents-not-located", 1)
    story = story.replace("fare-increase", "parents-not-located")
    desk = load_desk(two_story_desk(tmp_path, story_text=story))
    assert desk.fact("parents-not-located") is not None
    assert desk.fact("transit/parents-not-located") is not None


def test_a_missing_or_twice_listed_story_file_is_named_at_its_entry(tmp_path: Path) -> None:
    extra = "  - file: stories/transit.yaml\n  - file: stories/gone.yaml\n"
    facts = two_story_desk(tmp_path, facts_extra=extra)
    first = line_of(facts, "- file: stories/transit.yaml")
    found = problem_lines(facts)
    assert any(
        p.startswith(f"{facts}:{first + 1}:") and f"listed twice (also on line {first})" in p
        for p in found
    ), found
    assert any(
        p.startswith(f"{facts}:{first + 2}:") and "stories/gone.yaml: story file not found" in p
        for p in found
    ), found


def test_problems_inside_a_story_file_carry_its_name_and_lines(tmp_path: Path) -> None:
    story = transit_story_text().replace(
        "raise the base bus fare to $2.50", "raise the base bus fare to $3.50", 1
    )
    facts = two_story_desk(tmp_path, story_text=story)
    story_file = tmp_path / "stories" / "transit.yaml"
    found = problem_lines(facts)
    quote_line = line_of(story_file, "$3.50")
    assert any(p.startswith(f"{story_file}:{quote_line}:") for p in found), found


def test_a_story_file_needs_its_story_block(tmp_path: Path) -> None:
    story = transit_story_text()
    facts = two_story_desk(tmp_path, story_text=story[story.index("\n\n") + 2 :])
    found = problem_lines(facts)
    first_key = line_of(tmp_path / "stories" / "transit.yaml", "speakers:")
    assert f"{tmp_path}/stories/transit.yaml:{first_key}:1: missing required key 'story'" in found
