"""A newsroom's archive on disk: many stories, one file each, as editors would keep them.

``write_archive(100_000, 1_000, folder)`` writes facts.yaml (the first story's own items and
the list of the others) and ``stories/story-NNNN.yaml`` for each other story, with two
seed files per story under ``seeds/``. The facts are bench/gen_facts.py's (deterministic),
dealt out by source, so every story holds the same share and the whole archive searches
like one desk of that size. Every file stays far under the loader's size limit.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bench.facts_files import _fact_lines, _followup_lines, _scalar, _source_lines
from bench.gen_facts import generate_desk
from bot.desk.model import Desk, Fact, FollowUp, Source

SOURCES_PER_STORY = 2


def _story_slug(k: int) -> str:
    return f"story-{k:04d}"


def _items(lines: list[str], key: str, blocks: list[list[str]]) -> None:
    lines.append(f"{key}:" if blocks else f"{key}: []")
    for block in blocks:
        lines += block


def _body(sources: list[Source], facts: list[Fact], followups: list[FollowUp]) -> list[str]:
    lines: list[str] = []
    _items(lines, "sources", [_source_lines(s) for s in sources])
    _items(lines, "facts", [_fact_lines(f) for f in facts])
    _items(lines, "followups", [_followup_lines(f) for f in followups])
    return lines


def channel_of(k: int) -> str:
    """The Slack channel of story ``k``."""
    return f"C{k:08d}X"


def _head(desk: Desk, stories: int) -> list[str]:
    lines = [
        "version: 1",
        "newsroom:",
        f"  name: {_scalar(desk.newsroom.name)}",
        f"  timezone: {desk.newsroom.timezone}",
        "story:",
        f"  slug: {_story_slug(0)}",
        "  title: Archive story 0",
        f"  channels: [{channel_of(0)}]",
    ]
    if stories > 1:
        lines.append("stories:")
        lines += [f"  - file: stories/{_story_slug(k)}.yaml" for k in range(1, stories)]
    return lines


def _story_head(k: int) -> list[str]:
    return [
        "story:",
        f"  slug: {_story_slug(k)}",
        f"  title: Archive story {k}",
        f"  channels: [{channel_of(k)}]",
    ]


def _dealt(desk: Desk, stories: int) -> list[tuple[list[Source], list[Fact], list[FollowUp]]]:
    """Each story's sources, and the facts and follow-ups that cite them."""
    ids = sorted(desk.sources)
    story_of = {sid: n % stories for n, sid in enumerate(ids)}
    parts: list[tuple[list[Source], list[Fact], list[FollowUp]]] = [
        ([], [], []) for _ in range(stories)
    ]
    for sid in ids:
        parts[story_of[sid]][0].append(desk.sources[sid])
    for fact in desk.facts:
        parts[story_of[fact.source]][1].append(fact)
    for followup in desk.followups:
        parts[story_of[followup.source or ids[0]]][2].append(replace(followup, source=None))
    return parts


def write_archive(facts: int, stories: int, folder: Path) -> Path:
    """facts.yaml, the story files and the seeds under ``folder``; returns facts.yaml."""
    desk = generate_desk(facts, sources=max(1, stories * SOURCES_PER_STORY))
    (folder / "stories").mkdir(parents=True, exist_ok=True)
    (folder / "seeds").mkdir(exist_ok=True)
    for source in desk.sources.values():
        (folder / source.file).write_text(source.text, encoding="utf-8")
    parts = _dealt(desk, stories)
    own = _head(desk, stories) + _body(*parts[0])
    path = folder / "facts.yaml"
    path.write_text("\n".join(own) + "\n", encoding="utf-8")
    for k in range(1, stories):
        lines = _story_head(k) + _body(*parts[k])
        (folder / "stories" / f"{_story_slug(k)}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    return path


def write_archive_elsewhere(facts: int, stories: int, folder: Path) -> Path:
    """write_archive in a child process (the benchmark's own process stays small)."""
    import subprocess
    import sys

    code = "import sys; from pathlib import Path; from bench.archive_files import write_archive"
    code += "; print(write_archive(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code, str(facts), str(stories), str(folder)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())
