"""facts.yaml -> a validated :class:`Desk`, or every problem at once with where it is.

The file is composed into a YAML node tree with libyaml's CSafeLoader (fast, and every
node keeps its line and column); :mod:`bot.desk.validate` reads that tree. This module
owns everything before it: file size, encoding, tabs, YAML syntax and aliases.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from bot.desk.model import Desk, Newsroom
from bot.desk.problems import Problem, by_position, errors
from bot.desk.stories import Story
from bot.desk.story_files import Entry, StoryReader, collisions, merged, qualify_desk, value_of
from bot.desk.validate import DeskChecker, SourceReader
from bot.desk.yaml_reader import INT_TAG, NULL_TAG

__all__ = ["MAX_BYTES", "FactsError", "Problem", "check_file", "load_desk"]

MAX_BYTES = 20 * 1024 * 1024
_INDENT_TAB = re.compile(r"^ *\t", re.MULTILINE)
# A literal first character lets the regex engine scan megabytes in a millisecond.
_STAR_NAME = re.compile(r"\*[^\s\[\]{},]")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_PLAIN_INT = re.compile(r"[-+]?[0-9]+")
_STR_TAG = "tag:yaml.org,2002:str"
# Told of every file the check reads, with the bytes it read (a compiled desk keeps their
# digests, so it can tell later whether the files still hold what was checked).
Recorder = Callable[[Path, bytes], None]


class _LeanLoader(yaml.CSafeLoader):
    """libyaml with a lean resolver. The checker reads every scalar as written and needs
    only null and int; YAML 1.1's regex-based tag guessing was a third of the load time."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            if not implicit[0]:  # quoted
                return _STR_TAG
            if value in _NULLS:
                return NULL_TAG
            return INT_TAG if _PLAIN_INT.fullmatch(value) else _STR_TAG
        if kind is yaml.SequenceNode:
            return yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
        return yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building the node tree and the desk.

    Composing allocates hundreds of thousands of small objects, none of them garbage;
    the collector's repeated passes over them tripled the time to load 10,000 facts.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class FactsError(ValueError):
    """facts.yaml cannot be used; ``problems`` lists everything wrong, by line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = by_position(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        summary = f"{count} problem{'' if count == 1 else 's'} found."
        return "\n".join([*(str(p) for p in self.problems), summary])


def load_desk(path: str | Path) -> Desk:
    """Read and validate facts.yaml; raise FactsError listing every problem (warnings,
    which do not stop a desk from loading, are left to ``newsbot check``)."""
    desk, problems = check_file(path)
    if desk is None:
        raise FactsError(errors(problems))
    return desk


def check_file(
    path: str | Path, record: Recorder | None = None
) -> tuple[Desk | None, list[Problem]]:
    """Validate without raising: the desk (None if anything is wrong) and the problems,
    warnings included (``Problem.warning``: the desk loads with them). ``record`` is told
    of every file read: the facts file, each story file, each source text."""
    path = Path(path)
    label = str(path)
    text, problem = read_text(path, label, "facts file", record)
    if text is None:
        return None, [problem] if problem else []
    base_dir = path.resolve().parent
    texts: dict[Path, tuple[str | None, Problem | None]] = {}  # sources may share a file
    checker = DeskChecker(label, lambda file: _read_source(base_dir, file, texts, record))
    desk = None
    more: list[Problem] = []
    with _collector_paused():
        root = _composed(checker, text)
        if root is not None:
            desk = checker.desk(root, path)
            desk, more = _with_stories(root, desk, path, label, (checker.read_source, record))
        del root  # freed by reference counting, before the collector could trace it
    problems = by_position(checker.problems) + more
    return (None if errors(problems) else desk), problems


def _composed(checker: DeskChecker, text: str) -> yaml.Node | None:
    """The node tree, or None after saying why (tabs, syntax, aliases, an empty file)."""
    tab_lines = _check_tabs(checker, text)
    root = _compose(checker, text, tab_lines)
    if root is None or not _no_aliases(checker, root, text):
        return None
    return root


def _with_stories(
    root: yaml.Node,
    first: Desk | None,
    path: Path,
    label: str,
    readers: tuple[SourceReader, Recorder | None],
) -> tuple[Desk | None, list[Problem]]:
    """facts.yaml's desk (its own story first) and every story file it lists, merged; the
    problems of the story blocks and files, and every collision between stories."""
    reader = StoryReader(label)
    own = reader.story(value_of(root, "story"), first.newsroom.name if first else "desk", label)
    entries = reader.entries(value_of(root, "stories"))
    problems = by_position(reader.problems)
    parts = _story_files(path.parent, entries, label, first, readers, problems)
    listed = [(story, story_label) for story, story_label, _ in parts]
    stories = _named_stories([(own, label)] if own is not None else [], listed, problems)
    read = [(story, part) for story, _, part in parts if part is not None]
    whole = own is not None and len(read) == len(entries) and not errors(problems)
    return (merged(first, read, stories) if first is not None and whole else None), problems


def _named_stories(
    own: list[tuple[Story, str]], listed: list[tuple[Story, str]], problems: list[Problem]
) -> tuple[Story, ...]:
    """Every story, facts.yaml's first; collisions between them are added to ``problems``."""
    labels = {id(story): story_label for story, story_label in [*own, *listed]}
    stories = [story for story, _ in [*own, *listed]]
    problems.extend(collisions(stories, lambda story: labels[id(story)]))
    return tuple(stories)


def _story_files(
    folder: Path,
    entries: list[Entry],
    label: str,
    first: Desk | None,
    readers: tuple[SourceReader, Recorder | None],
    problems: list[Problem],
) -> list[tuple[Story, str, Desk | None]]:
    """Each listed story file: its story, its label and its desk with SLUG/ID ids (None when
    it has problems, which are added to ``problems``)."""
    newsroom = first.newsroom if first is not None else Newsroom("desk")
    read: list[tuple[Story, str, Desk | None]] = []
    for entry in entries:
        story_label = str(Path(label).parent / entry.file)
        story, part, found = _story_file(folder, entry, (label, story_label), newsroom, readers)
        problems.extend(found)
        if story is not None:
            qualified = qualify_desk(part, story.slug) if part is not None else None
            read.append((story, story_label, qualified))
    return read


def _story_file(
    folder: Path,
    entry: Entry,
    labels: tuple[str, str],
    newsroom: Newsroom,
    readers: tuple[SourceReader, Recorder | None],
) -> tuple[Story | None, Desk | None, list[Problem]]:
    """One story file listed in facts.yaml: its story, its desk (ids not yet qualified)."""
    facts_label, label = labels
    target = Path(os.path.normpath(folder / entry.file))
    if Path(entry.file).is_absolute() or not target.is_relative_to(folder):
        message = f"{entry.file!r} is outside the folder of the facts file"
        hint = "keep story files beside facts.yaml, e.g. stories/transit.yaml"
        return (
            None,
            None,
            [Problem(facts_label, entry.line, entry.column, "stories", message, hint)],
        )
    read_source, record = readers
    text, problem = read_text(target, label, "story file", record)
    if text is None:
        why = problem.message if problem else "cannot be read"
        hint = "paths are relative to the facts file's folder; `newsbot new-story` writes one"
        found = Problem(
            facts_label, entry.line, entry.column, "stories", f"{entry.file}: {why}", hint
        )
        return None, None, [found]
    checker = DeskChecker(label, read_source)
    root = _composed(checker, text)
    if root is None:
        return None, None, by_position(checker.problems)
    reader = StoryReader(label)
    story = reader.story(value_of(root, "story"), "", entry.file)
    part = checker.desk(root, target, newsroom)
    return story, part, by_position(checker.problems + reader.problems)


def read_text(
    path: Path, label: str, what: str, record: Recorder | None = None
) -> tuple[str | None, Problem | None]:
    """A file's UTF-8 text, or a problem saying why not (missing, too big, not text)."""

    def fail(message: str, hint: str | None = None, line: int = 1, col: int = 1) -> Problem:
        return Problem(label, line, col, "", message, hint)

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            limit = f"files over {MAX_BYTES // 2**20} MB are refused"
            return None, fail(f"the {what} is {size / 2**20:.1f} MB; {limit}", "split it up")
        data = path.read_bytes()
        if record is not None:
            record(path, data)
    except FileNotFoundError:
        return None, fail(f"{what} not found", "check the path")
    except IsADirectoryError:
        return None, fail(f"the {what} is a folder, not a file")
    except OSError as exc:
        return None, fail(f"cannot read the {what}: {exc.strerror}")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        hint = "save it as UTF-8 text; is it really a text file?"
        return None, fail(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", hint, line, col)
    if "\x00" in text:
        line, col = _byte_position(data, data.index(b"\x00"))
        return None, fail("a NUL byte: this looks like a binary file", None, line, col)
    return text, None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of a byte offset in UTF-8 data."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _read_source(
    base_dir: Path,
    file: str,
    texts: dict[Path, tuple[str | None, Problem | None]],
    record: Recorder | None = None,
) -> tuple[str | None, str | None, str | None]:
    """A source's text, or (None, message, hint): relative to facts.yaml, inside its folder."""
    # Lexically, not resolved: the YAML may not climb out with "..", but a folder the
    # operator symlinked in (a shared seeds/ directory) is theirs to place.
    target = Path(os.path.normpath(base_dir / file))
    if Path(file).is_absolute() or not target.is_relative_to(base_dir):
        return None, f"{file!r} is outside the folder of the facts file", "use e.g. seeds/x.txt"
    if not _stays_inside(base_dir, target):
        outside = f"{file!r} is a link to a file outside the folder of the facts file"
        return None, outside, "copy the text into the desk's folder instead of linking to it"
    if target not in texts:
        texts[target] = read_text(target, file, "source file", record)
    text, problem = texts[target]
    if problem is None:
        return text, None, None
    where = f" (line {problem.line} of that file)" if problem.line > 1 else ""
    hint = problem.hint if problem.hint != "check the path" else f"paths are relative to {base_dir}"
    return None, f"{file}: {problem.message}{where}", hint


def _stays_inside(base_dir: Path, target: Path) -> bool:
    """Whether ``target``, links followed, is in the desk's folder, or in the folder a
    top-level link there points to (a shared seeds/ the operator linked in). A link below
    that (seeds/notes.txt -> /etc/passwd, committed by anyone) must not make /source print
    a file from elsewhere on the machine."""
    resolved = target.resolve()
    top = base_dir / target.relative_to(base_dir).parts[0]
    roots = [base_dir.resolve()]
    if top != target and top.is_symlink():
        roots.append(top.resolve())
    return any(resolved.is_relative_to(root) for root in roots)


def _check_tabs(checker: DeskChecker, text: str) -> set[int]:
    lines = set()
    for match in _INDENT_TAB.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        lines.add(line)
        hint = "YAML indents with spaces only: replace the tab with spaces"
        checker.at(line, match.end() - match.start(), "", "tab in the indentation", hint)
    return lines


def _compose(checker: DeskChecker, text: str, tab_lines: set[int]) -> yaml.Node | None:
    try:
        root = yaml.compose(text, Loader=_LeanLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if not tab_lines & {line, line - 1}:  # a tab already explains it
            context = f" ({exc.context})" if exc.context else ""
            message = f"YAML syntax error: {exc.problem}{context}"
            checker.at(line, col, "", message, "check the indentation, colons and quotes")
        return None
    except yaml.YAMLError as exc:  # the reader: control characters in the text
        line, col = _byte_position(text.encode("utf-8"), int(getattr(exc, "position", 0)))
        reason = getattr(exc, "reason", "unreadable text")
        checker.at(line, col, "", f"not plain text here: {reason}", "remove the character")
        return None
    if root is None:
        checker.at(1, 1, "", "the file is empty", "start with 'version: 1' (see the README)")
    return root


def _no_aliases(checker: DeskChecker, root: yaml.Node, text: str) -> bool:
    """Refuse aliases: a shared node would be read once per reference, which an alias
    bomb turns into exponential work. Here each node is visited once."""
    if not _may_hold_alias(text):
        return True
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            _report_aliases(checker, text)
            return False
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for pair in node.value:
                stack.extend(pair)
    return True


def _may_hold_alias(text: str) -> bool:
    """A ``*name`` where a value can start; most files have none, so the walk is skipped."""
    for match in _STAR_NAME.finditer(text):
        if match.start() == 0 or text[match.start() - 1] in " \t\r\n[{,":
            return True
    return False


def _report_aliases(checker: DeskChecker, text: str) -> None:
    for token in yaml.scan(text, Loader=yaml.CSafeLoader):
        if isinstance(token, yaml.AliasToken):
            mark = token.start_mark
            message = f"YAML alias '*{token.value}' is not supported"
            hint = "write the value out in full instead of using &anchor and *alias"
            checker.at(mark.line + 1, mark.column + 1, "", message, hint)
