"""``/check TEXT``: a draft checked against the desk, as ``newsbot verify`` checks a file.

The message shortcut "Check against the desk" calls :func:`check_draft` with the message's
text; both answer with the same ephemeral report.
"""

from __future__ import annotations

from datetime import datetime

from bot.replies.command import Command
from bot.replies.context import ReplyContext
from bot.replies.draft_check import check_reply
from bot.replies.reply import Reply

NAME = "/check"
MAX_DRAFT_CHARS = 40_000  # as long as a Slack message may be


def check_draft(context: ReplyContext, text: str, now: datetime) -> Reply:
    """``text`` checked against the desk, with the follow-ups as they stand at ``now``."""
    states = context.states(now)
    report = context.draft_checker().check(text, context.today(now), states.items)
    return check_reply(report, text)


def answer(context: ReplyContext, query: str, user: str, now: datetime) -> Reply:
    if not query:
        return context.help_reply(NAME, ok=False, lead="Give me the text to check.")
    return check_draft(context, query, now)


COMMAND = Command(
    name=NAME,
    summary="check a draft's quotes, figures and attributions against the desk",
    usage=(
        "`/check TEXT` checks a draft against the desk: every passage in quotation marks is "
        "looked up in the sources (✓ verbatim, ✗ changed, ? not found), every number next to "
        "a key figure is compared with it, and “declined to comment” with the follow-ups.\n"
        "On a message, use the shortcut *Check against the desk* instead.\n"
        'Example: `/check The chairs said the report revealed "the chaos, cruelty, and '
        'reckless disregard for vulnerable children."`'
    ),
    handler=answer,
    position=60,
    max_chars=MAX_DRAFT_CHARS,
    keeps_lines=True,
)
