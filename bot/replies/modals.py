"""The Resolve modal: what it asks, and how its answers are checked.

The note's length is checked where every change is, in :mod:`bot.replies.changes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.replies.changes import MAX_NOTE_CHARS

RESOLVE_CALLBACK_ID = "followup_resolve_modal"
NOTE_BLOCK = "note"
LINK_BLOCK = "link"
MAX_LINK = 1000


@dataclass(frozen=True)
class Resolution:
    note: str
    link: str | None


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def resolve_modal(followup_id: str, title: str, metadata: str | None = None) -> dict[str, Any]:
    """The modal opened by a Resolve button; private_metadata carries the follow-up id, or
    ``metadata`` (the id and the message the button was on, see bot.slack.origin)."""
    return {
        "type": "modal",
        "callback_id": RESOLVE_CALLBACK_ID,
        "private_metadata": metadata if metadata is not None else followup_id,
        "title": _plain("Resolve follow-up"),
        "submit": _plain("Resolve"),
        "close": _plain("Cancel"),
        "blocks": [
            {"type": "section", "text": _plain(title[:2900])},
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "label": _plain("What happened?"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTE_BLOCK,
                    "multiline": True,
                    "max_length": MAX_NOTE_CHARS,
                    "placeholder": _plain("e.g. Spokesperson declined to comment on Jan 15"),
                },
            },
            {
                "type": "input",
                "block_id": LINK_BLOCK,
                "optional": True,
                "label": _plain("Link (optional)"),
                # A plain input, not url_text_input, so a bad link gets our message in the modal.
                "element": {
                    "type": "plain_text_input",
                    "action_id": LINK_BLOCK,
                    "max_length": MAX_LINK,
                    "placeholder": _plain("https://..."),
                },
            },
        ],
    }


def read_resolution(note: str, link: str) -> Resolution | dict[str, str]:
    """The note and link typed into the modal, or errors keyed by block id for Slack to show."""
    note, link = note.strip(), link.strip()
    errors: dict[str, str] = {}
    if not note:
        errors[NOTE_BLOCK] = "Say what happened, e.g. 'Declined to comment'."
    if link and not (link.startswith(("https://", "http://")) and len(link) > len("https://")):
        errors[LINK_BLOCK] = "Use a web address starting with https:// (or leave it empty)."
    elif len(link) > MAX_LINK:
        errors[LINK_BLOCK] = f"Keep the link under {MAX_LINK} characters."
    if errors:
        return errors
    return Resolution(note, link or None)


def refused_modal(message: str) -> dict[str, Any]:
    """What the Resolve modal turns into when the change is refused once it is open."""
    return {
        "type": "modal",
        "callback_id": RESOLVE_CALLBACK_ID,
        "title": _plain("Resolve follow-up"),
        "close": _plain("Close"),
        "blocks": [{"type": "section", "text": _plain(message[:2900])}],
    }
