"""Helpers: the shipped desk plus a second story (the transit desk of bench/questions) as a
story file, in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.desk.files import ROOT, desk_folder, shipped_text

TRANSIT = ROOT / "bench" / "questions" / "transit"
IMMIGRATION_CHANNEL = "C0IMMIGR01"
TRANSIT_CHANNEL = "C0TRANSIT1"


def transit_story_text(slug: str = "transit", channels: str = TRANSIT_CHANNEL) -> str:
    """The transit desk as a story file: its story block, then its own sources and items."""
    text = (TRANSIT / "facts.yaml").read_text(encoding="utf-8")
    items = text[text.index("\n\n", text.index("newsroom:")) + 2 :]  # all but version, newsroom
    head = f"story:\n  slug: {slug}\n  title: Riverton transit fares\n  channels: [{channels}]\n\n"
    return head + items


def two_story_desk(tmp_path: Path, facts_extra: str = "", story_text: str | None = None) -> Path:
    """facts.yaml (the shipped story, given a slug and a channel) listing stories/transit.yaml."""
    shipped = shipped_text()
    assert "  channels: []\n" in shipped
    own = shipped.replace("  channels: []\n", f"  channels: [{IMMIGRATION_CHANNEL}]\n", 1)
    listed = "\nstories:\n  - file: stories/transit.yaml\n" + facts_extra
    facts = desk_folder(tmp_path, own + listed)
    (tmp_path / "stories").mkdir(exist_ok=True)
    shutil.copy(TRANSIT / "seeds" / "riverton-transit.txt", tmp_path / "seeds")
    story = transit_story_text() if story_text is None else story_text
    (tmp_path / "stories" / "transit.yaml").write_text(story, encoding="utf-8")
    return facts
