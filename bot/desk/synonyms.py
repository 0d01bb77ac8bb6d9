"""``newsroom.synonyms`` in facts.yaml: words and phrases the desk treats alike.

    newsroom:
      synonyms: [[missing, not located], [deported, removed]]

A search for one finds the others ("missing" finds "could not be located").
"""

from __future__ import annotations

import yaml

from bot.desk.question import words_of
from bot.desk.yaml_reader import Fields, NodeReader, describe

EXAMPLE = "for example: synonyms: [[missing, not located], [deported, removed]]"


def read_synonyms(reader: NodeReader, fields: Fields) -> tuple[tuple[str, ...], ...]:
    """Every well-formed group; each problem is reported with its line and column."""
    groups: list[tuple[str, ...]] = []
    for i, node in enumerate(reader.sequence(fields, "synonyms", "newsroom")):
        key = f"newsroom.synonyms[{i}]"
        if not isinstance(node, yaml.SequenceNode):
            message = f"expected a list of words that mean the same, got {describe(node)}"
            reader.problem(node, key, message, EXAMPLE)
            continue
        group = _group(reader, node, key)
        if group is not None:
            groups.append(group)
    return tuple(groups)


def _group(reader: NodeReader, node: yaml.SequenceNode, key: str) -> tuple[str, ...] | None:
    phrases: list[str] = []
    for k, item in enumerate(node.value):
        path = f"{key}[{k}]"
        if not isinstance(item, yaml.ScalarNode) or not words_of(str(item.value)):
            reader.problem(item, path, f"expected a word or phrase, got {describe(item)}", EXAMPLE)
            return None
        phrases.append(str(item.value).strip())
    if len({tuple(words_of(p)) for p in phrases}) < 2:
        message = "a synonym group needs at least two different words or phrases"
        reader.problem(node, key, message, EXAMPLE)
        return None
    return tuple(phrases)
