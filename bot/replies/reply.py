"""What a reply says, before it is drawn for Slack (blocks.py) or a terminal (text.py).

Every string in a part is plain text as we or the user wrote it: renderers escape it
for their medium, so a user's ``<!channel>`` can never become a ping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.desk.findings import Finding
from bot.desk.model import Fact, FollowUpEvent, FollowUpState, Source

Visibility = Literal["ephemeral", "in_channel"]
MESSAGE_BLOCKS = 50  # Slack's limit for a message
VIEW_BLOCKS = 100  # ... and for a view (App Home, modals)


@dataclass(frozen=True, slots=True)
class Heading:
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    """A line of our own prose (help, errors, counts)."""

    text: str


@dataclass(frozen=True, slots=True)
class FactCard:
    """A copy-ready snippet: the quote, who said it, and where it was published."""

    fact: Fact
    source: Source
    stale_days: int | None = None  # age in days when the figure is past stale_after_days


@dataclass(frozen=True, slots=True)
class FollowUpCard:
    state: FollowUpState
    source: Source | None  # None for follow-ups added from Slack
    age_days: int | None = None
    buttons: bool = True  # Resolve / Snooze / Reopen


@dataclass(frozen=True, slots=True)
class SourceCard:
    """``/source ID``: the snippet inside its paragraph, the source record, the history."""

    source: Source
    paragraph: str
    fact: Fact | None = None
    followup: FollowUpState | None = None
    history: tuple[FollowUpEvent, ...] = ()
    history_shown: bool = True  # False: left out for a reader who is not an editor


@dataclass(frozen=True, slots=True)
class History:
    """Every change to a follow-up that has no published source (added from Slack or the
    console); a curated one's history is in its :class:`SourceCard`."""

    events: tuple[FollowUpEvent, ...]


@dataclass(frozen=True, slots=True)
class CheckCard:
    """One finding of a draft check: ✓ ✗ ?, the draft's words, the desk's, the source."""

    finding: Finding


@dataclass(frozen=True, slots=True)
class Suggestions:
    """Nothing matched ``query``: try one of ``terms``."""

    query: str
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class More:
    """Results left out to stay inside Slack's limits."""

    count: int
    hint: str = "refine your query"
    at_least: bool = False  # more than ``count`` (a search stops counting; see COUNT_LIMIT)


def more_words(count: int, at_least: bool = False) -> str:
    """``"1,234 more"``, or ``"990+ more"`` when only a floor is known."""
    return f"{count:,}{'+' if at_least else ''} more"


@dataclass(frozen=True, slots=True)
class ReminderLine:
    """``Mon 30 Nov 09:00 EST: weekday-key-figures in #newsroom`` (Slack shows the channel's
    name for its id; a terminal shows the id)."""

    when: str
    reminder_id: str
    channel: str  # Slack channel id


@dataclass(frozen=True, slots=True)
class StoryLine:
    """One story of the desk in the list ``/facts`` shows when a desk has several."""

    title: str  # the desk's words: drawn as written, never as formatting
    slug: str
    facts: int
    open_followups: int
    channels: tuple[str, ...] = ()  # Slack channel ids
    here: bool = False  # the story of the channel the command was typed in


Part = (
    Heading
    | Note
    | FactCard
    | FollowUpCard
    | SourceCard
    | History
    | CheckCard
    | Suggestions
    | More
    | ReminderLine
    | StoryLine
)


@dataclass(frozen=True, slots=True)
class Reply:
    parts: tuple[Part, ...]
    text: str  # one-line summary: Slack's notification fallback
    visibility: Visibility = "ephemeral"
    shareable: bool = True  # offer "Share in channel"
    command: str = ""  # "/facts", ... : echoed in the Share button
    query: str = ""  # what the user typed after the command
    ok: bool = True  # False for usage errors and refusals (for logs and metrics)
    meta: dict[str, str] = field(default_factory=dict)
    max_blocks: int = MESSAGE_BLOCKS  # the surface's budget: VIEW_BLOCKS for App Home
    # Slack user id -> display name: a reply posted in a channel names people instead of
    # mentioning (notifying) them; an id missing here is shown as the bare id.
    people: tuple[tuple[str, str], ...] = ()
