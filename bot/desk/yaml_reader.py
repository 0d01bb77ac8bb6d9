"""Typed reading of a composed YAML node tree, collecting problems with line and column.

libyaml composes nodes that keep their marks; these readers turn them into values and
report, instead of raising, everything that does not fit, so an editor sees every
problem in one run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import get_close_matches
from typing import TypeVar

import yaml

from bot.desk.problems import Invalid, Problem

NULL_TAG = "tag:yaml.org,2002:null"
INT_TAG = "tag:yaml.org,2002:int"

T = TypeVar("T")
Fields = dict[str, yaml.Node]


# A value an editor has not written yet: extract's drafts say "TODO: ..." where they could
# not tell. It must never reach a reporter. Upper case only: "Todo" may begin a sentence.
_PLACEHOLDER_FIRST = frozenset("TF \t")
_PLACEHOLDER = re.compile(r"\s*(?:TODO|TBD|FIXME)\b")


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "nothing" if node.tag == NULL_TAG else repr(node.value)


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for a likely typo, else an empty string."""
    close = get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _is_empty(node: yaml.ScalarNode) -> bool:
    return node.tag == NULL_TAG or not str(node.value).strip()


class NodeReader:
    """Primitive readers shared by every section of facts.yaml."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node, key: str, message: str, hint: str | None = None) -> None:
        mark = node.start_mark
        self.at(mark.line + 1, mark.column + 1, key, message, hint)

    def at(self, line: int, column: int, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.label, line, column, key, message, hint))

    def error_count(self) -> int:
        return sum(1 for p in self.problems if not p.warning)

    def warn(self, node: yaml.Node, key: str, message: str, hint: str | None = None) -> None:
        mark = node.start_mark
        problem = Problem(self.label, mark.line + 1, mark.column + 1, key, message, hint, True)
        self.problems.append(problem)

    def placeholder(self, node: yaml.ScalarNode, path: str) -> bool:
        """Report a TODO left in a value; True if it was one."""
        if not _PLACEHOLDER.match(str(node.value)):
            return False
        message = f"{node.value!r} is a placeholder, not a value"
        self.problem(node, path, message, "write the real value (or remove the key if optional)")
        return True

    def mapping(
        self, node: yaml.Node, key: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> Fields | None:
        """The mapping's values by key; unknown, duplicate and missing keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            wanted = ", ".join(required)
            self.problem(node, key, f"expected a mapping with {wanted}; got {describe(node)}")
            return None
        fields: Fields = {}
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            path = f"{key}.{name}" if key else name
            if name not in allowed:
                message = f"unknown key '{name}'{suggest(name, allowed)}"
                self.problem(key_node, path, message, f"keys allowed here: {', '.join(allowed)}")
            elif name in fields:
                line = fields[name].start_mark.line + 1
                self.problem(key_node, path, f"duplicate key '{name}' (also on line {line})")
            else:
                fields[name] = value_node
        for name in required:
            if name not in fields:
                self.problem(node, key, f"missing required key '{name}'")
        return fields

    def scalar(self, fields: Fields, name: str, key: str, required: bool = False) -> str | None:
        """A single value as written (so ``2.50`` stays ``2.50``), or None if absent."""
        node = fields.get(name)
        path = f"{key}.{name}" if key else name
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, path, f"expected a single value, got {describe(node)}")
            return None
        if _is_empty(node):
            if required:
                self.problem(node, path, "needs a value")
            return None
        value = str(node.value)
        # The first character decides cheaply: this runs on every value of the file.
        if value[:1] in _PLACEHOLDER_FIRST and self.placeholder(node, path):
            return None
        return value

    def parsed(
        self,
        fields: Fields,
        name: str,
        key: str,
        parse: Callable[[str], T],
        expected: str,
        required: bool = False,
    ) -> T | None:
        """A single value run through ``parse``, which raises ValueError if it is wrong."""
        raw = self.scalar(fields, name, key, required)
        if raw is None:
            return None
        try:
            return parse(raw)
        except Invalid as exc:
            self.problem(fields[name], f"{key}.{name}", str(exc), exc.hint)
        except ValueError:
            self.problem(fields[name], f"{key}.{name}", f"expected {expected}, got {raw!r}")
        return None

    def sequence(self, fields: Fields, name: str, key: str) -> list[yaml.Node]:
        node = fields.get(name)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            return []
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        hint = None
        if isinstance(node, yaml.ScalarNode):
            hint = f"write it as [{node.value}], or one item a line starting with '- '"
        self.problem(node, f"{key}.{name}", f"expected a list, got {describe(node)}", hint)
        return []

    def items(self, fields: Fields, name: str, key: str) -> list[tuple[str, yaml.Node]]:
        """A list of single values, each with its node; bad items are reported and left out."""
        items: list[tuple[str, yaml.Node]] = []
        for i, node in enumerate(self.sequence(fields, name, key)):
            path = f"{key}.{name}[{i}]"
            if not isinstance(node, yaml.ScalarNode):
                self.problem(node, path, f"expected a single value, got {describe(node)}")
            elif _is_empty(node):
                self.problem(node, path, "needs a value")
            elif not self.placeholder(node, path):
                items.append((str(node.value), node))
        return items

    def parsed_items(
        self, fields: Fields, name: str, key: str, parse: Callable[[str], T], expected: str
    ) -> tuple[T, ...] | None:
        """Every item of a list parsed, or None if any item is wrong."""
        before = self.error_count()
        values: list[T] = []
        for i, (raw, node) in enumerate(self.items(fields, name, key)):
            try:
                values.append(parse(raw))
            except ValueError:
                self.problem(node, f"{key}.{name}[{i}]", f"expected {expected}, got {raw!r}")
        return tuple(values) if self.error_count() == before else None
