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
    hidden = resolution is not None and (resolution.note is not None or resolution.link is not None)
    if not state.history and not hidden:
        return state  # nothing to hide (a follow-up nobody has changed): no copy
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
    parts = [_part_without_notes(part) for part in reply.parts if not isinstance(part, History)]
    if _hides_history(reply.parts):
        parts.append(Note(NOTES_FOR_EDITORS))
    elif all(new is old for new, old in zip(parts, reply.parts, strict=True)):
        return reply  # nothing hidden: no copy
    return replace(reply, parts=tuple(parts))


def _hides_history(parts: tuple[Part, ...]) -> bool:
    """Whether a reader's copy leaves out a history these parts show an editor."""
    return any(
        isinstance(p, History) or (isinstance(p, SourceCard) and p.followup is not None)
        for p in parts
    )


def _part_without_notes(part: Part) -> Part:
    if isinstance(part, SourceCard) and part.followup is not None:
        return replace(
            part, followup=state_without_notes(part.followup), history=(), history_shown=False
        )
    if isinstance(part, FollowUpCard):
        state = state_without_notes(part.state)
        return part if state is part.state else replace(part, state=state)
    return part
