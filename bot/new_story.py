"""``newsbot new-story SLUG --from ARTICLE [--channel ID]...``: a story file from an article.

The story file is ``newsbot extract``'s draft (speakers, quotes, figures, findings,
follow-ups) under a ``story:`` block, written to ``stories/SLUG.yaml`` beside facts.yaml and
added to facts.yaml's ``stories:`` list. Nothing is ever overwritten: an existing story file,
a slug the desk already has, or a different article already at the seed's path is refused.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from bot.desk.model import plural
from bot.desk.stories import slug_from

_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,}")
_TITLE = re.compile(r"^    title: (.+)$", re.MULTILINE)


class StoryRefused(Exception):
    """Why the story was not written (nothing was changed)."""


@dataclass(frozen=True)
class NewStory:
    slug: str
    article: Path
    channels: tuple[str, ...] = ()
    title: str | None = None


def create_story(request: NewStory, facts: Path, out: TextIO) -> Path:
    """Write the story file and list it in ``facts``; the story file's path."""
    from bot.desk.extract import extract_draft

    folder = facts.parent
    story_file = folder / "stories" / f"{request.slug}.yaml"
    _refuse_unless_new(request, facts, story_file)
    text = _article_text(request.article)
    seed = _seed_path(request, folder, text)
    draft = extract_draft(text, seed)
    story_text = story_file_text(draft, request)
    story_file.parent.mkdir(parents=True, exist_ok=True)
    if not (folder / seed).exists():
        shutil.copyfile(request.article, folder / seed)
        print(f"copied {request.article} to {seed}", file=out)
    with story_file.open("x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(story_text)
    entry = f"stories/{request.slug}.yaml"
    facts.write_text(with_story_entry(facts.read_text(encoding="utf-8"), entry), "utf-8")
    print(f"wrote {entry} from {request.article} ({_counts(story_text)})", file=out)
    print(f"added {entry} to the stories: list of {facts.name}", file=out)
    return story_file


def _refuse_unless_new(request: NewStory, facts: Path, story_file: Path) -> None:
    if not _SLUG.fullmatch(request.slug):
        raise StoryRefused(
            f"{request.slug!r} is not a slug: use a-z, 0-9 and '-', e.g. {slug_from(request.slug)}"
        )
    bad = [c for c in request.channels if not _CHANNEL.fullmatch(c)]
    if bad:
        raise StoryRefused(f"{bad[0]!r} is not a Slack channel ID (e.g. C0123456789)")
    if not facts.is_file():
        raise StoryRefused(f"{facts} not found: run it in the desk's folder, or pass --facts")
    if story_file.exists():
        raise StoryRefused(
            f"{story_file} already exists; new-story never overwrites: "
            "edit it, or pick another slug"
        )
    if request.slug in _slugs_in(facts):
        raise StoryRefused(f"the desk already has a story {request.slug!r}: pick another slug")


def _slugs_in(facts: Path) -> set[str]:
    """The slugs facts.yaml and its story files use (unreadable ones are check's business)."""
    slugs: set[str] = set()
    for path in [facts, *sorted((facts.parent / "stories").glob("*.yaml"))]:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        story = data.get("story") if isinstance(data, dict) else None
        if isinstance(story, dict) and isinstance(story.get("slug"), str):
            slugs.add(story["slug"])
    return slugs


def _article_text(article: Path) -> str:
    try:
        return article.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StoryRefused(f"cannot read {article}: {error}") from None


def _seed_path(request: NewStory, folder: Path, text: str) -> str:
    """Where the article is read from, relative to facts.yaml: where it is when it is in the
    desk's folder, else seeds/SLUG.txt (a different text already there is refused)."""
    article = request.article.resolve()
    if article.is_relative_to(folder.resolve()):
        return article.relative_to(folder.resolve()).as_posix()
    seed = f"seeds/{request.slug}.txt"
    target = folder / seed
    if target.exists() and target.read_text(encoding="utf-8", errors="replace") != text:
        raise StoryRefused(f"{target} exists and holds another text; new-story never overwrites")
    target.parent.mkdir(parents=True, exist_ok=True)
    return seed


def story_file_text(draft: str, request: NewStory) -> str:
    """The extract draft with its version and newsroom lines replaced by a story: block."""
    lines = draft.splitlines()
    start = lines.index("version: 1")
    end = lines.index("", start)
    title = request.title or _draft_title(draft) or request.slug
    story = [
        "story:",
        f"  slug: {request.slug}",
        f"  title: {_quoted(title)}",
        f"  channels: [{', '.join(request.channels)}]",
    ]
    return "\n".join([*lines[:start], *story, *lines[end:]]) + "\n"


def _draft_title(draft: str) -> str | None:
    found = _TITLE.search(draft)
    if found is None:
        return None
    value = yaml.safe_load(found[1])
    return value if isinstance(value, str) and not value.startswith("TODO") else None


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def with_story_entry(facts_text: str, entry: str) -> str:
    """facts.yaml with ``- file: ENTRY`` at the end of its stories: list (made if missing)."""
    node = _stories_node(facts_text)
    line = f"- file: {entry}"
    if node is None:
        return facts_text.rstrip("\n") + f"\n\nstories:\n  {line}\n"
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise StoryRefused(
            "facts.yaml's stories: is not a list of '- file: ...' lines: add "
            f"'  {line}' to it by hand"
        )
    lines = facts_text.splitlines(keepends=True)
    first = node.value[0].start_mark
    indent = lines[first.line][: len(lines[first.line]) - len(lines[first.line].lstrip())]
    end = _innermost_end(node.value[-1])  # the last item's last value, not a comment after
    last_line = end.line if end.column == 0 else end.line + 1
    lines.insert(last_line, f"{indent}{line}\n")
    if last_line > 0 and not lines[last_line - 1].endswith("\n"):
        lines[last_line - 1] += "\n"
    return "".join(lines)


def _stories_node(facts_text: str) -> yaml.Node | None:
    root = yaml.compose(facts_text, Loader=yaml.CSafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return None
    found = (v for k, v in root.value if getattr(k, "value", None) == "stories")
    return next(found, None)


def _innermost_end(node: yaml.Node) -> yaml.Mark:
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark


def _counts(story_text: str) -> str:
    data = yaml.safe_load(story_text) or {}
    facts = data.get("facts") or []
    kinds = [f.get("kind") for f in facts if isinstance(f, dict)]
    parts = [
        plural(len(data.get("speakers") or []), "speaker"),
        plural(kinds.count("quote"), "quote"),
        plural(kinds.count("figure"), "figure"),
        plural(kinds.count("finding"), "finding"),
        plural(len(data.get("followups") or []), "follow-up"),
    ]
    return ", ".join(parts)
