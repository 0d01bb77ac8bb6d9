"""Write a generated desk to disk as an editor would keep it: facts.yaml plus seed files.

The benchmark then loads it through the real path (``bot.desk.load.load_desk``): YAML
parsing, validation and the verbatim provenance check of every quote.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.gen_facts import generate_desk
from bot.desk.model import Desk, Fact, FollowUp, Source


def _scalar(value: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML double-quoted scalars)."""
    return json.dumps(value, ensure_ascii=False)


def _source_lines(source: Source) -> list[str]:
    return [
        f"  - id: {source.id}",
        f"    title: {_scalar(source.title)}",
        f"    publisher: {_scalar(source.publisher)}",
        f"    published: {source.published.isoformat()}",
        f"    file: {source.file}",
    ]


def _fact_lines(fact: Fact) -> list[str]:
    lines = [
        f"  - id: {fact.id}",
        f"    kind: {fact.kind}",
        f"    quote: {_scalar(fact.quote)}",
        f"    attribution: {_scalar(fact.attribution)}",
        f"    source: {fact.source}",
    ]
    if fact.kind == "figure":
        assert fact.as_of is not None and fact.label and fact.value
        month = f"-{fact.as_of.month:02d}" if fact.as_of.month else ""
        day = f"-{fact.as_of.day:02d}" if fact.as_of.month and fact.as_of.day else ""
        lines += [
            f"    label: {_scalar(fact.label)}",
            f"    value: {fact.value}",
            f"    unit: {_scalar(fact.unit or '')}",
            f"    as_of: {fact.as_of.year}{month}{day}",
        ]
    if fact.summary:
        lines.append(f"    summary: {_scalar(fact.summary)}")
    if fact.tags:
        lines.append(f"    tags: [{', '.join(fact.tags)}]")
    return lines


def _followup_lines(followup: FollowUp) -> list[str]:
    lines = [f"  - id: {followup.id}", f"    title: {_scalar(followup.title)}"]
    # The validator wants a quote with every source (checked against it); generated
    # follow-ups have no quote, so they are written as added without one.
    if followup.source and followup.quote:
        lines += [f"    source: {followup.source}", f"    quote: {_scalar(followup.quote)}"]
    if followup.waiting_on:
        lines.append(f"    waiting_on: {_scalar(followup.waiting_on)}")
    if followup.asked:
        lines.append(f"    asked: {followup.asked.isoformat()}")
    return lines


def desk_yaml(desk: Desk) -> str:
    lines = [
        "version: 1",
        "newsroom:",
        f"  name: {_scalar(desk.newsroom.name)}",
        f"  timezone: {desk.newsroom.timezone}",
        "sources:",
    ]
    for source in desk.sources.values():
        lines += _source_lines(source)
    lines.append("facts:")
    for fact in desk.facts:
        lines += _fact_lines(fact)
    lines.append("followups:")
    for followup in desk.followups:
        lines += _followup_lines(followup)
    return "\n".join(lines) + "\n"


def write_desk(desk: Desk, folder: Path) -> Path:
    """facts.yaml and its seeds under ``folder``; returns the facts.yaml path."""
    for source in desk.sources.values():
        seed = folder / source.file
        seed.parent.mkdir(parents=True, exist_ok=True)
        seed.write_text(source.text or "", encoding="utf-8")
    path = folder / "facts.yaml"
    path.write_text(desk_yaml(desk), encoding="utf-8")
    return path


def write_generated(n: int, folder: Path) -> Path:
    """Generate ``n`` facts (deterministically) and write them under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_desk(generate_desk(n), folder)


def write_generated_elsewhere(n: int, folder: Path) -> Path:
    """write_generated in a child process, so the benchmark's own process stays small.

    (On Linux a child's ru_maxrss counts its parent's RSS at fork, so a bloated parent
    would inflate every peak-memory figure measured in its children.)
    """
    import subprocess
    import sys

    code = "import sys; from pathlib import Path; from bench.facts_files import write_generated"
    code += "; print(write_generated(int(sys.argv[1]), Path(sys.argv[2])))"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code, str(n), str(folder)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())
