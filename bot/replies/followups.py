"""``/followups``: list the open items and change their status through the follow-up book.

Reads degrade when the book (the database) is down; writes say plainly that nothing was saved.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from bot.desk.model import Action, FollowUp, FollowUpEvent, FollowUpState, Status, fold_events
from bot.replies.reply import Heading, More, Note, Part, Reply

if TYPE_CHECKING:
    from bot.replies.router import Router

logger = logging.getLogger(__name__)

COMMAND = "/followups"
LIST_LIMIT = 12
MAX_TITLE_CHARS = 200
MAX_NOTE_CHARS = 1000
MAX_SNOOZE = timedelta(weeks=26)
VERBS = ("list", "all", "add", "resolve", "snooze", "reopen")
STATUS_UNAVAILABLE = (
    "Live follow-up status is unavailable (the database did not answer), so follow-ups are "
    "shown as curated. Try again in a minute."
)
COULD_NOT_SAVE = (
    "Could not save that: the database did not answer, so nothing was changed. "
    "Try again in a minute."
)

_LENGTH = re.compile(r"(\d{1,4})\s*(h|hrs?|hours?|d|days?|w|wks?|weeks?)", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_URL = re.compile(r"https?://[^\s<>|]+")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class States:
    items: list[FollowUpState]
    live: bool  # False: the book did not answer, statuses are as curated


class BookDown(Exception):
    """The follow-up book raised: the change was not saved."""


def parse_snooze(text: str) -> timedelta | None:
    """``12h``, ``3d``, ``1w`` (or ``3 days``) -> a length between one hour and 26 weeks."""
    match = _LENGTH.fullmatch(text.strip())
    if match is None:
        return None
    length = int(match.group(1)) * _UNITS[match.group(2)[0].casefold()]
    return length if timedelta(hours=1) <= length <= MAX_SNOOZE else None


class FollowUpCommands:
    def __init__(self, router: Router) -> None:
        self.router = router

    def handle(self, text: str, user: str, now: datetime) -> Reply:
        verb, _, rest = text.partition(" ")
        verb, rest = verb.casefold(), rest.strip()
        if verb in ("", "list", "open"):
            return self._list(user, now, everything=False)
        if verb == "all":
            return self._list(user, now, everything=True)
        writers: dict[str, Callable[[str, str, datetime, str], Reply]] = {
            "add": self._add,
            "resolve": self._resolve,
            "snooze": self._snooze,
            "reopen": self._reopen,
        }
        writer = writers.get(verb)
        if writer is None:
            return self._unknown_verb(verb, text)
        if not self.router.may_edit(user):
            return self._error(
                text,
                "Sorry, only the desk's editors can change follow-ups here. "
                "You can still see them with `/followups` and `/followups all`.",
            )
        try:
            return writer(rest, user, now, text)
        except BookDown:
            return self._error(text, COULD_NOT_SAVE)

    # --- reading ----------------------------------------------------------------------------

    def _list(self, user: str, now: datetime, *, everything: bool) -> Reply:
        router = self.router
        states, today = router.states(now), router.today(now)
        shown = states.items if everything else [s for s in states.items if s.is_open]
        title = "All follow-ups" if everything else "Open follow-ups"
        parts: list[Part] = [Heading(title)]
        if shown:
            parts.append(Note(_count_line(shown, everything)))
        else:
            parts.append(Note(_nothing_line(everything)))
        buttons = states.live and self.router.may_edit(user)
        parts.extend(router.followup_card(s, today, buttons) for s in shown[:LIST_LIMIT])
        if len(shown) > LIST_LIMIT:
            parts.append(More(len(shown) - LIST_LIMIT, "`/source ID` shows any one in full"))
        hidden = _hidden_summary(states.items)
        if not everything and hidden:
            parts.append(Note(f"Also {hidden}: `/followups all` shows them."))
        if not states.live:
            parts.append(Note(STATUS_UNAVAILABLE))
        text = f"{len(shown)} {title.lower()}" if shown else _nothing_line(everything)
        query = "all" if everything else ""
        meta = router.meta(states.live)
        return Reply(tuple(parts), text=text, command=COMMAND, query=query, meta=meta)

    # --- changing ---------------------------------------------------------------------------

    def _add(self, rest: str, user: str, now: datetime, text: str) -> Reply:
        if not rest:
            return self._error(
                text,
                "What are we waiting for? Type `/followups add TEXT`, "
                "e.g. `/followups add DHS count of reunified families`.",
            )
        if len(rest) > MAX_TITLE_CHARS:
            return self._error(
                text,
                f"That is {len(rest)} characters; keep a follow-up under {MAX_TITLE_CHARS} "
                "and put the detail in the resolve note later.",
            )
        if not self.router.states(now).live:
            # Ask before writing: a frozen database fails a read within its deadline, while
            # a write would wait on it (see SqlBook), and this runs before Slack's 3 seconds.
            raise BookDown("the follow-up book did not answer")
        item = self._book(
            lambda: self.router.book.add_followup(rest, user, now, self.router.today(now))
        )
        state = fold_events(item, [FollowUpEvent(item.id, Action.ADDED, user, now)], now)
        return self._changed(text, f"Added follow-up `{item.id}`.", state, now)

    def _resolve(self, rest: str, user: str, now: datetime, text: str) -> Reply:
        typed, _, note = rest.partition(" ")
        note = note.strip()
        if not typed:
            return self._error(text, self._which("resolve ID NOTE", "Statement at 4pm briefing"))
        if len(note) > MAX_NOTE_CHARS:
            return self._error(text, f"Keep the note under {MAX_NOTE_CHARS} characters.")
        found = self._find(typed, now)
        if isinstance(found, Reply):
            return found
        item, events, state = found
        if state.status is Status.RESOLVED:
            return self._changed(text, f"`{item.id}` was already resolved.", state, now)
        link = _URL.search(note)
        event = FollowUpEvent(
            item.id, Action.RESOLVED, user, now, note=note or None, link=link and link.group(0)
        )
        return self._record(text, f"Resolved `{item.id}`.", item, events, event, now)

    def _snooze(self, rest: str, user: str, now: datetime, text: str) -> Reply:
        typed, _, length_text = rest.partition(" ")
        if not typed:
            return self._error(text, self._which("snooze ID 3d", None))
        length = parse_snooze(length_text)
        if length is None:
            return self._error(
                text,
                f"For how long? Type `/followups snooze {typed} 3d`: a number and h (hours), "
                "d (days) or w (weeks), from 1h to 26w.",
            )
        found = self._find(typed, now)
        if isinstance(found, Reply):
            return found
        item, events, state = found
        if state.status is Status.RESOLVED:
            return self._error(
                text, f"`{item.id}` is resolved. Type `/followups reopen {item.id}` first."
            )
        event = FollowUpEvent(item.id, Action.SNOOZED, user, now, until=now + length)
        return self._record(text, f"Snoozed `{item.id}`.", item, events, event, now)

    def _reopen(self, rest: str, user: str, now: datetime, text: str) -> Reply:
        typed = rest.partition(" ")[0]
        if not typed:
            return self._error(text, self._which("reopen ID", None))
        found = self._find(typed, now)
        if isinstance(found, Reply):
            return found
        item, events, state = found
        if state.status is Status.OPEN:
            return self._changed(text, f"`{item.id}` is already open.", state, now)
        event = FollowUpEvent(item.id, Action.REOPENED, user, now)
        return self._record(text, f"Reopened `{item.id}`.", item, events, event, now)

    # --- helpers ----------------------------------------------------------------------------

    def _find(
        self, typed: str, now: datetime
    ) -> tuple[FollowUp, list[FollowUpEvent], FollowUpState] | Reply:
        """The follow-up called ``typed`` with its events, or a reply naming close ids."""
        book = self.router.book
        items = [*self.router.desk.followups, *self._book(book.added_followups)]
        wanted = typed.casefold()
        item = next((i for i in items if i.id.casefold() == wanted), None)
        if item is None:
            close = self.router.close_ids(typed, [i.id for i in items])
            hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
            return self._error(
                typed,
                f"There is no follow-up “{typed}”.{hint} "
                "The ID is under each item in `/followups all`.",
            )
        events = self._book(lambda: book.events(item.id))
        return item, events, fold_events(item, events, now)

    def _record(
        self,
        text: str,
        message: str,
        item: FollowUp,
        events: list[FollowUpEvent],
        event: FollowUpEvent,
        now: datetime,
    ) -> Reply:
        self._book(lambda: self.router.book.record(event))
        return self._changed(text, message, fold_events(item, [*events, event], now), now)

    def _changed(self, text: str, message: str, state: FollowUpState, now: datetime) -> Reply:
        card = self.router.followup_card(state, self.router.today(now), buttons=True)
        # A change is not shareable: the Share button re-runs the command, which would
        # record the change a second time.
        return Reply(
            (Note(message), card),
            text=message,
            shareable=False,
            command=COMMAND,
            query=text,
            meta=self.router.meta(),
        )

    def _book(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except Exception as exc:
            logger.warning("follow-up book unavailable; change not saved", exc_info=True)
            raise BookDown from exc

    def _which(self, usage: str, example_note: str | None) -> str:
        example_id = next((f.id for f in self.router.desk.followups), "white-house-response")
        example = usage.replace("ID", example_id).replace("NOTE", example_note or "").strip()
        return (
            f"Which follow-up? Type `/followups {usage}`, e.g. `/followups {example}`. "
            "The ID is under each item in `/followups`."
        )

    def _unknown_verb(self, verb: str, text: str) -> Reply:
        close = self.router.close_ids(verb, list(VERBS), limit=1)
        lead = f"I don't know `/followups {verb[:40]}`."
        if close:
            lead += f" Did you mean `/followups {close[0]}`?"
        reply = self.router.help_reply(COMMAND, ok=False, lead=lead)
        return Reply(reply.parts, text=lead, shareable=False, command=COMMAND, query=text, ok=False)

    def _error(self, text: str, message: str) -> Reply:
        return Reply(
            (Note(message),), text=message, shareable=False, command=COMMAND, query=text, ok=False
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
