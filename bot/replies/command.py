"""What a slash command declares: its name, what it is for, how to type it, and its handler.

Each module in :mod:`bot.replies.commands` declares one :class:`Command`; everything else
(Bolt registration, help, the console, the Share button, the documentation test) reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: context.py never imports this module back
    from bot.replies.context import ReplyContext
    from bot.replies.reply import Reply

# (context, what the user typed after the command, Slack user id, now) -> the reply
Handler = Callable[["ReplyContext", str, str, datetime], "Reply"]


def changes_nothing(query: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # "/facts"
    summary: str  # one line, in the overview and the unknown-command reply
    usage: str  # what `/NAME help` shows
    handler: Handler
    # Where it comes in the overview's list (lower first); ties go by name.
    position: int = 100
    # True for texts whose reply records a change: a Share button must never replay them.
    changes: Callable[[str], bool] = changes_nothing
    # How much of the typed text the handler reads, and whether its line breaks stay (a
    # draft to check keeps them, so findings can say which line they are on).
    max_chars: int = 3000
    keeps_lines: bool = False
