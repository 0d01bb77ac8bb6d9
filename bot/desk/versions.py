"""Content versions: which words of a fact or follow-up a message showed, and what changed.

A message citing a fact is true as long as the fact's content is what it was when the
message was posted. The content is the fields a reader relies on (the quote, the figure and
its qualifier and date, who said it, where it was published); its version is a digest of
them. Fields that are unset are left out of the digest, so a field added to the model later
does not change the version of every fact that does not use it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from bot.desk.model import Fact, FollowUp

Content = Mapping[str, str]

# In the order a correction line names them.
FACT_FIELDS = ("value", "unit", "qualifier", "as_of", "quote", "speaker", "attribution", "source")
FOLLOWUP_FIELDS = ("title", "waiting_on", "asked", "quote", "source")
_FIELD_NAMES = {
    "as_of": "as of",
    "waiting_on": "waiting on",
}
# Words someone said or wrote are shown in quotation marks; values and dates as they are.
_QUOTED = frozenset({"quote", "title", "attribution", "speaker", "waiting_on"})
_SHORT = 80


def fact_content(fact: Fact) -> dict[str, str]:
    """The fields of ``fact`` a message shows as its content, as text."""
    values = {
        "value": fact.value,
        "unit": fact.unit,
        "qualifier": fact.qualifier,
        "as_of": fact.as_of.human() if fact.as_of is not None else None,
        "quote": " ".join(fact.quote.split()),
        # What a card shows of the speaker: the name and title (a speakers record).
        "speaker": fact.speaker.display() if fact.speaker is not None else None,
        "attribution": fact.attribution,
        "source": fact.source,
    }
    return {k: str(v) for k, v in values.items() if v is not None and str(v) != ""}


def followup_content(item: FollowUp) -> dict[str, str]:
    values = {
        "title": item.title,
        "waiting_on": item.waiting_on,
        "asked": item.asked.isoformat() if item.asked is not None else None,
        "quote": " ".join(item.quote.split()) if item.quote else None,
        "source": item.source,
    }
    return {k: str(v) for k, v in values.items() if v is not None and str(v) != ""}


def content_version(content: Content) -> str:
    """A stable digest of ``content``: the same fields and words, the same version."""
    canonical = json.dumps(dict(sorted(content.items())), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: str | None
    after: str | None

    def words(self) -> str:
        """``value 545 → 546``, ``qualifier at least added``, ``quote now reads “…”``."""
        name = _FIELD_NAMES.get(self.field, self.field)
        before, after = self._shown(self.before), self._shown(self.after)
        if self.field == "quote":
            return f"quote now reads {after}" if self.after else "quote removed"
        if self.before is None:
            return f"{name} {after} added"
        if self.after is None:
            return f"{name} {before} removed"
        return f"{name} {before} → {after}"

    def _shown(self, text: str | None) -> str:
        text = " ".join((text or "").split())
        shown = text if len(text) <= _SHORT else text[: _SHORT - 1].rstrip() + "…"
        return f"“{shown}”" if self.field in _QUOTED else shown


def changed_fields(
    before: Content, after: Content, order: tuple[str, ...] = FACT_FIELDS
) -> tuple[FieldChange, ...]:
    """What differs between two contents, in ``order`` (unknown fields last, by name).

    A quote that changed only where its figure did (545 -> 546 in both) is not named twice.
    """
    names = [*order, *sorted((set(before) | set(after)) - set(order))]
    changes = [
        FieldChange(name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    ]
    return tuple(c for c in changes if not _follows_value(c, before, after))


def _follows_value(change: FieldChange, before: Content, after: Content) -> bool:
    old, new = before.get("value"), after.get("value")
    if change.field != "quote" or not old or not new or old == new or change.before is None:
        return False
    return change.before.replace(old, new) == change.after


@dataclass(frozen=True, slots=True)
class Cited:
    """A fact or follow-up as one message showed it: its content then, and that version."""

    kind: str  # "fact" | "followup"
    id: str
    version: str
    content: Content

    @classmethod
    def of(cls, kind: str, item_id: str, content: Content) -> Cited:
        return cls(kind, item_id, content_version(content), dict(content))


# The version a message records for an item it shows struck out: the item left the desk.
REMOVED = "removed"
