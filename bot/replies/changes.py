"""The one write path for follow-up changes: who may, what is refused, and the note's limit.

``/followups resolve|snooze|reopen``, the Resolve/Snooze/Reopen buttons and the Resolve modal
all call :func:`apply_change` (the Resolve button first asks :func:`check_change`, since it
opens the modal instead of recording anything).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.desk.access import EDITORS_ONLY as EDITORS_ONLY  # where callers look for it
from bot.desk.access import editors_refusal
from bot.desk.model import Action, FollowUpEvent, FollowUpState, fold_events, refusal
from bot.replies.blocks import escape_mrkdwn
from bot.replies.context import ReplyContext
from bot.replies.text import format_when

logger = logging.getLogger(__name__)

MAX_NOTE_CHARS = 2000  # a resolution's note, typed after the command or into the modal
COULD_NOT_SAVE = (
    "Could not save that: the database did not answer, so nothing was changed. "
    "Try again in a minute."
)


@dataclass(frozen=True, slots=True)
class Refused:
    """Nothing was recorded, and ``message`` says why (our prose: renderers escape it)."""

    message: str
    state: FollowUpState | None = None
    # The follow-up already is as asked (resolve a resolved one, reopen an open one).
    already: bool = False


@dataclass(frozen=True, slots=True)
class Changed:
    event: FollowUpEvent
    before: FollowUpState
    after: FollowUpState


def editor_refusal(context: ReplyContext, user: str) -> Refused | None:
    """Who may change follow-ups: None when ``user`` may."""
    return None if context.may_edit(user) else Refused(editors_refusal(context.editors))


def check_change(
    context: ReplyContext, user: str, followup_id: str, action: Action, now: datetime
) -> FollowUpState | Refused:
    """The follow-up's current state when ``user`` may record ``action`` on it now."""
    refused = editor_refusal(context, user)
    if refused is not None:
        return refused
    states = context.states(now)
    if not states.live:  # a change decided on a status we could not read could undo another
        return Refused(COULD_NOT_SAVE)
    wanted = followup_id.casefold()
    state = next((s for s in states.items if s.item.id.casefold() == wanted), None)
    if state is None:
        return Refused(_missing(context, followup_id, [s.item.id for s in states.items]))
    reason = refusal(state, action)
    if reason is not None:  # e.g. an old Snooze button after a colleague resolved it
        return Refused(reason, state, already=action is not Action.SNOOZED)
    return state


def apply_change(
    context: ReplyContext,
    user: str,
    followup_id: str,
    action: Action,
    now: datetime,
    *,
    note: str | None = None,
    link: str | None = None,
    until: datetime | None = None,
) -> Changed | Refused:
    """Record one change (resolve, snooze until ``until``, reopen), or say why not."""
    refused = editor_refusal(context, user)
    if refused is not None:
        return refused
    if note is not None and len(note) > MAX_NOTE_CHARS:
        return Refused(f"Keep the note under {MAX_NOTE_CHARS} characters.")
    checked = check_change(context, user, followup_id, action, now)
    if isinstance(checked, Refused):
        return checked
    event = FollowUpEvent(checked.item.id, action, user, now, note or None, link, until)
    try:
        context.book.record(event)
    except Exception:
        logger.warning("follow-up book unavailable; change not saved", exc_info=True)
        return Refused(COULD_NOT_SAVE, checked)
    after = fold_events(checked.item, [*checked.history, event], now)
    return Changed(event, checked, after)


def confirmation(changed: Changed, timezone: str = "UTC") -> str:
    """What a button says after it changed something (mrkdwn: the title is escaped), with
    times in the newsroom's zone, as the cards show them."""
    title = escape_mrkdwn(changed.after.item.title)
    event = changed.event
    if event.action is Action.SNOOZED and event.until is not None:
        return f"Snoozed *{title}* until {escape_mrkdwn(format_when(event.until, timezone))}."
    if event.action is Action.RESOLVED:
        return f"Resolved *{title}*."
    return f"Reopened *{title}*."


def _missing(context: ReplyContext, typed: str, ids: list[str]) -> str:
    close = context.close_ids(typed, ids)
    hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
    return (
        f"There is no follow-up “{typed[:80]}”.{hint} "
        "The ID is under each item in `/followups list` (open ones) and `/followups all`."
    )
