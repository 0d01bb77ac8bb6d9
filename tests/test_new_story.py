"""``newsbot new-story SLUG --from ARTICLE``: a story file from extract's draft, listed in
facts.yaml, never overwriting anything (issue 16)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.desk.load import check_file
from bot.new_story import with_story_entry
from tests.desk.files import desk_folder
from tests.desk.stories_files import TRANSIT

ARTICLE = TRANSIT / "seeds" / "riverton-transit.txt"


def new_story(facts: Path, *args: str) -> int:
    return main(["--facts", str(facts), "new-story", *args], environ={})


def test_new_story_writes_the_draft_as_a_story_file_and_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = desk_folder(tmp_path)
    before = facts.read_text(encoding="utf-8")
    assert new_story(facts, "transit", "--from", str(ARTICLE), "--channel", "C0TRANSIT1") == 0
    out = capsys.readouterr().out
    assert "wrote stories/transit.yaml from" in out and "4 quotes" in out
    story = yaml.safe_load((tmp_path / "stories" / "transit.yaml").read_text(encoding="utf-8"))
    assert story["story"] == {
        "slug": "transit",
        "title": "Riverton transit board raises bus fare, cuts 14 routes to close budget gap",
        "channels": ["C0TRANSIT1"],
    }
    assert "version" not in story and "newsroom" not in story
    assert story["sources"][0]["file"] == "seeds/transit.txt"
    seed = (tmp_path / "seeds" / "transit.txt").read_text(encoding="utf-8")
    assert seed == ARTICLE.read_text(encoding="utf-8")
    quotes = [f["quote"] for f in story["facts"] if f["kind"] == "quote"]
    assert quotes and all(q in seed for q in quotes)
    assert any(s["name"] == "Marcus Bell" for s in story["speakers"])
    assert story["followups"]
    after = facts.read_text(encoding="utf-8")
    assert after == before.rstrip("\n") + "\n\nstories:\n  - file: stories/transit.yaml\n"
    # The draft's TODOs are the editor's to decide: check names them in the story file only.
    desk, problems = check_file(facts)
    assert desk is None and problems
    assert all(p.file == f"{tmp_path}/stories/transit.yaml" for p in problems)


def test_new_story_refuses_to_overwrite_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = desk_folder(tmp_path)
    assert new_story(facts, "transit", "--from", str(ARTICLE)) == 0
    files = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert new_story(facts, "transit", "--from", str(ARTICLE)) == 1
    assert "already exists; new-story never overwrites" in capsys.readouterr().err
    assert new_story(facts, "zero-tolerance", "--from", str(ARTICLE)) == 1
    assert "already has a story 'zero-tolerance'" in capsys.readouterr().err
    other = tmp_path / "other.txt"
    other.write_text("Another article.\n", encoding="utf-8")
    shutil.copy(other, tmp_path / "elsewhere.txt")
    (tmp_path / "seeds" / "roads.txt").write_text("A different text.\n", encoding="utf-8")
    assert new_story(facts, "roads", "--from", "/dev/null") == 1
    assert "holds another text" in capsys.readouterr().err
    assert new_story(facts, "Bad Slug", "--from", str(ARTICLE)) == 1
    assert "not a slug" in capsys.readouterr().err
    for path, data in files.items():
        assert path.read_bytes() == data, path


def test_a_second_story_is_added_at_the_end_of_the_existing_list() -> None:
    text = "version: 1\nstories:\n    - file: stories/a.yaml\n    # b is next\nfacts: []\n"
    assert with_story_entry(text, "stories/b.yaml") == (
        "version: 1\nstories:\n    - file: stories/a.yaml\n    - file: stories/b.yaml\n"
        "    # b is next\nfacts: []\n"
    )
    last = "version: 1\nstories:\n  - file: stories/a.yaml"
    assert with_story_entry(last, "stories/b.yaml") == (
        "version: 1\nstories:\n  - file: stories/a.yaml\n  - file: stories/b.yaml\n"
    )
