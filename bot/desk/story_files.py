"""Reading the stories of a desk: facts.yaml's ``story:`` block and ``stories:`` list, and each
story file (``story: {slug, title, channels}`` plus its own sources, facts, follow-ups and
reminders), merged into one :class:`Desk` whose ids stay unique (see bot.desk.stories).

Every problem names its file, line and column; a collision (two stories with one slug, a
channel claimed twice, a file listed twice) names both places.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace

import yaml

from bot.desk.model import Desk, Fact, FollowUp, Reminder, Source, Speaker
from bot.desk.problems import Problem
from bot.desk.stories import Story, qualified, slug_from
from bot.desk.yaml_reader import NodeReader

STORY_KEYS = ("slug", "title", "channels")
ENTRY_KEYS = ("file",)
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,}")
MAX_STORIES = 5000


def value_of(root: yaml.Node, key: str) -> yaml.Node | None:
    """The value of a top-level key, read before (and apart from) the desk's own checks."""
    if not isinstance(root, yaml.MappingNode):
        return None
    for key_node, value in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value if isinstance(value, yaml.Node) else None
    return None


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``- file: stories/x.yaml`` of facts.yaml's ``stories:`` list."""

    file: str
    line: int
    column: int


class StoryReader(NodeReader):
    """Reads ``story:`` blocks and the ``stories:`` list of one file; problems in that file."""

    def story(self, node: yaml.Node | None, default_title: str, default_file: str) -> Story | None:
        """A ``story:`` block; None (after a problem) if it is wrong. facts.yaml may leave it
        out (``default_title`` is then the newsroom's name); a story file may not."""
        if node is None:
            if not default_title:
                return None  # the desk's check says the key is missing
            return Story(slug_from(default_title), default_title, file=default_file, line=1)
        fields = self.mapping(node, "story", STORY_KEYS, ("slug", "title"))
        if fields is None:
            return None
        slug = self.scalar(fields, "slug", "story", required=True)
        title = self.scalar(fields, "title", "story", required=True)
        if slug is not None and not _SLUG.fullmatch(slug):
            example = slug_from(slug)
            hint = f"for example slug: {example}"
            self.problem(
                fields["slug"], "story.slug", f"slug {slug!r} may use only a-z, 0-9, -", hint
            )
            slug = None
        channels = self.channels(fields)
        if slug is None or title is None or channels is None:
            return None
        return Story(slug, title, channels, default_file, node.start_mark.line + 1)

    def channels(self, fields: dict[str, yaml.Node]) -> tuple[str, ...] | None:
        found, ok = [], True
        for i, (channel, node) in enumerate(self.items(fields, "channels", "story")):
            if not _CHANNEL.fullmatch(channel):
                hint = "a Slack channel ID such as C0123456789 (channel details, at the bottom)"
                self.problem(node, f"story.channels[{i}]", f"{channel!r} is not a channel ID", hint)
                ok = False
            found.append(channel)
        return tuple(found) if ok else None

    def entries(self, node: yaml.Node | None) -> list[Entry]:
        """facts.yaml's ``stories:`` list; a file listed twice is named with both lines."""
        if node is None:
            return []
        fields = {"stories": node}
        entries: list[Entry] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(self.sequence(fields, "stories", "")[:MAX_STORIES]):
            entry = self.mapping(item, f"stories[{i}]", ENTRY_KEYS, ENTRY_KEYS)
            file = self.scalar(entry, "file", f"stories[{i}]", required=True) if entry else None
            if entry is None or file is None:
                continue
            mark = entry["file"].start_mark
            if file in seen:
                message = f"{file} is listed twice (also on line {seen[file]})"
                self.problem(entry["file"], f"stories[{i}].file", message, "list each story once")
                continue
            seen[file] = mark.line + 1
            entries.append(Entry(file, mark.line + 1, mark.column + 1))
        return entries


def collisions(stories: list[Story], label_of: Callable[[Story], str]) -> list[Problem]:
    """Two stories with one slug, or one channel in two stories: both places named."""
    problems: list[Problem] = []
    by_slug: dict[str, Story] = {}
    by_channel: dict[str, Story] = {}
    for story in stories:
        first = by_slug.setdefault(story.slug, story)
        if first is not story:
            where = f"{label_of(first)}:{first.line}"
            message = f"story slug {story.slug!r} is already used by the story at {where}"
            hint = "each story needs its own slug: ids are SLUG/ID across stories"
            problems.append(Problem(label_of(story), story.line, 1, "story.slug", message, hint))
        for channel in story.channels:
            owner = by_channel.setdefault(channel, story)
            if owner is not story:
                where = f"{label_of(owner)}:{owner.line} ({owner.slug})"
                message = f"channel {channel} is already the channel of the story at {where}"
                hint = "a channel answers from one story first: keep it in one story's channels"
                problems.append(
                    Problem(label_of(story), story.line, 1, "story.channels", message, hint)
                )
    return problems


def qualify_desk(part: Desk, slug: str) -> Desk:
    """A story file's desk with every id (and every reference to one) as ``slug/id``."""

    def q(item_id: str) -> str:
        return qualified(slug, item_id)

    sources = {q(k): replace(s, id=q(s.id)) for k, s in part.sources.items()}
    speaker_of = _Speakers(q)
    facts = tuple(_qualify_fact(f, q, speaker_of) for f in part.facts)
    followups = tuple(
        replace(f, id=q(f.id), source=q(f.source) if f.source else None) for f in part.followups
    )
    kinds = {"figures", "quotes", "findings", "statements", "followups"}
    reminders = tuple(
        replace(r, id=q(r.id), include=tuple(w if w in kinds else q(w) for w in r.include))
        for r in part.reminders
    )
    speakers = {q(k): replace(s, id=q(s.id)) for k, s in part.speakers.items()}
    return replace(
        part,
        sources=sources,
        facts=facts,
        followups=followups,
        reminders=reminders,
        speakers=speakers,
    )


class _Speakers:
    """Each speaker of a story qualified once, however many facts name it."""

    def __init__(self, q: Callable[[str], str]) -> None:
        self._q = q
        self._done: dict[int, Speaker] = {}

    def __call__(self, speaker: Speaker) -> Speaker:
        found = self._done.get(id(speaker))
        if found is None:
            found = self._done[id(speaker)] = replace(speaker, id=self._q(speaker.id))
        return found


def _qualify_fact(fact: Fact, q: Callable[[str], str], speaker_of: _Speakers) -> Fact:
    speaker = speaker_of(fact.speaker) if fact.speaker else None
    about = tuple(speaker_of(s) for s in fact.about)
    # The source's id once for all its facts (sys.intern): an archive's facts name a few
    # thousand sources.
    source = sys.intern(q(fact.source))
    return replace(fact, id=q(fact.id), source=source, speaker=speaker, about=about)


def merged(first: Desk, parts: list[tuple[Story, Desk]], stories: tuple[Story, ...]) -> Desk:
    """facts.yaml's desk plus each story file's (already qualified)."""
    sources: dict[str, Source] = dict(first.sources)
    facts: list[Fact] = list(first.facts)
    followups: list[FollowUp] = list(first.followups)
    reminders: list[Reminder] = list(first.reminders)
    speakers: dict[str, Speaker] = dict(first.speakers)
    for _story, part in parts:
        speakers.update(part.speakers)
        sources.update(part.sources)
        facts.extend(part.facts)
        followups.extend(part.followups)
        reminders.extend(part.reminders)
    return replace(
        first,
        sources=sources,
        facts=tuple(facts),
        followups=tuple(followups),
        reminders=tuple(reminders),
        speakers=speakers,
        stories=stories,
    )


__all__ = [
    "Entry",
    "StoryReader",
    "collisions",
    "merged",
    "qualify_desk",
    "value_of",
]
