"""One router for every transport: (command, text, user, now) -> Reply.

Slack, the console and ``newsbot ask`` all call :meth:`Router.handle`. It dispatches over the
registry in :mod:`bot.replies.commands` and never reads the clock: ``now`` is a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.desk.model import Desk, FollowUpBook
from bot.desk.search import SearchIndex
from bot.replies import help
from bot.replies.blocks import message_json
from bot.replies.command import Command
from bot.replies.commands import COMMANDS
from bot.replies.context import ReplyContext, States
from bot.replies.reply import Heading, Note, Reply
from bot.replies.visibility import without_notes

__all__ = ["Router", "States", "clean_text"]

MAX_TEXT_CHARS = 3000  # what we read of a command's text; Slack sends at most 4,000
HELP_WORDS = frozenset({"help", "?", "-h", "--help"})


WARM_UP_USER = "warm-up"  # who asks a new worker's warm-up questions (no one's Slack id)


def _a_word(desk: Desk) -> str:
    """A word of the desk's own, to warm a worker up with."""
    for fact in desk.facts[:20]:
        for word in (fact.label or fact.quote).split():
            if len(word) >= 5 and word.isalpha():
                return word.lower()
    return "report"


def normalize_command(command: str) -> str:
    name = command.strip().casefold()
    return name if name.startswith("/") else "/" + name


# Bidirectional overrides, embeddings and isolates: echoed back in a reply, they would
# reorder the text around them ("Trojan Source"), so a query could disguise what follows it.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def clean_text(text: str, limit: int = MAX_TEXT_CHARS, keep: str = "") -> str:
    """What the user typed, capped, with control and bidi characters turned into spaces
    (except those in ``keep``)."""
    capped = text[:limit]
    if capped.isprintable():  # no control, format (bidi) or line characters: nothing to turn
        return capped.strip()
    return "".join(
        " "
        if (ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in _BIDI_CONTROLS) and ch not in keep
        else ch
        for ch in capped
    ).strip()


def as_utc(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


class Router(ReplyContext):
    """The reply context plus dispatch: what every transport holds."""

    def __init__(
        self,
        desk: Desk,
        book: FollowUpBook,
        index: SearchIndex | None = None,
        editors: frozenset[str] = frozenset(),
        commands: Sequence[Command] = COMMANDS,
    ) -> None:
        super().__init__(desk, book, index, editors, commands)
        self._handlers = {c.name: c for c in commands}

    def handle(self, command: str, text: str, user: str, now: datetime, channel: str = "") -> Reply:
        """The reply to ``command`` (``/facts`` or ``facts``) with ``text``, typed by ``user``
        at ``now`` in ``channel`` (a story's channel answers from that story first): help
        after any command, a list of commands for an unknown one."""
        name = normalize_command(command)
        found = self._handlers.get(name)
        if found is None:
            return self._unknown_command(command, clean_text(text))
        query = clean_text(text, found.max_chars, "\n" if found.keeps_lines else "")
        if query.casefold() in HELP_WORDS:
            return help.help_reply(self, name)
        asked = help.topic(query, self.commands.values())
        if asked is not None:  # "help followups", typed after any command or in the console
            return help.help_reply(self, asked)
        reply = found.handler(self.in_channel(channel), query, user, as_utc(now))
        # Notes and history are for editors: one rule here, whatever the command built.
        return reply if self.may_edit(user) else without_notes(reply)

    def warm_up(self, now: datetime) -> None:
        """Answer one of each kind of question once, as a new worker's first reporters will,
        and draw the answers. In an archive, the first answer of each kind in a fresh
        process took 5-10 ms more than the next: the follow-up book's first read, the first
        card of each kind drawn, a typo's vocabulary copied into the worker on first use."""
        self.index.warm()
        word = _a_word(self.desk)
        story = next((s for s in self.desk.stories if s.channels), None)
        channel = story.channels[0] if story else ""
        typo = word[1] + word[0] + word[2:]
        asks = (
            ("/facts", word, ""),
            ("/quote", word, ""),
            ("/figure", word, channel),
            ("/facts", typo, channel),
            ("/followups", "", ""),
        )
        for command, text, where in asks:
            message_json(self.handle(command, text, WARM_UP_USER, now, where))

    def _unknown_command(self, command: str, query: str) -> Reply:
        shown = command.strip()[:80] or "(nothing)"
        message = f"I don't know the command {shown}. These are the ones I answer:"
        parts = (Heading("Newsbot commands"), Note(message), Note(self.overview_help()))
        return Reply(
            parts, text=message, shareable=False, command=command[:80], query=query, ok=False
        )
