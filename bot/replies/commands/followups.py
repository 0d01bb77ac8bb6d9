"""``/followups``: list the open items and change their status through the follow-up book.

Reads degrade when the book (the database) is down; writes say plainly that nothing was saved.
Changes go through :func:`bot.replies.changes.apply_change`, as the buttons and the modal do.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from bot.desk.model import Action, FollowUpEvent, FollowUpState, Status, fold_events
from bot.replies.cards import STATUS_UNAVAILABLE
from bot.replies.changes import (
    COULD_NOT_SAVE,
    Changed,
    Refused,
    apply_change,
    editor_refusal,
)
from bot.replies.command import Command
from bot.replies.context import ReplyContext, States
from bot.replies.reply import Heading, More, Note, Part, Reply
from bot.replies.search_replies import facts_question

logger = logging.getLogger(__name__)

NAME = "/followups"
LIST_LIMIT = 12
MAX_TITLE_CHARS = 200
MAX_SNOOZE = timedelta(weeks=26)
VERBS = ("list", "all", "add", "resolve", "snooze", "reopen")
# Sub-commands that change something: a Share button must never replay them.
CHANGING_VERBS = frozenset({"add", "resolve", "snooze", "reopen"})

_LENGTH = re.compile(r"(\d{1,4})\s*(h|hrs?|hours?|d|days?|w|wks?|weeks?)", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_URL = re.compile(r"https?://[^\s<>|]+")

_Writer = Callable[[ReplyContext, str, str, datetime, str], Reply]


def parse_snooze(text: str) -> timedelta | None:
    """``12h``, ``3d``, ``1w`` (or ``3 days``) -> a length between one hour and 26 weeks."""
    match = _LENGTH.fullmatch(text.strip())
    if match is None:
        return None
    length = int(match.group(1)) * _UNITS[match.group(2)[0].casefold()]
    return length if timedelta(hours=1) <= length <= MAX_SNOOZE else None


def changes(query: str) -> bool:
    words = query.split()
    return bool(words) and words[0].casefold() in CHANGING_VERBS


def answer(context: ReplyContext, text: str, user: str, now: datetime) -> Reply:
    verb, _, rest = text.partition(" ")
    verb, rest = verb.casefold(), rest.strip()
    if verb in ("", "list", "open"):
        return _list(context, user, now, everything=False)
    if verb == "all":
        return _list(context, user, now, everything=True)
    writer = _WRITERS.get(verb)
    if writer is None and not _near_verb(verb):
        return facts_question(context, text, user, now)  # plain words: a /facts question
    if writer is None:
        return _unknown_verb(context, verb, text)
    refused = editor_refusal(context, user)
    if refused is not None:
        return _error(text, refused.message)
    return writer(context, rest, user, now, text)


# --- reading ----------------------------------------------------------------------------------


def _list(context: ReplyContext, user: str, now: datetime, *, everything: bool) -> Reply:
    states = context.states(now)
    shown = states.items if everything else [s for s in states.items if s.is_open]
    title = "All follow-ups" if everything else "Open follow-ups"
    parts: list[Part] = [Heading(title)]
    parts.append(Note(_count_line(shown, everything) if shown else _nothing_line(everything)))
    parts.extend(_cards(context, shown, states.live and context.may_edit(user), now))
    parts.extend(_after_list(states, everything))
    text = f"{len(shown)} {title.lower()}" if shown else _nothing_line(everything)
    query = "all" if everything else ""
    return Reply(tuple(parts), text=text, command=NAME, query=query, meta=context.meta(states.live))


def _after_list(states: States, everything: bool) -> list[Part]:
    """What the list leaves out (snoozed and resolved ones), and whether status is live."""
    notes: list[Part] = []
    hidden = _hidden_summary(states.items)
    if not everything and hidden:
        notes.append(Note(f"Also {hidden}: `/followups all` shows them."))
    if not states.live:
        notes.append(Note(STATUS_UNAVAILABLE))
    return notes


def _cards(
    context: ReplyContext, shown: list[FollowUpState], buttons: bool, now: datetime
) -> list[Part]:
    today = context.today(now)
    parts: list[Part] = [context.followup_card(s, today, buttons) for s in shown[:LIST_LIMIT]]
    if len(shown) > LIST_LIMIT:
        parts.append(More(len(shown) - LIST_LIMIT, "`/source ID` shows any one in full"))
    return parts


# --- changing ---------------------------------------------------------------------------------


def _add(context: ReplyContext, rest: str, user: str, now: datetime, text: str) -> Reply:
    if not rest:
        return _error(
            text,
            "What are we waiting for? Type `/followups add TEXT`, "
            "e.g. `/followups add DHS count of reunified families`.",
        )
    if len(rest) > MAX_TITLE_CHARS:
        return _error(
            text,
            f"That is {len(rest)} characters; keep a follow-up under {MAX_TITLE_CHARS} "
            "and put the detail in the resolve note later.",
        )
    if not context.states(now).live:
        # Ask before writing: a frozen database fails a read within its deadline, while
        # a write would wait on it (see SqlBook), and this runs before Slack's 3 seconds.
        return _error(text, COULD_NOT_SAVE)
    try:
        item = context.book.add_followup(rest, user, now, context.today(now))
    except Exception:
        logger.warning("follow-up book unavailable; change not saved", exc_info=True)
        return _error(text, COULD_NOT_SAVE)
    state = fold_events(item, [FollowUpEvent(item.id, Action.ADDED, user, now)], now)
    return _changed(context, text, f"Added follow-up `{item.id}`.", state, now)


def _resolve(context: ReplyContext, rest: str, user: str, now: datetime, text: str) -> Reply:
    typed, _, note = rest.partition(" ")
    note = note.strip()
    if not typed:
        return _error(text, _which(context, "resolve ID NOTE", "Statement at 4pm briefing"))
    link = _URL.search(note)
    outcome = apply_change(
        context, user, typed, Action.RESOLVED, now, note=note, link=link and link.group(0)
    )
    return _outcome(context, text, outcome, "Resolved", now)


def _snooze(context: ReplyContext, rest: str, user: str, now: datetime, text: str) -> Reply:
    typed, _, length_text = rest.partition(" ")
    if not typed:
        return _error(text, _which(context, "snooze ID 3d", None))
    length = parse_snooze(length_text)
    if length is None:
        return _error(
            text,
            f"For how long? Type `/followups snooze {typed} 3d`: a number and h (hours), "
            "d (days) or w (weeks), from 1h to 26w.",
        )
    outcome = apply_change(context, user, typed, Action.SNOOZED, now, until=now + length)
    return _outcome(context, text, outcome, "Snoozed", now)


def _reopen(context: ReplyContext, rest: str, user: str, now: datetime, text: str) -> Reply:
    typed = rest.partition(" ")[0]
    if not typed:
        return _error(text, _which(context, "reopen ID", None))
    outcome = apply_change(context, user, typed, Action.REOPENED, now)
    return _outcome(context, text, outcome, "Reopened", now)


_WRITERS: dict[str, _Writer] = {
    "add": _add,
    "resolve": _resolve,
    "snooze": _snooze,
    "reopen": _reopen,
}


# --- helpers ----------------------------------------------------------------------------------


def _outcome(
    context: ReplyContext, text: str, outcome: Changed | Refused, done: str, now: datetime
) -> Reply:
    """The change made, or why not: a no-op still shows the item as it stands."""
    if isinstance(outcome, Refused):
        if outcome.already and outcome.state is not None:
            return _changed(context, text, outcome.message, outcome.state, now)
        return _error(text, outcome.message)
    after = outcome.after
    return _changed(context, text, f"{done} `{after.item.id}`.", after, now)


def _changed(
    context: ReplyContext, text: str, message: str, state: FollowUpState, now: datetime
) -> Reply:
    card = context.followup_card(state, context.today(now), buttons=True)
    # A change is not shareable: the Share button re-runs the command, which would
    # record the change a second time.
    return Reply(
        (Note(message), card),
        text=message,
        shareable=False,
        command=NAME,
        query=text,
        meta=context.meta(),
    )


def _which(context: ReplyContext, usage: str, example_note: str | None) -> str:
    example_id = next((f.id for f in context.desk.followups), "white-house-response")
    example = usage.replace("ID", example_id).replace("NOTE", example_note or "").strip()
    return (
        f"Which follow-up? Type `/followups {usage}`, e.g. `/followups {example}`. "
        "The ID is under each item in `/followups`."
    )


def _near_verb(typed: str) -> bool:
    """``resolv``, ``snoze``: a mistyped sub-command, not the first word of a question."""
    return any(fuzz.ratio(typed, verb) >= 75 for verb in VERBS)


def _unknown_verb(context: ReplyContext, verb: str, text: str) -> Reply:
    close = context.close_ids(verb, list(VERBS), limit=1)
    lead = f"I don't know `/followups {verb[:40]}`."
    if close:
        lead += f" Did you mean `/followups {close[0]}`?"
    reply = context.help_reply(NAME, ok=False, lead=lead)
    return Reply(reply.parts, text=lead, shareable=False, command=NAME, query=text, ok=False)


def _error(text: str, message: str) -> Reply:
    return Reply(
        (Note(message),), text=message, shareable=False, command=NAME, query=text, ok=False
    )


def _count_line(shown: list[FollowUpState], everything: bool) -> str:
    n = len(shown)
    noun = "follow-up" if n == 1 else "follow-ups"
    return f"{n} {noun}." if everything else f"{n} open {noun}."


def _nothing_line(everything: bool) -> str:
    if everything:
        return "No follow-ups yet. `/followups add TEXT` adds one."
    return (
        "Nothing is open. `/followups all` shows resolved and snoozed ones; "
        "`/followups add TEXT` adds one."
    )


def _hidden_summary(states: list[FollowUpState]) -> str:
    """``1 snoozed and 2 resolved``, or empty when everything is open."""
    counts = {status: 0 for status in (Status.SNOOZED, Status.RESOLVED)}
    for state in states:
        if state.status in counts:
            counts[state.status] += 1
    return " and ".join(f"{n} {status.value}" for status, n in counts.items() if n)


COMMAND = Command(
    name=NAME,
    summary="what we are still waiting for, and its status",
    usage=(
        "`/followups` (or `/followups list`) shows what is still open.\n"
        "`/followups all` shows every follow-up, resolved and snoozed too.\n"
        "`/followups add TEXT` adds one, e.g. `/followups add DHS count of reunified families`.\n"
        "`/followups resolve ID NOTE` closes one, e.g. "
        "`/followups resolve white-house-response Statement at 4pm briefing`.\n"
        "`/followups snooze ID 3d` hides one for a while (`12h`, `3d`, `1w`; at most `26w`).\n"
        "`/followups reopen ID` opens a resolved or snoozed one again."
    ),
    handler=answer,
    position=40,
    changes=changes,
)
