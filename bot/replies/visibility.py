"""Replies without follow-up notes and history: what non-editors see and what Share posts.

A resolution note is the desk's unpublished reporting ("confirmed off the record"). Rather than
every reply builder remembering who asks, a finished reply is passed through
:func:`without_notes`, which rebuilds its follow-up parts from the data a reader may see: the
status, and who resolved it and when, but no note, no link and no history.
"""

from __future__ import annotations

from dataclasses import replace

from bot.desk.access import NOTES_FOR_EDITORS
from bot.desk.model import FollowUpEvent, FollowUpState
from bot.replies.reply import FollowUpCard, History, Note, Part, Reply, SourceCard


def state_without_notes(state: FollowUpState) -> FollowUpState:
    resolution = state.resolution
    return replace(
        state,
        history=(),
        resolution=_without_note(resolution) if resolution is not None else None,
    )


def _without_note(event: FollowUpEvent) -> FollowUpEvent:
    return replace(event, note=None, link=None)


def without_notes(reply: Reply) -> Reply:
    """The same reply with no follow-up note, link or history in any part."""
    if not any(isinstance(p, (History, SourceCard, FollowUpCard)) for p in reply.parts):
        return reply  # nothing to hide (most search replies): no copy
    parts: list[Part] = []
    hid_history = False
    for part in reply.parts:
        if isinstance(part, History):
            hid_history = True
            continue
        if isinstance(part, SourceCard) and part.followup is not None:
            hid_history = True
            part = replace(
                part,
                followup=state_without_notes(part.followup),
                history=(),
                history_shown=False,
            )
        elif isinstance(part, FollowUpCard):
            part = replace(part, state=state_without_notes(part.state))
        parts.append(part)
    if hid_history:
        parts.append(Note(NOTES_FOR_EDITORS))
    return replace(reply, parts=tuple(parts))
