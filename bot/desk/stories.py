"""Stories: a desk holds many, each with its slug, title and channels.

facts.yaml is the first story (its ``story:`` block names it; without one, the slug comes
from the newsroom's name) and lists the others under ``stories:``, one file each. Ids are
unique within a story. Items of the first story keep the ids they always had; an item of
another story is ``slug/id`` everywhere outside its file (``/source transit/fare-rise``),
which keeps every id in the desk unique and every existing reference valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEPARATOR = "/"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Story:
    slug: str  # [a-z0-9-]+
    title: str
    channels: tuple[str, ...] = ()  # Slack channel ids whose commands answer from it first
    file: str = "facts.yaml"  # where it is curated, as written in facts.yaml
    line: int = 0  # where its story: block (or its entry in facts.yaml) is


def slug_from(name: str) -> str:
    """``Immigration desk`` -> ``immigration-desk``: the first story's slug when it names none."""
    return _NOT_SLUG.sub("-", name.casefold()).strip("-") or "desk"


def qualified(slug: str, item_id: str) -> str:
    """How an item of a story other than the first is named across the desk."""
    return item_id if SEPARATOR in item_id else f"{slug}{SEPARATOR}{item_id}"


def split_ref(ref: str) -> tuple[str | None, str]:
    """``transit/fare-rise`` -> (``transit``, ``fare-rise``); ``fare-rise`` -> (None, same)."""
    slug, sep, local = ref.partition(SEPARATOR)
    return (slug, local) if sep else (None, ref)


def story_slug_of(item_id: str, first_slug: str) -> str:
    """The slug of the story an item (by its desk-wide id) belongs to."""
    slug, _ = split_ref(item_id)
    return slug if slug is not None else first_slug
